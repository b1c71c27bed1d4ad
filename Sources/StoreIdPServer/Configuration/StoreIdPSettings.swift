import Foundation
import StoreIdPCore

/// Everything StoreIdP reads from its environment, parsed and checked once at start.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `STOREIDP_BASE_URL` | `http://127.0.0.1:8080` | public URL partners and browsers use |
/// | `STOREIDP_DATABASE_URL` | `sqlite://storeidp.sqlite` | `sqlite://PATH` or `postgres://user:pass@host:port/db` |
/// | `STOREIDP_KEYS_DIR` | `Keys` | the SQLite default's key-encryption key, and a key folder from before keys moved into the database |
/// | `STOREIDP_KEY_ENCRYPTION_KEY_FILE` | `$STOREIDP_KEYS_DIR/key-encryption.key`, made on first start (SQLite only) | 32 random bytes (base64) that encrypt the private keys in the database; required with PostgreSQL |
/// | `STOREIDP_LAUNCH_SECRET` | none | HS256 secret of the one storefront named by `STOREIDP_LAUNCH_ISSUER` |
/// | `STOREIDP_LAUNCH_ISSUER` | none | that storefront's `iss` (both or neither; see `Storefront.fromEnvironment`) |
/// | `STOREIDP_ADMIN_TOKEN` | none | bearer token of the admin API |
/// | `STOREIDP_SESSION_LIFETIME` | `28800` | seconds a store login lasts |
/// | `STOREIDP_AUDIT_BATCH_MS` | `200` | audit rows of sign-ins are written in one INSERT every this many ms (0: each on its request) |
/// | `STOREIDP_SHUTDOWN_DRAIN_MS` | `1000` | after SIGTERM, `/readyz` answers 503 and the node keeps serving this long before it stops accepting |
/// | `STOREIDP_TRUSTED_PROXIES` | none | comma-separated addresses of reverse proxies whose `X-Forwarded-For` is believed |
public struct StoreIdPSettings: Sendable {
    public var baseURL: URL
    public var database: DatabaseLocation
    public var keysDirectory: URL
    /// The key-encryption key's file (`STOREIDP_KEY_ENCRYPTION_KEY_FILE`); nil: `key-encryption.key`
    /// in `keysDirectory`, made on first start, which only a SQLite database may use.
    public var keyEncryptionKeyFile: URL?
    public var launchSecret: String?
    public var adminToken: String?
    public var sessionLifetime: TimeInterval
    public var loginThrottle: LoginThrottlePolicy
    /// Reverse proxies (load balancers) whose `X-Forwarded-For` names the real client.
    public var trustedProxies: Set<String> = []
    /// Where `*_env` secrets of providers and storefronts are resolved when they are used
    /// (`SecretReference.resolve(environment:)`): the process environment when read from it,
    /// a dictionary of its own in tests, so no test has to change the process-wide environment.
    public var environment: [String: String]
    /// The storefront of `STOREIDP_LAUNCH_SECRET` + `STOREIDP_LAUNCH_ISSUER`, if both are set;
    /// more come from the providers file's `storefronts:`.
    public var launchStorefront: Storefront?
    /// Audit rows of sign-ins are collected and written together this often, off the request
    /// path (a clean shutdown writes what is left); nil writes each row on its request.
    public var auditBatchInterval: TimeInterval?
    /// After SIGTERM the node keeps accepting this long, with `/readyz` at 503, so a load balancer
    /// stops sending before the listening socket closes: a connection the kernel had completed but
    /// the server not yet accepted would otherwise be reset.
    public var shutdownDrain: TimeInterval = 1

    public enum ConfigurationError: Error, CustomStringConvertible {
        case invalid(variable: String, reason: String)
        public var description: String {
            switch self {
            case let .invalid(variable, reason): return "\(variable): \(reason)"
            }
        }
    }

