import Foundation
import StoreIdPCore
import Vapor

/// `/admin/api/v1/keys`: the signing keys' public parts, and rotation (the same rotation as
/// `storeidp keys rotate`). Private keys are never returned.
struct AdminKeysController: RouteCollection {
    struct KeyView: Encodable {
        let kid: String
        let algorithm: String
        let state: String
        let created_at: Date
        let activated_at: Date?
        let retired_at: Date?
        let not_after: Date
        let published: Bool
        let certificate: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("keys", use: list)
        routes.post("keys", "rotate", use: rotate)
    }

    private func view(_ ring: KeyRing, now: Date) -> [String: [KeyView]] {
        let published = Set(ring.published(at: now).map(\.kid))
        return ["keys": ring.keys.map {
            KeyView(kid: $0.kid, algorithm: $0.algorithm.rawValue, state: $0.state.rawValue, created_at: $0.createdAt, activated_at: $0.activatedAt,
                    retired_at: $0.retiredAt, not_after: $0.notAfter, published: published.contains($0.kid), certificate: $0.certificatePEM)
        }]
    }

    func list(_ request: Request) async throws -> Response {
        try .adminJSON(view(try request.storeIdP.keyRing.current(), now: request.now))
    }

    func rotate(_ request: Request) async throws -> Response {
        let now = request.now
        let ring = try await request.storeIdP.keyRing.rotate(now: now, on: request.db, audit: AuditLog(database: request.db),
                                                             actor: request.adminIdentity.description)
        return try .adminJSON(view(ring, now: now))
    }
}
