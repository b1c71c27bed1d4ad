import Foundation
import SAML
@testable import SignOn
import StoreIdPCore
import XCTest

final class SAMLLogoutTests: XCTestCase {
    /// A session that sent assertions to warranty (email NameID) and academy (persistent).
    private func sessionWithTwoPartners(_ fixture: SignOnFixture) async throws -> SignOnSession {
        var session = fixture.session(fixture.ann)
        let flow = IdPInitiatedSignOn(context: fixture.context())
        _ = try await flow.start(.init(slug: "warranty", returnPath: "/"), session: &session)
        _ = try await flow.start(.init(slug: "academy", returnPath: "/"), session: &session)
        return session
    }

    /// Review defect 8: unsigned LogoutRequests were accepted by default.
    func testUnsignedLogoutRequestIsRefused() async throws {
        let fixture = try await SignOnFixture()
        var session = try await sessionWithTwoPartners(fixture)
        let unsigned = try fixture.unsignedLogoutRequest(from: "warranty", nameID: "ann@example.com", sessionIndex: "_session-ann@example.com")
        await assertRefused(.badRequest) { try await SAMLLogout(context: fixture.context()).partnerRequested(unsigned, session: &session) }
        XCTAssertNotNil(session.login, "still signed in")
    }

    /// Review defect 8: matched on NameID alone when SessionIndex was absent.
    func testLogoutRequestWithoutSessionIndexDoesNotEndTheSession() async throws {
        let fixture = try await SignOnFixture()
        var session = try await sessionWithTwoPartners(fixture)
        let request = try fixture.logoutRequest(from: "warranty", key: fixture.warrantyKey,
                                                nameID: SAMLNameID(value: "ann@example.com", format: nil), sessionIndex: nil)
        let xml = try redirectedXML(try await SAMLLogout(context: fixture.context()).partnerRequested(request, session: &session), parameter: .response)
        XCTAssertTrue(xml.contains(SAMLStatusCode.requester.rawValue))
        XCTAssertNotNil(session.login)
    }

    /// Review defect 8: a partner's logout did not reach the other partners, and their answers
    /// were not verified.
    func testPartnerLogoutReachesEveryOtherPartnerAndVerifiesTheirAnswers() async throws {
        let fixture = try await SignOnFixture()
        let context = fixture.context()
        var session = try await sessionWithTwoPartners(fixture)
        let warranty = try XCTUnwrap(session.participants.first { $0.slug == "warranty" })
        let request = try fixture.logoutRequest(from: "warranty", key: fixture.warrantyKey, nameID: warranty.nameID, sessionIndex: warranty.sessionIndex)
        let logout = SAMLLogout(context: context)

        // First the other partner is asked, naming the NameID exactly as its assertion did.
        let toAcademy = try await logout.partnerRequested(request, session: &session)
        XCTAssertNil(session.login, "the store login ended")
        XCTAssertEqual(try redirectURL(toAcademy).host, "academy.example")
        let academyRequest = try redirectedXML(toAcademy)
        XCTAssertTrue(academyRequest.contains("SPNameQualifier=\"https://academy.example/saml/metadata\""))
        let awaiting = try XCTUnwrap(session.logoutChain?.awaiting)

        // A LogoutResponse signed by someone else does not count as academy's confirmation.
        let forged = try fixture.logoutResponse(from: "academy", key: fixture.strangerKey, inResponseTo: awaiting.requestID)
        let toWarranty = try await logout.partnerAnswered(forged, session: &session)
        XCTAssertEqual(try redirectURL(toWarranty).host, "warranty.example")
        let answer = try redirectedXML(toWarranty, parameter: .response)
        XCTAssertTrue(answer.contains(SAMLStatusCode.partialLogout.rawValue), "the initiator learns that one partner did not confirm")
        XCTAssertTrue(answer.contains("InResponseTo="))
        XCTAssertTrue(session.isEmpty)
        XCTAssertTrue(fixture.stores.events.contains { $0.kind == .samlLogoutResponseRejected })
    }

    func testConfirmedChainAnswersTheInitiatorWithSuccess() async throws {
        let fixture = try await SignOnFixture()
        var session = try await sessionWithTwoPartners(fixture)
        let warranty = try XCTUnwrap(session.participants.first { $0.slug == "warranty" })
        let logout = SAMLLogout(context: fixture.context())
        _ = try await logout.partnerRequested(try fixture.logoutRequest(from: "warranty", key: fixture.warrantyKey, nameID: warranty.nameID,
                                                                         sessionIndex: warranty.sessionIndex), session: &session)
        let awaiting = try XCTUnwrap(session.logoutChain?.awaiting)
        let genuine = try fixture.logoutResponse(from: "academy", key: fixture.academyKey, inResponseTo: awaiting.requestID)
        let answer = try redirectedXML(try await logout.partnerAnswered(genuine, session: &session), parameter: .response)
        XCTAssertTrue(answer.contains(SAMLStatusCode.success.rawValue))
        XCTAssertFalse(answer.contains(SAMLStatusCode.partialLogout.rawValue))
    }

    /// Review defect 8: a registered partner without an SLO endpoint got a 500.
    func testPartnerWithoutSingleLogoutEndpointGetsAnErrorPage() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann)
        let request = try fixture.logoutRequest(from: "noslo", key: fixture.strangerKey,
                                                nameID: SAMLNameID(value: "ann@example.com", format: nil), sessionIndex: "_x")
        await assertRefused(.badRequest) { try await SAMLLogout(context: fixture.context()).partnerRequested(request, session: &session) }
    }

    /// The drift the review found: an `unspecified` NameID got a qualifier in the LogoutRequest.
    func testStoreLogoutNamesEachPartnersNameIDAsIssued() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann)
        _ = try await IdPInitiatedSignOn(context: fixture.context()).start(.init(slug: "forum", returnPath: "/"), session: &session)
        let outcome = try await SAMLLogout(context: fixture.context()).customerRequested(session: &session)
        let xml = try redirectedXML(outcome)
        XCTAssertTrue(xml.contains(">ann@example.com</saml:NameID>"))
        XCTAssertFalse(xml.contains("SPNameQualifier"))
        XCTAssertNil(session.login)
    }

    func testStoreLogoutWithoutPartnersSignsOut() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann)
        let outcome = try await SAMLLogout(context: fixture.context()).customerRequested(session: &session)
        XCTAssertEqual(outcome, .signedOut(unconfirmed: []))
        XCTAssertTrue(session.isEmpty)
    }
}
