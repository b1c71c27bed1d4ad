import Foundation
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// Calls `/admin/api/v1` the way a script would: a bearer token, a body with its media type,
/// and the JSON answer read back as plain objects (what any client sees, not our own types).
struct AdminAPITestClient {
    static let token = "admin-token-for-tests-0123456789abcdef"

    let app: Application
    var token: String? = AdminAPITestClient.token

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String? = "application/json",
              headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(method, path, bytes: body.map { ByteBuffer(string: $0) }, contentType: contentType, headers: extra)
    }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, bytes: ByteBuffer?, contentType: String? = "application/json",
              headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers = extra
        if let token { headers.replaceOrAdd(name: .authorization, value: "Bearer \(token)") }
        if bytes != nil, let contentType { headers.replaceOrAdd(name: .contentType, value: contentType) }
        return try await app.sendRequest(method, "/admin/api/v1" + path, headers: headers, body: bytes)
    }

    /// The answer as a JSON object.
    static func object(_ response: TestingHTTPResponse, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        XCTAssertEqual(response.headers.contentType?.subType, "json", "every admin answer is JSON", file: file, line: line)
        let value = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
        return try XCTUnwrap(value as? [String: Any], "not a JSON object: \(response.body.string.prefix(300))", file: file, line: line)
    }

    /// Checks an error answer: its status, `error` code and `field`.
    static func assertError(_ response: TestingHTTPResponse, _ status: HTTPResponseStatus, _ code: String, field: String? = nil,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(response.status, status, response.body.string.prefix(300).description, file: file, line: line)
        let body = try object(response, file: file, line: line)
        XCTAssertEqual(body["error"] as? String, code, file: file, line: line)
        XCTAssertEqual(body["field"] as? String, field, "field", file: file, line: line)
        XCTAssertFalse((body["message"] as? String ?? "").isEmpty, "a message says what is wrong", file: file, line: line)
    }
}
