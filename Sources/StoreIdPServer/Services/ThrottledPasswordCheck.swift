import Foundation
import StoreIdPCore
import Vapor

/// A password sign-in's check, the same for the store login and the admin console: the attempt
/// is counted (one atomic upsert per key) before the password is checked, so parallel guesses
/// cannot all pass a count read before any of them was recorded; past the limit the answer is
/// 429 with `Retry-After`, even for the right password; one bcrypt verification is spent on every
/// path (`PasswordCheck`), so timing does not tell which emails have accounts.
struct ThrottledPasswordCheck {
    let request: Request
    /// Keeps the counters of different account kinds apart ("" for customers, "admin:" for admins).
    let scope: String

    func verify(email: String, password: String, against stored: StoredPasswordHash?) async throws -> Bool {
        let policy = request.storeIdP.settings.loginThrottle
        let accountKey = scope + LoginThrottlePolicy.accountKey(email)
        let addressKey = scope + LoginThrottlePolicy.addressKey(request.clientAddress)
        let throttle = request.loginThrottle
        if let wait = try await throttle.reserve(
            keys: [(accountKey, policy.maximumFailuresPerAccount), (addressKey, policy.maximumFailuresPerAddress)], now: request.now
        ) {
            StoreIdPMetrics.throttled(scope: scope)
            throw PageError(.tooManyRequests, "Too many failed sign-in attempts. Please wait \(wait / 60 + 1) minutes and try again.",
                            headers: ["Retry-After": String(wait)])
        }
        let check = PasswordCheck(hasher: request.storeIdP.hasher, decoyHash: DecoyHash.value)
        let verified = try await request.application.threadPool.runIfActive { try check.verify(password, against: stored) }
        if verified { try await throttle.succeeded(accountKey: accountKey, otherKeys: [addressKey]) }
        return verified
    }
}
