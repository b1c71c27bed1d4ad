import Foundation
import SQLKit
import StoreIdPCore
import Vapor

/// The admin console under `/admin`: Leaf pages, no script. Sign-in for admin accounts (the store
/// login's throttle and one bcrypt verification on every path), the dashboard and the keys page.
/// Partners, customers and the audit log have their own controllers. Every form carries the
/// CSRF token; every value is shown through Leaf's escaping.
struct AdminConsoleController: RouteCollection {
    static let bodyLimit: ByteCount = "16kb"

    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get("login", use: loginForm)
        admin.on(.POST, "login", body: .collect(maxSize: Self.bodyLimit), use: login)
        let console = admin.grouped(AdminConsoleAuthenticator())
        console.on(.POST, "logout", body: .collect(maxSize: Self.bodyLimit), use: logout)
        console.get(use: dashboard)
        console.get("keys", use: keys)
        console.on(.POST, "keys", "rotate", body: .collect(maxSize: Self.bodyLimit), use: rotate)
    }

    // MARK: sign-in

    /// The store login's page and form shapes, with the console's title.
    typealias LoginForm = LoginController.LoginForm

    func loginForm(_ request: Request) async throws -> Response {
        try await renderLogin(request, status: .ok, email: "", returnTo: Self.returnPath(request.query[String.self, at: "return_to"]), error: nil)
    }

    func login(_ request: Request) async throws -> Response {
        try request.requireBodySize(atMost: Self.bodyLimit)
        let form = try request.content.decode(LoginForm.self)
        guard CSRFToken.accepts(form.csrf, from: request) else {
            throw PageError(.forbidden, "This sign-in form has expired. Please reload the page and try again.")
        }
        let email = (form.email ?? "").trimmingWhitespace()
        let returnTo = Self.returnPath(form.return_to)
        let now = request.now
        let account = try await AdminAccounts(database: request.db).account(email: email)
        let verified = try await ThrottledPasswordCheck(request: request, scope: "admin:")
            .verify(email: email, password: form.password ?? "", against: account.map { .bcrypt($0.passwordHash) })
        guard verified, let account else {
            try await request.auditLog.record(.adminLoginFailed, at: now, subjectID: "admin:\(email.lowercased().prefix(254))", clientAddress: request.clientAddress)
            return try await renderLogin(request, status: .unauthorized, email: email, returnTo: returnTo, error: "The email or password is not right.")
        }
        let id = try await AdminSessions(database: request.db).start(for: account, now: now)
        try await request.auditLog.record(.adminLogin, at: now, subjectID: "admin:\(account.email)", clientAddress: request.clientAddress)
        let response = request.redirect(to: returnTo, redirectType: .normal)
        let secure = request.storeIdP.settings.usesHTTPS
        response.cookies[AdminSessions.cookieName(secure: secure)] = HTTPCookies.Value(
            string: id, expires: nil, maxAge: Int(AdminSessions.absoluteTimeout), domain: nil, path: secure ? "/" : "/admin",
            isSecure: secure, isHTTPOnly: true, sameSite: .strict)
        return response
    }

    func logout(_ request: Request) async throws -> Response {
        try requireCSRF(request)
        let name = AdminSessions.cookieName(secure: request.storeIdP.settings.usesHTTPS)
        if let id = request.cookies[name]?.string { try await AdminSessions(database: request.db).end(id: id) }
        let response = request.redirect(to: "/admin/login", redirectType: .normal)
        response.cookies[name] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: request.storeIdP.settings.usesHTTPS ? "/" : "/admin",
                                                   isSecure: request.storeIdP.settings.usesHTTPS, isHTTPOnly: true, sameSite: .strict)
        return response
    }

    /// Only a path under `/admin` is a place to return to after the sign-in.
    static func returnPath(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/admin"), !raw.hasPrefix("/admin/login"), raw.utf8.count <= 512,
              !raw.contains("//"), !raw.contains("\\"), !raw.unicodeScalars.contains(where: { $0.value < 0x21 }) else { return "/admin" }
        return raw
    }

    private func renderLogin(_ request: Request, status: HTTPStatus, email: String, returnTo: String, error: String?) async throws -> Response {
        let page = LoginController.LoginPage(title: "Admin sign-in", csrf: CSRFToken.token(for: request), returnTo: returnTo,
                                             email: String(email.prefix(EmailAddress.maximumLength)), error: error)
        let response = try await request.view.render("admin/login", page).encodeResponse(for: request)
        response.status = status
        return response
    }

    // MARK: dashboard

    struct DashboardPage: Encodable {
        let title = "Dashboard"
        let admin: String
        let csrf: String
        let chart: String
        let total: Int
        let providers: Int
        let customers: Int
    }

    /// Sign-ins per partner over the last 24 hours, as an SVG drawn here.
    func dashboard(_ request: Request) async throws -> View {
        // Sign-ins still waiting in this node's batch are counted too.
        if let buffer = request.storeIdP.auditBuffer { try await buffer.flush(to: request.db) }
        let since = request.now.addingTimeInterval(-24 * 3600)
        let kinds: [AuditEvent.Kind] = [.samlResponse, .jwtIssued, .bigCommerceLogin, .oidcTokensIssued]
        let sql = try request.db.sql
        let rows = try await sql.select().column("service_provider").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "signins")
            .from(AuditEventRecord.schema)
            .where("occurred_at", .greaterThanOrEqual, SQLBind(since))
            .where("kind", .in, SQLBind.group(kinds.map(\.rawValue)))
            .groupBy("service_provider").all()
        let counts = try rows.map { (try $0.decode(column: "service_provider", as: String?.self) ?? "—", try $0.decode(column: "signins", as: Int.self)) }
            .sorted { $0.1 > $1.1 }
        let providers = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(ServiceProviderRecord.schema).first()?
            .decode(column: "n", as: Int.self) ?? 0
        let customers = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("customers").first()?
            .decode(column: "n", as: Int.self) ?? 0
        return try await request.view.render("admin/dashboard", DashboardPage(
            admin: request.adminIdentity.displayName, csrf: CSRFToken.token(for: request), chart: SignInChart.svg(counts),
            total: counts.reduce(0) { $0 + $1.1 }, providers: providers, customers: customers))
    }

    // MARK: keys

    struct KeysPage: Encodable {
        struct Row: Encodable {
            let kid: String
            let algorithm: String
            let state: String
            let notAfter: String
            let published: Bool
        }
        let title = "Signing keys"
        let admin: String
        let csrf: String
        let keys: [Row]
        let notice: String?
    }

    func keys(_ request: Request) async throws -> View {
        let ring = try request.storeIdP.keyRing.current()
        let published = Set(ring.published(at: request.now).map(\.kid))
        let rows = ring.keys.map {
            KeysPage.Row(kid: $0.kid, algorithm: $0.algorithm.rawValue, state: $0.state.rawValue, notAfter: Timestamp.iso8601($0.notAfter),
                         published: published.contains($0.kid))
        }
        let notice = request.query[String.self, at: "rotated"] == "1" ? "Rotated: the next keys are now active." : nil
        return try await request.view.render("admin/keys", KeysPage(admin: request.adminIdentity.displayName, csrf: CSRFToken.token(for: request),
                                                                    keys: rows, notice: notice))
    }

    func rotate(_ request: Request) async throws -> Response {
        try requireCSRF(request)
        let now = request.now
        _ = try await request.storeIdP.keyRing.rotate(now: now, on: request.db, audit: request.auditLog, actor: request.adminIdentity.description)
        return request.redirect(to: "/admin/keys?rotated=1", redirectType: .normal)
    }
}

