import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// A StoreIdP application for one test: its own key folder and database (a fresh SQLite file,
/// or the PostgreSQL database named by `STOREIDP_TEST_DATABASE_URL`, emptied first), and a
/// manual clock.
struct TestApplication {
    let app: Application
    let clock: ManualTimeSource
    let folder: URL
    let settings: StoreIdPSettings

    static var usesPostgres: Bool { ProcessInfo.processInfo.environment["STOREIDP_TEST_DATABASE_URL"] != nil }

    /// - Parameter reuse: start a second application on the first one's folder and database,
    ///   as a restart would.
    ///   - folder: the folder to use instead of a fresh one (its `Keys/` may hold a key folder to move in).
    static func make(reuse previous: TestApplication? = nil, folder given: URL? = nil,
                     configureSettings: (inout StoreIdPSettings) -> Void = { _ in }) async throws -> TestApplication {
        let folder = previous?.folder ?? given ?? FileManager.default.temporaryDirectory.appendingPathComponent("storeidp-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database: DatabaseLocation
        if let url = ProcessInfo.processInfo.environment["STOREIDP_TEST_DATABASE_URL"] {
            database = .postgres(url)
        } else {
            database = .sqliteFile(folder.appendingPathComponent("storeidp.sqlite").path)
        }
        var settings = StoreIdPSettings(
            baseURL: URL(string: "http://127.0.0.1:8080")!,
            database: database,
            keysDirectory: folder.appendingPathComponent("Keys"),
            environment: [:]   // secrets a test needs are given here, never through setenv
        )
        if usesPostgres {
            // PostgreSQL needs a named key-encryption key (SQLite makes one in the keys folder).
            let file = folder.appendingPathComponent("key-encryption.key")
            _ = try KeyEncryptionKey.loadOrCreate(at: file)
            settings.keyEncryptionKeyFile = file
        }
        configureSettings(&settings)
        let clock = previous?.clock ?? ManualTimeSource(Date(timeIntervalSince1970: 1_800_000_000))
        let app = try await Application.make(.testing)
        do {
            try await configure(app, settings: settings, timeSource: clock)
            if usesPostgres, previous == nil {
                try await app.autoRevert()
            }
            try await app.asyncBoot()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        return TestApplication(app: app, clock: clock, folder: folder, settings: settings)
    }

    func shutdown() async throws {
        try await app.asyncShutdown()
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Adds a customer through the same code path as `storeidp customers add`.
    @discardableResult
    func addCustomer(email: String, password: String?, firstName: String? = "Ann", lastName: String? = "Lee", group: String? = "Retail") async throws -> Customer {
        var profile = CustomerProfile(email: email)
        profile.password = password.map { .plain($0) }
        profile.firstName = firstName
        profile.lastName = lastName
        profile.group = group
        let directory = CustomerDirectory(database: app.db, hasher: BcryptPasswordHasher(), threadPool: app.threadPool)
        return try await directory.save(profile, now: clock.now).0
    }

    /// Runs a CLI command in process against this application's database and keys.
    func run(_ command: some StoreIdPCommand, _ arguments: [String]) async throws {
        var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["storeidp"] + arguments))
        context.application = app
        try await command.run(arguments: arguments, context: context)
    }
}

/// A browser: keeps its cookies (the session and the CSRF cookie) between requests and pulls the
/// CSRF token from forms.
final class Browser {
    let app: Application
    var cookies: [String: String] = [:]

    init(_ app: Application) { self.app = app }

    /// The session cookie, as a `Cookie` header value (nil when the browser has none).
    var cookie: String? {
        get { cookies["storeidp_session"].map { "storeidp_session=\($0)" } }
        set {
            if let value = newValue?.split(separator: "=", maxSplits: 1).last { cookies["storeidp_session"] = String(value) } else { cookies["storeidp_session"] = nil }
        }
    }

    private var cookieHeader: String? {
        cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers = headers
        if let cookieHeader { headers.replaceOrAdd(name: .cookie, value: cookieHeader) }
        let response = try await app.sendRequest(.GET, path, headers: headers)
        remember(response)
        return response
    }

    @discardableResult
    func post(_ path: String, form: [String: String], headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers = headers
        if let cookieHeader { headers.replaceOrAdd(name: .cookie, value: cookieHeader) }
        headers.contentType = .urlEncodedForm
        let body = form.map { "\(Self.escape($0.key))=\(Self.escape($0.value))" }.joined(separator: "&")
        let response = try await app.sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// The hidden `csrf` field of the login form.
    func csrfToken(from path: String = "/login") async throws -> String {
        let page = try await get(path)
        let body = page.body.string
        guard let range = body.range(of: "name=\"csrf\" value=\"") else {
            XCTFail("no CSRF field in \(path)")
            return ""
        }
        let rest = body[range.upperBound...]
        return String(rest[..<rest.firstIndex(of: "\"")!])
    }

    /// Signs in through the form; returns the login response.
    @discardableResult
    func signIn(email: String, password: String, returnTo: String? = nil) async throws -> TestingHTTPResponse {
        let token = try await csrfToken(from: "/login?reauth=1")
        var form = ["email": email, "password": password, "csrf": token]
        if let returnTo { form["return_to"] = returnTo }
        return try await post("/login", form: form)
    }

    private func remember(_ response: TestingHTTPResponse) {
        guard let jar = response.headers.setCookie else { return }
        for name in jar.all.keys {
            guard let value = jar[name] else { continue }
            cookies[name] = value.string.isEmpty || value.expires.map({ $0 < Date() }) == true ? nil : value.string
        }
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// `XCTUnwrap` for a value that was awaited (XCTest's autoclosures cannot await).
func unwrap<T>(_ value: T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> T {
    try XCTUnwrap(value, message, file: file, line: line)
}

/// `XCTAssertEqual` for awaited values (XCTest's autoclosures cannot await).
func assertEqual<T: Equatable>(_ actual: T, _ expected: T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual, expected, message, file: file, line: line)
}

/// `XCTAssertNotNil` for awaited values.
func assertNotNil<T>(_ value: T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNotNil(value, message, file: file, line: line)
}
