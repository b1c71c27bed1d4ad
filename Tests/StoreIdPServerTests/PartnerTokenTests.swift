import Fluent
import Foundation
import JWTKit
import JWTSSO
import NIOConcurrencyHelpers
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// A local stand-in for BigCommerce's Customers v3 API, checking what the real one documents:
/// the `X-Auth-Token` header, `email:in` lookups, and an array body on creation.
final class FakeBigCommerceAPI: @unchecked Sendable {
    enum Mode: Sendable { case normal, unauthorized, rateLimited, failing, duplicate }

    let app: Application
    let port: Int
    private let state = NIOLockedValueBox<(mode: Mode, calls: [String], customers: [String: Int], nextID: Int, created: [[String: Any]])>(
        (.normal, [], [:], 77, []))

    var mode: Mode {
        get { state.withLockedValue { $0.mode } }
        set { state.withLockedValue { $0.mode = newValue } }
    }
    var calls: [String] { state.withLockedValue { $0.calls } }
    var created: [[String: Any]] { state.withLockedValue { $0.created } }

    init(token: String) async throws {
        let app = try await Application.make(.testing)
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        self.app = app
        let state = self.state
        app.get("stores", ":hash", "v3", "customers") { request async throws -> Response in
            try Self.check(request, token: token, state: state)
            let email = (request.query[String.self, at: "email:in"] ?? "").lowercased()
            let ids = state.withLockedValue { value -> [Int] in
                value.calls.append("GET \(email)")
                if value.mode == .duplicate { return [1, 2] }
                return value.customers[email].map { [$0] } ?? []
            }
            let data = ids.map { ["id": $0, "email": email] as [String: Any] }
            return Response(status: .ok, body: .init(data: try JSONSerialization.data(withJSONObject: ["data": data, "meta": [:]])))
        }
        app.on(.POST, "stores", ":hash", "v3", "customers") { request async throws -> Response in
            try Self.check(request, token: token, state: state)
            let body = try JSONSerialization.jsonObject(with: Data(buffer: request.body.data ?? ByteBuffer())) as? [[String: Any]]
            guard let record = body?.first, let email = record["email"] as? String else { return Response(status: .unprocessableEntity) }
            let id = state.withLockedValue { value -> Int in
                value.calls.append("POST \(email)")
                value.created.append(record)
                value.nextID += 1
                value.customers[email.lowercased()] = value.nextID
                return value.nextID
            }
            return Response(status: .ok, body: .init(data: try JSONSerialization.data(withJSONObject: ["data": [["id": id, "email": email]]])))
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        port = app.http.server.shared.localAddress?.port ?? 0
    }

    private static func check(_ request: Request, token: String, state: NIOLockedValueBox<(mode: Mode, calls: [String], customers: [String: Int], nextID: Int, created: [[String: Any]])>) throws {
        switch state.withLockedValue({ $0.mode }) {
        case .unauthorized: throw Abort(.unauthorized)
        case .rateLimited: throw Abort(.tooManyRequests, headers: ["X-Rate-Limit-Time-Reset-Ms": "4500"])
        case .failing: throw Abort(.internalServerError)
        default: break
        }
        guard request.headers.first(name: "X-Auth-Token") == token else { throw Abort(.unauthorized) }
    }

    func shutdown() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

final class PartnerTokenTests: XCTestCase {
    static let clientSecret = "bc-client-secret-0123456789-abcdefghij"
    static let apiToken = "bc-api-token"
    static let hmacSecret = "academy-shared-secret-0123456789-abcdef"
    var test: TestApplication!
    var fake: FakeBigCommerceAPI!

    /// The secrets the providers below name, handed to the application in its settings instead
    /// of the process environment.
    static let environment = ["TEST_BC_CLIENT_SECRET": clientSecret, "TEST_BC_API_TOKEN": apiToken, "TEST_ACADEMY_SECRET": hmacSecret]

    override func setUp() async throws {
        test = try await TestApplication.make { $0.environment = Self.environment }
        fake = try await FakeBigCommerceAPI(token: Self.apiToken)
        let b2b = ServiceProvider.BigCommerceSettings(storeURL: "https://b2b.example", storeHash: "abc123", channelID: 1, clientID: "client-1",
                                                      clientSecret: .environment("TEST_BC_CLIENT_SECRET"), apiToken: .environment("TEST_BC_API_TOKEN"),
                                                      apiURL: "http://127.0.0.1:\(fake.port)")
        var providers = [ServiceProvider(slug: "b2b", name: "B2B store", settings: .bigcommerce(b2b), attributes: MappingPreset.bigcommerceCustomer.mapping)]
        for algorithm in [ServiceProvider.JWTSettings.Algorithm.hs256, .rs256, .es256, .ps256] {
            let jwt = ServiceProvider.JWTSettings(algorithm: algorithm, secret: algorithm.isSymmetric ? .environment("TEST_ACADEMY_SECRET") : nil,
                                                  redirectURL: "https://academy.example/sso/jwt?from=store", extraClaims: ["tenant": "acme"])
            providers.append(ServiceProvider(slug: "academy-\(algorithm.rawValue.lowercased())", name: "Academy", settings: .jwt(jwt)))
        }
        _ = try await ProviderDirectory(database: test.app.db).apply(providers, now: test.clock.now)
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
    }

    override func tearDown() async throws {
        try await fake.shutdown()
        try await test.shutdown()
        test.removeFiles()
    }

    private func signedIn() async throws -> Browser {
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        return browser
    }

    private func jwks() async throws -> JWTKeyCollection {
        let body = try await Browser(test.app).get("/.well-known/jwks.json").body.string
        return try await JWTKeyCollection().add(jwksJSON: body)
    }

    private func token(from response: TestingHTTPResponse, parameter: String = "jwt") throws -> String {
        let location = try XCTUnwrap(response.headers.first(name: .location))
        let items = try XCTUnwrap(URLComponents(string: location)?.queryItems)
        XCTAssertEqual(items.first?.name, "from", "the redirect URL's own query is kept")
        return try XCTUnwrap(items.first { $0.name == parameter }?.value)
    }

    func testGenericJWTsVerifyWithJWKSOrTheSecretBeforeAndAfterRotation() async throws {
        let browser = try await signedIn()
        for round in 0..<2 {
            for slug in ["academy-rs256", "academy-es256", "academy-ps256"] {
                let response = try await browser.get("/sso/\(slug)")
                XCTAssertEqual(response.status, .seeOther, slug)
                let token = try token(from: response)
                let claims: ClaimSet
                if slug == "academy-ps256" {
                    // The JWKS names RSA keys `alg: RS256`; a PS256 partner configures the same key for PS256.
                    let rsa = try XCTUnwrap(test.app.storeIdP.keyRing.current().active(.rs256))
                    let keys = JWTKeyCollection()
                    await keys.add(pss: try Insecure.RSA.PublicKey(certificatePEM: rsa.certificatePEM), digestAlgorithm: .sha256, kid: JWKIdentifier(string: rsa.kid))
                    claims = try await keys.verify(token, as: ClaimSet.self)
                } else {
                    claims = try await jwks().verify(token, as: ClaimSet.self)
                }
                XCTAssertEqual(claims["iss"], .string("http://127.0.0.1:8080"))
                XCTAssertEqual(claims["aud"], .string("https://academy.example"), "default audience: the redirect URL's origin")
                XCTAssertEqual(claims["sub"], .string("ann@shop.example"))
                XCTAssertEqual(claims["tenant"], .string("acme"))
                XCTAssertEqual(claims["first_name"], .string("Ann"))
                guard case let .integer(iat)? = claims["iat"], case let .integer(exp)? = claims["exp"] else { return XCTFail("iat/exp") }
                XCTAssertEqual(exp - iat, 300)
                XCTAssertNotNil(claims["jti"])
                let header = try JSONSerialization.jsonObject(with: Base64URL.decode(String(token.split(separator: ".")[0]))!) as? [String: String]
                XCTAssertEqual(header?["typ"], "JWT")
                XCTAssertEqual(header?["kid"], try test.app.storeIdP.keyRing.current().active(slug == "academy-es256" ? .es256 : .rs256)?.kid, "round \(round)")
            }
            let hs = try token(from: try await browser.get("/sso/academy-hs256"))
            let keys = JWTKeyCollection()
            await keys.add(hmac: HMACKey(key: SymmetricKey(data: Data(Self.hmacSecret.utf8))), digestAlgorithm: .sha256)
            _ = try await keys.verify(hs, as: ClaimSet.self)
            try await test.run(KeysRotateCommand(), [])
        }
    }

    func testBigCommerceFirstVisitCreatesTheCustomerAndTheSecondMakesNoLookup() async throws {
        let browser = try await signedIn()
        let first = try await browser.get("/sso/b2b?redirect_to=/cart.php")
        XCTAssertEqual(first.status, .seeOther)
        XCTAssertEqual(fake.calls, ["GET ann@shop.example", "POST ann@shop.example"])
        XCTAssertEqual(fake.created.first?["first_name"] as? String, "Ann")
        let location = try XCTUnwrap(first.headers.first(name: .location))
        XCTAssertTrue(location.hasPrefix("https://b2b.example/login/token/"))
        let token = String(location.dropFirst("https://b2b.example/login/token/".count))
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: Data(Self.clientSecret.utf8))), digestAlgorithm: .sha256)
        let claims = try await keys.verify(token, as: ClaimSet.self)
        XCTAssertEqual(claims["iss"], .string("client-1"))
        XCTAssertEqual(claims["operation"], .string("customer_login"))
        XCTAssertEqual(claims["store_hash"], .string("abc123"))
        XCTAssertEqual(claims["customer_id"], .integer(78))
        XCTAssertEqual(claims["channel_id"], .integer(1))
        XCTAssertEqual(claims["redirect_to"], .string("/cart.php"))
        XCTAssertEqual(claims["iat"], .integer(Int(test.clock.now.timeIntervalSince1970)))

