import Foundation
import XCTest
@testable import SAML
import StoreIdPCore
import XMLSecurity

final class AuthnRequestValidatorTests: XCTestCase {
    let keys = SAMLTestKeys.shared
    let validator = AuthnRequestValidator(identityProvider: Fixture.idp, certificateCache: SAMLCertificateCache())

    func validate(_ message: SAMLInboundMessage, provider: ServiceProvider = Fixture.provider(),
                  validator: AuthnRequestValidator? = nil, now: Date = Fixture.now) throws(AuthnRequestRejection) -> ValidatedAuthnRequest {
        try (validator ?? self.validator).validate(message, now: now, serviceProvider: Fixture.lookup(provider))
    }

    func redirect(_ request: TestAuthnRequest, relayState: String? = nil, key: XMLSigningKey? = nil,
                  algorithm: XMLSignatureAlgorithm = .rsaSHA256) throws -> SAMLInboundMessage {
        try SAMLRedirectBinding.decode(rawQuery: try request.redirectQuery(relayState: relayState, key: key, algorithm: algorithm))
    }

    func post(_ xml: Data, relayState: String? = nil) throws -> SAMLInboundMessage {
        try SAMLPostBinding.decode(encoded: xml.base64EncodedString(), relayState: relayState)
    }

    /// Expects a rejection with `error`; `trusted` says whether the ACS may be answered.
    func expect(_ body: @autoclosure () throws -> ValidatedAuthnRequest, _ error: SAMLRequestError, trusted: Bool = false,
                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrows(try body(), as: AuthnRequestRejection.self, "\(error)", file: file, line: line) {
            $0.error == error && $0.showsErrorPage == !trusted
        }
    }

    func expectSignatureInvalid(_ body: @autoclosure () throws -> ValidatedAuthnRequest, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrows(try body(), as: AuthnRequestRejection.self, "signatureInvalid", file: file, line: line) {
            if case .signatureInvalid = $0.error { return $0.showsErrorPage } else { return false }
        }
    }

    let signedProvider = Fixture.provider(Fixture.settings(wantSigned: true))

    // MARK: accepted

    func testUnsignedRedirectIsAccepted() throws {
        let result = try validate(try redirect(TestAuthnRequest(), relayState: "rs"))
        XCTAssertEqual(result.requestID, "_req1")
        XCTAssertEqual(result.assertionConsumerService.url, Fixture.acsURL)
        XCTAssertEqual(result.relayState, "rs")
        XCTAssertFalse(result.signatureVerified)
        XCTAssertEqual(result.binding, .httpRedirect)
        XCTAssertEqual(result.authnContextClassRef, SAMLAuthnContextClass.passwordProtectedTransport)
        XCTAssertEqual(result.serviceProvider.slug, "warranty")
    }

    func testSignedRedirectIsAccepted() throws {
        for (key, algorithm, certificate) in [(keys.spKey, XMLSignatureAlgorithm.rsaSHA256, keys.spCertPEM),
                                              (keys.spKey, .rsaSHA512, keys.spCertPEM),
                                              (keys.ecKey, .ecdsaSHA256, keys.ecCertPEM)] {
            let provider = Fixture.provider(Fixture.settings(wantSigned: true, certificates: [keys.otherCertPEM, certificate]))
            let result = try validate(try redirect(TestAuthnRequest(), relayState: "x y", key: key, algorithm: algorithm), provider: provider)
            XCTAssertTrue(result.signatureVerified, "\(algorithm)")
        }
    }

    func testSignedPostIsAccepted() throws {
        var request = TestAuthnRequest()
        request.isPassive = true
        request.forceAuthn = true
        let result = try validate(try post(try request.signedXML(), relayState: "r"), provider: signedProvider)
        XCTAssertTrue(result.signatureVerified)
        XCTAssertEqual(result.binding, .httpPOST)
        XCTAssertTrue(result.isPassive)
        XCTAssertTrue(result.forceAuthn)
    }

