// Signing throughput of StoreIdP's hot paths, next to what OpenSSL does on the same machine in
// the same run: signed SAML responses per second on one core against `openssl speed rsa2048`
// signs per second, and JWTs per second (HS256, RS256) against raw HMAC-SHA256 and RSA-2048.
//
//   Benchmarks/signing.sh [seconds-per-measurement]
//
// `signing.sh` runs `openssl speed` itself and passes its rates in (OPENSSL_RSA2048_SIGNS,
// OPENSSL_HMAC_SHA256_256B): started from a Swift process, `openssl speed` inherits a signal
// mask that blocks the SIGALRM its timer relies on, and never stops.
import Foundation
import JWTSSO
import SAML
import StoreIdPCore
import XMLSecurity

let seconds = Double(CommandLine.arguments.dropFirst().first ?? "") ?? 5

/// Runs `body` on this thread for `seconds`, returning operations per second.
func rate(_ name: String, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<20 { try body() }
    var count = 0
    let start = Date()
    while Date().timeIntervalSince(start) < seconds {
        try body()
        count += 1
    }
    let perSecond = Double(count) / Date().timeIntervalSince(start)
    report(name, perSecond)
    return perSecond
}

func asyncRate(_ name: String, _ body: () async throws -> Void) async rethrows -> Double {
    for _ in 0..<20 { try await body() }
    var count = 0
    let start = Date()
    while Date().timeIntervalSince(start) < seconds {
        try await body()
        count += 1
    }
    let perSecond = Double(count) / Date().timeIntervalSince(start)
    report(name, perSecond)
    return perSecond
}


/// One result line: the name padded to a column, the rate right-aligned.
func report(_ name: String, _ perSecond: Double?) {
    let rate = perSecond.map { String(Int($0.rounded())) } ?? "n/a"
    print(name.padding(toLength: 46, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(0, 10 - rate.count)) + rate + " /s")
}

/// A rate `openssl speed` measured in the same run (see the header).
func opensslRate(_ variable: String) -> Double? {
    ProcessInfo.processInfo.environment[variable].flatMap(Double.init)
}

let now = Date()
let signingKey = try SigningKeyFactory(commonName: "bench.storeidp").makeKey(state: .active, now: now)
let ecKey = try SigningKeyFactory(commonName: "bench.storeidp").makeKey(algorithm: .es256, state: .active, now: now)
let xmlKey = try XMLSigningKey(privateKeyPEM: signingKey.privateKeyPEM, certificatePEM: signingKey.certificatePEM)
let customer = Customer(email: try EmailAddress("ann@shop.example"), firstName: "Ann", lastName: "Lee", group: "Retail",
                        segments: ["vip"], createdAt: now, updatedAt: now)
let provider = ServiceProvider(
    slug: "warranty", name: "Warranty portal",
    settings: .saml(.init(entityID: "https://warranty.example/sp", assertionConsumerServices: [.init(url: "https://warranty.example/acs", isDefault: true)])))
let payload = try ProvisioningPayload(mapping: .standard, context: .init(customer: customer, serviceProvider: provider, pairwiseID: "p", now: now, authTime: now))
let identityProvider = IdentityProvider(baseURL: "https://id.shop.example")
let builder = SAMLResponseBuilder(identityProvider: identityProvider, signingKey: xmlKey)

print("StoreIdP signing benchmark, \(seconds) s per measurement, one core")
print("-- SAML (issue: at least 60 % of openssl's RSA-2048 sign rate)")
let samlRate = try rate("signed IdP-initiated SAML responses") {
    _ = try builder.build(.init(serviceProvider: provider, acsURL: "https://warranty.example/acs", inResponseTo: nil,
                                nameID: SAMLNameID(value: customer.email.value, format: ServiceProvider.SAMLSettings.NameIDFormat.email.rawValue),
                                payload: payload, now: now, authnInstant: now, sessionIndex: "_s1"))
}
let rsaRate = opensslRate("OPENSSL_RSA2048_SIGNS")
report("openssl speed rsa2048 signs", rsaRate)
if let rsaRate { print(String(format: "SAML responses / openssl RSA signs: %.0f %%", 100 * samlRate / rsaRate)) }

print("-- JWT")
let keys = SigningKeyCache()
let issuer = PartnerTokenIssuer(issuer: "https://id.shop.example", keys: keys)
let ring = KeyRing(keys: [signingKey, ecKey])
let benchEnvironment = ["BENCH_SECRET": "bench-shared-secret-0123456789-abcdef"]
let hsProvider = ServiceProvider(slug: "academy", name: "Academy",
                                 settings: .jwt(.init(algorithm: .hs256, secret: .environment("BENCH_SECRET"), redirectURL: "https://academy.example/sso")))
var rsProvider = hsProvider
rsProvider.settings = .jwt(.init(algorithm: .rs256, redirectURL: "https://academy.example/sso"))
let claims = issuer.claims(provider: hsProvider, subject: customer.email.value, payload: payload, now: now, jti: "j")
let hsRate = try await asyncRate("HS256 JWTs issued") { _ = try await issuer.sign(claims, provider: hsProvider, keyRing: ring, environment: benchEnvironment) }
let rsRate = try await asyncRate("RS256 JWTs issued") { _ = try await issuer.sign(claims, provider: rsProvider, keyRing: ring) }
let hmacRate = opensslRate("OPENSSL_HMAC_SHA256_256B")
report("openssl speed hmac(sha256), 256-byte inputs", hmacRate)
report("openssl speed rsa2048 signs", rsaRate)
if let rsaRate { print(String(format: "RS256 JWTs / openssl RSA signs: %.0f %%", 100 * rsRate / rsaRate)) }
if let hmacRate { print(String(format: "HS256 JWTs / openssl HMACs: %.1f %%", 100 * hsRate / hmacRate)) }
