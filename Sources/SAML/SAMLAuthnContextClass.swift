/// Authentication context class references (saml-authn-context-2.0-os §3.4).
public enum SAMLAuthnContextClass {
    /// "The Principal authenticates … by the presentation of a password over a
    /// protected session" (§3.4.7): a store password over HTTPS.
    public static let passwordProtectedTransport = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    /// A password, transport not stated (§3.4.6).
    public static let password = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
    /// "The authentication was performed by unspecified means" (§3.4.25).
    public static let unspecified = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
}
