import Fluent
import Foundation
import SignOn
import SQLKit
import StoreIdPCore

/// The key ring and the pairwise secret in the database, shared by every node.
///
/// - `signing_keys`: one row per key (kid, algorithm, state, dates, the certificate, and the
///   private key sealed with the `KeyEncryptionKey` for the context `signing-key <kid>`);
/// - `key_ring`: one row (id 1) with the ring's version, bumped by every change, and the pairwise
///   secret sealed for `pairwise-secret`.
///
/// Flows read the ring from memory (`current()`, no query on a sign-in). `refresh(on:)` reads
/// the version, one small query, and reloads only when it moved; `KeyRingRefreshSchedule` calls
/// it every second, so a rotation on any node is signed with everywhere within about a second.
///
/// Every change reads the ring, computes the new one and writes it in one transaction that
/// bumps the version only from the value it read (`UPDATE … WHERE version = read`): of two
/// changes at once, the second fails with `concurrentChange` instead of overwriting the first.
/// On PostgreSQL the changes also take the `keys` cluster lock, so nodes wait for each other.
final class DatabaseKeyRing: KeyRingSource, @unchecked Sendable {
    static let keysTable = "signing_keys"
    static let ringTable = "key_ring"
    static let pairwiseContext = "pairwise-secret"
    static func keyContext(_ kid: String) -> String { "signing-key \(kid)" }

    enum StoreError: Error, CustomStringConvertible {
        case notLoaded
        case concurrentChange
        case sealedWithAnotherKey(String)
        case pairwiseSecretTooShort(Int)
        case corruptRow(kid: String, reason: String)

