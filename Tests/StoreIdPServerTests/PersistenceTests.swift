import Foundation
import SQLKit
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

    func testFirstStartStoresTheKeysSealedInTheDatabase() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        let secret = try test.app.storeIdP.keyRing.pairwiseSecret()
        XCTAssertEqual(secret.count, 32)
        let ring = try test.app.storeIdP.keyRing.current()
        XCTAssertEqual(ring.keys.count, 2, "one RSA and one EC key")
        XCTAssertNotNil(ring.active(.es256))
        let key = try XCTUnwrap(ring.active)
        XCTAssertEqual(key.algorithm, .rs256)
        XCTAssertEqual(key.notAfter.timeIntervalSince(test.clock.now), SigningKeyFactory.certificateLifetime, accuracy: 1)

        // At rest: every private key sealed (AES-256-GCM), nothing readable in the database.
        let rows = try await test.app.db.sql.select().columns("kid", "sealed_private_key", "certificate_pem").from("signing_keys").all()
        XCTAssertEqual(rows.count, 2)
        let kekFile = try XCTUnwrap(test.settings.keyEncryptionKeyFile ?? test.settings.keysDirectory.appendingPathComponent("key-encryption.key"))
        let kek = try KeyEncryptionKey.load(from: kekFile)
        for row in rows {
            let kid = try row.decode(column: "kid", as: String.self)
            let sealed = try row.decode(column: "sealed_private_key", as: String.self)
            XCTAssertFalse(sealed.contains("PRIVATE KEY"), kid)
            let key = try XCTUnwrap(ring.key(kid: kid))
            XCTAssertEqual(String(decoding: try kek.open(sealed, context: DatabaseKeyRing.keyContext(key)), as: UTF8.self), key.privateKeyPEM)
        }
        let state = try await test.app.db.sql.select().column("sealed_pairwise_secret").from("key_ring").first()
        let sealedSecret = try XCTUnwrap(state).decode(column: "sealed_pairwise_secret", as: String.self)
        XCTAssertEqual(try kek.open(sealedSecret, context: DatabaseKeyRing.pairwiseContext), secret)
        // The key-encryption key is the one file: private to its owner; no key file beside it.
        let attributes = try FileManager.default.attributesOfItem(atPath: kekFile.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: test.settings.keysDirectory.path)) ?? []
        XCTAssertTrue(files.allSatisfy { !$0.hasSuffix(".key.pem") && $0 != "pairwise.secret" }, "\(files)")
        try await test.shutdown()
    }

    func testAnotherKeyEncryptionKeyIsRefusedAtStartWithWhatToDo() async throws {
        let first = try await TestApplication.make()
        defer { first.removeFiles() }
        try await first.shutdown()
        let other = first.folder.appendingPathComponent("other.kek")
        _ = try KeyEncryptionKey.loadOrCreate(at: other)
        do {
            let second = try await TestApplication.make(reuse: first) { $0.keyEncryptionKeyFile = other }
            try? await second.shutdown()
            XCTFail("a ring sealed with another key-encryption key must not start")
        } catch {
            XCTAssertTrue("\(error)".contains("STOREIDP_KEY_ENCRYPTION_KEY_FILE"), "\(error)")
            XCTAssertFalse("\(error)".contains("PRIVATE"), "\(error)")
        }
    }

    func testRotationByAnotherNodeIsSeenAtTheNextRefresh() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        let serving = test.app.storeIdP.keyRing
        let before = try XCTUnwrap(serving.current().active)
        let versionBefore = try XCTUnwrap(serving.loadedVersion)
        // Another node (or `storeidp keys rotate`): its own ring over the same database.
        let kekFile = test.settings.keyEncryptionKeyFile ?? test.settings.keysDirectory.appendingPathComponent("key-encryption.key")
        let other = DatabaseKeyRing(factory: SigningKeyFactory(commonName: "127.0.0.1")) { try KeyEncryptionKey.load(from: kekFile) }
        try await other.reload(on: test.app.db)
        try await other.rotate(now: test.clock.now, on: test.app.db)
        XCTAssertEqual(try serving.current().active?.kid, before.kid, "memory is not read from the database on a sign-in")
        let refreshed = try await serving.refresh(on: test.app.db)
        XCTAssertTrue(refreshed)
        let after = try serving.current()
        XCTAssertNotEqual(after.active?.kid, before.kid)
        XCTAssertEqual(after.key(kid: before.kid)?.state, .retired)
        XCTAssertNotNil(after.next)
        XCTAssertEqual(after.published(at: test.clock.now).count, 6, "per algorithm: retired, active and next")
        XCTAssertEqual(serving.loadedVersion, versionBefore + 1)
        let again = try await serving.refresh(on: test.app.db)
        XCTAssertFalse(again, "an unchanged version reads nothing more")
        try await test.shutdown()
    }

    func testAChangeFromAStaleReadIsRefusedNotOverwritten() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        // Two rotations at once: each reads the ring and writes from what it read. Either they run
        // one after the other (PostgreSQL's cluster lock), or the second is refused; never a ring
        // with two active keys of one algorithm or a lost rotation.
        let ring = test.app.storeIdP.keyRing
        async let a: KeyRing = ring.rotate(now: test.clock.now, on: test.app.db)
        async let b: KeyRing = ring.rotate(now: test.clock.now, on: test.app.db)
        var results: [Result<KeyRing, any Error>] = []
        do { results.append(.success(try await a)) } catch { results.append(.failure(error)) }
        do { results.append(.success(try await b)) } catch { results.append(.failure(error)) }
        let succeeded = results.filter { if case .success = $0 { return true } else { return false } }.count
        XCTAssertGreaterThanOrEqual(succeeded, 1)
        XCTAssertEqual(DatabaseKeyRing.StoreError.concurrentChange.status, .conflict, "the admin API and console answer 409, not 500")
        for case let .failure(error) in results {
            XCTAssertTrue("\(error)".contains("at the same moment") || "\(error)".lowercased().contains("busy") || "\(error)".lowercased().contains("lock"), "\(error)")
        }
        try await ring.reload(on: test.app.db)
        let final = try ring.current()
        XCTAssertEqual(final.keys.filter { $0.state == .active }.count, 2, "one active key per algorithm, whatever interleaving")
        XCTAssertEqual(final.keys.filter { $0.state == .next }.count, 2)
        // The first rotation of a ring without next keys makes a new active and a new next key per
        // algorithm (4); a second one, a new next key per algorithm (2).
        XCTAssertEqual(final.keys.count, succeeded == 2 ? 8 : 6, "each rotation that succeeded added exactly its keys")
        try await test.shutdown()
    }

    func testAKeyFolderIsMovedInOnFirstStartAndByKeysImport() async throws {
        // A folder an earlier StoreIdP kept its ring in.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storeidp-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let old = KeyRingStore(directory: folder.appendingPathComponent("Keys"), factory: SigningKeyFactory(commonName: "127.0.0.1"))
        try old.ensureActiveKey(now: Date(timeIntervalSince1970: 1_700_000_000))
        let oldRing = try old.current()
        let oldSecret = try XCTUnwrap(try old.existingPairwiseSecret())

        let test = try await TestApplication.make(folder: folder)
        let ring = try test.app.storeIdP.keyRing.current()
        XCTAssertEqual(ring.active?.kid, oldRing.active?.kid, "the folder's key keeps signing")
        XCTAssertEqual(ring.active(.es256)?.kid, oldRing.active(.es256)?.kid)
        XCTAssertEqual(try test.app.storeIdP.keyRing.pairwiseSecret(), oldSecret, "persistent NameIDs do not change")

        // `keys import` of another folder: its keys sign from now on, the database's retire.
        let another = KeyRingStore(directory: folder.appendingPathComponent("another"), factory: SigningKeyFactory(commonName: "127.0.0.1"))
        try another.ensureActiveKey(now: test.clock.now)
        do {
            try await test.run(KeysImportCommand(), [another.directory.path])
            XCTFail("another pairwise secret is not taken without --replace-pairwise-secret")
        } catch {
            XCTAssertTrue("\(error)".contains("--replace-pairwise-secret"), "\(error)")
        }
        XCTAssertEqual(try test.app.storeIdP.keyRing.current(), ring, "a refused import writes nothing")
        try await test.run(KeysImportCommand(), [another.directory.path, "--replace-pairwise-secret"])
        let imported = try test.app.storeIdP.keyRing.current()
        XCTAssertEqual(imported.active?.kid, try another.current().active?.kid)
        XCTAssertEqual(imported.key(kid: try XCTUnwrap(oldRing.active?.kid))?.state, .retired)
        XCTAssertEqual(try test.app.storeIdP.keyRing.pairwiseSecret(), try another.existingPairwiseSecret())
        // Importing the same folder again changes nothing.
        let version = test.app.storeIdP.keyRing.loadedVersion
        try await test.run(KeysImportCommand(), [another.directory.path])
        XCTAssertEqual(test.app.storeIdP.keyRing.loadedVersion, version)
        let audit = try await test.app.db.sql.select().column("detail").from("audit_events").where("kind", .equal, "keys.imported").all()
        XCTAssertEqual(audit.count, 1, "the import that changed the ring is an audit row")
        // A folder whose active key is stored already but whose next key is new: one next key per algorithm remains.
        try another.rotate(now: test.clock.now)
        try await test.run(KeysImportCommand(), [another.directory.path])
        let merged = try test.app.storeIdP.keyRing.current()
        for algorithm in SigningKey.Algorithm.allCases {
            XCTAssertEqual(merged.keys.filter { $0.algorithm == algorithm && $0.state == .active }.count, 1, "\(algorithm)")
            XCTAssertEqual(merged.keys.filter { $0.algorithm == algorithm && $0.state == .next }.count, 1, "\(algorithm)")
        }
        do {
            try await test.run(KeysImportCommand(), [folder.appendingPathComponent("nothing-here").path])
            XCTFail("a folder without keyring.json is refused")
        } catch {
            XCTAssertTrue("\(error)".contains("keyring.json"), "\(error)")
        }
        try await test.shutdown()
    }

    func testACertificateChangedInTheDatabaseStopsTheRingFromLoading() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        let ring = try test.app.storeIdP.keyRing.current()
        let active = try XCTUnwrap(ring.active)
        let other = try XCTUnwrap(ring.active(.es256))
        // Someone with write access to the database but without the key-encryption key puts
        // another certificate beside our sealed key.
        try await test.app.db.sql.update("signing_keys").set("certificate_pem", to: other.certificatePEM).where("kid", .equal, active.kid).run()
        do {
            try await test.app.storeIdP.keyRing.reload(on: test.app.db)
            XCTFail("a swapped certificate must not load")
        } catch {
            XCTAssertTrue("\(error)".contains("cannot be opened"), "\(error)")
        }
        XCTAssertEqual(try test.app.storeIdP.keyRing.current().active?.certificatePEM, active.certificatePEM, "the ring in memory keeps signing")
        try await test.shutdown()
    }

    func testADatabaseRestoredToAnOlderRingIsFollowed() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        let keyRing = test.app.storeIdP.keyRing
        let before = try keyRing.current()
        let saved = try await test.app.db.sql.select().columns("version", "generation").from("key_ring").first()
        let (version, generation) = (try XCTUnwrap(saved).decode(column: "version", as: Int64.self), try XCTUnwrap(saved).decode(column: "generation", as: String.self))
        try await keyRing.rotate(now: test.clock.now, on: test.app.db)
        // The backup from before the rotation comes back: the old version number and rows.
        try await test.app.db.sql.raw("UPDATE key_ring SET version = \(bind: version), generation = \(bind: generation) WHERE id = 1").run()
        try await test.app.db.sql.raw("DELETE FROM signing_keys WHERE kid NOT IN (\(binds: before.keys.map(\.kid)))").run()
        try await test.app.db.sql.raw("UPDATE signing_keys SET state = 'active', retired_at = NULL").run()
        let changed = try await keyRing.refresh(on: test.app.db)
        XCTAssertTrue(changed, "a lower version is still a different ring")
        XCTAssertEqual(try keyRing.current().active?.kid, before.active?.kid)
        let again = try await keyRing.refresh(on: test.app.db)
        XCTAssertFalse(again, "and then it is not re-read every second")
        try await test.shutdown()
    }

    func testKeysExportWritesCertificatesAndNoPrivateKey() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        try await test.run(KeysRotateCommand(), [])
        let out = test.folder.appendingPathComponent("export")
        try await test.run(KeysExportCommand(), [out.path])
        let ring = try test.app.storeIdP.keyRing.current()
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(files, (ring.keys.map { "\($0.kid).crt.pem" } + ["keys.json"]).sorted())
        for file in files {
            let text = try String(contentsOf: out.appendingPathComponent(file), encoding: .utf8)
            XCTAssertFalse(text.contains("PRIVATE"), file)
        }
        let active = try XCTUnwrap(ring.active)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("\(active.kid).crt.pem"), encoding: .utf8), active.certificatePEM)
        try await test.shutdown()
    }

    func testPostgreSQLNeedsAKeyEncryptionKeyFile() throws {
        XCTAssertThrowsError(try StoreIdPSettings.fromEnvironment(["STOREIDP_DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db"])) { error in
            XCTAssertTrue("\(error)".contains("STOREIDP_KEY_ENCRYPTION_KEY_FILE"), "\(error)")
        }
        let settings = try StoreIdPSettings.fromEnvironment([
            "STOREIDP_DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db", "STOREIDP_KEY_ENCRYPTION_KEY_FILE": "/etc/storeidp/kek",
        ])
        XCTAssertEqual(settings.keyEncryptionKeyFile?.path, "/etc/storeidp/kek")
        XCTAssertThrowsError(try settings.keyEncryptionKey(), "a named file that does not exist is not made") { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
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
