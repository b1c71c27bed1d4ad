import Foundation
import SAML
import Vapor

/// Takes a SAML message off an HTTP request: GET carries it in the raw query (HTTP-Redirect,
/// whose signature covers the exact encoded octets, saml-bindings §3.4.4.1), POST in a form
/// field (HTTP-POST, §3.5.4). Every failure is a 400 page; the message is parsed once, here.
enum SAMLHTTPBinding {
    /// A SAMLRequest or SAMLResponse is at most 1 MiB encoded (`SAMLMessageLimits`); the form
    /// around it a little more.
    static let maximumPostBody: ByteCount = "1100kb"

    private struct Form: Decodable {
        var SAMLRequest: String?
        var SAMLResponse: String?
        var RelayState: String?
    }

    /// Which message the request carries: SAMLResponse when present, else SAMLRequest.
    static func parameter(of request: Request) throws -> SAMLMessageParameter {
        if request.method == .GET {
            return (request.url.query ?? "").split(separator: "&").contains { $0.hasPrefix("SAMLResponse=") } ? .response : .request
        }
        try request.requireBodySize(atMost: maximumPostBody)
        return (try? request.content.decode(Form.self))?.SAMLResponse != nil ? .response : .request
    }

    static func decode(_ request: Request, expecting parameter: SAMLMessageParameter) throws -> SAMLInboundMessage {
        do {
            if request.method == .GET {
                guard let query = request.url.query, !query.isEmpty else {
                    throw PageError(.badRequest, "This address expects a SAML message from a partner service.")
                }
                return try SAMLRedirectBinding.decode(rawQuery: query, expecting: parameter)
            }
            try request.requireBodySize(atMost: maximumPostBody)
            guard let form = try? request.content.decode(Form.self) else {
                throw PageError(.badRequest, "The SAML form could not be read.")
            }
            let value = parameter == .request ? form.SAMLRequest : form.SAMLResponse
            return try SAMLPostBinding.decode(encoded: value ?? "", relayState: form.RelayState, expecting: parameter)
        } catch let error as SAMLRequestError {
            throw PageError(.badRequest, "The SAML message was refused: \(error.description)")
        }
    }
}
