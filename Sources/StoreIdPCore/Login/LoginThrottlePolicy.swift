import Foundation

/// Limits on failed store logins, counted per account (email) and per client address over a
/// fixed window. Once a limit is reached, every attempt for that account or from that address is
/// refused (even with the right password) until the window ends: otherwise an attacker who keeps
/// guessing would learn the password the moment a guess succeeds (OWASP ASVS 4.0 §2.2.1).
public struct LoginThrottlePolicy: Sendable, Hashable {
    public var window: TimeInterval
    public var maximumFailuresPerAccount: Int
    public var maximumFailuresPerAddress: Int

    public init(window: TimeInterval = 15 * 60, maximumFailuresPerAccount: Int = 10, maximumFailuresPerAddress: Int = 100) {
        self.window = window
        self.maximumFailuresPerAccount = maximumFailuresPerAccount
        self.maximumFailuresPerAddress = maximumFailuresPerAddress
    }

    /// The counter key of an account. Keys are namespaced so an email cannot collide with an address.
    public static func accountKey(_ email: String) -> String { "account:" + email.trimmingWhitespace().lowercased().prefix(EmailAddress.maximumLength) }
    public static func addressKey(_ address: String) -> String { "address:" + address }
}
