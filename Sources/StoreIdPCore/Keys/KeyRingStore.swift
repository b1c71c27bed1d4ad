import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A key ring in a folder: `keyring.json` (kid, state, dates) beside one `<kid>.key.pem` and one
/// `<kid>.crt.pem` per key, every file mode 0600. The server keeps its ring in the database
/// (`DatabaseKeyRing`); this is the layout earlier StoreIdP releases kept, read by `keys import`
/// and on a first start over an empty database, and a ring for tests that need no database.
///
/// A process reading the folder sees a rotation made by `storeidp keys rotate` in another process without a
/// restart: `current()` compares the manifest's file identity (inode, size, modification time)
/// with the one it loaded and reloads when it changed. Writes go to a temporary file renamed
/// over the manifest, so a reader sees the old ring or the new one, never half of one, and an
/// exclusive `flock` keeps two rotations from interleaving.
public final class KeyRingStore: @unchecked Sendable {
    public enum StoreError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case corrupt(path: String, reason: String)
        case missingKeyFile(kid: String, path: String)
        case unwritable(path: String, reason: String)
        /// `pairwise.secret` exists but cannot be read, or does not hold a secret. It is never
        /// replaced: a new secret would change every persistent NameID and pairwise subject.
        case pairwiseSecretUnusable(path: String, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
            case let .corrupt(path, reason): return "\(path) is not a valid key ring: \(reason)"
            case let .missingKeyFile(kid, path): return "key \(kid) is listed but \(path) is missing"
            case let .unwritable(path, reason): return "cannot write \(path): \(reason)"
            case let .pairwiseSecretUnusable(path, reason):
                return "the pairwise secret \(path) is unusable (\(reason)); restore it from the backup of the keys folder. "
                    + "It is not replaced, because a new one would change every persistent NameID and pairwise subject"
            }
        }
    }

    public let directory: URL
    private let factory: SigningKeyFactory
    private let lock = NSLock()
    private var cached: (identity: FileIdentity?, ring: KeyRing)?
    private var cachedPairwiseSecret: Data?
    /// Called by `current()` after it loaded the ring and before it caches it: the window in which
    /// a rotation by another process races the reload. Tests only.
    var afterLoadForTesting: (@Sendable () -> Void)?

    public init(directory: URL, factory: SigningKeyFactory) {
        self.directory = directory
        self.factory = factory
    }

    private var manifestURL: URL { directory.appendingPathComponent("keyring.json") }

    /// The ring as it is on disk now (re-read only when the manifest changed).
    ///
    /// The manifest's identity is read before the ring and the ring is cached under that identity:
    /// a rotation that lands while the ring is read then leaves a newer identity on disk, so the
    /// next call reloads. (Read after the ring, the newer identity would be cached with the older
    /// ring, and the rotation would never be seen.)
    public func current() throws -> KeyRing {
        let identity = FileIdentity(path: manifestURL.path)
        if let cached = lock.withLock({ cached }), cached.identity == identity, identity != nil {
            return cached.ring
        }
        let ring = try load()
        afterLoadForTesting?()
        lock.withLock { cached = (identity, ring) }
        return ring
    }

    /// Creates an active key for every algorithm that has none (RSA and EC on first start), and
    /// the pairwise secret when there is none, under the same lock: every node that starts on
    /// this folder then finds the one secret instead of making its own. Returns the keys it created.
    @discardableResult
    public func ensureActiveKey(now: Date) throws -> [SigningKey] {
        try withExclusiveLock {
            _ = try readOrCreatePairwiseSecret()
            let ring = try load()
            let created = try ring.missingActiveKeys(factory: factory, now: now)
            guard !created.isEmpty else { return [] }
            try persist(KeyRing(keys: ring.keys + created), newKeys: created)
            return created
        }
    }

    /// One rotation of every algorithm (see `KeyRing.rotated`). Returns the ring after it.
    @discardableResult
    public func rotate(now: Date) throws -> KeyRing {
        let keys = try KeyRing.rotationKeys(factory: factory, now: now)
        return try withExclusiveLock {
            let (ring, made) = try load().rotatedAll(with: keys, at: now)
            try persist(ring, newKeys: made)
            return ring
        }
    }

    /// The secret pairwise identifiers are derived from (`pairwise.secret`: 32 random bytes,
    /// base64url). It lives beside the keys because it is as sensitive and as shared as they are:
    /// losing it changes every persistent NameID (saml-core §8.3.7) and every pairwise `sub`
    /// (OpenID Connect Core §8.1).
    ///
    /// `ensureActiveKey` creates it with the keys. Here it is created only when the file does not
    /// exist (a folder from before the secret was made with the keys); a file that exists but
    /// cannot be read, or does not hold at least 32 bytes, is `StoreError.pairwiseSecretUnusable`
    /// and is left exactly as it is.
    public func pairwiseSecret() throws -> Data {
        if let cached = lock.withLock({ cachedPairwiseSecret }) { return cached }
        let secret: Data
        if let existing = try readPairwiseSecret() {
            secret = existing
        } else {
            secret = try withExclusiveLock { try readOrCreatePairwiseSecret() }
        }
        lock.withLock { cachedPairwiseSecret = secret }
        return secret
    }

    public static let pairwiseSecretBytes = 32

    /// A new pairwise secret: `pairwiseSecretBytes` random bytes.
    public static func newPairwiseSecret() -> Data { Data(RandomBytes.make(pairwiseSecretBytes)) }
    private var pairwiseSecretURL: URL { directory.appendingPathComponent("pairwise.secret") }

    /// Call with the exclusive lock held: reads the secret, or writes a new one if the file is absent.
    private func readOrCreatePairwiseSecret() throws -> Data {
        if let existing = try readPairwiseSecret() { return existing }
        let data = Self.newPairwiseSecret()
        try writeSecret(Base64URL.encode(data), to: pairwiseSecretURL)
        return data
    }

    /// The secret in `pairwise.secret`, or nil when there is no such file; never makes one (for
    /// moving a key folder into another store).
    public func existingPairwiseSecret() throws -> Data? { try readPairwiseSecret() }

    /// True when the folder holds a ring (`keyring.json`).
    public var hasRing: Bool { FileManager.default.fileExists(atPath: manifestURL.path) }

    /// The stored secret, or nil only when the file does not exist (ENOENT).
    private func readPairwiseSecret() throws -> Data? {
        let path = pairwiseSecretURL.path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw StoreError.pairwiseSecretUnusable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.pairwiseSecretUnusable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
            guard bytes.count <= 1024 else {
                throw StoreError.pairwiseSecretUnusable(path: path, reason: "it is larger than 1 KiB")
            }
        }
        guard let text = String(bytes: bytes, encoding: .utf8), let data = Base64URL.decode(text.trimmingWhitespace()) else {
            throw StoreError.pairwiseSecretUnusable(path: path, reason: "it is not base64url text")
        }
        guard data.count >= Self.pairwiseSecretBytes else {
            throw StoreError.pairwiseSecretUnusable(path: path, reason: "it holds \(data.count) bytes; at least \(Self.pairwiseSecretBytes) are needed")
        }
        return data
    }

    private func load() throws -> KeyRing {
        guard FileManager.default.fileExists(atPath: manifestURL.path) else { return KeyRing(keys: []) }
        let data: Data
        do { data = try Data(contentsOf: manifestURL) } catch {
            throw StoreError.unreadable(path: manifestURL.path, reason: error.localizedDescription)
        }
        let manifest: Manifest
        do { manifest = try Self.decoder.decode(Manifest.self, from: data) } catch {
            throw StoreError.corrupt(path: manifestURL.path, reason: "\(error)")
        }
        let keys = try manifest.keys.map { entry -> SigningKey in
            let keyPath = directory.appendingPathComponent("\(entry.kid).key.pem").path
            let certificatePath = directory.appendingPathComponent("\(entry.kid).crt.pem").path
            guard let privateKey = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
                throw StoreError.missingKeyFile(kid: entry.kid, path: keyPath)
            }
            guard let certificate = try? String(contentsOfFile: certificatePath, encoding: .utf8) else {
                throw StoreError.missingKeyFile(kid: entry.kid, path: certificatePath)
            }
            return SigningKey(kid: entry.kid, algorithm: entry.algorithm, state: entry.state, createdAt: entry.createdAt,
                              activatedAt: entry.activatedAt, retiredAt: entry.retiredAt, notAfter: entry.notAfter,
                              privateKeyPEM: privateKey, certificatePEM: certificate)
        }
        return KeyRing(keys: keys)
    }

    private func persist(_ ring: KeyRing, newKeys: [SigningKey]) throws {
        for key in newKeys {
            try writeSecret(key.privateKeyPEM, to: directory.appendingPathComponent("\(key.kid).key.pem"))
            try writeSecret(key.certificatePEM, to: directory.appendingPathComponent("\(key.kid).crt.pem"))
        }
        let manifest = Manifest(keys: ring.keys.map {
            Manifest.Entry(kid: $0.kid, algorithm: $0.algorithm, state: $0.state, createdAt: $0.createdAt,
                           activatedAt: $0.activatedAt, retiredAt: $0.retiredAt, notAfter: $0.notAfter)
        })
        let data = try Self.encoder.encode(manifest)
        try writeSecret(String(decoding: data, as: UTF8.self), to: manifestURL)
        lock.withLock { cached = nil }
    }

    /// Writes through a new private file (`PrivateFile`) renamed into place.
    private func writeSecret(_ text: String, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try PrivateFile.create(Array(text.utf8), at: temporary)
        } catch {
            throw StoreError.unwritable(path: error.path, reason: error.reason)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw StoreError.unwritable(path: url.path, reason: reason)
        }
    }

    private func withExclusiveLock<T>(_ body: () throws -> T) throws -> T {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError.unwritable(path: directory.path, reason: error.localizedDescription)
        }
        let lockPath = directory.appendingPathComponent(".keyring.lock").path
        let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o600)
        guard descriptor >= 0 else { throw StoreError.unwritable(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        flock(descriptor, LOCK_EX)
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    private struct Manifest: Codable {
        struct Entry: Codable {
            let kid: String
            let algorithm: SigningKey.Algorithm
            let state: SigningKey.State
            let createdAt: Date
            let activatedAt: Date?
            let retiredAt: Date?
            let notAfter: Date
        }
        let keys: [Entry]
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}

/// What identifies one version of a file: a rename over it changes the inode.
struct FileIdentity: Equatable {
    let inode: UInt64
    let size: Int64
    let modified: Int64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }
}
