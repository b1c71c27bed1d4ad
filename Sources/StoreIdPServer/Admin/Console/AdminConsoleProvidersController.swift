import Foundation
import SignOn
import StoreIdPCore
import Vapor

/// The console's partners pages: the list, registration from SAML metadata (upload or URL) or
/// from a form per protocol, one partner's registration with a payload preview, and removal.
/// Every change goes through `ProviderAdministration`, as the API's and the CLI's do.
struct AdminConsoleProvidersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let providers = routes.grouped("admin", "providers").grouped(AdminConsoleAuthenticator())
        providers.get(use: list)
        providers.on(.POST, body: .collect(maxSize: "256kb"), use: register)
        providers.on(.POST, "metadata", body: .collect(maxSize: AdminProvidersController.metadataUploadLimit), use: registerMetadata)
        providers.get(":slug", use: show)
        providers.on(.POST, ":slug", "delete", body: .collect(maxSize: "16kb"), use: remove)
    }

    struct ListPage: Encodable {
        struct Row: Encodable {
            let slug: String
            let name: String
            let kind: String
            let identifier: String
        }
        let title = "Partners"
        let admin: String
        let csrf: String
        let providers: [Row]
        let error: String?
        let notice: String?
    }

    struct DetailPage: Encodable {
        let title: String
        let admin: String
        let csrf: String
        let slug: String
        let name: String
        let kind: String
        let definition: String
        let customer: String
        let preview: String?
        let error: String?
        let notice: String?
    }

    private func administration(_ request: Request) -> ProviderAdministration {
        ProviderAdministration(database: request.db, now: request.now, actor: request.adminIdentity.description)
    }

    func list(_ request: Request) async throws -> Response {
        let notice = request.query[String.self, at: "removed"].map { "Removed \($0)." }
        return try await renderList(request, status: .ok, error: nil, notice: notice)
    }

    private func renderList(_ request: Request, status: HTTPStatus, error: String?, notice: String?) async throws -> Response {
        let rows = try await ProviderDirectory(database: request.db).all().map { provider in
            ListPage.Row(slug: provider.slug, name: provider.name, kind: provider.protocolKind.rawValue,
                         identifier: provider.saml?.entityID ?? provider.oidc?.clientID ?? provider.effectiveAudience)
        }
        let page = ListPage(admin: request.adminIdentity.displayName, csrf: CSRFToken.token(for: request), providers: rows, error: error, notice: notice)
        let response = try await request.view.render("admin/providers", page).encodeResponse(for: request)
        response.status = status
        return response
    }

    /// `POST /admin/providers/metadata` (multipart): `metadata` file or `url`, `slug`, `name`.
    func registerMetadata(_ request: Request) async throws -> Response {
        struct Form: Content {
            var csrf: String?
            var slug: String?
            var name: String?
            var url: String?
            var metadata: File?
        }
        try request.requireBodySize(atMost: AdminProvidersController.metadataUploadLimit)
        let form = try request.content.decode(Form.self)
        try requireCSRF(form.csrf, request)
        let slug = (form.slug ?? "").trimmingWhitespace()
        var document: Data
        if let file = form.metadata, file.data.readableBytes > 0 {
            document = Data(file.data.readableBytesView)
        } else if let url = form.url?.trimmingWhitespace(), !url.isEmpty {
            let fetcher = MetadataFetcher(environment: request.storeIdP.environment)
            do { document = try await fetcher.fetch(url) } catch let refusal as MetadataFetcher.Refusal {
                return try await renderList(request, status: .unprocessableEntity, error: "url: \(refusal.reason)", notice: nil)
            }
        } else {
            return try await renderList(request, status: .unprocessableEntity, error: "Choose a metadata file or give its URL.", notice: nil)
        }
        return try await create(request) {
            try ProviderAdministration.provider(metadata: document, slug: slug, name: form.name?.trimmingWhitespace(), environment: request.storeIdP.environment)
        }
    }

    /// `POST /admin/providers`: the form of one protocol, turned into a providers.yml entry.
    func register(_ request: Request) async throws -> Response {
        try requireCSRF(request)
        let fields = try request.content.decode([String: String].self)
        return try await create(request) {
            let entry = try ProviderEntryForm.entry(fields)
            return try ProviderAdministration.provider(entryJSON: entry, registration: ProviderAdministration.apiRegistration(environment: request.storeIdP.environment))
        }
    }

    private func create(_ request: Request, _ make: () throws -> ServiceProvider) async throws -> Response {
        do {
            let provider = try make()
            try await administration(request).create(provider)
            return request.redirect(to: "/admin/providers/\(provider.slug)?created=1", redirectType: .normal)
        } catch let error as ProviderValidationError {
            return try await renderList(request, status: .unprocessableEntity, error: error.description, notice: nil)
        } catch ProviderAdministration.Failure.exists(let slug) {
            return try await renderList(request, status: .conflict, error: "provider.slug: '\(slug)' is already registered", notice: nil)
        }
    }

    func show(_ request: Request) async throws -> Response {
        let slug = request.parameters.get("slug") ?? ""
        guard ServiceProviderRegistration.isValidSlug(slug), let provider = try await ProviderDirectory(database: request.db).find(slug: slug) else {
            throw PageError(.notFound, "There is no partner with this name.")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let definition = String(decoding: try encoder.encode(provider), as: UTF8.self)
        let email = (request.query[String.self, at: "customer"] ?? "").trimmingWhitespace()
        var preview: String?
        var error: String?
        if !email.isEmpty {
            if let customer = try await request.customers.find(email: email) {
                preview = try PayloadPreview(customer: customer, provider: provider, factory: PayloadFactory(keys: request.storeIdP.keyRing),
                                             now: request.now, issuer: request.storeIdP.settings.issuer).json()
            } else {
                error = "No customer has the email \(email.prefix(254))."
            }
        }
        let page = DetailPage(title: provider.name, admin: request.adminIdentity.displayName, csrf: CSRFToken.token(for: request), slug: provider.slug,
                              name: provider.name, kind: provider.protocolKind.rawValue, definition: definition, customer: String(email.prefix(254)),
                              preview: preview, error: error,
                              notice: request.query[String.self, at: "created"] == "1" ? "Registered \(provider.slug)." : nil)
        let response = try await request.view.render("admin/provider", page).encodeResponse(for: request)
        response.status = error == nil ? .ok : .notFound
        return response
    }

    func remove(_ request: Request) async throws -> Response {
        try requireCSRF(request)
        let slug = request.parameters.get("slug") ?? ""
        do {
            try await administration(request).remove(slug: slug)
        } catch ProviderAdministration.Failure.missing {
            throw PageError(.notFound, "There is no partner with this name.")
        }
        return request.redirect(to: "/admin/providers?removed=\(slug)", redirectType: .normal)
    }
}

