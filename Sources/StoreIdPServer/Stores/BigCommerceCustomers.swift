import Foundation
import SignOn
import StoreIdPCore
import Vapor

/// Finds or creates the customer in a BigCommerce store through the Customers v3 API
/// (`GET /stores/{hash}/v3/customers?email:in=…`, `POST /stores/{hash}/v3/customers`,
/// header `X-Auth-Token`), JIT-provisioning them from the provider's payload.
struct BigCommerceCustomers: BigCommerceCustomerAPI {
    typealias Failure = BigCommerceAPIFailure

    let client: any Client
    /// Where `api_token_env` is resolved.
    let environment: [String: String]

    private func customersURL(_ settings: ServiceProvider.BigCommerceSettings) -> String {
        "\(settings.apiURL)/stores/\(settings.storeHash)/v3/customers"
    }

    private func headers(_ settings: ServiceProvider.BigCommerceSettings) throws(Failure) -> HTTPHeaders {
        let token: String
        do { token = String(decoding: try settings.apiToken.resolve(environment: environment), as: UTF8.self) } catch { throw .noAPIToken }
        return ["X-Auth-Token": token, "Accept": "application/json", "Content-Type": "application/json"]
    }

    func customerID(email: String, settings: ServiceProvider.BigCommerceSettings) async throws(Failure) -> Int? {
        try await find(email: email, settings: settings)
    }

    func createCustomer(email: String, payload: ProvisioningPayload, settings: ServiceProvider.BigCommerceSettings) async throws(Failure) -> Int {
        try await create(payload: payload, email: email, settings: settings)
    }

    private struct Listing: Decodable {
        struct Entry: Decodable { let id: Int; let email: String? }
        let data: [Entry]
    }

    /// The BigCommerce id of the customer with this email, or nil when the store has none.
    func find(email: String, settings: ServiceProvider.BigCommerceSettings) async throws(Failure) -> Int? {
        var components = URLComponents(string: customersURL(settings))
        components?.queryItems = [URLQueryItem(name: "email:in", value: email)]
        // URLComponents leaves "+" as is, and query strings decode "+" as a space (WHATWG URL,
        // application/x-www-form-urlencoded): `ann+b2b@…` would be looked up as `ann b2b@…`.
        let encoded = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = encoded
        let response = try await send(.GET, components?.string ?? customersURL(settings), body: nil, settings: settings)
        let listing: Listing
        do { listing = try JSONDecoder().decode(Listing.self, from: Data(buffer: response.body ?? ByteBuffer())) } catch {
            throw .unavailable("an unreadable customer listing")
        }
        let matches = listing.data.filter { ($0.email ?? email).lowercased() == email.lowercased() }
        guard matches.count <= 1 else { throw .ambiguous(count: matches.count) }
        return matches.first?.id
    }

    /// Creates the customer from the payload (email, first_name, last_name, phone, company,
    /// customer_group_id when mapped) and returns its id.
    func create(payload: ProvisioningPayload, email: String, settings: ServiceProvider.BigCommerceSettings) async throws(Failure) -> Int {
        var record: [String: Any] = ["email": email]
        for value in payload.values {
            guard let first = value.values.first else { continue }
            switch value.name {
            case "email": record["email"] = first
            case "customer_group_id":
                if let number = Int(first) { record["customer_group_id"] = number }
            case "first_name", "last_name", "phone", "company", "notes", "tax_exempt_category":
                record[value.name] = first
            default: continue
            }
        }
        record["first_name"] = record["first_name"] ?? "-"
        record["last_name"] = record["last_name"] ?? "-"
        let body: Data
        do { body = try JSONSerialization.data(withJSONObject: [record], options: [.sortedKeys]) } catch { throw .refused("the payload is not JSON") }
        let response = try await send(.POST, customersURL(settings), body: body, settings: settings)
        guard let listing = try? JSONDecoder().decode(Listing.self, from: Data(buffer: response.body ?? ByteBuffer())), let created = listing.data.first else {
            throw .unavailable("an unreadable answer to the customer creation")
        }
        return created.id
    }

    private func send(_ method: HTTPMethod, _ url: String, body: Data?, settings: ServiceProvider.BigCommerceSettings) async throws(Failure) -> ClientResponse {
        let headers = try headers(settings)
        let response: ClientResponse
        do {
            response = try await client.send(method, headers: headers, to: URI(string: url)) { request in
                if let body { request.body = ByteBuffer(data: body) }
                request.timeout = .seconds(10)
            }
        } catch {
            throw .unavailable(String(describing: error).prefix(200).description)
        }
        switch response.status.code {
        case 200..<300: return response
        case 401, 403: throw .unauthorized
        case 429:
            let reset = response.headers.first(name: "X-Rate-Limit-Time-Reset-Ms").flatMap(Int.init).map { ($0 + 999) / 1000 }
            throw .rateLimited(retryAfterSeconds: reset ?? response.headers.first(name: "Retry-After").flatMap(Int.init))
        case 400..<500:
            let text = response.body.map { String(buffer: $0) } ?? ""
            throw .refused("HTTP \(response.status.code) \(text.prefix(200))")
        default:
            throw .unavailable("HTTP \(response.status.code)")
        }
    }
}
