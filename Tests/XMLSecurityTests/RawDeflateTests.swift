import Foundation
import XCTest
import XMLSecurity

final class RawDeflateTests: XCTestCase {
    func testRoundTrip() throws {
        let text = Data(String(repeating: "<samlp:AuthnRequest/> ", count: 500).utf8)
        let compressed = try RawDeflate.deflate(text)
        XCTAssertLessThan(compressed.count, text.count / 10)
        XCTAssertNotEqual(compressed.prefix(1), Data([0x78]), "raw DEFLATE has no zlib header")
        XCTAssertEqual(try RawDeflate.inflate(compressed), text)
        XCTAssertEqual(try RawDeflate.inflate(try RawDeflate.deflate(Data())), Data())
    }

    func testInteropWithPythonZlibVector() throws {
        // zlib.compressobj(9, zlib.DEFLATED, -15) over b"hello hello hello" from CPython: a spec vector for windowBits -15.
        let vector = Data([0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x90, 0x00])
        XCTAssertEqual(String(decoding: try RawDeflate.inflate(vector), as: UTF8.self), "hello hello hello")
    }

    func testBombStopsAtLimit() throws {
        let bomb = try RawDeflate.deflate(Data(repeating: 0x20, count: 20 << 20))
        XCTAssertLessThan(bomb.count, 64 * 1024)
        XCTAssertThrowsError(try RawDeflate.inflate(bomb)) { XCTAssertEqual($0 as? RawDeflateError, .limitExceeded(limit: 1 << 20)) }
        XCTAssertThrowsError(try RawDeflate.inflate(try RawDeflate.deflate(Data(count: 101)), limit: 100)) {
            XCTAssertEqual($0 as? RawDeflateError, .limitExceeded(limit: 100))
        }
        XCTAssertEqual(try RawDeflate.inflate(try RawDeflate.deflate(Data(count: 100)), limit: 100).count, 100)
    }

    func testCorruptTruncatedAndTrailing() throws {
        let good = try RawDeflate.deflate(Data("some text to compress".utf8))
        for bad in [Data([0xff, 0xff, 0xff]), good.prefix(good.count - 2), good + Data([0x00, 0x01]), Data()] {
            XCTAssertThrowsError(try RawDeflate.inflate(bad)) {
                guard case .corrupt = $0 as? RawDeflateError else { return XCTFail("expected corrupt, got \($0)") }
            }
        }
    }
}