/// Refuses a console form without this browser's CSRF token (403).
func requireCSRF(_ request: Request) throws {
    struct Token: Decodable { var csrf: String? }
    try requireCSRF((try? request.content.decode(Token.self))?.csrf, request)
}

/// Refuses a console form whose `csrf` field (already decoded with the rest of the form) is not
/// this browser's token (403).
func requireCSRF(_ token: String?, _ request: Request) throws {
    guard CSRFToken.accepts(token, from: request) else {
        throw PageError(.forbidden, "This form has expired or did not come from this console. Please reload the page and try again.")
    }
}

/// The dashboard's bar chart: one bar per partner, drawn as SVG on the server; every label is
/// escaped, since slugs come from admins' input.
enum SignInChart {
    static func svg(_ counts: [(String, Int)]) -> String {
        let rows = Array(counts.prefix(12))
        let width = 640, rowHeight = 28, labelWidth = 180
        let height = max(rowHeight * max(rows.count, 1) + 10, 48)
        let maximum = max(rows.map(\.1).max() ?? 1, 1)
        var svg = "<svg id=\"signins-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"Sign-ins per partner, last 24 hours\">"
        if rows.isEmpty {
            svg += "<text x=\"0\" y=\"28\" font-size=\"14\" fill=\"#57534e\">No sign-ins in the last 24 hours.</text>"
        }
        for (index, (label, count)) in rows.enumerated() {
            let y = index * rowHeight + 5
            let bar = max(2, (width - labelWidth - 60) * count / maximum)
            svg += "<text x=\"0\" y=\"\(y + 18)\" font-size=\"13\">\(HTMLText.escaped(String(label.prefix(28))))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(bar)\" height=\"18\" fill=\"#1d4ed8\"/>"
            svg += "<text x=\"\(labelWidth + bar + 6)\" y=\"\(y + 18)\" font-size=\"13\">\(count)</text>"
        }
        return svg + "</svg>"
    }
}
