import Crypto
import Foundation
import JWTKit
import JWTSSO
import SAML
@testable import SignOn
import StoreIdPCore
import XCTest
import XMLSecurity

/// One flow test's world: StoreIdP's keys in a temporary folder, a fixed clock, in-memory stores,
/// and partners that sign their own messages with keys made in process.
final class SignOnFixture: @unchecked Sendable {
    static let base = "https://id.store.example"
    static let launchSecret = Data("launch-secret-for-flow-tests-0123456789".utf8)
    let folder: URL
    let clock = ManualTimeSource(Date(timeIntervalSince1970: 1_800_000_000))
    let stores = InMemoryStores()
    let keyRing: KeyRingStore
    let saml = SAMLIdentity(baseURL: URL(string: base)!)
    let launchVerifier: LaunchTokenVerifier
    static let environment = ["TICKETS_SECRET": "tickets-secret-tickets-secret-0123456789",
                              "SHOP_LAUNCH_SECRET": String(decoding: launchSecret, as: UTF8.self),
                              "TRUSTED_LAUNCH_SECRET": "trusted-storefront-secret-0123456789abcdef"]
    /// The warranty partner's own signing key (its requests and responses).
    let warrantyKey: SigningKey
    let academyKey: SigningKey
    let strangerKey: SigningKey
    let ann: Customer
    let bob: Customer

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("signon-tests-\(UUID().uuidString)")
        keyRing = KeyRingStore(directory: folder, factory: SigningKeyFactory(commonName: "id.store.example"))
        try keyRing.ensureActiveKey(now: clock.now)
        let factory = SigningKeyFactory(commonName: "partner")
        warrantyKey = try factory.makeKey(algorithm: .rs256, state: .active, now: clock.now)
        academyKey = try factory.makeKey(algorithm: .rs256, state: .active, now: clock.now)
        strangerKey = try factory.makeKey(algorithm: .rs256, state: .active, now: clock.now)
        launchVerifier = try LaunchTokenVerifier(audience: Self.base, storefronts: [
            Storefront(issuer: "https://shop.example", key: .hs256(.environment("SHOP_LAUNCH_SECRET"))),
            Storefront(issuer: "https://trusted.example", key: .hs256(.environment("TRUSTED_LAUNCH_SECRET")), trustedFields: [.group]),
        ], environment: Self.environment)
        ann = try Self.customer("ann@example.com", group: "Retail", now: clock.now)
        bob = try Self.customer("bob@example.com", group: "Retail", now: clock.now)
        stores.add(ann)
        stores.add(bob)
        stores.providers = [
            Self.samlPartner("warranty", key: warrantyKey, nameID: .email),
            Self.samlPartner("academy", key: academyKey, nameID: .persistent),
            Self.samlPartner("forum", key: strangerKey, nameID: .unspecified),
            Self.samlPartner("noslo", key: strangerKey, nameID: .email, slo: false),
            ServiceProvider(slug: "wholesale", name: "Wholesale", settings: Self.samlPartner("wholesale", key: warrantyKey, nameID: .email).settings,
                            access: AccessPolicy(groups: ["Wholesale"])),
            ServiceProvider(slug: "tickets", name: "Tickets", settings: .jwt(.init(algorithm: .hs256, secret: .environment("TICKETS_SECRET"),
                                                                                  redirectURL: "https://tickets.example/sso"))),
        ]
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    static func customer(_ email: String, group: String, now: Date) throws -> Customer {
        var profile = CustomerProfile(email: email)
        profile.group = group
        profile.firstName = "Ann"
        return profile.makeCustomer(email: try profile.validate(), passwordHash: nil, now: now)
    }

    static func samlPartner(_ slug: String, key: SigningKey, nameID: ServiceProvider.SAMLSettings.NameIDFormat, slo: Bool = true) -> ServiceProvider {
        let site = "https://\(slug).example"
        let settings = ServiceProvider.SAMLSettings(
            entityID: site + "/saml/metadata",
            assertionConsumerServices: [.init(url: site + "/acs", binding: .httpPOST, index: 0, isDefault: true)],
            singleLogoutServices: slo ? [.init(url: site + "/slo", binding: .httpRedirect)] : [],
            signingCertificates: [key.certificatePEM], nameIDFormat: nameID)
        return ServiceProvider(slug: slug, name: slug.capitalized, settings: .saml(settings))
    }