    func testACSByIndexAndDefault() throws {
        var byIndex = TestAuthnRequest()
        byIndex.acsURL = nil
        byIndex.acsIndex = 3
        XCTAssertEqual(try validate(try redirect(byIndex)).assertionConsumerService.url, Fixture.acs2URL)
        var neither = TestAuthnRequest()
        neither.acsURL = nil
        XCTAssertEqual(try validate(try redirect(neither)).assertionConsumerService.url, Fixture.acsURL)
        var second = TestAuthnRequest()
        second.acsURL = Fixture.acs2URL
        XCTAssertEqual(try validate(try redirect(second)).assertionConsumerService.index, 3)
    }

    // MARK: refused before the ACS is trusted (error page)

    func testUnknownIssuerAndMissingIssuer() throws {
        var request = TestAuthnRequest()
        request.issuer = "https://evil.example/sp"
        expect(try validate(try redirect(request)), .unknownIssuer("https://evil.example/sp"))
        request.issuer = nil
        expect(try validate(try redirect(request)), .missingIssuer)
        // A registry that answered an entity ID with a provider of another protocol.
        var jwt = Fixture.provider()
        jwt.settings = .jwt(.init(algorithm: .rs256, redirectURL: "https://warranty.example/jwt"))
        let message = try redirect(TestAuthnRequest())
        expect(try validator.validate(message, now: Fixture.now) { _ in jwt }, .issuerNotSAML(Fixture.spEntityID))
    }

    func testUnregisteredACS() throws {
        var request = TestAuthnRequest()
        request.acsURL = "https://evil.example/acs"
        expect(try validate(try redirect(request)), .unregisteredACS("https://evil.example/acs"))
        request.acsURL = Fixture.acsURL + "/"
        expect(try validate(try redirect(request)), .unregisteredACS(Fixture.acsURL + "/"))
        request.acsURL = nil
        request.acsIndex = 7
        expect(try validate(try redirect(request)), .unregisteredACSIndex(7))
        request.acsURL = Fixture.acsURL
        request.acsIndex = 0
        expect(try validate(try redirect(request)), .acsURLAndIndexBoth)
    }

    func testWrongDestination() throws {
        var request = TestAuthnRequest()
        request.destination = "https://other-idp.example/sso"
        expect(try validate(try redirect(request)), .wrongDestination("https://other-idp.example/sso"))
        // Unsigned without Destination is fine; signed without Destination is not (saml-bindings §3.4.5.2).
        request.destination = nil
        XCTAssertNoThrow(try validate(try redirect(request)))
        expect(try validate(try redirect(request, key: keys.spKey), provider: signedProvider), .missingDestination)
        expect(try validate(try post(try request.signedXML()), provider: signedProvider), .missingDestination)
    }

    func testExpiredAndFutureIssueInstant() throws {
        var request = TestAuthnRequest()
        request.issueInstant = Fixture.now.addingTimeInterval(-181)
        expect(try validate(try redirect(request)), .expired("2024-05-01T11:56:59Z"))
        request.issueInstant = Fixture.now.addingTimeInterval(181)
        expect(try validate(try redirect(request)), .notYetValid("2024-05-01T12:03:01Z"))
        request.issueInstant = Fixture.now.addingTimeInterval(-180)
        XCTAssertNoThrow(try validate(try redirect(request)))
        let strict = AuthnRequestValidator(identityProvider: Fixture.idp, allowedClockSkew: 10)
        request.issueInstant = Fixture.now.addingTimeInterval(-11)
        expect(try validate(try redirect(request), validator: strict), .expired("2024-05-01T11:59:49Z"))
    }

    func testSignatureRequired() throws {
        expect(try validate(try redirect(TestAuthnRequest()), provider: signedProvider), .signatureRequired)
        expect(try validate(try post(try TestAuthnRequest().xml()), provider: signedProvider), .signatureRequired)
        let global = AuthnRequestValidator(identityProvider: Fixture.idp, requireSignedRequests: true)
        expect(try validate(try redirect(TestAuthnRequest()), validator: global), .signatureRequired)
        expect(try validate(try redirect(TestAuthnRequest()), provider: Fixture.provider(Fixture.settings(certificates: [])), validator: global),
               .noSigningCertificate(entityID: Fixture.spEntityID))
    }

