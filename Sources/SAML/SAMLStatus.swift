/// The `samlp:Status` of a response (saml-core §3.2.2): a top-level code, an
/// optional second-level code that refines it, and an optional message for
/// the partner's logs.
public struct SAMLStatus: Sendable, Hashable {
    public var code: SAMLStatusCode
    public var secondLevel: SAMLStatusCode?
    public var message: String?

    public init(code: SAMLStatusCode, secondLevel: SAMLStatusCode? = nil, message: String? = nil) {
        self.code = code
        self.secondLevel = secondLevel
        self.message = message
    }

    public static let success = SAMLStatus(code: .success)

    public var isSuccess: Bool { code == .success }
}
