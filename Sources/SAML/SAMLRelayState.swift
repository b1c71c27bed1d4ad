/// RelayState rules (saml-bindings §3.4.3, §3.5.3): "The value MUST NOT exceed
/// 80 bytes in length"; it is echoed opaquely and never interpreted.
public enum SAMLRelayState {
    public static let maximumBytes = 80

    /// Refuses RelayState over 80 bytes (UTF-8).
    static func check(_ relayState: String?) throws(SAMLRequestError) {
        if let relayState, relayState.utf8.count > maximumBytes {
            throw .relayStateTooLong(bytes: relayState.utf8.count)
        }
    }
}
