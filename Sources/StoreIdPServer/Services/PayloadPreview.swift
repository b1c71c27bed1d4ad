import Foundation
import JWTSSO
import SignOn
import StoreIdPCore

/// What `providers preview` prints: the access decision and the exact payload, as the protocol
/// will render it.
struct PayloadPreview: Encodable {
    struct Access: Encodable {
        let allowed: Bool
        let reason: String
    }

    struct Subject: Encodable {
        let format: String
        let value: String
    }

    struct Attribute: Encodable {
        let name: String
        let nameFormat: String?
        let values: [String]

        enum CodingKeys: String, CodingKey { case name, nameFormat = "name_format", values }
    }

    /// OIDC clients: what the ID token and userinfo carry when every scope is granted (the times,
    /// nonce and at_hash are set when a token is issued).
    struct OpenIDClaims: Encodable {
        let scopes: [String]
        let idToken: ClaimSet
        let userinfo: ClaimSet

        enum CodingKeys: String, CodingKey { case scopes, idToken = "id_token", userinfo }
    }

    enum CodingKeys: String, CodingKey {
        case provider, `protocol`, customer, access, subject, constantClaims = "constant_claims", attributes, oidc, warnings, error
    }

    let provider: String
    let `protocol`: String
    let customer: String
    let access: Access
    let subject: Subject?
    /// JWT partners: the provider's constant claims, sent beside the attributes.
    let constantClaims: [String: String]?
    let attributes: [Attribute]
    let oidc: OpenIDClaims?
    let warnings: [String]
    /// Set when a `required(…)` value is empty: then nothing would be sent.
    let error: String?

    init(customer: Customer, provider: ServiceProvider, factory: PayloadFactory, now: Date, issuer: String) throws {
        let decision = provider.access.decision(for: customer)
        self.provider = provider.slug
        self.protocol = provider.protocolKind.rawValue
        self.customer = customer.email.value
        self.access = Access(allowed: decision.allowed, reason: decision.reason)
        var payload = ProvisioningPayload(values: [])
        var failure: String?
        do {
            payload = try factory.payload(customer: customer, provider: provider, now: now, authTime: now)
        } catch let missing as ProvisioningPayload.MissingRequiredValue {
            failure = missing.description
        }
        warnings = payload.warnings
        error = failure
        if let saml = provider.saml {
            let value = saml.nameIDFormat == .transient ? "(a new random value each response)"
                : try factory.samlNameID(customer: customer, provider: provider, settings: saml)
            subject = Subject(format: saml.nameIDFormat.rawValue, value: value)
            constantClaims = nil
        } else if let jwt = provider.jwt {
            let value = jwt.subject == .pairwise ? try factory.pairwiseID(customer: customer, provider: provider) : customer.email.value
            subject = Subject(format: "jwt sub (\(jwt.subject.rawValue))", value: value)
            constantClaims = jwt.extraClaims
        } else if let settings = provider.oidc {
            subject = Subject(format: "oidc sub (\(settings.subject.rawValue))",
                              value: try OIDCSubject.of(customer, provider: provider, settings: settings, payloads: factory))
            constantClaims = nil
        } else {
            subject = nil
            constantClaims = nil
        }
        if let settings = provider.oidc, let sub = subject?.value {
            let scopes = OpenIDScope.granted(OpenIDScope.supported, refreshTokens: settings.refreshTokens)
            let layout: OpenIDProviderLayout = settings.azureB2CPath.map { .azureB2C(path: $0) } ?? .standard
            let released = OpenIDScope.releasedClaims(payload, scopes: scopes, everyMappedClaim: layout.releasesEveryMappedClaim)
            var idToken = ClaimSet([("iss", .string(layout.endpoints(base: issuer).issuer)), ("sub", .string(sub)), ("aud", .string(settings.clientID))])
            var userinfo = ClaimSet([("sub", .string(sub))])
            for (name, value) in released {
                idToken.set(name, value)
                userinfo.set(name, value)
            }
            oidc = OpenIDClaims(scopes: scopes, idToken: idToken, userinfo: userinfo)
        } else {
            oidc = nil
        }
        attributes = payload.values.map { value in
            Attribute(name: value.name, nameFormat: provider.saml.map { value.nameFormat ?? $0.attributeNameFormat.rawValue }, values: value.values)
        }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
