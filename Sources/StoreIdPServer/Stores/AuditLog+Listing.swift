import Fluent
import Foundation
import SQLKit
import StoreIdPCore

/// Reading the audit trail back (`audit_events`), newest first, for the admin API's
/// `GET /admin/api/v1/audit`. Every filter value is bound; the kind is read as stored, so a row
/// written by a newer version (a kind this one does not know) is still listed.
extension AuditLog {
    /// Which rows to list; nil matches every row.
    struct Filter: Sendable, Equatable {
        var serviceProvider: String?
        var customerID: UUID?
        /// Rows at or after this instant.
        var since: Date?
        /// Rows strictly before this instant.
        var until: Date?
        var kind: AuditEvent.Kind?
    }

    /// One stored row, as written (`AuditLog.insert`).
    struct Entry: Sendable, Equatable {
        let kind: String
        let at: Date
        let serviceProvider: String?
        let customerID: UUID?
        let subjectID: String?
        let clientAddress: String?
        let detail: String?
    }

    /// Up to `limit` rows matching the filter, newest first, skipping the first `offset`.
    ///
    /// Rows waiting in the application's `AuditBuffer` are written first, so a listing shows
    /// what happened before it on this node.
    func entries(matching filter: Filter, limit: Int, offset: Int) async throws -> [Entry] {
        if let buffer { try await buffer.flush(to: database) }
        let query = try database.sql.select()
            .columns("occurred_at", "kind", "service_provider", "customer_id", "subject_id", "client_address", "detail")
            .from(AuditEventRecord.schema)
        if let provider = filter.serviceProvider { query.where("service_provider", .equal, provider) }
        if let customerID = filter.customerID { query.where("customer_id", .equal, customerID) }
        if let since = filter.since { query.where("occurred_at", .greaterThanOrEqual, since) }
        if let until = filter.until { query.where("occurred_at", .lessThan, until) }
        if let kind = filter.kind { query.where("kind", .equal, kind.rawValue) }
        let rows = try await query.orderBy("occurred_at", .descending).orderBy("id", .descending).limit(limit).offset(offset).all()
        return try rows.map { row in
            Entry(kind: try row.decode(column: "kind", as: String.self),
                  at: try row.decode(column: "occurred_at", as: Date.self),
                  serviceProvider: try row.decode(column: "service_provider", as: String?.self),
                  customerID: try row.decode(column: "customer_id", as: UUID?.self),
                  subjectID: try row.decode(column: "subject_id", as: String?.self),
                  clientAddress: try row.decode(column: "client_address", as: String?.self),
                  detail: try row.decode(column: "detail", as: String?.self))
        }
    }
}
