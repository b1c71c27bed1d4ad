import Fluent
import Foundation
import JWTKit
import JWTSSO
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

final class LaunchTests: XCTestCase {
    static let secret = "launch-secret-launch-secret-0123456789"
    var test: TestApplication!

    override func setUp() async throws {
        test = try await TestApplication.make {
            $0.launchSecret = Self.secret
            $0.environment["TEST_LAUNCH_SECRET"] = Self.secret
            $0.launchStorefront = Storefront(issuer: "https://shop.example", key: .hs256(.environment("TEST_LAUNCH_SECRET")))
        }
        _ = try await SAMLTestPartner(test: test)
        _ = try await SAMLTestPartner(test: test, slug: "wholesale", entityID: "https://wholesale.example/sp", access: AccessPolicy(groups: ["Wholesale"]))
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    private func token(_ edit: (inout ClaimSet) -> Void = { _ in }, secret: String = LaunchTests.secret, algorithm: String = "HS256") async throws -> String {
        let now = Int(test.clock.now.timeIntervalSince1970)
        var claims = ClaimSet([
            ("iss", .string("https://shop.example")), ("aud", .string("http://127.0.0.1:8080")), ("sub", .string("1001")),
            ("email", .string("new.customer@shop.example")), ("given_name", .string("Nia")), ("family_name", .string("Okafor")),
            ("group", .string("Retail")), ("iat", .integer(now)), ("exp", .integer(now + 60)), ("jti", .string(UUID().uuidString)),
        ])
        edit(&claims)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: Data(secret.utf8))), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    private var customerCount: Int {
        get async throws { try await CustomerRecord.query(on: test.app.db).count() }
    }

    /// Review defect 6: a GET of a launch URL replaced the session of a browser signed in as
    /// another customer (login CSRF). It now asks, and switches only on a POST with the CSRF token.
    func testLaunchInABrowserSignedInAsSomeoneElseAsksFirst() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let token = try await token()
        let question = try await browser.get("/launch/warranty?token=\(token)")
        XCTAssertEqual(question.status, .ok)
        XCTAssertTrue(question.body.string.contains("Switch account?"))
        XCTAssertNil(PostedForm(question.body.string).flatMap { try? $0.samlResponse() }, "no assertion before the customer confirms")
        let home = try await browser.get("/")
        XCTAssertTrue(home.body.string.contains("ann@shop.example"), "still signed in as Ann")

