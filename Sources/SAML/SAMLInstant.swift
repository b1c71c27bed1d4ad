import Foundation
import StoreIdPCore

/// SAML time values: xs:dateTime in UTC with a "Z" and no fractional seconds
/// when written (saml-core §1.3.3: "SAML system entities SHOULD NOT rely on time
/// resolution finer than milliseconds … MUST be expressed in UTC form, with no
/// time zone component").
///
/// Writing avoids a DateFormatter per call (a response carries about eight
/// instants); reading accepts fractional seconds and offsets.
public enum SAMLInstant {
    /// Instants read from a SAML message: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    /// No SAML message was issued before the Unix epoch, and four-digit years are all
    /// xs:dateTime writes without an extension (XML Schema Part 2 §3.2.7); anything else
    /// is refused as unparseable, so no validator ever compares or formats it.
    public static let acceptedRange: ClosedRange<Date> =
        Date(timeIntervalSince1970: 0)...Timestamp.acceptedRange.upperBound

    /// Writes `date`; total for every `Date`. A date outside years 0001...9999 (or NaN,
    /// which reads as the epoch) is clamped to the nearest end, so a bad value can never
    /// trap the process that formats it (defence in depth: inputs are bounded when parsed).
    public static func string(from date: Date) -> String {
        let interval = date.timeIntervalSince1970
        // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in the proleptic Gregorian calendar written below.
        let clamped = interval.isNaN ? 0 : min(max(interval, -62_135_596_800), 253_402_300_799)
        let seconds = Int64(floor(clamped))
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        // Days to civil date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)

        var bytes = [UInt8]()
        bytes.reserveCapacity(20)
        func put(_ value: Int64, _ width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) {
                digits[i] = 0x30 + UInt8(v % 10)
                v /= 10
            }
            bytes.append(contentsOf: digits)
        }
        put(year, 4); bytes.append(0x2D); put(month, 2); bytes.append(0x2D); put(day, 2)
        bytes.append(0x54)
        put(secondOfDay / 3600, 2); bytes.append(0x3A); put(secondOfDay / 60 % 60, 2); bytes.append(0x3A); put(secondOfDay % 60, 2)
        bytes.append(0x5A)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// How much of an instant's text an error message repeats.
    public static let maximumEchoedLength = 40

    /// An instant as the peer wrote it, for an error message: the text itself (cut to
    /// ``maximumEchoedLength`` characters), never the parsed date formatted again, so
    /// what the partner reads is what they sent.
    public static func echo(_ text: String) -> String {
        String(text.prefix(maximumEchoedLength))
    }

    /// Parses an xs:dateTime as SAML peers write it (with or without
    /// fractional seconds; "Z" or an offset); nil when it is not one or lies
    /// outside ``acceptedRange``.
    public static func date(from text: String) -> Date? {
        Timestamp.parse(text.trimmingCharacters(in: .whitespaces), within: acceptedRange)
    }
}
