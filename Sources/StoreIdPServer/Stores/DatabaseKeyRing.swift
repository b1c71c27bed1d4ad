import Fluent
import Foundation
import SignOn
import SQLKit
import StoreIdPCore
import Vapor

/// The key ring and the pairwise secret in the database, shared by every node.
///
/// - `signing_keys`: one row per key (kid, algorithm, state, dates, the certificate, and the
///   private key sealed with the `KeyEncryptionKey` for the context `signing-key <kid>`);
/// - `key_ring`: one row (id 1) with the ring's version and generation (a random value), both
///   replaced by every change, and the pairwise secret sealed for `pairwise-secret`.
///
/// A private key is sealed for its kid, its algorithm and the SHA-256 of its certificate, so a
/// certificate or algorithm changed in the database by someone without the key-encryption key
/// makes the ring fail to load instead of publishing a certificate we hold no key for.
///
/// Flows read the ring from memory (`current()`, no query on a sign-in). `refresh(on:)` reads
/// the generation, one small query, and reloads whenever it differs from the one in memory (a
/// newer ring, or a database restored to an older one); `KeyRingRefresh` calls it every
/// second, so a rotation on any node is signed with everywhere within about a second. The
/// generation is read before the keys, so a ring read while a change lands is labelled older
/// than it is and is read again a second later, never the other way round.
///
/// Every change reads the ring, computes the new one and writes it in one transaction that
/// moves the version on only from the value it read (`UPDATE … WHERE version = read`): of two
/// changes at once, the second fails with `concurrentChange` (409) instead of overwriting the
/// first. On PostgreSQL the transaction first takes the `keys` advisory lock
/// (`pg_advisory_xact_lock`, released at commit), so nodes wait for each other.
final class DatabaseKeyRing: KeyRingSource, @unchecked Sendable {
    static let keysTable = "signing_keys"
    static let ringTable = "key_ring"
    static let pairwiseContext = "pairwise-secret"

    /// What a private key is sealed for: its kid, algorithm and certificate (SHA-256 of the PEM).
    static func keyContext(kid: String, algorithm: SigningKey.Algorithm, certificatePEM: String) -> String {
        KeyEncryptionKey.signingKeyContext(kid: kid, algorithm: algorithm.rawValue, certificatePEM: certificatePEM)
    }

    static func keyContext(_ key: SigningKey) -> String {
        keyContext(kid: key.kid, algorithm: key.algorithm, certificatePEM: key.certificatePEM)
    }

    enum StoreError: Error, CustomStringConvertible, AbortError {
        case notLoaded
        case concurrentChange
        case sealedWithAnotherKey(String)
        case pairwiseSecretTooShort(Int)
        case pairwiseSecretDiffers
        case corruptRow(kid: String, reason: String)

        var status: HTTPResponseStatus { self == .concurrentChange ? .conflict : .internalServerError }
        var reason: String { self == .concurrentChange ? description : "the key ring could not be changed" }

        static func == (lhs: StoreError, rhs: StoreError) -> Bool {
            if case .concurrentChange = lhs, case .concurrentChange = rhs { return true }
            return false
        }

        var description: String {
            switch self {
            case .notLoaded: return "the key ring has not been read from the database yet"
            case .concurrentChange: return "another change to the key ring was made at the same moment; run it again"
            case let .sealedWithAnotherKey(what):
                return "the key ring in the database cannot be opened: \(what). STOREIDP_KEY_ENCRYPTION_KEY_FILE must name the key-encryption key the ring was made with (restore it from its backup)"
            case let .pairwiseSecretTooShort(count): return "the pairwise secret holds \(count) bytes; at least \(KeyRingStore.pairwiseSecretBytes) are needed"
            case .pairwiseSecretDiffers:
                return "the folder's pairwise.secret differs from the database's: taking it changes every persistent NameID and pairwise subject "
                    + "issued from the database's secret. Pass --replace-pairwise-secret if the folder's is the one partners know"
            case let .corruptRow(kid, reason): return "the stored key \(kid) is unusable: \(reason)"
            }
        }
    }

    /// What `importRing` did.
    struct ImportReport: Sendable {
        var imported: [String] = []
        var alreadyPresent: [String] = []
        var retired: [String] = []
        var pairwiseSecretReplaced = false
    }

    private let factory: SigningKeyFactory
    private let resolveKeyEncryptionKey: @Sendable () throws -> KeyEncryptionKey
    private let lock = NSLock()
    private var keyEncryptionKey: KeyEncryptionKey?
    private var loaded: Stored?

    /// - Parameter keyEncryptionKey: resolved on first use (reading or making its file), so a
    ///   command that never touches keys (`--help`) makes no file.
    init(factory: SigningKeyFactory, keyEncryptionKey: @escaping @Sendable () throws -> KeyEncryptionKey) {
        self.factory = factory
        resolveKeyEncryptionKey = keyEncryptionKey
    }

