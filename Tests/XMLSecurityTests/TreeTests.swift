import Foundation
import XCTest
@testable import XMLSecurity

final class TreeTests: XCTestCase {
    func testWalk() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        let root = try XCTUnwrap(doc.rootElement)
        XCTAssertEqual(root.localName, "Response")
        XCTAssertEqual(root.namespaceURI, NS.protocolNS)
        XCTAssertEqual(root.prefix, "samlp")
        XCTAssertEqual(root.attribute("ID"), "_r1")
        XCTAssertNil(root.attribute("Missing"))
        XCTAssertEqual(root.children.map(\.localName), ["Issuer", "Assertion"])
        let assertion = try XCTUnwrap(root.firstChild(namespace: NS.assertion, localName: "Assertion"))
        XCTAssertEqual(assertion.parent, root)
        XCTAssertEqual(assertion.children(namespace: NS.assertion, localName: "Issuer").count, 1)
        XCTAssertNil(root.firstChild(namespace: NS.protocolNS, localName: "Assertion"))
        let nameID = assertion.firstChild(namespace: NS.assertion, localName: "Subject")?
            .firstChild(namespace: NS.assertion, localName: "NameID")
        XCTAssertEqual(nameID?.textContent, "alice@example.com")
    }

    func testNamespacedAttribute() throws {
        let doc = try XMLDocument(parsing: #"<r xmlns:x="urn:x" x:a="1" a="2"/>"#)
        XCTAssertEqual(doc.rootElement?.attribute("a"), "2")
        XCTAssertEqual(doc.rootElement?.attribute("a", namespace: "urn:x"), "1")
        XCTAssertNil(doc.rootElement?.namespaceURI)
    }

    func testBuildEscapesTextAndAttributes() throws {
        let doc = try XMLDocument(rootNamespace: NS.protocolNS, prefix: "samlp", rootName: "Response")
        let root = try XCTUnwrap(doc.rootElement)
        try root.declareNamespace(NS.assertion, prefix: "saml")
        try root.setAttribute("ID", value: "_x\"<&>")
        let issuer = try root.addChild(namespace: NS.assertion, prefix: "saml", localName: "Issuer")
        try issuer.setText("a < b & c ]]> \"d\"")
        let attr = try root.addChild(namespace: NS.assertion, prefix: "saml", localName: "Attribute")
        try attr.setAttribute("type", namespace: "http://www.w3.org/2001/XMLSchema-instance", prefix: "xsi", value: "xs:string")
        let xml = try doc.serializedString()
        XCTAssertTrue(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), xml)
        XCTAssertTrue(xml.contains("ID=\"_x&quot;&lt;&amp;&gt;\""), xml)
        XCTAssertTrue(xml.contains("<saml:Issuer>a &lt; b &amp; c ]]&gt; \"d\"</saml:Issuer>"), xml)
        XCTAssertTrue(xml.contains("xsi:type=\"xs:string\""), xml)
        XCTAssertEqual(xml.components(separatedBy: "xmlns:saml=").count, 2, "namespace declared once: \(xml)")

        let reparsed = try XMLDocument(parsing: xml)
        XCTAssertEqual(reparsed.rootElement?.attribute("ID"), "_x\"<&>")
        XCTAssertEqual(reparsed.rootElement?.firstChild(namespace: NS.assertion, localName: "Issuer")?.textContent,
                       "a < b & c ]]> \"d\"")
        XCTAssertEqual(reparsed.rootElement?.children.last?.attribute("type", namespace: "http://www.w3.org/2001/XMLSchema-instance"), "xs:string")
    }

    func testInvalidNamesAndCharactersAreRefused() throws {
        let doc = try XMLDocument(rootNamespace: nil, rootName: "r")
        let root = try XCTUnwrap(doc.rootElement)
        XCTAssertThrowsXMLSecurityError(try root.addChild(namespace: nil, localName: "a b"), "invalidArgument") {
            if case .invalidArgument = $0 { return true } else { return false }
        }
        XCTAssertThrowsXMLSecurityError(try root.setText("bell\u{7}"), "invalidArgument") {
            if case .invalidArgument = $0 { return true } else { return false }
        }
        XCTAssertThrowsXMLSecurityError(try XMLDocument(rootNamespace: nil, rootName: "1abc"), "invalidArgument") {
            if case .invalidArgument = $0 { return true } else { return false }
        }
    }

    func testElementKeepsDocumentAlive() throws {
        func makeElement() throws -> XMLElement {
            let doc = try XMLDocument(parsing: sampleResponseXML)
            return doc.assertion
        }
        let assertion = try makeElement()
        XCTAssertEqual(assertion.attribute("ID"), "_a1")
        XCTAssertEqual(assertion.parent?.localName, "Response")
    }

    func testRemovedElementStaysReadable() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        let assertion = doc.assertion
        try assertion.remove()
        XCTAssertNil(doc.rootElement?.firstChild(namespace: NS.assertion, localName: "Assertion"))
        XCTAssertEqual(assertion.attribute("ID"), "_a1")
        XCTAssertNil(assertion.parent)
        try doc.rootElement!.children.first!.setText("replaced")
        XCTAssertEqual(doc.rootElement!.children.first!.textContent, "replaced")
    }

    func testSetTextKeepsOldChildHandlesValid() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        let subject = doc.assertion.firstChild(namespace: NS.assertion, localName: "Subject")!
        let nameID = subject.children[0]
        try subject.setText("flat")
        XCTAssertEqual(subject.textContent, "flat")
        XCTAssertEqual(nameID.textContent, "alice@example.com")
    }

    func testAppendCopyAcrossDocumentsDeclaresNamespaces() throws {
        let source = try XMLDocument(parsing: sampleResponseXML)
        let target = try XMLDocument(rootNamespace: "urn:other", prefix: "o", rootName: "Envelope")
        let copy = try target.rootElement!.appendCopy(of: source.assertion)
        XCTAssertEqual(copy.namespaceURI, NS.assertion)
        let xml = try target.serializedString()
        let reparsed = try XMLDocument(parsing: xml)
        let assertion = reparsed.rootElement!.firstChild(namespace: NS.assertion, localName: "Assertion")
        XCTAssertEqual(assertion?.attribute("ID"), "_a1")
        XCTAssertTrue(xml.contains("xmlns:saml=\"\(NS.assertion)\""), xml)
    }

    func testSerializeDoesNotReformat() throws {
        let input = "<r>\n  <a>  x  </a>\n\n<b/></r>"
        let doc = try XMLDocument(parsing: input)
        XCTAssertEqual(try doc.rootElement!.serializedString(), input)
        XCTAssertEqual(try doc.serializedString(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + input + "\n")
    }
}
