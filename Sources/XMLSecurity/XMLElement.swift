import CXMLSec
import Foundation

/// An element inside an ``XMLDocument``. It holds a strong reference to its
/// document, so the libxml2 node stays valid as long as the element value
/// exists — even after the element is removed from the tree (removed nodes
/// are kept, detached, until the document goes away).
///
/// Two values are equal when they denote the same node.
public struct XMLElement: Hashable {
    /// The owning document (kept alive by this value).
    public let document: XMLDocument
    let node: OpaquePointer

    init(document: XMLDocument, node: OpaquePointer) {
        self.document = document
        self.node = node
    }

    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool { lhs.node == rhs.node }
    public func hash(into hasher: inout Hasher) { hasher.combine(node) }

    // MARK: Reading

    /// The local part of the element name.
    public var localName: String { String(cString: cx_node_local_name(node)) }

    /// The namespace URI, or nil for an element in no namespace.
    public var namespaceURI: String? { cx_node_ns_uri(node).map { String(cString: $0) } }

    /// The prefix used in the document, or nil (default namespace / none).
    public var prefix: String? { cx_node_ns_prefix(node).map { String(cString: $0) } }

    /// The value of the unqualified attribute `name` (attributes in a namespace are not matched).
    public func attribute(_ name: String) -> String? {
        CXMLSecBridge.takeString(name.withCString { cx_node_attr(node, $0, nil) })
    }

    /// The value of the attribute `{namespace}name`.
    public func attribute(_ name: String, namespace: String) -> String? {
        CXMLSecBridge.takeString(name.withCString { n in namespace.withCString { cx_node_attr(node, n, $0) } })
    }

    /// Child elements in document order (text, comments and PIs are skipped).
    public var children: [XMLElement] {
        var result: [XMLElement] = []
        var cur = cx_node_first_element(node)
        while let c = cur {
            result.append(XMLElement(document: document, node: c))
            cur = cx_node_next_element(c)
        }
        return result
    }

    /// Child elements named `{namespace}localName` (nil namespace: no namespace).
    public func children(namespace: String?, localName: String) -> [XMLElement] {
        var result: [XMLElement] = []
        CXMLSecBridge.withOptionalCString(namespace) { ns in
            localName.withCString { ln in
                var cur = cx_node_first_element(node)
                while let c = cur {
                    if cx_node_is(c, ns, ln) != 0 { result.append(XMLElement(document: document, node: c)) }
                    cur = cx_node_next_element(c)
                }
            }
        }
        return result
    }

    /// The first child element named `{namespace}localName`.
    public func firstChild(namespace: String?, localName: String) -> XMLElement? {
        CXMLSecBridge.withOptionalCString(namespace) { ns in
            localName.withCString { ln -> XMLElement? in
                var cur = cx_node_first_element(node)
                while let c = cur {
                    if cx_node_is(c, ns, ln) != 0 { return XMLElement(document: document, node: c) }
                    cur = cx_node_next_element(c)
                }
                return nil
            }
        }
    }

    /// The parent element, or nil for the root or a removed element.
    public var parent: XMLElement? {
        cx_node_parent_element(node).map { XMLElement(document: document, node: $0) }
    }

    /// The concatenated text of this element and its descendants, entities resolved.
    public var textContent: String {
        CXMLSecBridge.takeString(cx_node_text(node)) ?? ""
    }

    /// Is this element `{namespace}localName`?
    public func isElement(namespace: String?, localName: String) -> Bool {
        CXMLSecBridge.withOptionalCString(namespace) { ns in
            localName.withCString { cx_node_is(node, ns, $0) != 0 }
        }
    }

    // MARK: Building (libxml2 escapes; never XML by string concatenation)

    /// Appends a new child element `{namespace}localName`. The namespace is
    /// declared on the child unless `prefix` is already bound to it in scope.
    @discardableResult
    public func addChild(namespace: String?, prefix: String? = nil, localName: String) throws(XMLSecurityError) -> XMLElement {
        var out: OpaquePointer?
        let rc = CXMLSecBridge.withOptionalCString(namespace) { ns in
            CXMLSecBridge.withOptionalCString(prefix) { pfx in
                localName.withCString { cx_node_add_child(document.handle, node, ns, pfx, $0, &out) }
            }
        }
        try CXMLSecBridge.check(rc)
        guard let out else { throw .internalError("no node returned") }
        return XMLElement(document: document, node: out)
    }

    /// Sets the unqualified attribute `name` (replacing any previous value).
    public func setAttribute(_ name: String, value: String) throws(XMLSecurityError) {
        try CXMLSecBridge.requireXMLText(value, what: "attribute \(name)")
        let rc = name.withCString { n in value.withCString { cx_node_set_attr(node, n, nil, nil, $0) } }
        try CXMLSecBridge.check(rc)
    }

    /// Sets the attribute `{namespace}name`, declaring `prefix` if needed.
    public func setAttribute(_ name: String, namespace: String, prefix: String, value: String) throws(XMLSecurityError) {
        try CXMLSecBridge.requireXMLText(value, what: "attribute \(name)")
        let rc = name.withCString { n in
            namespace.withCString { ns in
                prefix.withCString { p in value.withCString { cx_node_set_attr(node, n, ns, p, $0) } }
            }
        }
        try CXMLSecBridge.check(rc)
    }

    /// Removes the unqualified attribute `name` if present.
    public func removeAttribute(_ name: String) throws(XMLSecurityError) {
        try CXMLSecBridge.check(name.withCString { cx_node_remove_attr(node, $0, nil) })
    }

    /// Replaces the element's content with one text node (escaped on output).
    public func setText(_ text: String) throws(XMLSecurityError) {
        try CXMLSecBridge.requireXMLText(text, what: "text")
        try CXMLSecBridge.check(text.withCString { cx_node_set_text(document.handle, node, $0) })
    }

    /// Declares `xmlns:prefix="uri"` (or `xmlns="uri"` for a nil prefix) on this element.
    public func declareNamespace(_ uri: String, prefix: String?) throws(XMLSecurityError) {
        let rc = uri.withCString { u in CXMLSecBridge.withOptionalCString(prefix) { cx_node_declare_ns(node, u, $0) } }
        try CXMLSecBridge.check(rc)
    }

    /// Appends a deep copy of `element` (from any document) as the last child.
    /// The copy declares the namespaces it uses.
    @discardableResult
    public func appendCopy(of element: XMLElement) throws(XMLSecurityError) -> XMLElement {
        var out: OpaquePointer?
        let rc = withExtendedLifetime(element.document) {
            cx_node_append_copy(document.handle, node, element.node, &out)
        }
        try CXMLSecBridge.check(rc)
        guard let out else { throw .internalError("no node returned") }
        return XMLElement(document: document, node: out)
    }

    /// Removes the element from the tree. The value stays readable.
    public func remove() throws(XMLSecurityError) {
        try CXMLSecBridge.check(cx_node_detach(document.handle, node))
    }

    // MARK: Serialisation

    /// The element's markup exactly as held (no reformatting). Namespace
    /// declarations made on ancestors are not repeated.
    public func serialized() throws(XMLSecurityError) -> Data {
        var out: UnsafeMutablePointer<CChar>?
        var len = 0
        try CXMLSecBridge.check(cx_node_serialize(document.handle, node, &out, &len))
        guard let out else { throw .internalError("serialisation returned nothing") }
        defer { cx_free(out) }
        return Data(bytes: out, count: len)
    }

    /// ``serialized()`` as a String.
    public func serializedString() throws(XMLSecurityError) -> String {
        String(decoding: try serialized(), as: UTF8.self)
    }
}
