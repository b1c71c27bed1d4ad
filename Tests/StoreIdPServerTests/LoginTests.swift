import Fluent
import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

final class LoginTests: XCTestCase {
    var test: TestApplication!

    override func setUp() async throws {
        test = try await TestApplication.make()
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    func testHealthzAnswersWhileAliveAndReadyzWhenTheDatabaseAndMigrationsAre() async throws {
        let response = try await Browser(test.app).get("/healthz")
        XCTAssertEqual(response.status, .ok)
        XCTAssertTrue(response.body.string.contains("\"ok\""))
        XCTAssertNil(response.headers.setCookie, "a health check must not create a session")
        let ready = try await Browser(test.app).get("/readyz")
        XCTAssertEqual(ready.status, .ok)
        XCTAssertTrue(ready.body.string.contains("\"ok\""))
        // A migration this node knows but the database has not run: not ready.
        struct Later: AsyncMigration {
            func prepare(on database: any Database) async throws {}
            func revert(on database: any Database) async throws {}
        }
        test.app.migrations.add(Later())
        let pending = try await Browser(test.app).get("/readyz")
        XCTAssertEqual(pending.status, .serviceUnavailable)
        XCTAssertTrue(pending.body.string.contains("pending"))
    }

    func testDuringTheShutdownDrainReadyzSaysNotReadyWhileSignInsAreStillServed() async throws {
        ShutdownDrain.begin(test.app)
        let ready = try await Browser(test.app).get("/readyz")
        XCTAssertEqual(ready.status, .serviceUnavailable)
        XCTAssertTrue(ready.body.string.contains("shutting down"))
        let healthz = try await Browser(test.app).get("/healthz")
        XCTAssertEqual(healthz.status, .ok, "the process is still alive")
        let login = try await Browser(test.app).get("/login")
        XCTAssertEqual(login.status, .ok, "pages are still served while draining")
    }

    func testLoginPageCarriesCSRFTokenAndSecurityHeaders() async throws {
        let response = try await Browser(test.app).get("/login")
        XCTAssertEqual(response.status, .ok)
        XCTAssertTrue(response.body.string.contains("name=\"csrf\""))
        XCTAssertEqual(response.headers.first(name: "X-Frame-Options"), "DENY")
        XCTAssertEqual(response.headers.first(name: "Referrer-Policy"), "no-referrer")
        XCTAssertTrue(response.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        let csrf = try XCTUnwrap(response.headers.setCookie?["storeidp_csrf"])
        XCTAssertTrue(csrf.isHTTPOnly)
        XCTAssertFalse(csrf.isSecure, "plain-http base URL: no Secure flag")
    }

    func testSessionCookieIsHTTPOnlyAndLaxOverHTTP() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let response = try await Browser(test.app).signIn(email: "ann@shop.example", password: "correct horse battery")
        let cookie = try XCTUnwrap(response.headers.setCookie?["storeidp_session"])
        XCTAssertTrue(cookie.isHTTPOnly)
        XCTAssertFalse(cookie.isSecure)
        XCTAssertEqual(cookie.sameSite, .lax)
    }

    func testCookieIsSecureAndSameSiteNoneOverHTTPS() async throws {
        try await test.shutdown()
        test.removeFiles()
        test = try await TestApplication.make { $0.baseURL = URL(string: "https://id.shop.example")! }
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        let page = try await browser.get("/login")
        XCTAssertNotNil(page.headers.setCookie?["__Host-storeidp_csrf"], "the CSRF cookie cannot be planted by another host")
        let cookie = try unwrap(try await browser.signIn(email: "ann@shop.example", password: "correct horse battery").headers.setCookie?["storeidp_session"])
        XCTAssertTrue(cookie.isSecure)
        XCTAssertEqual(cookie.sameSite, HTTPCookies.SameSitePolicy.none)
    }

    /// Review defect 11: every anonymous `GET /login` stored a session row.
    func testAnonymousVisitsStoreNoSession() async throws {
        for _ in 0..<20 {
            let response = try await Browser(test.app).get("/login")
            XCTAssertNil(response.headers.setCookie?["storeidp_session"])
        }
        _ = try await Browser(test.app).get("/sso/nothing")
        _ = try await Browser(test.app).get("/portal")
        let rows = try await test.app.db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("store_sessions").first()
        assertEqual(try rows?.decode(column: "n", as: Int.self), 0)
    }

    /// Review defect 11: expired sessions, throttle and replay rows were never purged.
    func testPurgeDeletesExpiredSessionsThrottleAndReplayRows() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        try await Browser(test.app).signIn(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        let token = try await browser.csrfToken()
        for index in 0..<5 { _ = try await browser.post("/login", form: ["email": "random\(index)@x.example", "password": "x", "csrf": token]) }
        _ = try await ReplayCache(database: test.app.db).claim("id1", namespace: "t", until: test.clock.now.addingTimeInterval(60), now: test.clock.now)
        func count(_ table: String) async throws -> Int {
            try await test.app.db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table).first()?.decode(column: "n", as: Int.self) ?? -1
        }
        let purge = Purge(database: test.app.db, throttle: LoginThrottle(database: test.app.db, policy: test.settings.loginThrottle))
        try await purge.run(now: test.clock.now)
        assertEqual(try await count("store_sessions"), 1, "a live session stays")
        assertEqual(try await count("replay_cache"), 1)
        assertEqual(try await count("login_throttle") > 0, true)
        test.clock.advance(by: test.settings.sessionLifetime + 1)
        try await purge.run(now: test.clock.now)
        assertEqual(try await count("store_sessions"), 0)
        assertEqual(try await count("replay_cache"), 0)
        assertEqual(try await count("login_throttle"), 0)
    }

