import Foundation
@testable import SignOn
import StoreIdPCore
import XCTest

final class StorefrontLaunchTests: XCTestCase {
    func testTokenSignsTheCustomerInAndContinuesToThePartner() async throws {
        let fixture = try await SignOnFixture()
        var session = SignOnSession()
        let token = try await fixture.launchToken(email: "new@example.com")
        let posted = try postedXML(try await StorefrontLaunch(context: fixture.context()).launch(.init(slug: "warranty", token: token), session: &session))
        XCTAssertTrue(posted.xml.contains(">new@example.com</saml:NameID>"))
        XCTAssertEqual(session.login?.method, .storefrontLaunch)
        XCTAssertEqual(fixture.stores.events.map(\.kind), [.launchCreated, .samlResponse])
        // The IdP-initiated step goes on with the provider and customer the launch read.
        XCTAssertEqual(fixture.stores.lookups["provider(slug:)"], 1)
        XCTAssertNil(fixture.stores.lookups["customer(id:)"])
    }

    func testReplayedTokenIsRefused() async throws {
        let fixture = try await SignOnFixture()
        let flow = StorefrontLaunch(context: fixture.context())
        let token = try await fixture.launchToken(email: "ann@example.com", jti: "once")
        var session = SignOnSession()
        _ = try await flow.launch(.init(slug: "warranty", token: token), session: &session)
        var other = SignOnSession()
        await assertRefused(.unauthorized) { try await flow.launch(.init(slug: "warranty", token: token), session: &other) }
        XCTAssertNil(other.login)
    }

    func testTokenSignedWithAnotherSecretStartsNothing() async throws {
        let fixture = try await SignOnFixture()
        var session = SignOnSession()
        let forged = try await fixture.launchToken(email: "mallory@example.com", secret: Data("another-secret-another-secret-0123456789".utf8))
        await assertRefused(.unauthorized) {
            try await StorefrontLaunch(context: fixture.context()).launch(.init(slug: "warranty", token: forged), session: &session)
        }
        XCTAssertNil(session.login)
        XCTAssertNil(fixture.stores.customer(email: "mallory@example.com"))
    }

    /// Review defect 6: a GET of a launch URL replaced the session of a browser signed in as
    /// another customer. It asks first, and spends nothing until the customer confirms.
    func testLaunchForAnotherCustomerAsksBeforeSwitching() async throws {
        let fixture = try await SignOnFixture()
        let flow = StorefrontLaunch(context: fixture.context())
        var session = fixture.session(fixture.ann)
        let token = try await fixture.launchToken(email: "bob@example.com", jti: "switch")
        let outcome = try await flow.launch(.init(slug: "warranty", token: token), session: &session)
        guard case let .confirmLaunch(question) = outcome else { return XCTFail("expected a confirmation, got \(outcome)") }
        XCTAssertEqual(question.signedInAs, "ann@example.com")
        XCTAssertEqual(question.launchAs, "bob@example.com")
        XCTAssertEqual(session.login?.customerID, fixture.ann.id, "still Ann")
        XCTAssertTrue(fixture.stores.claimed.isEmpty, "the token is not spent by the question")

        let confirmed = try await flow.launch(.init(slug: "warranty", token: token, confirmed: true), session: &session)
        XCTAssertTrue(try postedXML(confirmed).xml.contains(">bob@example.com</saml:NameID>"))
        XCTAssertEqual(session.login?.customerID, fixture.bob.id)
    }

    func testLaunchForTheSignedInCustomerNeedsNoQuestion() async throws {
        let fixture = try await SignOnFixture()
        var session = fixture.session(fixture.ann)
        let token = try await fixture.launchToken(email: "ann@example.com")
        _ = try postedXML(try await StorefrontLaunch(context: fixture.context()).launch(.init(slug: "warranty", token: token), session: &session))
    }

    func testLaunchLinksOffIsNotFound() async throws {
        let fixture = try await SignOnFixture()
        var session = SignOnSession()
        let token = try await fixture.launchToken(email: "ann@example.com")
        await assertRefused(.notFound) {
            try await StorefrontLaunch(context: fixture.context(launch: false)).launch(.init(slug: "warranty", token: token), session: &session)
        }
    }

    // Review defect 7: one global secret served every storefront, iss was not checked, and a
    // token matched a customer by email alone and overwrote group, segments and company.

    func testTokenFromAnUnregisteredStorefrontIsRefused() async throws {
        let fixture = try await SignOnFixture()
        var session = SignOnSession()
        let token = try await fixture.launchToken(email: "ann@example.com", issuer: "https://other-shop.example")
        await assertRefused(.unauthorized) { try await StorefrontLaunch(context: fixture.context()).launch(.init(slug: "warranty", token: token), session: &session) }
    }

    func testTokenSignedWithAnotherStorefrontsSecretIsRefused() async throws {
        let fixture = try await SignOnFixture()
        var session = SignOnSession()
        let token = try await fixture.launchToken(email: "ann@example.com", secret: Data(SignOnFixture.environment["TRUSTED_LAUNCH_SECRET"]!.utf8))
        await assertRefused(.unauthorized) { try await StorefrontLaunch(context: fixture.context()).launch(.init(slug: "warranty", token: token), session: &session) }
    }

    func testUntrustedStorefrontCannotChangeAnExistingCustomersGroup() async throws {
        let fixture = try await SignOnFixture()
        var session = SignOnSession()
        let token = try await fixture.launchToken(email: "ann@example.com", group: "Wholesale")
        await assertRefused(.forbidden) {
            try await StorefrontLaunch(context: fixture.context()).launch(.init(slug: "wholesale", token: token), session: &session)
        }
        XCTAssertEqual(fixture.stores.customer(email: "ann@example.com")?.group, "Retail")
    }

    func testTrustedStorefrontMayChangeTheGroup() async throws {
        let fixture = try await SignOnFixture()
        var session = SignOnSession()
        let token = try await fixture.launchToken(email: "ann@example.com", secret: Data(SignOnFixture.environment["TRUSTED_LAUNCH_SECRET"]!.utf8),
                                                  issuer: "https://trusted.example", group: "Wholesale")
        _ = try postedXML(try await StorefrontLaunch(context: fixture.context()).launch(.init(slug: "wholesale", token: token), session: &session))
        XCTAssertEqual(fixture.stores.customer(email: "ann@example.com")?.group, "Wholesale")
    }

    func testStorefrontCustomerIsBoundToOneStoreIdPCustomer() async throws {
        let fixture = try await SignOnFixture()
        let flow = StorefrontLaunch(context: fixture.context())
        var session = SignOnSession()
        _ = try await flow.launch(.init(slug: "warranty", token: try await fixture.launchToken(email: "ann@example.com", subject: "1001")), session: &session)
        XCTAssertEqual(fixture.stores.storefrontLinks, [StorefrontLink(issuer: "https://shop.example", subject: "1001", customerID: fixture.ann.id)])
        // The same storefront customer now claims Bob's email: refused.
        var other = SignOnSession()
        await assertRefused(.conflict) {
            try await flow.launch(.init(slug: "warranty", token: try await fixture.launchToken(email: "bob@example.com", subject: "1001")), session: &other)
        }
        // Another storefront customer claims Ann's email: refused.
        await assertRefused(.conflict) {
            try await flow.launch(.init(slug: "warranty", token: try await fixture.launchToken(email: "ann@example.com", subject: "2002")), session: &other)
        }
        XCTAssertNil(other.login)
        XCTAssertEqual(fixture.stores.events.filter { $0.kind == .launchRefused }.count, 2)
    }
}
