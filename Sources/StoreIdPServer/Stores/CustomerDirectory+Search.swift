import Foundation
import SQLKit
import StoreIdPCore

/// The admin API's customer search (`GET /admin/api/v1/customers`): a case-insensitive substring
/// of the email, first name, last name or company name, a page at a time, ordered by email.
///
/// The text is bound, never spliced into the statement, and its `%`, `_` and `\` are escaped
/// for `LIKE … ESCAPE '\'`, so `100%` finds "100%" and not everything. Both sides go through
/// `LOWER()` because `LIKE` is case-sensitive on PostgreSQL (on SQLite `LOWER` folds ASCII only,
/// like its `LIKE`).
extension CustomerDirectory {
    struct SearchPage: Sendable {
        let customers: [Customer]
        /// Customers matching the search, on every page.
        let total: Int
    }

    /// Searched columns, by their `customers` names.
    static let searchedColumns = ["email", "first_name", "last_name", "company_name"]

    func search(_ text: String, limit: Int, offset: Int) async throws -> SearchPage {
        let sql = try database.sql
        let condition = Self.matching(text)
        let count = sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total").from(CustomerRecord.schema)
        let rows = sql.select().columns(CustomerRow.columns.map { SQLColumn($0) as any SQLExpression }).from(CustomerRecord.schema)
        if let condition {
            count.where(condition)
            rows.where(condition)
        }
        let total = try await count.first()?.decode(column: "total", as: Int.self) ?? 0
        let page = try await rows.orderBy("email_key").orderBy("id").limit(limit).offset(offset).all()
        return SearchPage(customers: try page.map(CustomerRow.customer(from:)), total: total)
    }

    /// `(LOWER(email) LIKE LOWER(?) ESCAPE '\' OR …)`, or nil for an empty search (everyone).
    static func matching(_ text: String) -> SQLQueryString? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        let pattern = "%" + likeEscaped(trimmed) + "%"
        let clauses = searchedColumns.map { column -> SQLQueryString in
            "LOWER(\(ident: column)) LIKE LOWER(\(bind: pattern)) ESCAPE \(literal: "\\")"
        }
        return SQLQueryString("(") + clauses.joined(separator: " OR ") + SQLQueryString(")")
    }

    /// The text with `LIKE`'s wildcards (`%`, `_`) and the escape character itself escaped.
    static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
