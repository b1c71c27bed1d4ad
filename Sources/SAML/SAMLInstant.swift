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
    public static func string(from date: Date) -> String {
        let seconds = Int64(floor(date.timeIntervalSince1970))
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

    /// Parses an xs:dateTime as SAML peers write it (with or without
    /// fractional seconds; "Z" or an offset).
    public static func date(from text: String) -> Date? {
        Timestamp.parse(text.trimmingCharacters(in: .whitespaces))
    }
}
