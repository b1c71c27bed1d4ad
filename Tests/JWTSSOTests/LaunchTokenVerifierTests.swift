import Crypto
import _CryptoExtras
import Foundation
import JWTKit
@testable import JWTSSO
import StoreIdPCore
import XCTest

final class LaunchTokenVerifierTests: XCTestCase {
    static let audience = "https://id.shop.example"
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let shopSecret = String(repeating: "s", count: 32)
    let outletSecret = String(repeating: "o", count: 40)
    var environment: [String: String] { ["SHOP_SECRET": shopSecret, "OUTLET_SECRET": outletSecret] }

    static let rsaKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let ecKey = P256.Signing.PrivateKey()

    var storefronts: [Storefront] {
        [Storefront(issuer: "https://shop.example", key: .hs256(.environment("SHOP_SECRET"))),
         Storefront(issuer: "https://outlet.example", key: .hs256(.environment("OUTLET_SECRET"))),
         Storefront(issuer: "https://rsa.example", key: .rs256(publicKeyPEM: Self.rsaKey.publicKey.pemRepresentation)),
         Storefront(issuer: "https://ec.example", key: .es256(publicKeyPEM: Self.ecKey.publicKey.pemRepresentation))]
    }

    func verifier() throws -> LaunchTokenVerifier {
        try LaunchTokenVerifier(audience: Self.audience, storefronts: storefronts, environment: environment)
    }

    func claims(iss: String, iat: Any? = nil, exp: Any? = nil) -> [String: Any] {
        let issued = Int(now.timeIntervalSince1970)
        return ["iss": iss, "aud": Self.audience, "sub": "42", "email": "ann@shop.example", "group": "Wholesale",
                "iat": iat ?? issued, "exp": exp ?? issued + 60, "jti": UUID().uuidString]
    }

    enum Signer {
        case hs256(String)
        case rs256(_RSA.Signing.PrivateKey)
        case es256(P256.Signing.PrivateKey)
        case none
        /// HS256 keyed with arbitrary bytes (the public-key-as-secret confusion attack).
        case hs256Bytes(Data)
    }

