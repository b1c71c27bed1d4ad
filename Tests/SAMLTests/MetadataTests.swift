import Foundation
import StoreIdPTestSupport
import XCTest
@testable import SAML
import StoreIdPCore
import XMLSecurity

final class IdentityProviderMetadataTests: XCTestCase {
    let keys = SAMLTestKeys.shared
    let md = SAMLNamespace.metadata

    func metadata() throws -> Data {
        try IdentityProviderMetadata.document(identityProvider: Fixture.idp, certificatesPEM: [keys.idpCertPEM, keys.otherCertPEM],
                                              signingKey: keys.idpKey, id: "_meta1",
                                              validUntil: Fixture.now.addingTimeInterval(7 * 86_400), cacheDuration: 86_400)
    }

    func testStructureAndSignature() throws {
        let doc = try XMLDocument(parsing: try metadata())
        let entity = doc.rootElement!
        XCTAssertTrue(entity.isElement(namespace: md, localName: "EntityDescriptor"))
        XCTAssertEqual(entity.attribute("entityID"), "https://id.store.example/saml/metadata")
        XCTAssertEqual(entity.attribute("ID"), "_meta1")
        XCTAssertEqual(entity.attribute("validUntil"), "2024-05-08T12:00:00Z")
        XCTAssertEqual(entity.attribute("cacheDuration"), "PT86400S")
        XCTAssertEqual(entity.children.map(\.localName), ["Signature", "IDPSSODescriptor"])
        XCTAssertNoThrow(try XMLSignatureVerifier.verify(signedElement: entity, trustedCertificates: [keys.idpCertificate]))

        let idp = entity.firstChild(namespace: md, localName: "IDPSSODescriptor")!
        XCTAssertEqual(idp.attribute("protocolSupportEnumeration"), SAMLNamespace.protocol)
        XCTAssertEqual(idp.attribute("WantAuthnRequestsSigned"), "false")
        let keyDescriptors = idp.children(namespace: md, localName: "KeyDescriptor")
        XCTAssertEqual(keyDescriptors.map { $0.attribute("use") }, ["signing", "signing"])
        let published = keyDescriptors.map {
            $0.firstChild(namespace: SAMLNamespace.ds, localName: "KeyInfo")?.firstChild(namespace: SAMLNamespace.ds, localName: "X509Data")?
                .firstChild(namespace: SAMLNamespace.ds, localName: "X509Certificate")?.textContent
        }
        XCTAssertEqual(published, [try XMLCertificate(pem: keys.idpCertPEM).base64DER, try XMLCertificate(pem: keys.otherCertPEM).base64DER])
        XCTAssertEqual(idp.children.map(\.localName), ["KeyDescriptor", "KeyDescriptor", "SingleLogoutService", "SingleLogoutService",
                                                       "NameIDFormat", "NameIDFormat", "NameIDFormat", "NameIDFormat",
                                                       "SingleSignOnService", "SingleSignOnService"])
        XCTAssertEqual(idp.children(namespace: md, localName: "NameIDFormat").map(\.textContent), [
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "urn:oasis:names:tc:SAML:2.0:nameid-format:transient", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"])
        let sso = idp.children(namespace: md, localName: "SingleSignOnService")
        XCTAssertEqual(sso.map { $0.attribute("Binding") }, [SAMLBindingURI.httpRedirect, SAMLBindingURI.httpPOST])
        XCTAssertEqual(Set(sso.map { $0.attribute("Location") }), ["https://id.store.example/saml/sso"])
        let slo = idp.children(namespace: md, localName: "SingleLogoutService")
        XCTAssertEqual(slo.map { $0.attribute("Binding") }, [SAMLBindingURI.httpRedirect, SAMLBindingURI.httpPOST])
        XCTAssertEqual(Set(slo.map { $0.attribute("Location") }), ["https://id.store.example/saml/slo"])
    }

    func testXMLSec1VerifiesMetadata() throws {
        let which = try runCommand("sh", ["-c", "command -v xmlsec1"])
        XCTAssertEqual(which.status, 0, "xmlsec1 is not installed (apt-get install -y xmlsec1)")
        guard which.status == 0 else { return }
        let result = try xmlsec1Verify(try metadata(), idAttr: "\(md):EntityDescriptor", certPEMPath: keys.path("idp.crt"))
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("OK"), result.output)
        let wrong = try xmlsec1Verify(try metadata(), idAttr: "\(md):EntityDescriptor", certPEMPath: keys.path("other.crt"))
        XCTAssertNotEqual(wrong.status, 0, wrong.output)
    }

    func testBadCertificateIsNamed() {
        XCTAssertThrows(try IdentityProviderMetadata.document(identityProvider: Fixture.idp, certificatesPEM: [keys.idpCertPEM, "nope"],
                                                              signingKey: keys.idpKey),
                        as: SAMLBuildError.self, "unusableCertificate #2") {
            if case let .unusableCertificate(which, _) = $0 { return which.contains("#2") } else { return false }
        }
    }

    /// Our own metadata, read as if it were an SP's, is refused: it has no SPSSODescriptor.
    func testOwnMetadataIsNotSPMetadata() throws {
        XCTAssertThrows(try ServiceProviderMetadataReader.settings(from: try metadata(), path: "m"), as: ProviderValidationError.self, "no SPSSODescriptor") {
            $0.problem.contains("md:SPSSODescriptor")
        }
    }
}

final class ServiceProviderMetadataReaderTests: XCTestCase {
    let keys = SAMLTestKeys.shared

