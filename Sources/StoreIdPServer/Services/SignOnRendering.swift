import Foundation
import SignOn
import StoreIdPCore
import Vapor

/// The server edge of the sign-in flows: an outcome becomes a page, a redirect or a form; a
/// refusal becomes an error page with its status.
extension SignOnOutcome {
    func response(for request: Request) async throws -> Response {
        switch self {
        case let .post(form):
            return try await AutoPostForm(form).response(for: request)
        case let .redirect(url):
            return request.redirect(to: url, redirectType: .normal)
        case let .login(returnTo, reauthenticate):
            var components = URLComponents()
            components.path = "/login"
            components.queryItems = [URLQueryItem(name: "return_to", value: ReturnPath.sanitize(returnTo).path)]
            if reauthenticate { components.queryItems?.append(URLQueryItem(name: "reauth", value: "1")) }
            return request.redirect(to: components.string ?? "/login", redirectType: .normal)
        case let .confirmLaunch(question):
            return try await LaunchConfirmationPage(question, csrf: CSRFToken.token(for: request)).response(for: request)
        case let .signedOut(unconfirmed):
            return request.redirect(to: unconfirmed.isEmpty ? "/login" : "/login?partial_logout=1", redirectType: .normal)
        case let .confirmLogout(question):
            return try await LogoutConfirmationPage(question, csrf: CSRFToken.token(for: request)).response(for: request)
        }
    }
}

extension SignOnError {
    var page: PageError {
        let code: HTTPResponseStatus
        var headers: HTTPHeaders = [:]
        switch status {
        case .badRequest: code = .badRequest
        case .unauthorized: code = .unauthorized
        case .forbidden: code = .forbidden
        case .notFound: code = .notFound
        case .conflict: code = .conflict
        case .tooLarge: code = .payloadTooLarge
        case .badGateway: code = .badGateway
        case let .unavailable(retryAfter):
            code = .serviceUnavailable
            if let retryAfter { headers.replaceOrAdd(name: "Retry-After", value: String(retryAfter)) }
        }
        return PageError(code, message, headers: headers, returnURL: returnURL)
    }
}

/// Runs one flow for a controller: its refusals become error pages.
func signOnFlow(_ body: () async throws -> SignOnOutcome) async throws -> SignOnOutcome {
    do {
        return try await body()
    } catch let error as SignOnError {
        throw error.page
    }
}

/// The page that asks before a launch link replaces the signed-in customer.
struct LaunchConfirmationPage: Encodable {
    let title = "Switch account?"
    let slug: String
    let serviceName: String
    let token: String
    let signedInAs: String
    let launchAs: String
    let csrf: String

    init(_ question: LaunchConfirmation, csrf: String) {
        slug = question.slug
        serviceName = question.serviceName
        token = question.token
        signedInAs = question.signedInAs
        launchAs = question.launchAs
        self.csrf = csrf
    }

    func response(for request: Request) async throws -> Response {
        let response = try await request.view.render("launch-confirm", self).encodeResponse(for: request)
        response.status = .ok
        return response
    }
}

/// The page that asks before an OpenID client's sign-out request ends the store session.
struct LogoutConfirmationPage: Encodable {
    let title = "Sign out?"
    let serviceName: String?
    /// Our own path: the form posts back to the end-session endpoint it came from.
    let action: String
    let fields: [AutoPost.Field]
    let csrf: String

    init(_ question: LogoutConfirmation, csrf: String) {
        serviceName = question.serviceName
        action = URLComponents(string: question.action)?.path ?? "/oidc/logout"
        fields = question.fields
        self.csrf = csrf
    }

    func response(for request: Request) async throws -> Response {
        let response = try await request.view.render("oidc-logout-confirm", self).encodeResponse(for: request)
        response.status = .ok
        return response
    }
}
