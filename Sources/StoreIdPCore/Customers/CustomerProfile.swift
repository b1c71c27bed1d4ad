import Foundation

/// What a source (the command line, an import row, a launch token) says about a customer.
///
/// Each field is optional: `nil` means the source did not mention it and the stored value
/// stays; an empty string or empty list means the source cleared it. Applying the same profile
/// twice changes nothing the second time, which is what makes imports idempotent.
public struct CustomerProfile: Sendable, Equatable {
    public enum Password: Sendable, Equatable {
        case plain(String)
        case hash(StoredPasswordHash)
    }

    /// Bounds on stored text, so one hostile row cannot bloat every payload built from it.
    public enum Limits {
        public static let textBytes = 255
        public static let phoneBytes = 64
        public static let segments = 100
        public static let attributes = 100
        public static let attributeNameBytes = 128
        public static let attributeValueBytes = 4096
    }

    public var email: String
    public var password: Password?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    public var group: String?
    public var segments: [String]?
    public var companyName: String?
    public var companyVAT: String?
    public var companyRole: String?
    /// Attributes to set; an empty value removes that attribute.
    public var attributes: [String: String]
    public var storefrontID: String?
    public var status: Customer.Status?

    public init(email: String) {
        self.email = email
        self.attributes = [:]
    }

    /// Checks every bound and returns the normalised email.
    public func validate() throws(CustomerValidationError) -> EmailAddress {
        let address = try EmailAddress(email)
        try Self.check("first_name", firstName, limit: Limits.textBytes)
        try Self.check("last_name", lastName, limit: Limits.textBytes)
        try Self.check("phone", phone, limit: Limits.phoneBytes)
        try Self.check("group", group, limit: Limits.textBytes)
        try Self.check("company", companyName, limit: Limits.textBytes)
        try Self.check("company_vat", companyVAT, limit: Limits.textBytes)
        try Self.check("company_role", companyRole, limit: Limits.textBytes)
        try Self.check("storefront_id", storefrontID, limit: Limits.textBytes)
        if let segments {
            guard segments.count <= Limits.segments else {
                throw .tooManyValues(field: "segments", count: segments.count, limit: Limits.segments)
            }
            for segment in segments { try Self.check("segments", segment, limit: Limits.textBytes) }
        }
        guard attributes.count <= Limits.attributes else {
            throw .tooManyValues(field: "attributes", count: attributes.count, limit: Limits.attributes)
        }
        for (name, value) in attributes {
            try Self.check("attribute name", name, limit: Limits.attributeNameBytes)
            try Self.check("attributes.\(name.displaySafePrefix)", value, limit: Limits.attributeValueBytes, allowLineBreaks: true)
        }
        if case let .plain(password)? = password, password.utf8.count > StoredPasswordHash.maximumPasswordBytes {
            throw .passwordTooLong(limit: StoredPasswordHash.maximumPasswordBytes)
        }
        return address
    }

    private static func check(_ field: String, _ value: String?, limit: Int, allowLineBreaks: Bool = false) throws(CustomerValidationError) {
        guard let value else { return }
        guard value.utf8.count <= limit else { throw .fieldTooLong(field: field, length: value.utf8.count, limit: limit) }
        for scalar in value.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
            if allowLineBreaks, scalar == "\n" || scalar == "\t" || scalar == "\r" { continue }
            throw .controlCharacters(field: field)
        }
    }

    /// A new customer from this profile. `passwordHash` is the already-hashed password, if any.
    public func makeCustomer(email: EmailAddress, passwordHash: StoredPasswordHash?, id: UUID = .timeOrdered(), now: Date) -> Customer {
        var customer = Customer(id: id, email: email, createdAt: now, updatedAt: now)
        _ = apply(to: &customer, passwordHash: passwordHash, now: now)
        customer.createdAt = now
        return customer
    }

    /// Applies the profile to a stored customer; returns whether anything changed
    /// (`updatedAt` moves only then).
    @discardableResult
    public func apply(to customer: inout Customer, passwordHash: StoredPasswordHash?, now: Date) -> Bool {
        let before = customer
        if email != customer.email.value { customer.email = (try? EmailAddress(email)) ?? customer.email }
        if let passwordHash { customer.passwordHash = passwordHash }
        if let firstName { customer.firstName = firstName.nilIfEmpty }
        if let lastName { customer.lastName = lastName.nilIfEmpty }
        if let phone { customer.phone = phone.nilIfEmpty }
        if let group { customer.group = group.nilIfEmpty }
        if let segments { customer.segments = segments.filter { !$0.isEmpty } }
        if let companyName { customer.company.name = companyName.nilIfEmpty }
        if let companyVAT { customer.company.vat = companyVAT.nilIfEmpty }
        if let companyRole { customer.company.role = companyRole.nilIfEmpty }
        for (name, value) in attributes { customer.attributes[name] = value.isEmpty ? nil : value }
        if let storefrontID { customer.storefrontID = storefrontID.nilIfEmpty }
        if let status { customer.status = status }
        let changed = customer != before
        customer.updatedAt = changed ? now : before.updatedAt
        return changed
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
