import Foundation
import SAML
@testable import SignOn
import StoreIdPCore
import XCTest

final class SAMLSignOnTests: XCTestCase {
    func testRequestWaitsForTheLoginAsItsTypedValueAndIsAnsweredAfter() async throws {
        let fixture = try await SignOnFixture()
        let flow = SAMLSignOn(context: fixture.context())
        var session = SignOnSession()
        let first = try await flow.receive(try fixture.authnRequest(), session: &session)
        XCTAssertEqual(first, .login(returnTo: SAMLSignOn.continuePath, reauthenticate: false))
        let pending = try XCTUnwrap(session.pendingAuthnRequest)
        XCTAssertEqual(pending.request.requestID, "_request1")
        XCTAssertEqual(pending.request.assertionConsumerService.url, "https://warranty.example/acs")
        // The session is stored as JSON between the two requests: the typed value survives it.
        session = try JSONDecoder().decode(SignOnSession.self, from: JSONEncoder().encode(session))
        session.signIn(fixture.ann, method: .password, at: fixture.clock.now, sessionIndex: "_s1")
        let posted = try postedXML(try await flow.resume(session: &session))
        XCTAssertEqual(posted.action, "https://warranty.example/acs")
        XCTAssertTrue(posted.xml.contains("InResponseTo=\"_request1\""))
        XCTAssertEqual(posted.relayState, "state-1")
        XCTAssertNil(session.pendingAuthnRequest)
    }

    func testReplayedRequestIDIsRefused() async throws {
        let fixture = try await SignOnFixture()
        let flow = SAMLSignOn(context: fixture.context())
        var session = fixture.session(fixture.ann)
        _ = try postedXML(try await flow.receive(try fixture.authnRequest(), session: &session))
        await assertRefused(.badRequest) { try await flow.receive(try fixture.authnRequest(), session: &session) }
    }

    func testUnknownIssuerIsAnErrorPageNeverAForm() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann)
        await assertRefused(.badRequest) {
            try await SAMLSignOn(context: fixture.context()).receive(try fixture.authnRequest(from: "stranger"), session: &session)
        }
    }

    /// Review defect 9: a launch-link session was answered with PasswordProtectedTransport.
    func testLaunchSessionIsAnsweredWithUnspecifiedContext() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann, method: .storefrontLaunch)
        let posted = try postedXML(try await SAMLSignOn(context: fixture.context()).receive(try fixture.authnRequest(), session: &session))
        XCTAssertTrue(posted.xml.contains(">\(SAMLAuthnContextClass.unspecified)<"))
        XCTAssertFalse(posted.xml.contains(SAMLAuthnContextClass.passwordProtectedTransport))
    }

    func testLaunchSessionIsAskedForThePasswordWhenThePartnerRequiresIt() async throws {
        let fixture = try await SignOnFixture()
        let flow = SAMLSignOn(context: fixture.context())
        var session = fixture.session(fixture.ann, method: .storefrontLaunch)
        let requested = """
        <samlp:RequestedAuthnContext Comparison="exact"><saml:AuthnContextClassRef>\(SAMLAuthnContextClass.passwordProtectedTransport)</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>
        """
        let outcome = try await flow.receive(try fixture.authnRequest(extra: requested), session: &session)
        XCTAssertEqual(outcome, .login(returnTo: SAMLSignOn.continuePath, reauthenticate: true))
        XCTAssertTrue(fixture.stores.events.isEmpty, "no assertion was issued")
        // After the password the same request is answered with what happened.
        session.signIn(fixture.ann, method: .password, at: fixture.clock.now, sessionIndex: "_s2")
        let posted = try postedXML(try await flow.resume(session: &session))
        XCTAssertTrue(posted.xml.contains(">\(SAMLAuthnContextClass.passwordProtectedTransport)<"))
    }

    func testPassiveRequestOfALaunchSessionNeedingAPasswordGetsNoAuthnContext() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann, method: .storefrontLaunch)
        let requested = """
        <samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>\(SAMLAuthnContextClass.password)</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>
        """
        let posted = try postedXML(try await SAMLSignOn(context: fixture.context())
            .receive(try fixture.authnRequest(extra: requested, attributes: "IsPassive=\"true\""), session: &session))
        XCTAssertTrue(posted.xml.contains(SAMLStatusCode.noAuthnContext.rawValue))
        XCTAssertFalse(posted.xml.contains("Assertion"))
    }

    func testForceAuthnNeedsAPasswordAfterTheRequest() async throws {
        let fixture = try await SignOnFixture()
        let flow = SAMLSignOn(context: fixture.context())
        var session = fixture.session(fixture.ann)
        let outcome = try await flow.receive(try fixture.authnRequest(attributes: "ForceAuthn=\"true\""), session: &session)
        XCTAssertEqual(outcome, .login(returnTo: SAMLSignOn.continuePath, reauthenticate: true))
        fixture.clock.advance(by: 5)
        session.signIn(fixture.ann, method: .password, at: fixture.clock.now, sessionIndex: "_s3")
        let resumed = try await flow.resume(session: &session)
        XCTAssertTrue(try postedXML(resumed).xml.contains("InResponseTo=\"_request1\""))
    }

    func testResumeRefusesAPartnerNoLongerRegistered() async throws {
        let fixture = try await SignOnFixture()
        let flow = SAMLSignOn(context: fixture.context())
        var session = SignOnSession()
        _ = try await flow.receive(try fixture.authnRequest(), session: &session)
        fixture.stores.providers.removeAll { $0.slug == "warranty" }
        session.signIn(fixture.ann, method: .password, at: fixture.clock.now, sessionIndex: "_s4")
        await assertRefused(.notFound) { try await flow.resume(session: &session) }
        XCTAssertNil(session.pendingAuthnRequest)
    }
}