    /// Review defect 4: the counter was read, bcrypt ran, then the failure was counted, so
    /// parallel wrong passwords all passed the check. Attempts are now reserved atomically.
    func testParallelAttemptsCannotPassTheLimitTogether() async throws {
        let throttle = LoginThrottle(database: test.app.db, policy: LoginThrottlePolicy(window: 900, maximumFailuresPerAccount: 10))
        let now = test.clock.now
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<40 {
                group.addTask { try await throttle.reserve(keys: [("account:ann@shop.example", 10)], now: now) == nil }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(allowed, 10)
    }

    func testCustomerSignsInAndSessionIdChanges() async throws {
        try await test.addCustomer(email: "Ann@Shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        // An id planted before the login (session fixation) is not the one the login gets.
        browser.cookie = "storeidp_session=planted-by-someone-else"
        let anonymousCookie = browser.cookie
        let response = try await browser.signIn(email: "ann@shop.example", password: "correct horse battery", returnTo: "/account")
        XCTAssertEqual(response.status, .seeOther)
        XCTAssertEqual(response.headers.first(name: .location), "/account")
        XCTAssertNotNil(browser.cookie)
        XCTAssertNotEqual(browser.cookie, anonymousCookie, "login must renew the session id")
        let home = try await browser.get("/")
        XCTAssertTrue(home.body.string.contains("Ann@Shop.example"))
        XCTAssertTrue(home.body.string.contains("Signed in"))
    }

    func testWrongPasswordAndUnknownEmailGetTheSameAnswer() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let wrong = try await Browser(test.app).signIn(email: "ann@shop.example", password: "nope")
        let unknown = try await Browser(test.app).signIn(email: "nobody@shop.example", password: "nope")
        XCTAssertEqual(wrong.status, .unauthorized)
        XCTAssertEqual(unknown.status, .unauthorized)
        XCTAssertTrue(wrong.body.string.contains("The email or password is not right."))
        XCTAssertTrue(unknown.body.string.contains("The email or password is not right."))
        let home = try await Browser(test.app).get("/")
        XCTAssertFalse(home.body.string.contains("Signed in"))
    }

    func testDisabledCustomerCannotSignIn() async throws {
        var profile = CustomerProfile(email: "off@shop.example")
        profile.password = .plain("correct horse battery")
        profile.status = .disabled
        _ = try await CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool).save(profile, now: test.clock.now)
        let response = try await Browser(test.app).signIn(email: "off@shop.example", password: "correct horse battery")
        XCTAssertEqual(response.status, .unauthorized)
    }

