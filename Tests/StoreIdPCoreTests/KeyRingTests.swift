import Foundation
@testable import StoreIdPCore
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

final class KeyRingStoreFileTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    private func store(_ folder: URL) -> KeyRingStore {
        KeyRingStore(directory: folder, factory: SigningKeyFactory(commonName: "id"))
    }

    func testEnsureActiveKeyCreatesThePairwiseSecretThatEveryStoreThenReads() throws {
        let folder = try makeFolder()
        try store(folder).ensureActiveKey(now: now)
        let file = folder.appendingPathComponent("pairwise.secret")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "made with the keys, not on first use")
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)
        XCTAssertEqual(mode.intValue & 0o777, 0o600)
        let contents = try Data(contentsOf: file)
        let first = try store(folder).pairwiseSecret()
        XCTAssertEqual(first.count, 32)
        XCTAssertEqual(try store(folder).pairwiseSecret(), first, "another node on the same folder derives the same identifiers")
        try store(folder).ensureActiveKey(now: now)
        XCTAssertEqual(try Data(contentsOf: file), contents, "a second start keeps the secret")
    }

    func testCorruptPairwiseSecretThrowsAndIsLeftAsItIs() throws {
        let folder = try makeFolder()
        let file = folder.appendingPathComponent("pairwise.secret")
        for damaged in ["not base64url!!", "c2hvcnQ", ""] {
            try Data(damaged.utf8).write(to: file)
            XCTAssertThrowsError(try store(folder).pairwiseSecret(), "'\(damaged)'") { error in
                guard case KeyRingStore.StoreError.pairwiseSecretUnusable? = error as? KeyRingStore.StoreError else {
                    return XCTFail("expected pairwiseSecretUnusable, got \(error)")
                }
                XCTAssertTrue("\(error)".contains("restore it"), "\(error)")
            }
            XCTAssertThrowsError(try store(folder).ensureActiveKey(now: now), "start refuses too")
            XCTAssertEqual(try Data(contentsOf: file), Data(damaged.utf8), "the damaged file is not replaced")
        }
    }

    func testUnreadablePairwiseSecretThrowsAndIsNotReplaced() throws {
        let folder = try makeFolder()
        let file = folder.appendingPathComponent("pairwise.secret")
        // A directory in its place: open succeeds, read fails with EISDIR, even for root.
        try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
        XCTAssertThrowsError(try store(folder).pairwiseSecret()) { error in
            guard case KeyRingStore.StoreError.pairwiseSecretUnusable? = error as? KeyRingStore.StoreError else {
                return XCTFail("expected pairwiseSecretUnusable, got \(error)")
            }
        }
        XCTAssertThrowsError(try store(folder).ensureActiveKey(now: now))
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory))
        XCTAssertTrue(isDirectory.boolValue, "nothing was written over it")
    }

    func testAbsentPairwiseSecretIsCreatedOnce() throws {
        let folder = try makeFolder()
        let first = try store(folder).pairwiseSecret()
        XCTAssertEqual(try store(folder).pairwiseSecret(), first)
    }

    /// A rotation that lands after `current()` read the ring but before it cached it must be seen
    /// by the next call.
    func testRotationDuringReloadIsSeenByTheNextCall() throws {
        let folder = try makeFolder()
        let server = store(folder)
        try server.ensureActiveKey(now: now)
        let before = try XCTUnwrap(server.current().active?.kid)
        let cli = store(folder)
        try cli.rotate(now: now)   // the server must reload: its cached identity is stale
        let rotated = Rotator(store: cli, now: now)
        server.afterLoadForTesting = { rotated.rotateOnce() }
        let seenDuringRace = try XCTUnwrap(server.current().active?.kid)
        server.afterLoadForTesting = nil
        XCTAssertNotEqual(seenDuringRace, before)
        let onDisk = try XCTUnwrap(store(folder).current().active?.kid)
        XCTAssertNotEqual(onDisk, seenDuringRace, "the hook rotated once more")
        XCTAssertEqual(try server.current().active?.kid, onDisk, "the rotation made during the reload is picked up")
    }
}

private final class Rotator: @unchecked Sendable {
    let store: KeyRingStore
    let now: Date
    private var done = false
    init(store: KeyRingStore, now: Date) { self.store = store; self.now = now }
    func rotateOnce() {
        guard !done else { return }
        done = true
        _ = try? store.rotate(now: now)
    }
}
