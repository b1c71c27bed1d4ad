import Foundation
import JWTSSO
import SignOn
import StoreIdPCore
import Vapor

/// The OpenID provider's endpoints, in StoreIdP's layout and, for a client registered with
/// `azure_b2c_path`, in Azure AD B2C's under `/b2c/{path}` (`OpenIDProviderLayout`):
///
/// | StoreIdP | B2C layout | flow |
/// |---|---|---|
/// | `/.well-known/openid-configuration` | `/.well-known/openid-configuration`, `/v2.0/.well-known/openid-configuration` | discovery |
/// | `/.well-known/jwks.json` | `/discovery/keys`, `/discovery/v2.0/keys` | keys |
/// | `/oidc/authorize` | `/oauth2/v2.0/authorize` | `OIDCAuthorization` |
/// | `/oidc/token` | `/oauth2/v2.0/token` | `OIDCTokenExchange` |
/// | `/oidc/userinfo` | `/openid/v2.0/userinfo` | `OIDCUserInfo` |
/// | `/oidc/logout` | `/oauth2/v2.0/logout` | `OIDCLogout` |
struct OpenIDController: RouteCollection {
    static let maximumBody: ByteCount = "16kb"

    func boot(routes: any RoutesBuilder) throws {
        let standard = routes
        standard.get(".well-known", "openid-configuration") { try await discovery($0, layout: .standard) }
        standard.get("oidc", "authorize") { try await authorize($0, layout: .standard) }
        standard.on(.POST, "oidc", "authorize", body: .collect(maxSize: Self.maximumBody)) { try await authorize($0, layout: .standard) }
        standard.get("oidc", "continue", use: resume)
        standard.on(.POST, "oidc", "token", body: .collect(maxSize: Self.maximumBody)) { try await token($0, layout: .standard) }
        standard.get("oidc", "userinfo") { try await userInfo($0, layout: .standard) }
        standard.on(.POST, "oidc", "userinfo", body: .collect(maxSize: Self.maximumBody)) { try await userInfo($0, layout: .standard) }
        // Browser-based public clients call these across origins (CORS preflight).
        for path in [["oidc", "token"], ["oidc", "userinfo"], ["b2c", ":path", "oauth2", "v2.0", "token"], ["b2c", ":path", "openid", "v2.0", "userinfo"]] {
            routes.on(.OPTIONS, path.map { PathComponent(stringLiteral: $0) }, use: preflight)
        }
        standard.get("oidc", "logout") { try await logout($0, layout: .standard) }
        standard.on(.POST, "oidc", "logout", body: .collect(maxSize: Self.maximumBody)) { try await logout($0, layout: .standard) }

        let b2c = routes.grouped("b2c", ":path")
        for path in [[".well-known", "openid-configuration"], ["v2.0", ".well-known", "openid-configuration"]] {
            b2c.get(path.map { PathComponent(stringLiteral: $0) }) { try await discovery($0, layout: try await b2cLayout($0)) }
        }
        for path in [["discovery", "keys"], ["discovery", "v2.0", "keys"]] {
            b2c.get(path.map { PathComponent(stringLiteral: $0) }) { request in
                _ = try await b2cLayout(request)
                return try await JWKSController().keySet(request)
            }
        }
        b2c.get("oauth2", "v2.0", "authorize") { try await authorize($0, layout: try await b2cLayout($0)) }
        b2c.on(.POST, "oauth2", "v2.0", "authorize", body: .collect(maxSize: Self.maximumBody)) { try await authorize($0, layout: try await b2cLayout($0)) }
        b2c.on(.POST, "oauth2", "v2.0", "token", body: .collect(maxSize: Self.maximumBody)) { try await token($0, layout: try await b2cLayout($0)) }
        b2c.get("openid", "v2.0", "userinfo") { try await userInfo($0, layout: try await b2cLayout($0)) }
        b2c.on(.POST, "openid", "v2.0", "userinfo", body: .collect(maxSize: Self.maximumBody)) { try await userInfo($0, layout: try await b2cLayout($0)) }
        b2c.get("oauth2", "v2.0", "logout") { try await logout($0, layout: try await b2cLayout($0)) }
        b2c.on(.POST, "oauth2", "v2.0", "logout", body: .collect(maxSize: Self.maximumBody)) { try await logout($0, layout: try await b2cLayout($0)) }
    }

