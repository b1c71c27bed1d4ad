import Foundation
import NIOConcurrencyHelpers
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// `/admin/api/v1` authentication, providers (JSON entries, metadata upload and URL) and keys.
final class AdminProvidersAPITests: XCTestCase {
    static let adminToken = "admin-token-0123456789-abcdefghijklmnop"
    var test: TestApplication!
    var certificatePEM: String!

    override func setUp() async throws {
        test = try await TestApplication.make { $0.adminToken = Self.adminToken }
        certificatePEM = try SigningKeyFactory(commonName: "sp.example").makeKey(state: .active, now: test.clock.now).certificatePEM
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    private var auth: HTTPHeaders { ["Authorization": "Bearer \(Self.adminToken)"] }

    private func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, headers extra: HTTPHeaders = [:]) async throws -> (TestingHTTPResponse, [String: Any]) {
        var headers = auth
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        var body: ByteBuffer?
        if let json {
            headers.contentType = .json
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        }
        let response = try await test.app.sendRequest(method, "/admin/api/v1" + path, headers: headers, body: body)
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
        return (response, object)
    }

    private func samlEntry(slug: String = "warranty", name: String = "Warranty portal", acs: String = "https://warranty.example/acs",
                           entityID: String = "https://warranty.example/sp") -> [String: Any] {
        ["slug": slug, "name": name, "protocol": "saml", "access": ["groups": ["Retail"]],
         "saml": ["entity_id": entityID, "acs_urls": [acs], "certificate": certificatePEM!, "name_id": "persistent"]]
    }

    func testNoTokenWrongTokenAndACustomerSessionAreRefused() async throws {
        let none = try await test.app.sendRequest(.GET, "/admin/api/v1/providers")
        XCTAssertEqual(none.status, .unauthorized)
        XCTAssertEqual(none.headers.first(name: .wwwAuthenticate), "Bearer realm=\"storeidp-admin\"")
        XCTAssertEqual(none.headers.contentType, .json)
        let wrong = try await test.app.sendRequest(.GET, "/admin/api/v1/providers", headers: ["Authorization": "Bearer nope"])
        XCTAssertEqual(wrong.status, .unauthorized)
        XCTAssertTrue(wrong.headers.first(name: .wwwAuthenticate)?.contains("invalid_token") == true)
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let customer = try await browser.get("/admin/api/v1/providers")
        XCTAssertEqual(customer.status, .forbidden)
    }

