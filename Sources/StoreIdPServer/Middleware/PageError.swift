import Vapor

/// A refusal shown to a person: a status code and a sentence that says what happened and what to
/// do. Rendered by `ErrorPageMiddleware` on the error page.
struct PageError: AbortError {
    let status: HTTPResponseStatus
    let reason: String
    let headers: HTTPHeaders
    /// The provider's `storefront_return_url`: a way back to the store from the error page.
    let returnURL: String?

    init(_ status: HTTPResponseStatus, _ message: String, headers: HTTPHeaders = [:], returnURL: String? = nil) {
        self.status = status
        self.reason = message
        self.headers = headers
        self.returnURL = returnURL
    }
}
