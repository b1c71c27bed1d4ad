import Foundation

/// A streaming RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF line ends, line
/// breaks inside quotes, and a UTF-8 byte order mark at the start of the file.
///
/// Memory is bounded: a record longer than `maximumRecordBytes` is read to its end and
/// reported as `.oversized` instead of being held in memory.
public struct CSVReader: Sendable {
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case oversized(limit: Int)
        case unterminatedQuote
        case characterAfterClosingQuote
        case invalidUTF8

        public var description: String {
            switch self {
            case let .oversized(limit): return "the row is longer than \(limit) bytes"
            case .unterminatedQuote: return "a quoted field is not closed (RFC 4180 §2.5)"
            case .characterAfterClosingQuote: return "text follows a closing quote (RFC 4180 §2.7)"
            case .invalidUTF8: return "the row is not valid UTF-8"
            }
        }
    }

    public struct Record: Sendable {
        /// The line of the file on which the record starts (1-based).
        public let line: Int
        public let fields: Result<[String], Problem>
    }

    public static let defaultMaximumRecordBytes = 4 << 20

    private var source: ChunkedByteSource
    private let maximumRecordBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var line = 1
    private var exhausted = false

    public init(source: ChunkedByteSource, maximumRecordBytes: Int = CSVReader.defaultMaximumRecordBytes) {
        self.source = source.strippingByteOrderMark()
        self.maximumRecordBytes = maximumRecordBytes
    }

    private mutating func nextByte() throws -> UInt8? {
        if position == buffer.count {
            if exhausted { return nil }
            guard let chunk = try source.read(), !chunk.isEmpty else {
                exhausted = true
                return nil
            }
            buffer = chunk
            position = 0
        }
        defer { position += 1 }
        return buffer[position]
    }

    private mutating func peekByte() throws -> UInt8? {
        guard let byte = try nextByte() else { return nil }
        position -= 1
        return byte
    }

    /// The next record, or nil at the end of the file. Blank lines are skipped.
    public mutating func next() throws -> Record? {
        var fields: [String] = []
        var field: [UInt8] = []
        var recordBytes = 0
        var problem: Problem?
        var inQuotes = false
        var wasQuoted = false
        var afterClosingQuote = false
        var startLine = line
        var sawAnything = false

        func finishField() {
            if problem == nil {
                if let text = String(validating: field, as: UTF8.self) { fields.append(text) } else { problem = .invalidUTF8 }
            }
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
            afterClosingQuote = false
        }

        while let byte = try nextByte() {
            sawAnything = true
            recordBytes += 1
            if recordBytes > maximumRecordBytes, problem == nil {
                problem = .oversized(limit: maximumRecordBytes)
                field.removeAll()
            }
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if try peekByte() == UInt8(ascii: "\"") {
                        _ = try nextByte()
                        if problem == nil { field.append(byte) }
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    if problem == nil { field.append(byte) }
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                finishField()
            case UInt8(ascii: "\n"):
                line += 1
                finishField()
                if fields.count == 1, fields[0].isEmpty, problem == nil {
                    fields = []
                    recordBytes = 0
                    sawAnything = false
                    startLine = line
                    continue
                }
                return Record(line: startLine, fields: problem.map { .failure($0) } ?? .success(fields))
            case UInt8(ascii: "\r"):
                if try peekByte() == UInt8(ascii: "\n") { continue }
                if problem == nil { field.append(byte) }
            case UInt8(ascii: "\""):
                if field.isEmpty, !wasQuoted, !afterClosingQuote {
                    inQuotes = true
                    wasQuoted = true
                } else if problem == nil {
                    field.append(byte)
                }
            default:
                if afterClosingQuote, problem == nil { problem = .characterAfterClosingQuote }
                if problem == nil { field.append(byte) }
            }
        }
        guard sawAnything else { return nil }
        if inQuotes, problem == nil { problem = .unterminatedQuote }
        finishField()
        if fields.count == 1, fields[0].isEmpty, problem == nil { return nil }
        return Record(line: startLine, fields: problem.map { .failure($0) } ?? .success(fields))
    }
}

/// Reads a file (or any byte stream) in chunks.
public struct ChunkedByteSource: @unchecked Sendable {
    private let readChunk: () throws -> [UInt8]?

    public init(_ readChunk: @escaping () throws -> [UInt8]?) {
        self.readChunk = readChunk
    }

    public func read() throws -> [UInt8]? { try readChunk() }

    /// The same bytes without a leading UTF-8 byte order mark (EF BB BF), however the first
    /// bytes are split across chunks.
    public func strippingByteOrderMark() -> ChunkedByteSource {
        final class State: @unchecked Sendable { var checked = false }
        let state = State()
        let inner = self
        return ChunkedByteSource {
            guard !state.checked else { return try inner.read() }
            state.checked = true
            var head: [UInt8] = []
            while head.count < 3, let chunk = try inner.read() { head += chunk }
            if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
            return head.isEmpty ? try inner.read() : head
        }
    }

    /// A file read 1 MiB at a time.
    public static func file(_ handle: FileHandle, chunkSize: Int = 1 << 20) -> ChunkedByteSource {
        ChunkedByteSource {
            guard let data = try handle.read(upToCount: chunkSize), !data.isEmpty else { return nil }
            return [UInt8](data)
        }
    }

    /// Bytes already in memory, for tests.
    public static func bytes(_ bytes: [UInt8], chunkSize: Int = 7) -> ChunkedByteSource {
        final class Cursor: @unchecked Sendable { var offset = 0 }
        let cursor = Cursor()
        return ChunkedByteSource {
            guard cursor.offset < bytes.count else { return nil }
            let end = min(bytes.count, cursor.offset + chunkSize)
            defer { cursor.offset = end }
            return Array(bytes[cursor.offset..<end])
        }
    }
}
