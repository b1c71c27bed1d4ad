import Foundation
import SQLKit
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest

/// A customers row that no longer decodes (edited by hand, or by another tool) must make reads
/// fail and must never be overwritten with defaults.
final class StoredCustomerRowTests: XCTestCase {
    var test: TestApplication!

    override func setUp() async throws { test = try await TestApplication.make() }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    private var directory: CustomerDirectory {
        CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool)
    }

    private var sql: any SQLDatabase { test.app.db as! any SQLDatabase }

    /// Every stored column as text, to prove the row is untouched.
    private func snapshot(_ id: UUID) async throws -> [String] {
        let row = try await unwrap(try await sql.select().columns(CustomerRow.columns.map { SQLColumn($0) as any SQLExpression })
            .from(CustomerRecord.schema).where("id", .equal, id).first())
        var values: [String] = []
        for column in CustomerRow.columns {
            if column == "id" { values.append(try row.decode(column: column, as: UUID.self).uuidString); continue }
            if column == "created_at" || column == "updated_at" {
                values.append("\(try row.decode(column: column, as: Date.self).timeIntervalSince1970)")
                continue
            }
            values.append(try row.decode(column: column, as: String?.self) ?? "NULL")
        }
        return values
    }

    func testUnreadableColumnsThrowNameTheColumnAndLeaveTheRowAlone() async throws {
        let badHash = "sha1$notsupported$c2VjcmV0LWhhc2gtdmFsdWU"
        let cases: [(column: String, value: String)] = [
            ("password_hash", badHash),
            ("status", "banned"),
            ("segments", "{not json"),
            ("attributes", "[1, 2]"),
            ("email", "not an email"),
        ]
        for (index, bad) in cases.enumerated() {
            let email = "row\(index)@shop.example"
            let customer = try await test.addCustomer(email: email, password: "correct horse battery staple")
            try await sql.update(CustomerRecord.schema).set(SQLColumn(bad.column), to: SQLBind(bad.value))
                .where("id", .equal, customer.id).run()
            let before = try await snapshot(customer.id)

            func check(_ error: any Error, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
                guard case let .unreadable(id, column, _)? = error as? CustomerRowError else {
                    return XCTFail("\(bad.column), \(what): expected CustomerRowError.unreadable, got \(error)", file: file, line: line)
                }
                XCTAssertEqual(id, customer.id, file: file, line: line)
                XCTAssertEqual(column, bad.column, file: file, line: line)
                XCTAssertFalse("\(error)".contains(badHash), "a password hash is never quoted", file: file, line: line)
            }
            do { _ = try await directory.find(id: customer.id); XCTFail("\(bad.column): find(id:) read the row") } catch { check(error, "find(id:)") }
            do { _ = try await directory.find(email: email); XCTFail("\(bad.column): find(email:) read the row") } catch { check(error, "find(email:)") }

            // A save of the same customer (the launch and `customers add` path) fails instead of writing back.
            var profile = CustomerProfile(email: email)
            profile.firstName = "Changed"
            profile.password = .plain("another password")
            do {
                _ = try await directory.save(profile, now: test.clock.now)
                XCTFail("\(bad.column): save wrote over an unreadable row")
            } catch { check(error, "save") }
            // The import path reports the row and keeps going.
            let results = try await directory.upsert(batch: [(line: 7, profile: profile, email: try EmailAddress(email))], now: test.clock.now)
            guard case let .failure(rejection)? = results.first?.outcome else {
                return XCTFail("\(bad.column): the import accepted a row over an unreadable customer")
            }
            XCTAssertTrue(rejection.reason.contains(bad.column), rejection.reason)
            XCTAssertFalse(rejection.reason.contains(badHash))
            let after = try await snapshot(customer.id)
            XCTAssertEqual(after, before, "\(bad.column): the stored row is unchanged")
        }
    }
}