    func token(_ claims: [String: Any], _ signer: Signer, alg: String? = nil) throws -> String {
        let defaultAlg: String
        switch signer {
        case .hs256, .hs256Bytes: defaultAlg = "HS256"
        case .rs256: defaultAlg = "RS256"
        case .es256: defaultAlg = "ES256"
        case .none: defaultAlg = "none"
        }
        let header = try JSONSerialization.data(withJSONObject: ["alg": alg ?? defaultAlg, "typ": "JWT"], options: .sortedKeys)
        let payload = try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys)
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let data = Data(input.utf8)
        let signature: Data
        switch signer {
        case let .hs256(secret): signature = Data(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: Data(secret.utf8))))
        case let .hs256Bytes(bytes): signature = Data(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: bytes)))
        case let .rs256(key): signature = try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation
        case let .es256(key): signature = try key.signature(for: SHA256.hash(data: data)).rawRepresentation
        case .none: signature = Data()
        }
        return input + "." + Base64URL.encode(signature)
    }

    func rejection(_ token: String) async throws -> LaunchTokenVerifier.Rejection? {
        let verifier = try verifier()
        do {
            _ = try await verifier.verify(token, now: now)
            return nil
        } catch {
            return error
        }
    }

    func testUnknownIssuerIsRefused() async throws {
        let result = try await rejection(token(claims(iss: "https://stranger.example"), .hs256(shopSecret)))
        XCTAssertEqual(result, .unknownIssuer("https://stranger.example"))
        XCTAssertEqual(result?.description, "the launch token comes from 'https://stranger.example', which is not a registered storefront")
    }

    func testHS256StorefrontAcceptsItsOwnTokenAndNotOneSignedWithAnotherStorefrontsSecret() async throws {
        let accepted = try await verifier().verify(token(claims(iss: "https://shop.example"), .hs256(shopSecret)), now: now)
        XCTAssertEqual(accepted.iss, "https://shop.example")
        XCTAssertEqual(try verifier().storefront(issuer: accepted.iss)?.issuer, "https://shop.example")
        let outlet = try await verifier().verify(token(claims(iss: "https://outlet.example"), .hs256(outletSecret)), now: now)
        XCTAssertEqual(outlet.iss, "https://outlet.example")
        let forged = try await rejection(token(claims(iss: "https://shop.example"), .hs256(outletSecret)))
        XCTAssertEqual(forged, .badSignature, "the outlet cannot speak for the shop")
    }

    func testHS256SecretThatIsNoLongerSetVerifiesNothing() async throws {
        let verifier = try LaunchTokenVerifier(audience: Self.audience, storefronts: storefronts, environment: [:])
        let token = try token(claims(iss: "https://shop.example"), .hs256(shopSecret))
        do {
            _ = try await verifier.verify(token, now: now)
            XCTFail("verified without a secret")
        } catch {
            XCTAssertEqual(error, .badSignature)
        }
    }

    func testRS256StorefrontAcceptsItsTokenAndRefusesTheHMACConfusion() async throws {
        let accepted = try await verifier().verify(token(claims(iss: "https://rsa.example"), .rs256(Self.rsaKey)), now: now)
        XCTAssertEqual(accepted.iss, "https://rsa.example")
        // A token minted by jwt-kit (another implementation) verifies too.
        let keys = JWTKeyCollection()
        await keys.add(rsa: try Insecure.RSA.PrivateKey(backing: Self.rsaKey), digestAlgorithm: .sha256)
        let payload = LaunchToken(iss: "https://rsa.example", aud: Self.audience, sub: "42", email: "ann@shop.example",
                                  iat: Int(now.timeIntervalSince1970), exp: Int(now.timeIntervalSince1970) + 60, jti: "j1")
        let minted = try await keys.sign(payload)
        let fromJWTKit = try await verifier().verify(minted, now: now)
        XCTAssertEqual(fromJWTKit, payload)

        let publicPEM = Data(Self.rsaKey.publicKey.pemRepresentation.utf8)
        let confused = try await rejection(token(claims(iss: "https://rsa.example"), .hs256Bytes(publicPEM)))
        XCTAssertEqual(confused, .algorithmNotAllowed("HS256"))
        let otherKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let wrongKey = try await rejection(token(claims(iss: "https://rsa.example"), .rs256(otherKey)))
        XCTAssertEqual(wrongKey, .badSignature)
    }

    func testES256StorefrontAcceptsItsTokenAndRefusesTheHMACConfusion() async throws {
        let accepted = try await verifier().verify(token(claims(iss: "https://ec.example"), .es256(Self.ecKey)), now: now)
        XCTAssertEqual(accepted.iss, "https://ec.example")
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(backing: Self.ecKey))
        let payload = LaunchToken(iss: "https://ec.example", aud: Self.audience, sub: "42", email: "ann@shop.example",
                                  iat: Int(now.timeIntervalSince1970), exp: Int(now.timeIntervalSince1970) + 60, jti: "j2")
        let fromJWTKit = try await verifier().verify(try await keys.sign(payload), now: now)
        XCTAssertEqual(fromJWTKit, payload)

        for secret in [Self.ecKey.publicKey.pemRepresentation, Self.ecKey.publicKey.derRepresentation.base64EncodedString()] {
            let confused = try await rejection(token(claims(iss: "https://ec.example"), .hs256Bytes(Data(secret.utf8))))
            XCTAssertEqual(confused, .algorithmNotAllowed("HS256"))
        }
        let wrong = try await rejection(token(claims(iss: "https://ec.example"), .es256(P256.Signing.PrivateKey())))
        XCTAssertEqual(wrong, .badSignature)
        let rsaSignedForEC = try await rejection(token(claims(iss: "https://ec.example"), .rs256(Self.rsaKey)))
        XCTAssertEqual(rsaSignedForEC, .algorithmNotAllowed("RS256"))
    }

    func testNoneAndUnknownAlgorithmsAreRefused() async throws {
        let none = try await rejection(token(claims(iss: "https://shop.example"), .none))
        XCTAssertEqual(none, .algorithmNotAllowed("none"))
        let hs512 = try await rejection(token(claims(iss: "https://shop.example"), .hs256(shopSecret), alg: "HS512"))
        XCTAssertEqual(hs512, .algorithmNotAllowed("HS512"))
    }

    func testExtremeTimesAreRefusedWithoutTrapping() async throws {
        let issued = Int(now.timeIntervalSince1970)
        let cases: [(iat: Any, exp: Any, claim: String)] = [
            (Int.max, issued + 60, "iat"), (issued, Int.max, "exp"),
            (Int.min, issued + 60, "iat"), (issued, Int.min, "exp"),
            (Int.min, Int.max, "iat"), (Int.max, Int.min, "iat"),
            (-1, issued + 60, "iat"), (issued, -60, "exp"),
            (253_402_300_800, 253_402_300_800, "iat"), (issued, 1e30, "exp"),
            (issued, "tomorrow", "exp"), (Double(issued) + 0.5, issued + 60, "iat"),
        ]
        for (iat, exp, claim) in cases {
            let result = try await rejection(token(claims(iss: "https://shop.example", iat: iat, exp: exp), .hs256(shopSecret)))
            XCTAssertEqual(result, .invalidTime(claim), "iat \(iat), exp \(exp)")
        }
        let backwards = try await rejection(token(claims(iss: "https://shop.example", iat: issued, exp: issued - 10), .hs256(shopSecret)))
        XCTAssertEqual(backwards, .invalidTime("exp"))
        let long = try await rejection(token(claims(iss: "https://shop.example", iat: issued, exp: issued + 121), .hs256(shopSecret)))
        XCTAssertEqual(long, .lifetimeTooLong(121))
        let expired = try await rejection(token(claims(iss: "https://shop.example", iat: 0, exp: 60), .hs256(shopSecret)))
        XCTAssertEqual(expired, .expired)
        let last = LaunchToken.validTimes.upperBound
        let future = try await rejection(token(claims(iss: "https://shop.example", iat: last - 60, exp: last), .hs256(shopSecret)))
        XCTAssertEqual(future, .notYetValid)
    }

    func testExtremeClockReadingsDoNotTrap() async throws {
        let token = try token(claims(iss: "https://shop.example"), .hs256(shopSecret))
        let verifier = try verifier()
        for reading in [Date.distantFuture, Date.distantPast, Date(timeIntervalSince1970: 1e300), Date(timeIntervalSince1970: -1e300)] {
            do {
                _ = try await verifier.verify(token, now: reading)
                XCTFail("accepted at \(reading)")
            } catch {
                XCTAssertTrue(error == .expired || error == .notYetValid, "\(error)")
            }
        }
    }

    func testMissingIssuerIsNamed() async throws {
        var body = claims(iss: "x")
        body["iss"] = nil
        let result = try await rejection(token(body, .hs256(shopSecret)))
        XCTAssertEqual(result, .missingClaim("iss"))
    }
}

