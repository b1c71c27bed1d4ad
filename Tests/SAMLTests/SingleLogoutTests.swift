import Foundation
import XCTest
@testable import SAML
import StoreIdPCore
import XMLSecurity

final class SingleLogoutTests: XCTestCase {
    let keys = SAMLTestKeys.shared
    let p = SAMLNamespace.protocol, a = SAMLNamespace.assertion

    func logoutRequestXML(id: String = "_lo1", destination: String? = Fixture.idp.singleLogoutServiceURL,
                          notOnOrAfter: Date? = nil, sign key: XMLSigningKey? = nil) throws -> Data {
        let doc = try XMLDocument(rootNamespace: p, prefix: "samlp", rootName: "LogoutRequest")
        let root = doc.rootElement!
        try root.declareNamespace(a, prefix: "saml")
        try root.setAttribute("ID", value: id)
        try root.setAttribute("Version", value: "2.0")
        try root.setAttribute("IssueInstant", value: SAMLInstant.string(from: Fixture.now))
        if let destination { try root.setAttribute("Destination", value: destination) }
        if let notOnOrAfter { try root.setAttribute("NotOnOrAfter", value: SAMLInstant.string(from: notOnOrAfter)) }
        let issuer = try root.addChild(namespace: a, prefix: "saml", localName: "Issuer")
        try issuer.setText(Fixture.spEntityID)
        let nameID = try root.addChild(namespace: a, prefix: "saml", localName: "NameID")
        try nameID.setAttribute("Format", value: ServiceProvider.SAMLSettings.NameIDFormat.email.rawValue)
        try nameID.setText("alice@example.com")
        try root.addChild(namespace: p, prefix: "samlp", localName: "SessionIndex").setText("_session1")
        if let key { try XMLSigner.sign(root, key: key, insertAfter: issuer) }
        return try doc.serialized()
    }

    func redirectMessage(_ xml: Data, key: XMLSigningKey? = nil, relayState: String? = nil) throws -> SAMLInboundMessage {
        let url = try SAMLRedirectBinding.encode(xml: xml, parameter: .request, relayState: relayState,
                                                 destination: Fixture.idp.singleLogoutServiceURL, signingKey: key)
        return try SAMLRedirectBinding.decode(rawQuery: String(url[url.index(after: url.firstIndex(of: "?")!)...]))
    }

    let validator = LogoutRequestValidator(identityProvider: Fixture.idp)

    func testParsesAndValidatesRedirect() throws {
        let result = try validator.validate(try redirectMessage(try logoutRequestXML(), key: keys.spKey, relayState: "bye"),
                                            now: Fixture.now, serviceProvider: Fixture.lookup(Fixture.provider()))
        XCTAssertTrue(result.signatureVerified)
        XCTAssertEqual(result.request.id, "_lo1")
        XCTAssertEqual(result.request.issuer, Fixture.spEntityID)
        XCTAssertEqual(result.request.destination, Fixture.idp.singleLogoutServiceURL)
        XCTAssertEqual(result.request.issueInstant, Fixture.now)
        XCTAssertEqual(result.request.nameID, SAMLNameID(value: "alice@example.com", format: ServiceProvider.SAMLSettings.NameIDFormat.email.rawValue))
        XCTAssertEqual(result.request.sessionIndexes, ["_session1"])
        XCTAssertEqual(result.relayState, "bye")
    }

