import Foundation
import StoreIdPTestSupport
import XCTest
@testable import SAML
import StoreIdPCore
import XMLSecurity

final class SAMLResponseBuilderTests: XCTestCase {
    let keys = SAMLTestKeys.shared
    let a = SAMLNamespace.assertion, p = SAMLNamespace.protocol

    func builder() -> SAMLResponseBuilder {
        let ids = SequentialIDs()
        return SAMLResponseBuilder(identityProvider: Fixture.idp, signingKey: keys.idpKey, makeID: { ids.make() })
    }

    func parameters(_ settings: ServiceProvider.SAMLSettings = Fixture.settings(), inResponseTo: String? = "_req1",
                    payload: ProvisioningPayload? = nil, format: ServiceProvider.SAMLSettings.NameIDFormat = .email) -> SAMLResponseBuilder.Parameters {
        SAMLResponseBuilder.Parameters(
            serviceProvider: Fixture.provider(settings), acsURL: Fixture.acsURL, inResponseTo: inResponseTo,
            nameID: SAMLNameID.issued("alice@example.com", to: { var s = settings; s.nameIDFormat = format; return s }()),
            payload: payload ?? ProvisioningPayload(values: [.init(name: "email", values: ["alice@example.com"]),
                                                             .init(name: "groups", values: ["Retail", "VIP & <co>"])]),
            now: Fixture.now, authnInstant: Fixture.now.addingTimeInterval(-30), sessionIndex: "_session1",
            sessionNotOnOrAfter: Fixture.now.addingTimeInterval(3600))
    }

    func parse(_ response: SAMLResponseDocument) throws -> (XMLDocument, XMLElement, XMLElement) {
        let doc = try XMLDocument(parsing: response.xml)
        let root = doc.rootElement!
        return (doc, root, root.firstChild(namespace: a, localName: "Assertion")!)
    }

