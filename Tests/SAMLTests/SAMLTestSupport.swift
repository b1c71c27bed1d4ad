import Foundation
import XCTest
@testable import SAML
import StoreIdPCore
import StoreIdPTestSupport
import XMLSecurity

/// Keys generated in process for this run (nothing committed), also written to files for
/// `xmlsec1`.
struct SAMLTestKeys: Sendable {
    let directory: URL
    let idpKeyPEM: String, idpCertPEM: String
    let spKeyPEM: String, spCertPEM: String
    let otherKeyPEM: String, otherCertPEM: String
    let ecKeyPEM: String, ecCertPEM: String

    static let shared: SAMLTestKeys = {
        do { return try generate() } catch { fatalError("cannot generate test keys: \(error)") }
    }()

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private static func generate() throws -> SAMLTestKeys {
        let dir = try TestDirectory.make(prefix: "saml-tests")
        let idp = try TestKeyPair.generate(.rsa2048, commonName: "idp")
        let sp = try TestKeyPair.generate(.rsa2048, commonName: "sp")
        let other = try TestKeyPair.generate(.rsa2048, commonName: "other")
        let ec = try TestKeyPair.generate(.p256, commonName: "ec")
        try idp.write(to: dir, keyFile: "idp.key", certificateFile: "idp.crt")
        try sp.write(to: dir, keyFile: "sp.key", certificateFile: "sp.crt")
        try other.write(to: dir, keyFile: "other.key", certificateFile: "other.crt")
        try ec.write(to: dir, keyFile: "ec.key", certificateFile: "ec.crt")
        return SAMLTestKeys(directory: dir, idpKeyPEM: idp.keyPEM, idpCertPEM: idp.certificatePEM,
                            spKeyPEM: sp.keyPEM, spCertPEM: sp.certificatePEM,
                            otherKeyPEM: other.keyPEM, otherCertPEM: other.certificatePEM,
                            ecKeyPEM: ec.keyPEM, ecCertPEM: ec.certificatePEM)
    }

    var idpKey: XMLSigningKey { try! XMLSigningKey(privateKeyPEM: idpKeyPEM, certificatePEM: idpCertPEM) }
    var spKey: XMLSigningKey { try! XMLSigningKey(privateKeyPEM: spKeyPEM, certificatePEM: spCertPEM) }
    var otherKey: XMLSigningKey { try! XMLSigningKey(privateKeyPEM: otherKeyPEM, certificatePEM: otherCertPEM) }
    var ecKey: XMLSigningKey { try! XMLSigningKey(privateKeyPEM: ecKeyPEM, certificatePEM: ecCertPEM) }
    var idpCertificate: XMLCertificate { try! XMLCertificate(pem: idpCertPEM) }
}

/// Deterministic IDs: `_id1`, `_id2`, …
final class SequentialIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func make() -> String { lock.withLock { next += 1; return "_id\(next)" } }
}

enum Fixture {
    /// 2024-05-01T12:00:00Z
    static let now = Date(timeIntervalSince1970: 1_714_564_800)
    static let idp = IdentityProvider(baseURL: "https://id.store.example/")
    static let spEntityID = "https://warranty.example/sp"
    static let acsURL = "https://warranty.example/acs"
    static let acs2URL = "https://warranty.example/acs2"
    static let sloURL = "https://warranty.example/slo"

    static func settings(wantSigned: Bool = false, certificates: [String] = [SAMLTestKeys.shared.spCertPEM]) -> ServiceProvider.SAMLSettings {
        ServiceProvider.SAMLSettings(
            entityID: spEntityID,
            assertionConsumerServices: [.init(url: acsURL, binding: .httpPOST, index: 0, isDefault: true),
                                        .init(url: acs2URL, binding: .httpPOST, index: 3)],
            singleLogoutServices: [.init(url: sloURL, binding: .httpRedirect, responseURL: sloURL + "/response")],
            signingCertificates: certificates, encryptionCertificates: certificates,
            wantAuthnRequestsSigned: wantSigned)
    }

    static func provider(_ settings: ServiceProvider.SAMLSettings = Fixture.settings()) -> ServiceProvider {
        ServiceProvider(slug: "warranty", name: "Warranty portal", settings: .saml(settings), lifetimeSeconds: 300)
    }

    static func lookup(_ provider: ServiceProvider) -> (String) -> ServiceProvider? {
        { $0 == provider.saml?.entityID ? provider : nil }
    }
}

