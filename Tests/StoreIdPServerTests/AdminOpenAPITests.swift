import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest
import XCTVapor

/// The admin API's OpenAPI document matches the server: every registered route is documented,
/// every documented operation exists, and each answers its example (and a request without a
/// token) with a status the document lists.
final class AdminOpenAPITests: XCTestCase {
    static let adminToken = "admin-token-0123456789-abcdefghijklmnop"
    var test: TestApplication!
    var customerID: UUID!

    override func setUp() async throws {
        test = try await TestApplication.make { $0.adminToken = Self.adminToken }
        customerID = try await test.addCustomer(email: "ann@shop.example", password: nil).id
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    struct Operation {
        let method: String
        let path: String
        let item: [String: Any]
        let operation: [String: Any]
    }

    private func document() async throws -> [String: Any] {
        let response = try await test.app.sendRequest(.GET, "/admin/api/v1/openapi.json", headers: ["Authorization": "Bearer \(Self.adminToken)"])
        XCTAssertEqual(response.status, .ok)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    private func operations(_ document: [String: Any]) throws -> [Operation] {
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
        var result: [Operation] = []
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let operation = item[method] as? [String: Any] { result.append(Operation(method: method, path: path, item: item, operation: operation)) }
            }
        }
        // Creations first, removals last, so every operation finds what it needs.
        let rank = ["post": 0, "get": 1, "put": 2, "patch": 2, "delete": 3]
        return result.sorted { (rank[$0.method]!, $0.path.count, $0.path) < (rank[$1.method]!, $1.path.count, $1.path) }
    }

    private func resolve(_ parameter: Any, in document: [String: Any]) -> [String: Any]? {
        guard let object = parameter as? [String: Any] else { return nil }
        guard let ref = object["$ref"] as? String else { return object }
        let name = ref.components(separatedBy: "/").last ?? ""
        return ((document["components"] as? [String: Any])?["parameters"] as? [String: Any])?[name] as? [String: Any]
    }

    func testEveryRouteIsDocumentedAndAnswersAsDocumented() async throws {
        let document = try await document()
        XCTAssertEqual(document["openapi"] as? String, "3.1.0")
        let operations = try operations(document)

        // Registered routes ⇔ documented operations.
        let registered = Set(test.app.routes.all.compactMap { route -> String? in
            let components = route.path.map(\.description)
            guard components.starts(with: ["admin", "api", "v1"]) else { return nil }
            let rest = components.dropFirst(3).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 }
            return route.method.rawValue.lowercased() + " /" + rest.joined(separator: "/")
        })
        let documented = Set(operations.map { "\($0.method) \($0.path)" })
        XCTAssertEqual(registered, documented, "routes and document differ")

        for operation in operations {
            var path = operation.path
            var query: [String] = []
            let parameters = ((operation.item["parameters"] as? [Any]) ?? []) + ((operation.operation["parameters"] as? [Any]) ?? [])
            for parameter in parameters.compactMap({ resolve($0, in: document) }) {
                let name = parameter["name"] as? String ?? ""
                var value = parameter["example"].map { "\($0)" } ?? ""
                if name == "id" { value = customerID.uuidString }
                if parameter["in"] as? String == "path" { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
                if parameter["in"] as? String == "query", !value.isEmpty { query.append("\(name)=\(Browser.escape(value))") }
            }
            let url = "/admin/api/v1" + path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
            var headers: HTTPHeaders = ["Authorization": "Bearer \(Self.adminToken)"]
            var body: ByteBuffer?
            let content = ((operation.operation["requestBody"] as? [String: Any])?["content"] as? [String: Any]) ?? [:]
            if let json = content["application/json"] as? [String: Any], let example = json["example"] {
                headers.contentType = .json
                body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: example))
            } else if let (type, media) = content.first(where: { ($0.value as? [String: Any])?["example"] is String }),
                      let example = (media as? [String: Any])?["example"] as? String {
                headers.replaceOrAdd(name: .contentType, value: type)
                body = ByteBuffer(string: example)
            }
            let responses = try XCTUnwrap(operation.operation["responses"] as? [String: Any], "\(operation.method) \(operation.path)")
            let method = HTTPMethod(rawValue: operation.method.uppercased())
            let answer = try await test.app.sendRequest(method, url, headers: headers, body: body)
            XCTAssertNotNil(responses[String(answer.status.code)], "\(operation.method) \(url) answered \(answer.status.code): \(answer.body.string.prefix(300))")
            XCTAssertLessThan(answer.status.code, 500, "\(operation.method) \(url)")
            if answer.status.code >= 400 { XCTAssertEqual(answer.headers.contentType, .json, "\(operation.method) \(url)") }
            let anonymous = try await test.app.sendRequest(method, url)
            XCTAssertEqual(anonymous.status, .unauthorized, "\(operation.method) \(url) without a token")
            XCTAssertNotNil(responses["401"], "\(operation.method) \(operation.path) documents 401")
        }
    }
}
