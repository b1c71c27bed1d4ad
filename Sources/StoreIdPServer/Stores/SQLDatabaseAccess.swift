import Fluent
import SQLKit
import Vapor

/// Every database StoreIdP runs on (SQLite, PostgreSQL) speaks SQL; the stores that need SQLKit
/// reach it here, with one error if a driver ever did not.
extension Database {
    var sql: any SQLDatabase {
        get throws {
            guard let sql = self as? any SQLDatabase else { throw Abort(.internalServerError, reason: "the database driver does not speak SQL") }
            return sql
        }
    }
}

extension Request {
    var sqlDatabase: any SQLDatabase { get throws { try db.sql } }
}