    // MARK: KeyRingSource

    func current() throws -> KeyRing {
        guard let loaded = lock.withLock({ loaded }) else { throw StoreError.notLoaded }
        return loaded.ring
    }

    /// The ring's generation in memory (nil before the first load).
    var loadedGeneration: String? { lock.withLock { loaded?.generation } }

    func pairwiseSecret() throws -> Data {
        guard let loaded = lock.withLock({ loaded }) else { throw StoreError.notLoaded }
        return loaded.pairwiseSecret
    }

    /// The version of the ring in memory (nil before the first load).
    var loadedVersion: Int64? { lock.withLock { loaded?.version } }

    // MARK: reading

    /// Reloads the ring when its generation in the database differs from the one in memory;
    /// true when it did.
    @discardableResult
    func refresh(on database: any Database) async throws -> Bool {
        let row = try await database.sql.select().column("generation").from(Self.ringTable).where("id", .equal, 1).first()
        guard let generation = try row?.decode(column: "generation", as: String.self) else { return false }
        if generation == loadedGeneration { return false }
        try await reload(on: database)
        return true
    }

    /// Reads the whole ring and keeps it in memory.
    func reload(on database: any Database) async throws {
        guard let stored = try await read(database.sql) else { return }
        keep(stored)
    }

    /// True when the database holds no ring yet (a first start, or one before keys moved into it).
    func isEmpty(on database: any Database) async throws -> Bool {
        try await database.sql.select().column("id").from(Self.ringTable).where("id", .equal, 1).first() == nil
    }

    // MARK: changes

    /// Makes the ring on first start: the pairwise secret (32 random bytes) when there is none,
    /// and an active key for every algorithm that has none. Returns the keys it made.
    @discardableResult
    func ensureActiveKeys(now: Date, on database: any Database) async throws -> [SigningKey] {
        let factory = factory
        return try await change(on: database, now: now) { ring, _ in
            let made = try ring.missingActiveKeys(factory: factory, now: now)
            return made.isEmpty ? nil : (KeyRing(keys: ring.keys + made), nil, made)
        }.added
    }

    /// One rotation of every algorithm (`KeyRing.rotated`). Returns the ring after it. The new
    /// keys are made before the transaction (RSA key generation takes a while), so the lock is
    /// held only for the reads and writes.
    @discardableResult
    func rotate(now: Date, on database: any Database) async throws -> KeyRing {
        let keys = try KeyRing.rotationKeys(factory: factory, now: now)
        return try await change(on: database, now: now) { ring, _ in
            let (rotated, added) = ring.rotatedAll(with: keys, at: now)
            return (rotated, nil, added)
        }.ring
    }

    /// Moves a ring kept elsewhere (a key folder) in. Keys whose kid is stored already are left
    /// as they are; the others are added with their states and dates. For every algorithm the
    /// imported ring has an active key of, the stored active and next keys of that algorithm
    /// retire (still published for the grace period), so the imported key signs from now on.
    /// Where it brings a new `next` key of an algorithm, the stored `next` key of that algorithm
    /// retires too, so the ring keeps one `next` key per algorithm.
    /// The pairwise secret, when given and different from the stored one, replaces it only with
    /// `replacePairwiseSecret` (`pairwiseSecretDiffers` otherwise): persistent NameIDs and pairwise
    /// subjects then derive from it, as they did where the ring came from.
    func importRing(_ imported: KeyRing, pairwiseSecret: Data?, replacePairwiseSecret: Bool, now: Date,
                    on database: any Database) async throws -> ImportReport {
        if let pairwiseSecret, pairwiseSecret.count < KeyRingStore.pairwiseSecretBytes {
            throw StoreError.pairwiseSecretTooShort(pairwiseSecret.count)
        }
        let report = LockedReport()
        _ = try await change(on: database, now: now, initialPairwiseSecret: pairwiseSecret) { ring, storedSecret in
            var result = ImportReport()
            let stored = Set(ring.keys.map(\.kid))
            let fresh = imported.keys.filter { !stored.contains($0.kid) }
            result.imported = fresh.map(\.kid)
            result.alreadyPresent = imported.keys.map(\.kid).filter { stored.contains($0) }
            let takingActive = Set(fresh.filter { $0.state == .active }.map(\.algorithm))
            let takingNext = Set(fresh.filter { $0.state == .next }.map(\.algorithm))
            let kept = ring.keys.map { key -> SigningKey in
                let replaced = (key.state == .active && takingActive.contains(key.algorithm))
                    || (key.state == .next && (takingActive.contains(key.algorithm) || takingNext.contains(key.algorithm)))
                guard replaced else { return key }
                var key = key
                key.state = .retired
                key.retiredAt = now
                result.retired.append(key.kid)
                return key
            }
            var secret: Data?
            if let pairwiseSecret, pairwiseSecret != storedSecret {
                guard replacePairwiseSecret else { throw StoreError.pairwiseSecretDiffers }
                secret = pairwiseSecret
                result.pairwiseSecretReplaced = true
            }
            report.set(result)
            if fresh.isEmpty && secret == nil { return nil }
            return (KeyRing(keys: kept + fresh), secret, fresh)
        }
        return report.value
    }

