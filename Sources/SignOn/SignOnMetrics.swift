import Foundation
import Metrics

/// What the sign-in flows report through swift-metrics (the server exports it as Prometheus
/// text at `/metrics`): how long signing takes, by what is signed. Labels are bounded: a fixed
/// set of kinds.
public enum SignOnMetrics {
    public enum Signed: String, Sendable {
        case samlResponse = "saml_response"
        case jwt
        case oidcTokens = "oidc_tokens"
    }

    /// Runs `body` and records its duration in `storeidp_signing_seconds{kind}`.
    static func timeSigning<T>(_ kind: Signed, _ body: () async throws -> T) async rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            Timer(label: "storeidp_signing_seconds", dimensions: [("kind", kind.rawValue)], preferredDisplayUnit: .seconds)
                .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
        }
        return try await body()
    }
}
