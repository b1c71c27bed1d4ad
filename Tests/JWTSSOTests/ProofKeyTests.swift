import JWTSSO
import XCTest

final class ProofKeyTests: XCTestCase {
    /// RFC 7636 Appendix B: the worked S256 example.
    func testTheRFC7636AppendixBExample() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        XCTAssertTrue(ProofKey.isValidChallenge(challenge))
        XCTAssertTrue(ProofKey.verifier(verifier, matches: challenge))
        XCTAssertFalse(ProofKey.verifier(verifier + "x", matches: challenge))
        XCTAssertFalse(ProofKey.verifier(challenge, matches: challenge), "plain is not S256")
    }

    /// RFC 7636 §4.1: 43 to 128 unreserved characters.
    func testVerifierSyntax() {
        XCTAssertFalse(ProofKey.isValidVerifier(String(repeating: "a", count: 42)))
        XCTAssertTrue(ProofKey.isValidVerifier(String(repeating: "a", count: 43)))
        XCTAssertTrue(ProofKey.isValidVerifier(String(repeating: "~", count: 128)))
        XCTAssertFalse(ProofKey.isValidVerifier(String(repeating: "a", count: 129)))
        XCTAssertFalse(ProofKey.isValidVerifier(String(repeating: "a", count: 42) + "+"))
        XCTAssertFalse(ProofKey.isValidChallenge(String(repeating: "a", count: 42) + "="))
    }

    /// OpenID Connect Core 1.0 §3.1.3.6, with the value the example of §A.3 would give: the left
    /// half of SHA-256, base64url.
    func testAccessTokenHashIsTheLeftHalfOfSHA256() {
        XCTAssertEqual(OpenIDTokenSigner.accessTokenHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y").count, 22)
        XCTAssertNotEqual(OpenIDTokenSigner.accessTokenHash("a"), OpenIDTokenSigner.accessTokenHash("b"))
    }
}
