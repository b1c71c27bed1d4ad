import Foundation

/// A customer file being imported: `.csv` (header row, RFC 4180) or `.jsonl` (one JSON object
/// a line), read as a stream of rows, each either a profile or the reason it was rejected.
public struct CustomerImportFile {
    public enum Format: String, Sendable { case csv, jsonl }

    public struct Row: Sendable {
        public let line: Int
        public let profile: Result<CustomerProfile, RowRejection>
    }

    public struct RowRejection: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    public enum OpenError: Error, Sendable, CustomStringConvertible {
        case unsupportedExtension(String)
        case unreadable(path: String, reason: String)
        case badHeader(String)
        case empty

        public var description: String {
            switch self {
            case let .unsupportedExtension(ext): return "'.\(ext)' files are not supported: use .csv or .jsonl"
            case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
            case let .badHeader(reason): return "bad header row: \(reason)"
            case .empty: return "the file is empty"
            }
        }
    }

    public let format: Format
    private var csv: CSVReader?
    private var header: CustomerCSVHeader?
    private var lines: LineReader?

    public init(path: String) throws(OpenError) {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let format = Format(rawValue: ext) else { throw .unsupportedExtension(ext) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable(path: path, reason: "no such readable file") }
        try self.init(source: .file(handle), format: format)
    }

    public init(source: ChunkedByteSource, format: Format) throws(OpenError) {
        self.format = format
        switch format {
        case .csv:
            var reader = CSVReader(source: source)
            let first: CSVReader.Record?
            do { first = try reader.next() } catch { throw .unreadable(path: "file", reason: "\(error)") }
            guard let first else { throw .empty }
            switch first.fields {
            case let .failure(problem): throw .badHeader(problem.description)
            case let .success(names):
                do { header = try CustomerCSVHeader(names) } catch { throw .badHeader(error.description) }
            }
            csv = reader
        case .jsonl:
            lines = LineReader(source: source.strippingByteOrderMark())
        }
    }

    /// The next row, or nil at the end of the file.
    public mutating func next() throws -> Row? {
        if var reader = csv, let header {
            defer { csv = reader }
            guard let record = try reader.next() else { return nil }
            switch record.fields {
            case let .failure(problem):
                return Row(line: record.line, profile: .failure(RowRejection(problem.description)))
            case let .success(fields):
                do {
                    return Row(line: record.line, profile: .success(try header.profile(from: fields)))
                } catch {
                    return Row(line: record.line, profile: .failure(RowRejection(error.description)))
                }
            }
        }
        if var reader = lines {
            defer { lines = reader }
            while let (number, line) = try reader.next() {
                switch line {
                case let .failure(problem):
                    return Row(line: number, profile: .failure(RowRejection(problem.description)))
                case let .success(bytes):
                    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                    do {
                        return Row(line: number, profile: .success(try CustomerJSONLine.profile(from: bytes)))
                    } catch {
                        return Row(line: number, profile: .failure(RowRejection(error.description)))
                    }
                }
            }
        }
        return nil
    }
}

/// Lines of a byte stream, each bounded in length.
struct LineReader {
    var source: ChunkedByteSource
    var buffer: [UInt8] = []
    var position = 0
    var lineNumber = 0
    var exhausted = false
    let maximumLineBytes: Int

    init(source: ChunkedByteSource, maximumLineBytes: Int = CSVReader.defaultMaximumRecordBytes) {
        self.source = source
        self.maximumLineBytes = maximumLineBytes
    }

    mutating func next() throws -> (Int, Result<[UInt8], CSVReader.Problem>)? {
        var line: [UInt8] = []
        var oversized = false
        var sawAnything = false
        while true {
            if position == buffer.count {
                guard !exhausted, let chunk = try source.read(), !chunk.isEmpty else {
                    exhausted = true
                    break
                }
                buffer = chunk
                position = 0
            }
            sawAnything = true
            let rest = buffer[position...]
            if let newline = rest.firstIndex(of: 0x0A) {
                if !oversized { line.append(contentsOf: rest[..<newline]) }
                position = newline + 1
                lineNumber += 1
                if line.count > maximumLineBytes { oversized = true }
                return (lineNumber, oversized ? .failure(.oversized(limit: maximumLineBytes)) : .success(line))
            }
            if !oversized { line.append(contentsOf: rest) }
            if line.count > maximumLineBytes {
                oversized = true
                line = []
            }
            position = buffer.count
        }
        guard sawAnything, !(line.isEmpty && !oversized) else { return nil }
        lineNumber += 1
        return (lineNumber, oversized ? .failure(.oversized(limit: maximumLineBytes)) : .success(line))
    }
}
