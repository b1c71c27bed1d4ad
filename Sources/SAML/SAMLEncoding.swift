import Foundation

/// Strict base64 and URL encoding for the bindings.
public enum SAMLEncoding {
    /// Decodes base64 strictly: only the RFC 4648 §4 alphabet with correct
    /// padding. ASCII whitespace (line breaks some SPs insert every 76
    /// characters) is skipped; anything else is refused.
    static func base64Decode(_ text: Substring, parameter: String, limit: Int) throws(SAMLRequestError) -> Data {
        if text.utf8.count > limit { throw .messageTooLarge(limit: limit) }
        var compact = [UInt8]()
        compact.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
                compact.append(byte)
            default:
                throw .malformedBase64(parameter: parameter)
            }
        }
        guard !compact.isEmpty, compact.count % 4 == 0,
              let data = Data(base64Encoded: Data(compact)), !data.isEmpty else {
            throw .malformedBase64(parameter: parameter)
        }
        return data
    }

    /// Percent-decodes one query or form value (RFC 3986 §2.1). With
    /// `plusIsSpace`, "+" means a space (application/x-www-form-urlencoded);
    /// base64 values keep "+", since a space is never base64.
    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let h = iterator.next().flatMap(hexValue), let l = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(h << 4 | l)
            } else if byte == UInt8(ascii: "+") && plusIsSpace {
                bytes.append(0x20)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - 0x30
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - 0x57
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - 0x37
        default: return nil
        }
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, so the
    /// exact octets signed are the octets sent (saml-bindings §3.4.4.1). OAuth query values use
    /// the same encoding.
    public static func percentEncode(_ text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count * 3 / 2)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%")); out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
