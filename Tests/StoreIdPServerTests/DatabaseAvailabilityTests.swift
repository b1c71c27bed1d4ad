import AsyncKit
import NIOCore
@testable import StoreIdPServer
import Vapor
import XCTest

/// A database that cannot be reached is a 503 with Retry-After, not a 500; other failures stay 500.
final class DatabaseAvailabilityTests: XCTestCase {
    struct Bug: Error {}

    func testUnreachableDatabaseErrorsAreRecognised() {
        XCTAssertTrue(DatabaseAvailability.isUnavailable(ConnectionPoolTimeoutError.connectionRequestTimeout))
        XCTAssertTrue(DatabaseAvailability.isUnavailable(ChannelError.ioOnClosedChannel))
        XCTAssertFalse(DatabaseAvailability.isUnavailable(Bug()))
    }

    func testTheErrorPageSays503WithRetryAfter() async throws {
        let test = try await TestApplication.make()
        defer { test.removeFiles() }
        let request = Request(application: test.app, on: test.app.eventLoopGroup.next())
        let response = await ErrorPageMiddleware().page(for: ConnectionPoolTimeoutError.connectionRequestTimeout, request: request)
        XCTAssertEqual(response.status, .serviceUnavailable)
        XCTAssertEqual(response.headers.first(name: "Retry-After"), "5")
        let bug = await ErrorPageMiddleware().page(for: Bug(), request: request)
        XCTAssertEqual(bug.status, .internalServerError)
        try await test.shutdown()
    }
}