    func testMissingOrWrongCSRFTokenIsRefused() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        _ = try await browser.get("/login")
        let missing = try await browser.post("/login", form: ["email": "ann@shop.example", "password": "correct horse battery"])
        XCTAssertEqual(missing.status, .forbidden)
        let wrong = try await browser.post("/login", form: ["email": "ann@shop.example", "password": "correct horse battery", "csrf": "forged"])
        XCTAssertEqual(wrong.status, .forbidden)
        let noSession = try await Browser(test.app).post("/login", form: ["email": "ann@shop.example", "password": "correct horse battery", "csrf": "forged"])
        XCTAssertEqual(noSession.status, .forbidden)
        let awaited1 = try await browser.get("/").body.string.contains("Signed in")
        XCTAssertFalse(awaited1)
    }

    func testLoginBodyOver16KBIsRefusedWith413() async throws {
        let browser = Browser(test.app)
        let token = try await browser.csrfToken()
        let response = try await browser.post("/login", form: ["email": String(repeating: "a", count: 17 * 1024) + "@shop.example", "password": "x", "csrf": token])
        XCTAssertEqual(response.status, .payloadTooLarge)
        let awaited2 = try await browser.get("/healthz").status
        XCTAssertEqual(awaited2, .ok, "the server keeps serving")
    }

    func testOneMegabyteEmailIsRefused() async throws {
        let browser = Browser(test.app)
        let token = try await browser.csrfToken()
        let response = try await browser.post("/login", form: ["email": String(repeating: "a", count: 1 << 20), "password": "x", "csrf": token])
        XCTAssertEqual(response.status, .payloadTooLarge)
    }

    func testRepeatedFailuresAreThrottledUntilTheWindowPasses() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        let limit = test.settings.loginThrottle.maximumFailuresPerAccount
        var statuses: [HTTPStatus] = []
        var retryAfter: String?
        for attempt in 0..<50 {
            let response = try await browser.signIn(email: "ann@shop.example", password: "guess-\(attempt)")
            statuses.append(response.status)
            if response.status == .tooManyRequests { retryAfter = response.headers.first(name: "Retry-After") }
        }
        XCTAssertEqual(statuses.prefix(limit).filter { $0 == .unauthorized }.count, limit)
        XCTAssertEqual(statuses.dropFirst(limit).filter { $0 == .tooManyRequests }.count, 50 - limit)
        let seconds = try XCTUnwrap(retryAfter.flatMap(Int.init))
        XCTAssertGreaterThan(seconds, 0)
        XCTAssertLessThanOrEqual(seconds, Int(test.settings.loginThrottle.window))

        let stillRefused = try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        XCTAssertEqual(stillRefused.status, .tooManyRequests, "the right password is refused while throttled")

        test.clock.advance(by: test.settings.loginThrottle.window + 1)
        let allowed = try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        XCTAssertEqual(allowed.status, .seeOther)
    }

    func testReturnPathCannotRedirectOffSite() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        for hostile in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/ok\r\nLocation: https://evil.example"] {
            let browser = Browser(test.app)
            let response = try await browser.signIn(email: "ann@shop.example", password: "correct horse battery", returnTo: hostile)
            XCTAssertEqual(response.status, .seeOther)
            XCTAssertEqual(response.headers.first(name: .location), "/", "return_to \(hostile) must be ignored")
        }
    }

    func testUnknownPathIsA404PageThatDoesNotEchoInput() async throws {
        let response = try await Browser(test.app).get("/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        XCTAssertEqual(response.status, .notFound)
        XCTAssertTrue(response.body.string.contains("There is no page at this address."))
        XCTAssertFalse(response.body.string.contains("<script>"))
        XCTAssertEqual(response.headers.contentType?.subType, "html")
    }

    func testLogoutEndsTheSessionAndNeedsTheCSRFToken() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let forged = try await browser.post("/logout", form: ["csrf": "forged"])
        XCTAssertEqual(forged.status, .forbidden)
        let awaited3 = try await browser.get("/").body.string.contains("Signed in")
        XCTAssertTrue(awaited3)
        let token = try await browser.csrfToken(from: "/")
        let response = try await browser.post("/logout", form: ["csrf": token])
        XCTAssertEqual(response.status, .seeOther)
        let awaited4 = try await browser.get("/").body.string.contains("Signed in")
        XCTAssertFalse(awaited4)
    }

    func testMagentoHashSignsInAndIsReplacedByBcrypt() async throws {
        var profile = CustomerProfile(email: "magento@shop.example")
        // sha256("saltsalt" + "secret123")
        profile.password = .hash(try StoredPasswordHash(parsing: "\(sha256Hex("saltsaltsecret123")):saltsalt:1"))
        let directory = CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool)
        try await directory.save(profile, now: test.clock.now)
        let response = try await Browser(test.app).signIn(email: "magento@shop.example", password: "secret123")
        XCTAssertEqual(response.status, .seeOther)
        let stored = try await directory.find(email: "magento@shop.example")?.passwordHash
        guard case .bcrypt? = stored else { return XCTFail("expected a bcrypt hash after login, got \(String(describing: stored))") }
        let awaited5 = try await Browser(test.app).signIn(email: "magento@shop.example", password: "secret123").status
        XCTAssertEqual(awaited5, .seeOther)
    }

    func testSessionLifetimeEndsTheLogin() async throws {
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(test.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        test.clock.advance(by: test.settings.sessionLifetime + 1)
        let awaited6 = try await browser.get("/").body.string.contains("Signed in")
        XCTAssertFalse(awaited6)
    }
}

import Crypto

func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}

final class ClientAddressTests: XCTestCase {
    func testForwardedForIsBelievedOnlyFromTrustedProxiesAndReadFromTheRight() {
        let proxies: Set<String> = ["10.0.0.5", "10.0.0.6"]
        XCTAssertEqual(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"], trustedProxies: proxies), "203.0.113.9",
                       "an untrusted peer cannot choose its address")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["6.6.6.6, 198.51.100.7"], trustedProxies: proxies), "198.51.100.7",
                       "the client's own left-most claim is ignored")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["198.51.100.7, 10.0.0.6"], trustedProxies: proxies), "198.51.100.7")
        XCTAssertEqual(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: [], trustedProxies: proxies), "10.0.0.5")
    }
}
