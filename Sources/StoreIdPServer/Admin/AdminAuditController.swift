import Foundation
import StoreIdPCore
import Vapor

/// `GET /admin/api/v1/audit`: the audit trail (`audit_events`), newest first, 100 rows a page,
/// filtered by provider, customer, kind and time (`AdminAuditQuery`). Rows waiting in the
/// sign-in batch are written first (`AuditLog.entries`). Shapes: `docs/admin-api-customers.md`.
struct AdminAuditController: RouteCollection {
    static let perPage = 100

    func boot(routes: any RoutesBuilder) throws {
        routes.get("audit", use: list)
    }

    @Sendable func list(request: Request) async throws -> Response {
        let query = try AdminAuditQuery(from: request)
        // One row more than a page tells whether another page follows, without counting a table
        // that grows with every sign-in.
        let entries = try await request.auditLog.entries(matching: query.filter, limit: Self.perPage + 1,
                                                         offset: query.page.offset(perPage: Self.perPage))
        return try .adminJSON(AdminAuditPageJSON(events: entries.prefix(Self.perPage).map(AdminAuditPageJSON.Event.init),
                                                 page: query.page.number, per_page: Self.perPage,
                                                 has_more: entries.count > Self.perPage))
    }
}
