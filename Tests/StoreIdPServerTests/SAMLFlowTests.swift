import Fluent
import Foundation
import SAML
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor
import XMLSecurity

final class SAMLFlowTests: XCTestCase {
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

    private func signedIn() async throws -> Browser {
        let browser = Browser(test.app)
        let response = try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        XCTAssertEqual(response.status, .seeOther)
        return browser
    }

    private var idpCertificate: XMLCertificate {
        get throws { try XMLCertificate(pem: try XCTUnwrap(test.app.storeIdP.keyRing.current().active).certificatePEM) }
    }

    private func element(_ parent: XMLElement, _ namespace: String, _ name: String) throws -> XMLElement {
        try XCTUnwrap(parent.firstChild(namespace: namespace, localName: name), name)
    }

    func testMetadataIsSignedAndListsEveryPublishedRSAKey() async throws {
        let response = try await Browser(test.app).get("/saml/metadata")
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.headers.contentType?.description, "application/samlmetadata+xml")
        let document = try XMLDocument(parsing: Data(response.body.readableBytesView))
        let root = try XCTUnwrap(document.rootElement)
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: root, trustedCertificates: [idpCertificate]))
        let descriptor = try element(root, SAMLNamespace.metadata, "IDPSSODescriptor")
        XCTAssertEqual(descriptor.children(namespace: SAMLNamespace.metadata, localName: "KeyDescriptor").count, 1)
        try await test.run(KeysRotateCommand(), [])
        let rotated = try await Browser(test.app).get("/saml/metadata")
        let after = try XMLDocument(parsing: Data(rotated.body.readableBytesView)).rootElement!
        XCTAssertEqual(try element(after, SAMLNamespace.metadata, "IDPSSODescriptor").children(namespace: SAMLNamespace.metadata, localName: "KeyDescriptor").count, 3,
                       "retired, active and next keys are all published after a rotation")
    }

    func testIdPInitiatedSendsToLoginThenPostsASignedResponseToTheDefaultACS() async throws {
        let anonymous = try await Browser(test.app).get("/sso/warranty?RelayState=%2Fclaims")
        XCTAssertEqual(anonymous.status, .seeOther)
        XCTAssertEqual(anonymous.headers.first(name: .location), "/login?return_to=/sso/warranty?RelayState%3D%252Fclaims")

        let browser = try await signedIn()
        let response = try await browser.get("/sso/warranty?RelayState=%2Fc%3Fq%3D%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        XCTAssertEqual(response.status, .ok)
        XCTAssertFalse(response.body.string.contains("<script>alert"), "RelayState is escaped in the form")
        XCTAssertTrue(response.headers.first(name: "Content-Security-Policy")?.contains("form-action https://warranty.example") == true)
        let form = try XCTUnwrap(PostedForm(response.body.string))
        XCTAssertEqual(form.action, SAMLTestPartner.acsURL)
        XCTAssertEqual(form.fields["RelayState"], "/c?q=<script>alert(1)</script>")
        let document = try form.samlResponse()
        let root = try XCTUnwrap(document.rootElement)
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: root, trustedCertificates: [idpCertificate]))
        XCTAssertNil(root.attribute("InResponseTo"), "saml-profiles §4.1.5: no InResponseTo when unsolicited")
        let assertion = try element(root, SAMLNamespace.assertion, "Assertion")
        let subject = try element(assertion, SAMLNamespace.assertion, "Subject")
        XCTAssertEqual(try element(subject, SAMLNamespace.assertion, "NameID").textContent, "ann@shop.example")
        let attributes = try element(assertion, SAMLNamespace.assertion, "AttributeStatement")
            .children(namespace: SAMLNamespace.assertion, localName: "Attribute").map { $0.attribute("Name") ?? "" }
        XCTAssertEqual(attributes, ["email", "first_name", "last_name", "group"])
        let audit = try await AuditEventRecord.query(on: test.app.db).filter(\.$kind == "saml.response").all()
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit.first?.subjectID, assertion.attribute("ID"), "the audit row names the assertion, not its content")
    }

    func testAccessPolicyRefusesWithAPageNamingTheService() async throws {
        _ = try await SAMLTestPartner(test: test, slug: "wholesale", entityID: "https://wholesale.example/sp", access: AccessPolicy(groups: ["Wholesale"]))
        let response = try await signedIn().get("/sso/wholesale")
        XCTAssertEqual(response.status, .forbidden)
        XCTAssertTrue(response.body.string.contains("does not give access to Warranty portal"))
        XCTAssertNil(PostedForm(response.body.string))
    }

    func testUnknownSlugAndLongRelayStateAreRefused() async throws {
        let browser = try await signedIn()
        assertEqual(try await browser.get("/sso/nope").status, .notFound)
        assertEqual(try await browser.get("/sso/Not%20A%20Slug").status, .notFound)
        assertEqual(try await browser.get("/sso/warranty?RelayState=" + String(repeating: "r", count: 81)).status, .badRequest)
    }

    func testSPInitiatedRedirectAnswersWithInResponseToAndRefusesAReplay() async throws {
        let browser = try await signedIn()
        let authn = partner.request(test)
        let path = try partner.redirectPath(authn, relayState: "state-1")
        let response = try await browser.get(path)
        XCTAssertEqual(response.status, .ok)
        let form = try XCTUnwrap(PostedForm(response.body.string))
        XCTAssertEqual(form.action, SAMLTestPartner.acsURL)
        XCTAssertEqual(form.fields["RelayState"], "state-1")
        XCTAssertEqual(try form.samlResponse().rootElement?.attribute("InResponseTo"), authn.id)

        let replay = try await browser.get(path)
        XCTAssertEqual(replay.status, .badRequest)
        XCTAssertNil(PostedForm(replay.body.string))
    }

    func testSPInitiatedWaitsForLoginAndForceAuthnAsksForThePasswordAgain() async throws {
        let browser = Browser(test.app)
        let authn = partner.request(test)
        let first = try await browser.get(try partner.redirectPath(authn))
        XCTAssertEqual(first.status, .seeOther)
        XCTAssertEqual(first.headers.first(name: .location), "/login?return_to=/saml/continue")
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery", returnTo: "/saml/continue")
        let resumed = try await browser.get("/saml/continue")
        XCTAssertEqual(try XCTUnwrap(PostedForm(resumed.body.string)).action, SAMLTestPartner.acsURL)
        XCTAssertEqual(try XCTUnwrap(PostedForm(resumed.body.string)).samlResponse().rootElement?.attribute("InResponseTo"), authn.id)
        assertEqual(try await browser.get("/saml/continue").status, .badRequest, "a request is answered once")

        var forced = partner.request(test)
        forced.forceAuthn = true
        let again = try await browser.get(try partner.redirectPath(forced))
        XCTAssertEqual(again.headers.first(name: .location), "/login?return_to=/saml/continue&reauth=1")
        assertEqual(try await browser.get("/login?return_to=/saml/continue&reauth=1").status, .ok, "the form is shown although signed in")
        assertEqual(try await browser.get("/saml/continue").status, .seeOther, "no answer before the password is entered again")
        test.clock.advance(by: 1)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery", returnTo: "/saml/continue")
        assertNotNil(PostedForm(try await browser.get("/saml/continue").body.string))
    }

    func testIsPassiveWithoutSessionAnswersNoPassiveToTheACS() async throws {
        var authn = partner.request(test)
        authn.isPassive = true
        let response = try await Browser(test.app).get(try partner.redirectPath(authn))
        let form = try XCTUnwrap(PostedForm(response.body.string))
        XCTAssertEqual(form.action, SAMLTestPartner.acsURL)
        let status = try element(try XCTUnwrap(form.samlResponse().rootElement), SAMLNamespace.protocol, "Status")
        let code = try element(status, SAMLNamespace.protocol, "StatusCode")
        XCTAssertEqual(code.attribute("Value"), SAMLStatusCode.responder.rawValue)
        XCTAssertEqual(try element(code, SAMLNamespace.protocol, "StatusCode").attribute("Value"), SAMLStatusCode.noPassive.rawValue)
    }

    func testUnsupportedNameIDPolicyAnswersInvalidNameIDPolicyToTheRegisteredACS() async throws {
        var authn = partner.request(test)
        authn.nameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos"
        let response = try await signedIn().get(try partner.redirectPath(authn))
        let form = try XCTUnwrap(PostedForm(response.body.string))
        XCTAssertEqual(form.action, SAMLTestPartner.acsURL)
        XCTAssertTrue(String(decoding: try form.samlResponse().serialized(), as: UTF8.self).contains(SAMLStatusCode.invalidNameIDPolicy.rawValue))
    }

    func testHostileRequestsGetAnErrorPageAndNeverAPost() async throws {
        let browser = try await signedIn()
        let now = test.clock.now
        func redirect(_ xml: String) -> String {
            let deflated = try! RawDeflate.deflate(Data(xml.utf8))
            return "/saml/sso?SAMLRequest=" + Browser.escape(deflated.base64EncodedString())
        }
        var unknownIssuer = partner.request(test); unknownIssuer.issuer = "https://evil.example/sp"
        var unregisteredACS = partner.request(test); unregisteredACS.acsURL = "https://evil.example/acs"
        var wrongDestination = partner.request(test); wrongDestination.destination = "https://other-idp.example/sso"
        var expired = partner.request(test); expired.issueInstant = now.addingTimeInterval(-3600)
        var future = partner.request(test); future.issueInstant = now.addingTimeInterval(3600)
        let bomb = "/saml/sso?SAMLRequest=" + Browser.escape(try RawDeflate.deflate(Data(repeating: 0x20, count: 16 << 20)).base64EncodedString())
        let cases: [(String, String)] = [
            ("unknown issuer", try partner.redirectPath(unknownIssuer)),
            ("unregistered ACS", try partner.redirectPath(unregisteredACS)),
            ("wrong destination", try partner.redirectPath(wrongDestination)),
            ("expired", try partner.redirectPath(expired)),
            ("future", try partner.redirectPath(future)),
            ("doctype", redirect("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>")),
            ("billion laughs", redirect("<!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><l>&b;</l>")),
            ("non-XML", redirect("this is not xml")),
            ("bad base64", "/saml/sso?SAMLRequest=%%%not-base64"),
            ("deflate bomb", bomb),
            ("no message", "/saml/sso"),
            ("long RelayState", try partner.redirectPath(partner.request(test)) + "&RelayState=" + String(repeating: "x", count: 81)),
        ]
        for (name, path) in cases {
            let response = try await browser.get(path)
            XCTAssertEqual(response.status, .badRequest, name)
            XCTAssertNil(PostedForm(response.body.string), "\(name): no form may be posted")
        }
        assertEqual(try await browser.get("/healthz").status, .ok, "the server keeps serving")
    }

    func testSignedRequestsAreCheckedAndTamperingIsRefused() async throws {
        try await test.shutdown()
        test.removeFiles()
        test = try await TestApplication.make()
        partner = try await SAMLTestPartner(test: test, wantSigned: true)
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = try await signedIn()
        assertEqual(try await browser.get(try partner.redirectPath(partner.request(test))).status, .badRequest, "unsigned refused")
        let signed = try partner.redirectPath(partner.request(test), sign: true)
        assertEqual(try await browser.get(signed).status, .ok)
        let tampered = try partner.redirectPath(partner.request(test), relayState: "a", sign: true).replacingOccurrences(of: "RelayState=a", with: "RelayState=b")
        assertEqual(try await browser.get(tampered).status, .badRequest)

        // HTTP-POST: an enveloped signature; a wrapped copy (signed element moved, unsigned one in its place) fails.
        let authn = partner.request(test)
        let document = try XMLDocument(parsing: try authn.xml())
        let root = try XCTUnwrap(document.rootElement)
        try XMLSigner.sign(root, key: partner.key, insertAfter: root.firstChild(namespace: SAMLNamespace.assertion, localName: "Issuer"))
        let post = try await browser.post("/saml/sso", form: ["SAMLRequest": try document.serialized().base64EncodedString()])
        XCTAssertEqual(post.status, .ok)
        let tamperedPost = try document.serializedString().replacingOccurrences(of: SAMLTestPartner.acsURL, with: "https://evil.example/acs")
        let refused = try await browser.post("/saml/sso", form: ["SAMLRequest": Data(tamperedPost.utf8).base64EncodedString()])
        XCTAssertEqual(refused.status, .badRequest)
        XCTAssertNil(PostedForm(refused.body.string))
    }

    func testOversizedPostIsRefused() async throws {
        let browser = try await signedIn()
        let response = try await browser.post("/saml/sso", form: ["SAMLRequest": String(repeating: "A", count: 1_200_000)])
        XCTAssertEqual(response.status, .payloadTooLarge)
        let justUnder = try await browser.post("/saml/sso", form: ["SAMLRequest": String(repeating: "A", count: 1_060_000)])
        XCTAssertEqual(justUnder.status, .badRequest)
    }
}
