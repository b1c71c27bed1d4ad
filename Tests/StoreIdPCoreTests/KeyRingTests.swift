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

    func testECKeyHasThumbprintKidAndCertificate() throws {
        let key = try SigningKeyFactory(commonName: "id").makeKey(algorithm: .es256, state: .active, now: now)
        XCTAssertEqual(key.algorithm, .es256)
        XCTAssertEqual(key.kid.count, 43)
        let certificate = try Certificate(pemEncoded: key.certificatePEM)
        XCTAssertEqual(certificate.signatureAlgorithm, .ecdsaWithSHA256)
    }

    func testRotationOfOneAlgorithmLeavesTheOtherAlone() throws {
        let factory = SigningKeyFactory(commonName: "id")
        let rsa = try factory.makeKey(algorithm: .rs256, state: .active, now: now)
        let ec = try factory.makeKey(algorithm: .es256, state: .active, now: now)
        let ring = KeyRing(keys: [rsa, ec]).rotated(freshNext: try factory.makeKey(algorithm: .es256, state: .next, now: now),
                                                    replacement: try factory.makeKey(algorithm: .es256, state: .active, now: now), at: now)
        XCTAssertEqual(ring.active(.rs256)?.kid, rsa.kid)
        XCTAssertNotEqual(ring.active(.es256)?.kid, ec.kid)
        XCTAssertEqual(ring.key(kid: ec.kid)?.state, .retired)
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
        let createdKeys = try server.ensureActiveKey(now: now)
        XCTAssertEqual(Set(createdKeys.map(\.algorithm)), [.rs256, .es256], "one active key per algorithm")
        let created = try XCTUnwrap(createdKeys.first { $0.algorithm == .rs256 })
        XCTAssertEqual(try server.ensureActiveKey(now: now), [], "a second start makes no new key")
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
