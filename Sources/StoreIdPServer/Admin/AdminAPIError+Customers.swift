import Foundation
import StoreIdPCore
import Vapor

/// The admin API's refusals of customer changes, in the words of `storeidp customers add` and
/// `customers import` (`CustomerValidationError`, `CustomerJSONLine.Problem`), with `field`
/// naming the key of the JSON body.
extension AdminAPIError {
    /// 422: a value the customer rules refuse.
    static func validation(_ error: CustomerValidationError) -> AdminAPIError {
        AdminAPIError(.unprocessableEntity, "invalid", error.description, field: bodyField(error.field))
    }

    /// A customer body that is not the JSON of one import line: 400 when it is no JSON object
    /// at all, 422 with the field otherwise.
    static func customerBody(_ problem: CustomerJSONLine.Problem) -> AdminAPIError {
        switch problem {
        case .malformedJSON:
            return AdminAPIError(.badRequest, "bad_json", "the body is not valid JSON")
        case .notAnObject:
            return AdminAPIError(.badRequest, "bad_json", "the body is not a JSON object")
        case let .unknownField(name):
            return AdminAPIError(.unprocessableEntity, "invalid", problem.description, field: name.displaySafePrefix)
        case let .wrongType(field, _):
            return AdminAPIError(.unprocessableEntity, "invalid", problem.description, field: field)
        case let .invalid(error):
            return validation(error)
        }
    }

    /// 409: the email belongs to another customer.
    static func emailTaken(_ taken: CustomerDirectory.EmailTaken) -> AdminAPIError {
        AdminAPIError(.conflict, "conflict", "a customer with the email '\(taken.email.displaySafePrefix)' already exists", field: "email")
    }

    /// 422: an import body that cannot be read at all (empty, or a CSV header that is refused).
    static func importBody(_ error: CustomerImportFile.OpenError) -> AdminAPIError {
        AdminAPIError(.unprocessableEntity, "invalid", error.description, field: "body")
    }

    /// 500: a stored customer row that does not decode; the message names the customer and the
    /// column (never a value), so an operator can repair it.
    static func unreadable(_ error: CustomerRowError) -> AdminAPIError {
        AdminAPIError(.internalServerError, "unreadable_customer", error.description)
    }

    /// The JSON body's key for a customer field named as in the import format.
    private static func bodyField(_ field: String) -> String {
        switch field {
        case "company": return "company.name"
        case "company_vat": return "company.vat"
        case "company_role": return "company.role"
        default: return field
        }
    }
}
