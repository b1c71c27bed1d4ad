import Foundation
import XCTest
@testable import SAML
import StoreIdPCore
import XMLSecurity

/// Issue 16: instants read from a message are bounded when parsed, errors repeat the text as
/// sent, and writing an instant never traps, whatever the `Date`.
final class InstantBoundsTests: XCTestCase {
    let validator = AuthnRequestValidator(identityProvider: Fixture.idp)

    func testWritingIsTotal() {
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: -1e15)), "0001-01-01T00:00:00Z")
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: 1e15)), "9999-12-31T23:59:59Z")
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: -.infinity)), "0001-01-01T00:00:00Z")
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: .infinity)), "9999-12-31T23:59:59Z")
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: .nan)), "1970-01-01T00:00:00Z")
        XCTAssertEqual(SAMLInstant.string(from: .distantPast), "0001-01-01T00:00:00Z")
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: -1)), "1969-12-31T23:59:59Z")
        XCTAssertEqual(SAMLInstant.string(from: Fixture.now), "2024-05-01T12:00:00Z")
    }

    func testParsingRefusesYearsOutsideTheRange() {
        for text in ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "10000-01-01T00:00:00Z",
                     "9999-12-31T23:59:59-14:00", "-2024-05-01T12:00:00Z", String(repeating: "9", count: 100) + "-01-01T00:00:00Z"] {
            XCTAssertNil(SAMLInstant.date(from: text), text)
        }
        XCTAssertEqual(SAMLInstant.date(from: "1970-01-01T00:00:00Z"), Date(timeIntervalSince1970: 0))
        XCTAssertEqual(SAMLInstant.date(from: "9999-12-31T23:59:59Z"), Date(timeIntervalSince1970: 253_402_300_799))
        XCTAssertEqual(SAMLInstant.date(from: "2024-05-01T14:00:00.5+02:00"), Fixture.now.addingTimeInterval(0.5))
        XCTAssertNil(Timestamp.parse("0000-01-01T00:00:00Z"))
        XCTAssertNotNil(Timestamp.parse("0001-01-01T00:00:00Z"))
        XCTAssertNotNil(Timestamp.parse("1965-03-02T00:00:00Z"))
    }

    func testAuthnRequestFromYearZeroIsRejectedNotATrap() throws {
        var request = TestAuthnRequest()
        request.issueInstantText = "0000-01-01T00:00:00Z"
        let expected = SAMLRequestError.invalidAttribute(element: "samlp:AuthnRequest", attribute: "IssueInstant",
                                                         value: "0000-01-01T00:00:00Z")
        let redirect = try SAMLRedirectBinding.decode(rawQuery: try request.redirectQuery())
        XCTAssertThrows(try validator.validate(redirect, now: Fixture.now, serviceProvider: Fixture.lookup(Fixture.provider())),
                        as: AuthnRequestRejection.self, "IssueInstant refused") { $0.error == expected && $0.showsErrorPage }
        let post = try SAMLPostBinding.decode(encoded: try request.xml().base64EncodedString(), relayState: nil)
        XCTAssertThrows(try validator.validate(post, now: Fixture.now, serviceProvider: Fixture.lookup(Fixture.provider())),
                        as: AuthnRequestRejection.self, "IssueInstant refused") { $0.error == expected && $0.showsErrorPage }
    }

    func testStaleInstantIsEchoedAsSentNotReformatted() throws {
        var request = TestAuthnRequest()
        request.issueInstantText = "2024-05-01T13:56:59+02:00"  // 181 s before Fixture.now
        let message = try SAMLRedirectBinding.decode(rawQuery: try request.redirectQuery())
        XCTAssertThrows(try validator.validate(message, now: Fixture.now, serviceProvider: Fixture.lookup(Fixture.provider())),
                        as: AuthnRequestRejection.self, "expired") { $0.error == .expired("2024-05-01T13:56:59+02:00") }
        request.issueInstantText = "2024-05-01T14:03:01+02:00"
        let future = try SAMLRedirectBinding.decode(rawQuery: try request.redirectQuery())
        XCTAssertThrows(try validator.validate(future, now: Fixture.now, serviceProvider: Fixture.lookup(Fixture.provider())),
                        as: AuthnRequestRejection.self, "not yet valid") { $0.error == .notYetValid("2024-05-01T14:03:01+02:00") }
        XCTAssertEqual(SAMLInstant.echo(String(repeating: "9", count: 500)), String(repeating: "9", count: 40))
    }

    func logoutRequest(issueInstant: String, notOnOrAfter: String?) throws -> SAMLInboundMessage {
        let p = SAMLNamespace.protocol, a = SAMLNamespace.assertion
        let doc = try XMLDocument(rootNamespace: p, prefix: "samlp", rootName: "LogoutRequest")
        let root = doc.rootElement!
        try root.declareNamespace(a, prefix: "saml")
        try root.setAttribute("ID", value: "_lo1")
        try root.setAttribute("Version", value: "2.0")
        try root.setAttribute("IssueInstant", value: issueInstant)
        if let notOnOrAfter { try root.setAttribute("NotOnOrAfter", value: notOnOrAfter) }
        try root.addChild(namespace: a, prefix: "saml", localName: "Issuer").setText(Fixture.spEntityID)
        try root.addChild(namespace: a, prefix: "saml", localName: "NameID").setText("alice@example.com")
        return try SAMLPostBinding.decode(encoded: try doc.serialized().base64EncodedString(), relayState: nil)
    }

    func testLogoutRequestInstantsAreBounded() throws {
        let validator = LogoutRequestValidator(identityProvider: Fixture.idp)
        let lookup = Fixture.lookup(Fixture.provider())
        XCTAssertThrows(try validator.validate(try logoutRequest(issueInstant: "0000-01-01T00:00:00Z", notOnOrAfter: nil),
                                               now: Fixture.now, serviceProvider: lookup),
                        as: SAMLRequestError.self, "IssueInstant refused") {
            $0 == .invalidAttribute(element: "samlp:LogoutRequest", attribute: "IssueInstant", value: "0000-01-01T00:00:00Z")
        }
        XCTAssertThrows(try validator.validate(try logoutRequest(issueInstant: "2024-05-01T12:00:00Z", notOnOrAfter: "0000-01-01T00:00:00Z"),
                                               now: Fixture.now, serviceProvider: lookup),
                        as: SAMLRequestError.self, "NotOnOrAfter refused") {
            $0 == .invalidAttribute(element: "samlp:LogoutRequest", attribute: "NotOnOrAfter", value: "0000-01-01T00:00:00Z")
        }
        XCTAssertThrows(try validator.validate(try logoutRequest(issueInstant: "2024-05-01T12:00:00Z", notOnOrAfter: "2024-05-01T13:55:00+02:00"),
                                               now: Fixture.now, serviceProvider: lookup),
                        as: SAMLRequestError.self, "expired, as sent") { $0 == .expired("2024-05-01T13:55:00+02:00") }
    }
}
