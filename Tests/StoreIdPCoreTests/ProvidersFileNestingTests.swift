import XCTest
@testable import StoreIdPCore

/// Issue 16: a providers file of some thousands of `[` overflowed the YAML decoder's stack.
final class ProvidersFileNestingTests: XCTestCase {
    func refused(_ text: String) -> Bool {
        do { try ProvidersFileNesting.check(text, path: "p.yml"); return false } catch { return true }
    }

    func testDeepFlowCollectionsAreRefused() {
        XCTAssertTrue(refused("providers: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)))
        XCTAssertTrue(refused("a: " + String(repeating: "{a: ", count: 65) + "1" + String(repeating: "}", count: 65)))
        // Closing brackets inside quoted scalars do not lower the count.
        XCTAssertTrue(refused("a: " + String(repeating: "[ \"]]\", ']}', ", count: 65)))
    }

    func testRealFilesPass() {
        let file = """
        providers:
          - slug: warranty   # see [docs]
            name: "Warranty [EU] {beta}"
            access: { groups: [Retail, Wholesale] }
            attributes:
              email: lower(customer.email | customer.attributes.upn)
              tier: 'map(customer.group, Wholesale=partner, default="[none]")'
              note: it's [fine]
            saml: { entity_id: "https://w.example/sp", acs_urls: ["https://w.example/acs"] }
        """
        XCTAssertFalse(refused(file))
        XCTAssertFalse(refused(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
        XCTAssertFalse(refused("a: \"" + String(repeating: "[", count: 500) + "\""))
        XCTAssertFalse(refused("a: '" + String(repeating: "{", count: 500) + "'' x'"))
        XCTAssertFalse(refused("# " + String(repeating: "[", count: 500)))
    }
}
