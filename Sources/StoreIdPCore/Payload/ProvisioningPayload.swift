import Foundation

/// The named values one customer sends one service provider: the just-in-time provisioning
/// payload. Values are lists; a single-valued source gives one value, an empty source none
/// (and the name is left out, so a partner never receives an empty email).
public struct ProvisioningPayload: Sendable, Hashable {
    public struct Value: Sendable, Hashable {
        public let name: String
        public let values: [String]
        public let friendlyName: String?
        public let nameFormat: String?

        public init(name: String, values: [String], friendlyName: String? = nil, nameFormat: String? = nil) {
            self.name = name
            self.values = values
            self.friendlyName = friendlyName
            self.nameFormat = nameFormat
        }
    }

    /// Bounds on what one attribute may carry, whatever the stored data.
    public static let maximumValues = 100
    public static let maximumValueBytes = 4096

    public let values: [Value]
    /// Values left out, in words (a value map without an entry, a date that did not parse).
    public let warnings: [String]

    public init(values: [Value], warnings: [String] = []) {
        self.values = values
        self.warnings = warnings
    }

    /// Everything the payload can be built from.
    public struct Context: Sendable {
        public let customer: Customer
        public let serviceProvider: ServiceProvider
        public let pairwiseID: String
        public let now: Date
        public let authTime: Date?

        public init(customer: Customer, serviceProvider: ServiceProvider, pairwiseID: String, now: Date, authTime: Date?) {
            self.customer = customer
            self.serviceProvider = serviceProvider
            self.pairwiseID = pairwiseID
            self.now = now
            self.authTime = authTime
        }
    }

    /// A `required(…)` value that is empty for this customer: no payload is sent.
    public struct MissingRequiredValue: Error, Sendable, Equatable, CustomStringConvertible {
        public let attribute: String
        public let expression: String
        public var description: String { "\(attribute) is required, but \(expression) is empty for this customer" }
    }

    public init(mapping: AttributeMapping, context: Context) throws(MissingRequiredValue) {
        var warnings: [String] = []
        var values: [Value] = []
        for entry in mapping.entries {
            var evaluation = MappingEvaluation(context: context, attribute: entry.name)
            let result = try evaluation.evaluate(entry.expression)
            warnings += evaluation.warnings
            let bounded = Array(result.prefix(Self.maximumValues)).map { value -> String in
                guard value.utf8.count > Self.maximumValueBytes else { return value }
                warnings.append("\(entry.name): a value longer than \(Self.maximumValueBytes) bytes was cut")
                return String(decoding: Array(value.utf8.prefix(Self.maximumValueBytes)), as: UTF8.self)
            }
            if result.count > Self.maximumValues { warnings.append("\(entry.name): only the first \(Self.maximumValues) values are sent") }
            if !bounded.isEmpty {
                values.append(Value(name: entry.name, values: bounded, friendlyName: entry.friendlyName, nameFormat: entry.nameFormat))
            }
        }
        self.values = values
        self.warnings = warnings
    }

    public subscript(name: String) -> [String]? { values.first { $0.name == name }?.values }

    static func read(_ source: AttributeSource, _ context: Context) -> [String] {
        let customer = context.customer
        func one(_ value: String?) -> [String] { value.map { [$0] } ?? [] }
        switch source {
        case .customerEmail: return [customer.email.value]
        case .customerFirstName: return one(customer.firstName)
        case .customerLastName: return one(customer.lastName)
        // The first and last name joined by a space (OpenID Connect Core 1.0 §5.1 `name`).
        case .customerFullName:
            let parts = [customer.firstName, customer.lastName].compactMap { $0?.trimmingWhitespace() }.filter { !$0.isEmpty }
            return parts.isEmpty ? [] : [parts.joined(separator: " ")]
        case .customerPhone: return one(customer.phone)
        case .customerGroup: return one(customer.group)
        case .customerSegments: return customer.segments
        case .customerCompanyName: return one(customer.company.name)
        case .customerCompanyVAT: return one(customer.company.vat)
        case .customerCompanyRole: return one(customer.company.role)
        case .customerID: return [customer.id.uuidString.lowercased()]
        case .customerStorefrontID: return one(customer.storefrontID)
        case .customerCreatedAt: return [Timestamp.iso8601(customer.createdAt)]
        case .customerPairwiseID: return [context.pairwiseID]
        case let .customerAttribute(key): return one(customer.attributes[key])
        case .serviceProviderSlug: return [context.serviceProvider.slug]
        case .now: return [Timestamp.iso8601(context.now)]
        case .sessionAuthTime: return one(context.authTime.map(Timestamp.iso8601))
        case let .constant(text): return [text]
        }
    }
}

