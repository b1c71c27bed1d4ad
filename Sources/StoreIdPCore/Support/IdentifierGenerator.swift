import Foundation

/// Random identifiers and secrets. SAML IDs must not start with a digit (xs:ID is an NCName,
/// saml-core §1.3.4) and must be unguessable (saml-core §1.3.4: "…the probability of two randomly
/// chosen identifiers being identical MUST be less than or equal to 2^-128…").
public enum IdentifierGenerator {
    /// 32 random bytes, base64url: for CSRF tokens and other bearer secrets.
    public static func secret(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// `_` + 40 hex digits (160 random bits): a SAML ID.
    public static func samlID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "_" + (0..<20).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
