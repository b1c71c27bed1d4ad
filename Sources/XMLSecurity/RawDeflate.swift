import CLibXMLSec  // autolinks zlib (module.modulemap `link "z"`); its header is empty
import CXMLSec
import Foundation

/// Raw DEFLATE (RFC 1951: no zlib or gzip wrapper), the compression of the
/// SAML HTTP-Redirect binding (saml-bindings §3.4.4.1: "the SAML protocol
/// message is … compressed using the DEFLATE compression method").
///
/// Inflation has a hard output cap: a few kilobytes of DEFLATE can expand to
/// gigabytes, so an attacker's "deflate bomb" stops at `limit` bytes.
///
/// ```swift
/// let xml = try RawDeflate.inflate(compressed)            // at most 1 MiB
/// let compressed = try RawDeflate.deflate(Data(xml.utf8))
/// ```
public enum RawDeflate {
    /// 1 MiB, the same bound as ``XMLParseLimits/default``.
    public static let defaultLimit = 1 << 20

    /// Inflates `data`, refusing output larger than `limit` bytes, corrupt
    /// or truncated input, and bytes after the end of the stream.
    public static func inflate(_ data: Data, limit: Int = defaultLimit) throws(RawDeflateError) -> Data {
        try? CXMLSecBridge.initialize()
        var out: UnsafeMutablePointer<UInt8>?
        var len = 0
        let rc = CXMLSecBridge.withBytes(data) { p, n in cx_inflate_raw(p, n, max(0, limit), &out, &len) }
        defer { if let out { cx_free(out) } }
        switch rc {
        case CX_OK:
            guard let out else { return Data() }
            return Data(bytes: out, count: len)
        case CX_E_INFLATE_LIMIT: throw .limitExceeded(limit: limit)
        case CX_E_NOMEM: throw .outOfMemory
        default: throw .corrupt(CXMLSecBridge.lastError())
        }
    }

    /// Compresses `data` with raw DEFLATE at the default level.
    public static func deflate(_ data: Data) throws(RawDeflateError) -> Data {
        try? CXMLSecBridge.initialize()
        var out: UnsafeMutablePointer<UInt8>?
        var len = 0
        let rc = CXMLSecBridge.withBytes(data) { p, n in cx_deflate_raw(p, n, &out, &len) }
        defer { if let out { cx_free(out) } }
        guard rc == CX_OK, let out else {
            throw rc == CX_E_NOMEM ? .outOfMemory : .corrupt(CXMLSecBridge.lastError())
        }
        return Data(bytes: out, count: len)
    }
}

/// Why ``RawDeflate`` failed.
public enum RawDeflateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data inflates to more than `limit` bytes (a deflate bomb, or a message far larger than SAML needs).
    case limitExceeded(limit: Int)
    /// The data is not a complete raw DEFLATE stream; the detail comes from zlib.
    case corrupt(String)
    /// Memory could not be allocated.
    case outOfMemory

    public var description: String {
        switch self {
        case .limitExceeded(let limit): return "the compressed message inflates to more than \(limit) bytes"
        case .corrupt(let m): return "the message is not valid raw DEFLATE data: \(m)"
        case .outOfMemory: return "out of memory while (de)compressing"
        }
    }
}