    func base64(_ pem: String) -> String { try! XMLCertificate(pem: pem).base64DER }

    func spMetadata(descriptorAttributes: String = #"AuthnRequestsSigned="true" WantAssertionsSigned="true""#,
                    keyDescriptors: String? = nil, acs: String? = nil, extra: String = "") -> Data {
        let keys = keyDescriptors ?? """
        <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(base64(self.keys.spCertPEM))</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
        <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(base64(self.keys.otherCertPEM))</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
        <md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(base64(self.keys.ecCertPEM))</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
        """
        let consumers = acs ?? """
        <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://warranty.example/artifact" index="0"/>
        <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://warranty.example/acs" index="1"/>
        <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://warranty.example/acs2" index="2" isDefault="true"/>
        """
        return Data("""
        <?xml version="1.0"?>
        <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://warranty.example/sp">
          <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol" \(descriptorAttributes)>
            \(keys)
            <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://warranty.example/slo" ResponseLocation="https://warranty.example/slo/done"/>
            <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://warranty.example/soap"/>
            <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName</md:NameIDFormat>
            <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
            \(consumers)
          </md:SPSSODescriptor>
          \(extra)
        </md:EntityDescriptor>
        """.utf8)
    }

    func testReadsEverything() throws {
        let result = try ServiceProviderMetadataReader.read(spMetadata(), path: "providers[0].saml.metadata")
        let s = result.settings
        XCTAssertEqual(s.entityID, "https://warranty.example/sp")
        XCTAssertEqual(s.assertionConsumerServices, [.init(url: "https://warranty.example/acs", binding: .httpPOST, index: 1, isDefault: false),
                                                     .init(url: "https://warranty.example/acs2", binding: .httpPOST, index: 2, isDefault: true)])
        XCTAssertEqual(s.defaultAssertionConsumerService?.url, "https://warranty.example/acs2")
        XCTAssertEqual(s.singleLogoutServices, [.init(url: "https://warranty.example/slo", binding: .httpRedirect, index: 0,
                                                      isDefault: false, responseURL: "https://warranty.example/slo/done")])
        let pem: (String) -> String = { try! XMLCertificate(pem: $0).pemRepresentation }
        XCTAssertEqual(s.signingCertificates, [pem(keys.spCertPEM), pem(keys.ecCertPEM)])
        XCTAssertEqual(s.encryptionCertificates, [pem(keys.otherCertPEM), pem(keys.ecCertPEM)])
        XCTAssertTrue(s.wantAuthnRequestsSigned)
        XCTAssertEqual(s.signing, .both)
        XCTAssertEqual(s.nameIDFormat, .persistent)
        XCTAssertEqual(result.notes.count, 2, "\(result.notes)")
        XCTAssertTrue(result.notes[0].contains("HTTP-Artifact"))
        // The registration's reader type is satisfied.
        let reader: ServiceProviderRegistration.MetadataReader = ServiceProviderMetadataReader.reader
        XCTAssertEqual(try reader(spMetadata(), "x").entityID, "https://warranty.example/sp")
    }

