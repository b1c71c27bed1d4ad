import Foundation
import StoreIdPCore
import Vapor

/// The query of `GET /admin/api/v1/audit`, checked: `provider` a slug
/// (`ServiceProviderRegistration.isValidSlug`), `customer` a UUID, `kind` one of
/// `AuditEvent.Kind`, `since`/`until` ISO 8601 instants of the years 2000 to 2100 with `until`
/// after `since`, and `page`. An empty value is no filter; anything else that is wrong is 422
/// naming the parameter.
struct AdminAuditQuery: Sendable, Equatable {
    let filter: AuditLog.Filter
    let page: AdminPage

    /// 2000-01-01T00:00:00Z and 2101-01-01T00:00:00Z: the instants a filter may name.
    static let earliest = Date(timeIntervalSince1970: 946_684_800)
    static let end = Date(timeIntervalSince1970: 4_133_980_800)

    init(from request: Request) throws {
        func value(_ name: String) -> String? {
            guard let raw = request.query[String.self, at: name], !raw.isEmpty else { return nil }
            return raw
        }
        var filter = AuditLog.Filter()
        if let provider = value("provider") {
            guard ServiceProviderRegistration.isValidSlug(provider) else {
                throw Self.invalid("provider", "'\(provider.displaySafePrefix)' must be \(ServiceProviderRegistration.slugPattern)")
            }
            filter.serviceProvider = provider
        }
        if let customer = value("customer") {
            guard let id = UUID(uuidString: customer) else { throw Self.invalid("customer", "'\(customer.displaySafePrefix)' is not a UUID") }
            filter.customerID = id
        }
        if let kind = value("kind") {
            guard let known = AuditEvent.Kind(rawValue: kind) else {
                throw Self.invalid("kind", "'\(kind.displaySafePrefix)' is not an audit event kind (\(AuditEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            filter.kind = known
        }
        filter.since = try value("since").map { try Self.instant($0, field: "since") }
        filter.until = try value("until").map { try Self.instant($0, field: "until") }
        if let since = filter.since, let until = filter.until, until <= since {
            throw Self.invalid("until", "until must be after since")
        }
        self.filter = filter
        self.page = try AdminPage(from: request)
    }

    /// `AdminInstant`, of the years 2000 to 2100 (UTC).
    static func instant(_ text: String, field: String) throws -> Date {
        guard let date = AdminInstant.parse(text), date >= earliest, date < end else {
            throw invalid(field, "'\(text.displaySafePrefix)' is not an ISO 8601 date-time with offset (2027-01-15T08:00:00Z) or date (2027-01-15) of the years 2000 to 2100")
        }
        return date
    }

    private static func invalid(_ field: String, _ message: String) -> AdminAPIError {
        AdminAPIError(.unprocessableEntity, "invalid", message, field: field)
    }
}