        let forged = try await browser.post("/launch/warranty", form: ["token": token, "csrf": "forged"])
        XCTAssertEqual(forged.status, .forbidden)
        let csrf = try await browser.csrfToken(from: "/launch/warranty?token=\(token)")
        let confirmed = try await browser.post("/launch/warranty", form: ["token": token, "csrf": csrf])
        XCTAssertEqual(confirmed.status, .ok)
        let xml = String(decoding: try unwrap(PostedForm(confirmed.body.string)).samlResponse().serialized(), as: UTF8.self)
        XCTAssertTrue(xml.contains(">new.customer@shop.example<"))
    }

    func testLaunchTokenCreatesTheCustomerSignsInAndReachesTheSAMLPartnerOnce() async throws {
        let browser = Browser(test.app)
        let token = try await token()
        let response = try await browser.get("/launch/warranty?token=\(token)")
        XCTAssertEqual(response.status, .ok)
        let form = try XCTUnwrap(PostedForm(response.body.string))
        XCTAssertEqual(form.action, SAMLTestPartner.acsURL)
        let xml = String(decoding: try form.samlResponse().serialized(), as: UTF8.self)
        XCTAssertTrue(xml.contains(">new.customer@shop.example<"))
        XCTAssertTrue(xml.contains(">Nia<") && xml.contains(">Okafor<"), "names from the token reach the partner")
        XCTAssertTrue(xml.contains(SAMLAuthnContextClassUnspecified), "the store, not a password here, authenticated the customer")
        let customer = try unwrap(try await CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool).find(email: "new.customer@shop.example"))
        XCTAssertEqual(customer.storefrontID, "1001")
        XCTAssertNil(customer.passwordHash, "a launched customer has no StoreIdP password")
        let home = try await browser.get("/")
        XCTAssertTrue(home.body.string.contains("Signed in"), "a session started")
        let audit = try await AuditEventRecord.query(on: test.app.db).filter(\.$kind == "launch.created").count()
        XCTAssertEqual(audit, 1)

        let replay = try await Browser(test.app).get("/launch/warranty?token=\(token)")
        XCTAssertEqual(replay.status, .unauthorized)
        XCTAssertTrue(replay.body.string.contains("already been used"))
    }

    func testEveryBadTokenIsA4xxWithNoSessionAndNothingCreated() async throws {
        let now = Int(test.clock.now.timeIntervalSince1970)
        let unsigned = try await token().split(separator: ".").prefix(2).joined(separator: ".")
        let noneHeader = Base64URL.encode(Data("{\"alg\":\"none\",\"typ\":\"JWT\"}".utf8))
        let payloadPart = String(try await token().split(separator: ".")[1])
        let cases: [(String, String, HTTPStatus)] = [
            ("alg none", "\(noneHeader).\(payloadPart).", .unauthorized),
            ("other secret", try await token(secret: "another-secret-another-secret-0123456789"), .unauthorized),
            ("other audience", try await token { $0.set("aud", .string("https://other-idp.example")) }, .unauthorized),
            ("expired", try await token { $0.set("iat", .integer(now - 600)); $0.set("exp", .integer(now - 540)) }, .unauthorized),
            ("lives too long", try await token { $0.set("exp", .integer(now + 121)) }, .unauthorized),
            ("no email", try await token { $0.set("email", .string("")) }, .unauthorized),
            ("invalid email", try await token { $0.set("email", .string("not-an-email")) }, .unauthorized),
            ("malformed", "not.a.jwt", .badRequest),
            ("unsigned", unsigned, .badRequest),
            ("100 KB", String(repeating: "a", count: 100_000), .payloadTooLarge),
        ]
        for (name, token, status) in cases {
            let browser = Browser(test.app)
            let response = try await browser.get("/launch/warranty?token=\(token)")
            XCTAssertEqual(response.status, status, name)
            XCTAssertNil(PostedForm(response.body.string), name)
            let home = try await browser.get("/")
            XCTAssertFalse(home.body.string.contains("Signed in"), "\(name): no session")
        }
        let count = try await customerCount
        XCTAssertEqual(count, 0, "nothing created")
        assertEqual(try await Browser(test.app).get("/launch/nope?token=\(try await token())").status, .notFound)
        let denied = try await Browser(test.app).get("/launch/wholesale?token=\(try await token())")
        XCTAssertEqual(denied.status, .forbidden)
        let after = try await customerCount
        XCTAssertEqual(after, 0, "a customer the service refuses is not created either")
    }

    func testLaunchLinkCommandMintsATokenTheServerAccepts() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: nil)
        try await test.run(LaunchLinkCommand(), ["warranty", "--customer", "ann@shop.example"])
        let customer = try unwrap(try await CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool).find(email: "ann@shop.example"))
        let token = try await LaunchTokenMinter(secret: Data(Self.secret.utf8)).mint(customer: customer, issuer: "https://shop.example", audience: "http://127.0.0.1:8080", now: test.clock.now)
        let response = try await Browser(test.app).get("/launch/warranty?token=\(token)")
        XCTAssertEqual(response.status, .ok)
        XCTAssertNotNil(PostedForm(response.body.string))
    }

    func testPortalListsOnlyTheServicesTheCustomerMayUse() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery", group: "Retail")
        let browser = Browser(test.app)
        assertEqual(try await browser.get("/portal").status, .seeOther)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let page = try await browser.get("/portal")
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("href=\"/sso/warranty\""))
        XCTAssertFalse(page.body.string.contains("/sso/wholesale"), "the Wholesale-only service is not offered to a Retail customer")
        XCTAssertTrue(page.body.string.contains("name=\"viewport\""))
    }
}

private let SAMLAuthnContextClassUnspecified = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
