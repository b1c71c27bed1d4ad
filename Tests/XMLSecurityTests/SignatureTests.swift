import Foundation
import XCTest
@testable import XMLSecurity

final class SignatureTests: XCTestCase {
    let material = TestMaterial.shared

    /// Signs the assertion (Signature right after its Issuer) and returns the serialized document.
    private func signedAssertionXML(key: XMLSigningKey? = nil, algorithm: XMLSignatureAlgorithm = .rsaSHA256,
                                    digest: XMLDigestAlgorithm = .sha256) throws -> String {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        let assertion = doc.assertion
        let issuer = try XCTUnwrap(assertion.firstChild(namespace: NS.assertion, localName: "Issuer"))
        try XMLSigner.sign(assertion, key: key ?? material.signingKey(), algorithm: algorithm, digest: digest,
                           insertAfter: issuer)
        return try doc.serializedString()
    }

    func testSignThenVerifyRoundTrip() throws {
        let xml = try signedAssertionXML()
        let doc = try XMLDocument(parsing: xml)
        let verified = try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()])
        XCTAssertEqual(verified, doc.assertion)
        XCTAssertEqual(verified.attribute("ID"), "_a1")
    }

    func testSignatureShape() throws {
        let doc = try XMLDocument(parsing: try signedAssertionXML())
        let children = doc.assertion.children
        XCTAssertEqual(children.map(\.localName), ["Issuer", "Signature", "Subject"], "Signature right after Issuer")
        let sig = children[1]
        XCTAssertEqual(sig.namespaceURI, NS.dsig)
        XCTAssertEqual(sig.prefix, "ds")
        let signedInfo = try XCTUnwrap(sig.firstChild(namespace: NS.dsig, localName: "SignedInfo"))
        XCTAssertEqual(signedInfo.firstChild(namespace: NS.dsig, localName: "CanonicalizationMethod")?.attribute("Algorithm"),
                       "http://www.w3.org/2001/10/xml-exc-c14n#")
        XCTAssertEqual(signedInfo.firstChild(namespace: NS.dsig, localName: "SignatureMethod")?.attribute("Algorithm"),
                       XMLSignatureAlgorithm.rsaSHA256.uri)
        let refs = signedInfo.children(namespace: NS.dsig, localName: "Reference")
        XCTAssertEqual(refs.count, 1)
        XCTAssertEqual(refs[0].attribute("URI"), "#_a1")
        let transforms = refs[0].firstChild(namespace: NS.dsig, localName: "Transforms")?.children.compactMap { $0.attribute("Algorithm") }
        XCTAssertEqual(transforms, ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"])
        XCTAssertEqual(refs[0].firstChild(namespace: NS.dsig, localName: "DigestMethod")?.attribute("Algorithm"),
                       XMLDigestAlgorithm.sha256.uri)
        let certText = sig.firstChild(namespace: NS.dsig, localName: "KeyInfo")?
            .firstChild(namespace: NS.dsig, localName: "X509Data")?
            .firstChild(namespace: NS.dsig, localName: "X509Certificate")?.textContent
        let embedded = try XMLCertificate(base64DER: try XCTUnwrap(certText))
        XCTAssertEqual(embedded, try material.certificate())
    }

    func testSignatureIsFirstChildWithoutInsertAfter() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        try XMLSigner.sign(doc.response, key: material.signingKey())
        XCTAssertEqual(doc.response.children.first?.localName, "Signature")
        let reparsed = try XMLDocument(parsing: try doc.serialized())
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: reparsed.response, trustedCertificates: [material.certificate()]))
    }

    func testVerifyInSameTreeWithoutReparse() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        try XMLSigner.sign(doc.assertion, key: material.signingKey())
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()]))
    }

    func testOtherAlgorithms() throws {
        for (algorithm, digest) in [(XMLSignatureAlgorithm.rsaSHA512, XMLDigestAlgorithm.sha512), (.rsaSHA384, .sha384)] {
            let doc = try XMLDocument(parsing: try signedAssertionXML(algorithm: algorithm, digest: digest))
            XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()]))
        }
        let ecDoc = try XMLDocument(parsing: try signedAssertionXML(key: material.ecSigningKey(), algorithm: .ecdsaSHA256))
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: ecDoc.assertion, trustedCertificates: [material.ecCertificate()]))
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: ecDoc.assertion, trustedCertificates: [material.certificate()]),
                                        "signatureInvalid") {
            if case .signatureInvalid = $0 { return true } else { return false }
        }
    }

    func testKeyAlgorithmMismatchIsRefused() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        XCTAssertThrowsXMLSecurityError(try XMLSigner.sign(doc.assertion, key: material.signingKey(), algorithm: .ecdsaSHA256), "invalidKey") {
            if case .invalidKey = $0 { return true } else { return false }
        }
        XCTAssertThrowsXMLSecurityError(try XMLSigner.sign(doc.assertion, key: material.signingKey(), algorithm: .rsaSHA1), "weakAlgorithm") {
            if case .weakAlgorithm = $0 { return true } else { return false }
        }
        XCTAssertEqual(doc.assertion.children.map(\.localName), ["Issuer", "Subject"], "failed signing leaves no Signature behind")
    }

    func testTamperedTextFails() throws {
        let doc = try XMLDocument(parsing: try signedAssertionXML())
        let nameID = doc.assertion.firstChild(namespace: NS.assertion, localName: "Subject")!
            .firstChild(namespace: NS.assertion, localName: "NameID")!
        try nameID.setText("mallory@example.com")
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()]),
                                        "signatureInvalid") {
            if case .signatureInvalid = $0 { return true } else { return false }
        }
    }

    func testTamperedBytesFail() throws {
        let xml = try signedAssertionXML().replacingOccurrences(of: "alice@example.com", with: "admin@example.com")
        let doc = try XMLDocument(parsing: xml)
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()]),
                                        "signatureInvalid") {
            if case .signatureInvalid = $0 { return true } else { return false }
        }
    }

    func testWrongCertificateFails() throws {
        let doc = try XMLDocument(parsing: try signedAssertionXML())
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.otherCertificate()]),
                                        "signatureInvalid") {
            if case .signatureInvalid = $0 { return true } else { return false }
        }
        // Any one trusted certificate suffices (key rollover).
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: doc.assertion,
                                                         trustedCertificates: [material.otherCertificate(), material.certificate()]))
    }

    func testEmbeddedCertificateIsNotTrusted() throws {
        // Signed by an attacker key whose certificate is embedded in KeyInfo.
        let doc = try XMLDocument(parsing: try signedAssertionXML(key: material.otherSigningKey()))
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()]),
                                        "signatureInvalid") {
            if case .signatureInvalid = $0 { return true } else { return false }
        }
    }

    func testSignatureWrappingFails() throws {
        // The signed assertion is moved into an Extensions element and an
        // unsigned, altered copy with the same ID takes its place.
        let doc = try XMLDocument(parsing: try signedAssertionXML())
        let original = doc.assertion
        let extensions = try doc.response.addChild(namespace: NS.protocolNS, prefix: "samlp", localName: "Extensions")
        try extensions.appendCopy(of: original)
        try original.firstChild(namespace: NS.dsig, localName: "Signature")!.remove()
        try original.firstChild(namespace: NS.assertion, localName: "Subject")!.children[0].setText("mallory@example.com")
        let wrapped = try XMLDocument(parsing: try doc.serialized())
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: wrapped.assertion, trustedCertificates: [material.certificate()]),
                                        "wrapping refused") {
            switch $0 {
            case .duplicateID, .signatureNotFound: return true
            default: return false
            }
        }
    }

    func testSignatureWrappingWithCopiedSignatureFails() throws {
        // The altered copy keeps the signature; the signed original hides in Extensions.
        let doc = try XMLDocument(parsing: try signedAssertionXML())
        let original = doc.assertion
        let extensions = try doc.response.addChild(namespace: NS.protocolNS, prefix: "samlp", localName: "Extensions")
        try extensions.appendCopy(of: original)
        try original.firstChild(namespace: NS.assertion, localName: "Subject")!.children[0].setText("mallory@example.com")
        let wrapped = try XMLDocument(parsing: try doc.serialized())
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: wrapped.assertion, trustedCertificates: [material.certificate()]),
                                        "duplicateID") {
            if case .duplicateID = $0 { return true } else { return false }
        }
    }

    func testSignatureReferencingAnotherElementFails() throws {
        // An unsigned element carries a signature whose Reference points at a
        // different (genuinely signed) element.
        let doc = try XMLDocument(parsing: try signedAssertionXML())
        let signature = doc.assertion.firstChild(namespace: NS.dsig, localName: "Signature")!
        let evil = try doc.response.addChild(namespace: NS.assertion, prefix: "saml", localName: "Assertion")
        try evil.setAttribute("ID", value: "_evil")
        try evil.appendCopy(of: signature)
        let reparsed = try XMLDocument(parsing: try doc.serialized())
        let evilParsed = reparsed.response.children(namespace: NS.assertion, localName: "Assertion").last!
        XCTAssertEqual(evilParsed.attribute("ID"), "_evil")
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: evilParsed, trustedCertificates: [material.certificate()]),
                                        "referenceMismatch") {
            if case .referenceMismatch = $0 { return true } else { return false }
        }
    }

    func testDuplicateIDFails() throws {
        let xml = """
        <r xmlns="urn:x" ID="_dup"><a ID="_dup">x</a></r>
        """
        let doc = try XMLDocument(parsing: xml)
        XCTAssertThrowsXMLSecurityError(try XMLSigner.sign(doc.rootElement!, key: material.signingKey()), "duplicateID") {
            if case .duplicateID = $0 { return true } else { return false }
        }
        // A duplicate smuggled in as xml:id after signing.
        let signedDoc = try XMLDocument(parsing: try signedAssertionXML())
        try signedDoc.response.firstChild(namespace: NS.assertion, localName: "Issuer")!
            .setAttribute("id", namespace: "http://www.w3.org/XML/1998/namespace", prefix: "xml", value: "_a1")
        let reparsed = try XMLDocument(parsing: try signedDoc.serialized())
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: reparsed.assertion, trustedCertificates: [material.certificate()]),
                                        "duplicateID") {
            if case .duplicateID = $0 { return true } else { return false }
        }
    }

    func testMissingIDAndMissingSignature() throws {
        let doc = try XMLDocument(parsing: #"<r xmlns="urn:x"><a/></r>"#)
        XCTAssertThrowsXMLSecurityError(try XMLSigner.sign(doc.rootElement!, key: material.signingKey()), "missingID") {
            if case .missingID = $0 { return true } else { return false }
        }
        let unsigned = try XMLDocument(parsing: sampleResponseXML)
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: unsigned.assertion, trustedCertificates: [material.certificate()]),
                                        "signatureNotFound") {
            if case .signatureNotFound = $0 { return true } else { return false }
        }
    }

    func testSHA1IsRefusedUnlessAllowed() throws {
        let xml = try signedAssertionXML()
            .replacingOccurrences(of: XMLSignatureAlgorithm.rsaSHA256.uri, with: XMLSignatureAlgorithm.rsaSHA1.uri)
        let doc = try XMLDocument(parsing: xml)
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()]),
                                        "weakAlgorithm") {
            if case .weakAlgorithm = $0 { return true } else { return false }
        }
        // Allowed: the shape check passes and the (altered) signature then fails cryptographically.
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()],
                                                                        allowSHA1: true), "signatureInvalid") {
            if case .signatureInvalid = $0 { return true } else { return false }
        }
    }

    func testDisallowedTransformIsRefused() throws {
        let xml = try signedAssertionXML().replacingOccurrences(
            of: "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            with: "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/>")
        let doc = try XMLDocument(parsing: xml)
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()]),
                                        "transformNotAllowed") {
            if case .transformNotAllowed = $0 { return true } else { return false }
        }
    }

    func testTwoReferencesAreRefused() throws {
        let doc = try XMLDocument(parsing: try signedAssertionXML())
        let signedInfo = doc.assertion.firstChild(namespace: NS.dsig, localName: "Signature")!
            .firstChild(namespace: NS.dsig, localName: "SignedInfo")!
        try signedInfo.appendCopy(of: signedInfo.children.last!)
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()]),
                                        "referenceMismatch") {
            if case .referenceMismatch = $0 { return true } else { return false }
        }
    }

    func testErrorMessagesCarryDetail() throws {
        let doc = try XMLDocument(parsing: try signedAssertionXML(key: material.otherSigningKey()))
        do {
            try XMLSignatureVerifier.verify(signedElement: doc.assertion, trustedCertificates: [material.certificate()])
            XCTFail("expected failure")
        } catch {
            guard case XMLSecurityError.signatureInvalid(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("trusted certificate"), message)
        }
    }

    /// Benchmark shape: the key is loaded once; each signature only duplicates it.
    func testSigningPerformanceWithPreloadedKey() throws {
        let key = try material.signingKey()
        let doc = try XMLDocument(parsing: sampleResponseXML)
        measure {
            for i in 0..<20 {
                do {
                    let assertion = doc.assertion
                    if let old = assertion.firstChild(namespace: NS.dsig, localName: "Signature") { try old.remove() }
                    try assertion.setAttribute("ID", value: "_p\(i)")
                    try XMLSigner.sign(assertion, key: key)
                } catch {
                    XCTFail("signing failed: \(error)")
                }
            }
        }
    }

    func testConcurrentSignAndVerifyWithSharedKey() throws {
        let key = try material.signingKey()
        let cert = try material.certificate()
        let failures = FailureCounter()
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            do {
                let doc = try XMLDocument(parsing: sampleResponseXML)
                try doc.assertion.setAttribute("ID", value: "_a\(i)")
                try XMLSigner.sign(doc.assertion, key: key)
                let parsed = try XMLDocument(parsing: try doc.serialized())
                try XMLSignatureVerifier.verify(signedElement: parsed.assertion, trustedCertificates: [cert])
                let tampered = try XMLDocument(parsing: try doc.serializedString().replacingOccurrences(of: "alice", with: "eve"))
                if (try? XMLSignatureVerifier.verify(signedElement: tampered.assertion, trustedCertificates: [cert])) != nil {
                    failures.record("tampered document \(i) verified")
                }
            } catch {
                failures.record("iteration \(i): \(error)")
            }
        }
        XCTAssertEqual(failures.messages, [])
    }
}

final class FailureCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func record(_ message: String) { lock.lock(); stored.append(message); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}
