import Foundation

/// One attribute's value recipe, as written in the providers file.
///
/// Grammar (whitespace between tokens is ignored):
/// ```
/// expression  := alternative ( "|" alternative )*          first non-empty alternative wins
/// alternative := source | "quoted constant" | call
/// call        := name "(" expression ( "," argument )* ")"
/// argument    := "quoted text" | bare-word | key "=" ( "quoted text" | bare-word )
/// ```
/// Sources: `customer.email`, `customer.first_name`, `customer.attributes.KEY`, `sp.slug`, `now`,
/// `session.auth_time`, … (see `AttributeSource`). Calls: `lower(x)`, `upper(x)`, `trim(x)`,
/// `split(x, ",")`, `join(x, ",")`, `prefix(x, "text")`, `suffix(x, "text")`,
/// `map(x, Wholesale=partner, Retail=customer, default=guest)`, `date(x, "yyyy-MM-dd")`,
/// `required(x)`. Example, as identity brokers need when sources differ:
/// `lower(customer.email | customer.attributes.sign_in_name | customer.attributes.upn)`.
public indirect enum MappingExpression: Sendable, Hashable {
    case source(AttributeSource)
    case firstNonEmpty([MappingExpression])
    case transform(MappingTransform, MappingExpression)

    /// Expressions are short; a longer one is refused before it is parsed.
    public static let maximumLength = 4096
    public static let maximumDepth = 16
}

/// What a call does to the values of its inner expression.
public enum MappingTransform: Sendable, Hashable {
    case lower, upper, trim
    case split(String)
    case join(String)
    case prefix(String)
    case suffix(String)
    case valueMap([String: String], default: String?)
    case date(format: String)
    case required
}

/// Why an expression was refused; `offset` is the character position in the expression.
public struct MappingExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int

    public var description: String { "\(message) (at character \(offset + 1))" }
}

extension MappingExpression {
    public init(parsing text: String) throws(MappingExpressionError) {
        guard text.utf8.count <= Self.maximumLength else {
            throw MappingExpressionError(message: "the expression is \(text.utf8.count) bytes long; at most \(Self.maximumLength) are allowed", offset: 0)
        }
        var parser = MappingExpressionParser(text)
        self = try parser.parseExpression(depth: 0)
        try parser.expectEnd()
    }

    /// The expression written back in the providers file's syntax.
    public var text: String {
        switch self {
        case let .source(.constant(value)): return MappingTransform.quote(value)
        case let .source(source): return source.expression
        case let .firstNonEmpty(alternatives): return alternatives.map(\.text).joined(separator: " | ")
        case let .transform(transform, inner): return transform.text(inner.text)
        }
    }
}

extension MappingTransform {
    static func quote(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    func text(_ inner: String) -> String {
        let quote = Self.quote
        switch self {
        case .lower: return "lower(\(inner))"
        case .upper: return "upper(\(inner))"
        case .trim: return "trim(\(inner))"
        case let .split(separator): return "split(\(inner), \(quote(separator)))"
        case let .join(separator): return "join(\(inner), \(quote(separator)))"
        case let .prefix(text): return "prefix(\(inner), \(quote(text)))"
        case let .suffix(text): return "suffix(\(inner), \(quote(text)))"
        case let .date(format): return "date(\(inner), \(quote(format)))"
        case .required: return "required(\(inner))"
        case let .valueMap(map, fallback):
            var parts = map.keys.sorted().map { "\(quote($0))=\(quote(map[$0]!))" }
            if let fallback { parts.append("default=\(quote(fallback))") }
            return "map(\(inner), \(parts.joined(separator: ", ")))"
        }
    }
}

/// A recursive-descent parser over the expression's characters.
struct MappingExpressionParser {
    private let characters: [Character]
    private var position = 0

    init(_ text: String) { characters = Array(text) }

    private func fail(_ message: String) -> MappingExpressionError {
        MappingExpressionError(message: message, offset: min(position, max(characters.count - 1, 0)))
    }

    private mutating func skipSpaces() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    private mutating func consume(_ character: Character) -> Bool {
        skipSpaces()
        guard position < characters.count, characters[position] == character else { return false }
        position += 1
        return true
    }

    mutating func expectEnd() throws(MappingExpressionError) {
        skipSpaces()
        guard position == characters.count else { throw fail("unexpected '\(characters[position])'") }
    }