    func testWrongKeyAndSHA1AreRefused() throws {
        expectSignatureInvalid(try validate(try redirect(TestAuthnRequest(), key: keys.otherKey), provider: signedProvider))
        expectSignatureInvalid(try validate(try post(try TestAuthnRequest().signedXML(key: keys.otherKey)), provider: signedProvider))
        // A signature, when present, must verify even if the SP does not require one.
        expectSignatureInvalid(try validate(try redirect(TestAuthnRequest(), key: keys.otherKey)))
        // SigAlg rsa-sha1 (forged into the query) is refused by name.
        let query = try TestAuthnRequest().redirectQuery(key: keys.spKey)
            .replacingOccurrences(of: SAMLEncoding.percentEncode(XMLSignatureAlgorithm.rsaSHA256.uri),
                                  with: SAMLEncoding.percentEncode(XMLSignatureAlgorithm.rsaSHA1.uri))
        XCTAssertThrows(try validate(try SAMLRedirectBinding.decode(rawQuery: query), provider: signedProvider), as: AuthnRequestRejection.self,
                        "signatureAlgorithmNotAllowed") { $0.error == .signatureAlgorithmNotAllowed("http://www.w3.org/2000/09/xmldsig#rsa-sha1") }
    }

    func testTamperedRedirectIsRefused() throws {
        let query = try TestAuthnRequest().redirectQuery(relayState: "cart", key: keys.spKey)
        // Changed RelayState.
        expectSignatureInvalid(try validate(try SAMLRedirectBinding.decode(rawQuery: query.replacingOccurrences(of: "RelayState=cart", with: "RelayState=evil")),
                                            provider: signedProvider))
        // A different SAMLRequest under the original signature.
        var evil = TestAuthnRequest()
        evil.acsURL = Fixture.acs2URL
        let evilQuery = try evil.redirectQuery(relayState: "cart")
        let signaturePart = query[query.range(of: "&SigAlg=")!.lowerBound...]
        expectSignatureInvalid(try validate(try SAMLRedirectBinding.decode(rawQuery: evilQuery + signaturePart), provider: signedProvider))
    }

    func testTamperedPostIsRefused() throws {
        let xml = String(decoding: try TestAuthnRequest().signedXML(), as: UTF8.self)
        let tampered = xml.replacingOccurrences(of: Fixture.acsURL + "\"", with: Fixture.acs2URL + "\"")
        XCTAssertNotEqual(xml, tampered)
        expectSignatureInvalid(try validate(try post(Data(tampered.utf8)), provider: signedProvider))
        expectSignatureInvalid(try validate(try post(Data(tampered.utf8))))
    }

    /// Signature wrapping: the genuinely signed request is moved inside an
    /// unsigned one that says something else.
    func testSignatureWrappedPostIsRefused() throws {
        let signed = try XMLDocument(parsing: try TestAuthnRequest().signedXML())
        let p = SAMLNamespace.protocol, a = SAMLNamespace.assertion

        func evilDocument(id: String, copySignature: Bool) throws -> Data {
            let doc = try XMLDocument(rootNamespace: p, prefix: "samlp", rootName: "AuthnRequest")
            let root = doc.rootElement!
            try root.declareNamespace(a, prefix: "saml")
            try root.setAttribute("ID", value: id)
            try root.setAttribute("Version", value: "2.0")
            try root.setAttribute("IssueInstant", value: SAMLInstant.string(from: Fixture.now))
            try root.setAttribute("Destination", value: Fixture.idp.singleSignOnServiceURL)
            try root.setAttribute("AssertionConsumerServiceURL", value: Fixture.acs2URL)
            try root.addChild(namespace: a, prefix: "saml", localName: "Issuer").setText(Fixture.spEntityID)
            if copySignature {
                try root.appendCopy(of: signed.rootElement!.firstChild(namespace: SAMLNamespace.ds, localName: "Signature")!)
            }
            let extensions = try root.addChild(namespace: p, prefix: "samlp", localName: "Extensions")
            try extensions.appendCopy(of: signed.rootElement!)
            return try doc.serialized()
        }
        // Unsigned outer request, signed original hidden in Extensions.
        expect(try validate(try post(try evilDocument(id: "_evil", copySignature: false)), provider: signedProvider), .signatureRequired)
        // The original signature copied onto the outer request: its Reference names another element.
        expectSignatureInvalid(try validate(try post(try evilDocument(id: "_evil", copySignature: true)), provider: signedProvider))
        // Same ID on both: ambiguous, refused.
        expectSignatureInvalid(try validate(try post(try evilDocument(id: "_req1", copySignature: true)), provider: signedProvider))
    }

