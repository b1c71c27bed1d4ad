import Foundation
import StoreIdPCore
import Vapor

/// An admin API refusal as JSON: `{"error": code, "message": text, "field": place}`. Validation
/// errors are 422 and name the field and the bad value in the same words as `providers apply`.
struct AdminAPIError: AbortError {
    let status: HTTPResponseStatus
    let code: String
    let message: String
    let field: String?
    var headers: HTTPHeaders = [:]

    var reason: String { message }

    init(_ status: HTTPResponseStatus, _ code: String, _ message: String, field: String? = nil, headers: HTTPHeaders = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    static func validation(_ error: ProviderValidationError) -> AdminAPIError {
        AdminAPIError(.unprocessableEntity, "invalid", error.description, field: error.path)
    }

    static func notFound(_ what: String) -> AdminAPIError { AdminAPIError(.notFound, "not_found", "\(what) does not exist") }
}

/// Turns every error under `/admin/api` into the JSON shape above, so a script never parses an
/// HTML page; what is not an `AdminAPIError` keeps its status with a generic code.
struct AdminAPIErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let error as AdminAPIError {
            return Self.response(error)
        } catch let error as ProviderValidationError {
            return Self.response(.validation(error))
        } catch let error as any AbortError {
            let code = error.status == .payloadTooLarge ? "too_large" : error.status.code < 500 ? "bad_request" : "unavailable"
            let message = error.status.code < 500 ? error.reason : "the request could not be completed"
            return Self.response(AdminAPIError(error.status, code, message, headers: error.headers))
        } catch let error where DatabaseAvailability.isUnavailable(error) {
            return Self.response(AdminAPIError(.serviceUnavailable, "unavailable", "the database cannot be reached right now",
                                               headers: ["Retry-After": String(DatabaseAvailability.retryAfterSeconds)]))
        } catch let error as DecodingError {
            return Self.response(AdminAPIError(.badRequest, "bad_json", "the body is not the JSON this route takes: \(Self.describe(error))"))
        } catch {
            request.logger.error("admin API failure", metadata: ["error": .string(String(describing: error).prefix(300).description)])
            return Self.response(AdminAPIError(.internalServerError, "internal", "the request could not be completed"))
        }
    }

    static func response(_ error: AdminAPIError) -> Response {
        var body: [String: String] = ["error": error.code, "message": error.message]
        if let field = error.field { body["field"] = field }
        let response = Response(status: error.status, headers: error.headers)
        response.body = .init(data: (try? JSONEncoder().encode(body)) ?? Data())
        response.headers.contentType = .json
        return response
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .dataCorrupted(context), let .typeMismatch(_, context), let .valueNotFound(_, context), let .keyNotFound(_, context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : path + ": ") + context.debugDescription.prefix(200)
        @unknown default:
            return "unreadable"
        }
    }
}
