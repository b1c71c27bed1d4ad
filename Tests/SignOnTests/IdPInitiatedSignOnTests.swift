import Foundation
import SAML
@testable import SignOn
import StoreIdPCore
import XCTest

final class IdPInitiatedSignOnTests: XCTestCase {
    func testWithoutALoginAsksForOne() async throws {
        let fixture = try await SignOnFixture()
        var session = SignOnSession()
        let outcome = try await IdPInitiatedSignOn(context: fixture.context()).start(.init(slug: "warranty", returnPath: "/sso/warranty"), session: &session)
        XCTAssertEqual(outcome, .login(returnTo: "/sso/warranty", reauthenticate: false))
        XCTAssertTrue(fixture.stores.events.isEmpty)
    }

    func testSignedInCustomerGetsAnAssertionAtTheRegisteredACS() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann)
        let outcome = try await IdPInitiatedSignOn(context: fixture.context()).start(.init(slug: "warranty", returnPath: "/sso/warranty"), session: &session)
        let posted = try postedXML(outcome)
        XCTAssertEqual(posted.action, "https://warranty.example/acs")
        XCTAssertTrue(posted.xml.contains(">ann@example.com</saml:NameID>"))
        XCTAssertFalse(posted.xml.contains("InResponseTo"), "an unsolicited response answers no request (saml-profiles §4.1.5)")
        XCTAssertTrue(posted.xml.contains(SAMLAuthnContextClass.passwordProtectedTransport))
        XCTAssertEqual(fixture.stores.events.map(\.kind), [.samlResponse])
        XCTAssertEqual(session.participants.map(\.slug), ["warranty"])
    }

    func testAccessPolicyRefusesWithoutAPayload() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann)
        await assertRefused(.forbidden) {
            try await IdPInitiatedSignOn(context: fixture.context()).start(.init(slug: "wholesale", returnPath: "/sso/wholesale"), session: &session)
        }
        XCTAssertTrue(fixture.stores.events.isEmpty)
    }

    func testUnknownSlugIsNotFound() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann)
        await assertRefused(.notFound) {
            try await IdPInitiatedSignOn(context: fixture.context()).start(.init(slug: "nothing", returnPath: "/sso/nothing"), session: &session)
        }
    }

    /// Review defect 13: any RelayState was forwarded, an open redirect through partners that
    /// redirect to it.
    func testRelayStateIsAPathOrThePartnersOwnSite() async throws {
        let fixture = try await SignOnFixture()
        let flow = IdPInitiatedSignOn(context: fixture.context())
        for hostile in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "https://warranty.example.evil.example/",
                        " //evil.example", "data:text/html,x", "http://warranty.example/"] {
            var session = fixture.session(fixture.ann)
            await assertRefused(.badRequest) {
                try await flow.start(.init(slug: "warranty", relayState: hostile, returnPath: "/sso/warranty"), session: &session)
            }
        }
        for allowed in ["/claims/new", "rs-1", "claims?id=7", "https://warranty.example/claims", "https://WARRANTY.example:443/x"] {
            var session = fixture.session(fixture.ann)
            let posted = try postedXML(try await flow.start(.init(slug: "warranty", relayState: allowed, returnPath: "/sso/warranty"), session: &session))
            XCTAssertEqual(posted.relayState, allowed)
        }
        XCTAssertEqual(fixture.stores.events.count, 5, "only the allowed ones issued an assertion")
    }

    /// Review defect 9, IdP-initiated side: a launch-link session states `unspecified`.
    func testLaunchSessionStatesUnspecifiedContext() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann, method: .storefrontLaunch)
        let posted = try postedXML(try await IdPInitiatedSignOn(context: fixture.context()).start(.init(slug: "warranty", returnPath: "/"), session: &session))
        XCTAssertTrue(posted.xml.contains(">\(SAMLAuthnContextClass.unspecified)<"))
        XCTAssertFalse(posted.xml.contains(SAMLAuthnContextClass.passwordProtectedTransport))
    }

    func testJWTPartnerGetsTheTokenOnItsURL() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann)
        let url = try redirectURL(try await IdPInitiatedSignOn(context: fixture.context()).start(.init(slug: "tickets", returnPath: "/"), session: &session))
        XCTAssertEqual(url.host, "tickets.example")
        let token = try XCTUnwrap(url.queryItems?.first { $0.name == "jwt" }?.value)
        XCTAssertEqual(token.split(separator: ".").count, 3)
        XCTAssertEqual(fixture.stores.events.map(\.kind), [.jwtIssued])
    }

    /// The NameID qualifier rule lives in one place: persistent carries SPNameQualifier,
    /// unspecified and email do not, in the assertion and in the session's record for logout.
    func testNameIDQualifierFollowsTheFormat() async throws {
        let fixture = try await SignOnFixture()
        let flow = IdPInitiatedSignOn(context: fixture.context())
        var session = fixture.session(fixture.ann)
        let persistent = try postedXML(try await flow.start(.init(slug: "academy", returnPath: "/"), session: &session))
        XCTAssertTrue(persistent.xml.contains("SPNameQualifier=\"https://academy.example/saml/metadata\""))
        let unspecified = try postedXML(try await flow.start(.init(slug: "forum", returnPath: "/"), session: &session))
        XCTAssertFalse(unspecified.xml.contains("SPNameQualifier"))
        XCTAssertEqual(session.participants.first { $0.slug == "academy" }?.nameID.spNameQualifier, "https://academy.example/saml/metadata")
        XCTAssertNil(session.participants.first { $0.slug == "forum" }?.nameID.spNameQualifier)
    }
}