    /// CORS preflight of the token and userinfo endpoints: they take no cookie, so any origin may
    /// call them with the headers a client sends (node-oidc-provider does the same).
    func preflight(_ request: Request) -> Response {
        let response = Response(status: .noContent)
        response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: "*")
        response.headers.replaceOrAdd(name: .accessControlAllowMethods, value: "GET, POST")
        response.headers.replaceOrAdd(name: .accessControlAllowHeaders, value: "Authorization, Content-Type")
        response.headers.replaceOrAdd(name: .accessControlMaxAge, value: "600")
        return response
    }

    /// The B2C layout of `/b2c/{path}`: only a path a client is registered under exists.
    private func b2cLayout(_ request: Request) async throws -> OpenIDProviderLayout {
        let path = request.parameters.get("path") ?? ""
        guard try await ProviderDirectory(database: request.db).provider(azureB2CPath: path) != nil else {
            throw PageError(.notFound, "There is no OpenID provider at this address.")
        }
        return .azureB2C(path: path)
    }

    func discovery(_ request: Request, layout: OpenIDProviderLayout) async throws -> Response {
        let document = OpenIDDiscoveryDocument(layout: layout, base: request.storeIdP.settings.issuer)
        let response = Response(status: .ok, body: .init(data: try document.json()))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: "*")
        return response
    }

    /// The request's OAuth parameters: the query of a GET, the form body of a POST
    /// (OpenID Connect Core 1.0 §3.1.2.1 allows both).
    private func parameters(of request: Request) throws -> OAuthParameters {
        guard request.method == .POST else { return OAuthParameters(formEncoded: request.url.query) }
        try request.requireBodySize(atMost: Self.maximumBody)
        guard request.headers.contentType?.type == "application", request.headers.contentType?.subType == "x-www-form-urlencoded" else {
            throw OAuthError(.invalidRequest, "the body must be application/x-www-form-urlencoded")
        }
        let body = request.body.data.map { String(decoding: $0.readableBytesView, as: UTF8.self) }
        return OAuthParameters(formEncoded: body)
    }

    func authorize(_ request: Request, layout: OpenIDProviderLayout) async throws -> Response {
        let parameters: OAuthParameters
        do { parameters = try self.parameters(of: request) } catch let error as OAuthError { throw PageError(.badRequest, error.message) }
        let flow = OIDCAuthorization(context: request.signOnContext)
        return try await signOnFlow { try await request.withSignOnSession { try await flow.receive(parameters, layout: layout, session: &$0) } }
            .response(for: request)
    }

    func resume(_ request: Request) async throws -> Response {
        let flow = OIDCAuthorization(context: request.signOnContext)
        return try await signOnFlow { try await request.withSignOnSession { try await flow.resume(session: &$0) } }.response(for: request)
    }

    func token(_ request: Request, layout: OpenIDProviderLayout) async throws -> Response {
        // RFC 6749 §5.2: a client that tried HTTP Basic hears the scheme, even when its header was malformed.
        let usedBasic = request.headers.first(name: .authorization) != nil
        do {
            let parameters = try self.parameters(of: request)
            let basic = try Self.basicCredentials(request)
            let answer = try await OIDCTokenExchange(context: request.signOnContext).exchange(parameters, basic: basic, layout: layout)
            return try Self.json(answer, status: .ok)
        } catch let error where DatabaseAvailability.isUnavailable(error) {
            let response = try Self.json(["error": OAuthError.Code.temporarilyUnavailable.rawValue, "error_description": "the database cannot be reached right now"],
                                         status: .serviceUnavailable)
            response.headers.replaceOrAdd(name: "Retry-After", value: String(DatabaseAvailability.retryAfterSeconds))
            return response
        } catch let error as OAuthError {
            let response = try Self.json(["error": error.code.rawValue, "error_description": error.message], status: .init(statusCode: error.httpStatus))
            // RFC 6749 §5.2: a client that used HTTP Basic hears the scheme it must use.
            if error.code == .invalidClient, usedBasic {
                response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Basic realm=\"\(Self.realm(request))\"")
            }
            return response
        }
    }

    /// The HTTP Basic client credentials, when the request has an Authorization header.
    static func basicCredentials(_ request: Request) throws -> OIDCTokenExchange.ClientCredentials? {
        try request.headers.first(name: .authorization).map(OIDCTokenExchange.ClientCredentials.init(authorizationHeader:))
    }

    func userInfo(_ request: Request, layout: OpenIDProviderLayout) async throws -> Response {
        do {
            // RFC 6750 §2.1 header, or §2.2 form body; never both (§2).
            var token: String?
            if let header = request.headers.first(name: .authorization) {
                let parts = header.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw OAuthError(.invalidRequest, "use the Bearer scheme") }
                token = String(parts[1]).trimmingCharacters(in: .whitespaces)
            }
            if request.method == .POST, request.headers.contentType?.subType == "x-www-form-urlencoded" {
                let form = try parameters(of: request)
                if let posted = form["access_token"] {
                    guard token == nil else { throw OAuthError(.invalidRequest, "send the token once") }
                    token = posted
                }
            }
            guard let token, !token.isEmpty else { return Self.bearerChallenge(request, error: nil) }
            let claims = try await OIDCUserInfo(context: request.signOnContext).claims(accessToken: token, layout: layout)
            let response = Response(status: .ok, body: .init(data: try JSONEncoder().encode(claims)))
            response.headers.contentType = .json
            response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: "*")
            return response
        } catch let error as OAuthError {
            return Self.bearerChallenge(request, error: error)
        }
    }

    /// RFC 6750 §3: 401 with the `Bearer` challenge; no error code when no token was sent (§3.1).
    static func bearerChallenge(_ request: Request, error: OAuthError?) -> Response {
        var challenge = "Bearer realm=\"\(realm(request))\""
        if let error { challenge += ", error=\"\(error.code.rawValue)\", error_description=\"\(error.message)\"" }
        let response = Response(status: .init(statusCode: error?.httpStatus ?? 401))
        response.headers.replaceOrAdd(name: .wwwAuthenticate, value: challenge)
        response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: "*")
        response.headers.replaceOrAdd(name: .accessControlExpose, value: "WWW-Authenticate")
        return response
    }

    func logout(_ request: Request, layout: OpenIDProviderLayout) async throws -> Response {
        let parameters: OAuthParameters
        do { parameters = try self.parameters(of: request) } catch let error as OAuthError { throw PageError(.badRequest, error.message) }
        var confirmed = false
        if request.method == .POST, parameters["csrf"] != nil || parameters["confirm"] != nil {
            guard CSRFToken.accepts(parameters["csrf"], from: request) else {
                throw PageError(.forbidden, "This sign-out form has expired. Please go back to the application and sign out again.")
            }
            confirmed = true
        }
        let flow = OIDCLogout(context: request.signOnContext)
        let input = OIDCLogout.Input(parameters: parameters, layout: layout, confirmed: confirmed)
        return try await signOnFlow { try await request.withSignOnSession { try await flow.end(input, session: &$0) } }.response(for: request)
    }

    private static func realm(_ request: Request) -> String { request.storeIdP.settings.issuer }

    /// A JSON answer that no cache keeps (RFC 6749 §5.1).
    static func json(_ value: some Encodable, status: HTTPResponseStatus) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let response = Response(status: status, body: .init(data: try encoder.encode(value)))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: .pragma, value: "no-cache")
        response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: "*")
        return response
    }
}
