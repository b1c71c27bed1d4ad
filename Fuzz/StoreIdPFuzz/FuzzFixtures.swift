import Foundation
import SAML
import StoreIdPCore

/// The fixed world the targets run in: one identity provider, a registry of service providers
/// (an unsigned SAML SP, one that wants signed requests, a JWT one), a clock stopped at the
/// instant the seeds were issued, and the launch-token secret the seeds were signed with.
/// Nothing here is a secret: the certificate's private key was thrown away once the seeds were signed.
enum FuzzFixtures {
    /// 2024-05-01T12:00:00Z, the IssueInstant of the SAML seeds and the iat of the launch-token seeds.
    static let now = Date(timeIntervalSince1970: 1_714_564_800)
    static let identityProvider = IdentityProvider(baseURL: "https://id.store.example/")

    /// Self-signed, CN=storeidp-fuzz-sp; signs the signed seeds of authn-redirect, authn-post and logout.
    static let spCertificatePEM = """
-----BEGIN CERTIFICATE-----
MIIDGTCCAgGgAwIBAgIUH/H+EHiIdwsIhfzyg+fr0fGJYbswDQYJKoZIhvcNAQEL
BQAwGzEZMBcGA1UEAwwQc3RvcmVpZHAtZnV6ei1zcDAgFw0yNjExMzAyMTMxNDNa
GA8yMTI2MTEwNjIxMzE0M1owGzEZMBcGA1UEAwwQc3RvcmVpZHAtZnV6ei1zcDCC
ASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAJ/aEqIozfBe/sYgBbiIS8O9
Dwh0+/NLgkGHEVeJwL8Lo1HVqvGCbIbuhEy1NEG13g09PxjflpqL/unZ+E+ySojI
kQ6YDnGg2P7bgA/BjymbNyGsSksuZUJFk7Ir6ea3w+hMQM9/+JdW+hTQ2EA6cCFq
hGIw5LzYmAwOORuUb8pWyvB/c2KzJQzDiQszwQ5HOCqQCtsCQqm9KFQElf6EQdN6
1SU/yqGUhhndVszFmpULmxeO8J4bBnVuw7PY7P6+bwNjIdrDuKFpd0Cz4UkXbxig
mTbzYwCgz6j39maYnxg33W78LashMeF8DyMXSAcHuYf6NB1QnR9pEI8PD27YuQsC
AwEAAaNTMFEwHQYDVR0OBBYEFNhEJ4KPhrrj6DpY+gQzc+R4KD0aMB8GA1UdIwQY
MBaAFNhEJ4KPhrrj6DpY+gQzc+R4KD0aMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZI
hvcNAQELBQADggEBAE1G0aETFTUIpNQYqvbxDf5DXL772ngY/ftBH4S9REtXRL5/
I+AEzgtnfC62ZvsvSC5QicSPkxhHIlA0tSOumyETiTefJ0WqO2dM0zsMwA0MXlOj
stqYN2tFuGkCRuuMCWQNMQUtLgksAnPQMGiHcK8aLWAqb7f1xvOHon1W/YxDHeN9
tkg+XjCaPF1VJbpzSlCTFje2ZxyO+4Ed44UUZpo9no0YAe2e40/CakfuyIfvGnmg
5iWQBfZK1lVZuxcG2TEMRmS+gHnrggBA1NEmENbh6MVJnrMmyeUxDAx8zVJe0G2o
i/W8lY8U0LaGfqeYsR+9tjsDWP1kpthXa2lV8sg=
-----END CERTIFICATE-----
"""

    static let unsignedSP = ServiceProvider(
        slug: "warranty", name: "Warranty portal",
        settings: .saml(samlSettings(entityID: "https://warranty.example/sp", base: "https://warranty.example", wantSigned: false)))
    static let signedSP = ServiceProvider(
        slug: "academy", name: "Academy",
        settings: .saml(samlSettings(entityID: "https://academy.example/sp", base: "https://academy.example", wantSigned: true)))
    static let jwtSP = ServiceProvider(slug: "partner", name: "Partner",
                                       settings: .jwt(.init(algorithm: .rs256, redirectURL: "https://partner.example/sso")))

    /// The registry the validators look issuers up in.
    static func serviceProvider(issuer: String) -> ServiceProvider? {
        switch issuer {
        case unsignedSP.saml?.entityID: return unsignedSP
        case signedSP.saml?.entityID: return signedSP
        case "https://partner.example": return jwtSP
        default: return nil
        }
    }

    static func samlSettings(entityID: String, base: String, wantSigned: Bool) -> ServiceProvider.SAMLSettings {
        ServiceProvider.SAMLSettings(
            entityID: entityID,
            assertionConsumerServices: [.init(url: base + "/acs", binding: .httpPOST, index: 0, isDefault: true),
                                        .init(url: base + "/acs2", binding: .httpPOST, index: 3)],
            singleLogoutServices: [.init(url: base + "/slo", binding: .httpRedirect, responseURL: base + "/slo/response")],
            signingCertificates: [spCertificatePEM], encryptionCertificates: [spCertificatePEM],
            wantAuthnRequestsSigned: wantSigned)
    }

    /// HS256 secret and audience of the launch-token target (32 bytes, as the server requires).
    static let launchSecret = Data("storeidp-fuzz-launch-secret-0123".utf8)
    static let launchAudience = "https://id.store.example"
    /// The one registered storefront; the corpus's tokens and claims name it.
    static let storefront = Storefront(issuer: "https://shop.example", key: .hs256(.environment("FUZZ_LAUNCH_SECRET")))
    static let environment = ["FUZZ_LAUNCH_SECRET": String(decoding: launchSecret, as: UTF8.self)]
}