    mutating func parseExpression(depth: Int) throws(MappingExpressionError) -> MappingExpression {
        guard depth < MappingExpression.maximumDepth else { throw fail("expressions nest at most \(MappingExpression.maximumDepth) deep") }
        var alternatives = [try parseAlternative(depth: depth)]
        while consume("|") { alternatives.append(try parseAlternative(depth: depth)) }
        return alternatives.count == 1 ? alternatives[0] : .firstNonEmpty(alternatives)
    }

    private mutating func parseAlternative(depth: Int) throws(MappingExpressionError) -> MappingExpression {
        skipSpaces()
        guard position < characters.count else { throw fail("a source, a \"constant\" or a call is missing") }
        if characters[position] == "\"" { return .source(.constant(try parseQuoted())) }
        let start = position
        let word = parseWord()
        guard !word.isEmpty else { throw fail("unexpected '\(characters[position])'") }
        if consume("(") {
            let inner = try parseExpression(depth: depth + 1)
            var arguments: [(key: String?, value: String)] = []
            while consume(",") { arguments.append(try parseArgument()) }
            guard consume(")") else { throw fail("')' expected to close \(word)(") }
            return .transform(try transform(named: word, arguments: arguments, at: start), inner)
        }
        guard let source = AttributeSource(expression: word) else {
            position = start
            throw fail("unknown source '\(word.displaySafePrefix)'")
        }
        return .source(source)
    }

    private mutating func parseWord() -> String {
        var word = ""
        while position < characters.count {
            let character = characters[position]
            guard character.isLetter || character.isNumber || character == "." || character == "_" || character == "-" || character == ":" else { break }
            word.append(character)
            position += 1
        }
        return word
    }

    private mutating func parseQuoted() throws(MappingExpressionError) -> String {
        guard consume("\"") else { throw fail("'\"' expected") }
        var text = ""
        while position < characters.count {
            let character = characters[position]
            position += 1
            if character == "\"" { return text }
            if character == "\\", position < characters.count {
                text.append(characters[position])
                position += 1
            } else {
                text.append(character)
            }
        }
        throw fail("a quoted text is not closed")
    }

    private mutating func parseValue() throws(MappingExpressionError) -> String {
        skipSpaces()
        if position < characters.count, characters[position] == "\"" { return try parseQuoted() }
        let word = parseWord()
        guard !word.isEmpty else { throw fail("a value is missing") }
        return word
    }

    private mutating func parseArgument() throws(MappingExpressionError) -> (key: String?, value: String) {
        let first = try parseValue()
        if consume("=") { return (first, try parseValue()) }
        return (nil, first)
    }

    private func transform(named name: String, arguments: [(key: String?, value: String)], at start: Int) throws(MappingExpressionError) -> MappingTransform {
        func error(_ message: String) -> MappingExpressionError { MappingExpressionError(message: message, offset: start) }
        func single() throws(MappingExpressionError) -> String {
            guard arguments.count == 1, arguments[0].key == nil else { throw error("\(name)(value, \"text\") takes one text argument") }
            return arguments[0].value
        }
        switch name {
        case "lower", "upper", "trim", "required":
            guard arguments.isEmpty else { throw error("\(name)(value) takes no further argument") }
            return name == "lower" ? .lower : name == "upper" ? .upper : name == "trim" ? .trim : .required
        case "split": return .split(try single())
        case "join": return .join(try single())
        case "prefix": return .prefix(try single())
        case "suffix": return .suffix(try single())
        case "date":
            let format = try single()
            guard !format.isEmpty, format.count <= 64 else { throw error("date format must be 1 to 64 characters") }
            return .date(format: format)
        case "map":
            guard !arguments.isEmpty else { throw error("map(value, key=value, …) needs at least one key=value") }
            var map: [String: String] = [:]
            var fallback: String?
            for argument in arguments {
                guard let key = argument.key else { throw error("map arguments are key=value pairs; '\(argument.value.displaySafePrefix)' has no '='") }
                if key == "default" { fallback = argument.value; continue }
                guard map[key] == nil else { throw error("map names '\(key.displaySafePrefix)' twice") }
                map[key] = argument.value
            }
            return .valueMap(map, default: fallback)
        default:
            throw error("unknown transform '\(name.displaySafePrefix)' (lower, upper, trim, split, join, prefix, suffix, map, date, required)")
        }
    }
}
