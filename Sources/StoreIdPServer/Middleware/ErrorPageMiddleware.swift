import Vapor

/// Turns every error into an HTML error page with the right status code.
///
/// Messages come from `PageError` (written for people) or from a fixed sentence per status;
/// a 5xx never shows what failed inside (that goes to the log), and nothing a client sent is
/// echoed unescaped: the page is a Leaf template, which escapes every value.
struct ErrorPageMiddleware: AsyncMiddleware {
    struct ErrorPage: Encodable {
        let title: String
        let status: UInt
        let message: String
        let returnURL: String?
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return await page(for: error, request: request)
        }
    }

    func page(for error: any Error, request: Request) async -> Response {
        let status: HTTPResponseStatus
        let message: String
        var headers: HTTPHeaders = [:]
        var returnURL: String?
        switch error {
        case let page as PageError:
            status = page.status
            message = page.reason
            headers = page.headers
            returnURL = page.returnURL
        case let abort as any AbortError:
            status = abort.status
            message = Self.standardMessage(for: abort.status)
            headers = abort.headers
        case is DecodingError:
            status = .badRequest
            message = Self.standardMessage(for: .badRequest)
        case _ where DatabaseAvailability.isUnavailable(error):
            status = .serviceUnavailable
            message = "The sign-in service cannot reach its database right now. Please try again in a moment."
            headers.replaceOrAdd(name: "Retry-After", value: String(DatabaseAvailability.retryAfterSeconds))
        default:
            status = .internalServerError
            message = Self.standardMessage(for: .internalServerError)
        }
        if status == .serviceUnavailable, DatabaseAvailability.isUnavailable(error) {
            request.logger.warning("database unavailable", metadata: ["error": .string(String(describing: type(of: error)))])
        } else if status.code >= 500 {
            request.logger.report(error: error)
        } else {
            request.logger.debug("refused request", metadata: ["status": .stringConvertible(status.code)])
        }
        let body = ErrorPage(title: status.reasonPhrase, status: status.code, message: message, returnURL: returnURL)
        let response: Response
        do {
            response = try await request.view.render("error", body).encodeResponse(for: request)
        } catch {
            response = Response(body: .init(string: "\(status.code) \(status.reasonPhrase)\n"))
            response.headers.contentType = .plainText
        }
        response.status = status
        for (name, value) in headers where name.lowercased() != "content-type" && name.lowercased() != "content-length" {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        return response
    }

    static func standardMessage(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: return "The request could not be understood."
        case 401: return "Please sign in."
        case 403: return "You may not use this page."
        case 404: return "There is no page at this address."
        case 405: return "This page does not accept that kind of request."
        case 413: return "The request is too large."
        case 415: return "The request's content type is not supported."
        case 422: return "The request could not be processed."
        case 429: return "Too many requests. Please wait a moment and try again."
        case 400..<500: return "The request was refused."
        default: return "Something went wrong on our side. Please try again in a moment."
        }
    }
}
