@testable import StoreIdPServer
import Vapor
import XCTest

/// The background jobs (purge, audit flush, key ring refresh) must be finished before the
/// databases close: a round that touched `Application.db` afterwards stopped the test process
/// once (Fluent force-unwraps a database that is gone).
final class PeriodicJobTests: XCTestCase {
    private actor Events {
        private(set) var names: [String] = []
        private(set) var rounds = 0
        private var waiters: [CheckedContinuation<Void, Never>] = []
        private var open = false

        func record(_ name: String) { names.append(name) }
        func countRound() -> Int { rounds += 1; return rounds }
        /// Suspends until `release()`.
        func gate() async {
            if open { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func release() {
            open = true
            waiters.forEach { $0.resume() }
            waiters.removeAll()
        }
    }

    func testShutdownWaitsForTheRoundInProgressThenRunsItsLastRound() async throws {
        let app = try await Application.make(.testing)
        let events = Events()
        let (started, began) = AsyncStream<Void>.makeStream()
        let job = PeriodicJob(every: .milliseconds(1)) { _ in
            guard await events.countRound() == 1 else { return }
            await events.record("round began")
            began.yield()
            await events.gate()
            await events.record("round ended")
        } atShutdown: { _ in
            await events.record("at shutdown")
        }
        try await job.didBootAsync(app)
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()

        let shutdown = Task {
            await job.shutdownAsync(app)
            await events.record("shutdown returned")
        }
        // Give a shutdown that does not wait every chance to return before the round ends.
        for _ in 0..<100 { await Task.yield() }
        await events.release()
        await shutdown.value

        let names = await events.names
        XCTAssertEqual(names, ["round began", "round ended", "at shutdown", "shutdown returned"])
        let roundsAtShutdown = await events.rounds
        for _ in 0..<100 { await Task.yield() }
        let roundsLater = await events.rounds
        XCTAssertEqual(roundsLater, roundsAtShutdown, "no round starts after shutdown")
        try await app.asyncShutdown()
    }

    func testShutdownBeforeTheFirstRoundRunsNoRound() async throws {
        let app = try await Application.make(.testing)
        let events = Events()
        let job = PeriodicJob(every: .seconds(3600)) { _ in
            _ = await events.countRound()
        } atShutdown: { _ in
            await events.record("at shutdown")
        }
        try await job.didBootAsync(app)
        await job.shutdownAsync(app)
        let rounds = await events.rounds
        let names = await events.names
        XCTAssertEqual(rounds, 0)
        XCTAssertEqual(names, ["at shutdown"])
        try await app.asyncShutdown()
    }
}
