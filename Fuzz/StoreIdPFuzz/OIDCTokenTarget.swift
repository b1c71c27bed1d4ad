import Foundation
import JWTSSO
import SignOn
import StoreIdPCore

/// What the token, userinfo and logout endpoints read from outside: the first line as an HTTP
/// Basic `Authorization` header (RFC 6749 §2.3.1), the rest as the form body, and the whole input
/// as a bearer JWT (an access token at userinfo, an `id_token_hint` at logout) checked against a
/// key ring.
enum OIDCTokenTarget {
    static let keyRing: KeyRing = {
        let factory = SigningKeyFactory(commonName: "fuzz")
        let rsa = try! factory.makeKey(algorithm: .rs256, state: .active, now: FuzzFixtures.now)
        let ec = try! factory.makeKey(algorithm: .es256, state: .active, now: FuzzFixtures.now)
        return KeyRing(keys: [rsa, ec])
    }()
    static let verifier = OwnTokenVerifier()

    static func run(_ input: Data) -> String {
        let text = String(decoding: input, as: UTF8.self)
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        var outcome: [String] = []
        do {
            let credentials = try OIDCTokenExchange.ClientCredentials(authorizationHeader: String(lines[0]))
            outcome.append("basic \(credentials.clientID.count)")
        } catch {
            outcome.append("basic refused: \(error.code.rawValue)")
        }
        let form = OAuthParameters(formEncoded: lines.count > 1 ? String(lines[1]) : nil)
        outcome.append("form \(form.values.count) \(form.malformed)")
        do {
            let claims = try verifier.verify(text, type: OpenIDTokenSigner.accessTokenType, keyRing: keyRing)
            outcome.append("token verified with \(claims.count) claims")
        } catch {
            outcome.append("token refused: \(error)")
        }
        if let verifier = lines.first.map(String.init) {
            outcome.append("pkce \(ProofKey.verifier(verifier, matches: String(repeating: "A", count: 43)))")
        }
        return outcome.joined(separator: "; ")
    }
}
