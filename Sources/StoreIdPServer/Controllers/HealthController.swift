import Fluent
import SQLKit
import Vapor

/// `GET /healthz`: 200 when the database answers a query, 503 when it does not.
struct HealthController: RouteCollection {
    struct Health: Content {
        let status: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: check)
    }

    func check(_ request: Request) async throws -> Response {
        do {
            guard let sql = request.db as? any SQLDatabase else { throw Abort(.serviceUnavailable) }
            try await sql.raw("SELECT 1").run()
            return try await Health(status: "ok").encodeResponse(status: .ok, for: request)
        } catch {
            request.logger.warning("health check: database did not answer")
            return try await Health(status: "database unavailable").encodeResponse(status: .serviceUnavailable, for: request)
        }
    }
}
