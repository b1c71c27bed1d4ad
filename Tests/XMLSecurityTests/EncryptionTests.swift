import Foundation
import XCTest
@testable import XMLSecurity

final class EncryptionTests: XCTestCase {
    let material = TestMaterial.shared

    /// Encrypts the assertion into a caller-built saml:EncryptedAssertion, as the SAML layer will.
    private func encryptedResponseXML(_ algorithm: XMLEncryptionAlgorithm, signFirst: Bool = false) throws -> String {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        let assertion = doc.assertion
        if signFirst {
            try XMLSigner.sign(assertion, key: material.signingKey(), insertAfter: assertion.children[0])
        }
        let container = try doc.response.addChild(namespace: NS.assertion, prefix: "saml", localName: "EncryptedAssertion")
        let encryptedData = try XMLEncryptor.encrypt(assertion, recipient: material.certificate(),
                                                     dataAlgorithm: algorithm, into: container)
        XCTAssertEqual(encryptedData.parent, container)
        XCTAssertNil(doc.response.firstChild(namespace: NS.assertion, localName: "Assertion"), "original removed")
        XCTAssertEqual(assertion.attribute("ID"), "_a1", "the removed original stays readable")
        return try doc.serializedString()
    }

    private func roundTrip(_ algorithm: XMLEncryptionAlgorithm) throws {
        let xml = try encryptedResponseXML(algorithm)
        XCTAssertFalse(xml.contains("alice@example.com"))
        let doc = try XMLDocument(parsing: xml)
        let container = try XCTUnwrap(doc.response.firstChild(namespace: NS.assertion, localName: "EncryptedAssertion"))
        let encryptedData = try XCTUnwrap(container.firstChild(namespace: NS.xenc, localName: "EncryptedData"))
        XCTAssertEqual(encryptedData.attribute("Type"), "http://www.w3.org/2001/04/xmlenc#Element")
        XCTAssertEqual(encryptedData.prefix, "xenc")
        XCTAssertEqual(encryptedData.firstChild(namespace: NS.xenc, localName: "EncryptionMethod")?.attribute("Algorithm"), algorithm.uri)
        let encryptedKey = try XCTUnwrap(encryptedData.firstChild(namespace: NS.dsig, localName: "KeyInfo")?
            .firstChild(namespace: NS.xenc, localName: "EncryptedKey"))
        let keyMethod = try XCTUnwrap(encryptedKey.firstChild(namespace: NS.xenc, localName: "EncryptionMethod"))
        XCTAssertEqual(keyMethod.attribute("Algorithm"), "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p")
        XCTAssertEqual(keyMethod.firstChild(namespace: NS.dsig, localName: "DigestMethod")?.attribute("Algorithm"),
                       "http://www.w3.org/2000/09/xmldsig#sha1")
        let recipientCert = encryptedKey.firstChild(namespace: NS.dsig, localName: "KeyInfo")?
            .firstChild(namespace: NS.dsig, localName: "X509Data")?
            .firstChild(namespace: NS.dsig, localName: "X509Certificate")?.textContent
        XCTAssertEqual(try XMLCertificate(base64DER: try XCTUnwrap(recipientCert)), try material.certificate())

        let key = try XMLDecryptionKey(privateKeyPEM: material.rsaKeyPEM)
        let assertion = try XMLDecryptor.decrypt(encryptedData: encryptedData, key: key)
        XCTAssertEqual(assertion.localName, "Assertion")
        XCTAssertEqual(assertion.namespaceURI, NS.assertion)
        XCTAssertEqual(assertion.parent, container)
        XCTAssertEqual(assertion.firstChild(namespace: NS.assertion, localName: "Subject")?.children.first?.textContent,
                       "alice@example.com")
        XCTAssertNil(container.firstChild(namespace: NS.xenc, localName: "EncryptedData"))
    }

    func testRoundTripAES256GCM() throws { try roundTrip(.aes256GCM) }
    func testRoundTripAES128CBC() throws { try roundTrip(.aes128CBC) }
    func testRoundTripOtherAES() throws {
        try roundTrip(.aes128GCM)
        try roundTrip(.aes256CBC)
    }

