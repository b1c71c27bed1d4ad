import Foundation

/// Checks a login's password so that every path costs the same: exactly one bcrypt verification
/// at the store's cost, whether the email is unknown, the account disabled or without a password,
/// the password over bcrypt's 72 bytes, the stored hash a fast Magento SHA-256, or a real bcrypt
/// hash. Response time then does not tell which emails are customers (OWASP Authentication
/// Cheat Sheet, "Authentication Responses"; ASVS 4.0 §2.2.1).
///
/// ```swift
/// let check = PasswordCheck(hasher: hasher, decoyHash: decoy)
/// let ok = try check.verify(password, against: customer?.isActive == true ? customer?.passwordHash : nil)
/// ```
public struct PasswordCheck: Sendable {
    public let hasher: any CustomerPasswordHasher
    /// A bcrypt hash, at the same cost as real ones, of a random secret nobody knows.
    public let decoyHash: String

    public init(hasher: any CustomerPasswordHasher, decoyHash: String) {
        self.hasher = hasher
        self.decoyHash = decoyHash
    }

    public func verify(_ password: String, against stored: StoredPasswordHash?) throws -> Bool {
        guard let stored, password.utf8.count <= StoredPasswordHash.maximumPasswordBytes else {
            spendDecoy()
            return false
        }
        switch stored {
        case .bcrypt:
            return try stored.verify(password, using: hasher)
        case .magentoSHA256:
            let verified = try stored.verify(password, using: hasher)
            spendDecoy()
            return verified
        }
    }

    /// One bcrypt verification whose answer is thrown away.
    private func spendDecoy() {
        _ = try? hasher.verify("decoy", againstBcrypt: decoyHash)
    }
}
