import Foundation
import Vapor

/// `/admin/api/v1`: the admin API. Every route is behind `AdminAPIAuthenticator` and answers
/// errors as JSON (`AdminAPIErrorMiddleware`); the document of the whole API is
/// `GET /admin/api/v1/openapi.json` (`AdminOpenAPI`).
struct AdminAPIRoutes: RouteCollection {
    static let prefix: [PathComponent] = ["admin", "api", "v1"]

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped(Self.prefix).grouped(AdminAPIErrorMiddleware(), AdminAPIAuthenticator())
        api.get("openapi.json") { _ in AdminOpenAPI.response() }
        try api.register(collection: AdminProvidersController())
        try api.register(collection: AdminCustomersController())
        try api.register(collection: AdminKeysController())
        try api.register(collection: AdminAuditController())
    }
}

extension Response {
    /// A JSON answer of the admin API.
    static func adminJSON(_ value: some Encodable, status: HTTPResponseStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let response = Response(status: status, body: .init(data: try encoder.encode(value)))
        response.headers.contentType = .json
        return response
    }
}
