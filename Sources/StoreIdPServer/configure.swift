import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import JWTSSO
import Leaf
import SignOn
import SQLKit
import StoreIdPCore
import Vapor

/// Sets up a StoreIdP application: database, migrations, sessions, pages, routes, commands.
///
/// - Parameters:
///   - settings: parsed configuration (`StoreIdPSettings.fromEnvironment()` in production).
///   - timeSource: the clock every expiry reads; tests pass a `ManualTimeSource`.
public func configure(_ app: Application, settings: StoreIdPSettings, timeSource: any TimeSource = SystemTimeSource()) async throws {
    let logger = app.logger
    let keyRing = DatabaseKeyRing(factory: SigningKeyFactory(commonName: settings.baseURL.host ?? "storeidp")) {
        let (key, created) = try settings.keyEncryptionKey()
        if let created {
            logger.notice("created the key-encryption key; back it up apart from the database", metadata: ["file": .string(created.path)])
        }
        return key
    }
    app.storage[StoreIdPServices.Key.self] = StoreIdPServices(
        settings: settings, timeSource: timeSource, keyRing: keyRing, hasher: BcryptPasswordHasher(),
        saml: SAMLIdentity(baseURL: settings.baseURL), jwtKeys: SigningKeyCache(), launchVerifiers: StorefrontVerifierCache(), ownTokens: OwnTokenVerifier(),
        auditBuffer: settings.auditBatchInterval.map(AuditBuffer.init(interval:)), environment: settings.environment
    )

    switch settings.database {
    case let .sqliteFile(path):
        app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: nil), as: .sqlite)
    case let .postgres(url):
        // Statements are logged at trace only, and their bound values (session ids, CSRF tokens,
        // password hashes) never: `SecretRedactingLogHandler` wraps every handler.
        // Four connections per event loop: a node holding a cluster lock (`ClusterLock`) keeps
        // one leased while the locked work runs on others.
        app.databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 4, sqlLogLevel: .trace), as: .psql)
    }
    app.migrations.add(CreateCustomers())
    app.migrations.add(CreateLoginThrottle())
    app.migrations.add(CreateServiceProviders())
    app.migrations.add(CreateAuditEvents())
    app.migrations.add(CreateReplayCache())
    app.migrations.add(CreateBigCommerceCustomerLinks())
    app.migrations.add(CreateStoreSessions())
    app.migrations.add(CreateStorefrontLinks())
    app.migrations.add(CreateStorefronts())
    app.migrations.add(CreateOIDCGrants())
    app.migrations.add(CreateAdminAccounts())
    app.migrations.add(CreateAdminSessions())
    app.migrations.add(CreateSigningKeys())
    ShutdownDrain.install(app)
    app.lifecycle.use(StartupPreparation())
    app.lifecycle.use(Purge.job())
    if let auditBuffer = app.storeIdP.auditBuffer { app.lifecycle.use(auditBuffer.job()) }
    app.lifecycle.use(KeyRingRefresh.job())

    app.views.use(.leaf)
    app.leaf.configuration.rootDirectory = templatesDirectory(app)
    // Templates are read once: `serve` runs with the production setting whatever the environment
    // (a template read per page was 5 % of a sign-in). STOREIDP_TEMPLATES_RELOAD=1 re-reads them
    // on every page, for editing templates.
    app.leaf.cache.isEnabled = Environment.get("STOREIDP_TEMPLATES_RELOAD") != "1"

    app.routes.defaultMaxBodySize = "16kb"
    app.middleware = Middlewares()
    // Outer error pages catch what the session layer throws (a database that does not answer);
    // inner ones turn a handler's refusal into a page before the session is stored, so a flow's
    // change to the session is kept even when it answers with an error page.
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(StoreSessionMiddleware(secure: settings.usesHTTPS, lifetime: settings.sessionLifetime))
    app.middleware.use(CSRFCookieMiddleware())
    app.middleware.use(ErrorPageMiddleware())

    try app.register(collection: HealthController())
    try app.register(collection: HomeController())
    try app.register(collection: LoginController())
    try app.register(collection: SSOController())
    try app.register(collection: SAMLController())
    try app.register(collection: SAMLLogoutController())
    try app.register(collection: JWKSController())
    try app.register(collection: OpenIDController())
    try app.register(collection: MetricsController())
    try app.register(collection: LaunchController())
    try app.register(collection: PortalController())
    try app.register(collection: AdminAPIRoutes())
    try app.register(collection: AdminConsoleController())
    try app.register(collection: AdminConsoleProvidersController())
    try app.register(collection: AdminConsoleCustomersController())
    try app.register(collection: AdminConsoleAuditController())

    app.asyncCommands.use(CustomersCommand(), as: "customers")
    app.asyncCommands.use(KeysCommand(), as: "keys")
    app.asyncCommands.use(ProvidersCommand(), as: "providers")
    app.asyncCommands.use(LaunchLinkCommand(), as: "launch-link")
    app.asyncCommands.use(AdminsCommand(), as: "admins")
}

