import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// The console's sign-in, sessions, CSRF and escaping. (The whole journey runs in headless
/// Chromium: Tests/Browser.)
final class AdminConsoleTests: XCTestCase {
    var test: TestApplication!

    override func setUp() async throws {
        test = try await TestApplication.make()
        _ = try await AdminAccounts(database: test.app.db).save(email: "root@shop.example", passwordHash: try Bcrypt.hash("admin password 123", cost: 4),
                                                                 now: test.clock.now)
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    private func signedInAdmin() async throws -> Browser {
        let browser = Browser(test.app)
        let csrf = try await browser.csrfToken(from: "/admin/login")
        let response = try await browser.post("/admin/login", form: ["email": "root@shop.example", "password": "admin password 123", "csrf": csrf])
        XCTAssertEqual(response.status, .seeOther)
        XCTAssertEqual(response.headers.first(name: .location), "/admin")
        XCTAssertTrue(response.headers.setCookie?["storeidp_admin"]?.sameSite == .strict)
        return browser
    }

    func testPagesNeedAnAdminAndACustomerSessionIsNotOne() async throws {
        let anonymous = try await Browser(test.app).get("/admin/providers")
        XCTAssertEqual(anonymous.headers.first(name: .location), "/admin/login?return_to=/admin/providers")
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let customer = Browser(test.app)
        try await customer.signIn(email: "ann@shop.example", password: "correct horse battery")
        assertEqual(try await customer.get("/admin").status, .seeOther)
        let admin = try await signedInAdmin()
        for path in ["/admin", "/admin/providers", "/admin/keys"] {
            let page = try await admin.get(path)
            XCTAssertEqual(page.status, .ok, path)
        }
        let dashboard = try await admin.get("/admin").body.string
        XCTAssertTrue(dashboard.contains("id=\"signins-chart\""))
    }

    func testCustomersCanBeFoundAndDisabledAndTheAuditLogFiltered() async throws {
        let customer = try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery", firstName: "<b>Ann</b>")
        let admin = try await signedInAdmin()
        let list = try await admin.get("/admin/customers?query=ANN")
        XCTAssertEqual(list.status, .ok)
        XCTAssertTrue(list.body.string.contains("ann@shop.example"))
        XCTAssertTrue(list.body.string.contains("&lt;b&gt;Ann&lt;/b&gt;"))
        let id = customer.id.uuidString.lowercased()
        assertEqual(try await admin.get("/admin/customers/\(id)").status, .ok)
        assertEqual(try await admin.get("/admin/customers/not-a-uuid").status, .notFound)
        let csrf = try await admin.csrfToken(from: "/admin/customers/\(id)")
        assertEqual(try await admin.post("/admin/customers/\(id)/status", form: ["status": "disabled"]).status, .forbidden)
        assertEqual(try await admin.post("/admin/customers/\(id)/status", form: ["status": "disabled", "csrf": csrf]).status, .seeOther)
        let stored = try await CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool).find(id: customer.id)
        XCTAssertEqual(stored?.status, .disabled)
        let audit = try await admin.get("/admin/audit?kind=customer.saved")
        XCTAssertEqual(audit.status, .ok)
        XCTAssertTrue(audit.body.string.contains("admin:root@shop.example"))
        assertEqual(try await admin.get("/admin/audit?since=yesterday").status, .unprocessableEntity)
    }

    func testPageLinksKeepTheFiltersURLEncoded() async throws {
        let admin = try await signedInAdmin()
        // page 2 of a search with '&' and '+' in it: the link back must carry them encoded.
        let list = try await admin.get("/admin/customers?query=a%26b%2Bc&page=2")
        XCTAssertEqual(list.status, .ok)
        XCTAssertTrue(list.body.string.contains("/admin/customers?query=a%26b%2Bc&amp;page=1"), list.body.string)
        let audit = try await admin.get("/admin/audit?since=2027-01-15T09:00:00%2B01:00&page=2")
        XCTAssertEqual(audit.status, .ok)
        XCTAssertTrue(audit.body.string.contains("since=2027-01-15T09%3A00%3A00%2B01%3A00&amp;until=&amp;page=1"), audit.body.string)
    }

    func testWrongPasswordsAreRefusedThrottledAndAudited() async throws {
        let browser = Browser(test.app)
        for attempt in 1...11 {
            let csrf = try await browser.csrfToken(from: "/admin/login")
            let response = try await browser.post("/admin/login", form: ["email": "root@shop.example", "password": "wrong \(attempt)", "csrf": csrf])
            XCTAssertEqual(response.status, attempt <= 10 ? .unauthorized : .tooManyRequests, "attempt \(attempt)")
        }
        let failures = try await AuditEventRecord.query(on: test.app.db).all().filter { $0.kind == AuditEvent.Kind.adminLoginFailed.rawValue }
        XCTAssertEqual(failures.count, 10)
        assertEqual(try await browser.post("/admin/login", form: ["email": "root@shop.example", "password": "admin password 123"]).status, .forbidden,
                       "no CSRF token")
    }

    func testSessionsTimeOutWhenIdle() async throws {
        let admin = try await signedInAdmin()
        test.clock.advance(by: 29 * 60)
        assertEqual(try await admin.get("/admin/keys").status, .ok)
        test.clock.advance(by: 31 * 60)
        assertEqual(try await admin.get("/admin/keys").status, .seeOther, "idle for more than 30 minutes")
    }

    func testFormsNeedCSRFAndTypedHTMLIsShownEscaped() async throws {
        let admin = try await signedInAdmin()
        let forged = try await admin.post("/admin/providers", form: ["protocol": "saml", "slug": "x", "entity_id": "https://x.example/sp", "acs_urls": "https://x.example/acs"])
        XCTAssertEqual(forged.status, .forbidden)
        assertEqual(try await admin.post("/admin/keys/rotate", form: [:]).status, .forbidden)
        let csrf = try await admin.csrfToken(from: "/admin/providers")
        let created = try await admin.post("/admin/providers", form: ["csrf": csrf, "protocol": "saml", "slug": "x", "name": "<script>alert(1)</script>",
                                                                     "entity_id": "https://x.example/sp\"><img src=x>", "acs_urls": "https://x.example/acs"])
        XCTAssertEqual(created.status, .seeOther, created.body.string)
        for path in ["/admin/providers", "/admin/providers/x"] {
            let body = try await admin.get(path).body.string
            XCTAssertFalse(body.contains("<script>alert(1)</script>"), path)
            XCTAssertTrue(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), path)
            XCTAssertFalse(body.contains("<img src=x>"), path)
        }
        let invalid = try await admin.post("/admin/providers", form: ["csrf": csrf, "protocol": "saml", "slug": "y", "entity_id": "https://y.example/sp",
                                                                     "acs_urls": "http://y.example/acs"])
        XCTAssertEqual(invalid.status, .unprocessableEntity)
        XCTAssertTrue(invalid.body.string.contains("provider.saml.acs_urls[0]"))
        let rows = try await AuditEventRecord.query(on: test.app.db).all()
        XCTAssertTrue(rows.contains { $0.kind == "provider.created" && $0.subjectID == "admin:root@shop.example" })
    }
}
