import Foundation
import StoreIdPTestSupport
import XCTest
@testable import XMLSecurity

/// Key material generated in process for this test run (no keys are committed), also written to
/// files for the command-line peers (`xmlsec1`, `openssl`).
struct TestMaterial: Sendable {
    let directory: URL
    let rsaKeyPEM: String
    let rsaCertPEM: String
    let otherKeyPEM: String
    let otherCertPEM: String
    let ecKeyPEM: String
    let ecCertPEM: String

    var rsaCertPath: String { directory.appendingPathComponent("c.pem").path }
    var rsaKeyPath: String { directory.appendingPathComponent("k.pem").path }

    static let shared: TestMaterial = {
        do { return try generate() } catch { fatalError("cannot generate test keys: \(error)") }
    }()

    private static func generate() throws -> TestMaterial {
        let dir = try TestDirectory.make(prefix: "xmlsec-tests")
        let rsa = try TestKeyPair.generate(.rsa2048, commonName: "test")
        let other = try TestKeyPair.generate(.rsa2048, commonName: "test")
        let ec = try TestKeyPair.generate(.p256, commonName: "test")
        try rsa.write(to: dir, keyFile: "k.pem", certificateFile: "c.pem")
        try other.write(to: dir, keyFile: "k2.pem", certificateFile: "c2.pem")
        try ec.write(to: dir, keyFile: "ek.pem", certificateFile: "ec.pem")
        return TestMaterial(directory: dir,
                            rsaKeyPEM: rsa.keyPEM, rsaCertPEM: rsa.certificatePEM,
                            otherKeyPEM: other.keyPEM, otherCertPEM: other.certificatePEM,
                            ecKeyPEM: ec.keyPEM, ecCertPEM: ec.certificatePEM)
    }

    func signingKey() throws -> XMLSigningKey { try XMLSigningKey(privateKeyPEM: rsaKeyPEM, certificatePEM: rsaCertPEM) }
    func certificate() throws -> XMLCertificate { try XMLCertificate(pem: rsaCertPEM) }
    func otherSigningKey() throws -> XMLSigningKey { try XMLSigningKey(privateKeyPEM: otherKeyPEM, certificatePEM: otherCertPEM) }
    func otherCertificate() throws -> XMLCertificate { try XMLCertificate(pem: otherCertPEM) }
    func ecSigningKey() throws -> XMLSigningKey { try XMLSigningKey(privateKeyPEM: ecKeyPEM, certificatePEM: ecCertPEM) }
    func ecCertificate() throws -> XMLCertificate { try XMLCertificate(pem: ecCertPEM) }
}

enum NS {
    static let protocolNS = "urn:oasis:names:tc:SAML:2.0:protocol"
    static let assertion = "urn:oasis:names:tc:SAML:2.0:assertion"
    static let dsig = "http://www.w3.org/2000/09/xmldsig#"
    static let xenc = "http://www.w3.org/2001/04/xmlenc#"
}

/// A SAML-shaped fixture (spec-vector style, with significant whitespace).
let sampleResponseXML = """
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">
  <saml:Issuer>https://idp.example</saml:Issuer>
  <saml:Assertion ID="_a1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">
    <saml:Issuer>https://idp.example</saml:Issuer>
    <saml:Subject>
      <saml:NameID>alice@example.com</saml:NameID>
    </saml:Subject>
  </saml:Assertion>
</samlp:Response>
"""

/// Asserts that `body` throws an ``XMLSecurityError`` matching `matches`.
func XCTAssertThrowsXMLSecurityError(
    _ body: @autoclosure () throws -> some Any,
    _ description: String,
    file: StaticString = #filePath, line: UInt = #line,
    _ matches: (XMLSecurityError) -> Bool
) {
    do {
        _ = try body()
        XCTFail("expected \(description), but nothing was thrown", file: file, line: line)
    } catch let error as XMLSecurityError {
        XCTAssertTrue(matches(error), "expected \(description), got \(error)", file: file, line: line)
    } catch {
        XCTFail("expected XMLSecurityError (\(description)), got \(error)", file: file, line: line)
    }
}

extension XMLDocument {
    var response: XMLElement { rootElement! }
    var assertion: XMLElement { rootElement!.firstChild(namespace: NS.assertion, localName: "Assertion")! }
}
