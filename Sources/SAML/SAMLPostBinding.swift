import Foundation
import XMLSecurity

/// The HTTP-POST binding (saml-bindings §3.5): the XML message, base64-encoded,
/// in a form field; its signature, if any, is an enveloped XML signature.
///
/// ```swift
/// let message = try SAMLPostBinding.decode(encoded: form["SAMLRequest"] ?? "", relayState: form["RelayState"])
/// let form = try SAMLPostBinding.message(xml: response.xml, parameter: .response, relayState: relay, destination: acs)
/// ```
public enum SAMLPostBinding {
    /// Decodes a message from the form field's value (already form-decoded by
    /// the server): RelayState length (§3.5.3), size, strict base64, hardened parse.
    public static func decode(
        encoded: String,
        relayState: String?,
        expecting parameter: SAMLMessageParameter = .request,
        limits: SAMLMessageLimits = .default
    ) throws(SAMLRequestError) -> SAMLInboundMessage {
        try SAMLRelayState.check(relayState)
        guard !encoded.isEmpty else { throw .missingParameter(parameter.rawValue) }
        let xml = try SAMLEncoding.base64Decode(Substring(encoded), parameter: parameter.rawValue, limit: limits.maxEncodedBytes)
        let document = try SAMLInboundMessage.parse(xml, limits: limits)
        return SAMLInboundMessage(binding: .httpPOST, parameter: parameter, document: document,
                                  relayState: relayState, redirectSignature: nil)
    }

    /// The form that posts `xml` (already enveloped-signed as needed) to `destination`.
    public static func message(
        xml: Data, parameter: SAMLMessageParameter, relayState: String?, destination: String
    ) throws(SAMLBuildError) -> SAMLOutboundMessage {
        if let relayState, relayState.utf8.count > SAMLRelayState.maximumBytes {
            throw .relayStateTooLong(bytes: relayState.utf8.count)
        }
        return .post(action: destination, parameter: parameter, value: xml.base64EncodedString(), relayState: relayState)
    }
}
