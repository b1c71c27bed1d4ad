import Foundation

/// An instant in an admin API query, read strictly: an RFC 3339 date-time
/// (`2027-01-15T08:00:00Z`, `2027-01-15T09:00:00.25+01:00`; the offset is required, up to nine
/// fraction digits) or an ISO 8601 full date (`2027-01-15`, midnight UTC). The date must exist
/// (no 13th month, no 30 February); leap seconds are not accepted.
enum AdminInstant {
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes.count <= 40 else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                guard (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        let dash = UInt8(ascii: "-"), colon = UInt8(ascii: ":")
        guard let year = digits(0..<4), bytes[4] == dash, let month = digits(5..<7), bytes[7] == dash, let day = digits(8..<10) else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset = 0
        if bytes.count > 10 {
            guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"), bytes.count >= 20,
                  let h = digits(11..<13), bytes[13] == colon, let m = digits(14..<16), bytes[16] == colon, let s = digits(17..<19),
                  h < 24, m < 60, s < 60 else { return nil }
            (hour, minute, second) = (h, m, s)
            var index = 19
            if bytes[index] == UInt8(ascii: ".") {
                index += 1
                let first = index
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
                guard index > first, index - first <= 9, let value = Double("0." + String(decoding: bytes[first..<index], as: UTF8.self)) else { return nil }
                fraction = value
            }
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                guard index + 1 == bytes.count else { return nil }
            case UInt8(ascii: "+"), dash:
                guard bytes.count - index == 6, let oh = digits(index + 1..<index + 3), bytes[index + 3] == colon,
                      let om = digits(index + 4..<index + 6), oh < 24, om < 60 else { return nil }
                offset = (bytes[index] == dash ? -1 : 1) * (oh * 3600 + om * 60)
            default:
                return nil
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(calendar: calendar, timeZone: calendar.timeZone, year: year, month: month, day: day,
                                        hour: hour, minute: minute, second: second)
        guard components.isValidDate, let date = calendar.date(from: components) else { return nil }
        return date.addingTimeInterval(fraction - TimeInterval(offset))
    }
}