        var description: String {
            switch self {
            case .notLoaded: return "the key ring has not been read from the database yet"
            case .concurrentChange: return "another change to the key ring was made at the same moment; run it again"
            case let .sealedWithAnotherKey(what):
                return "the key ring in the database cannot be opened: \(what). STOREIDP_KEY_ENCRYPTION_KEY_FILE must name the key-encryption key the ring was made with (restore it from its backup)"
            case let .pairwiseSecretTooShort(count): return "the pairwise secret holds \(count) bytes; at least \(KeyRingStore.pairwiseSecretBytes) are needed"
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
    private var loaded: (version: Int64, ring: KeyRing, pairwiseSecret: Data)?

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

    func pairwiseSecret() throws -> Data {
        guard let loaded = lock.withLock({ loaded }) else { throw StoreError.notLoaded }
        return loaded.pairwiseSecret
    }

    /// The version of the ring in memory (nil before the first load).
    var loadedVersion: Int64? { lock.withLock { loaded?.version } }

    // MARK: reading

    /// Reloads the ring when its version in the database moved; true when it did.
    @discardableResult
    func refresh(on database: any Database) async throws -> Bool {
        let row = try await database.sql.select().column("version").from(Self.ringTable).where("id", .equal, 1).first()
        guard let version = try row?.decode(column: "version", as: Int64.self) else { return false }
        if version == loadedVersion { return false }
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
            let made = try SigningKey.Algorithm.allCases.filter { ring.active($0) == nil }.map {
                try factory.makeKey(algorithm: $0, state: .active, now: now)
            }
            return made.isEmpty ? nil : (KeyRing(keys: ring.keys + made), nil, made)
        }
    }

    /// One rotation of every algorithm (`KeyRing.rotated`). Returns the ring after it.
    @discardableResult
    func rotate(now: Date, on database: any Database) async throws -> KeyRing {
        let factory = factory
        try await change(on: database, now: now) { ring, _ in
            var ring = ring
            var made: [SigningKey] = []
            for algorithm in SigningKey.Algorithm.allCases {
                let replacement = ring.next(algorithm) == nil ? try factory.makeKey(algorithm: algorithm, state: .active, now: now) : nil
                let fresh = try factory.makeKey(algorithm: algorithm, state: .next, now: now)
                ring = ring.rotated(freshNext: fresh, replacement: replacement, at: now)
                made += [replacement, fresh].compactMap { $0 }
            }
            return (ring, nil, made)
        }
        return try current()
    }

    /// Moves a ring kept elsewhere (a key folder) in. Keys whose kid is stored already are left
    /// as they are; the others are added with their states and dates. For every algorithm the
    /// imported ring has an active key of, the stored active and next keys of that algorithm
    /// retire (still published for the grace period), so the imported key signs from now on.
    /// The pairwise secret, when given, replaces the stored one: persistent NameIDs and pairwise
    /// subjects then derive from it, as they did where the ring came from.
    func importRing(_ imported: KeyRing, pairwiseSecret: Data?, now: Date, on database: any Database) async throws -> ImportReport {
        if let pairwiseSecret, pairwiseSecret.count < KeyRingStore.pairwiseSecretBytes {
            throw StoreError.pairwiseSecretTooShort(pairwiseSecret.count)
        }
        let report = LockedReport()
        try await change(on: database, now: now, initialPairwiseSecret: pairwiseSecret) { ring, storedSecret in
            var result = ImportReport()
            let stored = Set(ring.keys.map(\.kid))
            let fresh = imported.keys.filter { !stored.contains($0.kid) }
            result.imported = fresh.map(\.kid)
            result.alreadyPresent = imported.keys.map(\.kid).filter { stored.contains($0) }
            let taking = Set(fresh.filter { $0.state == .active }.map(\.algorithm))
            let kept = ring.keys.map { key -> SigningKey in
                guard taking.contains(key.algorithm), key.state != .retired else { return key }
                var key = key
                key.state = .retired
                key.retiredAt = now
                result.retired.append(key.kid)
                return key
            }
            var secret: Data?
            if let pairwiseSecret, pairwiseSecret != storedSecret {
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
    /// the version on by one; nil from `body` writes nothing. A missing `key_ring` row is made
    /// first, with `initialPairwiseSecret` or 32 random bytes. Returns the keys it added.
    @discardableResult
    private func change(
        on database: any Database, now: Date, initialPairwiseSecret: Data? = nil,
        _ body: @escaping @Sendable (KeyRing, Data) throws -> (ring: KeyRing, pairwiseSecret: Data?, newKeys: [SigningKey])?
    ) async throws -> [SigningKey] {
        let kek = try resolvedKeyEncryptionKey()
        let written: (stored: Stored, added: [SigningKey]) = try await ClusterLock.withLock(.keys, on: database) {
            try await database.transaction { transaction in
                let sql = try transaction.sql
                if try await self.read(sql) == nil {
                    let secret = initialPairwiseSecret ?? Self.randomSecret()
                    try await sql.raw("""
                        INSERT INTO key_ring (id, version, sealed_pairwise_secret, updated_at)
                        VALUES (1, 0, \(bind: try kek.seal(secret, context: Self.pairwiseContext)), \(bind: now.timeIntervalSince1970))
                        ON CONFLICT (id) DO NOTHING
                        """).run()
                }
                guard let before = try await self.read(sql) else { throw StoreError.notLoaded }
                guard let (ring, secret, newKeys) = try body(before.ring, before.pairwiseSecret).map({ ($0.ring, $0.pairwiseSecret, $0.newKeys) }) else {
                    return (before, [])
                }
                let sealedSecret = try secret.map { try kek.seal($0, context: Self.pairwiseContext) }
                let bumped = try await sql.raw("""
                    UPDATE key_ring SET version = version + 1, updated_at = \(bind: now.timeIntervalSince1970),
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
                                \(bind: key.certificatePEM), \(bind: try kek.seal(Data(key.privateKeyPEM.utf8), context: Self.keyContext(key.kid))))
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
                return (Stored(version: version, ring: ring, pairwiseSecret: secret ?? before.pairwiseSecret), newKeys)
            }
        }
        keep(written.stored)
        return written.added
    }

    // MARK: rows

    private struct Stored: Sendable {
        let version: Int64
        let ring: KeyRing
        let pairwiseSecret: Data
    }

    private func keep(_ stored: Stored) {
        lock.withLock {
            // A slower reader must not put an older ring back over a newer one.
            if let loaded, loaded.version > stored.version { return }
            loaded = (stored.version, stored.ring, stored.pairwiseSecret)
        }
    }

    /// The ring as stored, its private keys and the pairwise secret opened; nil without a `key_ring` row.
    private func read(_ sql: any SQLDatabase) async throws -> Stored? {
        guard let state = try await sql.select().columns("version", "sealed_pairwise_secret").from(Self.ringTable).where("id", .equal, 1).first() else {
            return nil
        }
        let kek = try resolvedKeyEncryptionKey()
        let version = try state.decode(column: "version", as: Int64.self)
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
            let privateKey: Data
            do {
                privateKey = try kek.open(try row.decode(column: "sealed_private_key", as: String.self), context: Self.keyContext(kid))
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
                              privateKeyPEM: String(decoding: privateKey, as: UTF8.self),
                              certificatePEM: try row.decode(column: "certificate_pem", as: String.self))
        }
        return Stored(version: version, ring: KeyRing(keys: keys), pairwiseSecret: secret)
    }

    private func resolvedKeyEncryptionKey() throws -> KeyEncryptionKey {
        if let key = lock.withLock({ keyEncryptionKey }) { return key }
        let key = try resolveKeyEncryptionKey()
        lock.withLock { keyEncryptionKey = key }
        return key
    }

    private static func randomSecret() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<KeyRingStore.pairwiseSecretBytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Carries the import's report out of the transaction's closure.
    private final class LockedReport: @unchecked Sendable {
        private let lock = NSLock()
        private var report = ImportReport()
        func set(_ value: ImportReport) { lock.withLock { report = value } }
        var value: ImportReport { lock.withLock { report } }
    }
}
