import Foundation

/// `{"events": [...], "page": n, "per_page": 100, "has_more": bool}`; each event with every
/// key present (`null` when the row has no value).
struct AdminAuditPageJSON: Encodable, Sendable {
    struct Event: Encodable, Sendable {
        let kind: String
        let at: Date
        let provider: String?
        let customer_id: String?
        let subject: String?
        let client_address: String?
        let detail: String?

        init(_ entry: AuditLog.Entry) {
            kind = entry.kind
            at = entry.at
            provider = entry.serviceProvider
            customer_id = entry.customerID?.uuidString.lowercased()
            subject = entry.subjectID
            client_address = entry.clientAddress
            detail = entry.detail
        }

        private enum Keys: String, CodingKey { case kind, at, provider, customer_id, subject, client_address, detail }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(at, forKey: .at)
            try container.encode(provider, forKey: .provider)
            try container.encode(customer_id, forKey: .customer_id)
            try container.encode(subject, forKey: .subject)
            try container.encode(client_address, forKey: .client_address)
            try container.encode(detail, forKey: .detail)
        }
    }

    let events: [Event]
    let page: Int
    let per_page: Int
    let has_more: Bool
}