/// The console's registration forms, one per protocol, as the providers.yml entry they stand for.
enum ProviderEntryForm {
    static func entry(_ fields: [String: String]) throws(ProviderValidationError) -> Data {
        func value(_ name: String) -> String? {
            guard let text = fields[name]?.trimmingWhitespace(), !text.isEmpty else { return nil }
            return text
        }
        func list(_ name: String) -> [String]? {
            guard let text = value(name) else { return nil }
            return text.split(whereSeparator: { $0 == "\n" || $0 == "," || $0 == " " }).map(String.init).filter { !$0.isEmpty }
        }
        var entry: [String: Any] = [:]
        entry["slug"] = value("slug") ?? ""
        entry["name"] = value("name")
        let kind = value("protocol") ?? ""
        entry["protocol"] = kind
        var block: [String: Any] = [:]
        switch kind {
        case "saml":
            block["entity_id"] = value("entity_id")
            block["acs_urls"] = list("acs_urls")
            block["certificate"] = value("certificate")
            block["name_id"] = value("name_id")
            block["sign"] = value("sign")
        case "jwt":
            block["algorithm"] = value("algorithm") ?? ""
            block["redirect_url"] = value("redirect_url") ?? ""
            block["secret_env"] = value("secret_env")
            block["subject"] = value("subject")
        case "oidc":
            block["client_id"] = value("client_id") ?? ""
            block["client_secret_env"] = value("client_secret_env")
            block["redirect_uris"] = list("redirect_uris") ?? []
            block["post_logout_redirect_uris"] = list("post_logout_redirect_uris")
            block["subject"] = value("subject")
            if let b2c = value("azure_b2c_path") { block["azure_b2c_path"] = b2c }
        case "bigcommerce":
            block["store_url"] = value("store_url") ?? ""
            block["store_hash"] = value("store_hash") ?? ""
            block["client_id"] = value("client_id") ?? ""
            block["client_secret_env"] = value("client_secret_env")
            block["api_token_env"] = value("api_token_env")
        default:
            throw ProviderValidationError("provider.protocol", "choose saml, jwt, oidc or bigcommerce")
        }
        entry[kind] = block.compactMapValues { $0 }
        guard let data = try? JSONSerialization.data(withJSONObject: entry.compactMapValues { $0 }) else {
            throw ProviderValidationError("provider", "cannot be read")
        }
        return data
    }
}
