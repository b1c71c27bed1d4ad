import Foundation

/// A stored customer row that does not decode. Reading it fails instead of filling in a default:
/// a default (no password, `disabled`, no segments, a placeholder email) would be written back by
/// the next save and the real value lost. The description names the customer and the column,
/// never a password hash.
enum CustomerRowError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingID
    case unreadable(customerID: UUID, column: String, reason: String)

    var description: String {
        switch self {
        case .missingID: return "a customers row has no id"
        case let .unreadable(id, column, reason):
            return "customer \(id.uuidString.lowercased()): the stored \(column) cannot be read (\(reason)); fix the row before it is used or overwritten"
        }
    }
}
