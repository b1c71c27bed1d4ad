import Foundation
import XCTest
@testable import SAML
import StoreIdPCore
import XMLSecurity

/// Decoding AuthnRequests from the wire, and every malformed input (saml-bindings §3.4, §3.5).
final class AuthnRequestBindingTests: XCTestCase {
    let keys = SAMLTestKeys.shared

    func expectRequestError(_ body: @autoclosure () throws -> some Any, _ expected: SAMLRequestError,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrows(try body(), as: SAMLRequestError.self, "\(expected)", file: file, line: line) { $0 == expected }
    }

    func redirectQuery(rawXML: String) throws -> String {
        let b64 = try RawDeflate.deflate(Data(rawXML.utf8)).base64EncodedString()
        return "SAMLRequest=" + b64.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    func testRedirectDecodesAndParses() throws {
        var request = TestAuthnRequest()
        request.forceAuthn = true
        request.isPassive = true
        request.nameIDFormat = ServiceProvider.SAMLSettings.NameIDFormat.email.rawValue
        request.allowCreate = true
        request.comparison = "minimum"
        request.classRefs = [SAMLAuthnContextClass.password]
        let query = try request.redirectQuery(relayState: "back to /cart?x=1 & y")
        let message = try SAMLRedirectBinding.decode(rawQuery: query)
        XCTAssertEqual(message.binding, .httpRedirect)
        XCTAssertEqual(message.relayState, "back to /cart?x=1 & y")
        XCTAssertNil(message.redirectSignature)
        let parsed = try AuthnRequest(element: message.root)
        XCTAssertEqual(parsed.id, "_req1")
        XCTAssertEqual(parsed.issueInstant, Fixture.now)
        XCTAssertEqual(parsed.destination, Fixture.idp.singleSignOnServiceURL)
        XCTAssertEqual(parsed.issuer, Fixture.spEntityID)
        XCTAssertEqual(parsed.assertionConsumerServiceURL, Fixture.acsURL)
        XCTAssertNil(parsed.assertionConsumerServiceIndex)
        XCTAssertEqual(parsed.protocolBinding, SAMLBindingURI.httpPOST)
        XCTAssertTrue(parsed.forceAuthn)
        XCTAssertTrue(parsed.isPassive)
        XCTAssertEqual(parsed.nameIDPolicy, .init(format: ServiceProvider.SAMLSettings.NameIDFormat.email.rawValue, allowCreate: true, spNameQualifier: nil))
        XCTAssertEqual(parsed.requestedAuthnContext, .init(comparison: .minimum, classRefs: [SAMLAuthnContextClass.password], declRefs: []))
        XCTAssertFalse(parsed.hasEnvelopedSignature)

        // Defaults: ForceAuthn/IsPassive false, no policy.
        let plain = try AuthnRequest(element: try SAMLRedirectBinding.decode(rawQuery: try TestAuthnRequest().redirectQuery()).root)
        XCTAssertFalse(plain.forceAuthn)
        XCTAssertFalse(plain.isPassive)
        XCTAssertNil(plain.nameIDPolicy)
    }

    func testRedirectSignatureOctetsAreTheQueryAsSent() throws {
        let query = try TestAuthnRequest().redirectQuery(relayState: "r+1 2", key: keys.spKey)
        let message = try SAMLRedirectBinding.decode(rawQuery: "?" + query + "&unrelated=1")
        let signature = try XCTUnwrap(message.redirectSignature)
        XCTAssertEqual(signature.algorithmURI, XMLSignatureAlgorithm.rsaSHA256.uri)
        let expected = query[..<query.range(of: "&Signature=")!.lowerBound]
        XCTAssertEqual(String(decoding: signature.signedOctets, as: UTF8.self), String(expected))
        XCTAssertTrue(try XMLSignatureVerifier.verify(bytes: signature.signedOctets, signature: signature.signature,
                                                      certificate: XMLCertificate(pem: keys.spCertPEM), algorithm: .rsaSHA256))
        XCTAssertEqual(message.relayState, "r+1 2")
    }

    func testPostDecodes() throws {
        let xml = try TestAuthnRequest().signedXML()
        let message = try SAMLPostBinding.decode(encoded: xml.base64EncodedString(), relayState: "abc")
        XCTAssertEqual(message.binding, .httpPOST)
        XCTAssertEqual(message.relayState, "abc")
        XCTAssertTrue(try AuthnRequest(element: message.root).hasEnvelopedSignature)
        // Line-wrapped base64 (MIME style) is accepted.
        let wrapped = xml.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        XCTAssertNoThrow(try SAMLPostBinding.decode(encoded: wrapped, relayState: nil))
    }

    func testDoctypeXXEAndBillionLaughsAreRefused() throws {
        let xxe = """
        <?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0" IssueInstant="2024-05-01T12:00:00Z">&xxe;</samlp:AuthnRequest>
        """
        let laughs = """
        <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
        <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
        <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
        <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><lolz>&lol9;</lolz>
        """
        let plainDoctype = #"<!DOCTYPE samlp:AuthnRequest><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>"#
        for xml in [xxe, laughs, plainDoctype] {
            expectRequestError(try SAMLRedirectBinding.decode(rawQuery: try redirectQuery(rawXML: xml)), .doctypeForbidden)
            expectRequestError(try SAMLPostBinding.decode(encoded: Data(xml.utf8).base64EncodedString(), relayState: nil), .doctypeForbidden)
        }
    }

    func testDeflateBombIsRefused() throws {
        var bomb = Data("<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">".utf8)
        bomb.append(Data(repeating: 0x20, count: 16 << 20))
        let compressed = try RawDeflate.deflate(bomb).base64EncodedString()
        XCTAssertLessThan(compressed.utf8.count, 100_000)
        let query = "SAMLRequest=" + compressed.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        expectRequestError(try SAMLRedirectBinding.decode(rawQuery: query), .inflateLimitExceeded(limit: 1 << 20))
    }

    func testOversizeMessageIsRefused() throws {
        let big = String(repeating: "A", count: (1 << 20) + 4)
        expectRequestError(try SAMLPostBinding.decode(encoded: big, relayState: nil), .messageTooLarge(limit: 1 << 20))
        expectRequestError(try SAMLRedirectBinding.decode(rawQuery: "SAMLRequest=" + big), .messageTooLarge(limit: 1 << 20))
    }

    func testBadBase64NonXMLAndNotDeflated() throws {
        expectRequestError(try SAMLPostBinding.decode(encoded: "PHNhbWw$*", relayState: nil), .malformedBase64(parameter: "SAMLRequest"))
        expectRequestError(try SAMLPostBinding.decode(encoded: "PHNhbWw", relayState: nil), .malformedBase64(parameter: "SAMLRequest"))
        expectRequestError(try SAMLRedirectBinding.decode(rawQuery: "SAMLRequest=%%%"), .malformedBase64(parameter: "SAMLRequest"))
        XCTAssertThrows(try SAMLPostBinding.decode(encoded: Data("hello, not xml".utf8).base64EncodedString(), relayState: nil),
                        as: SAMLRequestError.self, "notXML") { if case .notXML = $0 { return true } else { return false } }
        XCTAssertThrows(try SAMLRedirectBinding.decode(rawQuery: try redirectQuery(rawXML: "<a><b></a>")),
                        as: SAMLRequestError.self, "notXML") { if case .notXML = $0 { return true } else { return false } }
        // Base64 of XML that was not deflated.
        let undeflated = Data("<a/>".utf8).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        XCTAssertThrows(try SAMLRedirectBinding.decode(rawQuery: "SAMLRequest=" + undeflated),
                        as: SAMLRequestError.self, "notDeflated") { if case .notDeflated = $0 { return true } else { return false } }
    }

    func testQueryShapeErrors() throws {
        let query = try TestAuthnRequest().redirectQuery()
        expectRequestError(try SAMLRedirectBinding.decode(rawQuery: ""), .missingParameter("SAMLRequest"))
        expectRequestError(try SAMLRedirectBinding.decode(rawQuery: query + "&" + query), .duplicateParameter("SAMLRequest"))
        expectRequestError(try SAMLRedirectBinding.decode(rawQuery: query + "&Signature=AAAA"), .missingParameter("SigAlg"))
        expectRequestError(try SAMLRedirectBinding.decode(rawQuery: query + "&SigAlg=x"), .missingParameter("Signature"))
        expectRequestError(try SAMLRedirectBinding.decode(rawQuery: query.replacingOccurrences(of: "SAMLRequest=", with: "SAMLResponse=")),
                           .unexpectedMessage(expected: "SAMLRequest", found: "SAMLResponse"))
    }

    func testRelayStateOver80BytesIsRefused() throws {
        let ok = String(repeating: "r", count: 80), long = String(repeating: "r", count: 81)
        XCTAssertNoThrow(try SAMLRedirectBinding.decode(rawQuery: try TestAuthnRequest().redirectQuery(relayState: ok)))
        let query = try TestAuthnRequest().redirectQuery() + "&RelayState=" + long
        expectRequestError(try SAMLRedirectBinding.decode(rawQuery: query), .relayStateTooLong(bytes: 81))
        expectRequestError(try SAMLPostBinding.decode(encoded: try TestAuthnRequest().xml().base64EncodedString(), relayState: long),
                           .relayStateTooLong(bytes: 81))
        // Multi-byte: 27 × "€" = 81 bytes.
        expectRequestError(try SAMLPostBinding.decode(encoded: try TestAuthnRequest().xml().base64EncodedString(),
                                                      relayState: String(repeating: "€", count: 27)), .relayStateTooLong(bytes: 81))
    }

    func testShapeErrors() throws {
        var wrongVersion = TestAuthnRequest(); wrongVersion.version = "1.1"
        expectRequestError(try AuthnRequest(element: try wrongVersion.document().rootElement!), .unsupportedVersion("1.1"))
        var badID = TestAuthnRequest(); badID.id = "1abc"
        expectRequestError(try AuthnRequest(element: try badID.document().rootElement!),
                           .invalidAttribute(element: "samlp:AuthnRequest", attribute: "ID", value: "1abc"))
        let response = try XMLDocument(parsing: #"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>"#)
        expectRequestError(try AuthnRequest(element: response.rootElement!), .unexpectedMessage(expected: "samlp:AuthnRequest", found: "samlp:Response"))
        let noInstant = try XMLDocument(parsing: #"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a" Version="2.0"/>"#)
        expectRequestError(try AuthnRequest(element: noInstant.rootElement!), .missingAttribute(element: "samlp:AuthnRequest", attribute: "IssueInstant"))
    }
}
