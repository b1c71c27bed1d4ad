import Fluent
import Foundation
import Vapor

/// Writes `AuditEventRecord`s. Kinds: `saml.response`, `saml.error_response`, `login`,
/// `login.failed`, `logout`, `provider.applied`, `provider.removed`, …
struct AuditLog: Sendable {
    let database: any Database

    func record(_ kind: String, at: Date, serviceProvider: String? = nil, customerID: UUID? = nil, subjectID: String? = nil,
                clientAddress: String? = nil, detail: String? = nil) async throws {
        try await AuditEventRecord(kind: kind, at: at, serviceProvider: serviceProvider, customerID: customerID,
                                   subjectID: subjectID, clientAddress: clientAddress, detail: detail).create(on: database)
    }
}