    public init(baseURL: URL, database: DatabaseLocation, keysDirectory: URL, launchSecret: String? = nil,
                adminToken: String? = nil, sessionLifetime: TimeInterval = 8 * 3600,
                loginThrottle: LoginThrottlePolicy = LoginThrottlePolicy(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.baseURL = baseURL
        self.environment = environment
        self.database = database
        self.keysDirectory = keysDirectory
        self.launchSecret = launchSecret
        self.adminToken = adminToken
        self.sessionLifetime = sessionLifetime
        self.loginThrottle = loginThrottle
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StoreIdPSettings {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingWhitespace(), !value.isEmpty else { return nil }
            return value
        }
        let base = value("STOREIDP_BASE_URL") ?? "http://127.0.0.1:8080"
        guard let baseURL = URL(string: base), let scheme = baseURL.scheme?.lowercased(), scheme == "http" || scheme == "https",
              baseURL.host != nil, baseURL.query == nil, baseURL.fragment == nil else {
            throw ConfigurationError.invalid(variable: "STOREIDP_BASE_URL", reason: "'\(base.displaySafePrefix)' is not an http(s) URL without query or fragment")
        }
        let database: DatabaseLocation
        do {
            database = try DatabaseLocation(value("STOREIDP_DATABASE_URL") ?? "sqlite://storeidp.sqlite")
        } catch {
            throw ConfigurationError.invalid(variable: "STOREIDP_DATABASE_URL", reason: "\(error)")
        }
        var lifetime: TimeInterval = 8 * 3600
        if let raw = value("STOREIDP_SESSION_LIFETIME") {
            guard let seconds = TimeInterval(raw), seconds >= 60, seconds <= 30 * 24 * 3600 else {
                throw ConfigurationError.invalid(variable: "STOREIDP_SESSION_LIFETIME", reason: "must be a number of seconds between 60 and 2592000")
            }
            lifetime = seconds
        }
        var auditBatch: TimeInterval? = 0.2
        if let raw = value("STOREIDP_AUDIT_BATCH_MS") {
            guard let milliseconds = Int(raw), (0...5000).contains(milliseconds) else {
                throw ConfigurationError.invalid(variable: "STOREIDP_AUDIT_BATCH_MS", reason: "must be a whole number of milliseconds between 0 and 5000")
            }
            auditBatch = milliseconds == 0 ? nil : TimeInterval(milliseconds) / 1000
        }
        var shutdownDrain: TimeInterval = 1
        if let raw = value("STOREIDP_SHUTDOWN_DRAIN_MS") {
            guard let milliseconds = Int(raw), (0...60_000).contains(milliseconds) else {
                throw ConfigurationError.invalid(variable: "STOREIDP_SHUTDOWN_DRAIN_MS", reason: "must be a whole number of milliseconds between 0 and 60000")
            }
            shutdownDrain = TimeInterval(milliseconds) / 1000
        }
        let launchSecret = value("STOREIDP_LAUNCH_SECRET")
        if let launchSecret, launchSecret.utf8.count < 32 {
            throw ConfigurationError.invalid(variable: "STOREIDP_LAUNCH_SECRET", reason: "must be at least 32 bytes (RFC 7518 §3.2: an HS256 key at least as long as the hash)")
        }
        if let token = value("STOREIDP_ADMIN_TOKEN"), token.utf8.count < 32 {
            throw ConfigurationError.invalid(variable: "STOREIDP_ADMIN_TOKEN", reason: "must be at least 32 characters (it is a bearer credential)")
        }
        let launchStorefront: Storefront?
        do { launchStorefront = try Storefront.fromEnvironment(environment) } catch {
            throw ConfigurationError.invalid(variable: error.path, reason: error.problem)
        }
        let keyEncryptionKeyFile = value("STOREIDP_KEY_ENCRYPTION_KEY_FILE").map { URL(fileURLWithPath: $0) }
        if keyEncryptionKeyFile == nil, case .postgres = database {
            throw ConfigurationError.invalid(variable: "STOREIDP_KEY_ENCRYPTION_KEY_FILE", reason: Self.keyEncryptionKeyRequired)
        }
        var settings = StoreIdPSettings(
            baseURL: baseURL,
            database: database,
            keysDirectory: URL(fileURLWithPath: value("STOREIDP_KEYS_DIR") ?? "Keys"),
            launchSecret: launchSecret,
            adminToken: value("STOREIDP_ADMIN_TOKEN"),
            sessionLifetime: lifetime,
            environment: environment
        )
        settings.launchStorefront = launchStorefront
        settings.keyEncryptionKeyFile = keyEncryptionKeyFile
        settings.shutdownDrain = shutdownDrain
        settings.auditBatchInterval = auditBatch
        settings.trustedProxies = Set((value("STOREIDP_TRUSTED_PROXIES") ?? "").split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty })
        return settings
    }

    static let keyEncryptionKeyRequired = "is required with PostgreSQL: every node must read the same key-encryption key from a file. "
        + "Make one with `umask 077; openssl rand -base64 32 > FILE`, and keep it (and its backup) apart from the database"

    /// The key that seals the private keys in the database: `keyEncryptionKeyFile`, which must
    /// exist; or, without one and on SQLite, `key-encryption.key` in the keys folder, made when
    /// absent (`created` is then its path).
    public func keyEncryptionKey() throws -> (key: KeyEncryptionKey, created: URL?) {
        if let file = keyEncryptionKeyFile {
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw ConfigurationError.invalid(variable: "STOREIDP_KEY_ENCRYPTION_KEY_FILE", reason: "\(file.path) does not exist")
            }
            return (try KeyEncryptionKey.load(from: file), nil)
        }
        if case .postgres = database {
            throw ConfigurationError.invalid(variable: "STOREIDP_KEY_ENCRYPTION_KEY_FILE", reason: Self.keyEncryptionKeyRequired)
        }
        let file = keysDirectory.appendingPathComponent("key-encryption.key")
        let (key, created) = try KeyEncryptionKey.loadOrCreate(at: file)
        return (key, created ? file : nil)
    }

    /// The issuer StoreIdP names itself with in JWTs (`iss`) and the audience launch tokens name:
    /// the base URL without a trailing slash.
    public var issuer: String {
        let text = baseURL.absoluteString
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// Cookies carry `Secure` when the public URL is https.
    public var usesHTTPS: Bool { baseURL.scheme?.lowercased() == "https" }
}

/// Where the data lives.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqliteFile(String)
    case sqliteMemory
    case postgres(String)

    public init(_ url: String) throws {
        if url == "sqlite::memory:" || url == "sqlite://:memory:" {
            self = .sqliteMemory
        } else if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw StoreIdPSettings.ConfigurationError.invalid(variable: "STOREIDP_DATABASE_URL", reason: "sqlite:// needs a file path") }
            self = .sqliteFile(path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url)
        } else {
            throw StoreIdPSettings.ConfigurationError.invalid(variable: "STOREIDP_DATABASE_URL", reason: "use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
    }

    /// The location without a password, for logs.
    public var description: String {
        switch self {
        case let .sqliteFile(path): return "sqlite://\(path)"
        case .sqliteMemory: return "sqlite::memory:"
        case let .postgres(url):
            guard var components = URLComponents(string: url) else { return "postgres://…" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres://…"
        }
    }
}
