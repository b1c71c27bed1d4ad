import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The key that encrypts the signing keys' private halves and the pairwise secret where they are
/// stored (the database): AES-256-GCM (NIST SP 800-38D), a fresh 96-bit nonce per sealing, and
/// what the ciphertext belongs to (a key's `kid`, the pairwise secret) as additional
/// authenticated data, so a sealed value copied onto another row does not open.
///
/// It lives in a file of its own, outside the database: a copy of the database alone reveals no
/// private key. The file holds 32 random bytes as base64 (standard or URL-safe) text.
public struct KeyEncryptionKey: Sendable {
    public static let byteCount = 32
    /// What `seal` prefixes its output with: the format, so a later one can be told apart.
    static let formatPrefix = "v1."

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case malformed(path: String, reason: String)
        case unwritable(path: String, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read the key-encryption key \(path): \(reason)"
            case let .malformed(path, reason):
                return "the key-encryption key \(path) is unusable: \(reason) (it must hold 32 random bytes, for example `openssl rand -base64 32`)"
            case let .unwritable(path, reason): return "cannot write the key-encryption key \(path): \(reason)"
            }
        }
    }

    /// A sealed value that does not open: another key-encryption key, or damaged or moved data.
    public struct OpenError: Error, CustomStringConvertible {
        public let context: String
        public var description: String {
            "\(context) cannot be decrypted with this key-encryption key (another key, or damaged data)"
        }
    }

    private let key: SymmetricKey

    /// What a signing key's private half is sealed for: its kid, its algorithm and the SHA-256 of
    /// its certificate, so the certificate published beside it cannot be swapped without the
    /// sealed key failing to open.
    public static func signingKeyContext(kid: String, algorithm: String, certificatePEM: String) -> String {
        let digest = SHA256.hash(data: Data(certificatePEM.utf8)).map { String(format: "%02x", $0) }.joined()
        return "signing-key \(kid) \(algorithm) sha256:\(digest)"
    }

    public init(bytes: Data) throws {
        guard bytes.count == Self.byteCount else { throw LoadError.malformed(path: "(bytes)", reason: "it holds \(bytes.count) bytes, not 32") }
        key = SymmetricKey(data: bytes)
    }

    /// Reads the key from `url` (at most 1 KiB): base64 or base64url text of exactly 32 bytes.
    /// Nothing else is taken (not 32 characters of a passphrase or of hex, which would be a weak key).
    public static func load(from url: URL) throws -> KeyEncryptionKey {
        let contents: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            contents = try handle.read(upToCount: 1025) ?? Data()
        } catch {
            throw LoadError.unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
        guard contents.count <= 1024 else { throw LoadError.malformed(path: url.path, reason: "it is larger than 1 KiB") }
        guard let text = String(data: contents, encoding: .utf8)?.trimmingWhitespace(), !text.isEmpty else {
            throw LoadError.malformed(path: url.path, reason: "it is empty or not text")
        }
        guard let bytes = Data(base64Encoded: Self.standardBase64(text)) else {
            throw LoadError.malformed(path: url.path, reason: "it is not base64 text")
        }
        guard bytes.count == byteCount else {
            throw LoadError.malformed(path: url.path, reason: "it decodes to \(bytes.count) bytes, not 32")
        }
        return try KeyEncryptionKey(bytes: bytes)
    }

    /// Base64url (RFC 4648 §5) or unpadded text as standard, padded base64.
    private static func standardBase64(_ text: String) -> String {
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
    }

    /// The key at `url`, made first (32 random bytes, base64, mode 0600, never replaced) when no
    /// file is there. Returns the key and whether it was made.
    public static func loadOrCreate(at url: URL) throws -> (key: KeyEncryptionKey, created: Bool) {
        if FileManager.default.fileExists(atPath: url.path) { return (try load(from: url), false) }
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LoadError.unwritable(path: directory.path, reason: (error as NSError).localizedDescription)
        }
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        // Written whole to a temporary file, then linked into place: link() fails if the name
        // exists, so of two processes starting at once one makes the file and the other reads
        // the complete key; no reader ever sees a half-written file.
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try PrivateFile.create(Array((bytes.base64EncodedString() + "\n").utf8), at: temporary)
        } catch {
            throw LoadError.unwritable(path: error.path, reason: error.reason)
        }
        defer { unlink(temporary.path) }
        if link(temporary.path, url.path) != 0 {
            let code = errno
            if code == EEXIST { return (try load(from: url), false) }
            throw LoadError.unwritable(path: url.path, reason: String(cString: strerror(code)))
        }
        return (try KeyEncryptionKey(bytes: bytes), true)
    }

    /// `plaintext` sealed for `context` (what it is: "signing-key:<kid>", "pairwise-secret"):
    /// `v1.` + base64 of nonce ‖ ciphertext ‖ tag.
    public func seal(_ plaintext: Data, context: String) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw OpenError(context: context) }
        return Self.formatPrefix + combined.base64EncodedString()
    }

    /// Opens what `seal(_:context:)` made for the same context; `OpenError` otherwise.
    public func open(_ sealed: String, context: String) throws -> Data {
        guard sealed.hasPrefix(Self.formatPrefix), let combined = Data(base64Encoded: String(sealed.dropFirst(Self.formatPrefix.count))) else {
            throw OpenError(context: context)
        }
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key, authenticating: Data(context.utf8))
        } catch {
            throw OpenError(context: context)
        }
    }
}
