import Fluent
import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import XCTest

final class StorefrontLinkStoreTests: XCTestCase {
    var test: TestApplication!

    override func setUp() async throws {
        test = try await TestApplication.make()
        // Not yet registered in configure.swift; added here so the store can be tested.
        test.app.migrations.add(CreateStorefrontLinks())
        try await test.app.autoMigrate()
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    func testBindIsAtomicOnBothUniqueKeys() async throws {
        let ann = try await test.addCustomer(email: "ann@shop.example", password: nil)
        let bob = try await test.addCustomer(email: "bob@shop.example", password: nil)
        let links = StorefrontLinks(database: test.app.db)
        let now = test.clock.now
        let bound = try await links.bind(issuer: "https://shop.example", subject: "42", customerID: ann.id, now: now)
        XCTAssertTrue(bound)
        let again = try await links.bind(issuer: "https://shop.example", subject: "42", customerID: ann.id, now: now)
        XCTAssertTrue(again, "the same binding again is accepted")
        let stolenSubject = try await links.bind(issuer: "https://shop.example", subject: "42", customerID: bob.id, now: now)
        XCTAssertFalse(stolenSubject, "(iss, sub) bound to another customer")
        let secondSubject = try await links.bind(issuer: "https://shop.example", subject: "43", customerID: ann.id, now: now)
        XCTAssertFalse(secondSubject, "customer already bound to another sub of the issuer")
        let otherStorefront = try await links.bind(issuer: "https://outlet.example", subject: "42", customerID: bob.id, now: now)
        XCTAssertTrue(otherStorefront, "another storefront's sub 42 is another person")

        let bySubject = try await links.find(issuer: "https://shop.example", subject: "42")
        XCTAssertEqual(bySubject, StorefrontLink(issuer: "https://shop.example", subject: "42", customerID: ann.id))
        let byCustomer = try await links.find(issuer: "https://shop.example", customerID: ann.id)
        XCTAssertEqual(byCustomer?.subject, "42")
        let all = try await links.find(customerID: bob.id)
        XCTAssertEqual(all.map(\.issuer), ["https://outlet.example"])
        let none = try await links.find(issuer: "https://shop.example", subject: "43")
        XCTAssertNil(none)
    }
}
