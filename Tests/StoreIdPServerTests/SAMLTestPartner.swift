import Foundation
import SAML
import StoreIdPCore
@testable import StoreIdPServer
import XCTest
import XMLSecurity

/// A SAML service provider for HTTP tests: its own key, registered in the test application, and
/// AuthnRequests built with the XML builder the way an SP would.
struct SAMLTestPartner {
    static let entityID = "https://warranty.example/sp"
    static let acsURL = "https://warranty.example/acs"

    let key: XMLSigningKey
    let certificatePEM: String
    let provider: ServiceProvider

    init(test: TestApplication, slug: String = "warranty", entityID: String = SAMLTestPartner.entityID, access: AccessPolicy = AccessPolicy(), wantSigned: Bool = false,
         signing: ServiceProvider.SAMLSettings.SignaturePlacement = .response) async throws {
        let made = try SigningKeyFactory(commonName: "warranty.example").makeKey(state: .active, now: test.clock.now)
        key = try XMLSigningKey(privateKeyPEM: made.privateKeyPEM, certificatePEM: made.certificatePEM)
        certificatePEM = made.certificatePEM
        provider = ServiceProvider(
            slug: slug, name: "Warranty portal", settings: .saml(ServiceProvider.SAMLSettings(
                entityID: entityID,
                assertionConsumerServices: [.init(url: Self.acsURL, binding: .httpPOST, index: 0, isDefault: true)],
                singleLogoutServices: [.init(url: "https://warranty.example/slo", binding: .httpRedirect)],
                signingCertificates: [made.certificatePEM], encryptionCertificates: [made.certificatePEM],
                signing: signing, wantAuthnRequestsSigned: wantSigned)), access: access)
        _ = try await ProviderDirectory(database: test.app.db).apply([provider], now: test.clock.now)
    }

    struct Request {
        var id = "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var issueInstant: Date
        var destination: String? = "http://127.0.0.1:8080/saml/sso"
        var issuer = SAMLTestPartner.entityID
        var acsURL: String? = SAMLTestPartner.acsURL
        var forceAuthn = false
        var isPassive = false
        var nameIDFormat: String?

        func xml() throws -> Data {
            let p = SAMLNamespace.protocol, a = SAMLNamespace.assertion
            let document = try XMLDocument(rootNamespace: p, prefix: "samlp", rootName: "AuthnRequest")
            let root = document.rootElement!
            try root.declareNamespace(a, prefix: "saml")
            try root.setAttribute("ID", value: id)
            try root.setAttribute("Version", value: "2.0")
            try root.setAttribute("IssueInstant", value: SAMLInstant.string(from: issueInstant))
            if let destination { try root.setAttribute("Destination", value: destination) }
            if let acsURL { try root.setAttribute("AssertionConsumerServiceURL", value: acsURL) }
            if forceAuthn { try root.setAttribute("ForceAuthn", value: "true") }
            if isPassive { try root.setAttribute("IsPassive", value: "true") }
            try root.addChild(namespace: a, prefix: "saml", localName: "Issuer").setText(issuer)
            if let nameIDFormat {
                try root.addChild(namespace: p, prefix: "samlp", localName: "NameIDPolicy").setAttribute("Format", value: nameIDFormat)
            }
            return try document.serialized()
        }
    }

    func request(_ test: TestApplication) -> Request { Request(issueInstant: test.clock.now) }

    /// `/saml/sso?…` for the HTTP-Redirect binding, signed when `sign`.
    func redirectPath(_ request: Request, relayState: String? = nil, sign: Bool = false) throws -> String {
        let url = try SAMLRedirectBinding.encode(xml: request.xml(), parameter: .request, relayState: relayState,
                                                 destination: "http://127.0.0.1:8080/saml/sso", signingKey: sign ? key : nil, algorithm: .rsaSHA256)
        return "/saml/sso?" + url[url.index(after: url.firstIndex(of: "?")!)...]
    }
}

/// The hidden fields and action of an auto-POST form page.
struct PostedForm {
    let action: String
    let fields: [String: String]

    init?(_ html: String) {
        func unescape(_ text: String) -> String {
            text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        }
        guard let actionRange = html.range(of: "action=\""), html.contains("id=\"post-form\"") else { return nil }
        let rest = html[actionRange.upperBound...]
        action = unescape(String(rest[..<rest.firstIndex(of: "\"")!]))
        var fields: [String: String] = [:]
        var cursor = html.startIndex
        while let input = html.range(of: "<input type=\"hidden\" name=\"", range: cursor..<html.endIndex) {
            let nameEnd = html[input.upperBound...].firstIndex(of: "\"")!
            let name = String(html[input.upperBound..<nameEnd])
            let valueStart = html.range(of: "value=\"", range: nameEnd..<html.endIndex)!.upperBound
            let valueEnd = html[valueStart...].firstIndex(of: "\"")!
            fields[name] = unescape(String(html[valueStart..<valueEnd]))
            cursor = valueEnd
        }
        self.fields = fields
    }

    /// The posted SAMLResponse, parsed.
    func samlResponse() throws -> XMLDocument {
        let data = try XCTUnwrap(Data(base64Encoded: fields["SAMLResponse"] ?? ""))
        return try XMLDocument(parsing: data)
    }
}
