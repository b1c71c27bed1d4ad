import Crypto
import Foundation
import JWTKit
import JWTSSO
import SignOn
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// The OpenID provider over HTTP: the code flow, tokens, userinfo, refresh rotation, logout, the
/// B2C layout, and every hostile input the issue lists, each answered with an error page or an
/// OAuth error, never a redirect to an unregistered URI and never a 5xx.
final class OpenIDProviderTests: XCTestCase {
    static let secret = "ep-client-secret-0123456789"
    static let callback = "https://shop.example/oidc/callback"
    static let b2cCallback = "https://store.example/logins/auth/azure/callback"
    static let verifier = String(repeating: "v", count: 43) + "-._~0123"
    static var challenge: String { Base64URL.encode(SHA256.hash(data: Data(verifier.utf8))) }

    var test: TestApplication!

    override func setUp() async throws {
        test = try await TestApplication.make { $0.environment = ["EP_SECRET": Self.secret, "SC_SECRET": Self.secret] }
        let confidential = ServiceProvider.OIDCSettings(clientID: "ep-store", clientSecret: .environment("EP_SECRET"), redirectURIs: [Self.callback],
                                                        postLogoutRedirectURIs: ["https://shop.example/"], refreshTokens: true)
        let publicClient = ServiceProvider.OIDCSettings(clientID: "spa", redirectURIs: ["http://127.0.0.1:9/cb"], subject: .email,
                                                        idTokenAlgorithm: .es256)
        let storeConnect = ServiceProvider.OIDCSettings(clientID: "sc-store", clientSecret: .environment("SC_SECRET"), redirectURIs: [Self.b2cCallback],
                                                        azureB2CPath: "storeconnect")
        let providers = [
            ServiceProvider(slug: "commerce-cloud", name: "Commerce Cloud", settings: .oidc(confidential), attributes: MappingPreset.oidcStandard.mapping),
            ServiceProvider(slug: "spa", name: "Shop app", settings: .oidc(publicClient), attributes: MappingPreset.oidcStandard.mapping),
            ServiceProvider(slug: "storeconnect", name: "StoreConnect", settings: .oidc(storeConnect), attributes: MappingPreset.oidcStandard.mapping),
            ServiceProvider(slug: "wholesale", name: "Wholesale", settings: .oidc(.init(clientID: "wholesale", clientSecret: .environment("EP_SECRET"),
                                                                                     redirectURIs: [Self.callback])),
                            access: AccessPolicy(groups: ["Wholesale"]), attributes: MappingPreset.oidcStandard.mapping),
        ]
        _ = try await ProviderDirectory(database: test.app.db).apply(providers, now: test.clock.now)
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    // MARK: helpers

    private func query(_ items: [String: String]) -> String {
        items.sorted { $0.key < $1.key }.map { "\(Browser.escape($0.key))=\(Browser.escape($0.value))" }.joined(separator: "&")
    }

    private func authorizeQuery(client: String = "ep-store", redirect: String = OpenIDProviderTests.callback, extra: [String: String] = [:]) -> String {
        var items = ["client_id": client, "redirect_uri": redirect, "response_type": "code", "scope": "openid email profile offline_access",
                     "state": "s-1", "nonce": "n-1", "code_challenge": Self.challenge, "code_challenge_method": "S256"]
        for (key, value) in extra { items[key] = value.isEmpty ? nil : value }
        return query(items)
    }

    private func signedIn() async throws -> Browser {
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        return browser
    }

    /// The redirect's query items, after checking it goes to `base` exactly.
    private func redirect(_ response: TestingHTTPResponse, to base: String = OpenIDProviderTests.callback,
                          file: StaticString = #filePath, line: UInt = #line) throws -> [String: String] {
        XCTAssertEqual(response.status, .seeOther, response.body.string, file: file, line: line)
        let location = try XCTUnwrap(response.headers.first(name: .location), file: file, line: line)
        XCTAssertTrue(location.hasPrefix(base + "?"), location, file: file, line: line)
        let items = URLComponents(string: location)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// An error page: a 4xx with no Location at all.
    private func assertErrorPage(_ response: TestingHTTPResponse, _ status: HTTPStatus = .badRequest, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, status, response.body.string, file: file, line: line)
        XCTAssertNil(response.headers.first(name: .location), file: file, line: line)
        XCTAssertTrue(response.headers.contentType?.subType == "html", file: file, line: line)
    }

    private func code(_ browser: Browser, extra: [String: String] = [:], path: String = "/oidc/authorize", client: String = "ep-store",
                      redirectURI: String = OpenIDProviderTests.callback) async throws -> String {
        let response = try await browser.get(path + "?" + authorizeQuery(client: client, redirect: redirectURI, extra: extra))
        let items = try redirect(response, to: redirectURI)
        return try XCTUnwrap(items["code"], "\(items)")
    }

    private func token(_ form: [String: String], basic: (String, String)? = ("ep-store", OpenIDProviderTests.secret),
                       path: String = "/oidc/token") async throws -> (TestingHTTPResponse, [String: Any]) {
        var headers = HTTPHeaders()
        if let (id, secret) = basic {
            headers.replaceOrAdd(name: .authorization, value: "Basic " + Data("\(Browser.escape(id)):\(Browser.escape(secret))".utf8).base64EncodedString())
        }
        headers.contentType = .urlEncodedForm
        let response = try await test.app.sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: query(form)))
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
        return (response, json)
    }

    private func exchange(_ code: String, verifier: String? = OpenIDProviderTests.verifier) async throws -> (TestingHTTPResponse, [String: Any]) {
        var form = ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.callback]
        form["code_verifier"] = verifier
        return try await token(form)
    }

    private func userInfo(_ accessToken: String, path: String = "/oidc/userinfo") async throws -> TestingHTTPResponse {
        try await test.app.sendRequest(.GET, path, headers: ["Authorization": "Bearer " + accessToken])
    }

    private func jwks(_ path: String = "/.well-known/jwks.json") async throws -> JWTKeyCollection {
        let body = try await test.app.sendRequest(.GET, path).body.string
        return try await JWTKeyCollection().add(jwksJSON: body)
    }

    // MARK: the flow

    func testConfidentialClientCodeFlowWithPKCEVerifiesAgainstTheJWKS() async throws {
        let browser = Browser(test.app)
        let first = try await browser.get("/oidc/authorize?" + authorizeQuery())
        XCTAssertEqual(first.headers.first(name: .location), "/login?return_to=/oidc/continue")
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery", returnTo: "/oidc/continue")
        let items = try redirect(try await browser.get("/oidc/continue"))
        XCTAssertEqual(items["state"], "s-1")
        XCTAssertEqual(items["iss"], "http://127.0.0.1:8080", "RFC 9207")
        let (response, json) = try await exchange(try XCTUnwrap(items["code"]))
        XCTAssertEqual(response.status, .ok, response.body.string)
        XCTAssertEqual(response.headers.first(name: .cacheControl), "no-store")
        XCTAssertEqual(json["token_type"] as? String, "Bearer")
        let idToken = try XCTUnwrap(json["id_token"] as? String)
        let accessToken = try XCTUnwrap(json["access_token"] as? String)
        XCTAssertNotNil(json["refresh_token"] as? String)

        let claims = try await jwks().verify(idToken, as: ClaimSet.self)
        XCTAssertEqual(claims["iss"], .string("http://127.0.0.1:8080"))
        XCTAssertEqual(claims["aud"], .string("ep-store"), "aud is the client id only, as a string")
        XCTAssertEqual(claims["nonce"], .string("n-1"))
        XCTAssertEqual(claims["email"], .string("ann@shop.example"))
        XCTAssertEqual(claims["name"], .string("Ann Lee"))
        XCTAssertEqual(claims["at_hash"], .string(OpenIDTokenSigner.accessTokenHash(accessToken)))
        XCTAssertNotNil(claims["auth_time"])
        let header = try XCTUnwrap(Base64URL.decode(String(accessToken.split(separator: ".")[0])))
        XCTAssertTrue(String(decoding: header, as: UTF8.self).contains("\"at+jwt\""), "RFC 9068 §2.1 typ")

        let info = try await userInfo(accessToken)
        XCTAssertEqual(info.status, .ok)
        let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(info.body.readableBytesView)) as? [String: Any])
        XCTAssertEqual(body["sub"] as? String, { if case let .string(sub)? = claims["sub"] { return sub }; return nil }())
        XCTAssertEqual(body["given_name"] as? String, "Ann")
        let events = try await AuditEventRecord.query(on: test.app.db).all().map(\.kind)
        XCTAssertTrue(events.contains(AuditEvent.Kind.oidcCodeIssued.rawValue))
        XCTAssertTrue(events.contains(AuditEvent.Kind.oidcTokensIssued.rawValue))
    }

    func testPublicClientNeedsPKCEAndGetsAnES256TokenWithTheEmailAsSubject() async throws {
        let browser = try await signedIn()
        let refused = try redirect(try await browser.get("/oidc/authorize?" + authorizeQuery(client: "spa", redirect: "http://127.0.0.1:9/cb",
                                                                                             extra: ["code_challenge": "", "code_challenge_method": ""])),
                                   to: "http://127.0.0.1:9/cb")
        XCTAssertEqual(refused["error"], "invalid_request")
        let code = try await code(browser, client: "spa", redirectURI: "http://127.0.0.1:9/cb")
        let form = ["grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/cb", "client_id": "spa",
                    "code_verifier": Self.verifier]
        let (response, json) = try await token(form, basic: nil)
        XCTAssertEqual(response.status, .ok, response.body.string)
        let claims = try await jwks().verify(try XCTUnwrap(json["id_token"] as? String), as: ClaimSet.self)
        XCTAssertEqual(claims["sub"], .string("ann@shop.example"))
        XCTAssertNil(json["refresh_token"], "offline_access is not granted to a client without refresh tokens")
        XCTAssertEqual(json["scope"] as? String, "openid email profile")
    }

    func testPromptNoneAnswersLoginRequiredAndPromptLoginAsksForThePasswordAgain() async throws {
        let anonymous = try redirect(try await Browser(test.app).get("/oidc/authorize?" + authorizeQuery(extra: ["prompt": "none"])))
        XCTAssertEqual(anonymous["error"], "login_required")
        XCTAssertEqual(anonymous["state"], "s-1")
        let browser = try await signedIn()
        test.clock.advance(by: 5)
        let again = try await browser.get("/oidc/authorize?" + authorizeQuery(extra: ["prompt": "login", "display": "page", "ui_locales": "en"]))
        XCTAssertEqual(again.headers.first(name: .location), "/login?return_to=/oidc/continue&reauth=1")
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery", returnTo: "/oidc/continue")
        assertNotNil(try redirect(try await browser.get("/oidc/continue"))["code"])
    }

    func testAnIDTokenHintForAnotherCustomerIsNotAnsweredWithTheSignedInOne() async throws {
        let (_, json) = try await exchange(try await code(try await signedIn()))
        let hint = try XCTUnwrap(json["id_token"] as? String)
        try await test.addCustomer(email: "bob@shop.example", password: "another horse battery", firstName: "Bob")
        let bob = Browser(test.app)
        try await bob.signIn(email: "bob@shop.example", password: "another horse battery")
        test.clock.advance(by: 5)
        let silent = try redirect(try await bob.get("/oidc/authorize?" + authorizeQuery(extra: ["prompt": "none", "id_token_hint": hint])))
        XCTAssertEqual(silent["error"], "login_required")
        let interactive = try await bob.get("/oidc/authorize?" + authorizeQuery(extra: ["id_token_hint": hint]))
        XCTAssertEqual(interactive.headers.first(name: .location), "/login?return_to=/oidc/continue&reauth=1")
        let forged = try redirect(try await bob.get("/oidc/authorize?" + authorizeQuery(extra: ["id_token_hint": "a.b.c"])))
        XCTAssertEqual(forged["error"], "invalid_request")
    }

    func testAccessPolicyRefusalReachesTheClientAsAccessDenied() async throws {
        let browser = try await signedIn()
        let items = try redirect(try await browser.get("/oidc/authorize?" + authorizeQuery(client: "wholesale")))
        XCTAssertEqual(items["error"], "access_denied")
        XCTAssertNil(items["code"])
    }

    func testRefreshTokensRotateAndAReusedOneRevokesTheFamily() async throws {
        let (_, json) = try await exchange(try await code(try await signedIn()))
        let first = try XCTUnwrap(json["refresh_token"] as? String)
        let (rotated, next) = try await token(["grant_type": "refresh_token", "refresh_token": first])
        XCTAssertEqual(rotated.status, .ok, rotated.body.string)
        let second = try XCTUnwrap(next["refresh_token"] as? String)
        XCTAssertNotEqual(first, second)
        let (reused, error) = try await token(["grant_type": "refresh_token", "refresh_token": first])
        XCTAssertEqual(reused.status, .badRequest)
        XCTAssertEqual(error["error"] as? String, "invalid_grant")
        let (afterRevocation, _) = try await token(["grant_type": "refresh_token", "refresh_token": second])
        XCTAssertEqual(afterRevocation.status, .badRequest, "the whole family is revoked")
        let info = try await userInfo(try XCTUnwrap(next["access_token"] as? String))
        XCTAssertEqual(info.status, .unauthorized)
        XCTAssertTrue(info.headers.first(name: .wwwAuthenticate)?.contains("error=\"invalid_token\"") == true)
    }

    // MARK: bad input at the authorization endpoint

    func testUnregisteredRedirectURIsAndUnknownClientsGetAnErrorPageNeverARedirect() async throws {
        let browser = try await signedIn()
        for redirect in ["https://evil.example/cb", Self.callback + "/extra", Self.callback + "?x=1", "https://shop.example/oidc/callback#f", ""] {
            assertErrorPage(try await browser.get("/oidc/authorize?" + authorizeQuery(redirect: redirect)))
        }
        assertErrorPage(try await browser.get("/oidc/authorize?" + authorizeQuery(client: "nobody")))
        assertErrorPage(try await browser.get("/oidc/authorize?" + authorizeQuery(client: "")))
        // The B2C client is not served at the standard endpoints' neighbour layout and vice versa.
        assertErrorPage(try await browser.get("/b2c/storeconnect/oauth2/v2.0/authorize?" + authorizeQuery()))
        assertErrorPage(try await browser.get("/oidc/authorize?client_id=ep-store&client_id=spa&redirect_uri=" + Browser.escape(Self.callback)))
        assertErrorPage(try await browser.get("/oidc/authorize?client_id=%zz"))
    }

    func testRequestErrorsGoToTheRegisteredRedirectURIWithState() async throws {
        let browser = try await signedIn()
        let cases: [([String: String], String)] = [
            (["response_type": "token"], "unsupported_response_type"),
            (["response_type": "code id_token"], "unsupported_response_type"),
            (["code_challenge_method": "plain"], "invalid_request"),
            (["code_challenge": "short"], "invalid_request"),
            (["scope": "email profile"], "invalid_scope"),
            (["prompt": "none login"], "invalid_request"),
            (["max_age": "-1"], "invalid_request"),
            (["request": "eyJ.x.y"], "request_not_supported"),
            (["nonce": String(repeating: "n", count: 600)], "invalid_request"),
        ]
        for (extra, expected) in cases {
            let items = try redirect(try await browser.get("/oidc/authorize?" + authorizeQuery(extra: extra)))
            XCTAssertEqual(items["error"], expected, "\(extra)")
            XCTAssertEqual(items["state"], "s-1")
            XCTAssertNil(items["code"])
        }
        let repeated = try redirect(try await browser.get("/oidc/authorize?" + authorizeQuery() + "&scope=openid"))
        XCTAssertEqual(repeated["error"], "invalid_request")
    }

    func testATenKilobyteStateIsRefusedWithAPage() async throws {
        let browser = try await signedIn()
        assertErrorPage(try await browser.get("/oidc/authorize?" + authorizeQuery(extra: ["state": String(repeating: "s", count: 10_240)])))
        let post = try await browser.post("/oidc/authorize", form: ["client_id": "ep-store", "redirect_uri": Self.callback, "response_type": "code",
                                                                    "scope": "openid", "state": String(repeating: "s", count: 10_240),
                                                                    "code_challenge": Self.challenge, "code_challenge_method": "S256"])
        assertErrorPage(post)
        let oversized = try await browser.post("/oidc/authorize", form: ["state": String(repeating: "s", count: 20_000)])
        XCTAssertEqual(oversized.status, .payloadTooLarge)
    }

    // MARK: bad input at the token endpoint

    func testCodesAreSingleUseAndASecondUseRevokesTheFirstUsesTokens() async throws {
        let code = try await code(try await signedIn())
        let (first, json) = try await exchange(code)
        XCTAssertEqual(first.status, .ok)
        let (second, error) = try await exchange(code)
        XCTAssertEqual(second.status, .badRequest)
        XCTAssertEqual(error["error"] as? String, "invalid_grant")
        let info = try await userInfo(try XCTUnwrap(json["access_token"] as? String))
        XCTAssertEqual(info.status, .unauthorized, "RFC 9700 §4.5: the first use's tokens are revoked")
        let (refresh, _) = try await token(["grant_type": "refresh_token", "refresh_token": try XCTUnwrap(json["refresh_token"] as? String)])
        XCTAssertEqual(refresh.status, .badRequest)
    }

    func testCodesAreBoundToClientVerifierAndLifetime() async throws {
        let browser = try await signedIn()
        // Another client presenting ep-store's code neither gets tokens nor burns the code.
        let stolen = try await code(browser)
        let (other, otherError) = try await token(["grant_type": "authorization_code", "code": stolen, "redirect_uri": Self.callback,
                                                   "code_verifier": Self.verifier], basic: ("wholesale", Self.secret))
        XCTAssertEqual(other.status, .badRequest)
        XCTAssertEqual(otherError["error"] as? String, "invalid_grant")
        let (owner, _) = try await exchange(stolen)
        XCTAssertEqual(owner.status, .ok, "the code still works for the client it was issued to")
        // Missing and wrong verifiers.
        for verifier in [nil, String(repeating: "w", count: 43)] {
            let (response, json) = try await exchange(try await code(browser), verifier: verifier)
            XCTAssertEqual(response.status, .badRequest)
            XCTAssertEqual(json["error"] as? String, "invalid_grant")
        }
        // A different redirect URI.
        let (redirectMismatch, _) = try await token(["grant_type": "authorization_code", "code": try await code(browser),
                                                     "redirect_uri": "https://shop.example/other", "code_verifier": Self.verifier])
        XCTAssertEqual(redirectMismatch.status, .badRequest)
        // Expired: 61 seconds later.
        let late = try await code(browser)
        test.clock.advance(by: 61)
        let (expired, expiredError) = try await exchange(late)
        XCTAssertEqual(expired.status, .badRequest)
        XCTAssertEqual(expiredError["error"] as? String, "invalid_grant")
        let (unknown, _) = try await exchange("not-a-code")
        XCTAssertEqual(unknown.status, .badRequest)
    }

    func testClientAuthenticationFailuresAre401InvalidClient() async throws {
        let code = try await code(try await signedIn())
        let form = ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.callback, "code_verifier": Self.verifier]
        let (wrong, json) = try await token(form, basic: ("ep-store", "wrong-secret-0123456789"))
        XCTAssertEqual(wrong.status, .unauthorized)
        XCTAssertEqual(json["error"] as? String, "invalid_client")
        XCTAssertTrue(wrong.headers.first(name: .wwwAuthenticate)?.hasPrefix("Basic") == true)
        let (missing, _) = try await token(form.merging(["client_id": "ep-store"]) { $1 }, basic: nil)
        XCTAssertEqual(missing.status, .unauthorized)
        let (unknown, _) = try await token(form, basic: ("nobody", Self.secret))
        XCTAssertEqual(unknown.status, .unauthorized)
        let (both, _) = try await token(form.merging(["client_secret": Self.secret]) { $1 })
        XCTAssertEqual(both.status, .badRequest)
        var headers = HTTPHeaders([("Authorization", "Basic !!!")])
        headers.contentType = .urlEncodedForm
        let malformed = try await test.app.sendRequest(.POST, "/oidc/token", headers: headers, body: ByteBuffer(string: "grant_type=authorization_code"))
        XCTAssertEqual(malformed.status, .unauthorized)
        XCTAssertTrue(malformed.headers.first(name: .wwwAuthenticate)?.hasPrefix("Basic") == true, "RFC 6749 §5.2")
        // client_secret_post works, and the code was not burned by the failures above.
        let (posted, _) = try await token(form.merging(["client_id": "ep-store", "client_secret": Self.secret]) { $1 }, basic: nil)
        XCTAssertEqual(posted.status, .ok, posted.body.string)
        let (grantType, grantError) = try await token(["grant_type": "password"])
        XCTAssertEqual(grantType.status, .badRequest)
        XCTAssertEqual(grantError["error"] as? String, "unsupported_grant_type")
        let json415 = try await test.app.sendRequest(.POST, "/oidc/token", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: "{}"))
        XCTAssertEqual(json415.status, .badRequest)
    }

    // MARK: userinfo

    func testUserInfoRefusesMissingForeignAndTamperedTokensWithBearerChallenges() async throws {
        let missing = try await test.app.sendRequest(.GET, "/oidc/userinfo")
        XCTAssertEqual(missing.status, .unauthorized)
        XCTAssertEqual(missing.headers.first(name: .wwwAuthenticate), "Bearer realm=\"http://127.0.0.1:8080\"")
        let (_, json) = try await exchange(try await code(try await signedIn()))
        let accessToken = try XCTUnwrap(json["access_token"] as? String)
        // A token of ep-store presented at the StoreConnect client's userinfo.
        let foreign = try await userInfo(accessToken, path: "/b2c/storeconnect/openid/v2.0/userinfo")
        XCTAssertEqual(foreign.status, .unauthorized)
        XCTAssertTrue(foreign.headers.first(name: .wwwAuthenticate)?.contains("invalid_token") == true)
        // The ID token is not an access token.
        let idToken = try await userInfo(try XCTUnwrap(json["id_token"] as? String))
        XCTAssertEqual(idToken.status, .unauthorized)
        var parts = accessToken.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(Data("{\"sub\":\"x\"}".utf8))
        assertEqual(try await userInfo(parts.joined(separator: ".")).status, .unauthorized)
        assertEqual(try await userInfo("garbage").status, .unauthorized)
        test.clock.advance(by: 301)
        assertEqual(try await userInfo(accessToken).status, .unauthorized, "expired")
    }

    // MARK: logout

    func testLogoutRedirectsOnlyToRegisteredURIsAndEndsTheSession() async throws {
        let browser = try await signedIn()
        let (_, json) = try await exchange(try await code(browser))
        let hint = try XCTUnwrap(json["id_token"] as? String)
        assertErrorPage(try await browser.get("/oidc/logout?" + query(["id_token_hint": hint, "post_logout_redirect_uri": "https://evil.example/"])))
        assertErrorPage(try await browser.get("/oidc/logout?" + query(["post_logout_redirect_uri": "https://shop.example/"])), .badRequest)
        assertErrorPage(try await browser.get("/oidc/logout?" + query(["id_token_hint": "not.a.token"])))
        // An access token is not an ID token, even though the same key signed it.
        assertErrorPage(try await browser.get("/oidc/logout?" + query(["id_token_hint": try XCTUnwrap(json["access_token"] as? String)])))
        // Without a hint the customer is asked.
        let question = try await browser.get("/oidc/logout?" + query(["client_id": "ep-store", "post_logout_redirect_uri": "https://shop.example/"]))
        XCTAssertEqual(question.status, .ok)
        XCTAssertTrue(question.body.string.contains("Sign out?"))
        let done = try await browser.get("/oidc/logout?" + query(["id_token_hint": hint, "post_logout_redirect_uri": "https://shop.example/", "state": "bye"]))
        XCTAssertEqual(done.status, .seeOther)
        XCTAssertEqual(done.headers.first(name: .location), "https://shop.example/?state=bye")
        let after = try redirect(try await browser.get("/oidc/authorize?" + authorizeQuery(extra: ["prompt": "none"])))
        XCTAssertEqual(after["error"], "login_required", "the store session has ended")
    }

    func testLogoutConfirmationNeedsTheCSRFToken() async throws {
        let browser = try await signedIn()
        let page = try await browser.get("/oidc/logout?client_id=ep-store&post_logout_redirect_uri=" + Browser.escape("https://shop.example/"))
        let forged = try await browser.post("/oidc/logout", form: ["client_id": "ep-store", "confirm": "yes", "csrf": "forged"])
        XCTAssertEqual(forged.status, .forbidden)
        let body = page.body.string
        let range = try XCTUnwrap(body.range(of: "name=\"csrf\" value=\""))
        let csrf = String(body[range.upperBound...].prefix { $0 != "\"" })
        let confirmed = try await browser.post("/oidc/logout", form: ["client_id": "ep-store", "post_logout_redirect_uri": "https://shop.example/",
                                                                      "confirm": "yes", "csrf": csrf])
        XCTAssertEqual(confirmed.headers.first(name: .location), "https://shop.example/")
    }

    // MARK: discovery and the B2C layout

    func testDiscoveryListsWhatElasticPathReads() async throws {
        let response = try await test.app.sendRequest(.GET, "/.well-known/openid-configuration")
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
        XCTAssertEqual(document["issuer"] as? String, "http://127.0.0.1:8080")
        XCTAssertEqual(document["jwks_uri"] as? String, "http://127.0.0.1:8080/.well-known/jwks.json")
        XCTAssertEqual(document["response_types_supported"] as? [String], ["code"])
        XCTAssertEqual(document["code_challenge_methods_supported"] as? [String], ["S256"])
        XCTAssertEqual(document["grant_types_supported"] as? [String], ["authorization_code", "refresh_token"])
        XCTAssertEqual(document["token_endpoint_auth_methods_supported"] as? [String], ["client_secret_basic", "client_secret_post", "none"])
        for key in ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "end_session_endpoint", "scopes_supported", "claims_supported",
                    "id_token_signing_alg_values_supported"] {
            XCTAssertNotNil(document[key], key)
        }
    }

    func testTheB2CLayoutServesItsOwnIssuerAndKeysAndOnlyItsClient() async throws {
        for path in ["/b2c/storeconnect/.well-known/openid-configuration", "/b2c/storeconnect/v2.0/.well-known/openid-configuration"] {
            let response = try await test.app.sendRequest(.GET, path)
            let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            XCTAssertEqual(document["issuer"] as? String, "http://127.0.0.1:8080/b2c/storeconnect")
            XCTAssertEqual(document["token_endpoint"] as? String, "http://127.0.0.1:8080/b2c/storeconnect/oauth2/v2.0/token")
        }
        let standard = try await test.app.sendRequest(.GET, "/.well-known/jwks.json").body.string
        assertEqual(try await test.app.sendRequest(.GET, "/b2c/storeconnect/discovery/keys").body.string, standard)
        assertEqual(try await test.app.sendRequest(.GET, "/b2c/storeconnect/discovery/v2.0/keys").body.string, standard)
        assertEqual(try await test.app.sendRequest(.GET, "/b2c/nobody/discovery/keys").status, .notFound)
        assertEqual(try await test.app.sendRequest(.GET, "/b2c/Bad%20Path/.well-known/openid-configuration").status, .notFound)

        let browser = try await signedIn()
        let code = try await code(browser, extra: ["scope": "openid"], path: "/b2c/storeconnect/oauth2/v2.0/authorize", client: "sc-store",
                                  redirectURI: Self.b2cCallback)
        let form = ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.b2cCallback, "code_verifier": Self.verifier,
                    "client_id": "sc-store", "client_secret": Self.secret]
        let (response, json) = try await token(form, basic: nil, path: "/b2c/storeconnect/oauth2/v2.0/token")
        XCTAssertEqual(response.status, .ok, response.body.string)
        let claims = try await jwks("/b2c/storeconnect/discovery/keys").verify(try XCTUnwrap(json["id_token"] as? String), as: ClaimSet.self)
        XCTAssertEqual(claims["iss"], .string("http://127.0.0.1:8080/b2c/storeconnect"))
        // Every mapped claim, whatever the scope (only openid was asked for).
        XCTAssertEqual(claims["email"], .string("ann@shop.example"))
        XCTAssertEqual(claims["family_name"], .string("Lee"))
        XCTAssertEqual(claims["name"], .string("Ann Lee"))
        // A code issued under the B2C issuer is not redeemed at the standard token endpoint.
        let b2cCode = try await self.code(browser, extra: ["scope": "openid"], path: "/b2c/storeconnect/oauth2/v2.0/authorize", client: "sc-store",
                                          redirectURI: Self.b2cCallback)
        let (other, otherError) = try await token(form.merging(["code": b2cCode]) { $1 }, basic: nil, path: "/oidc/token")
        XCTAssertEqual(other.status, .badRequest)
        XCTAssertEqual(otherError["error_description"] as? String, "the code was issued by another issuer")
    }

    func testBrowserClientsMayCallTheTokenAndUserInfoEndpointsAcrossOrigins() async throws {
        for path in ["/oidc/token", "/oidc/userinfo", "/b2c/storeconnect/oauth2/v2.0/token"] {
            let preflight = try await test.app.sendRequest(.OPTIONS, path, headers: ["Origin": "https://app.example",
                                                                                    "Access-Control-Request-Method": "POST"])
            XCTAssertEqual(preflight.status, .noContent, path)
            XCTAssertEqual(preflight.headers.first(name: .accessControlAllowOrigin), "*")
            XCTAssertTrue(preflight.headers.first(name: .accessControlAllowHeaders)?.contains("Authorization") == true)
        }
        let (response, _) = try await token(["grant_type": "refresh_token", "refresh_token": "x"])
        XCTAssertEqual(response.headers.first(name: .accessControlAllowOrigin), "*")
    }

    func testIdPInitiatedSSOToAnOIDCClientExplainsWhereToStart() async throws {
        let response = try await (try await signedIn()).get("/sso/commerce-cloud")
        assertErrorPage(response)
    }
}
