import Foundation
import StoreIdPCore
import Vapor

/// `/admin/api/v1/customers`: search, read, create, change and import customers through the same
/// domain code as `storeidp customers add|import` (`CustomerDirectory`, `CustomerProfile`,
/// `CustomerJSONLine`, `CustomerImporter`), so the rules and the error words are the same.
/// Every change is an audit row naming the admin (`request.adminIdentity`). Routes and shapes:
/// `docs/admin-api-customers.md`.
struct AdminCustomersController: RouteCollection {
    static let perPage = 50
    /// One customer's JSON: a hundred attributes of 4096 bytes fit, escaped.
    static let customerBodyLimit: ByteCount = "1mb"
    static let importBodyLimit: ByteCount = "10mb"
    /// A search text longer than any email cannot match anything useful.
    static let maximumQueryBytes = EmailAddress.maximumLength
    static let importMediaTypes: [String: CustomerImportFile.Format] = [
        "text/csv": .csv, "application/x-ndjson": .jsonl, "application/jsonl": .jsonl,
    ]

    func boot(routes: any RoutesBuilder) throws {
        let customers = routes.grouped("customers")
        customers.get(use: search)
        customers.on(.POST, body: .collect(maxSize: Self.customerBodyLimit), use: create)
        customers.on(.POST, "import", body: .collect(maxSize: Self.importBodyLimit), use: importCustomers)
        customers.get(":id", use: show)
        customers.on(.PATCH, ":id", body: .collect(maxSize: Self.customerBodyLimit), use: update)
    }

    /// `GET /customers?query=&page=`: case-insensitive substring of email, names or company,
    /// 50 a page, ordered by email.
    @Sendable func search(request: Request) async throws -> Response {
        let page = try AdminPage(from: request)
        let text = request.query[String.self, at: "query"] ?? ""
        guard text.utf8.count <= Self.maximumQueryBytes else {
            throw AdminAPIError(.unprocessableEntity, "invalid", "query is \(text.utf8.count) bytes long; at most \(Self.maximumQueryBytes) are allowed", field: "query")
        }
        let found = try await readingCustomers { try await request.customers.search(text, limit: Self.perPage, offset: page.offset(perPage: Self.perPage)) }
        return try .adminJSON(AdminCustomerPageJSON(customers: found.customers.map(AdminCustomerJSON.init), page: page.number,
                                                    per_page: Self.perPage, total: found.total))
    }

    /// `GET /customers/{id}`: one customer; an unknown or malformed id is 404.
    @Sendable func show(request: Request) async throws -> Response {
        let id = try Self.customerID(request)
        guard let customer = try await readingCustomers({ try await request.customers.find(id: id) }) else { throw AdminAPIError.notFound("customer") }
        return try .adminJSON(AdminCustomerJSON(customer))
    }

    /// `POST /customers`: one import line's JSON, 201 with the new customer; 409 when the email
    /// is a customer's already (this route never updates).
    @Sendable func create(request: Request) async throws -> Response {
        let profile = try Self.profile(request, storedEmail: nil)
        let customer = try await writingCustomers { try await request.customers.create(profile, now: request.now) }
        try await Self.audit(request, customerID: customer.id, detail: "created")
        let response = try Response.adminJSON(AdminCustomerJSON(customer), status: .created)
        response.headers.replaceOrAdd(name: .location, value: "/" + (AdminAPIRoutes.prefix + ["customers", .constant(customer.id.uuidString.lowercased())]).string)
        return response
    }

    /// `PATCH /customers/{id}`: the keys present change, the others stay (`CustomerProfile`).
    @Sendable func update(request: Request) async throws -> Response {
        let id = try Self.customerID(request)
        guard let stored = try await readingCustomers({ try await request.customers.find(id: id) }) else { throw AdminAPIError.notFound("customer") }
        let profile = try Self.profile(request, storedEmail: stored.email.value)
        guard let result = try await writingCustomers({ try await request.customers.update(id: id, with: profile, now: request.now) }) else {
            throw AdminAPIError.notFound("customer")
        }
        if result.outcome == .updated {
            try await Self.audit(request, customerID: id, detail: "updated: " + result.changedFields.joined(separator: ", "))
        }
        return try .adminJSON(AdminCustomerJSON(result.customer))
    }

    /// `POST /customers/import`: a CSV or JSONL body, imported as `storeidp customers import`
    /// imports a file; answers the per-row report.
    @Sendable func importCustomers(request: Request) async throws -> Response {
        let type = try request.requireAdminMediaType(Set(Self.importMediaTypes.keys), for: "an import")
        let bytes = try request.adminBodyBytes(atMost: Self.importBodyLimit)
        guard let format = Self.importMediaTypes[type] else { throw AdminAPIError(.unsupportedMediaType, "unsupported_media_type", "unknown import type") }
        let importer = CustomerImporter(directory: request.customers, timeSource: request.storeIdP.timeSource)
        let report: CustomerImportReport
        do {
            report = try await importer.importBytes(bytes, format: format)
        } catch let error as CustomerImportFile.OpenError {
            throw AdminAPIError.importBody(error)
        }
        let answer = AdminImportReportJSON(report, format: format.rawValue)
        try await Self.audit(request, kind: .customersImported, customerID: nil, detail: answer.auditDetail)
        return try .adminJSON(answer)
    }

    // MARK: - Reading the request

    /// The `{id}` of the path; what is not a UUID names no customer (404, like an unknown one).
    private static func customerID(_ request: Request) throws -> UUID {
        guard let raw = request.parameters.get("id"), let id = UUID(uuidString: raw) else { throw AdminAPIError.notFound("customer") }
        return id
    }

    /// The JSON body as one line of a `.jsonl` import (`CustomerJSONLine`: same keys, same
    /// checks, an optional plain `password` hashed as the command line hashes it).
    private static func profile(_ request: Request, storedEmail: String?) throws -> CustomerProfile {
        _ = try request.requireAdminMediaType(["application/json"], for: "a customer")
        let bytes = try request.adminBodyBytes(atMost: customerBodyLimit)
        do {
            return try CustomerJSONLine.profile(from: bytes, storedEmail: storedEmail)
        } catch {
            throw AdminAPIError.customerBody(error)
        }
    }

    // MARK: - Errors and audit

    /// Maps a stored row that does not decode to its JSON error.
    private func readingCustomers<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as CustomerRowError { throw AdminAPIError.unreadable(error) }
    }

    /// Maps the directory's refusals of a write to their JSON errors.
    private func writingCustomers<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await readingCustomers(body)
        } catch let error as CustomerValidationError {
            throw AdminAPIError.validation(error)
        } catch let taken as CustomerDirectory.EmailTaken {
            throw AdminAPIError.emailTaken(taken)
        }
    }

    /// An admin change is written before the answer (never left waiting in the sign-in batch).
    static func audit(_ request: Request, kind: AuditEvent.Kind = .customerSaved, customerID: UUID?, detail: String) async throws {
        try await AuditLog(database: request.db).record(kind, at: request.now, customerID: customerID, subjectID: request.adminIdentity.description,
                                                        clientAddress: request.clientAddress, detail: detail)
    }
}
