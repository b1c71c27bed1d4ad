import Fluent
import SQLKit
import Vapor

/// `GET /healthz`: the process is alive (200, no database involved), for a supervisor that
/// restarts dead processes. `GET /readyz`: the node can serve sign-ins: the database answers and
/// every migration has run (503 otherwise), for a load balancer that routes only to ready nodes.
struct HealthController: RouteCollection {
    struct Health: Content {
        let status: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: alive)
        routes.get("readyz", use: ready)
    }

    func alive(_ request: Request) async throws -> Response {
        try await Health(status: "ok").encodeResponse(status: .ok, for: request)
    }

    func ready(_ request: Request) async throws -> Response {
        if ShutdownDrain.isDraining(request.application) {
            return try await Health(status: "shutting down").encodeResponse(status: .serviceUnavailable, for: request)
        }
        do {
            guard let sql = request.db as? any SQLDatabase else { throw Abort(.serviceUnavailable) }
            try await sql.raw("SELECT 1").run()
        } catch {
            request.logger.warning("readiness: database did not answer")
            return try await Health(status: "database unavailable").encodeResponse(status: .serviceUnavailable, for: request)
        }
        let pending = try await request.application.migrator.previewPrepareBatch().get()
        guard pending.isEmpty else {
            return try await Health(status: "\(pending.count) migration(s) pending").encodeResponse(status: .serviceUnavailable, for: request)
        }
        return try await Health(status: "ok").encodeResponse(status: .ok, for: request)
    }
}
