/// An outgoing SAML message, ready for the browser: a redirect (HTTP-Redirect
/// binding) or an auto-submitting form (HTTP-POST binding, saml-bindings §3.5.4).
public enum SAMLOutboundMessage: Sendable, Hashable {
    /// Redirect the browser (302/303) to this URL.
    case redirect(url: String)
    /// Render a form posting `parameter`=`value` (and RelayState) to `action`.
    case post(action: String, parameter: SAMLMessageParameter, value: String, relayState: String?)

    /// The form fields of a POST message, in order (empty for a redirect).
    public var formFields: [(name: String, value: String)] {
        guard case let .post(_, parameter, value, relayState) = self else { return [] }
        var fields = [(name: parameter.rawValue, value: value)]
        if let relayState { fields.append((name: "RelayState", value: relayState)) }
        return fields
    }
}
