import Foundation
import StoreIdPCore
import SignOn
import Vapor

/// The console's audit log: the API's filters (`AdminAuditQuery`: provider, customer, kind,
/// since, until, page) over `AuditLog.entries`, 100 rows a page, newest first.
struct AdminConsoleAuditController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("admin").grouped(AdminConsoleAuthenticator()).get("audit", use: list)
    }

    struct Page: Encodable {
        struct Row: Encodable {
            let at: String
            let kind: String
            let provider: String
            let customer: String
            let subject: String
            let client: String
            let detail: String
        }
        let title = "Audit log"
        let admin: String
        let csrf: String
        let provider: String
        let customer: String
        let kind: String
        let since: String
        let until: String
        let kinds: [String]
        let rows: [Row]
        let page: Int
        /// The neighbouring pages with the same filters, every value URL-encoded.
        let next: String?
        let previous: String?
        let error: String?
    }

    func list(_ request: Request) async throws -> Response {
        func value(_ name: String) -> String { String((request.query[String.self, at: name] ?? "").prefix(254)) }
        var rows: [Page.Row] = []
        var error: String?
        var pageNumber = 1
        var hasMore = false
        do {
            let query = try AdminAuditQuery(from: request)
            pageNumber = query.page.number
            let entries = try await request.auditLog.entries(matching: query.filter, limit: AdminAuditController.perPage + 1,
                                                             offset: query.page.offset(perPage: AdminAuditController.perPage))
            hasMore = entries.count > AdminAuditController.perPage
            rows = entries.prefix(AdminAuditController.perPage).map {
                Page.Row(at: Timestamp.iso8601($0.at), kind: $0.kind, provider: $0.serviceProvider ?? "", customer: $0.customerID?.uuidString.lowercased() ?? "",
                         subject: $0.subjectID ?? "", client: $0.clientAddress ?? "", detail: $0.detail ?? "")
            }
        } catch let refusal as AdminAPIError {
            error = refusal.message
        }
        let filters = ["provider", "customer", "kind", "since", "until"].map { ($0, value($0)) }
        func link(_ number: Int) -> String { OAuthParameters.url("/admin/audit", adding: filters + [("page", String(number))]) }
        let page = Page(admin: request.adminIdentity.displayName, csrf: CSRFToken.token(for: request), provider: value("provider"), customer: value("customer"),
                        kind: value("kind"), since: value("since"), until: value("until"), kinds: AuditEvent.Kind.allCases.map(\.rawValue),
                        rows: rows, page: pageNumber, next: hasMore ? link(pageNumber + 1) : nil, previous: pageNumber > 1 ? link(pageNumber - 1) : nil,
                        error: error)
        let response = try await request.view.render("admin/audit", page).encodeResponse(for: request)
        response.status = error == nil ? .ok : .unprocessableEntity
        return response
    }
}