/// Builds AuthnRequests the way a service provider would (with the XML builder).
struct TestAuthnRequest {
    var id = "_req1"
    var version = "2.0"
    var issueInstant = Fixture.now
    /// Written instead of `issueInstant` when set (for instants no `Date` writes).
    var issueInstantText: String?
    var destination: String? = Fixture.idp.singleSignOnServiceURL
    var issuer: String? = Fixture.spEntityID
    var acsURL: String? = Fixture.acsURL
    var acsIndex: Int?
    var protocolBinding: String? = SAMLBindingURI.httpPOST
    var forceAuthn: Bool?
    var isPassive: Bool?
    var nameIDFormat: String?
    var allowCreate: Bool?
    var comparison: String?
    var classRefs: [String]?

    func document() throws -> XMLDocument {
        let p = SAMLNamespace.protocol, a = SAMLNamespace.assertion
        let doc = try XMLDocument(rootNamespace: p, prefix: "samlp", rootName: "AuthnRequest")
        let root = doc.rootElement!
        try root.declareNamespace(a, prefix: "saml")
        try root.setAttribute("ID", value: id)
        try root.setAttribute("Version", value: version)
        try root.setAttribute("IssueInstant", value: issueInstantText ?? SAMLInstant.string(from: issueInstant))
        if let destination { try root.setAttribute("Destination", value: destination) }
        if let acsURL { try root.setAttribute("AssertionConsumerServiceURL", value: acsURL) }
        if let acsIndex { try root.setAttribute("AssertionConsumerServiceIndex", value: String(acsIndex)) }
        if let protocolBinding { try root.setAttribute("ProtocolBinding", value: protocolBinding) }
        if let forceAuthn { try root.setAttribute("ForceAuthn", value: String(forceAuthn)) }
        if let isPassive { try root.setAttribute("IsPassive", value: String(isPassive)) }
        if let issuer { try root.addChild(namespace: a, prefix: "saml", localName: "Issuer").setText(issuer) }
        if nameIDFormat != nil || allowCreate != nil {
            let policy = try root.addChild(namespace: p, prefix: "samlp", localName: "NameIDPolicy")
            if let nameIDFormat { try policy.setAttribute("Format", value: nameIDFormat) }
            if let allowCreate { try policy.setAttribute("AllowCreate", value: String(allowCreate)) }
        }
        if let classRefs {
            let requested = try root.addChild(namespace: p, prefix: "samlp", localName: "RequestedAuthnContext")
            if let comparison { try requested.setAttribute("Comparison", value: comparison) }
            for ref in classRefs { try requested.addChild(namespace: a, prefix: "saml", localName: "AuthnContextClassRef").setText(ref) }
        }
        return doc
    }

    func xml() throws -> Data { try document().serialized() }

    /// An enveloped-signed copy (HTTP-POST), signature right after Issuer.
    func signedXML(key: XMLSigningKey = SAMLTestKeys.shared.spKey) throws -> Data {
        let doc = try document()
        let root = doc.rootElement!
        try XMLSigner.sign(root, key: key, insertAfter: root.firstChild(namespace: SAMLNamespace.assertion, localName: "Issuer"))
        return try doc.serialized()
    }

    /// The raw query string of an HTTP-Redirect request, signed when a key is given.
    func redirectQuery(relayState: String? = nil, key: XMLSigningKey? = nil,
                       algorithm: XMLSignatureAlgorithm = .rsaSHA256) throws -> String {
        let url = try SAMLRedirectBinding.encode(xml: xml(), parameter: .request, relayState: relayState,
                                                 destination: Fixture.idp.singleSignOnServiceURL, signingKey: key, algorithm: algorithm)
        return String(url[url.index(after: url.firstIndex(of: "?")!)...])
    }
}

/// Asserts that `body` throws `E` matching `matches`.
func XCTAssertThrows<E: Error>(
    _ body: @autoclosure () throws -> some Any, as: E.Type, _ description: String,
    file: StaticString = #filePath, line: UInt = #line, _ matches: (E) -> Bool
) {
    do {
        _ = try body()
        XCTFail("expected \(description), but nothing was thrown", file: file, line: line)
    } catch let error as E {
        XCTAssertTrue(matches(error), "expected \(description), got \(error)", file: file, line: line)
    } catch {
        XCTFail("expected \(E.self) (\(description)), got \(error)", file: file, line: line)
    }
}

func xmlsec1Verify(_ xml: Data, idAttr: String, certPEMPath: String) throws -> CommandResult {
    let file = SAMLTestKeys.shared.directory.appendingPathComponent("\(UUID().uuidString).xml")
    try xml.write(to: file)
    return try runCommand("xmlsec1", ["--verify", "--id-attr:ID", idAttr, "--pubkey-cert-pem", certPEMPath, file.path])
}