    func testSignedThenEncryptedAssertionVerifiesAfterDecryption() throws {
        let xml = try encryptedResponseXML(.aes256GCM, signFirst: true)
        let doc = try XMLDocument(parsing: xml)
        let encryptedData = doc.response.firstChild(namespace: NS.assertion, localName: "EncryptedAssertion")!.children[0]
        let assertion = try XMLDecryptor.decrypt(encryptedData: encryptedData, key: XMLDecryptionKey(material.signingKey()))
        XCTAssertEqual(try XMLSignatureVerifier.verify(signedElement: assertion, trustedCertificates: [material.certificate()]), assertion)
    }

    func testSignEncryptDecryptVerifyInOneTree() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        try XMLSigner.sign(doc.assertion, key: material.signingKey())
        let encryptedData = try XMLEncryptor.encrypt(doc.assertion, recipient: material.certificate())
        let assertion = try XMLDecryptor.decrypt(encryptedData: encryptedData, key: XMLDecryptionKey(material.signingKey()))
        XCTAssertEqual(try XMLSignatureVerifier.verify(signedElement: assertion, trustedCertificates: [material.certificate()]), assertion)
    }

    func testEncryptInPlace() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        let encryptedData = try XMLEncryptor.encrypt(doc.assertion, recipient: material.certificate(), dataAlgorithm: .aes128CBC)
        XCTAssertEqual(encryptedData.parent, doc.response)
        XCTAssertEqual(doc.response.children.map(\.localName), ["Issuer", "EncryptedData"])
        let decrypted = try XMLDecryptor.decrypt(encryptedData: encryptedData, key: XMLDecryptionKey(privateKeyPEM: material.rsaKeyPEM))
        XCTAssertEqual(doc.response.children.map(\.localName), ["Issuer", "Assertion"])
        XCTAssertEqual(decrypted.attribute("ID"), "_a1")
    }

    func testWrongKeyFailsToDecrypt() throws {
        let doc = try XMLDocument(parsing: try encryptedResponseXML(.aes256GCM))
        let encryptedData = doc.response.firstChild(namespace: NS.assertion, localName: "EncryptedAssertion")!.children[0]
        XCTAssertThrowsXMLSecurityError(try XMLDecryptor.decrypt(encryptedData: encryptedData,
                                                                 key: XMLDecryptionKey(privateKeyPEM: material.otherKeyPEM)),
                                        "decryptionFailed") {
            if case .decryptionFailed = $0 { return true } else { return false }
        }
        XCTAssertNotNil(encryptedData.parent, "EncryptedData left in place after a failure")
    }

    func testTamperedCiphertextFailsGCM() throws {
        let doc = try XMLDocument(parsing: try encryptedResponseXML(.aes256GCM))
        let encryptedData = doc.response.firstChild(namespace: NS.assertion, localName: "EncryptedAssertion")!.children[0]
        let cipherValue = encryptedData.firstChild(namespace: NS.xenc, localName: "CipherData")!
            .firstChild(namespace: NS.xenc, localName: "CipherValue")!
        var bytes = try XCTUnwrap(Data(base64Encoded: cipherValue.textContent, options: .ignoreUnknownCharacters))
        bytes[bytes.count / 2] ^= 0x01
        try cipherValue.setText(bytes.base64EncodedString())
        XCTAssertThrowsXMLSecurityError(try XMLDecryptor.decrypt(encryptedData: encryptedData, key: XMLDecryptionKey(privateKeyPEM: material.rsaKeyPEM)),
                                        "decryptionFailed") {
            if case .decryptionFailed = $0 { return true } else { return false }
        }
    }

    func testNotEncryptedData() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        XCTAssertThrowsXMLSecurityError(try XMLDecryptor.decrypt(encryptedData: doc.assertion, key: XMLDecryptionKey(privateKeyPEM: material.rsaKeyPEM)),
                                        "notEncryptedData") {
            if case .notEncryptedData = $0 { return true } else { return false }
        }
    }

    func testECRecipientIsRefused() throws {
        let doc = try XMLDocument(parsing: sampleResponseXML)
        XCTAssertThrowsXMLSecurityError(try XMLEncryptor.encrypt(doc.assertion, recipient: material.ecCertificate()), "invalidCertificate") {
            if case .invalidCertificate = $0 { return true } else { return false }
        }
        XCTAssertEqual(doc.assertion.attribute("ID"), "_a1", "element untouched after a failure")
    }
}