/// Where the Leaf pages are: `STOREIDP_TEMPLATES_DIR`, else `Templates/` in the working
/// directory, else the `Templates/` folder of this source tree.
private func templatesDirectory(_ app: Application) -> String {
    if let configured = Environment.get("STOREIDP_TEMPLATES_DIR"), !configured.isEmpty {
        return configured.hasSuffix("/") ? configured : configured + "/"
    }
    let working = app.directory.workingDirectory + "Templates/"
    if FileManager.default.fileExists(atPath: working + "base.leaf") { return working }
    let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return sourceRoot.appendingPathComponent("Templates").path + "/"
}

/// Runs before any command: brings the database schema up to date and makes the first signing
/// key, so `serve` and every CLI command start from a usable state.
struct StartupPreparation: LifecycleHandler {
    func willBootAsync(_ application: Application) async throws {
        // `--help` only prints; it must not create a database or keys where it is run.
        if CommandLine.arguments.contains("--help") || CommandLine.arguments.contains("-h") { return }
        // Two nodes starting at once must not both migrate: one waits for the other's lock.
        try await ClusterLock.withLock(.migrations, on: application.db) { try await application.autoMigrate() }
        if let sql = application.db as? any SQLDatabase, sql.dialect.name == "sqlite", case .sqliteFile = application.storeIdP.settings.database {
            // Write-ahead logging: readers (logins, SSO) do not wait for an import's writes, and a
            // commit appends to the log instead of rewriting pages. Persistent in the file.
            try await sql.raw("PRAGMA journal_mode = WAL").run()
            // In WAL mode NORMAL syncs at checkpoints, not at every commit (sqlite.org/wal.html
            // §"Performance Considerations"): a crash of the process loses nothing committed; a
            // power loss may roll back the last commits, never corrupt the file. Set on each
            // event loop's connection (the SQLite driver keeps one per loop). PostgreSQL, the
            // production store, is unaffected.
            for loop in application.eventLoopGroup.makeIterator() {
                guard let connection = application.databases.database(logger: application.logger, on: loop) as? any SQLDatabase else { continue }
                try await connection.raw("PRAGMA synchronous = NORMAL").run()
            }
        }
        try await prepareKeyRing(application)
    }

    /// Moves a key folder from before keys lived in the database in (once, while the database
    /// holds no ring), then makes whatever the ring lacks, and reads it.
    private func prepareKeyRing(_ application: Application) async throws {
        let services = application.storeIdP
        let keyRing = services.keyRing
        let now = services.timeSource.now
        let folder = KeyRingStore(directory: services.settings.keysDirectory, factory: SigningKeyFactory(commonName: "storeidp"))
        var movingIn = false
        if folder.hasRing { movingIn = try await keyRing.isEmpty(on: application.db) }
        if movingIn {
            let report = try await keyRing.importRing(try folder.current(), pairwiseSecret: try folder.existingPairwiseSecret(),
                                                      replacePairwiseSecret: false, now: now, on: application.db)
            application.logger.notice("moved the key folder's ring into the database; its private key files are no longer read: remove them once the database and the key-encryption key are backed up", metadata: [
                "directory": .string(services.settings.keysDirectory.path), "keys": .string(report.imported.joined(separator: " ")),
            ])
        }
        // Every change keeps the ring it wrote or read in memory: no reload after it.
        for key in try await keyRing.ensureActiveKeys(now: now, on: application.db) {
            application.logger.notice("created signing key", metadata: ["kid": .string(key.kid), "algorithm": .string(key.algorithm.rawValue)])
        }
        if folder.hasRing, !movingIn {
            // The database had a ring already (made by another node, or by a command run before
            // the folder was in place): say so every start, since partners may know the folder's keys.
            let stored = Set(try keyRing.current().keys.map(\.kid))
            let missing = (try? folder.current().keys.map(\.kid).filter { !stored.contains($0) }) ?? []
            if !missing.isEmpty {
                application.logger.warning("the key folder holds keys the database does not; if partners know them, run `storeidp keys import` on the folder", metadata: [
                    "directory": .string(services.settings.keysDirectory.path), "kids": .string(missing.joined(separator: " ")),
                ])
            }
        }
    }
}
