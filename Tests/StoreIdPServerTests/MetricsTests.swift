import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// `GET /metrics`: Prometheus text behind a token, with the request, sign-in, signing, login and
/// key series, moving as sign-ins happen.
final class MetricsTests: XCTestCase {
    static let token = "metrics-token-0123456789-abcdefghijklmnop"
    var test: TestApplication!

    override func setUp() async throws {
        StoreIdPMetrics.bootstrap()
        test = try await TestApplication.make { $0.environment = ["STOREIDP_METRICS_TOKEN": Self.token] }
        let jwt = ServiceProvider.JWTSettings(algorithm: .rs256, redirectURL: "https://academy.example/sso")
        _ = try await ProviderDirectory(database: test.app.db).apply([ServiceProvider(slug: "metrics-academy", name: "Academy", settings: .jwt(jwt))],
                                                                     now: test.clock.now)
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    private func scrape() async throws -> String {
        let response = try await test.app.sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer \(Self.token)"])
        XCTAssertEqual(response.status, .ok)
        XCTAssertTrue(response.headers.first(name: .contentType)?.hasPrefix("text/plain") == true)
        return response.body.string
    }

    /// The value of the first sample line starting with `prefix` (0 when absent).
    private func value(_ text: String, _ prefix: String) -> Double {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
    }

    func testTheSeriesMoveAsCustomersSignIn() async throws {
        let before = try await scrape()
        let browser = Browser(test.app)
        let csrf = try await browser.csrfToken()
        _ = try await browser.post("/login", form: ["email": "ann@shop.example", "password": "wrong", "csrf": csrf])
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let sso = try await browser.get("/sso/metrics-academy")
        XCTAssertEqual(sso.status, .seeOther)
        let after = try await scrape()
        let signins = #"storeidp_signins_total{provider="metrics-academy",protocol="jwt"}"#
        XCTAssertEqual(value(after, signins) - value(before, signins), 1, after)
        let failures = #"storeidp_login_failures_total{account="customer"}"#
        XCTAssertGreaterThanOrEqual(value(after, failures) - value(before, failures), 1)
        XCTAssertTrue(after.contains("storeidp_signing_seconds"), "signing latency histogram")
        XCTAssertTrue(after.contains(#"storeidp_key_age_seconds{algorithm="RS256"}"#))
        XCTAssertTrue(after.contains("http_requests_total"), "Vapor's requests by route and status")
        XCTAssertFalse(after.contains("correct horse"), "no secret in metrics")
    }

    func testTheKeyRingRefreshSamplesThePoolWaitAndShowsTheRingVersion() async throws {
        let before = try await scrape()
        let ring = test.app.storeIdP.keyRing
        try await test.run(KeysRotateCommand(), [])
        let version = try XCTUnwrap(ring.loadedVersion)
        await KeyRingRefresh().refreshOnce(test.app)
        let after = try await scrape()
        let count = "storeidp_database_pool_wait_seconds_count"
        XCTAssertGreaterThanOrEqual(value(after, count) - value(before, count), 1, after)
        XCTAssertEqual(value(after, "storeidp_key_ring_version"), Double(version), after)
    }

    func testMetricsNeedTheTokenAndAreOffWithoutOne() async throws {
        let anonymous = try await test.app.sendRequest(.GET, "/metrics")
        XCTAssertEqual(anonymous.status, .unauthorized)
        XCTAssertEqual(anonymous.headers.first(name: .wwwAuthenticate), "Bearer realm=\"storeidp-metrics\"")
        let wrong = try await test.app.sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer nope"])
        XCTAssertEqual(wrong.status, .unauthorized)
        let off = try await TestApplication.make()
        let response = try await off.app.sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer \(Self.token)"])
        XCTAssertEqual(response.status, .notFound)
        try await off.shutdown()
        off.removeFiles()
    }
}
