import Foundation
import Vapor

/// Work a node repeats while it runs: the purge of expired rows, the audit flush, the key ring
/// refresh. Each round starts `interval` after the previous one ended.
///
/// At shutdown the timer stops and a round in progress is awaited, then `atShutdown` runs, all
/// before Fluent closes the databases (lifecycle handlers shut down in reverse order, and the
/// databases are registered first). A round that reached `Application.db` after that would stop
/// the process: Fluent force-unwraps a database that is gone.
final class PeriodicJob: LifecycleHandler, @unchecked Sendable {
    typealias Round = @Sendable (Application) async -> Void

    let interval: Duration
    private let round: Round
    private let atShutdown: Round?
    private let lock = NSLock()
    private var timer: Task<Void, Never>?

    init(every interval: Duration, round: @escaping Round, atShutdown: Round? = nil) {
        self.interval = interval
        self.round = round
        self.atShutdown = atShutdown
    }

    func didBootAsync(_ application: Application) async throws {
        let timer = Task { [interval, round] in
            while true {
                // Only the wait is cancelled: a round runs in a task of its own, so a shutdown
                // does not cut its queries short.
                do { try await Task.sleep(for: interval) } catch { return }
                await Task { await round(application) }.value
            }
        }
        lock.withLock { self.timer = timer }
    }

    func shutdownAsync(_ application: Application) async {
        if let timer = lock.withLock({ () -> Task<Void, Never>? in defer { self.timer = nil }; return self.timer }) {
            timer.cancel()
            await timer.value
        }
        await atShutdown?(application)
    }
}
