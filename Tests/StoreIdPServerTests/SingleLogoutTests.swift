import Foundation
import SAML
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor
import XMLSecurity

final class SingleLogoutTests: XCTestCase {
    var test: TestApplication!
    var partner: SAMLTestPartner!

    override func setUp() async throws {
        test = try await TestApplication.make()
        partner = try await SAMLTestPartner(test: test)
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    /// Signs in and visits the partner; returns the browser and the assertion's SessionIndex.
    private func signedInAtPartner() async throws -> (Browser, String) {
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let page = try await browser.get("/sso/warranty")
        let form = try XCTUnwrap(PostedForm(page.body.string))
        let xml = try form.samlResponse().serializedString()
        let range = try XCTUnwrap(xml.range(of: "SessionIndex=\""))
        let rest = xml[range.upperBound...]
        return (browser, String(rest[..<rest.firstIndex(of: "\"")!]))
    }

    private func message(_ name: String, inResponseTo: String? = nil, nameID: String? = nil, sessionIndex: String? = nil) throws -> Data {
        let p = SAMLNamespace.protocol, a = SAMLNamespace.assertion
        let document = try XMLDocument(rootNamespace: p, prefix: "samlp", rootName: name)
        let root = document.rootElement!
        try root.declareNamespace(a, prefix: "saml")
        try root.setAttribute("ID", value: "_" + UUID().uuidString.replacingOccurrences(of: "-", with: ""))
        try root.setAttribute("Version", value: "2.0")
        try root.setAttribute("IssueInstant", value: SAMLInstant.string(from: test.clock.now))
        try root.setAttribute("Destination", value: "http://127.0.0.1:8080/saml/slo")
        if let inResponseTo { try root.setAttribute("InResponseTo", value: inResponseTo) }
        try root.addChild(namespace: a, prefix: "saml", localName: "Issuer").setText(SAMLTestPartner.entityID)
        if let nameID {
            let element = try root.addChild(namespace: a, prefix: "saml", localName: "NameID")
            try element.setAttribute("Format", value: ServiceProvider.SAMLSettings.NameIDFormat.email.rawValue)
            try element.setText(nameID)
        }
        if let sessionIndex { try root.addChild(namespace: p, prefix: "samlp", localName: "SessionIndex").setText(sessionIndex) }
        if name == "LogoutResponse" {
            let status = try root.addChild(namespace: p, prefix: "samlp", localName: "Status")
            try status.addChild(namespace: p, prefix: "samlp", localName: "StatusCode").setAttribute("Value", value: SAMLStatusCode.success.rawValue)
        }
        return try document.serialized()
    }

    private func redirect(_ xml: Data, parameter: SAMLMessageParameter) throws -> String {
        let url = try SAMLRedirectBinding.encode(xml: xml, parameter: parameter, relayState: nil, destination: "http://127.0.0.1:8080/saml/slo",
                                                 signingKey: partner.key, algorithm: .rsaSHA256)
        return "/saml/slo?" + url[url.index(after: url.firstIndex(of: "?")!)...]
    }

    private func decodeLocation(_ response: TestingHTTPResponse, expecting parameter: SAMLMessageParameter) throws -> (url: String, root: XMLElement) {
        let location = try XCTUnwrap(response.headers.first(name: .location))
        let query = String(location[location.index(after: try XCTUnwrap(location.firstIndex(of: "?")))...])
        XCTAssertTrue(query.contains("Signature="), "our Redirect-binding messages are signed")
        let message = try SAMLRedirectBinding.decode(rawQuery: query, expecting: parameter)
        return (location, message.root)
    }

    func testPartnerLogoutRequestEndsTheSessionAndIsAnsweredWithASignedResponse() async throws {
        let (browser, sessionIndex) = try await signedInAtPartner()
        let response = try await browser.get(try redirect(try message("LogoutRequest", nameID: "ann@shop.example", sessionIndex: sessionIndex), parameter: .request))
        XCTAssertEqual(response.status, .seeOther)
        let (url, root) = try decodeLocation(response, expecting: .response)
        XCTAssertTrue(url.hasPrefix("https://warranty.example/slo?"))
        XCTAssertEqual(root.localName, "LogoutResponse")
        XCTAssertTrue(try root.serializedString().contains(SAMLStatusCode.success.rawValue))
        assertEqual(false, try await browser.get("/").body.string.contains("Signed in"), "the session ended")
    }

    func testLogoutRequestForAnotherSubjectDoesNotEndTheSession() async throws {
        let (browser, sessionIndex) = try await signedInAtPartner()
        let response = try await browser.get(try redirect(try message("LogoutRequest", nameID: "someone@else.example", sessionIndex: sessionIndex), parameter: .request))
        let (_, root) = try decodeLocation(response, expecting: .response)
        XCTAssertTrue(try root.serializedString().contains(SAMLStatusCode.requester.rawValue))
        assertEqual(true, try await browser.get("/").body.string.contains("Signed in"))
    }

    func testStoreLogoutSendsALogoutRequestToEachPartnerThenEnds() async throws {
        let (browser, sessionIndex) = try await signedInAtPartner()
        let token = try await browser.csrfToken(from: "/")
        let first = try await browser.post("/logout", form: ["csrf": token])
        XCTAssertEqual(first.status, .seeOther)
        let (url, root) = try decodeLocation(first, expecting: .request)
        XCTAssertTrue(url.hasPrefix("https://warranty.example/slo?"))
        let logoutRequest = try LogoutRequest(element: root)
        XCTAssertEqual(logoutRequest.nameID.value, "ann@shop.example")
        XCTAssertEqual(logoutRequest.sessionIndexes, [sessionIndex])
        assertEqual(false, try await browser.get("/").body.string.contains("Signed in"), "the login ended before the partners answered")
        let answered = try await browser.get(try redirect(try message("LogoutResponse", inResponseTo: logoutRequest.id), parameter: .response))
        XCTAssertEqual(answered.status, .seeOther)
        XCTAssertEqual(answered.headers.first(name: .location), "/login")
    }

    func testLogoutWithoutPartnersJustEnds() async throws {
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let response = try await browser.post("/logout", form: ["csrf": try await browser.csrfToken(from: "/")])
        XCTAssertEqual(response.headers.first(name: .location), "/login")
    }

    func testHostileLogoutRequestsGetAnErrorPage() async throws {
        let browser = Browser(test.app)
        for path in ["/saml/slo", "/saml/slo?SAMLRequest=%%%", "/saml/slo?SAMLRequest=" + Browser.escape(try RawDeflate.deflate(Data("<!DOCTYPE x><x/>".utf8)).base64EncodedString())] {
            let response = try await browser.get(path)
            XCTAssertEqual(response.status, .badRequest, path)
        }
    }
}
