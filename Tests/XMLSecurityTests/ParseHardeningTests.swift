import Foundation
import XCTest
@testable import XMLSecurity

final class ParseHardeningTests: XCTestCase {
    func testPlainDoctypeIsRefused() {
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: "<!DOCTYPE r><r/>"), "doctypeForbidden") {
            $0 == .doctypeForbidden
        }
    }

    func testXXEIsRefused() {
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <r>&xxe;</r>
        """
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: xml), "doctypeForbidden") { $0 == .doctypeForbidden }
    }

    func testBillionLaughsIsRefusedQuickly() {
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
         <!ENTITY lol "lol">
         <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
         <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
         <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
         <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
         <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
         <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
         <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
         <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
         <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <lolz>&lol9;</lolz>
        """
        let start = Date()
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: xml), "doctypeForbidden") { $0 == .doctypeForbidden }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
    }

    func testExternalDTDIsRefused() {
        let xml = #"<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>"#
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: xml), "doctypeForbidden") { $0 == .doctypeForbidden }
        let publicID = #"<!DOCTYPE r PUBLIC "-//E//DTD E//EN" "file:///etc/passwd"><r/>"#
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: publicID), "doctypeForbidden") { $0 == .doctypeForbidden }
    }

    func testParameterEntityIsRefused() {
        let xml = #"<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><r/>"#
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: xml), "doctypeForbidden") { $0 == .doctypeForbidden }
    }

    func testUndeclaredEntityIsMalformed() {
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: "<r>&xxe;</r>"), "malformed") {
            if case .malformed = $0 { return true } else { return false }
        }
    }

    func testXIncludeIsNotProcessed() throws {
        let xml = #"<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></r>"#
        let doc = try XMLDocument(parsing: xml)
        XCTAssertFalse(doc.rootElement!.textContent.contains("root:"))
        XCTAssertEqual(doc.rootElement!.children.first?.localName, "include")
    }

    func testOversizeIsRefused() {
        let big = Data("<r>".utf8) + Data(repeating: UInt8(ascii: "a"), count: 1 << 20) + Data("</r>".utf8)
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: big), "tooLarge") { $0 == .tooLarge(limit: 1 << 20) }
        let small = XMLParseLimits(maxBytes: 10, maxDepth: 64)
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: "<root>abcdef</root>", limits: small), "tooLarge") {
            $0 == .tooLarge(limit: 10)
        }
    }

    func testTooDeepIsRefused() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        }
        XCTAssertNoThrow(try XMLDocument(parsing: nested(64)))
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: nested(65)), "tooDeep") { $0 == .tooDeep(limit: 64) }
        XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: nested(5), limits: XMLParseLimits(maxDepth: 4)), "tooDeep") {
            $0 == .tooDeep(limit: 4)
        }
    }

    func testNonXMLIsMalformed() {
        for input in ["hello world", "<a><b></a>", "", "<a></a><b/>", "<a x='1' x='2'/>", "<p:a/>"] {
            XCTAssertThrowsXMLSecurityError(try XMLDocument(parsing: input), "malformed for \(input)") {
                if case .malformed = $0 { return true } else { return false }
            }
        }
    }

    func testMalformedCarriesReason() {
        do {
            _ = try XMLDocument(parsing: "<a><b></a>")
            XCTFail("expected failure")
        } catch {
            guard case .malformed(let reason) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(reason.contains("line 1"), reason)
        }
    }

    func testWhitespaceIsPreserved() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        let out = try doc.rootElement!.serializedString()
        XCTAssertEqual(out, sampleResponseXML)
    }
}