    func context(launch: Bool = true) -> SignOnContext {
        SignOnContext(providers: InMemoryStores.Catalog(stores: stores), customers: InMemoryStores.Accounts(stores: stores),
                      replay: InMemoryStores.Replay(stores: stores), audit: InMemoryStores.Audit(stores: stores), keys: keyRing,
                      clock: clock, saml: saml, jwtKeys: SigningKeyCache(), bigCommerce: InMemoryStores.BigCommerce(stores: stores),
                      bigCommerceLinks: InMemoryStores.Links(stores: stores), launchVerifiers: FixedLaunchTokenVerifier(launch ? launchVerifier : nil), storefrontLinks: InMemoryStores.StorefrontLinks(stores: stores),
                      oidcGrants: InMemoryStores.Grants(stores: stores), issuer: Self.base, sessionLifetime: 3600,
                      environment: Self.environment, clientAddress: "192.0.2.1")
    }

    /// A session signed in as `customer` a minute ago.
    func session(_ customer: Customer, method: AuthenticationMethod = .password) -> SignOnSession {
        var session = SignOnSession()
        session.signIn(customer, method: method, at: clock.now.addingTimeInterval(-60), sessionIndex: "_session-\(customer.email.value)")
        return session
    }

    // MARK: Partners' messages

    /// StoreIdP as the partners see it: where their SLO messages go.
    var storeIdPAsPartnerSees: ServiceProvider {
        let settings = ServiceProvider.SAMLSettings(entityID: saml.identityProvider.entityID,
                                                    assertionConsumerServices: [.init(url: Self.base + "/unused", isDefault: true)],
                                                    singleLogoutServices: [.init(url: saml.identityProvider.singleLogoutServiceURL, binding: .httpRedirect)])
        return ServiceProvider(slug: "storeidp", name: "StoreIdP", settings: .saml(settings))
    }

    /// A partner's SLO builder: its entity ID is `https://SLUG.example/saml/metadata`.
    func partnerLogout(_ slug: String, key: SigningKey) throws -> SingleLogoutBuilder {
        SingleLogoutBuilder(identityProvider: IdentityProvider(baseURL: "https://\(slug).example"),
                            signingKey: try XMLSigningKey(privateKeyPEM: key.privateKeyPEM, certificatePEM: key.certificatePEM))
    }

    /// A signed HTTP-Redirect LogoutRequest from a partner, as it arrives.
    func logoutRequest(from slug: String, key: SigningKey, nameID: SAMLNameID, sessionIndex: String?) throws -> SAMLInboundMessage {
        let (message, _) = try partnerLogout(slug, key: key).logoutRequest(serviceProvider: storeIdPAsPartnerSees, nameID: nameID,
                                                                            sessionIndex: sessionIndex, now: clock.now)
        return try Self.arrive(message, expecting: .request)
    }

    /// An unsigned LogoutRequest (HTTP-POST, no enveloped signature).
    func unsignedLogoutRequest(from slug: String, nameID: String, sessionIndex: String) throws -> SAMLInboundMessage {
        let xml = """
        <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
        ID="_unsigned1" Version="2.0" IssueInstant="\(SAMLInstant.string(from: clock.now))" Destination="\(saml.identityProvider.singleLogoutServiceURL)">\
        <saml:Issuer>https://\(slug).example/saml/metadata</saml:Issuer><saml:NameID>\(nameID)</saml:NameID>\
        <samlp:SessionIndex>\(sessionIndex)</samlp:SessionIndex></samlp:LogoutRequest>
        """
        return try SAMLPostBinding.decode(encoded: Data(xml.utf8).base64EncodedString(), relayState: nil, expecting: .request)
    }

    /// A partner's signed HTTP-Redirect LogoutResponse.
    func logoutResponse(from slug: String, key: SigningKey, inResponseTo: String, status: SAMLStatus = .success) throws -> SAMLInboundMessage {
        let message = try partnerLogout(slug, key: key).logoutResponse(serviceProvider: storeIdPAsPartnerSees, inResponseTo: inResponseTo,
                                                                       status: status, relayState: nil, preferredBinding: .httpRedirect, now: clock.now)
        return try Self.arrive(message, expecting: .response)
    }

