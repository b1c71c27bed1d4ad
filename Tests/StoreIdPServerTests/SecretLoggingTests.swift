import Foundation
import Logging
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest

/// Review defect 12: with `sqlLogLevel: .debug`, a debug log level logged every bound value
/// (session ids, CSRF tokens, password hashes). Through the handler the executable installs,
/// nothing a statement binds reaches a log line, even at trace.
final class SecretLoggingTests: XCTestCase {
    final class Capture: LogHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var _lines: [String] = []
        var lines: [String] { lock.withLock { _lines } }
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = self.metadata.merging(event.metadata ?? [:]) { $1 }
            lock.withLock { _lines.append("\(event.message) \(all)") }
        }
    }

    func testBoundValuesAreNeverLoggedEvenAtTrace() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        let capture = Capture()
        test.app.logger = Logger(label: "capture") { _ in SecretRedactingLogHandler(capture) }
        test.app.logger.logLevel = .trace
        let secret = "bound-secret-" + IdentifierGenerator.secret()
        _ = try await ReplayCache(database: test.app.db).claim(secret, namespace: "t", until: test.clock.now.addingTimeInterval(60), now: test.clock.now)
        try await test.addCustomer(email: "ann@shop.example", password: "correct horse battery")
        try await test.shutdown()
        XCTAssertFalse(capture.lines.contains { $0.contains(secret) }, "a bound value reached the log")
        XCTAssertFalse(capture.lines.contains { $0.contains("$2b$") }, "a password hash reached the log")
    }
}

final class HTMLTextTests: XCTestCase {
    func testEscapesTheFiveCharactersAndLeavesBase64Alone() {
        XCTAssertEqual(HTMLText.escaped(#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        let base64 = "PHNhbWxwOlJlc3BvbnNlIC8++/=="
        XCTAssertEqual(HTMLText.escaped(base64), base64)
        XCTAssertEqual(HTMLText.escaped("é<"), "é&lt;")
    }
}
