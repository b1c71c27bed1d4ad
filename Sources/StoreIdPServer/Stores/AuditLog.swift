import Fluent
import Foundation
import SignOn
import StoreIdPCore

/// Writes `AuditEventRecord`s, one per `AuditEvent` (its kinds are `AuditEvent.Kind`).
struct AuditLog: AuditTrail {
    let database: any Database

    func record(_ event: AuditEvent) async throws {
        try await AuditEventRecord(kind: event.kind.rawValue, at: event.at, serviceProvider: event.serviceProvider, customerID: event.customerID,
                                   subjectID: event.subjectID, clientAddress: event.clientAddress, detail: event.detail).create(on: database)
    }

    func record(_ kind: AuditEvent.Kind, at: Date, serviceProvider: String? = nil, customerID: UUID? = nil, subjectID: String? = nil,
                clientAddress: String? = nil, detail: String? = nil) async throws {
        try await record(AuditEvent(kind, at: at, serviceProvider: serviceProvider, customerID: customerID, subjectID: subjectID,
                                    clientAddress: clientAddress, detail: detail))
    }
}
