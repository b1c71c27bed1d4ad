import StoreIdPCore

/// Where audit events go.
public protocol AuditTrail: Sendable {
    func record(_ event: AuditEvent) async throws
}
