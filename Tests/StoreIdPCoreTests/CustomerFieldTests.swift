import Foundation
import StoreIdPCore
import XCTest

/// What an API needs beyond the import: the field a refusal is about, a partial JSON object for
/// a customer named by id, and the names of the fields an update changed.
final class CustomerFieldTests: XCTestCase {
    func testEveryValidationErrorNamesItsField() {
        let cases: [(CustomerValidationError, String)] = [
            (.missingEmail, "email"), (.emailTooLong(length: 300, limit: 254), "email"), (.invalidEmail("x"), "email"),
            (.duplicateEmailInFile(firstLine: 2), "email"), (.fieldTooLong(field: "first_name", length: 256, limit: 255), "first_name"),
            (.controlCharacters(field: "attributes.notes"), "attributes.notes"), (.tooManyValues(field: "segments", count: 101, limit: 100), "segments"),
            (.fieldTooLong(field: "attribute name", length: 200, limit: 128), "attributes"), (.invalidStatus("paused"), "status"),
            (.unsupportedPasswordHash("argon2"), "password_hash"), (.passwordTooLong(limit: 72), "password"),
        ]
        for (error, field) in cases { XCTAssertEqual(error.field, field, error.description) }
    }

    func testAJSONObjectWithoutEmailKeepsTheStoredOne() throws {
        let profile = try CustomerJSONLine.profile(from: Array(#"{"first_name": "Anna"}"#.utf8), storedEmail: "ann@shop.example")
        XCTAssertEqual(profile.email, "ann@shop.example")
        XCTAssertEqual(profile.firstName, "Anna")
        XCTAssertNil(profile.lastName, "absent: unchanged")
        let moved = try CustomerJSONLine.profile(from: Array(#"{"email": "new@shop.example"}"#.utf8), storedEmail: "ann@shop.example")
        XCTAssertEqual(moved.email, "new@shop.example")
        XCTAssertThrowsError(try CustomerJSONLine.profile(from: Array(#"{"first_name": "Anna"}"#.utf8))) { error in
            XCTAssertEqual(error as? CustomerJSONLine.Problem, .invalid(.missingEmail), "an import line must name its customer")
        }
    }

    func testFieldsChangedNamesFieldsNeverValues() throws {
        let now = Date(timeIntervalSince1970: 1_000)
        let before = Customer(email: try EmailAddress("ann@shop.example"), firstName: "Ann", createdAt: now, updatedAt: now)
        var after = before
        after.firstName = "Anna"
        after.company.vat = "DE1"
        after.passwordHash = try StoredPasswordHash(parsing: "\(String(repeating: "a", count: 64)):salt:1")
        after.updatedAt = now.addingTimeInterval(60)
        XCTAssertEqual(after.fieldsChanged(from: before), ["password", "first_name", "company"])
        XCTAssertEqual(before.fieldsChanged(from: before), [])
    }
}