final class StorefrontEnvironmentTests: XCTestCase {
    func testShorthandNeedsBothVariablesAndALongSecret() throws {
        XCTAssertNil(try Storefront.fromEnvironment([:]))
        let secret = String(repeating: "k", count: 32)
        let storefront = try XCTUnwrap(Storefront.fromEnvironment(["STOREIDP_LAUNCH_SECRET": secret, "STOREIDP_LAUNCH_ISSUER": "https://shop.example"]))
        XCTAssertEqual(storefront.issuer, "https://shop.example")
        XCTAssertEqual(storefront.key, .hs256(.environment("STOREIDP_LAUNCH_SECRET")))
        XCTAssertEqual(storefront.trustedFields, [])
        XCTAssertThrowsError(try Storefront.fromEnvironment(["STOREIDP_LAUNCH_SECRET": secret])) {
            XCTAssertEqual(($0 as? ProviderValidationError)?.path, "STOREIDP_LAUNCH_ISSUER")
        }
        XCTAssertThrowsError(try Storefront.fromEnvironment(["STOREIDP_LAUNCH_ISSUER": "https://shop.example"])) {
            XCTAssertEqual(($0 as? ProviderValidationError)?.path, "STOREIDP_LAUNCH_SECRET")
        }
        XCTAssertThrowsError(try Storefront.fromEnvironment(["STOREIDP_LAUNCH_SECRET": "short", "STOREIDP_LAUNCH_ISSUER": "https://shop.example"])) {
            XCTAssertTrue("\($0)".contains("at least 32"), "\($0)")
        }
    }
}
