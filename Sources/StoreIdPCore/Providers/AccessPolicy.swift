/// Which customers may use a service provider.
///
/// No rule: every active customer. Once any rule is set, a customer must match every dimension
/// that has a rule (one of its values): deny by default. Disabled customers never pass.
public struct AccessPolicy: Sendable, Hashable, Codable {
    public var groups: [String]?
    public var segments: [String]?
    public var companies: [String]?
    public var statuses: [Customer.Status]?

    public init(groups: [String]? = nil, segments: [String]? = nil, companies: [String]? = nil, statuses: [Customer.Status]? = nil) {
        self.groups = groups
        self.segments = segments
        self.companies = companies
        self.statuses = statuses
    }

    public struct Decision: Sendable, Hashable {
        public let allowed: Bool
        /// Which rule let the customer in or kept them out, in words.
        public let reason: String
    }

    public func decision(for customer: Customer) -> Decision {
        let statuses = self.statuses ?? [.active]
        guard statuses.contains(customer.status) else {
            return Decision(allowed: false, reason: "status \(customer.status.rawValue) is not allowed")
        }
        var reasons: [String] = []
        if let groups {
            guard let group = customer.group, groups.contains(group) else {
                return Decision(allowed: false, reason: "group \(customer.group ?? "(none)") is not one of \(groups.joined(separator: ", "))")
            }
            reasons.append("group \(group)")
        }
        if let segments {
            guard let segment = customer.segments.first(where: segments.contains) else {
                return Decision(allowed: false, reason: "no segment among \(segments.joined(separator: ", "))")
            }
            reasons.append("segment \(segment)")
        }
        if let companies {
            guard let company = customer.company.name, companies.contains(company) else {
                return Decision(allowed: false, reason: "company \(customer.company.name ?? "(none)") is not one of \(companies.joined(separator: ", "))")
            }
            reasons.append("company \(company)")
        }
        return Decision(allowed: true, reason: reasons.isEmpty ? "no access rule: every active customer" : reasons.joined(separator: ", ") + " allowed")
    }
}
