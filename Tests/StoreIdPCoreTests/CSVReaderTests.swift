import StoreIdPCore
import XCTest

final class CSVReaderTests: XCTestCase {
    private func records(_ text: String, chunkSize: Int = 3, limit: Int = CSVReader.defaultMaximumRecordBytes) throws -> [(Int, Result<[String], CSVReader.Problem>)] {
        var reader = CSVReader(source: .bytes(Array(text.utf8), chunkSize: chunkSize), maximumRecordBytes: limit)
        var out: [(Int, Result<[String], CSVReader.Problem>)] = []
        while let record = try reader.next() { out.append((record.line, record.fields)) }
        return out
    }

    func testRFC4180QuotingAndLineEnds() throws {
        let rows = try records("a,b,c\r\n\"x,1\",\"he said \"\"hi\"\"\",\"two\nlines\"\n\nlast,,\n")
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(try rows[0].1.get(), ["a", "b", "c"])
        XCTAssertEqual(try rows[1].1.get(), ["x,1", "he said \"hi\"", "two\nlines"])
        XCTAssertEqual(rows[2].0, 5, "line numbers count the line break inside quotes and the blank line")
        XCTAssertEqual(try rows[2].1.get(), ["last", "", ""])
    }

    func testByteOrderMarkIsSkippedWhateverTheChunking() throws {
        for chunk in [1, 2, 3, 64] {
            let rows = try records("\u{FEFF}email\nann@x.example", chunkSize: chunk)
            XCTAssertEqual(try rows[0].1.get(), ["email"], "chunk \(chunk)")
            XCTAssertEqual(try rows[1].1.get(), ["ann@x.example"])
        }
    }

    func testProblemsAreReportedPerRecord() throws {
        let rows = try records("ok\n\"bad\"x\n\u{0}ok\n\"open\n", limit: 1 << 20)
        XCTAssertEqual(try rows[0].1.get(), ["ok"])
        XCTAssertEqual(rows[1].1, .failure(.characterAfterClosingQuote))
        XCTAssertEqual(rows[3].1, .failure(.unterminatedQuote))
    }

    func testInvalidUTF8IsARowProblem() throws {
        var bytes = Array("a\n".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        bytes += Array("b\n".utf8)
        var reader = CSVReader(source: .bytes(bytes))
        XCTAssertEqual(try reader.next()?.fields, .success(["a"]))
        XCTAssertEqual(try reader.next()?.fields, .failure(.invalidUTF8))
        XCTAssertEqual(try reader.next()?.fields, .success(["b"]))
    }

    func testOversizedRecordIsSkippedNotHeld() throws {
        let rows = try records("a\n" + String(repeating: "x", count: 5000) + "\nb\n", chunkSize: 100, limit: 1000)
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows[1].1, .failure(.oversized(limit: 1000)))
        XCTAssertEqual(try rows[2].1.get(), ["b"])
    }
}
