import Fluent
import Foundation
import SQLKit
import SignOn
import StoreIdPCore

/// Writes `AuditEventRecord`s, one per `AuditEvent` (its kinds are `AuditEvent.Kind`).
struct AuditLog: AuditTrail {
    let database: any Database

    /// One INSERT through SQLKit (every assertion writes one; a Fluent model would reflect over
    /// its properties each time).
    func record(_ event: AuditEvent) async throws {
        try await database.sql.insert(into: AuditEventRecord.schema)
            .columns("id", "occurred_at", "kind", "service_provider", "customer_id", "subject_id", "client_address", "detail")
            .values(SQLBind(UUID()), SQLBind(event.at), SQLBind(event.kind.rawValue), SQLBind(event.serviceProvider), SQLBind(event.customerID),
                    SQLBind(event.subjectID), SQLBind(event.clientAddress), SQLBind(event.detail))
            .run()
    }

    func record(_ kind: AuditEvent.Kind, at: Date, serviceProvider: String? = nil, customerID: UUID? = nil, subjectID: String? = nil,
                clientAddress: String? = nil, detail: String? = nil) async throws {
        try await record(AuditEvent(kind, at: at, serviceProvider: serviceProvider, customerID: customerID, subjectID: subjectID,
                                    clientAddress: clientAddress, detail: detail))
    }
}
