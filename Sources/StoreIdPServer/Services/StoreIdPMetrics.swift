import Foundation
import Metrics
import Prometheus
import StoreIdPCore
import Vapor

/// The process's metrics in Prometheus text (`GET /metrics`). swift-metrics is bootstrapped with
/// a Prometheus registry once per process (`StoreIdPMain`), so Vapor's own request series
/// (`http_requests_total{method,path,status}`, `http_request_duration_seconds`, labelled by
/// route pattern, not by raw path) land here beside StoreIdP's:
///
/// | series | labels | source |
/// |---|---|---|
/// | `storeidp_signins_total` | `provider`, `protocol` | every assertion or token issued (audit rows) |
/// | `storeidp_signing_seconds` | `kind` | signing time of SAML Responses, JWTs, OIDC tokens |
/// | `storeidp_login_failures_total` | `account` (`customer`, `admin`) | refused passwords |
/// | `storeidp_login_throttled_total` | `account` | attempts refused by the throttle (429) |
/// | `storeidp_key_age_seconds` | `algorithm` | age of each active signing key, at scrape |
/// | `storeidp_audit_rows_total` | `kind` | every audit row |
/// | `storeidp_database_pool_wait_seconds` | | time to lease a pooled database connection, sampled once a second per node by the key-ring refresh (it waits behind the requests when the pool is exhausted) |
/// | `storeidp_key_ring_version` | | the version of the key ring this node signs with |
enum StoreIdPMetrics {
    static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = NSLock()
    nonisolated(unsafe) private static var isBootstrapped = false

    /// Routes swift-metrics to the registry; once per process (later calls do nothing).
    static func bootstrap() {
        bootstrapped.withLock {
            guard !isBootstrapped else { return }
            isBootstrapped = true
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        }
    }

    /// Counts an audit event: every row by kind, and a sign-in by provider and protocol.
    static func record(_ event: AuditEvent) {
        Counter(label: "storeidp_audit_rows_total", dimensions: [("kind", event.kind.rawValue)]).increment()
        let protocolName: String?
        switch event.kind {
        case .samlResponse: protocolName = "saml"
        case .jwtIssued: protocolName = "jwt"
        case .bigCommerceLogin: protocolName = "bigcommerce"
        case .oidcTokensIssued: protocolName = "oidc"
        default: protocolName = nil
        }
        if let protocolName {
            Counter(label: "storeidp_signins_total", dimensions: [("provider", event.serviceProvider ?? ""), ("protocol", protocolName)]).increment()
        }
        switch event.kind {
        case .loginFailed: Counter(label: "storeidp_login_failures_total", dimensions: [("account", "customer")]).increment()
        case .adminLoginFailed: Counter(label: "storeidp_login_failures_total", dimensions: [("account", "admin")]).increment()
        default: break
        }
    }

    static func poolWait(seconds: TimeInterval) {
        Timer(label: "storeidp_database_pool_wait_seconds", preferredDisplayUnit: .seconds).recordSeconds(seconds)
    }

    static func keyRingVersion(_ version: Int64) {
        Gauge(label: "storeidp_key_ring_version").record(Double(version))
    }

    static func throttled(scope: String) {
        Counter(label: "storeidp_login_throttled_total", dimensions: [("account", scope.isEmpty ? "customer" : "admin")]).increment()
    }

    /// The text exposition, with the key ages measured now.
    static func exposition(keyRing: KeyRing, now: Date) -> String {
        for algorithm in SigningKey.Algorithm.allCases {
            guard let key = keyRing.active(algorithm) else { continue }
            let age = now.timeIntervalSince(key.activatedAt ?? key.createdAt)
            Gauge(label: "storeidp_key_age_seconds", dimensions: [("algorithm", algorithm.rawValue)]).record(age)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// `GET /metrics`: behind `Authorization: Bearer` with `STOREIDP_METRICS_TOKEN` (or the admin
/// token); 404 when neither is set, so a deployment that did not ask for metrics shows none.
struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: metrics)
    }

    func metrics(_ request: Request) async throws -> Response {
        let settings = request.storeIdP.settings
        let tokens = [settings.environment["STOREIDP_METRICS_TOKEN"], settings.adminToken].compactMap { $0 }.filter { $0.utf8.count >= 32 }
        guard !tokens.isEmpty else { throw PageError(.notFound, "There is no page at this address.") }
        let presented = request.headers.bearerAuthorization?.token ?? ""
        guard tokens.contains(where: { ConstantTime.equals(presented, $0) }) else {
            throw PageError(.unauthorized, "A metrics token is needed.", headers: ["WWW-Authenticate": "Bearer realm=\"storeidp-metrics\""])
        }
        let text = StoreIdPMetrics.exposition(keyRing: try request.storeIdP.keyRing.current(), now: request.now)
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }
}
