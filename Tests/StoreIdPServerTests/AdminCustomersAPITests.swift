import Fluent
import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// `/admin/api/v1/customers`: the same rules and words as `storeidp customers add|import`, JSON
/// in and out, an audit row for every change.
final class AdminCustomersAPITests: XCTestCase {
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

    private var directory: CustomerDirectory {
        CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool)
    }

    private func auditRows(_ kind: AuditEvent.Kind) async throws -> [AuditEventRecord] {
        try await AuditEventRecord.query(on: test.app.db).filter(\.$kind == kind.rawValue).all()
    }

    private func create(_ json: String) async throws -> [String: Any] {
        let response = try await api.send(.POST, "/customers", body: json)
        XCTAssertEqual(response.status, .created, response.body.string)
        return try AdminAPITestClient.object(response)
    }

    // MARK: - POST /customers

    func testCreateAnswersTheCustomerWithoutItsPasswordAndTheStorePasswordWorks() async throws {
        let response = try await api.send(.POST, "/customers", body: """
            {"email": "Ann@Shop.example", "password": "correct horse battery", "first_name": "<script>alert(1)</script>",
             "last_name": "Lee", "phone": "+49 30 1234", "group": "Wholesale", "segments": ["vip", "newsletter"],
             "company": {"name": "Acme GmbH", "vat": "DE123456789", "role": "buyer"}, "storefront_id": "42",
             "attributes": {"loyalty_tier": "gold"}}
            """)
        XCTAssertEqual(response.status, .created, response.body.string)
        let body = try AdminAPITestClient.object(response)
        let id = try XCTUnwrap(body["id"] as? String)
        XCTAssertEqual(id, id.lowercased())
        XCTAssertEqual(response.headers.first(name: .location), "/admin/api/v1/customers/\(id)")
        XCTAssertEqual(body["email"] as? String, "Ann@Shop.example", "kept as typed; compared case-insensitively")
        XCTAssertEqual(body["first_name"] as? String, "<script>alert(1)</script>", "names are data, returned as given")
        XCTAssertTrue(response.body.string.contains("<script>alert(1)</script>"), "escaped only by JSON, never as HTML")
        XCTAssertEqual(body["last_name"] as? String, "Lee")
        XCTAssertEqual(body["phone"] as? String, "+49 30 1234")
        XCTAssertEqual(body["group"] as? String, "Wholesale")
        XCTAssertEqual(body["segments"] as? [String], ["vip", "newsletter"])
        XCTAssertEqual(body["company"] as? [String: String], ["name": "Acme GmbH", "vat": "DE123456789", "role": "buyer"])
        XCTAssertEqual(body["storefront_id"] as? String, "42")
        XCTAssertEqual(body["status"] as? String, "active")
        XCTAssertEqual(body["attributes"] as? [String: String], ["loyalty_tier": "gold"])
        XCTAssertEqual(body["created_at"] as? String, "2027-01-15T08:00:00Z")
        XCTAssertEqual(body["updated_at"] as? String, "2027-01-15T08:00:00Z")
        XCTAssertEqual(Set(body.keys), ["id", "email", "first_name", "last_name", "phone", "group", "segments", "company",
                                        "storefront_id", "status", "attributes", "created_at", "updated_at"])
        XCTAssertFalse(response.body.string.contains("password"), "neither the password nor its hash")
        XCTAssertFalse(response.body.string.contains("$2"), "no bcrypt hash")

        let stored = try unwrap(try await directory.find(email: "ann@shop.example"))
        guard case .bcrypt? = stored.passwordHash else { return XCTFail("hashed with bcrypt, as the command line does") }
        let login = try await Browser(test.app).signIn(email: "ann@shop.example", password: "correct horse battery")
        XCTAssertEqual(login.status, .seeOther, "the password set through the API signs in")

        let audit = try await auditRows(.customerSaved)
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit.first?.customerID, stored.id)
        XCTAssertEqual(audit.first?.subjectID, "admin-token")
        XCTAssertEqual(audit.first?.detail, "created")
    }

    func testCreateWithoutOptionalFieldsAnswersNulls() async throws {
        let body = try await create(#"{"email": "bob@shop.example"}"#)
        XCTAssertTrue(body["first_name"] is NSNull)
        XCTAssertTrue(body["phone"] is NSNull)
        XCTAssertTrue(body["storefront_id"] is NSNull)
        XCTAssertEqual(body["segments"] as? [String], [])
        XCTAssertEqual(body["attributes"] as? [String: String], [:])
        let company = try XCTUnwrap(body["company"] as? [String: Any])
        XCTAssertTrue(company["name"] is NSNull && company["vat"] is NSNull && company["role"] is NSNull)
    }

    func testCreateWithAnEmailTakenIsConflictWhateverItsCase() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: nil)
        let response = try await api.send(.POST, "/customers", body: #"{"email": "ANN@shop.example", "first_name": "Other"}"#)
        try AdminAPITestClient.assertError(response, .conflict, "conflict", field: "email")
        let stored = try unwrap(try await directory.find(email: "ann@shop.example"))
        XCTAssertEqual(stored.firstName, "Ann", "a create never updates")
        let audit = try await auditRows(.customerSaved)
        XCTAssertTrue(audit.isEmpty)
    }

    func testCreateRefusesWhatTheImportRefusesWithTheField() async throws {
        let cases: [(String, HTTPResponseStatus, String, String?, String?)] = [
            (#"{"email": "not-an-email"}"#, .unprocessableEntity, "invalid", "email", "'not-an-email' is not an email address"),
            (#"{"first_name": "Ann"}"#, .unprocessableEntity, "invalid", "email", "email is missing"),
            (#"{"email": "a@shop.example", "first_name": "\#(String(repeating: "x", count: 256))"}"#, .unprocessableEntity, "invalid", "first_name",
             "first_name is 256 bytes long; at most 255 are allowed"),
            (#"{"email": "a@shop.example", "last_name": "Bell\u0007"}"#, .unprocessableEntity, "invalid", "last_name", "last_name contains control characters"),
            (#"{"email": "a@shop.example", "status": "paused"}"#, .unprocessableEntity, "invalid", "status", "status 'paused' is neither active nor disabled"),
            (#"{"email": "a@shop.example", "password_hash": "$argon2id$v=19$m=65536"}"#, .unprocessableEntity, "invalid", "password_hash", nil),
            (#"{"email": "a@shop.example", "password": "\#(String(repeating: "p", count: 73))"}"#, .unprocessableEntity, "invalid", "password",
             "password is longer than 72 bytes"),
            (#"{"email": "a@shop.example", "nickname": "Annie"}"#, .unprocessableEntity, "invalid", "nickname", "unknown field 'nickname'"),
            (#"{"email": "a@shop.example", "segments": "vip"}"#, .unprocessableEntity, "invalid", "segments", "segments must be an array of strings"),
            (#"{"email": "a@shop.example", "company": {"name": "Acme", "vat": 7}}"#, .unprocessableEntity, "invalid", "company.vat", nil),
            (#"{"email": "a@shop.example", "company": {"name": "\#(String(repeating: "c", count: 300))"}}"#, .unprocessableEntity, "invalid", "company.name", nil),
            (#"{"email": "a@shop.example", "company": {"ceo": "X"}}"#, .unprocessableEntity, "invalid", "company.ceo", nil),
            (#"{"email": "a@shop.example""#, .badRequest, "bad_json", nil, nil),
            (#"["a@shop.example"]"#, .badRequest, "bad_json", nil, nil),
        ]
        for (json, status, code, field, message) in cases {
            let response = try await api.send(.POST, "/customers", body: json)
            try AdminAPITestClient.assertError(response, status, code, field: field)
            if let message {
                XCTAssertEqual(try AdminAPITestClient.object(response)["message"] as? String, message, json)
            }
        }
        let count = try await CustomerRecord.query(on: test.app.db).count()
        XCTAssertEqual(count, 0, "nothing refused was written")
    }

    func testCreateTakesOnlyJSON() async throws {
        let form = try await api.send(.POST, "/customers", body: "email=a@shop.example", contentType: "application/x-www-form-urlencoded")
        try AdminAPITestClient.assertError(form, .unsupportedMediaType, "unsupported_media_type")
        let none = try await api.send(.POST, "/customers", body: #"{"email": "a@shop.example"}"#, contentType: nil)
        try AdminAPITestClient.assertError(none, .unsupportedMediaType, "unsupported_media_type")
        let charset = try await api.send(.POST, "/customers", body: #"{"email": "a@shop.example"}"#, contentType: "application/json; charset=utf-8")
        XCTAssertEqual(charset.status, .created)
    }

    // MARK: - GET /customers/{id}

    func testShowOneCustomerAndUnknownOrMalformedIdsAre404() async throws {
        let ann = try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let response = try await api.send(.GET, "/customers/\(ann.id.uuidString.lowercased())")
        XCTAssertEqual(response.status, .ok)
        let body = try AdminAPITestClient.object(response)
        XCTAssertEqual(body["email"] as? String, "ann@shop.example")
        XCTAssertEqual(body["first_name"] as? String, "Ann")
        XCTAssertFalse(response.body.string.contains("password"))
        let upper = try await api.send(.GET, "/customers/\(ann.id.uuidString.uppercased())")
        XCTAssertEqual(upper.status, .ok, "a UUID in capitals names the same customer")

        try AdminAPITestClient.assertError(try await api.send(.GET, "/customers/\(UUID().uuidString)"), .notFound, "not_found")
        for malformed in ["not-a-uuid", "1", "%27%20OR%201=1", String(repeating: "f", count: 300)] {
            try AdminAPITestClient.assertError(try await api.send(.GET, "/customers/\(malformed)"), .notFound, "not_found")
        }
    }

    // MARK: - GET /customers

    private func search(_ query: String, page: String? = nil) async throws -> (emails: [String], body: [String: Any]) {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "query", value: query)] + (page.map { [URLQueryItem(name: "page", value: $0)] } ?? [])
        let response = try await api.send(.GET, "/customers?" + (components.percentEncodedQuery ?? ""))
        XCTAssertEqual(response.status, .ok, response.body.string)
        let body = try AdminAPITestClient.object(response)
        let customers = try XCTUnwrap(body["customers"] as? [[String: Any]])
        return (customers.compactMap { $0["email"] as? String }, body)
    }

    func testSearchMatchesEmailNamesAndCompanyCaseInsensitivelyOrderedByEmail() async throws {
        _ = try await create(#"{"email": "zoe@shop.example", "first_name": "Zoë", "last_name": "Anderson"}"#)
        _ = try await create(#"{"email": "ann@shop.example", "first_name": "Ann", "last_name": "Lee"}"#)
        _ = try await create(#"{"email": "BOB@partner.example", "first_name": "Bob", "company": {"name": "Annex Logistics"}}"#)
        _ = try await create(#"{"email": "carl@shop.example", "first_name": "Carl", "company": "100% Cotton_Co"}"#)
        _ = try await create(#"{"email": "dora@shop.example", "first_name": "Dora", "company": "1000 Cotton Co"}"#)

        let ann = try await search("ANN")
        XCTAssertEqual(ann.emails, ["ann@shop.example", "BOB@partner.example"], "email, first name, company; ordered by email")
        XCTAssertEqual(ann.body["total"] as? Int, 2)
        XCTAssertEqual(ann.body["page"] as? Int, 1)
        XCTAssertEqual(ann.body["per_page"] as? Int, 50)
        assertEqual(try await search("anderson").emails, ["zoe@shop.example"], "last name")
        assertEqual(try await search("PARTNER.example").emails, ["BOB@partner.example"])
        assertEqual(try await search("100%").emails, ["carl@shop.example"], "% is a character, not a wildcard")
        assertEqual(try await search("n_co").emails, ["carl@shop.example"], "_ is a character, not a wildcard")
        assertEqual(try await search("%").emails, ["carl@shop.example"])
        assertEqual(try await search("\\").emails, [])
        assertEqual(try await search("' OR 1=1 --").emails, [], "the text is bound, never part of the statement")
        let everyone = try await search("")
        XCTAssertEqual(everyone.emails, ["ann@shop.example", "BOB@partner.example", "carl@shop.example", "dora@shop.example", "zoe@shop.example"])
        XCTAssertEqual(everyone.body["total"] as? Int, 5)
    }

    func testSearchPagesBy50AndBoundsThePage() async throws {
        func email(_ number: Int) -> String { "c" + String(String(number + 1000).dropFirst()) + "@shop.example" }
        let csv = "email,first_name\n" + (1...55).map { email($0) + ",Customer\n" }.joined()
        let imported = try await api.send(.POST, "/customers/import", body: csv, contentType: "text/csv")
        XCTAssertEqual(imported.status, .ok, imported.body.string)

        let first = try await search("customer")
        XCTAssertEqual(first.emails.count, 50)
        XCTAssertEqual(first.emails.first, "c001@shop.example")
        XCTAssertEqual(first.body["total"] as? Int, 55)
        let second = try await search("customer", page: "2")
        XCTAssertEqual(second.emails, (51...55).map(email))
        XCTAssertEqual(second.body["page"] as? Int, 2)
        assertEqual(try await search("customer", page: "10000").emails, [], "the last page allowed, empty")

        for bad in ["0", "-1", "10001", "abc", "1.5", "99999999999999999999", " 1", "+1"] {
            var components = URLComponents()
            components.queryItems = [URLQueryItem(name: "page", value: bad)]
            let response = try await api.send(.GET, "/customers?" + components.percentEncodedQuery!)
            try AdminAPITestClient.assertError(response, .unprocessableEntity, "invalid", field: "page")
        }
        let long = try await api.send(.GET, "/customers?query=" + String(repeating: "a", count: 255))
        try AdminAPITestClient.assertError(long, .unprocessableEntity, "invalid", field: "query")
    }

    // MARK: - PATCH /customers/{id}

    func testPatchChangesOnlyTheKeysPresentAndAuditsTheirNames() async throws {
        let created = try await create("""
            {"email": "ann@shop.example", "first_name": "Ann", "last_name": "Lee", "group": "Retail", "segments": ["vip"],
             "attributes": {"tier": "gold", "club": "yes"}}
            """)
        let id = try XCTUnwrap(created["id"] as? String)
        test.clock.advance(by: 60)

        let response = try await api.send(.PATCH, "/customers/\(id)", body: #"{"first_name": "Anna", "attributes": {"club": null}, "status": "disabled"}"#)
        XCTAssertEqual(response.status, .ok, response.body.string)
        let body = try AdminAPITestClient.object(response)
        XCTAssertEqual(body["first_name"] as? String, "Anna")
        XCTAssertEqual(body["last_name"] as? String, "Lee", "absent keys keep their value")
        XCTAssertEqual(body["group"] as? String, "Retail")
        XCTAssertEqual(body["segments"] as? [String], ["vip"])
        XCTAssertEqual(body["attributes"] as? [String: String], ["tier": "gold"], "a null attribute is removed")
        XCTAssertEqual(body["status"] as? String, "disabled")
        XCTAssertEqual(body["email"] as? String, "ann@shop.example")
        XCTAssertEqual(body["created_at"] as? String, "2027-01-15T08:00:00Z")
        XCTAssertEqual(body["updated_at"] as? String, "2027-01-15T08:01:00Z")

        let audit = try await auditRows(.customerSaved).filter { $0.detail != "created" }
        XCTAssertEqual(audit.map(\.detail), ["updated: first_name, attributes, status"])
        XCTAssertEqual(audit.first?.customerID.map { $0.uuidString.lowercased() }, id)

        let again = try await api.send(.PATCH, "/customers/\(id)", body: #"{"first_name": "Anna"}"#)
        XCTAssertEqual(again.status, .ok)
        XCTAssertEqual(try AdminAPITestClient.object(again)["updated_at"] as? String, "2027-01-15T08:01:00Z", "nothing changed")
        let empty = try await api.send(.PATCH, "/customers/\(id)", body: "{}")
        XCTAssertEqual(empty.status, .ok)
        let rows = try await auditRows(.customerSaved)
        XCTAssertEqual(rows.count, 2, "a patch that changes nothing is no change")

        let cleared = try await api.send(.PATCH, "/customers/\(id)", body: #"{"last_name": null, "segments": null, "company": null}"#)
        let clearedBody = try AdminAPITestClient.object(cleared)
        XCTAssertTrue(clearedBody["last_name"] is NSNull)
        XCTAssertEqual(clearedBody["segments"] as? [String], [])
    }

    func testPatchEmailOnlyToAFreeOne() async throws {
        let ann = try await test.addCustomer(email: "ann@shop.example", password: nil)
        try await test.addCustomer(email: "bob@shop.example", password: nil)
        let path = "/customers/\(ann.id.uuidString)"

        try AdminAPITestClient.assertError(try await api.send(.PATCH, path, body: #"{"email": "BOB@shop.example"}"#), .conflict, "conflict", field: "email")
        try AdminAPITestClient.assertError(try await api.send(.PATCH, path, body: #"{"email": "bob@@shop"}"#), .unprocessableEntity, "invalid", field: "email")
        try AdminAPITestClient.assertError(try await api.send(.PATCH, path, body: #"{"email": null}"#), .unprocessableEntity, "invalid", field: "email")

        let recased = try await api.send(.PATCH, path, body: #"{"email": "Ann@Shop.example"}"#)
        XCTAssertEqual(try AdminAPITestClient.object(recased)["email"] as? String, "Ann@Shop.example", "the same customer may change the case")
        let moved = try await api.send(.PATCH, path, body: #"{"email": "ann.lee@shop.example"}"#)
        XCTAssertEqual(moved.status, .ok)
        XCTAssertEqual(try AdminAPITestClient.object(moved)["email"] as? String, "ann.lee@shop.example")
        let old = try await directory.find(email: "ann@shop.example")
        XCTAssertNil(old, "the old email is free")
        let found = try await directory.find(email: "ann.lee@shop.example")
        XCTAssertEqual(found?.id, ann.id, "the same customer, no new one")
        assertEqual(try await CustomerRecord.query(on: test.app.db).count(), 2)
    }

    func testPatchSetsThePasswordThroughTheSameHashing() async throws {
        let ann = try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let response = try await api.send(.PATCH, "/customers/\(ann.id.uuidString)", body: #"{"password": "new staple battery horse"}"#)
        XCTAssertEqual(response.status, .ok)
        XCTAssertFalse(response.body.string.contains("password"))
        let audit = try await auditRows(.customerSaved)
        XCTAssertEqual(audit.map(\.detail), ["updated: password"], "the field's name, never its value")
        let old = try await Browser(test.app).signIn(email: "ann@shop.example", password: "correct horse battery")
        XCTAssertNotEqual(old.status, .seeOther)
        let new = try await Browser(test.app).signIn(email: "ann@shop.example", password: "new staple battery horse")
        XCTAssertEqual(new.status, .seeOther)
    }

    func testPatchOfAnUnknownOrMalformedIdIs404AndBadBodiesAreRefused() async throws {
        try AdminAPITestClient.assertError(try await api.send(.PATCH, "/customers/\(UUID().uuidString)", body: #"{"first_name": "X"}"#), .notFound, "not_found")
        try AdminAPITestClient.assertError(try await api.send(.PATCH, "/customers/nope", body: #"{"first_name": "X"}"#), .notFound, "not_found")
        let ann = try await test.addCustomer(email: "ann@shop.example", password: nil)
        let path = "/customers/\(ann.id.uuidString)"
        try AdminAPITestClient.assertError(try await api.send(.PATCH, path, body: #"{"phone": "\#(String(repeating: "1", count: 65))"}"#),
                                           .unprocessableEntity, "invalid", field: "phone")
        try AdminAPITestClient.assertError(try await api.send(.PATCH, path, body: #"{"first_name": }"#), .badRequest, "bad_json")
        try AdminAPITestClient.assertError(try await api.send(.PATCH, path, body: "first_name=X", contentType: "text/plain"),
                                           .unsupportedMediaType, "unsupported_media_type")
        let big = try await api.send(.PATCH, path, bytes: ByteBuffer(repeating: UInt8(ascii: " "), count: 2 << 20))
        try AdminAPITestClient.assertError(big, .payloadTooLarge, "too_large")
    }

    // MARK: - POST /customers/import

    func testImportCSVAnswersTheReportOfTheCommandLine() async throws {
        try await test.addCustomer(email: "bob@shop.example", password: nil, firstName: "Bob")
        let csv = """
            email,first_name,last_name,password
            ann@shop.example,Ann,Lee,correct horse battery
            not-an-email,Bad,Email,
            BOB@shop.example,Robert,,
            ann@shop.example,Dup,Licate,

            """
        let response = try await api.send(.POST, "/customers/import", body: csv, contentType: "text/csv; charset=utf-8")
        XCTAssertEqual(response.status, .ok, response.body.string)
        let body = try AdminAPITestClient.object(response)
        XCTAssertEqual(body["format"] as? String, "csv")
        XCTAssertEqual(body["created"] as? Int, 1)
        XCTAssertEqual(body["updated"] as? Int, 1)
        XCTAssertEqual(body["unchanged"] as? Int, 0)
        XCTAssertEqual(body["rejected"] as? Int, 2)
        XCTAssertEqual(body["rows"] as? Int, 4)
        XCTAssertEqual(body["rejections_omitted"] as? Int, 0)
        let rejections = try XCTUnwrap(body["rejections"] as? [[String: Any]])
        XCTAssertEqual(rejections.map { $0["line"] as? Int }, [3, 5])
        XCTAssertEqual(rejections.first?["reason"] as? String, "'not-an-email' is not an email address")
        XCTAssertEqual(rejections.last?["reason"] as? String, "the same email already appears on line 2 of this file")
        let login = try await Browser(test.app).signIn(email: "ann@shop.example", password: "correct horse battery")
        XCTAssertEqual(login.status, .seeOther)

        let audit = try await auditRows(.customersImported)
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit.first?.detail, "csv: created 1, updated 1, unchanged 0, rejected 2")
        XCTAssertEqual(audit.first?.subjectID, "admin-token")
        XCTAssertNil(audit.first?.customerID)

        let again = try await api.send(.POST, "/customers/import", body: csv, contentType: "text/csv")
        let second = try AdminAPITestClient.object(again)
        XCTAssertEqual(second["unchanged"] as? Int, 2, "importing the same body twice changes nothing")
        XCTAssertEqual(second["created"] as? Int, 0)
    }

    func testImportJSONLinesUnderBothMediaTypes() async throws {
        let first = try await api.send(.POST, "/customers/import", body: """
            {"email": "ann@shop.example", "company": {"name": "Acme", "role": "buyer"}, "segments": ["vip"]}
            {"email": "bob@shop.example", "nickname": "Bobby"}
            """, contentType: "application/x-ndjson")
        let report = try AdminAPITestClient.object(first)
        XCTAssertEqual(report["format"] as? String, "jsonl")
        XCTAssertEqual(report["created"] as? Int, 1)
        let rejections = try XCTUnwrap(report["rejections"] as? [[String: Any]])
        XCTAssertEqual(rejections.first?["line"] as? Int, 2)
        XCTAssertEqual(rejections.first?["reason"] as? String, "unknown field 'nickname'")

        let second = try await api.send(.POST, "/customers/import", body: #"{"email": "carl@shop.example"}"#, contentType: "application/jsonl")
        XCTAssertEqual(try AdminAPITestClient.object(second)["created"] as? Int, 1)
        let ann = try await directory.find(email: "ann@shop.example")
        XCTAssertEqual(ann?.company.role, "buyer")
    }

    func testImportRefusesOtherTypesEmptyBodiesAndMoreThan10MB() async throws {
        for type in ["application/json", "text/plain", "multipart/form-data; boundary=x", "*/*"] {
            try AdminAPITestClient.assertError(try await api.send(.POST, "/customers/import", body: "email\na@shop.example\n", contentType: type),
                                               .unsupportedMediaType, "unsupported_media_type")
        }
        try AdminAPITestClient.assertError(try await api.send(.POST, "/customers/import", body: "email\n", contentType: nil),
                                           .unsupportedMediaType, "unsupported_media_type")
        try AdminAPITestClient.assertError(try await api.send(.POST, "/customers/import", body: "", contentType: "text/csv"),
                                           .unprocessableEntity, "invalid", field: "body")
        try AdminAPITestClient.assertError(try await api.send(.POST, "/customers/import", body: "email,email\n", contentType: "text/csv"),
                                           .unprocessableEntity, "invalid", field: "body")

        var huge = ByteBuffer(string: "email,first_name\n")
        huge.writeRepeatingByte(UInt8(ascii: "a"), count: 20 << 20)
        let response = try await api.send(.POST, "/customers/import", bytes: huge, contentType: "text/csv")
        try AdminAPITestClient.assertError(response, .payloadTooLarge, "too_large")
        assertEqual(try await CustomerRecord.query(on: test.app.db).count(), 0)
        assertEqual(try await auditRows(.customersImported).isEmpty, true)
    }

    // MARK: - Who may call

    func testWithoutTokenIs401WithChallengeAndAStoreSessionIs403() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        var anonymous = api!
        anonymous.token = nil
        for (method, path) in [(HTTPMethod.GET, "/customers"), (.GET, "/customers/\(UUID())"), (.POST, "/customers"),
                               (.PATCH, "/customers/\(UUID())"), (.POST, "/customers/import")] {
            let response = try await anonymous.send(method, path, body: #"{"email": "x@shop.example"}"#)
            try AdminAPITestClient.assertError(response, .unauthorized, "unauthorized")
            XCTAssertEqual(response.headers.first(name: .wwwAuthenticate), "Bearer realm=\"storeidp-admin\"")
        }
        var wrong = api!
        wrong.token = "not-the-admin-token-0123456789abcdefgh"
        let refused = try await wrong.send(.GET, "/customers")
        try AdminAPITestClient.assertError(refused, .unauthorized, "unauthorized")
        XCTAssertTrue(refused.headers.first(name: .wwwAuthenticate)?.contains("invalid_token") == true)

        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let withSession = try await browser.get("/admin/api/v1/customers")
        try AdminAPITestClient.assertError(withSession, .forbidden, "forbidden")
        assertEqual(try await CustomerRecord.query(on: test.app.db).count(), 1)
    }

    func testAnAdminAccountTokenIsNamedInTheAuditRow() async throws {
        let accounts = AdminAccounts(database: test.app.db)
        let (account, _) = try await accounts.save(email: "ops@shop.example", passwordHash: "unused", now: test.clock.now)
        var client = api!
        client.token = try await accounts.createToken(for: account, name: "tests", now: test.clock.now)
        let response = try await client.send(.POST, "/customers", body: #"{"email": "ann@shop.example"}"#)
        XCTAssertEqual(response.status, .created)
        let audit = try await auditRows(.customerSaved)
        XCTAssertEqual(audit.first?.subjectID, "admin:ops@shop.example")
    }
}