    func testSignatureRules() throws {
        let lookup = Fixture.lookup(Fixture.provider())
        let signedLookup = Fixture.lookup(Fixture.provider(Fixture.settings(wantSigned: true)))
        // Unsigned: fine unless the SP wants signed requests.
        XCTAssertFalse(try validator.validate(try redirectMessage(try logoutRequestXML()), now: Fixture.now, serviceProvider: lookup).signatureVerified)
        XCTAssertThrows(try validator.validate(try redirectMessage(try logoutRequestXML()), now: Fixture.now, serviceProvider: signedLookup),
                        as: SAMLRequestError.self, "signatureRequired") { $0 == .signatureRequired }
        // Signed with the wrong key: refused (redirect and POST).
        XCTAssertThrows(try validator.validate(try redirectMessage(try logoutRequestXML(), key: keys.otherKey), now: Fixture.now, serviceProvider: lookup),
                        as: SAMLRequestError.self, "signatureInvalid") { if case .signatureInvalid = $0 { return true } else { return false } }
        let post = try SAMLPostBinding.decode(encoded: try logoutRequestXML(sign: keys.otherKey).base64EncodedString(), relayState: nil)
        XCTAssertThrows(try validator.validate(post, now: Fixture.now, serviceProvider: lookup),
                        as: SAMLRequestError.self, "signatureInvalid") { if case .signatureInvalid = $0 { return true } else { return false } }
        let goodPost = try SAMLPostBinding.decode(encoded: try logoutRequestXML(sign: keys.spKey).base64EncodedString(), relayState: nil)
        XCTAssertTrue(try validator.validate(goodPost, now: Fixture.now, serviceProvider: signedLookup).signatureVerified)
        // Signed but the SP registered no certificate and does not require signatures: the signature cannot be checked, so it is not relied on.
        let noCerts = Fixture.lookup(Fixture.provider(Fixture.settings(certificates: [])))
        XCTAssertFalse(try validator.validate(try redirectMessage(try logoutRequestXML(), key: keys.spKey), now: Fixture.now, serviceProvider: noCerts).signatureVerified)
    }

    func testDestinationTimeAndIssuer() throws {
        let lookup = Fixture.lookup(Fixture.provider())
        XCTAssertThrows(try validator.validate(try redirectMessage(try logoutRequestXML(destination: "https://x.example/slo")), now: Fixture.now, serviceProvider: lookup),
                        as: SAMLRequestError.self, "wrongDestination") { $0 == .wrongDestination("https://x.example/slo") }
        XCTAssertThrows(try validator.validate(try redirectMessage(try logoutRequestXML(destination: nil), key: keys.spKey), now: Fixture.now, serviceProvider: lookup),
                        as: SAMLRequestError.self, "missingDestination") { $0 == .missingDestination }
        XCTAssertThrows(try validator.validate(try redirectMessage(try logoutRequestXML()), now: Fixture.now.addingTimeInterval(600), serviceProvider: lookup),
                        as: SAMLRequestError.self, "expired") { $0 == .expired("2024-05-01T12:00:00Z") }
        XCTAssertThrows(try validator.validate(try redirectMessage(try logoutRequestXML(notOnOrAfter: Fixture.now.addingTimeInterval(-200))),
                                               now: Fixture.now, serviceProvider: lookup),
                        as: SAMLRequestError.self, "NotOnOrAfter passed") { $0 == .expired("2024-05-01T11:56:40Z") }
        XCTAssertThrows(try validator.validate(try redirectMessage(try logoutRequestXML()), now: Fixture.now, serviceProvider: { _ in nil }),
                        as: SAMLRequestError.self, "unknownIssuer") { $0 == .unknownIssuer(Fixture.spEntityID) }
    }

