import Foundation
import JWTKit

/// A JWT claims set (RFC 7519 §4) whose claims are decided at run time: registered claims first,
/// then the provider's payload, in a stable order.
public struct ClaimSet: JWTPayload, Equatable {
    public enum Value: Sendable, Equatable, Codable {
        case string(String)
        case strings([String])
        case integer(Int)
        case boolean(Bool)

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .string(value): try container.encode(value)
            case let .strings(values): try container.encode(values)
            case let .integer(value): try container.encode(value)
            case let .boolean(value): try container.encode(value)
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) { self = .integer(value) }
            else if let value = try? container.decode(Bool.self) { self = .boolean(value) }
            else if let value = try? container.decode(String.self) { self = .string(value) }
            else { self = .strings(try container.decode([String].self)) }
        }
    }

    public private(set) var claims: [(name: String, value: Value)]

    public init(_ claims: [(name: String, value: Value)] = []) { self.claims = claims }

    /// Adds a claim, replacing an earlier one of the same name.
    public mutating func set(_ name: String, _ value: Value) {
        if let index = claims.firstIndex(where: { $0.name == name }) {
            claims[index].value = value
        } else {
            claims.append((name, value))
        }
    }

    public subscript(name: String) -> Value? { claims.first { $0.name == name }?.value }

    public static func == (lhs: ClaimSet, rhs: ClaimSet) -> Bool {
        lhs.claims.map(\.name) == rhs.claims.map(\.name) && lhs.claims.map(\.value) == rhs.claims.map(\.value)
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in claims { try container.encode(value, forKey: Key(stringValue: name)) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        claims = try container.allKeys.map { ($0.stringValue, try container.decode(Value.self, forKey: $0)) }
    }

    /// Issuing only: the partner verifies.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
