import Foundation

/// Random identifiers and secrets. SAML IDs must not start with a digit (xs:ID is an NCName,
/// saml-core §1.3.4) and must be unguessable (saml-core §1.3.4: "…the probability of two randomly
/// chosen identifiers being identical MUST be less than or equal to 2^-128…").
public enum IdentifierGenerator {
    /// 32 random bytes, base64url: for CSRF tokens and other bearer secrets.
    public static func secret(byteCount: Int = 32) -> String {
        Base64URL.encode(RandomBytes.make(byteCount))
    }

    /// `_` + 40 hex digits (160 random bits): a SAML ID.
    public static func samlID() -> String {
        "_" + Hex.encode(RandomBytes.make(20))
    }
}

/// Random bytes from the system generator, eight at a time: drawing a whole word per byte (as
/// `UInt8.random(using:)` and `generator.next()` into a byte do) made one `getrandom(2)` system
/// call per byte of a SAML ID.
public enum RandomBytes {
    public static func make(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
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