    // MARK: refused after the ACS is trusted (SAML status to the ACS)

    func testUnsupportedNameIDPolicyGoesToACS() throws {
        var request = TestAuthnRequest()
        request.nameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
        do {
            _ = try validate(try redirect(request, relayState: "rs"))
            XCTFail("expected a rejection")
        } catch let error as AuthnRequestRejection {
            XCTAssertEqual(error.error, .unsupportedNameIDPolicy("urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"))
            XCTAssertFalse(error.showsErrorPage)
            XCTAssertEqual(error.replyTo?.acsURL, Fixture.acsURL)
            XCTAssertEqual(error.replyTo?.requestID, "_req1")
            XCTAssertEqual(error.replyTo?.relayState, "rs")
            XCTAssertEqual(error.status.code, .requester)
            XCTAssertEqual(error.status.secondLevel, .invalidNameIDPolicy)
        } catch {
            XCTFail("\(error)")
        }
        for ok in [ServiceProvider.SAMLSettings.NameIDFormat.email, .unspecified] {
            request.nameIDFormat = ok.rawValue
            XCTAssertNoThrow(try validate(try redirect(request)))
        }
        request.nameIDFormat = ServiceProvider.SAMLSettings.NameIDFormat.persistent.rawValue
        expect(try validate(try redirect(request)), .unsupportedNameIDPolicy(request.nameIDFormat!), trusted: true)
    }

    func testProtocolBindingMustBePOST() throws {
        var request = TestAuthnRequest()
        request.protocolBinding = SAMLBindingURI.httpArtifact
        XCTAssertThrows(try validate(try redirect(request)), as: AuthnRequestRejection.self, "UnsupportedBinding") {
            $0.error == .unsupportedProtocolBinding(SAMLBindingURI.httpArtifact) && !$0.showsErrorPage && $0.status.secondLevel == .unsupportedBinding
        }
    }

    func testRequestedAuthnContext() throws {
        func check(_ comparison: String?, _ refs: [String], _ expected: String?, line: UInt = #line) {
            var request = TestAuthnRequest()
            request.comparison = comparison
            request.classRefs = refs
            do {
                let result = try validate(try redirect(request))
                XCTAssertEqual(result.authnContextClassRef, expected, line: line)
            } catch let rejection as AuthnRequestRejection {
                XCTAssertNil(expected, "\(rejection)", line: line)
                XCTAssertEqual(rejection.status.secondLevel, .noAuthnContext, line: line)
                XCTAssertFalse(rejection.showsErrorPage, line: line)
            } catch {
                XCTFail("\(error)", line: line)
            }
        }
        let ppt = SAMLAuthnContextClass.passwordProtectedTransport, pw = SAMLAuthnContextClass.password
        let kerberos = "urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos"
        check(nil, [ppt], ppt)
        check("exact", [pw], pw)
        check("exact", [kerberos, ppt], ppt)
        check("exact", [kerberos], nil)
        check("minimum", [pw], ppt)
        check("minimum", [SAMLAuthnContextClass.unspecified], ppt)
        check("minimum", ["urn:oasis:names:tc:SAML:2.0:ac:classes:X509"], nil)
        check("better", [pw], ppt)
        check("better", [ppt], nil)
        check("maximum", [pw], pw)
    }
}
