import Foundation

/// One line of a `.jsonl` customer file: a JSON object whose keys are Customer field names
/// (`email`, `first_name`, `last_name`, `phone`, `group`, `segments`, `company`, `attributes`,
/// `storefront_id`, `status`, and `password` or `password_hash`). A `null` value clears a field;
/// a missing key leaves it as stored. Unknown keys are refused so that a typo is not ignored.
public enum CustomerJSONLine {
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case notAnObject
        case malformedJSON
        case unknownField(String)
        case wrongType(field: String, expected: String)
        case invalid(CustomerValidationError)

        public var description: String {
            switch self {
            case .notAnObject: return "the line is not a JSON object"
            case .malformedJSON: return "the line is not valid JSON"
            case let .unknownField(name): return "unknown field '\(name.displaySafePrefix)'"
            case let .wrongType(field, expected): return "\(field) must be \(expected)"
            case let .invalid(error): return error.description
            }
        }
    }

    /// - Parameter storedEmail: for a partial update of a customer named otherwise (the admin
    ///   API's `PATCH /customers/{id}`): the email to keep when the object has no `email` key.
    public static func profile(from line: [UInt8], storedEmail: String? = nil) throws(Problem) -> CustomerProfile {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(line), options: []) } catch { throw .malformedJSON }
        guard let fields = object as? [String: Any] else { throw .notAnObject }
        var profile = CustomerProfile(email: "")

        func text(_ key: String) throws(Problem) -> String? {
            guard let value = fields[key] else { return nil }
            if value is NSNull { return "" }
            if let string = value as? String { return string }
            if let number = value as? NSNumber { return number.stringValue }
            throw .wrongType(field: key, expected: "a string")
        }

        for key in fields.keys {
            switch key {
            case "email", "first_name", "last_name", "phone", "group", "segments", "company",
                 "attributes", "storefront_id", "status", "password", "password_hash":
                continue
            default:
                throw .unknownField(key)
            }
        }
        guard let email = try text("email") ?? storedEmail else { throw .invalid(.missingEmail) }
        profile.email = email
        profile.firstName = try text("first_name")
        profile.lastName = try text("last_name")
        profile.phone = try text("phone")
        profile.group = try text("group")
        profile.storefrontID = try text("storefront_id")
        if let status = try text("status"), !status.isEmpty {
            guard let parsed = Customer.Status(rawValue: status.lowercased()) else { throw .invalid(.invalidStatus(status.displaySafePrefix)) }
            profile.status = parsed
        }
        if let segments = fields["segments"] {
            if segments is NSNull {
                profile.segments = []
            } else if let list = segments as? [String] {
                profile.segments = list
            } else {
                throw .wrongType(field: "segments", expected: "an array of strings")
            }
        }
        if let company = fields["company"] {
            if company is NSNull {
                profile.companyName = ""; profile.companyVAT = ""; profile.companyRole = ""
            } else if let name = company as? String {
                profile.companyName = name
            } else if let object = company as? [String: Any] {
                for key in object.keys where !["name", "vat", "role"].contains(key) { throw .unknownField("company.\(key)") }
                func part(_ key: String) throws(Problem) -> String? {
                    guard let value = object[key] else { return nil }
                    if value is NSNull { return "" }
                    guard let string = value as? String else { throw .wrongType(field: "company.\(key)", expected: "a string") }
                    return string
                }
                profile.companyName = try part("name")
                profile.companyVAT = try part("vat")
                profile.companyRole = try part("role")
            } else {
                throw .wrongType(field: "company", expected: "a string or an object with name, vat, role")
            }
        }
        if let attributes = fields["attributes"], !(attributes is NSNull) {
            guard let map = attributes as? [String: Any] else { throw .wrongType(field: "attributes", expected: "an object of strings") }
            for (name, value) in map {
                if value is NSNull { profile.attributes[name] = ""; continue }
                guard let string = value as? String else { throw .wrongType(field: "attributes.\(name.displaySafePrefix)", expected: "a string") }
                profile.attributes[name] = string
            }
        }
        if let hash = try text("password_hash"), !hash.isEmpty {
            do { profile.password = .hash(try StoredPasswordHash(parsing: hash)) } catch { throw .invalid(error) }
        } else if let password = try text("password"), !password.isEmpty {
            profile.password = .plain(password)
        }
        return profile
    }
}
