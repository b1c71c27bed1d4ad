import Foundation
import StoreIdPCore
import XCTest

/// Review defect 5: a password over 72 bytes returned at once for an existing account, and an
/// account on a Magento hash answered fast; both revealed which emails exist. Every path now
/// spends exactly one bcrypt verification.
final class PasswordCheckTests: XCTestCase {
    /// Counts bcrypt verifications instead of spending them.
    final class CountingHasher: CustomerPasswordHasher, @unchecked Sendable {
        private let lock = NSLock()
        private var _verifications = 0
        var verifications: Int { lock.withLock { _verifications } }
        func hash(_ password: String) throws -> String { "$2b$12$" + String(repeating: "a", count: 53) }
        func verify(_ password: String, againstBcrypt hash: String) throws -> Bool {
            lock.withLock { _verifications += 1 }
            return hash == "$2b$12$" + String(repeating: "r", count: 53) && password == "right"
        }
    }

    private let real = StoredPasswordHash.bcrypt("$2b$12$" + String(repeating: "r", count: 53))
    /// Magento 2 `hash:salt:1`: SHA-256 of salt + "right".
    private var magento: StoredPasswordHash { try! StoredPasswordHash(parsing: "bf65d261f00daf518c5c0be09e9fe3da386d877c08fb9dcf6c585a4d0f1941b6:salt:1") }

    func testEveryPathSpendsOneBcryptVerification() throws {
        let cases: [(String, String, StoredPasswordHash?)] = [
            ("unknown email", "whatever", nil),
            ("right bcrypt", "right", real),
            ("wrong bcrypt", "wrong", real),
            ("over 72 bytes on a real account", String(repeating: "x", count: 100), real),
            ("Magento hash", "wrong", magento),
        ]
        for (name, password, stored) in cases {
            let hasher = CountingHasher()
            let check = PasswordCheck(hasher: hasher, decoyHash: "$2b$12$" + String(repeating: "d", count: 53))
            let verified = try check.verify(password, against: stored)
            XCTAssertEqual(hasher.verifications, 1, name)
            XCTAssertEqual(verified, name == "right bcrypt", name)
        }
    }
}