        let second = try await browser.get("/sso/b2b")
        XCTAssertEqual(second.status, .seeOther)
        XCTAssertEqual(fake.calls.count, 2, "the remembered link needs no API call")
        let secondToken = String(try XCTUnwrap(second.headers.first(name: .location)).dropFirst("https://b2b.example/login/token/".count))
        let secondClaims = try await keys.verify(secondToken, as: ClaimSet.self)
        XCTAssertNotEqual(secondClaims["jti"], claims["jti"], "every token has its own jti")
    }

    func testBigCommerceLookupKeepsAPlusInTheEmail() async throws {
        try await test.addCustomer(email: "ann+b2b@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann+b2b@shop.example", password: "correct horse battery")
        assertEqual(try await browser.get("/sso/b2b").status, .seeOther)
        XCTAssertEqual(fake.calls.first, "GET ann+b2b@shop.example", "the lookup must not turn '+' into a space")
    }

    func testBigCommerceRedirectToMustBeAStorePath() async throws {
        let browser = try await signedIn()
        for hostile in ["https://evil.example/", "//evil.example/x", "/\\evil.example"] {
            let response = try await browser.get("/sso/b2b?redirect_to=" + Browser.escape(hostile))
            XCTAssertEqual(response.status, .badRequest, hostile)
        }
        XCTAssertEqual(fake.calls, [], "refused before any API call")
    }

    func testBigCommerceAPIFailuresGiveAClearPageAndNoLink() async throws {
        let browser = try await signedIn()
        let expectations: [(FakeBigCommerceAPI.Mode, HTTPStatus)] = [(.unauthorized, .badGateway), (.rateLimited, .serviceUnavailable), (.failing, .badGateway), (.duplicate, .conflict)]
        for (mode, status) in expectations {
            fake.mode = mode
            let response = try await browser.get("/sso/b2b")
            XCTAssertEqual(response.status, status, "\(mode)")
            XCTAssertFalse(response.headers.first(name: .location)?.contains("login/token") ?? false)
            if mode == .rateLimited { XCTAssertEqual(response.headers.first(name: "Retry-After"), "5") }
        }
        let links = try await BigCommerceCustomerLink.query(on: test.app.db).count()
        XCTAssertEqual(links, 0, "no half-created mapping")
        let errors = try await AuditEventRecord.query(on: test.app.db).filter(\.$kind == "bigcommerce.api_error").count()
        XCTAssertEqual(errors, 4)
        fake.mode = .normal
        assertEqual(try await browser.get("/sso/b2b").status, .seeOther, "works again once the API does")
    }

    func testAccessPolicyKeepsExcludedCustomersOutOfJWTAndBigCommerce() async throws {
        var providers = try await ProviderDirectory(database: test.app.db).all()
        for index in providers.indices { providers[index].access = AccessPolicy(groups: ["Wholesale"]) }
        _ = try await ProviderDirectory(database: test.app.db).apply(providers, now: test.clock.now)
        let browser = try await signedIn()
        for slug in ["academy-hs256", "academy-rs256", "b2b"] {
            let response = try await browser.get("/sso/\(slug)")
            XCTAssertEqual(response.status, .forbidden, slug)
            XCTAssertNil(response.headers.first(name: .location), "\(slug): no token")
        }
        XCTAssertEqual(fake.calls, [], "no BigCommerce call for a refused customer")
    }

    func testJWKSPublishesEveryKeyWithCacheHeaders() async throws {
        let response = try await Browser(test.app).get("/.well-known/jwks.json")
        XCTAssertEqual(response.headers.first(name: .cacheControl), "public, max-age=300")
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [[String: Any]]]
        let keys = try XCTUnwrap(object?["keys"])
        XCTAssertEqual(Set(keys.compactMap { $0["kty"] as? String }), ["RSA", "EC"])
        XCTAssertTrue(keys.allSatisfy { $0["use"] as? String == "sig" && $0["kid"] != nil && $0["d"] == nil }, "public parts only")
    }
}