    func testAnAdminAccountTokenWorksAndNamesTheAdminInTheAudit() async throws {
        let accounts = AdminAccounts(database: test.app.db)
        let (account, _) = try await accounts.save(email: "Admin@Shop.example", passwordHash: "x", now: test.clock.now)
        let token = try await accounts.createToken(for: account, name: "test", now: test.clock.now)
        let headers: HTTPHeaders = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        let created = try await test.app.sendRequest(.POST, "/admin/api/v1/providers", headers: headers,
                                                     body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: samlEntry())))
        XCTAssertEqual(created.status, .created, created.body.string)
        let rows = try await AuditEventRecord.query(on: test.app.db).all()
        XCTAssertTrue(rows.contains { $0.kind == AuditEvent.Kind.providerCreated.rawValue && $0.subjectID == "admin:admin@shop.example" })
    }

    func testProvidersAreCreatedListedReplacedPreviewedAndRemoved() async throws {
        let (created, body) = try await send(.POST, "/providers", json: samlEntry(name: "<script>alert(1)</script>"))
        XCTAssertEqual(created.status, .created, created.body.string)
        XCTAssertEqual(body["name"] as? String, "<script>alert(1)</script>", "kept as data; JSON is not HTML")
        let (list, listed) = try await send(.GET, "/providers")
        XCTAssertEqual(list.status, .ok)
        XCTAssertEqual((listed["providers"] as? [[String: Any]])?.compactMap { $0["slug"] as? String }, ["warranty"])
        let (shown, one) = try await send(.GET, "/providers/warranty")
        XCTAssertEqual(shown.status, .ok)
        XCTAssertEqual((one["saml"] as? [String: Any])?["entityID"] as? String, "https://warranty.example/sp")

        let (replaced, _) = try await send(.PUT, "/providers/warranty", json: samlEntry(name: "Warranty"))
        XCTAssertEqual(replaced.status, .ok, replaced.body.string)
        XCTAssertEqual(replaced.headers.first(name: "StoreIdP-Outcome"), "updated")
        let stored = try await ProviderDirectory(database: test.app.db).find(slug: "warranty")
        XCTAssertEqual(stored?.name, "Warranty")

        try await test.addCustomer(email: "ann@shop.example", password: nil, group: "Retail")
        let (preview, payload) = try await send(.GET, "/providers/warranty/preview?customer=ann@shop.example")
        XCTAssertEqual(preview.status, .ok, preview.body.string)
        XCTAssertEqual((payload["access"] as? [String: Any])?["allowed"] as? Bool, true)
        assertEqual(try await send(.GET, "/providers/warranty/preview?customer=nobody@shop.example").0.status, .notFound)
        assertEqual(try await send(.GET, "/providers/warranty/preview").0.status, .unprocessableEntity)

        let (removed, _) = try await send(.DELETE, "/providers/warranty")
        XCTAssertEqual(removed.status, .noContent)
        assertEqual(try await send(.DELETE, "/providers/warranty").0.status, .notFound)
        assertEqual(try await send(.GET, "/providers/warranty").0.status, .notFound)
        let kinds = try await AuditEventRecord.query(on: test.app.db).all().filter { $0.subjectID == "admin-token" }.map(\.kind)
        XCTAssertEqual(Set(kinds), ["provider.created", "provider.updated", "provider.removed"])
    }

    func testValidationErrorsAre422WithTheFieldAndNothingIsWritten() async throws {
        assertEqual(try await send(.POST, "/providers", json: samlEntry()).0.status, .created)
        let cases: [([String: Any], String, String)] = [
            (samlEntry(acs: "http://warranty.example/acs"), "provider.saml.acs_urls[0]", "must use https"),
            (samlEntry(slug: "Bad Slug"), "provider.slug", "lower-case"),
            (samlEntry(slug: "other"), "provider.saml.entity_id", "already used by the registered provider 'warranty'"),
            (samlEntry(slug: "other", entityID: "https://other.example/sp").merging(["bogus": 1]) { $1 }, "provider.bogus", "unknown key 'bogus'"),
            (["slug": "x", "protocol": "saml", "saml": ["entity_id": "e", "acs_urls": ["https://a.example/acs"], "certificate": "/etc/ssl/certs/ca.pem"]],
             "provider.saml.certificate", "files on the server cannot be named"),
            (["slug": "x", "protocol": "jwt", "jwt": ["algorithm": "HS256", "redirect_url": "https://a.example/sso", "secret_file": "/etc/shadow"]],
             "provider.jwt.secret_file", "files cannot be named here"),
            (["slug": "x", "protocol": "saml", "saml": ["metadata": "/etc/passwd"]], "provider.saml.metadata", "files on the server cannot be named"),
        ]
        for (entry, field, words) in cases {
            let (response, body) = try await send(.POST, "/providers", json: entry)
            XCTAssertEqual(response.status, .unprocessableEntity, "\(field): \(response.body.string)")
            XCTAssertEqual(body["field"] as? String, field, response.body.string)
            XCTAssertTrue((body["message"] as? String)?.contains(words) == true, "\(words) in \(response.body.string)")
        }
        assertEqual(try await send(.POST, "/providers", json: samlEntry()).0.status, .conflict)
        // A PUT that changes the protocol, or would leave the provider invalid: 422, nothing written.
        let jwt: [String: Any] = ["slug": "warranty", "protocol": "jwt", "jwt": ["algorithm": "RS256", "redirect_url": "https://a.example/sso"]]
        let (protocolChange, changeBody) = try await send(.PUT, "/providers/warranty", json: jwt)
        XCTAssertEqual(protocolChange.status, .unprocessableEntity)
        XCTAssertEqual(changeBody["field"] as? String, "provider.protocol")
        assertEqual(try await send(.PUT, "/providers/warranty", json: samlEntry(acs: "ftp://x")).0.status, .unprocessableEntity)
        assertEqual(try await send(.PUT, "/providers/warranty", json: samlEntry(slug: "other")).0.status, .unprocessableEntity)
        let stored = try await ProviderDirectory(database: test.app.db).all()
        XCTAssertEqual(stored.map(\.protocolKind), [.saml])
        XCTAssertEqual(stored.first?.saml?.assertionConsumerServices.map(\.url), ["https://warranty.example/acs"])
        // Slugs with '/' or '..' never reach a provider.
        for path in ["/providers/..%2F..%2Fetc", "/providers/a%2Fb", "/providers/.."] {
            let status = try await send(.GET, path).0.status
            XCTAssertTrue(status == .notFound || status == .unprocessableEntity, "\(path): \(status)")
        }
        assertEqual(try await send(.POST, "/providers", headers: ["Content-Type": "text/plain"]).0.status, .unsupportedMediaType)
    }

    // MARK: metadata

    private func metadata(entityID: String = "https://meta.example/sp", doctype: Bool = false) -> String {
        let base64 = certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return (doctype ? "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" : "") + """
        <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="\(entityID)">
          <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
            <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(base64)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
            <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://meta.example/acs" index="1"/>
          </md:SPSSODescriptor>
        </md:EntityDescriptor>
        """
    }

    private func upload(_ document: String, slug: String = "meta") async throws -> TestingHTTPResponse {
        let boundary = "----storeidp-test-boundary"
        var body = ""
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"slug\"\r\n\r\n\(slug)\r\n"
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nMeta SP\r\n"
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"metadata\"; filename=\"sp.xml\"\r\nContent-Type: application/xml\r\n\r\n\(document)\r\n"
        body += "--\(boundary)--\r\n"
        var headers = auth
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await test.app.sendRequest(.POST, "/admin/api/v1/providers/metadata", headers: headers, body: ByteBuffer(string: body))
    }

    func testAnEntryMustBeJSONAndWithinTheSizeLimit() async throws {
        var form = auth
        form.contentType = .urlEncodedForm
        let wrongType = try await test.app.sendRequest(.POST, "/admin/api/v1/providers", headers: form, body: ByteBuffer(string: "slug=x"))
        try AdminAPITestClient.assertError(wrongType, .unsupportedMediaType, "unsupported_media_type")
        let untyped = try await test.app.sendRequest(.PUT, "/admin/api/v1/providers/x", headers: auth, body: ByteBuffer(string: "{}"))
        try AdminAPITestClient.assertError(untyped, .unsupportedMediaType, "unsupported_media_type")
        var json = auth
        json.contentType = .json
        let padding = String(repeating: " ", count: 300 * 1024)
        let huge = try await test.app.sendRequest(.POST, "/admin/api/v1/providers", headers: json, body: ByteBuffer(string: "{\"slug\": \"x\"\(padding)}"))
        XCTAssertEqual(huge.status, .payloadTooLarge, huge.body.string.prefix(200).description)
        XCTAssertEqual(huge.headers.contentType, .json)
        let listed = try await send(.GET, "/providers").1
        XCTAssertEqual((listed["providers"] as? [Any])?.count, 0, "nothing was written")
    }

    func testMetadataUploadRegistersTheSPAndRefusesDoctypesAndHugeFiles() async throws {
        let response = try await upload(metadata())
        XCTAssertEqual(response.status, .created, response.body.string)
        let provider = try await ProviderDirectory(database: test.app.db).find(slug: "meta")
        XCTAssertEqual(provider?.saml?.defaultAssertionConsumerService?.url, "https://meta.example/acs")
        XCTAssertEqual(provider?.name, "Meta SP")
        let doctype = try await upload(metadata(entityID: "https://evil.example/sp", doctype: true), slug: "evil")
        XCTAssertEqual(doctype.status, .unprocessableEntity, doctype.body.string)
        let huge = try await upload(String(repeating: "x", count: 20 * 1024 * 1024), slug: "huge")
        XCTAssertEqual(huge.status, .payloadTooLarge)
        XCTAssertEqual(huge.headers.contentType, .json)
        let absent = try await ProviderDirectory(database: test.app.db).find(slug: "evil")
        XCTAssertNil(absent)
    }

    func testMetadataURLsInsideTheNetworkAreRefusedBeforeAnyConnection() async throws {
        // A listener on loopback that counts connections: none may arrive.
        let listener = try await CountingListener()
        let urls = ["https://127.0.0.1:\(listener.port)/md", "https://169.254.169.254/latest/meta-data", "https://[::1]:\(listener.port)/md",
                    "https://10.1.2.3/md", "https://192.168.1.1/md", "https://localhost:\(listener.port)/md", "http://meta.example/md",
                    "https://[::ffff:127.0.0.1]:\(listener.port)/md", "file:///etc/passwd"]
        for url in urls {
            let (response, body) = try await send(.POST, "/providers/metadata", json: ["slug": "meta", "url": url])
            XCTAssertEqual(response.status, .unprocessableEntity, "\(url): \(response.body.string)")
            XCTAssertEqual(body["field"] as? String, "url")
        }
        XCTAssertEqual(listener.connections, 0, "no connection was made")
        try await listener.shutdown()
        let absent = try await ProviderDirectory(database: test.app.db).find(slug: "meta")
        XCTAssertNil(absent)
    }

    func testAddressClassification() {
        for address in ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
                        "::1", "::", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "ff02::1",
                        "64:ff9b::a00:1", "2002:a00:1::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2"] {
            XCTAssertFalse(MetadataFetcher.isPublic(address), address)
        }
        for address in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            XCTAssertTrue(MetadataFetcher.isPublic(address), address)
        }
    }

    // MARK: keys

    func testKeysListPublicPartsAndRotate() async throws {
        let (list, body) = try await send(.GET, "/keys")
        XCTAssertEqual(list.status, .ok)
        XCTAssertFalse(list.body.string.contains("PRIVATE KEY"), "private keys are never returned")
        let before = (body["keys"] as? [[String: Any]])?.first { $0["state"] as? String == "active" && $0["algorithm"] as? String == "RS256" }?["kid"] as? String
        let (rotated, after) = try await send(.POST, "/keys/rotate")
        XCTAssertEqual(rotated.status, .ok)
        let active = (after["keys"] as? [[String: Any]])?.first { $0["state"] as? String == "active" && $0["algorithm"] as? String == "RS256" }?["kid"] as? String
        XCTAssertNotNil(active)
        XCTAssertNotEqual(before, active)
        let rows = try await AuditEventRecord.query(on: test.app.db).all()
        XCTAssertTrue(rows.contains { $0.kind == AuditEvent.Kind.keysRotated.rawValue && $0.subjectID == "admin-token" })
    }
}

/// A TCP listener on loopback that only counts the connections it accepts.
final class CountingListener: @unchecked Sendable {
    let app: Application
    let port: Int
    private let count = NIOLockedValueBox(0)
    var connections: Int { count.withLockedValue { $0 } }

    init() async throws {
        let app = try await Application.make(.testing)
        let count = self.count
        app.middleware.use(CountingMiddleware(count: count))
        app.get("**") { _ in "metadata" }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        self.app = app
        port = app.http.server.shared.localAddress?.port ?? 0
    }

    struct CountingMiddleware: AsyncMiddleware {
        let count: NIOLockedValueBox<Int>
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            count.withLockedValue { $0 += 1 }
            return try await next.respond(to: request)
        }
    }

    func shutdown() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
