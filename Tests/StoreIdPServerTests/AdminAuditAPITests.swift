import Fluent
import Foundation
import SQLKit
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// `GET /admin/api/v1/audit`: the audit trail newest first, filtered, 100 a page, every filter
/// checked before it reaches the database.
final class AdminAuditAPITests: XCTestCase {
    var test: TestApplication!
    var api: AdminAPITestClient!

    override func setUp() async throws {
        test = try await TestApplication.make { $0.adminToken = AdminAPITestClient.token }
        api = AdminAPITestClient(app: test.app)
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    /// 2027-01-15T08:00:00Z, the test clock's start.
    private let start = Date(timeIntervalSince1970: 1_800_000_000)
    private let ann = UUID()
    private let bob = UUID()

    private func seed() async throws {
        let log = AuditLog(database: test.app.db)
        try await log.record(.login, at: start, customerID: ann, clientAddress: "192.0.2.1")
        try await log.record(.samlResponse, at: start.addingTimeInterval(60), serviceProvider: "warranty", customerID: ann,
                             subjectID: "_assertion1", clientAddress: "192.0.2.1")
        try await log.record(.jwtIssued, at: start.addingTimeInterval(120), serviceProvider: "academy", customerID: bob, subjectID: "jti-1")
        try await log.record(.samlResponse, at: start.addingTimeInterval(86_400), serviceProvider: "warranty", customerID: bob,
                             subjectID: "_assertion2", detail: "<b>not markup</b>")
        try await log.record(.providerCreated, at: start.addingTimeInterval(86_460), serviceProvider: "warranty", subjectID: "admin-token")
    }

    private func list(_ query: String = "") async throws -> (events: [[String: Any]], body: [String: Any]) {
        let response = try await api.send(.GET, "/audit" + (query.isEmpty ? "" : "?" + query))
        XCTAssertEqual(response.status, .ok, response.body.string)
        let body = try AdminAPITestClient.object(response)
        return (try XCTUnwrap(body["events"] as? [[String: Any]]), body)
    }

    private func subjects(_ query: String) async throws -> [String?] {
        try await list(query).events.map { $0["subject"] as? String ?? ($0["kind"] as? String).map { "(\($0))" } }
    }

    func testEventsNewestFirstWithEveryKey() async throws {
        try await seed()
        let (events, body) = try await list()
        XCTAssertEqual(events.map { $0["kind"] as? String }, ["provider.created", "saml.response", "jwt.issued", "saml.response", "login"])
        XCTAssertEqual(body["page"] as? Int, 1)
        XCTAssertEqual(body["per_page"] as? Int, 100)
        XCTAssertEqual(body["has_more"] as? Bool, false)
        let second = events[1]
        XCTAssertEqual(Set(second.keys), ["kind", "at", "provider", "customer_id", "subject", "client_address", "detail"])
        XCTAssertEqual(second["at"] as? String, "2027-01-16T08:00:00Z")
        XCTAssertEqual(second["provider"] as? String, "warranty")
        XCTAssertEqual(second["customer_id"] as? String, bob.uuidString.lowercased())
        XCTAssertEqual(second["subject"] as? String, "_assertion2")
        XCTAssertEqual(second["detail"] as? String, "<b>not markup</b>", "data, escaped only by JSON")
        XCTAssertTrue(second["client_address"] is NSNull)
        XCTAssertTrue(events[0]["customer_id"] is NSNull)
    }

    func testFilters() async throws {
        try await seed()
        assertEqual(try await subjects("provider=warranty"), ["admin-token", "_assertion2", "_assertion1"])
        assertEqual(try await subjects("customer=\(ann.uuidString)"), ["_assertion1", "(login)"])
        assertEqual(try await subjects("customer=\(bob.uuidString.lowercased())&provider=academy"), ["jti-1"])
        assertEqual(try await subjects("kind=saml.response"), ["_assertion2", "_assertion1"])
        assertEqual(try await subjects("since=2027-01-15T08:01:00Z"), ["admin-token", "_assertion2", "jti-1", "_assertion1"], "since is inclusive")
        assertEqual(try await subjects("until=2027-01-15T08:01:00Z"), ["(login)"], "until is exclusive")
        assertEqual(try await subjects("since=2027-01-16"), ["admin-token", "_assertion2"], "a date is midnight UTC")
        assertEqual(try await subjects("since=2027-01-15T09:00:30.5%2B01:00&until=2027-01-16T08:00:00.000Z"), ["jti-1", "_assertion1"], "offsets and fractions")
        assertEqual(try await subjects("provider=&customer=&kind=&since=&until=&page="), ["admin-token", "_assertion2", "jti-1", "_assertion1", "(login)"],
                     "empty values filter nothing")
        assertEqual(try await subjects("provider=nobody"), [])
    }

    func testBadFiltersAre422NamingTheParameter() async throws {
        let cases: [(String, String)] = [
            ("since=yesterday", "since"),
            ("since=2027-01-15T08:00:00", "since"),          // no offset: which zone?
            ("since=2027-13-01T00:00:00Z", "since"),
            ("since=1999-12-31T23:59:59Z", "since"),
            ("until=2101-01-01T00:00:00Z", "until"),
            ("until=99999-01-01", "until"),
            ("until=2027-01-15T08:00:00Z%3B%20DROP%20TABLE%20audit_events", "until"),
            ("since=2027-01-16&until=2027-01-15", "until"),
            ("since=2027-01-16&until=2027-01-16", "until"),
            ("customer=not-a-uuid", "customer"),
            ("customer=' OR 1=1 --", "customer"),
            ("provider=Warranty", "provider"),
            ("provider=war%20ranty", "provider"),
            ("kind=saml", "kind"),
            ("page=0", "page"),
            ("page=10001", "page"),
            ("page=two", "page"),
        ]
        for (query, field) in cases {
            let encoded = query.replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "'", with: "%27")
            let response = try await api.send(.GET, "/audit?" + encoded)
            try AdminAPITestClient.assertError(response, .unprocessableEntity, "invalid", field: field)
        }
        let edges = try await list("since=2000-01-01T00:00:00Z&until=2100-12-31T23:59:59Z")
        XCTAssertEqual(edges.events.count, 0, "the years 2000 and 2100 are allowed")
    }