    func testDefaults() throws {
        let s = try ServiceProviderMetadataReader.settings(from: spMetadata(descriptorAttributes: ""), path: "p")
        XCTAssertFalse(s.wantAuthnRequestsSigned)
        XCTAssertEqual(s.signing, .response)
    }

    func testEntitiesDescriptorWithOneSP() throws {
        let inner = String(decoding: spMetadata(), as: UTF8.self).replacingOccurrences(of: "<?xml version=\"1.0\"?>", with: "")
        let wrapped = Data("""
        <md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">
          <md:EntityDescriptor entityID="https://idp.other"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>
          \(inner)
        </md:EntitiesDescriptor>
        """.utf8)
        XCTAssertEqual(try ServiceProviderMetadataReader.settings(from: wrapped, path: "p").entityID, "https://warranty.example/sp")
        let two = Data("""
        <md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">\(inner)\(inner)</md:EntitiesDescriptor>
        """.utf8)
        XCTAssertThrows(try ServiceProviderMetadataReader.settings(from: two, path: "p"), as: ProviderValidationError.self, "two SPs") {
            $0.problem.contains("2 entities")
        }
    }

    func testErrorsNameTheElement() {
        func expect(_ data: Data, _ fragment: String, path: String? = nil, line: UInt = #line) {
            XCTAssertThrows(try ServiceProviderMetadataReader.settings(from: data, path: "sp.metadata"), as: ProviderValidationError.self,
                            fragment, line: line) {
                $0.description.contains(fragment) && (path == nil || $0.path == path)
            }
        }
        expect(Data("not xml".utf8), "not usable XML")
        expect(Data(#"<!DOCTYPE x [<!ENTITY a "b">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>"#.utf8), "DOCTYPE")
        expect(Data(#"<EntityDescriptor entityID="x"/>"#.utf8), "not md:EntityDescriptor")
        expect(spMetadata(acs: #"<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://warranty.example/a" index="0"/>"#),
               "no md:AssertionConsumerService with the HTTP-POST binding")
        expect(spMetadata(acs: #"<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://warranty.example/a"/>"#),
               "has no index", path: "sp.metadata.SPSSODescriptor.AssertionConsumerService[0]")
        expect(spMetadata(acs: #"<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="http://warranty.example/a" index="0"/>"#),
               "https", path: "sp.metadata.SPSSODescriptor.AssertionConsumerService[0].Location")
        expect(spMetadata(acs: """
            <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://warranty.example/a" index="1"/>
            <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://warranty.example/b" index="1"/>
            """), "index 1 is used by two")
        expect(spMetadata(keyDescriptors: #"<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#),
               "ds:X509Certificate cannot be read", path: "sp.metadata.SPSSODescriptor.KeyDescriptor[0].X509Certificate")
        expect(spMetadata(keyDescriptors: #"<md:KeyDescriptor use="both"><ds:KeyInfo/></md:KeyDescriptor>"#), "neither signing nor encryption")
        expect(spMetadata(keyDescriptors: ""), "AuthnRequestsSigned=\"true\" but no md:KeyDescriptor")
        expect(spMetadata(descriptorAttributes: #"AuthnRequestsSigned="maybe""#), "AuthnRequestsSigned=\"maybe\" is not true or false")
        expect(Data(#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:SPSSODescriptor/></md:EntityDescriptor>"#.utf8), "no entityID")
        expect(Data(#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"/></md:EntityDescriptor>"#.utf8),
               "protocolSupportEnumeration")
    }
}
