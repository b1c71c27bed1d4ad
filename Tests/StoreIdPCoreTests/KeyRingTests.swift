import Foundation
import StoreIdPCore
import X509
import XCTest

final class KeyRingTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func testFactoryMakesRSA2048SelfSignedCertificateWithThumbprintKid() throws {
        let key = try SigningKeyFactory(commonName: "id.shop.example").makeKey(state: .active, now: now)
        let certificate = try Certificate(pemEncoded: key.certificatePEM)
        XCTAssertEqual(certificate.subject.description, "CN=id.shop.example")
        XCTAssertEqual(certificate.issuer, certificate.subject)
        XCTAssertEqual(certificate.notValidAfter.timeIntervalSince(now), SigningKeyFactory.certificateLifetime, accuracy: 1)
        XCTAssertEqual(key.kid.count, 43, "base64url of a SHA-256 digest")
        XCTAssertTrue(key.privateKeyPEM.contains("PRIVATE KEY"))
    }

    func testRotationStatesAndPublication() throws {
        let factory = SigningKeyFactory(commonName: "id")
        let first = try factory.makeKey(state: .active, now: now)
        var ring = KeyRing(keys: [first])
        let second = try factory.makeKey(state: .active, now: now)
        let third = try factory.makeKey(state: .next, now: now)
        ring = ring.rotated(freshNext: third, replacement: second, at: now)
        XCTAssertEqual(ring.active?.kid, second.kid)
        XCTAssertEqual(ring.next?.kid, third.kid)
        XCTAssertEqual(ring.key(kid: first.kid)?.state, .retired)
        XCTAssertEqual(ring.published(at: now).count, 3)
        let later = now.addingTimeInterval(KeyRing.retiredGracePeriod + 1)
        XCTAssertEqual(Set(ring.published(at: later).map(\.kid)), [second.kid, third.kid], "retired keys leave publication after the grace period")
    }

    func testStoreReloadsAfterAnotherStoreRotates() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyring-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = KeyRingStore(directory: folder, factory: SigningKeyFactory(commonName: "id"))
        let created = try XCTUnwrap(try server.ensureActiveKey(now: now))
        XCTAssertNil(try server.ensureActiveKey(now: now), "a second start makes no new key")
        XCTAssertEqual(try server.current().active?.kid, created.kid)
        let cli = KeyRingStore(directory: folder, factory: SigningKeyFactory(commonName: "id"))
        try cli.rotate(now: now)
        XCTAssertNotEqual(try server.current().active?.kid, created.kid)
    }

    func testCorruptManifestIsAClearError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyring-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: folder.appendingPathComponent("keyring.json"))
        let store = KeyRingStore(directory: folder, factory: SigningKeyFactory(commonName: "id"))
        XCTAssertThrowsError(try store.current()) { error in
            XCTAssertTrue("\(error)".contains("not a valid key ring"))
        }
    }
}
