import Foundation
import StoreIdPTestSupport
import XCTest
@testable import XMLSecurity

/// Interop with the reference implementation's command-line tool, xmlsec1.
/// These tests fail (never skip) when xmlsec1 is missing: `apt-get install -y xmlsec1`.
final class InteropTests: XCTestCase {
    let material = TestMaterial.shared

    /// Records a test failure (not a skip) when xmlsec1 is missing.
    private func xmlsec1IsInstalled(file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        let which = try runCommand("sh", ["-c", "command -v xmlsec1"])
        XCTAssertEqual(which.status, 0, "xmlsec1 is not installed (apt-get install -y xmlsec1)", file: file, line: line)
        return which.status == 0
    }

    private func write(_ text: String, _ name: String) throws -> URL {
        let url = material.directory.appendingPathComponent("\(UUID().uuidString)-\(name)")
        try Data(text.utf8).write(to: url)
        return url
    }

    func testXMLSec1VerifiesOurSignature() throws {
        guard try xmlsec1IsInstalled() else { return }

        let doc = try XMLDocument(parsing: sampleResponseXML)
        try XMLSigner.sign(doc.response, key: material.signingKey(),
                           insertAfter: doc.response.firstChild(namespace: NS.assertion, localName: "Issuer"))
        let file = try write(try doc.serializedString(), "signed.xml")
        let ok = try runCommand("xmlsec1", ["--verify", "--id-attr:ID", "\(NS.protocolNS):Response",
                                            "--pubkey-cert-pem", material.rsaCertPath, file.path])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.output.contains("OK"), ok.output)

        // And xmlsec1 agrees that a tampered copy is invalid.
        let tampered = try write(try doc.serializedString().replacingOccurrences(of: "alice@", with: "eve@"), "tampered.xml")
        let bad = try runCommand("xmlsec1", ["--verify", "--id-attr:ID", "\(NS.protocolNS):Response",
                                             "--pubkey-cert-pem", material.rsaCertPath, tampered.path])
        XCTAssertNotEqual(bad.status, 0, bad.output)
    }

    func testWeVerifyXMLSec1Signature() throws {
        guard try xmlsec1IsInstalled() else { return }

        let sha256 = try signWithXMLSec1(signatureMethod: XMLSignatureAlgorithm.rsaSHA256.uri, digest: XMLDigestAlgorithm.sha256.uri)
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: sha256.rootElement!, trustedCertificates: [material.certificate()]))

        // A genuine SHA-1 signature: refused by default, accepted only when allowed.
        let sha1 = try signWithXMLSec1(signatureMethod: XMLSignatureAlgorithm.rsaSHA1.uri, digest: "http://www.w3.org/2000/09/xmldsig#sha1")
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(signedElement: sha1.rootElement!, trustedCertificates: [material.certificate()]),
                                        "weakAlgorithm") {
            if case .weakAlgorithm = $0 { return true } else { return false }
        }
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: sha1.rootElement!, trustedCertificates: [material.certificate()], allowSHA1: true))
    }

    func testXMLSec1DecryptsOurEncryption() throws {
        guard try xmlsec1IsInstalled() else { return }
        for algorithm in [XMLEncryptionAlgorithm.aes256GCM, .aes128CBC] {
            let doc = try XMLDocument(parsing: sampleResponseXML)
            let container = try doc.response.addChild(namespace: NS.assertion, prefix: "saml", localName: "EncryptedAssertion")
            try XMLEncryptor.encrypt(doc.assertion, recipient: material.certificate(), dataAlgorithm: algorithm, into: container)
            let file = try write(try doc.serializedString(), "encrypted.xml")
            let result = try runCommand("xmlsec1", ["--decrypt", "--privkey-pem", material.rsaKeyPath, file.path])
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertTrue(result.output.contains("<saml:NameID>alice@example.com</saml:NameID>"), result.output)
        }
    }

    /// Builds a signature template with the XMLSecurity builder and lets xmlsec1 sign it.
    private func signWithXMLSec1(signatureMethod: String, digest: String) throws -> XMLDocument {
        let doc = try XMLDocument(rootNamespace: NS.protocolNS, prefix: "samlp", rootName: "Response")
        let root = doc.rootElement!
        try root.setAttribute("ID", value: "_x1")
        let sig = try root.addChild(namespace: NS.dsig, prefix: "ds", localName: "Signature")
        let signedInfo = try sig.addChild(namespace: NS.dsig, prefix: "ds", localName: "SignedInfo")
        try signedInfo.addChild(namespace: NS.dsig, prefix: "ds", localName: "CanonicalizationMethod")
            .setAttribute("Algorithm", value: "http://www.w3.org/2001/10/xml-exc-c14n#")
        try signedInfo.addChild(namespace: NS.dsig, prefix: "ds", localName: "SignatureMethod")
            .setAttribute("Algorithm", value: signatureMethod)
        let reference = try signedInfo.addChild(namespace: NS.dsig, prefix: "ds", localName: "Reference")
        try reference.setAttribute("URI", value: "#_x1")
        let transforms = try reference.addChild(namespace: NS.dsig, prefix: "ds", localName: "Transforms")
        try transforms.addChild(namespace: NS.dsig, prefix: "ds", localName: "Transform")
            .setAttribute("Algorithm", value: "http://www.w3.org/2000/09/xmldsig#enveloped-signature")
        try transforms.addChild(namespace: NS.dsig, prefix: "ds", localName: "Transform")
            .setAttribute("Algorithm", value: "http://www.w3.org/2001/10/xml-exc-c14n#")
        try reference.addChild(namespace: NS.dsig, prefix: "ds", localName: "DigestMethod").setAttribute("Algorithm", value: digest)
        try reference.addChild(namespace: NS.dsig, prefix: "ds", localName: "DigestValue")
        try sig.addChild(namespace: NS.dsig, prefix: "ds", localName: "SignatureValue")
        try root.addChild(namespace: NS.assertion, prefix: "saml", localName: "Issuer").setText("https://idp.example")

        let template = try write(try doc.serializedString(), "template.xml")
        let output = material.directory.appendingPathComponent("\(UUID().uuidString)-out.xml")
        let result = try runCommand("xmlsec1", ["--sign", "--id-attr:ID", "\(NS.protocolNS):Response",
                                                "--privkey-pem", "\(material.rsaKeyPath),\(material.rsaCertPath)",
                                                "--output", output.path, template.path])
        XCTAssertEqual(result.status, 0, result.output)
        return try XMLDocument(parsing: try Data(contentsOf: output))
    }
}
