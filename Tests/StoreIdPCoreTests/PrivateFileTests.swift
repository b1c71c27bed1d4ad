import Foundation
import StoreIdPCore
import XCTest

final class PrivateFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("storeidp-private-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testANewFileIsWrittenWholeAndOnlyItsOwnerReadsIt() throws {
        let file = folder.appendingPathComponent("secret")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
        try PrivateFile.create(bytes, at: file)
        XCTAssertEqual(try Data(contentsOf: file), Data(bytes))
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testAnExistingFileIsNeverOverwritten() throws {
        let file = folder.appendingPathComponent("taken")
        try Data("kept".utf8).write(to: file)
        XCTAssertThrowsError(try PrivateFile.create(Array("new".utf8), at: file)) { error in
            XCTAssertEqual((error as? PrivateFile.WriteError)?.path, file.path)
        }
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "kept", "the file it refused is left as it was")
    }
}
