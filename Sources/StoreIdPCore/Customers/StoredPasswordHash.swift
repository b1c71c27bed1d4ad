import Crypto
import Foundation

/// A password hash as stored for a customer, in one of the formats a store's customer
/// database is exported with.
///
/// - `bcrypt`: `$2a$`, `$2b$` or `$2y$` modular crypt strings (what StoreIdP writes).
/// - `magentoSHA256`: Magento 2's `hash:salt:1` where `hash` is hex SHA-256 of `salt + password`
///   (Magento\Framework\Encryption\Encryptor, HASH_VERSION_SHA256 = 1). Verified as is and
///   replaced by bcrypt at the customer's next successful login.
public enum StoredPasswordHash: Sendable, Hashable {
    case bcrypt(String)
    case magentoSHA256(hexDigest: String, salt: String)

    /// Passwords longer than this are refused: bcrypt reads only the first 72 bytes, so a longer
    /// password would be silently truncated.
    public static let maximumPasswordBytes = 72

    public init(parsing stored: String) throws(CustomerValidationError) {
        let value = stored.trimmingWhitespace()
        if value.hasPrefix("$2a$") || value.hasPrefix("$2b$") || value.hasPrefix("$2y$") {
            guard value.utf8.count == 60 else { throw .unsupportedPasswordHash("malformed bcrypt") }
            self = .bcrypt(value)
            return
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 3, parts[2] == "1", parts[0].utf8.count == 64,
           parts[0].allSatisfy(\.isHexDigit), !parts[1].isEmpty, parts[1].utf8.count <= 128 {
            self = .magentoSHA256(hexDigest: parts[0].lowercased(), salt: String(parts[1]))
            return
        }
        if parts.count == 3 {
            throw .unsupportedPasswordHash("Magento version '\(String(parts[2]).displaySafePrefix)'")
        }
        if value.hasPrefix("$argon2") { throw .unsupportedPasswordHash("argon2") }
        throw .unsupportedPasswordHash("unrecognised")
    }

    /// The string kept in the database.
    public var storageString: String {
        switch self {
        case let .bcrypt(hash): return hash
        case let .magentoSHA256(digest, salt): return "\(digest):\(salt):1"
        }
    }

    /// True when the hash should be replaced by a fresh bcrypt hash after a successful login.
    public var needsRehash: Bool {
        if case .bcrypt = self { return false }
        return true
    }

    /// Checks a password against this hash. bcrypt work is delegated to `hasher` (the server
    /// runs it on a thread pool); the Magento digest is compared in constant time.
    public func verify(_ password: String, using hasher: some CustomerPasswordHasher) throws -> Bool {
        guard password.utf8.count <= Self.maximumPasswordBytes else { return false }
        switch self {
        case let .bcrypt(hash):
            return try hasher.verify(password, againstBcrypt: hash)
        case let .magentoSHA256(digest, salt):
            let computed = SHA256.hash(data: Data((salt + password).utf8))
            let hex = Hex.encode(computed)
            return ConstantTime.equals(Array(hex.utf8), Array(digest.utf8))
        }
    }
}

/// The bcrypt implementation the domain uses, supplied by the server.
public protocol CustomerPasswordHasher: Sendable {
    func hash(_ password: String) throws -> String
    func verify(_ password: String, againstBcrypt hash: String) throws -> Bool
}

/// Comparison whose time does not depend on where two byte strings differ.
public enum ConstantTime {
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// Two secrets of any lengths compared through their SHA-256, so neither where they differ
    /// nor the expected one's length shows in the time taken (RFC 6749 §10.10 client secrets,
    /// bearer tokens).
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(SHA256.hash(data: Data(lhs.utf8))), Array(SHA256.hash(data: Data(rhs.utf8))))
    }
}
