import Fluent
import Foundation
import SQLKit
import SignOn
import StoreIdPCore

/// Writes audit events (`audit_events`; kinds are `AuditEvent.Kind`): through the application's
/// `AuditBuffer` when it has one, else one INSERT on the request.
struct AuditLog: AuditTrail {
    let database: any Database
    var buffer: AuditBuffer?

    init(database: any Database, buffer: AuditBuffer? = nil) {
        self.database = database
        self.buffer = buffer
    }

    func record(_ event: AuditEvent) async throws {
        StoreIdPMetrics.record(event)
        if let buffer, buffer.append(event) {
            if buffer.isDue { try await buffer.flush(to: database) }
            return
        }
        try await Self.insert([event], into: database.sql)
    }

    func record(_ kind: AuditEvent.Kind, at: Date, serviceProvider: String? = nil, customerID: UUID? = nil, subjectID: String? = nil,
                clientAddress: String? = nil, detail: String? = nil) async throws {
        try await record(AuditEvent(kind, at: at, serviceProvider: serviceProvider, customerID: customerID, subjectID: subjectID,
                                    clientAddress: clientAddress, detail: detail))
    }

    /// One multi-row INSERT through SQLKit (a Fluent model would reflect over its properties for
    /// every row).
    static func insert(_ events: [AuditEvent], into sql: any SQLDatabase) async throws {
        guard !events.isEmpty else { return }
        let builder = sql.insert(into: AuditEventRecord.schema)
            .columns("id", "occurred_at", "kind", "service_provider", "customer_id", "subject_id", "client_address", "detail")
        for event in events {
            builder.values(SQLBind(UUID()), SQLBind(event.at), SQLBind(event.kind.rawValue), SQLBind(event.serviceProvider),
                           SQLBind(event.customerID), SQLBind(event.subjectID), SQLBind(event.clientAddress), SQLBind(event.detail))
        }
        try await builder.run()
    }
}
