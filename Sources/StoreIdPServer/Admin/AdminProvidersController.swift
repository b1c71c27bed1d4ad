import Foundation
import SignOn
import StoreIdPCore
import Vapor

/// `/admin/api/v1/providers`: the service providers, with the providers file's rules. A body is
/// one `providers.yml` entry written as JSON (same keys); certificates are PEM text, since no
/// file on the server may be named over HTTP. Validation errors are 422 naming the field as
/// `providers apply` does.
struct AdminProvidersController: RouteCollection {
    static let metadataUploadLimit: ByteCount = "2mb"
    static let entryLimit: ByteCount = "256kb"

    func boot(routes: any RoutesBuilder) throws {
        let providers = routes.grouped("providers")
        providers.get(use: list)
        providers.on(.POST, body: .collect(maxSize: Self.entryLimit), use: create)
        providers.on(.POST, "metadata", body: .collect(maxSize: Self.metadataUploadLimit), use: importMetadata)
        providers.get(":slug", use: show)
        providers.on(.PUT, ":slug", body: .collect(maxSize: Self.entryLimit), use: replace)
        providers.delete(":slug", use: remove)
        providers.get(":slug", "preview", use: preview)
    }

    private func administration(_ request: Request) -> ProviderAdministration {
        ProviderAdministration(database: request.db, now: request.now, actor: request.adminIdentity.description)
    }

    func list(_ request: Request) async throws -> Response {
        try .adminJSON(["providers": try await ProviderDirectory(database: request.db).all()])
    }

    func show(_ request: Request) async throws -> Response {
        try .adminJSON(try await stored(request))
    }

    func create(_ request: Request) async throws -> Response {
        let provider = try entry(request, expectedSlug: nil)
        try await run { try await administration(request).create(provider) }
        return try .adminJSON(provider, status: .created)
    }

    func replace(_ request: Request) async throws -> Response {
        let slug = try slugParameter(request)
        let provider = try entry(request, expectedSlug: slug)
        let outcome = try await run { try await administration(request).replace(provider) }
        let response = try Response.adminJSON(provider)
        response.headers.replaceOrAdd(name: "StoreIdP-Outcome", value: outcome?.rawValue ?? "unchanged")
        return response
    }

    func remove(_ request: Request) async throws -> Response {
        let slug = try slugParameter(request)
        try await run { try await administration(request).remove(slug: slug) }
        return Response(status: .noContent)
    }

    func preview(_ request: Request) async throws -> Response {
        let provider = try await stored(request)
        guard let email = request.query[String.self, at: "customer"], !email.isEmpty else {
            throw AdminAPIError(.unprocessableEntity, "invalid", "customer: the email of the customer to preview is needed", field: "customer")
        }
        guard let customer = try await request.customers.find(email: email) else { throw AdminAPIError.notFound("customer '\(email.displaySafePrefix)'") }
        let preview = try PayloadPreview(customer: customer, provider: provider, factory: PayloadFactory(keys: request.storeIdP.keyRing),
                                         now: request.now, issuer: request.storeIdP.settings.issuer)
        return try .adminJSON(preview)
    }

    /// `POST /providers/metadata`: a SAML SP from its metadata, uploaded (multipart: `metadata`
    /// file, `slug`, optional `name`) or fetched (JSON `{"slug", "url", "name"?}`, see `MetadataFetcher`).
    func importMetadata(_ request: Request) async throws -> Response {
        struct Upload: Content {
            var metadata: File
            var slug: String
            var name: String?
        }
        struct Fetch: Content {
            var slug: String
            var url: String
            var name: String?
        }
        try request.requireBodySize(atMost: Self.metadataUploadLimit)
        let slug: String, name: String?, document: Data
        if request.headers.contentType?.type == "multipart" {
            let upload = try request.content.decode(Upload.self)
            (slug, name, document) = (upload.slug, upload.name, Data(upload.metadata.data.readableBytesView))
        } else if request.headers.contentType == .json {
            let fetch = try request.content.decode(Fetch.self)
            let fetcher = MetadataFetcher(environment: request.storeIdP.environment)
            do {
                document = try await fetcher.fetch(fetch.url)
            } catch let refusal as MetadataFetcher.Refusal {
                throw AdminAPIError(.unprocessableEntity, "invalid", "url: \(refusal.reason)", field: "url")
            }
            (slug, name) = (fetch.slug, fetch.name)
        } else {
            throw AdminAPIError(.unsupportedMediaType, "unsupported_media_type", "send multipart/form-data (metadata, slug, name) or JSON {slug, url, name}")
        }
        let provider: ServiceProvider
        do {
            provider = try ProviderAdministration.provider(metadata: document, slug: slug, name: name, environment: request.storeIdP.environment)
        } catch {
            throw AdminAPIError.validation(error)
        }
        try await run { try await administration(request).create(provider) }
        return try .adminJSON(provider, status: .created)
    }

    // MARK: helpers

    private func slugParameter(_ request: Request) throws -> String {
        let slug = request.parameters.get("slug") ?? ""
        guard ServiceProviderRegistration.isValidSlug(slug) else {
            throw AdminAPIError(.unprocessableEntity, "invalid", "slug: '\(slug.displaySafePrefix)' must be \(ServiceProviderRegistration.slugPattern)", field: "slug")
        }
        return slug
    }

    private func stored(_ request: Request) async throws -> ServiceProvider {
        let slug = try slugParameter(request)
        guard let provider = try await ProviderDirectory(database: request.db).find(slug: slug) else { throw AdminAPIError.notFound("provider '\(slug)'") }
        return provider
    }

    private func entry(_ request: Request, expectedSlug: String?) throws -> ServiceProvider {
        _ = try request.requireAdminMediaType(["application/json"], for: "a provider")
        let body = Data(try request.adminBodyBytes(atMost: Self.entryLimit))
        let provider: ServiceProvider
        do {
            provider = try ProviderAdministration.provider(entryJSON: body, registration: ProviderAdministration.apiRegistration(environment: request.storeIdP.environment))
        } catch {
            throw AdminAPIError.validation(error)
        }
        if let expectedSlug, provider.slug != expectedSlug {
            throw AdminAPIError(.unprocessableEntity, "invalid", "provider.slug: '\(provider.slug)' differs from the address's '\(expectedSlug)'", field: "provider.slug")
        }
        return provider
    }

    /// Maps the administration's refusals to statuses: 409 for a slug taken, 404 for a missing
    /// one, 422 for a protocol change or a conflict with another provider.
    @discardableResult
    private func run<T>(_ body: () async throws -> T) async throws -> T? {
        do {
            return try await body()
        } catch let failure as ProviderAdministration.Failure {
            switch failure {
            case let .exists(slug): throw AdminAPIError(.conflict, "conflict", "provider.slug: '\(slug)' is already registered", field: "provider.slug")
            case let .missing(slug): throw AdminAPIError.notFound("provider '\(slug)'")
            case let .protocolChange(from, to):
                throw AdminAPIError(.unprocessableEntity, "invalid", "provider.protocol: '\(to)' would change the protocol from '\(from)'; remove the provider and create it again",
                                    field: "provider.protocol")
            }
        } catch let error as ProviderValidationError {
            throw AdminAPIError.validation(error)
        }
    }
}
