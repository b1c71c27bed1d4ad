import CXMLSec
import Foundation

/// An XML document held in libxml2, the one tree that is parsed, verified,
/// read, signed and encrypted (DESIGN: one parser for everything; two parsers
/// that disagree are where signature wrapping lives).
///
/// Not thread-safe: use a document from one task at a time. Keys and
/// certificates, in contrast, are shared freely.
///
/// ```swift
/// let doc = try XMLDocument(parsing: body)
/// let response = try XMLSignatureVerifier.verify(signedElement: doc.rootElement!, trustedCertificates: [cert])
/// ```
public final class XMLDocument {
    let handle: OpaquePointer

    /// Parses untrusted XML with the hardening every SAML endpoint needs:
    /// a DOCTYPE is refused outright (``XMLSecurityError/doctypeForbidden``), so
    /// no entity is declared or expanded and no external DTD is read; no
    /// network access; no XInclude; the size and nesting depth are capped.
    /// Whitespace is kept exactly: signatures cover it (xmldsig-core §4.3.3.2).
    public init(parsing data: Data, limits: XMLParseLimits = .default) throws(XMLSecurityError) {
        try CXMLSecBridge.initialize()
        if data.count > limits.maxBytes { throw .tooLarge(limit: limits.maxBytes) }
        var out: OpaquePointer?
        let rc = data.withUnsafeBytes { raw in
            cx_doc_parse(raw.bindMemory(to: CChar.self).baseAddress, raw.count,
                         limits.maxBytes, Int32(clamping: limits.maxDepth), &out)
        }
        guard rc == CX_OK, let out else { throw CXMLSecBridge.error(for: rc, limits: limits) }
        handle = out
    }

    /// Parses a UTF-8 string; see ``init(parsing:limits:)-(Data,_)``.
    public convenience init(parsing string: String, limits: XMLParseLimits = .default) throws(XMLSecurityError) {
        try self.init(parsing: Data(string.utf8), limits: limits)
    }

    /// Creates a new document whose root element is `{namespace}localName`,
    /// declared with `prefix` (nil: default namespace).
    public init(rootNamespace namespace: String?, prefix: String? = nil, rootName localName: String) throws(XMLSecurityError) {
        try CXMLSecBridge.initialize()
        var out: OpaquePointer?
        let rc = CXMLSecBridge.withOptionalCString(namespace) { ns in
            CXMLSecBridge.withOptionalCString(prefix) { pfx in
                localName.withCString { cx_doc_create(ns, pfx, $0, &out) }
            }
        }
        guard rc == CX_OK, let out else { throw CXMLSecBridge.error(for: rc) }
        handle = out
    }

    deinit {
        cx_doc_free(handle)
    }

    /// The document element.
    public var rootElement: XMLElement? {
        guard let node = cx_doc_root(handle) else { return nil }
        return XMLElement(document: self, node: node)
    }

    /// The document as UTF-8 bytes with an XML declaration, exactly as held
    /// (no pretty-printing, which would break signatures).
    public func serialized() throws(XMLSecurityError) -> Data {
        var out: UnsafeMutablePointer<CChar>?
        var len = 0
        try CXMLSecBridge.check(cx_doc_serialize(handle, &out, &len))
        guard let out else { throw .internalError("serialisation returned nothing") }
        defer { cx_free(out) }
        return Data(bytes: out, count: len)
    }

    /// ``serialized()`` as a String.
    public func serializedString() throws(XMLSecurityError) -> String {
        String(decoding: try serialized(), as: UTF8.self)
    }
}
