import Foundation

/// What a verified launch token may do to the customer it names: which customer it is bound to,
/// and which of its fields are applied. Pure: the caller looks the bindings and the customer up
/// and stores the outcome.
///
/// - A token's (`iss`, `sub`) is bound to one customer on first use. A pair bound to another
///   customer is refused, and a customer bound to another pair (another `sub`, or another
///   storefront) is refused: an email address alone never hands one storefront's customer to
///   another storefront, or to another account of the same storefront.
/// - A new customer is created from everything the token says. An existing customer takes the
///   names and phone from it, but `group`, `segments` and `company`, which decide what the
///   customer may reach (`AccessPolicy`), only from a storefront trusted with that field.
///
/// ```swift
/// let decision = try LaunchProfilePolicy.decide(issuer: token.iss, subject: token.sub, profile: token.profile,
///                                               storefront: storefront, existing: customer,
///                                               existingLinks: links, subjectLink: link)
/// ```
public enum LaunchProfilePolicy {
    /// Why a launch was refused, in words for the storefront's admin.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// (iss, sub) is already bound to another customer.
        case subjectBoundToAnotherCustomer(issuer: String, subject: String)
        /// The customer with the token's email is bound to another (iss, sub).
        case customerBoundToAnotherSubject(issuer: String, subject: String)

        public var description: String {
            switch self {
            case let .subjectBoundToAnotherCustomer(issuer, subject):
                return "the storefront '\(issuer.displaySafePrefix)' customer '\(subject.displaySafePrefix)' is already linked to another StoreIdP customer; an administrator must resolve the link"
            case let .customerBoundToAnotherSubject(issuer, subject):
                return "this email address belongs to a StoreIdP customer linked to another storefront account (storefront '\(issuer.displaySafePrefix)', customer '\(subject.displaySafePrefix)'); an administrator must resolve the link"
            }
        }
    }

    public struct Decision: Sendable, Equatable {
        /// The profile to create or refresh the customer with.
        public var profile: CustomerProfile
        /// Whether (iss, sub) must be bound to the customer now (first use); the store's atomic
        /// bind may still lose a race, which then refuses the launch.
        public var bindsNewLink: Bool
    }

    /// - Parameters:
    ///   - existing: the customer with the token's email, if there is one.
    ///   - existingLinks: every storefront link of `existing`.
    ///   - subjectLink: the link of (issuer, subject), if it is bound.
    public static func decide(issuer: String, subject: String, profile: CustomerProfile, storefront: Storefront,
                              existing: Customer?, existingLinks: [StorefrontLink],
                              subjectLink: StorefrontLink?) throws(Refusal) -> Decision {
        if let subjectLink, subjectLink.customerID != existing?.id {
            throw .subjectBoundToAnotherCustomer(issuer: issuer, subject: subject)
        }
        guard let existing else { return Decision(profile: profile, bindsNewLink: true) }
        let own = existingLinks.filter { $0.customerID == existing.id }
        if let other = own.first(where: { $0.issuer != issuer || $0.subject != subject }) {
            throw .customerBoundToAnotherSubject(issuer: other.issuer, subject: other.subject)
        }
        let alreadyBound = own.contains { $0.issuer == issuer && $0.subject == subject }
        return Decision(profile: trusted(profile, by: storefront), bindsNewLink: !alreadyBound)
    }

    /// The profile without the access-deciding fields the storefront is not trusted with, for a
    /// customer who already exists (nil leaves the stored value as it is).
    public static func trusted(_ profile: CustomerProfile, by storefront: Storefront) -> CustomerProfile {
        var profile = profile
        if !storefront.trustedFields.contains(.group) { profile.group = nil }
        if !storefront.trustedFields.contains(.segments) { profile.segments = nil }
        if !storefront.trustedFields.contains(.company) {
            profile.companyName = nil
            profile.companyVAT = nil
            profile.companyRole = nil
        }
        return profile
    }
}
