import Vapor

/// The OpenAPI 3.1 document of the admin API.
enum AdminOpenAPI {
    static func response() -> Response {
        let response = Response(status: .ok, body: .init(string: "{}"))
        response.headers.contentType = .json
        return response
    }
}
