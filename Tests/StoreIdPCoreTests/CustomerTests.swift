import Foundation
import StoreIdPCore
import XCTest

final class CustomerTests: XCTestCase {
    func testEmailComparesCaseInsensitivelyAndIsBounded() throws {
        let email = try EmailAddress("  Ann.Lee@Shop.Example ")
        XCTAssertEqual(email.value, "Ann.Lee@Shop.Example")
        XCTAssertEqual(email.key, "ann.lee@shop.example")
        XCTAssertThrowsError(try EmailAddress(String(repeating: "a", count: 1_000_000) + "@x.example")) { error in
            XCTAssertEqual(error as? CustomerValidationError, .emailTooLong(length: 1_000_010, limit: 254))
        }
        for bad in ["", "plain", "a@b", "a@@b.example", "a b@c.example", "<a>@b.example", "a@.example"] {
            XCTAssertThrowsError(try EmailAddress(bad), bad)
        }
    }

    func testMagentoHashVerifiesAndWantsRehash() throws {
        let hash = try StoredPasswordHash(parsing: "\(sha256("pepperpassword1")):pepper:1")
        XCTAssertTrue(try hash.verify("password1", using: NoBcrypt()))
        XCTAssertFalse(try hash.verify("password2", using: NoBcrypt()))
        XCTAssertTrue(hash.needsRehash)
        XCTAssertEqual(try StoredPasswordHash(parsing: hash.storageString), hash)
        XCTAssertThrowsError(try StoredPasswordHash(parsing: "abc:def:2"))
        XCTAssertThrowsError(try StoredPasswordHash(parsing: "md5-something"))
        XCTAssertThrowsError(try StoredPasswordHash(parsing: "$2b$10$short"))
    }

    func testProfileApplyIsIdempotentAndOnlyTouchesNamedFields() throws {
        let start = Date(timeIntervalSince1970: 1_000)
        var profile = CustomerProfile(email: "ann@shop.example")
        profile.firstName = "Ann"
        profile.segments = ["vip"]
        profile.attributes = ["tier": "gold"]
        var customer = profile.makeCustomer(email: try profile.validate(), passwordHash: nil, now: start)
        XCTAssertFalse(profile.apply(to: &customer, passwordHash: nil, now: start.addingTimeInterval(10)))
        XCTAssertEqual(customer.updatedAt, start)

        var update = CustomerProfile(email: "ANN@shop.example")
        update.lastName = "Lee"
        update.attributes = ["tier": ""]
        XCTAssertTrue(update.apply(to: &customer, passwordHash: nil, now: start.addingTimeInterval(20)))
        XCTAssertEqual(customer.firstName, "Ann")
        XCTAssertEqual(customer.lastName, "Lee")
        XCTAssertEqual(customer.attributes, [:], "an empty value removes the attribute")
        XCTAssertEqual(customer.updatedAt, start.addingTimeInterval(20))
    }

    func testProfileBounds() {
        var profile = CustomerProfile(email: "ann@shop.example")
        profile.attributes = ["notes": String(repeating: "x", count: 1 << 20)]
        XCTAssertThrowsError(try profile.validate()) { error in
            guard case .fieldTooLong? = error as? CustomerValidationError else { return XCTFail("\(error)") }
        }
        profile.attributes = ["notes": "line one\nline two"]
        XCTAssertNoThrow(try profile.validate())
        profile.firstName = "Ann\u{1B}[31m"
        XCTAssertThrowsError(try profile.validate())
        profile.firstName = "Zoë 李"
        profile.password = .plain(String(repeating: "p", count: 73))
        XCTAssertThrowsError(try profile.validate())
    }

    func testReturnPathAllowsOnlyLocalPaths() {
        XCTAssertEqual(ReturnPath.sanitize("/sso/warranty?RelayState=x").path, "/sso/warranty?RelayState=x")
        for hostile in [nil, "", "https://evil.example", "//evil.example", "/\\evil.example", "evil", "/a b", "/x\r\nSet-Cookie: a", "/ünï", String(repeating: "/a", count: 2000)] {
            XCTAssertEqual(ReturnPath.sanitize(hostile), .home, String(describing: hostile?.prefix(40)))
        }
    }

    func testSAMLIDsAreNCNamesAndUnique() {
        let ids = (0..<1000).map { _ in IdentifierGenerator.samlID() }
        XCTAssertEqual(Set(ids).count, 1000)
        XCTAssertTrue(ids.allSatisfy { $0.hasPrefix("_") && $0.count == 41 })
    }
}

struct NoBcrypt: CustomerPasswordHasher {
    func hash(_ password: String) throws -> String { XCTFail("bcrypt not expected"); return "" }
    func verify(_ password: String, againstBcrypt hash: String) throws -> Bool { XCTFail("bcrypt not expected"); return false }
}

import Crypto

func sha256(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}

final class TimeOrderedUUIDTests: XCTestCase {
    func testVersion7LayoutAndOrder() {
        let early = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_700_000_000))
        let late = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_700_000_001))
        XCTAssertEqual(early.uuidString.prefix(13), "018BCFE5-6800", "48-bit Unix milliseconds first")
        XCTAssertEqual(early.uuid.6 >> 4, 7, "version 7")
        XCTAssertEqual(early.uuid.8 >> 6, 2, "RFC 9562 variant")
        XCTAssertLessThan(early.uuidString, late.uuidString)
    }
}
