import Foundation
import StoreIdPCore
import SignOn
import Vapor

/// The console's customers pages: search (`CustomerDirectory.search`, as the API), one
/// customer, and disabling or enabling them (`CustomerDirectory.update`, audited with the admin).
struct AdminConsoleCustomersController: RouteCollection {
    static let perPage = AdminCustomersController.perPage

    func boot(routes: any RoutesBuilder) throws {
        let customers = routes.grouped("admin", "customers").grouped(AdminConsoleAuthenticator())
        customers.get(use: list)
        customers.get(":id", use: show)
        customers.on(.POST, ":id", "status", body: .collect(maxSize: "16kb"), use: setStatus)
    }

    struct ListPage: Encodable {
        struct Row: Encodable {
            let id: String
            let email: String
            let name: String
            let group: String
            let company: String
            let status: String
        }
        let title = "Customers"
        let admin: String
        let csrf: String
        let query: String
        let rows: [Row]
        let total: Int
        let page: Int
        /// The neighbouring pages of the same search, URL-encoded.
        let previous: String?
        let next: String?
        let error: String?
    }

    struct DetailPage: Encodable {
        let title: String
        let admin: String
        let csrf: String
        let id: String
        let email: String
        let status: String
        struct Field: Encodable {
            let label: String
            let value: String
        }
        let fields: [Field]
        let notice: String?
    }

    func list(_ request: Request) async throws -> Response {
        let text = String((request.query[String.self, at: "query"] ?? "").prefix(254))
        var error: String?
        var page = 1
        var offset = 0
        do {
            let requested = try AdminPage(from: request)
            (page, offset) = (requested.number, requested.offset(perPage: Self.perPage))
        } catch let refusal as AdminAPIError { error = refusal.message }
        let found = try await request.customers.search(text, limit: Self.perPage, offset: offset)
        let rows = found.customers.map { customer in
            ListPage.Row(id: customer.id.uuidString.lowercased(), email: customer.email.value,
                         name: [customer.firstName, customer.lastName].compactMap { $0 }.joined(separator: " "),
                         group: customer.group ?? "", company: customer.company.name ?? "", status: customer.status.rawValue)
        }
        func link(_ number: Int) -> String { OAuthParameters.url("/admin/customers", adding: [("query", text), ("page", String(number))]) }
        let page_ = ListPage(admin: request.adminIdentity.displayName, csrf: CSRFToken.token(for: request), query: text, rows: rows,
                             total: found.total, page: page, previous: page > 1 ? link(page - 1) : nil,
                             next: page * Self.perPage < found.total ? link(page + 1) : nil, error: error)
        let response = try await request.view.render("admin/customers", page_).encodeResponse(for: request)
        response.status = error == nil ? .ok : .unprocessableEntity
        return response
    }

    private func customer(_ request: Request) async throws -> Customer {
        guard let id = request.parameters.get("id").flatMap(UUID.init(uuidString:)), let customer = try await request.customers.find(id: id) else {
            throw PageError(.notFound, "There is no customer with this id.")
        }
        return customer
    }

    func show(_ request: Request) async throws -> View {
        let customer = try await customer(request)
        let fields: [[String]] = [
            ["First name", customer.firstName ?? ""], ["Last name", customer.lastName ?? ""], ["Phone", customer.phone ?? ""],
            ["Group", customer.group ?? ""], ["Segments", customer.segments.joined(separator: ", ")],
            ["Company", [customer.company.name, customer.company.vat, customer.company.role].compactMap { $0 }.joined(separator: " · ")],
            ["Storefront id", customer.storefrontID ?? ""], ["Created", Timestamp.iso8601(customer.createdAt)], ["Updated", Timestamp.iso8601(customer.updatedAt)],
        ] + customer.attributes.sorted { $0.key < $1.key }.map { ["attributes.\($0.key)", $0.value] }
        return try await request.view.render("admin/customer", DetailPage(
            title: customer.email.value, admin: request.adminIdentity.displayName, csrf: CSRFToken.token(for: request),
            id: customer.id.uuidString.lowercased(), email: customer.email.value, status: customer.status.rawValue,
            fields: fields.map { DetailPage.Field(label: $0[0], value: $0[1]) },
            notice: request.query[String.self, at: "saved"] == "1" ? "Saved." : nil))
    }

    /// `POST /admin/customers/{id}/status` (`status=disabled|active`).
    func setStatus(_ request: Request) async throws -> Response {
        try requireCSRF(request)
        struct Form: Decodable { var status: String? }
        let customer = try await customer(request)
        guard let status = try request.content.decode(Form.self).status.flatMap(Customer.Status.init(rawValue:)) else {
            throw PageError(.unprocessableEntity, "status is active or disabled.")
        }
        var profile = CustomerProfile(email: customer.email.value)
        profile.status = status
        if let result = try await request.customers.update(id: customer.id, with: profile, now: request.now), result.outcome == .updated {
            try await AdminCustomersController.audit(request, customerID: customer.id, detail: "updated: status")
        }
        return request.redirect(to: "/admin/customers/\(customer.id.uuidString.lowercased())?saved=1", redirectType: .normal)
    }
}
