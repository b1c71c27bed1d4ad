/// An email address as a customer identifier.
///
/// Addresses are compared case-insensitively: the whole address is folded to lower case for
/// the lookup key. RFC 5321 §2.4 allows a case-sensitive local part, but no store treats
/// `Ann@shop.example` and `ann@shop.example` as two customers, and neither do we.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets,
    /// so an address is at most 254.
    public static let maximumLength = 254
    /// RFC 5321 §4.5.3.1.1: the local part is at most 64 octets.
    public static let maximumLocalPartLength = 64

    /// Characters RFC 5322 §3.2.3 reserves as specials, refused outside quoted local parts
    /// (which stores do not issue).
    private static let forbidden: Set<Unicode.Scalar> = Set("<>()[]\\,;:\"".unicodeScalars)

    /// The address as the customer typed it (trimmed).
    public let value: String
    /// The comparison and lookup key: the address in lower case.
    public let key: String

    public init(_ raw: String) throws(CustomerValidationError) {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .missingEmail }
        guard trimmed.utf8.count <= Self.maximumLength else {
            throw .emailTooLong(length: trimmed.utf8.count, limit: Self.maximumLength)
        }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              parts[0].utf8.count <= Self.maximumLocalPartLength,
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !trimmed.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || Self.forbidden.contains($0) || ($0.value > 0x7F && $0.properties.isWhitespace) })
        else { throw .invalidEmail(trimmed.displaySafePrefix) }
        self.value = trimmed
        self.key = trimmed.lowercased()
    }

    public var description: String { value }
}

extension String {
    /// Leading and trailing white space removed.
    public func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }

    /// At most 64 characters of the text with control characters replaced, for error messages
    /// that quote what was wrong without repeating a megabyte of it.
    public var displaySafePrefix: String {
        let cleaned = String(String.UnicodeScalarView(unicodeScalars.prefix(64).map {
            $0.value < 0x20 || $0.value == 0x7F ? "?" : $0
        }))
        return unicodeScalars.count > 64 ? cleaned + "…" : cleaned
    }
}
