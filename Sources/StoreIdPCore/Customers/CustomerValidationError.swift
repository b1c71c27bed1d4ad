/// Why a customer record was refused, in words a store admin understands.
public enum CustomerValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingEmail
    case emailTooLong(length: Int, limit: Int)
    case invalidEmail(String)
    case fieldTooLong(field: String, length: Int, limit: Int)
    case controlCharacters(field: String)
    case tooManyValues(field: String, count: Int, limit: Int)
    case invalidStatus(String)
    case unsupportedPasswordHash(String)
    case passwordTooLong(limit: Int)
    case duplicateEmailInFile(firstLine: Int)

    public var description: String {
        switch self {
        case .missingEmail: return "email is missing"
        case let .emailTooLong(length, limit): return "email is \(length) bytes long; at most \(limit) are allowed"
        case let .invalidEmail(value): return "'\(value)' is not an email address"
        case let .fieldTooLong(field, length, limit): return "\(field) is \(length) bytes long; at most \(limit) are allowed"
        case let .controlCharacters(field): return "\(field) contains control characters"
        case let .tooManyValues(field, count, limit): return "\(field) has \(count) values; at most \(limit) are allowed"
        case let .invalidStatus(value): return "status '\(value)' is neither active nor disabled"
        case let .unsupportedPasswordHash(kind): return "password hash format \(kind) is not supported (bcrypt and Magento 2 SHA-256 'hash:salt:1' are)"
        case let .passwordTooLong(limit): return "password is longer than \(limit) bytes"
        case let .duplicateEmailInFile(firstLine): return "the same email already appears on line \(firstLine) of this file"
        }
    }

    /// The customer field the refusal is about, by its import name (`email`, `first_name`,
    /// `company_vat`, `attributes.KEY`, `password`, …), so an API can point at it.
    public var field: String {
        switch self {
        case .missingEmail, .emailTooLong, .invalidEmail, .duplicateEmailInFile: return "email"
        case let .fieldTooLong(field, _, _), let .controlCharacters(field), let .tooManyValues(field, _, _):
            return field == "attribute name" ? "attributes" : field
        case .invalidStatus: return "status"
        case .unsupportedPasswordHash: return "password_hash"
        case .passwordTooLong: return "password"
        }
    }
}
