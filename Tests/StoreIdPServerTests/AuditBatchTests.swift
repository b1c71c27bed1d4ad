import Fluent
import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import XCTest

/// Audit rows of sign-ins may be written in batches off the request path only if a clean
/// shutdown writes what is waiting.
final class AuditBatchTests: XCTestCase {
    func testBatchedRowsAreWrittenAtShutdown() async throws {
        let first = try await TestApplication.make { $0.auditBatchInterval = 3600 }
        defer { first.removeFiles() }
        _ = try await SAMLTestPartner(test: first)
        try await first.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(first.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        for _ in 0..<3 { _ = try await browser.get("/sso/warranty") }
        let written = try await AuditEventRecord.query(on: first.app.db).filter(\.$kind == "saml.response").count()
        XCTAssertEqual(written, 0, "the rows wait for the batch")
        XCTAssertEqual(first.app.storeIdP.auditBuffer?.count, 4, "a login and three assertions")
        try await first.shutdown()

        let second = try await TestApplication.make(reuse: first)
        let afterRestart = try await AuditEventRecord.query(on: second.app.db).filter(\.$kind == "saml.response").count()
        XCTAssertEqual(afterRestart, 3, "a clean shutdown wrote every waiting row")
        try await second.shutdown()
    }
}
