import JWTSSO

/// How storefront launch links are checked; no verifier means launch links are off.
public struct LaunchSettings: Sendable {
    public var verifier: LaunchTokenVerifier?

    public init(verifier: LaunchTokenVerifier?) {
        self.verifier = verifier
    }
}