    /// Reads the ring, applies `body` and writes what it returns in one transaction that moves
    /// the version on by one and draws a new generation; nil from `body` writes nothing. A
    /// missing `key_ring` row is made first, with `initialPairwiseSecret` or 32 random bytes.
    /// Returns the ring written (or read) and the keys it added.
    @discardableResult
    private func change(
        on database: any Database, now: Date, initialPairwiseSecret: Data? = nil,
        _ body: @escaping @Sendable (KeyRing, Data) throws -> (ring: KeyRing, pairwiseSecret: Data?, newKeys: [SigningKey])?
    ) async throws -> (ring: KeyRing, added: [SigningKey]) {
        let kek = try resolvedKeyEncryptionKey()
        let written: (stored: Stored, added: [SigningKey])
        do {
            written = try await database.transaction { transaction in
                let sql = try transaction.sql
                try await ClusterLock.lockUntilCommit(.keys, sql)
                if try await self.read(sql) == nil {
                    let secret = initialPairwiseSecret ?? KeyRingStore.newPairwiseSecret()
                    try await sql.raw("""
                        INSERT INTO key_ring (id, version, generation, sealed_pairwise_secret, updated_at)
                        VALUES (1, 0, \(bind: UUID().uuidString), \(bind: try kek.seal(secret, context: Self.pairwiseContext)), \(bind: now.timeIntervalSince1970))
                        ON CONFLICT (id) DO NOTHING
                        """).run()
                }
                guard let before = try await self.read(sql) else { throw StoreError.notLoaded }
                guard let (ring, secret, newKeys) = try body(before.ring, before.pairwiseSecret).map({ ($0.ring, $0.pairwiseSecret, $0.newKeys) }) else {
                    return (before, [])
                }
                let sealedSecret = try secret.map { try kek.seal($0, context: Self.pairwiseContext) }
                let generation = UUID().uuidString
                let bumped = try await sql.raw("""
                    UPDATE key_ring SET version = version + 1, generation = \(bind: generation), updated_at = \(bind: now.timeIntervalSince1970),
                        sealed_pairwise_secret = COALESCE(\(bind: sealedSecret), sealed_pairwise_secret)
                    WHERE id = 1 AND version = \(bind: before.version)
                    RETURNING version
                    """).first()
                guard let version = try bumped?.decode(column: "version", as: Int64.self) else { throw StoreError.concurrentChange }
                let added = Set(newKeys.map(\.kid))
                for key in newKeys {
                    try await sql.raw("""
                        INSERT INTO signing_keys (kid, algorithm, state, created_at, activated_at, retired_at, not_after, certificate_pem, sealed_private_key)
                        VALUES (\(bind: key.kid), \(bind: key.algorithm.rawValue), \(bind: key.state.rawValue), \(bind: key.createdAt.timeIntervalSince1970),
                                \(bind: key.activatedAt?.timeIntervalSince1970), \(bind: key.retiredAt?.timeIntervalSince1970), \(bind: key.notAfter.timeIntervalSince1970),
                                \(bind: key.certificatePEM), \(bind: try kek.seal(Data(key.privateKeyPEM.utf8), context: Self.keyContext(key))))
                        """).run()
                }
                let previous = Dictionary(uniqueKeysWithValues: before.ring.keys.map { ($0.kid, $0) })
                for key in ring.keys where !added.contains(key.kid) && previous[key.kid] != key {
                    try await sql.raw("""
                        UPDATE signing_keys SET state = \(bind: key.state.rawValue), activated_at = \(bind: key.activatedAt?.timeIntervalSince1970),
                            retired_at = \(bind: key.retiredAt?.timeIntervalSince1970)
                        WHERE kid = \(bind: key.kid)
                        """).run()
                }
                return (Stored(version: version, generation: generation, ring: ring, pairwiseSecret: secret ?? before.pairwiseSecret), newKeys)
            }
        } catch let error as StoreError {
            throw error
        } catch let error where Self.isWriteConflict(error) {
            // SQLite: another connection (a second request, or the command line) holds the write
            // lock or committed first; the same answer as a lost version check.
            throw StoreError.concurrentChange
        }
        keep(written.stored)
        return (written.stored.ring, written.added)
    }

