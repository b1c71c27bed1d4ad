import Fluent
import Foundation
import StoreIdPCore

/// `storefront_links`: the (iss, sub) of a storefront's launch tokens bound to one customer on
/// first use (see `LaunchProfilePolicy`). Unique on (issuer, subject) and on (issuer, customer_id),
/// so the database, not a read-then-write, decides a race between two first launches.
final class StorefrontLinkRecord: Model, @unchecked Sendable {
    static let schema = "storefront_links"

    @ID(key: .id) var id: UUID?
    @Field(key: "issuer") var issuer: String
    @Field(key: "subject") var subject: String
    @Field(key: "customer_id") var customerID: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var link: StorefrontLink { StorefrontLink(issuer: issuer, subject: subject, customerID: customerID) }
}