    func testPagesOf100() async throws {
        let events = (0..<205).map { AuditEvent(.login, at: start.addingTimeInterval(TimeInterval($0)), subjectID: "n\($0)") }
        try await AuditLog.insert(events, into: test.app.db.sql)
        let first = try await list()
        XCTAssertEqual(first.events.count, 100)
        XCTAssertEqual(first.events.first?["subject"] as? String, "n204")
        XCTAssertEqual(first.body["has_more"] as? Bool, true)
        let third = try await list("page=3")
        XCTAssertEqual(third.events.map { $0["subject"] as? String }, ["n4", "n3", "n2", "n1", "n0"])
        XCTAssertEqual(third.body["has_more"] as? Bool, false)
        XCTAssertEqual(third.body["page"] as? Int, 3)
        let beyond = try await list("page=10000")
        XCTAssertEqual(beyond.events.count, 0)
    }

    func testAdminChangesThroughTheAPIAreListed() async throws {
        let created = try await api.send(.POST, "/customers", body: #"{"email": "ann@shop.example"}"#)
        let id = try XCTUnwrap(try AdminAPITestClient.object(created)["id"] as? String)
        let events = try await list("customer=\(id)&kind=customer.saved").events
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events.first?["subject"] as? String, "admin-token")
        XCTAssertEqual(events.first?["detail"] as? String, "created")
    }

    func testBatchedRowsAreWrittenBeforeTheyAreListed() async throws {
        try await test.shutdown()
        test.removeFiles()
        test = try await TestApplication.make {
            $0.adminToken = AdminAPITestClient.token
            $0.auditBatchInterval = 3600
        }
        api = AdminAPITestClient(app: test.app)
        let log = AuditLog(database: test.app.db, buffer: test.app.storeIdP.auditBuffer)
        try await log.record(.login, at: start, customerID: ann)
        XCTAssertEqual(test.app.storeIdP.auditBuffer?.count, 1, "the row waits for its batch")
        let events = try await list().events
        XCTAssertEqual(events.map { $0["kind"] as? String }, ["login"])
        XCTAssertEqual(test.app.storeIdP.auditBuffer?.count, 0)
    }

    func testWithoutTokenIs401AndAStoreSessionIs403() async throws {
        var anonymous = api!
        anonymous.token = nil
        let response = try await anonymous.send(.GET, "/audit")
        try AdminAPITestClient.assertError(response, .unauthorized, "unauthorized")
        XCTAssertEqual(response.headers.first(name: .wwwAuthenticate), "Bearer realm=\"storeidp-admin\"")

        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let withSession = try await browser.get("/admin/api/v1/audit")
        try AdminAPITestClient.assertError(withSession, .forbidden, "forbidden")
        let wrongScheme = try await browser.get("/admin/api/v1/audit", headers: ["Authorization": "Basic YWRtaW46YWRtaW4="])
        try AdminAPITestClient.assertError(wrongScheme, .unauthorized, "unauthorized")
    }
}
