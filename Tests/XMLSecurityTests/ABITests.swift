import Foundation
import StoreIdPTestSupport
import XCTest
@testable import XMLSecurity

/// SwiftPM drops the -D flags pkg-config prints for xmlsec1-openssl, yet they
/// change xmlsec's ABI; the shim defines them itself. This keeps the two in step.
final class ABITests: XCTestCase {
    func testShimDefinesMatchPkgConfig() throws {
        let result = try runCommand("pkg-config", ["--cflags", "xmlsec1-openssl"])
        XCTAssertEqual(result.status, 0, result.output)
        let fromPkgConfig = Set(result.output.split(whereSeparator: { $0 == " " || $0 == "\n" })
            .map(String.init).filter { $0.hasPrefix("-D") })
        XCTAssertFalse(fromPkgConfig.isEmpty)
        XCTAssertEqual(Set(XMLSecurityLibrary.abiDefines), fromPkgConfig)
    }

    func testHeaderVersionMatchesInstalledLibrary() throws {
        let result = try runCommand("pkg-config", ["--modversion", "xmlsec1"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(XMLSecurityLibrary.xmlsecVersion, result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertNoThrow(try XMLSecurityLibrary.initialize())
    }
}
