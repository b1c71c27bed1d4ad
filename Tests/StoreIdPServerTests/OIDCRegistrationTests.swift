import Foundation
import JWTSSO
import SignOn
import StoreIdPCore
@testable import StoreIdPServer
import XCTest

/// `providers apply` for `protocol: oidc`: the issue's example registers as written, every rule
/// is refused with its place, and `providers preview` shows the ID token and userinfo.
final class OIDCRegistrationTests: XCTestCase {
    var test: TestApplication!
    static let environment = ["EP_CLIENT_SECRET": "ep-client-secret-0123456789", "SHORT_SECRET": "short"]

    override func setUp() async throws {
        test = try await TestApplication.make { $0.environment = Self.environment }
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    private let example = """
    providers:
      - slug: commerce-cloud
        protocol: oidc
        oidc:
          client_id: ep-store
          client_secret_env: EP_CLIENT_SECRET
          redirect_uris: [https://shop.example/oidc/callback]
          post_logout_redirect_uris: [https://shop.example/]
          subject: pairwise
          id_token_algorithm: RS256
          access_token_lifetime_seconds: 300
          refresh_tokens: true
          azure_b2c_path: storeconnect
    """

    private func load(_ yaml: String) throws -> [ServiceProvider] {
        let path = test.folder.appendingPathComponent("providers-\(UUID().uuidString).yml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return try ProvidersFileLoader.loadAll(path: path, environment: Self.environment).providers
    }

    func testTheIssueExampleRegistersWithTheOIDCPresetAndPreviews() async throws {
        let provider = try XCTUnwrap(try load(example).first)
        let oidc = try XCTUnwrap(provider.oidc)
        XCTAssertEqual(oidc.clientID, "ep-store")
        XCTAssertEqual(oidc.clientSecret, .environment("EP_CLIENT_SECRET"))
        XCTAssertFalse(oidc.isPublic)
        XCTAssertEqual(oidc.redirectURIs, ["https://shop.example/oidc/callback"])
        XCTAssertEqual(oidc.subject, .pairwise)
        XCTAssertTrue(oidc.refreshTokens)
        XCTAssertEqual(oidc.azureB2CPath, "storeconnect")
        XCTAssertEqual(provider.attributes, MappingPreset.oidcStandard.mapping, "oidc-standard is the default preset")
        XCTAssertEqual(provider.effectiveAudience, "ep-store")

        _ = try await ProviderDirectory(database: test.app.db).apply([provider], now: test.clock.now)
        let byClient = try await ProviderDirectory(database: test.app.db).provider(oidcClientID: "ep-store")
        XCTAssertEqual(byClient, provider, "the stored definition reads back the same")
        let byPath = try await ProviderDirectory(database: test.app.db).provider(azureB2CPath: "storeconnect")
        XCTAssertEqual(byPath?.slug, "commerce-cloud")

        let customer = try await test.addCustomer(email: "ann@shop.example", password: nil)
        let preview = try PayloadPreview(customer: customer, provider: provider, factory: PayloadFactory(keys: test.app.storeIdP.keyRing),
                                         now: test.clock.now, issuer: test.app.storeIdP.settings.issuer)
        let claims = try XCTUnwrap(preview.oidc)
        XCTAssertEqual(claims.scopes, ["openid", "profile", "email", "phone", "offline_access"])
        XCTAssertEqual(claims.idToken["aud"], .string("ep-store"))
        XCTAssertEqual(claims.idToken["iss"], .string("http://127.0.0.1:8080/b2c/storeconnect"))
        XCTAssertEqual(claims.userinfo["name"], .string("Ann Lee"))
        XCTAssertEqual(claims.userinfo["sub"], claims.idToken["sub"])
        try await test.run(ProvidersPreviewCommand(), ["commerce-cloud", "--customer", "ann@shop.example"])
    }

    func testEveryOIDCRuleIsRefusedWithItsPlace() throws {
        let cases: [(String, String)] = [
            (example.replacingOccurrences(of: "https://shop.example/oidc/callback", with: "http://shop.example/cb"), "oidc.redirect_uris[0]"),
            (example.replacingOccurrences(of: "[https://shop.example/oidc/callback]", with: "[]"), "1 to 20 redirect URIs"),
            (example.replacingOccurrences(of: "https://shop.example/oidc/callback", with: "https://shop.example/cb#frag"), "without fragment"),
            (example.replacingOccurrences(of: "[https://shop.example/]", with: "[javascript:alert(1)]"), "post_logout_redirect_uris[0]"),
            (example.replacingOccurrences(of: "subject: pairwise", with: "subject: public"), "oidc.subject"),
            (example.replacingOccurrences(of: "id_token_algorithm: RS256", with: "id_token_algorithm: HS256"), "oidc.id_token_algorithm"),
            (example.replacingOccurrences(of: "access_token_lifetime_seconds: 300", with: "access_token_lifetime_seconds: 86400"), "access_token_lifetime_seconds"),
            (example.replacingOccurrences(of: "EP_CLIENT_SECRET", with: "SHORT_SECRET"), "at least 16"),
            (example.replacingOccurrences(of: "EP_CLIENT_SECRET", with: "UNSET_SECRET"), "UNSET_SECRET is not set"),
            (example.replacingOccurrences(of: "client_id: ep-store", with: "client_id: 'ep store'"), "oidc.client_id"),
            (example.replacingOccurrences(of: "azure_b2c_path: storeconnect", with: "azure_b2c_path: Store/Connect"), "oidc.azure_b2c_path"),
            (example.replacingOccurrences(of: "refresh_tokens: true", with: "refresh_token: true"), "unknown key 'refresh_token'"),
            (example.replacingOccurrences(of: "    oidc:\n", with: "    oidcx:\n"), "unknown key 'oidcx'"),
            (example + "\n" + example.replacingOccurrences(of: "providers:\n", with: "").replacingOccurrences(of: "slug: commerce-cloud", with: "slug: other"),
             "providers[1].oidc.client_id"),
            (example + "\n" + example.replacingOccurrences(of: "providers:\n", with: "").replacingOccurrences(of: "slug: commerce-cloud", with: "slug: other")
                .replacingOccurrences(of: "client_id: ep-store", with: "client_id: other"), "providers[1].oidc.azure_b2c_path"),
            ("providers: [ {slug: x, protocol: oidc} ]", "needs an oidc: block"),
            (example.replacingOccurrences(of: "https://shop.example/oidc/callback", with: "http://127.attacker.example/cb"), "must use https"),
            (example + "\n  - {slug: partner, protocol: jwt, audience: ep-store, jwt: {algorithm: RS256, redirect_url: https://p.example/sso}}",
             "providers[1].audience"),
            ("providers: [ {slug: x, protocol: saml, saml: {entity_id: e, acs_urls: [https://a.example/acs]}, oidc: {client_id: a, redirect_uris: [https://a.example]}} ]",
             "takes no oidc: block"),
        ]
        for (yaml, expected) in cases {
            XCTAssertThrowsError(try load(yaml), expected) { error in
                XCTAssertTrue("\(error)".contains(expected), "expected '\(expected)' in '\(error)'")
            }
        }
        let publicClient = try XCTUnwrap(try load(example.replacingOccurrences(of: "      client_secret_env: EP_CLIENT_SECRET\n", with: "")).first?.oidc)
        XCTAssertTrue(publicClient.isPublic)
    }
}