    /// SQLite's answers to a write that lost to another connection (SQLITE_BUSY, SQLITE_LOCKED,
    /// SQLITE_BUSY_SNAPSHOT), by their messages.
    private static func isWriteConflict(_ error: any Error) -> Bool {
        let text = String(describing: error).lowercased()
        return text.contains("database is locked") || text.contains("busy") || text.contains("database table is locked")
    }

    // MARK: rows

    private struct Stored: Sendable {
        let version: Int64
        let generation: String
        let ring: KeyRing
        let pairwiseSecret: Data
    }

    /// The database is the authority: what was read last is kept, even an older version (a
    /// restored database). A refresh that read just before a change here landed puts the older
    /// ring back for at most a second; the next refresh sees the generation differ.
    private func keep(_ stored: Stored) {
        lock.withLock { loaded = stored }
    }

    /// The ring as stored, its private keys and the pairwise secret opened; nil without a `key_ring` row.
    private func read(_ sql: any SQLDatabase) async throws -> Stored? {
        guard let state = try await sql.select().columns("version", "generation", "sealed_pairwise_secret").from(Self.ringTable).where("id", .equal, 1).first() else {
            return nil
        }
        let kek = try resolvedKeyEncryptionKey()
        let version = try state.decode(column: "version", as: Int64.self)
        let generation = try state.decode(column: "generation", as: String.self)
        let secret: Data
        do {
            secret = try kek.open(try state.decode(column: "sealed_pairwise_secret", as: String.self), context: Self.pairwiseContext)
        } catch let error as KeyEncryptionKey.OpenError {
            throw StoreError.sealedWithAnotherKey(error.description)
        }
        let rows = try await sql.select()
            .columns("kid", "algorithm", "state", "created_at", "activated_at", "retired_at", "not_after", "certificate_pem", "sealed_private_key")
            .from(Self.keysTable).all()
        let keys = try rows.map { row -> SigningKey in
            let kid = try row.decode(column: "kid", as: String.self)
            guard let algorithm = SigningKey.Algorithm(rawValue: try row.decode(column: "algorithm", as: String.self)),
                  let keyState = SigningKey.State(rawValue: try row.decode(column: "state", as: String.self)) else {
                throw StoreError.corruptRow(kid: kid, reason: "unknown algorithm or state")
            }
            let certificatePEM = try row.decode(column: "certificate_pem", as: String.self)
            let privateKey: Data
            do {
                privateKey = try kek.open(try row.decode(column: "sealed_private_key", as: String.self),
                                          context: Self.keyContext(kid: kid, algorithm: algorithm, certificatePEM: certificatePEM))
            } catch let error as KeyEncryptionKey.OpenError {
                throw StoreError.sealedWithAnotherKey(error.description)
            }
            func date(_ column: String) throws -> Date? {
                try row.decode(column: column, as: Double?.self).map(Date.init(timeIntervalSince1970:))
            }
            return SigningKey(kid: kid, algorithm: algorithm, state: keyState,
                              createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)),
                              activatedAt: try date("activated_at"), retiredAt: try date("retired_at"),
                              notAfter: Date(timeIntervalSince1970: try row.decode(column: "not_after", as: Double.self)),
                              privateKeyPEM: String(decoding: privateKey, as: UTF8.self), certificatePEM: certificatePEM)
        }
        return Stored(version: version, generation: generation, ring: KeyRing(keys: keys), pairwiseSecret: secret)
    }

    private func resolvedKeyEncryptionKey() throws -> KeyEncryptionKey {
        if let key = lock.withLock({ keyEncryptionKey }) { return key }
        let key = try resolveKeyEncryptionKey()
        lock.withLock { keyEncryptionKey = key }
        return key
    }


    /// Carries the import's report out of the transaction's closure.
    private final class LockedReport: @unchecked Sendable {
        private let lock = NSLock()
        private var report = ImportReport()
        func set(_ value: ImportReport) { lock.withLock { report = value } }
        var value: ImportReport { lock.withLock { report } }
    }
}

extension DatabaseKeyRing {
    /// A rotation made by someone: `rotate`, then its audit row naming `actor` and the keys now
    /// active. The command line, the admin API and the console rotate through this.
    func rotate(now: Date, on database: any Database, audit: AuditLog, actor: String) async throws -> KeyRing {
        let ring = try await rotate(now: now, on: database)
        let summary = SigningKey.Algorithm.allCases.map { "\($0.rawValue) active \(ring.active($0)?.kid.prefix(12) ?? "none")" }.joined(separator: ", ")
        try await audit.record(.keysRotated, at: now, subjectID: actor, detail: summary)
        return ring
    }
}
