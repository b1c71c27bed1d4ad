import Crypto
import Foundation
import StoreIdPCore

/// Proof Key for Code Exchange (RFC 7636) with the S256 method only (§4.2; RFC 9700 §2.1.1
/// discourages `plain`).
public enum ProofKey {
    /// RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
    public static func isValidVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count) && verifier.utf8.allSatisfy(isUnreserved)
    }

    /// RFC 7636 §4.2: a S256 challenge is BASE64URL(SHA256(verifier)), 43 characters.
    public static func isValidChallenge(_ challenge: String) -> Bool {
        challenge.utf8.count == 43 && challenge.utf8.allSatisfy(isUnreserved)
    }

    /// RFC 7636 §4.6: whether `verifier` hashes to `challenge`, compared in constant time.
    public static func verifier(_ verifier: String, matches challenge: String) -> Bool {
        guard isValidVerifier(verifier) else { return false }
        let computed = Base64URL.encode(SHA256.hash(data: Data(verifier.utf8)))
        return ConstantTime.equals(computed, challenge)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}

/// Opaque bearer values (authorization codes, refresh tokens) are kept only as their SHA-256, so
/// a copy of the database holds nothing a client could present (RFC 9700 §4.14; RFC 6749 §10.3).
public enum OpaqueTokenDigest {
    public static func of(_ token: String) -> String { Base64URL.encode(SHA256.hash(data: Data(token.utf8))) }
}
