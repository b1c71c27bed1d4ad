import Foundation
import JWTSSO
import Vapor

/// `GET /.well-known/jwks.json`: every published key (RFC 7517 §5). Partners cache it; five
/// minutes keeps a rotation's new `next` key visible long before it signs anything.
struct JWKSController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(".well-known", "jwks.json", use: keySet)
    }

    func keySet(_ request: Request) async throws -> Response {
        let services = request.storeIdP
        let keys = try services.keyRing.current().published(at: request.now)
        let response = Response(status: .ok, body: .init(data: try JSONWebKeySet(keys: keys).json()))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "jwk-set+json")
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return response
    }
}