/// Evaluates one attribute's expression, collecting warnings for values it had to leave out.
struct MappingEvaluation {
    let context: ProvisioningPayload.Context
    let attribute: String
    var warnings: [String] = []

    mutating func evaluate(_ expression: MappingExpression) throws(ProvisioningPayload.MissingRequiredValue) -> [String] {
        switch expression {
        case let .source(source):
            return ProvisioningPayload.read(source, context).filter { !$0.isEmpty }
        case let .firstNonEmpty(alternatives):
            for alternative in alternatives {
                let values = try evaluate(alternative)
                if !values.isEmpty { return values }
            }
            return []
        case let .transform(transform, inner):
            let values = try evaluate(inner)
            return try apply(transform, to: values, inner: inner)
        }
    }

    private mutating func apply(_ transform: MappingTransform, to values: [String], inner: MappingExpression) throws(ProvisioningPayload.MissingRequiredValue) -> [String] {
        switch transform {
        case .lower: return values.map { $0.lowercased() }
        case .upper: return values.map { $0.uppercased() }
        case .trim: return values.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        case let .split(separator):
            guard !separator.isEmpty else { return values }
            return values.flatMap { $0.components(separatedBy: separator) }.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        case let .join(separator): return values.isEmpty ? [] : [values.joined(separator: separator)]
        case let .prefix(text): return values.map { text + $0 }
        case let .suffix(text): return values.map { $0 + text }
        case let .valueMap(map, fallback):
            return values.compactMap { value in
                if let mapped = map[value] ?? fallback { return mapped }
                warnings.append("\(attribute): the value map has no entry for '\(value.displaySafePrefix)' and no default, so the value was left out")
                return nil
            }
        case let .date(format):
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            return values.compactMap { value in
                if let date = Timestamp.parse(value) ?? Self.dayFormatter.date(from: value).flatMap({ Timestamp.bounded($0) }) {
                    return formatter.string(from: date)
                }
                warnings.append("\(attribute): '\(value.displaySafePrefix)' is not a date, so it was left out")
                return nil
            }
        case .required:
            guard !values.isEmpty else { throw .init(attribute: attribute, expression: inner.text) }
            return values
        }
    }

    private static var dayFormatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }
}

/// UTC timestamps as SAML (saml-core §1.3.3, xs:dateTime with Z) and JSON payloads write them.
public enum Timestamp {
    public static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The instants read from outside that StoreIdP accepts: years 0001 to 9999, the
    /// four-digit years of xs:dateTime's lexical space (XML Schema Part 2 §3.2.7), from
    /// `Date.distantPast` (0001-01-01 as Foundation's calendar counts it, Julian before 1582)
    /// to 9999-12-31T23:59:59.999Z. Anything further out is no real time, and arithmetic or
    /// formatting on it is where a crafted input turns into a trap; it is refused as unparseable.
    public static let acceptedRange: ClosedRange<Date> =
        Date.distantPast...Date(timeIntervalSince1970: 253_402_300_799.999)

    /// The longest text `parse` reads; `2024-05-01T12:00:00.123456789+14:00` is 35 characters.
    public static let maximumTextLength = 64

    /// Parses an RFC 3339 / xs:dateTime UTC or offset timestamp (fractional seconds optional).
    /// Returns nil for anything unparseable, longer than ``maximumTextLength``, or outside
    /// `range` (default ``acceptedRange``), so no caller ever holds an out-of-range date.
    public static func parse(_ text: String, within range: ClosedRange<Date> = acceptedRange) -> Date? {
        guard text.utf8.count <= maximumTextLength else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = formatter.date(from: text) ?? {
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: text)
        }()
        return date.flatMap { bounded($0, within: range) }
    }

    /// `date` when it is finite and inside `range`, else nil.
    public static func bounded(_ date: Date, within range: ClosedRange<Date> = acceptedRange) -> Date? {
        date.timeIntervalSince1970.isFinite && range.contains(date) ? date : nil
    }
}
