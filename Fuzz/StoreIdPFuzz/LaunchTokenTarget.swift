import Crypto
import Foundation
import JWTSSO

/// `GET /launch/{slug}?token=…`: the launch token through `LaunchTokenVerifier`. Each input is
/// tried twice: as the token itself (header, base64url, signature checks), and as the claims
/// of a token signed here with the fixture secret, so that mutated claims get past the
/// signature and reach the claim checks a storefront's token would.
enum LaunchTokenTarget {
    static let verifier: LaunchTokenVerifier = try! LaunchTokenVerifier(
        audience: FuzzFixtures.launchAudience, storefronts: [FuzzFixtures.storefront], environment: FuzzFixtures.environment)

    static func run(_ input: Data) -> String {
        let asToken = verify(String(decoding: input, as: UTF8.self))
        guard input.count <= LaunchTokenVerifier.maximumTokenBytes / 2 else { return "as token: \(asToken)" }
        return "as token: \(asToken); as claims: \(verify(signed(claims: input)))"
    }

    static func verify(_ token: String) -> String {
        let verifier = self.verifier
        return Blocking.run {
            do {
                let claims = try await verifier.verify(token, now: FuzzFixtures.now)
                return "accepted \(claims.profile.email)"
            } catch {
                return "refused: \(error)"
            }
        }
    }

    /// An HS256 JWS (RFC 7515 §3.1 compact serialisation) over `claims` as they are.
    static func signed(claims: Data) -> String {
        let header = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let signingInput = header + "." + base64URL(claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: FuzzFixtures.launchSecret))
        return signingInput + "." + base64URL(Data(mac))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
