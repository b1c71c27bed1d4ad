import Foundation
import StoreIdPTestSupport
import XCTest
@testable import XMLSecurity

final class RawSignatureTests: XCTestCase {
    let material = TestMaterial.shared
    let query = Data("SAMLRequest=fZJNT8MwDIbv%2FIoq9zZpx2BEa6WxCWkSH9OGOHCL0pRFSpwS%2Bgz%2Bve0GEpcgb3kVx%2B9j%2BxgCtOZGm3j3u%2FVrSlV7q%2FMXy&RelayState=abc&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256".utf8)

    func testAlgorithmURIs() {
        XCTAssertEqual(XMLSignatureAlgorithm(uri: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"), .rsaSHA256)
        XCTAssertEqual(XMLSignatureAlgorithm(uri: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"), .rsaSHA512)
        XCTAssertEqual(XMLSignatureAlgorithm(uri: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"), .ecdsaSHA256)
        XCTAssertEqual(XMLSignatureAlgorithm(uri: "http://www.w3.org/2000/09/xmldsig#rsa-sha1"), .rsaSHA1)
        XCTAssertNil(XMLSignatureAlgorithm(uri: "http://www.w3.org/2000/09/xmldsig#hmac-sha1"))
    }

    func testRSARoundTrips() throws {
        let key = try material.signingKey()
        let cert = try material.certificate()
        for algorithm in [XMLSignatureAlgorithm.rsaSHA256, .rsaSHA512] {
            let signature = try XMLSigner.sign(bytes: query, key: key, algorithm: algorithm)
            XCTAssertEqual(signature.count, 256)
            XCTAssertTrue(try XMLSignatureVerifier.verify(bytes: query, signature: signature, certificate: cert, algorithm: algorithm))
            var tampered = query
            tampered[tampered.count - 1] ^= 0x01
            XCTAssertFalse(try XMLSignatureVerifier.verify(bytes: tampered, signature: signature, certificate: cert, algorithm: algorithm))
            XCTAssertFalse(try XMLSignatureVerifier.verify(bytes: query, signature: signature,
                                                           certificate: material.otherCertificate(), algorithm: algorithm))
        }
        let sha256 = try XMLSigner.sign(bytes: query, key: key, algorithm: .rsaSHA256)
        XCTAssertFalse(try XMLSignatureVerifier.verify(bytes: query, signature: sha256, certificate: cert, algorithm: .rsaSHA512))
    }

    func testECDSARoundTrip() throws {
        let key = try material.ecSigningKey()
        let cert = try material.ecCertificate()
        let signature = try XMLSigner.sign(bytes: query, key: key, algorithm: .ecdsaSHA256)
        XCTAssertEqual(signature.count, 64, "r || s for P-256")
        XCTAssertTrue(try XMLSignatureVerifier.verify(bytes: query, signature: signature, certificate: cert, algorithm: .ecdsaSHA256))
        XCTAssertFalse(try XMLSignatureVerifier.verify(bytes: query + Data("x".utf8), signature: signature, certificate: cert, algorithm: .ecdsaSHA256))
        XCTAssertFalse(try XMLSignatureVerifier.verify(bytes: query, signature: signature.dropLast(), certificate: cert, algorithm: .ecdsaSHA256))
        XCTAssertFalse(try XMLSignatureVerifier.verify(bytes: query, signature: signature, certificate: material.certificate(), algorithm: .ecdsaSHA256))
    }

    func testSHA1IsRefusedUnlessAllowed() throws {
        let cert = try material.certificate()
        XCTAssertThrowsXMLSecurityError(try XMLSigner.sign(bytes: query, key: material.signingKey(), algorithm: .rsaSHA1), "weakAlgorithm") {
            if case .weakAlgorithm = $0 { return true } else { return false }
        }
        XCTAssertThrowsXMLSecurityError(try XMLSignatureVerifier.verify(bytes: query, signature: Data(count: 256), certificate: cert, algorithm: .rsaSHA1),
                                        "weakAlgorithm") {
            if case .weakAlgorithm = $0 { return true } else { return false }
        }
        XCTAssertFalse(try XMLSignatureVerifier.verify(bytes: query, signature: Data(count: 256), certificate: cert, algorithm: .rsaSHA1, allowSHA1: true))
    }

    func testInteropWithOpenSSLCommand() throws {
        let dir = material.directory
        let signature = try XMLSigner.sign(bytes: query, key: material.signingKey(), algorithm: .rsaSHA256)
        let dataURL = dir.appendingPathComponent("query-\(UUID().uuidString).txt")
        let sigURL = dir.appendingPathComponent("query-\(UUID().uuidString).sig")
        try query.write(to: dataURL)
        try signature.write(to: sigURL)
        let pubURL = dir.appendingPathComponent("pub.pem")
        let pub = try runCommand("openssl", ["x509", "-in", material.rsaCertPath, "-pubkey", "-noout", "-out", pubURL.path])
        XCTAssertEqual(pub.status, 0, pub.output)
        let verify = try runCommand("openssl", ["dgst", "-sha256", "-verify", pubURL.path, "-signature", sigURL.path, dataURL.path])
        XCTAssertEqual(verify.status, 0, verify.output)
        XCTAssertTrue(verify.output.contains("Verified OK"), verify.output)
    }

    func testKeyLoadingErrors() throws {
        XCTAssertThrowsXMLSecurityError(try XMLSigningKey(privateKeyPEM: "not a key", certificatePEM: nil), "invalidKey") {
            if case .invalidKey = $0 { return true } else { return false }
        }
        XCTAssertThrowsXMLSecurityError(try XMLSigningKey(privateKeyPEM: material.rsaKeyPEM, certificatePEM: material.otherCertPEM), "invalidKey") {
            if case .invalidKey(let m) = $0 { return m.contains("does not match") } else { return false }
        }
        XCTAssertThrowsXMLSecurityError(try XMLCertificate(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "invalidCertificate") {
            if case .invalidCertificate = $0 { return true } else { return false }
        }
        let cert = try material.certificate()
        XCTAssertEqual(try XMLCertificate(der: cert.derRepresentation), cert)
        XCTAssertEqual(try XMLCertificate(pem: cert.pemRepresentation), cert)
        XCTAssertFalse(cert.base64DER.contains("\n"))
        XCTAssertEqual(cert.keyType, .rsa)
        XCTAssertEqual(try material.ecCertificate().keyType, .ec)
        XCTAssertEqual(try material.signingKey().certificate, cert)
    }
}
