/// A bound on how deeply a providers file's flow collections (`[…]`, `{…}`, YAML 1.2 §7.4)
/// nest, checked on the text before it reaches the YAML parser.
///
/// The YAML decoder builds its tree recursively: some thousands of `[` in a 1 MiB file overflow
/// the stack, which kills the process instead of failing the file. Block collections cannot get
/// there (their indentation grows with depth, so 1 MiB holds about 1400 levels), and no real
/// providers file nests more than a handful of levels.
///
/// ```swift
/// try ProvidersFileNesting.check(text, path: path)
/// let file = try YAMLDecoder().decode(ProvidersFile.self, from: text)
/// ```
public enum ProvidersFileNesting {
    public static let maximumDepth = 64

    /// Throws when flow collections nest deeper than ``maximumDepth``. Brackets inside quoted
    /// scalars (YAML 1.2 §7.3: a quote that starts a token) and comments (§6.6) do not count.
    public static func check(_ text: String, path: String) throws(ProviderValidationError) {
        var depth = 0
        var quote: UInt8?            // the quote character of the quoted scalar being skipped
        var inComment = false
        var previous: UInt8 = 0x0A   // the byte before, as if the file started a line
        var tokenStart = true        // the last significant byte ends a token: line start, [ { , : - ?
        var bytes = text.utf8.makeIterator()
        while let byte = bytes.next() {
            defer { previous = byte }
            if inComment {
                if byte == 0x0A { inComment = false; tokenStart = true }
                continue
            }
            if let open = quote {
                if byte == UInt8(ascii: "\\"), open == UInt8(ascii: "\"") {
                    _ = bytes.next()  // an escape in a double-quoted scalar (§7.3.1)
                } else if byte == open {
                    quote = nil       // '' in a single-quoted scalar closes and reopens: same count
                    tokenStart = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                guard depth <= maximumDepth else {
                    throw ProviderValidationError(path, "collections nest deeper than \(maximumDepth) levels")
                }
                tokenStart = true
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
                tokenStart = false
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                if tokenStart { quote = byte } else { tokenStart = false }
            case UInt8(ascii: "#"):
                if previous == 0x20 || previous == 0x09 || previous == 0x0A || previous == 0x0D { inComment = true }
                else { tokenStart = false }
            case 0x20, 0x09, 0x0D:
                break
            case 0x0A, UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "?"):
                tokenStart = true
            default:
                tokenStart = false
            }
        }
    }
}