    func testResponseStructure() throws {
        let response = try builder().build(parameters())
        XCTAssertEqual(response.responseID, "_id1")
        XCTAssertEqual(response.assertionID, "_id2")
        XCTAssertEqual(response.notOnOrAfter, Fixture.now.addingTimeInterval(300))
        let (_, root, assertion) = try parse(response)

        XCTAssertTrue(root.isElement(namespace: p, localName: "Response"))
        XCTAssertEqual(root.attribute("ID"), "_id1")
        XCTAssertEqual(root.attribute("Version"), "2.0")
        XCTAssertEqual(root.attribute("IssueInstant"), "2024-05-01T12:00:00Z")
        XCTAssertEqual(root.attribute("Destination"), Fixture.acsURL)
        XCTAssertEqual(root.attribute("InResponseTo"), "_req1")
        let children = root.children.map(\.localName)
        XCTAssertEqual(children, ["Issuer", "Signature", "Status", "Assertion"])
        XCTAssertEqual(root.firstChild(namespace: a, localName: "Issuer")?.textContent, "https://id.store.example/saml/metadata")
        XCTAssertEqual(root.firstChild(namespace: p, localName: "Status")?.firstChild(namespace: p, localName: "StatusCode")?.attribute("Value"),
                       SAMLStatusCode.success.rawValue)

        XCTAssertEqual(assertion.attribute("ID"), "_id2")
        XCTAssertEqual(assertion.attribute("Version"), "2.0")
        XCTAssertEqual(assertion.attribute("IssueInstant"), "2024-05-01T12:00:00Z")
        XCTAssertEqual(assertion.children.map(\.localName), ["Issuer", "Subject", "Conditions", "AuthnStatement", "AttributeStatement"])
        XCTAssertEqual(assertion.firstChild(namespace: a, localName: "Issuer")?.textContent, Fixture.idp.entityID)

        let subject = assertion.firstChild(namespace: a, localName: "Subject")!
        let nameID = subject.firstChild(namespace: a, localName: "NameID")!
        XCTAssertEqual(nameID.textContent, "alice@example.com")
        XCTAssertEqual(nameID.attribute("Format"), ServiceProvider.SAMLSettings.NameIDFormat.email.rawValue)
        XCTAssertNil(nameID.attribute("SPNameQualifier"))
        let confirmation = subject.firstChild(namespace: a, localName: "SubjectConfirmation")!
        XCTAssertEqual(confirmation.attribute("Method"), "urn:oasis:names:tc:SAML:2.0:cm:bearer")
        let data = confirmation.firstChild(namespace: a, localName: "SubjectConfirmationData")!
        XCTAssertEqual(data.attribute("Recipient"), Fixture.acsURL)
        XCTAssertEqual(data.attribute("NotOnOrAfter"), "2024-05-01T12:05:00Z")
        XCTAssertEqual(data.attribute("InResponseTo"), "_req1")
        XCTAssertNil(data.attribute("NotBefore"), "saml-profiles §4.1.4.2: bearer data has no NotBefore")

        let conditions = assertion.firstChild(namespace: a, localName: "Conditions")!
        XCTAssertEqual(conditions.attribute("NotBefore"), "2024-05-01T11:59:00Z")
        XCTAssertEqual(conditions.attribute("NotOnOrAfter"), "2024-05-01T12:05:00Z")
        XCTAssertEqual(conditions.firstChild(namespace: a, localName: "AudienceRestriction")?
            .firstChild(namespace: a, localName: "Audience")?.textContent, Fixture.spEntityID)

        let authn = assertion.firstChild(namespace: a, localName: "AuthnStatement")!
        XCTAssertEqual(authn.attribute("AuthnInstant"), "2024-05-01T11:59:30Z")
        XCTAssertEqual(authn.attribute("SessionIndex"), "_session1")
        XCTAssertEqual(authn.attribute("SessionNotOnOrAfter"), "2024-05-01T13:00:00Z")
        XCTAssertEqual(authn.firstChild(namespace: a, localName: "AuthnContext")?
            .firstChild(namespace: a, localName: "AuthnContextClassRef")?.textContent, SAMLAuthnContextClass.passwordProtectedTransport)

        let attributes = assertion.firstChild(namespace: a, localName: "AttributeStatement")!.children(namespace: a, localName: "Attribute")
        XCTAssertEqual(attributes.map { $0.attribute("Name") }, ["email", "groups"])
        XCTAssertEqual(attributes.map { $0.attribute("NameFormat") }, Array(repeating: ServiceProvider.SAMLSettings.AttributeNameFormat.basic.rawValue, count: 2))
        let groupValues = attributes[1].children(namespace: a, localName: "AttributeValue")
        XCTAssertEqual(groupValues.map(\.textContent), ["Retail", "VIP & <co>"])
        XCTAssertEqual(groupValues[0].attribute("type", namespace: SAMLNamespace.xsi), "xs:string")

        // Response signed (default placement), assertion not.
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: root, trustedCertificates: [keys.idpCertificate]))
        XCTAssertNil(assertion.firstChild(namespace: SAMLNamespace.ds, localName: "Signature"))
    }

    func testIdPInitiatedHasNoInResponseTo() throws {
        let response = try builder().build(parameters(inResponseTo: nil))
        let text = String(decoding: response.xml, as: UTF8.self)
        XCTAssertFalse(text.contains("InResponseTo"), text)
        let (_, root, assertion) = try parse(response)
        XCTAssertNil(root.attribute("InResponseTo"))
        XCTAssertNotNil(assertion.firstChild(namespace: a, localName: "Subject")?.firstChild(namespace: a, localName: "SubjectConfirmation")?
            .firstChild(namespace: a, localName: "SubjectConfirmationData")?.attribute("Recipient"))
    }

    func testEmptyPayloadOmitsAttributeStatementAndPersistentGetsQualifier() throws {
        var settings = Fixture.settings()
        settings.attributeNameFormat = .uri
        let response = try builder().build(parameters(settings, payload: ProvisioningPayload(values: []), format: .persistent))
        let (_, _, assertion) = try parse(response)
        XCTAssertNil(assertion.firstChild(namespace: a, localName: "AttributeStatement"))
        let nameID = assertion.firstChild(namespace: a, localName: "Subject")!.firstChild(namespace: a, localName: "NameID")!
        XCTAssertEqual(nameID.attribute("SPNameQualifier"), Fixture.spEntityID)
        XCTAssertEqual(nameID.attribute("Format"), ServiceProvider.SAMLSettings.NameIDFormat.persistent.rawValue)
    }

    func testAudienceAndLifetimeOverrides() throws {
        var p = parameters()
        p.audience = "urn:custom:audience"
        p.lifetimeSeconds = 60
        let (_, _, assertion) = try parse(try builder().build(p))
        let conditions = assertion.firstChild(namespace: a, localName: "Conditions")!
        XCTAssertEqual(conditions.attribute("NotOnOrAfter"), "2024-05-01T12:01:00Z")
        XCTAssertEqual(conditions.firstChild(namespace: a, localName: "AudienceRestriction")?
            .firstChild(namespace: a, localName: "Audience")?.textContent, "urn:custom:audience")
    }

    func testAssertionPlacementAndBoth() throws {
        var settings = Fixture.settings()
        settings.signing = .assertion
        var (_, root, assertion) = try parse(try builder().build(parameters(settings)))
        XCTAssertNil(root.firstChild(namespace: SAMLNamespace.ds, localName: "Signature"))
        XCTAssertEqual(assertion.children.map(\.localName).prefix(2), ["Issuer", "Signature"])
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: assertion, trustedCertificates: [keys.idpCertificate]))

        settings.signing = .both
        settings.signatureAlgorithm = .rsaSHA512
        (_, root, assertion) = try parse(try builder().build(parameters(settings)))
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: root, trustedCertificates: [keys.idpCertificate]))
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: assertion, trustedCertificates: [keys.idpCertificate]))
        let method = root.firstChild(namespace: SAMLNamespace.ds, localName: "Signature")?.firstChild(namespace: SAMLNamespace.ds, localName: "SignedInfo")?
            .firstChild(namespace: SAMLNamespace.ds, localName: "SignatureMethod")?.attribute("Algorithm")
        XCTAssertEqual(method, XMLSignatureAlgorithm.rsaSHA512.uri)
    }

    func testXMLSec1VerifiesBothPlacements() throws {
        let which = try runCommand("sh", ["-c", "command -v xmlsec1"])
        XCTAssertEqual(which.status, 0, "xmlsec1 is not installed (apt-get install -y xmlsec1)")
        guard which.status == 0 else { return }
        let cert = keys.path("idp.crt")

        let signedResponse = try builder().build(parameters())
        var result = try xmlsec1Verify(signedResponse.xml, idAttr: "\(p):Response", certPEMPath: cert)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("OK"), result.output)

        var settings = Fixture.settings()
        settings.signing = .assertion
        let signedAssertion = try builder().build(parameters(settings))
        result = try xmlsec1Verify(signedAssertion.xml, idAttr: "\(a):Assertion", certPEMPath: cert)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("OK"), result.output)

        // A changed attribute value no longer verifies.
        let tampered = Data(String(decoding: signedAssertion.xml, as: UTF8.self).replacingOccurrences(of: "Retail", with: "Wholesale").utf8)
        result = try xmlsec1Verify(tampered, idAttr: "\(a):Assertion", certPEMPath: cert)
        XCTAssertNotEqual(result.status, 0, result.output)
    }

    func testEncryptedAssertionDecryptsAndInnerAssertionVerifies() throws {
        for cipher in [ServiceProvider.SAMLSettings.AssertionEncryption.aes256GCM, .aes128CBC] {
            var settings = Fixture.settings()
            settings.signing = .both
            settings.encryption = cipher
            let response = try builder().build(parameters(settings))
            let doc = try XMLDocument(parsing: response.xml)
            let root = doc.rootElement!
            XCTAssertNil(root.firstChild(namespace: a, localName: "Assertion"))
            XCTAssertEqual(root.children.map(\.localName), ["Issuer", "Signature", "Status", "EncryptedAssertion"])
            // The response signature covers the encrypted form.
            XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: root, trustedCertificates: [keys.idpCertificate]))

            let encrypted = root.firstChild(namespace: a, localName: "EncryptedAssertion")!
            let data = encrypted.firstChild(namespace: SAMLNamespace.xenc, localName: "EncryptedData")!
            XCTAssertEqual(data.firstChild(namespace: SAMLNamespace.xenc, localName: "EncryptionMethod")?.attribute("Algorithm"), cipher.xmlAlgorithm.uri)
            let assertion = try XMLDecryptor.decrypt(encryptedData: data, key: XMLDecryptionKey(privateKeyPEM: keys.spKeyPEM))
            XCTAssertTrue(assertion.isElement(namespace: a, localName: "Assertion"))
            XCTAssertEqual(assertion.attribute("ID"), response.assertionID)
            XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: assertion, trustedCertificates: [keys.idpCertificate]))
            let values = assertion.firstChild(namespace: a, localName: "AttributeStatement")?.children(namespace: a, localName: "Attribute")
                .last?.children(namespace: a, localName: "AttributeValue")
            XCTAssertEqual(values?.first?.attribute("type", namespace: SAMLNamespace.xsi), "xs:string")
        }
    }

    func testEncryptionWithoutCertificateIsRefused() {
        var settings = Fixture.settings(certificates: [])
        settings.encryption = .aes256GCM
        XCTAssertThrows(try builder().build(parameters(settings)), as: SAMLBuildError.self, "noEncryptionCertificate") {
            $0 == .noEncryptionCertificate(entityID: Fixture.spEntityID)
        }
    }

    func testErrorResponse() throws {
        let rejection = AuthnRequestRejection(error: .unsupportedNameIDPolicy("urn:x"), replyTo: .init(
            serviceProvider: Fixture.provider(), acsURL: Fixture.acsURL, requestID: "_req9", relayState: nil))
        let response = try XCTUnwrap(try builder().buildError(for: rejection, now: Fixture.now))
        XCTAssertNil(response.assertionID)
        let root = try XMLDocument(parsing: response.xml).rootElement!
        XCTAssertEqual(root.attribute("InResponseTo"), "_req9")
        XCTAssertEqual(root.attribute("Destination"), Fixture.acsURL)
        XCTAssertNil(root.firstChild(namespace: a, localName: "Assertion"))
        let status = root.firstChild(namespace: p, localName: "Status")!
        let top = status.firstChild(namespace: p, localName: "StatusCode")!
        XCTAssertEqual(top.attribute("Value"), SAMLStatusCode.requester.rawValue)
        XCTAssertEqual(top.firstChild(namespace: p, localName: "StatusCode")?.attribute("Value"), SAMLStatusCode.invalidNameIDPolicy.rawValue)
        XCTAssertNotNil(status.firstChild(namespace: p, localName: "StatusMessage"))
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: root, trustedCertificates: [keys.idpCertificate]))
        XCTAssertNil(try builder().buildError(for: AuthnRequestRejection(error: .signatureRequired), now: Fixture.now))
    }

    func testPostBindingForm() throws {
        let response = try builder().build(parameters())
        let message = try SAMLPostBinding.message(xml: response.xml, parameter: .response, relayState: "r1", destination: Fixture.acsURL)
        XCTAssertEqual(message, .post(action: Fixture.acsURL, parameter: .response, value: response.base64Encoded, relayState: "r1"))
        XCTAssertEqual(message.formFields.map(\.name), ["SAMLResponse", "RelayState"])
        XCTAssertThrows(try SAMLPostBinding.message(xml: response.xml, parameter: .response, relayState: String(repeating: "x", count: 81),
                                                    destination: Fixture.acsURL), as: SAMLBuildError.self, "relayStateTooLong") {
            $0 == .relayStateTooLong(bytes: 81)
        }
    }

    func testInstantFormatting() {
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: 951_825_600.9)), "2000-02-29T12:00:00Z")
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: 4_102_444_799)), "2099-12-31T23:59:59Z")
        XCTAssertEqual(SAMLInstant.string(from: Date(timeIntervalSince1970: -1)), "1969-12-31T23:59:59Z")
        XCTAssertEqual(SAMLInstant.date(from: "2024-05-01T12:00:00.123Z")?.timeIntervalSince1970 ?? 0, 1_714_564_800.123, accuracy: 0.001)
    }
}
