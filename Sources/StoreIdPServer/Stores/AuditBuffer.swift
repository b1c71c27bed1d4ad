import Fluent
import Foundation
import SQLKit
import StoreIdPCore
import Vapor

/// Audit rows of sign-ins, collected in memory and written in one multi-row INSERT every
/// `interval` (or as soon as `batchSize` are waiting), so a sign-in does not pay for a
/// transaction of its own. A clean shutdown (SIGTERM, the end of a command) writes what is left;
/// a crash loses at most the rows of the last interval (README, "Audit").
final class AuditBuffer: @unchecked Sendable {
    static let batchSize = 500
    /// Past this many waiting rows (the database is down), a request writes its own row and
    /// fails with the database, instead of the buffer growing without bound.
    static let maximumWaiting = 20_000
    let interval: TimeInterval
    private let lock = NSLock()
    private var waiting: [AuditEvent] = []

    init(interval: TimeInterval) { self.interval = interval }

    var count: Int { lock.withLock { waiting.count } }

    /// Keeps the event; false when the buffer is full and the caller must write it itself.
    func append(_ event: AuditEvent) -> Bool {
        lock.withLock {
            guard waiting.count < Self.maximumWaiting else { return false }
            waiting.append(event)
            return true
        }
    }

    var isDue: Bool { lock.withLock { waiting.count >= Self.batchSize } }

    /// Writes every waiting row; on a failure they wait for the next flush.
    func flush(to database: any Database) async throws {
        let batch = lock.withLock { () -> [AuditEvent] in
            defer { waiting.removeAll(keepingCapacity: true) }
            return waiting
        }
        guard !batch.isEmpty else { return }
        do {
            for chunk in stride(from: 0, to: batch.count, by: Self.batchSize) {
                try await AuditLog.insert(Array(batch[chunk..<min(chunk + Self.batchSize, batch.count)]), into: database.sql)
            }
        } catch {
            lock.withLock { waiting.insert(contentsOf: batch, at: 0) }
            throw error
        }
    }
}

extension AuditBuffer {
    /// The job `configure` registers: a flush every `interval`, and a last one at shutdown.
    func job() -> PeriodicJob {
        PeriodicJob(every: .milliseconds(Int64(interval * 1000))) { [self] application in
            do { try await flush(to: application.db) } catch {
                application.logger.warning("audit rows not written yet", metadata: ["waiting": .stringConvertible(count)])
            }
        } atShutdown: { [self] application in
            do { try await flush(to: application.db) } catch {
                application.logger.error("audit rows lost at shutdown", metadata: ["rows": .stringConvertible(count)])
            }
        }
    }
}
