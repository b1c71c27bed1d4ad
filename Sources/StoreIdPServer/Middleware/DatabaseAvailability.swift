import AsyncKit
import Foundation
import NIOCore
import NIOPosix
import PostgresNIO

/// Whether an error means the database cannot be reached right now (stopped, restarting,
/// refusing connections, the pool waited too long), as opposed to a fault in StoreIdP. Such a
/// request is answered 503 with `Retry-After`, at once, and the node keeps serving: the pool
/// reconnects when the database is back.
enum DatabaseAvailability {
    static let retryAfterSeconds = 5

    static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case is ConnectionPoolTimeoutError, is ConnectionPoolError:
            return true
        case let psql as PSQLError:
            let lost: [PSQLError.Code] = [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed]
            if lost.contains(psql.code) { return true }
            // SQLSTATE class 08 (connection exception), 57P (admin shutdown, cannot connect
            // now), 53300 (too many connections): PostgreSQL Appendix A.
            if psql.code == .server, let state = psql.serverInfo?[.sqlState] {
                return state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300"
            }
            return false
        case is ChannelError, is NIOConnectionError, is IOError:
            return true
        default:
            return false
        }
    }
}
