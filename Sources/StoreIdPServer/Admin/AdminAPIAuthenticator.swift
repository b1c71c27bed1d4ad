import Foundation
import JWTSSO
import StoreIdPCore
import Vapor

/// Guards `/admin/api/v1`: `Authorization: Bearer` with `STOREIDP_ADMIN_TOKEN` (compared in
/// constant time) or an admin account's API token. No credential is 401 with a `Bearer`
/// challenge (RFC 6750 §3.1); a wrong one is 401 `invalid_token`; a customer's session cookie
/// alone is 403: signing in to the store gives no admin rights.
struct AdminAPIAuthenticator: AsyncMiddleware {
    static let realm = "storeidp-admin"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let header = request.headers.first(name: .authorization) else {
            if request.cookies[StoreSessionMiddleware.cookieName] != nil {
                throw AdminAPIError(.forbidden, "forbidden", "a store session gives no access to the admin API; send an admin token")
            }
            throw AdminAPIError(.unauthorized, "unauthorized", "an admin token is needed (Authorization: Bearer …)",
                                headers: ["WWW-Authenticate": "Bearer realm=\"\(Self.realm)\""])
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw AdminAPIError(.unauthorized, "unauthorized", "use the Bearer scheme",
                                headers: ["WWW-Authenticate": "Bearer realm=\"\(Self.realm)\", error=\"invalid_request\""])
        }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        var identity: AdminIdentity?
        if let configured = request.storeIdP.settings.adminToken, ConstantTime.equals(token, configured) {
            identity = .deploymentToken
        } else {
            identity = try await AdminAccounts(database: request.db).identity(token: token)
        }
        guard let identity else {
            throw AdminAPIError(.unauthorized, "unauthorized", "the admin token is not valid",
                                headers: ["WWW-Authenticate": "Bearer realm=\"\(Self.realm)\", error=\"invalid_token\""])
        }
        request.storage[AdminIdentityKey.self] = identity
        return try await next.respond(to: request)
    }
}

struct AdminIdentityKey: StorageKey { typealias Value = AdminIdentity }

extension Request {
    /// The admin making this request (set by `AdminAPIAuthenticator`).
    var adminIdentity: AdminIdentity { storage[AdminIdentityKey.self] ?? .deploymentToken }
}
