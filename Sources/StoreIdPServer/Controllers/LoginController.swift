import Foundation
import SignOn
import StoreIdPCore
import Vapor

/// The store login: `GET /login`, `POST /login`, `POST /logout`.
struct LoginController: RouteCollection {
    /// Login and logout bodies are a few fields; anything larger is refused with 413 before it is read.
    static let maximumBodySize: ByteCount = "16kb"

    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: showForm)
        routes.on(.POST, "login", body: .collect(maxSize: Self.maximumBodySize), use: submit)
        routes.on(.POST, "logout", body: .collect(maxSize: Self.maximumBodySize), use: logout)
    }

    struct LoginPage: Encodable {
        var title = "Sign in"
        let csrf: String
        let returnTo: String
        let email: String
        let error: String?
    }

    struct LoginForm: Decodable {
        var email: String?
        var password: String?
        var csrf: String?
        var return_to: String?
    }

    func showForm(_ request: Request) async throws -> Response {
        let returnTo = ReturnPath.sanitize(request.query[String.self, at: "return_to"])
        // `reauth=1`: the partner asked for a fresh password entry (SAML ForceAuthn), so the form
        // is shown even to a signed-in customer.
        let reauthenticate = request.query[String.self, at: "reauth"] == "1"
        if !reauthenticate, try await request.signedInCustomer() != nil {
            return request.redirect(to: returnTo.path, redirectType: .normal)
        }
        let notice = request.query[String.self, at: "partial_logout"] == "1"
            ? "You are signed out of the store. Some partner services did not confirm; close the browser to be sure you are signed out everywhere."
            : nil
        return try await render(request, status: .ok, returnTo: returnTo, email: "", error: notice)
    }

    func submit(_ request: Request) async throws -> Response {
        try request.requireBodySize(atMost: Self.maximumBodySize)
        let form = try request.content.decode(LoginForm.self)
        guard CSRFToken.accepts(form.csrf, from: request) else {
            throw PageError(.forbidden, "This sign-in form has expired. Please reload the page and try again.")
        }
        let returnTo = ReturnPath.sanitize(form.return_to)
        let email = (form.email ?? "").trimmingWhitespace()
        let password = form.password ?? ""
        let now = request.now
        let customer = try await request.customers.find(email: email)
        let stored = customer?.isActive == true ? customer?.passwordHash : nil
        let verified = try await ThrottledPasswordCheck(request: request, scope: "").verify(email: email, password: password, against: stored)
        guard verified, let customer, let stored else {
            try await request.auditLog.record(.loginFailed, at: now, customerID: customer?.id, clientAddress: request.clientAddress)
            request.logger.info("store login refused", metadata: ["client": .string(request.clientAddress)])
            return try await render(request, status: .unauthorized, returnTo: returnTo, email: email,
                                    error: "The email or password is not right.")
        }
        if stored.needsRehash {
            let hasher = request.storeIdP.hasher
            let fresh = try await request.application.threadPool.runIfActive { try hasher.hash(password) }
            try await request.customers.replacePasswordHash(of: customer.id, with: .bcrypt(fresh), now: now)
        }
        try await request.auditLog.record(.login, at: now, customerID: customer.id, clientAddress: request.clientAddress)
        request.storeSession.state.signIn(customer, method: .password, at: now, sessionIndex: IdentifierGenerator.samlID())
        request.logger.info("store login", metadata: ["customer": .string(customer.id.uuidString)])
        return request.redirect(to: returnTo.path, redirectType: .normal)
    }

    /// `POST /logout`: the store session ends, and every SAML partner of it is told (`SAMLLogout`).
    func logout(_ request: Request) async throws -> Response {
        try request.requireBodySize(atMost: Self.maximumBodySize)
        let form = try request.content.decode(LoginForm.self)
        guard CSRFToken.accepts(form.csrf, from: request) else {
            throw PageError(.forbidden, "This sign-out form has expired. Please reload the page and try again.")
        }
        let flow = SAMLLogout(context: request.signOnContext)
        return try await signOnFlow { try await request.withSignOnSession { try await flow.customerRequested(session: &$0) } }
            .response(for: request)
    }

    private func render(_ request: Request, status: HTTPStatus, returnTo: ReturnPath, email: String, error: String?) async throws -> Response {
        let page = LoginPage(csrf: CSRFToken.token(for: request), returnTo: returnTo.path,
                             email: String(email.prefix(EmailAddress.maximumLength)), error: error)
        let response = try await request.view.render("login", page).encodeResponse(for: request)
        response.status = status
        return response
    }
}

/// A bcrypt hash of a random secret at the same cost as real hashes: what `PasswordCheck` spends
/// its verification on when there is no real hash to check, so that timing does not reveal which
/// emails are customers.
enum DecoyHash {
    static let value: String = (try? Bcrypt.hash(IdentifierGenerator.secret(), cost: BcryptPasswordHasher.cost)) ?? ""
}