    func testLogoutResponseRedirectToResponseLocation() throws {
        let validated = try validator.validate(try redirectMessage(try logoutRequestXML(), relayState: "bye"), now: Fixture.now,
                                               serviceProvider: Fixture.lookup(Fixture.provider()))
        let ids = SequentialIDs()
        let builder = SingleLogoutBuilder(identityProvider: Fixture.idp, signingKey: keys.idpKey, makeID: { ids.make() })
        let message = try builder.logoutResponse(to: validated, status: .success, now: Fixture.now)
        guard case let .redirect(url) = message else { return XCTFail("expected a redirect, got \(message)") }
        XCTAssertTrue(url.hasPrefix(Fixture.sloURL + "/response?SAMLResponse="), url)
        // The SP side: decode, check the query signature with our certificate, read the response.
        let decoded = try SAMLRedirectBinding.decode(rawQuery: String(url[url.index(after: url.firstIndex(of: "?")!)...]), expecting: .response)
        XCTAssertEqual(decoded.relayState, "bye")
        let signature = try XCTUnwrap(decoded.redirectSignature)
        XCTAssertTrue(try XMLSignatureVerifier.verify(bytes: signature.signedOctets, signature: signature.signature,
                                                      certificate: keys.idpCertificate, algorithm: .rsaSHA256))
        let root = decoded.root
        XCTAssertTrue(root.isElement(namespace: p, localName: "LogoutResponse"))
        XCTAssertEqual(root.attribute("ID"), "_id1")
        XCTAssertEqual(root.attribute("InResponseTo"), "_lo1")
        XCTAssertEqual(root.attribute("Destination"), Fixture.sloURL + "/response")
        XCTAssertEqual(root.attribute("Version"), "2.0")
        XCTAssertEqual(root.firstChild(namespace: a, localName: "Issuer")?.textContent, Fixture.idp.entityID)
        XCTAssertEqual(root.firstChild(namespace: p, localName: "Status")?.firstChild(namespace: p, localName: "StatusCode")?.attribute("Value"),
                       SAMLStatusCode.success.rawValue)
        XCTAssertNil(root.firstChild(namespace: SAMLNamespace.ds, localName: "Signature"), "HTTP-Redirect carries no enveloped signature")
    }

    func testLogoutRequestToSPOverPOST() throws {
        var settings = Fixture.settings()
        settings.singleLogoutServices = [.init(url: Fixture.sloURL, binding: .httpPOST)]
        let ids = SequentialIDs()
        let builder = SingleLogoutBuilder(identityProvider: Fixture.idp, signingKey: keys.idpKey, makeID: { ids.make() })
        let nameID = SAMLNameID(value: "pairwise-123", format: ServiceProvider.SAMLSettings.NameIDFormat.persistent.rawValue,
                                spNameQualifier: Fixture.spEntityID)
        let (message, requestID) = try builder.logoutRequest(serviceProvider: Fixture.provider(settings), nameID: nameID,
                                                             sessionIndex: "_session1", now: Fixture.now)
        XCTAssertEqual(requestID, "_id1")
        guard case let .post(action, parameter, value, relayState) = message else { return XCTFail("expected POST, got \(message)") }
        XCTAssertEqual(action, Fixture.sloURL)
        XCTAssertEqual(parameter, .request)
        XCTAssertNil(relayState)
        let root = try SAMLPostBinding.decode(encoded: value, relayState: nil).root
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: root, trustedCertificates: [keys.idpCertificate]))
        let parsed = try LogoutRequest(element: root)
        XCTAssertEqual(parsed.id, "_id1")
        XCTAssertEqual(parsed.destination, Fixture.sloURL)
        XCTAssertEqual(parsed.issuer, Fixture.idp.entityID)
        XCTAssertEqual(parsed.nameID, nameID)
        XCTAssertEqual(parsed.sessionIndexes, ["_session1"])
        XCTAssertEqual(parsed.notOnOrAfter, Fixture.now.addingTimeInterval(300))

        XCTAssertThrows(try builder.logoutRequest(serviceProvider: Fixture.provider(Fixture.settings(certificates: []).withoutSLO),
                                                  nameID: nameID, sessionIndex: nil, now: Fixture.now),
                        as: SAMLBuildError.self, "noSingleLogoutService") { $0 == .noSingleLogoutService(entityID: Fixture.spEntityID) }
    }

    func testEncryptedIDIsRefused() throws {
        let doc = try XMLDocument(parsing: """
        <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l" Version="2.0" IssueInstant="2024-05-01T12:00:00Z"><saml:Issuer>x</saml:Issuer><saml:EncryptedID/></samlp:LogoutRequest>
        """)
        XCTAssertThrows(try LogoutRequest(element: doc.rootElement!), as: SAMLRequestError.self, "EncryptedID") { $0 == .unsupportedElement("saml:EncryptedID") }
    }
}

private extension ServiceProvider.SAMLSettings {
    var withoutSLO: Self { var copy = self; copy.singleLogoutServices = []; return copy }
}