    /// An unsigned AuthnRequest over HTTP-POST from the warranty partner.
    func authnRequest(id: String = "_request1", from slug: String = "warranty", extra: String = "", attributes: String = "") throws -> SAMLInboundMessage {
        let xml = """
        <samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
        ID="\(id)" Version="2.0" IssueInstant="\(SAMLInstant.string(from: clock.now))" Destination="\(saml.identityProvider.singleSignOnServiceURL)" \
        AssertionConsumerServiceURL="https://\(slug).example/acs" \(attributes)>\
        <saml:Issuer>https://\(slug).example/saml/metadata</saml:Issuer>\(extra)</samlp:AuthnRequest>
        """
        return try SAMLPostBinding.decode(encoded: Data(xml.utf8).base64EncodedString(), relayState: "state-1", expecting: .request)
    }

    static func arrive(_ message: SAMLOutboundMessage, expecting parameter: SAMLMessageParameter) throws -> SAMLInboundMessage {
        guard case let .redirect(url) = message, let query = URLComponents(string: url)?.percentEncodedQuery else {
            throw NSError(domain: "fixture", code: 1)
        }
        return try SAMLRedirectBinding.decode(rawQuery: query, expecting: parameter)
    }

    /// A launch token for `email`, signed as a storefront would.
    func launchToken(email: String, jti: String = UUID().uuidString, secret: Data = SignOnFixture.launchSecret,
                     issuer: String = "https://shop.example", subject: String? = nil, group: String = "Retail") async throws -> String {
        let now = Int(clock.now.timeIntervalSince1970)
        let claims = ClaimSet([("iss", .string(issuer)), ("aud", .string(Self.base)), ("sub", .string(subject ?? "shop-\(email)")),
                               ("email", .string(email)), ("group", .string(group)), ("iat", .integer(now)), ("exp", .integer(now + 60)),
                               ("jti", .string(jti))])
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }
}

/// The XML of the SAMLResponse (or SAMLRequest) field of an auto-post outcome.
func postedXML(_ outcome: SignOnOutcome, file: StaticString = #filePath, line: UInt = #line) throws -> (action: String, xml: String, relayState: String?) {
    guard case let .post(form) = outcome else {
        XCTFail("expected a form, got \(outcome)", file: file, line: line)
        throw NSError(domain: "fixture", code: 2)
    }
    let value = try XCTUnwrap(form.fields.first { $0.name.hasPrefix("SAML") }?.value, file: file, line: line)
    let xml = String(decoding: try XCTUnwrap(Data(base64Encoded: value), file: file, line: line), as: UTF8.self)
    return (form.action, xml, form.fields.first { $0.name == "RelayState" }?.value)
}

/// The URL of a redirect outcome.
func redirectURL(_ outcome: SignOnOutcome, file: StaticString = #filePath, line: UInt = #line) throws -> URLComponents {
    guard case let .redirect(url) = outcome, let components = URLComponents(string: url) else {
        XCTFail("expected a redirect, got \(outcome)", file: file, line: line)
        throw NSError(domain: "fixture", code: 3)
    }
    return components
}

/// A SAML redirect message's XML (raw DEFLATE inside base64 inside the query).
func redirectedXML(_ outcome: SignOnOutcome, parameter: SAMLMessageParameter = .request, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let url = try redirectURL(outcome, file: file, line: line)
    let message = try SAMLRedirectBinding.decode(rawQuery: try XCTUnwrap(url.percentEncodedQuery), expecting: parameter)
    return String(decoding: try message.document.serialized(), as: UTF8.self)
}

func assertRefused(_ status: SignOnError.Status, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Any) async {
    do {
        let value = try await body()
        XCTFail("expected a refusal (\(status)), got \(value)", file: file, line: line)
    } catch let error as SignOnError {
        XCTAssertEqual(error.status, status, error.message, file: file, line: line)
    } catch {
        XCTFail("expected SignOnError, got \(error)", file: file, line: line)
    }
}
