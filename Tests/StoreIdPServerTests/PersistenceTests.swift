import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

final class PersistenceTests: XCTestCase {
    func testRestartKeepsCustomersSessionsAndKeys() async throws {
        let first = try await TestApplication.make()
        defer { first.removeFiles() }
        try await first.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        let browser = Browser(first.app)
        try await browser.signIn(email: "ann@shop.example", password: "correct horse battery")
        let kid = try XCTUnwrap(first.app.storeIdP.keyRing.current().active?.kid)
        try await first.shutdown()

        let second = try await TestApplication.make(reuse: first)
        let resumed = Browser(second.app)
        resumed.cookie = browser.cookie
        let awaited1 = try await resumed.get("/").body.string.contains("Signed in")
        XCTAssertTrue(awaited1, "the session survives a restart")
        XCTAssertEqual(try second.app.storeIdP.keyRing.current().active?.kid, kid, "the signing key survives a restart")
        let awaited2 = try await Browser(second.app).signIn(email: "ann@shop.example", password: "correct horse battery").status
        XCTAssertEqual(awaited2, .seeOther)
        try await second.shutdown()
    }

    func testFirstStartCreatesOneActiveKeyWithPrivateFiles() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        _ = try test.app.storeIdP.keyRing.pairwiseSecret()
        let ring = try test.app.storeIdP.keyRing.current()
        XCTAssertEqual(ring.keys.count, 2, "one RSA and one EC key")
        XCTAssertNotNil(ring.active(.es256))
        let key = try XCTUnwrap(ring.active)
        XCTAssertEqual(key.algorithm, .rs256)
        XCTAssertEqual(key.notAfter.timeIntervalSince(test.clock.now), SigningKeyFactory.certificateLifetime, accuracy: 1)
        for name in ["\(key.kid).key.pem", "\(key.kid).crt.pem", "keyring.json", "pairwise.secret"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: test.settings.keysDirectory.appendingPathComponent(name).path)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, name)
        }
        try await test.shutdown()
    }

    func testRotationByAnotherProcessIsSeenWithoutRestart() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        let serving = test.app.storeIdP.keyRing
        let before = try XCTUnwrap(serving.current().active)
        // `storeidp keys rotate` in another process: a second store on the same folder.
        let cli = KeyRingStore(directory: test.settings.keysDirectory, factory: SigningKeyFactory(commonName: "127.0.0.1"))
        try cli.rotate(now: test.clock.now)
        let after = try serving.current()
        XCTAssertNotEqual(after.active?.kid, before.kid)
        XCTAssertEqual(after.key(kid: before.kid)?.state, .retired)
        XCTAssertNotNil(after.next)
        XCTAssertEqual(after.published(at: test.clock.now).count, 6, "per algorithm: retired, active and next")
        try await test.shutdown()
    }

    func testKeysRotateCommandPromotesNextAndRetiresActive() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        try await test.run(KeysRotateCommand(), [])
        let once = try test.app.storeIdP.keyRing.current()
        let next = try XCTUnwrap(once.next)
        try await test.run(KeysRotateCommand(), [])
        let twice = try test.app.storeIdP.keyRing.current()
        XCTAssertEqual(twice.active?.kid, next.kid, "the published next key becomes active")
        XCTAssertEqual(twice.keys.filter { $0.state == .retired }.count, 4, "two rotations of two algorithms")
        try await test.run(KeysListCommand(), [])
        try await test.shutdown()
    }
}
