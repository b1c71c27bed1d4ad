import Fluent
import Foundation

/// The `audit_events` table: one row per issued assertion or token, login and admin change.
/// Never holds secrets or whole assertions/tokens: the assertion or token id is enough to match
/// a partner's log line.
final class AuditEventRecord: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "occurred_at") var occurredAt: Date
    @Field(key: "kind") var kind: String
    @OptionalField(key: "service_provider") var serviceProvider: String?
    @OptionalField(key: "customer_id") var customerID: UUID?
    @OptionalField(key: "subject_id") var subjectID: String?
    @OptionalField(key: "client_address") var clientAddress: String?
    @OptionalField(key: "detail") var detail: String?

    init() {}

    init(kind: String, at: Date, serviceProvider: String?, customerID: UUID?, subjectID: String?, clientAddress: String?, detail: String?) {
        self.id = UUID()
        self.occurredAt = at
        self.kind = kind
        self.serviceProvider = serviceProvider
        self.customerID = customerID
        self.subjectID = subjectID
        self.clientAddress = clientAddress
        self.detail = detail
    }
}
