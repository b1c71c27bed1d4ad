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
        var bytes = [UInt8](repeating: 0, count: 20)
        for index in bytes.indices { bytes[index] = generator.next() }
        return "_" + Hex.encode(bytes)
    }
}

/// Lower-case hexadecimal, without Foundation's formatting machinery (IDs are made on every response).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
