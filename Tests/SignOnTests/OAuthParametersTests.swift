import Foundation
@testable import SignOn
import XCTest

final class OAuthParametersTests: XCTestCase {
    func testFormDecodingRepeatsAndLimits() {
        let parameters = OAuthParameters(formEncoded: "scope=openid+email&state=a%2Fb&empty=&x=1&x=2")
        XCTAssertEqual(parameters["scope"], "openid email")
        XCTAssertEqual(parameters["state"], "a/b")
        XCTAssertNil(parameters["empty"], "RFC 6749 §3.1: a parameter without a value is omitted")
        XCTAssertEqual(parameters.repeated, ["x"])
        XCTAssertFalse(parameters.malformed)
        XCTAssertTrue(OAuthParameters(formEncoded: "a=%zz").malformed)
        XCTAssertTrue(OAuthParameters(formEncoded: (0..<65).map { "p\($0)=1" }.joined(separator: "&")).malformed)
        XCTAssertTrue(OAuthParameters(formEncoded: "a=" + String(repeating: "b", count: 20_000)).malformed)
    }

    func testRedirectKeepsTheRegisteredQueryAndEncodesEverything() {
        XCTAssertEqual(OAuthParameters.url("https://a.example/cb?tenant=1", adding: [("code", "x y"), ("state", "&=?#")]),
                       "https://a.example/cb?tenant=1&code=x%20y&state=%26%3D%3F%23")
        XCTAssertEqual(OAuthParameters.url("https://a.example/cb", adding: [("error", "login_required")]), "https://a.example/cb?error=login_required")
    }

    /// OpenID Connect Core 1.0 §3.1.2.1: a login after the request satisfies prompt=login and
    /// any max_age, so max_age=0 ends after one login instead of looping.
    func testFreshnessRules() throws {
        let receivedAt = Date(timeIntervalSince1970: 1_800_000_000)
        var request = OIDCAuthorizationRequest(providerSlug: "a", clientID: "a", redirectURI: "https://a.example/cb", scopes: ["openid"], state: nil,
                                               nonce: nil, codeChallenge: nil, prompt: [], maxAge: 0, loginHint: nil, idTokenHint: nil, layout: .standard)
        let before = SignOnSession.Login(customerID: UUID(), authTime: receivedAt.addingTimeInterval(-10), method: .password, sessionIndex: "s")
        let after = SignOnSession.Login(customerID: UUID(), authTime: receivedAt.addingTimeInterval(1), method: .password, sessionIndex: "s")
        let launched = SignOnSession.Login(customerID: UUID(), authTime: receivedAt.addingTimeInterval(1), method: .storefrontLaunch, sessionIndex: "s")
        let now = receivedAt.addingTimeInterval(5)
        XCTAssertFalse(OIDCAuthorization.satisfies(before, request: request, receivedAt: receivedAt, now: now))
        XCTAssertTrue(OIDCAuthorization.satisfies(after, request: request, receivedAt: receivedAt, now: now))
        request.maxAge = 60
        XCTAssertTrue(OIDCAuthorization.satisfies(before, request: request, receivedAt: receivedAt, now: now))
        request.prompt = [.login]
        XCTAssertFalse(OIDCAuthorization.satisfies(before, request: request, receivedAt: receivedAt, now: now))
        XCTAssertFalse(OIDCAuthorization.satisfies(launched, request: request, receivedAt: receivedAt, now: now), "prompt=login wants the password")
        XCTAssertTrue(OIDCAuthorization.satisfies(after, request: request, receivedAt: receivedAt, now: now))
    }
}
