import Foundation
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest

final class CustomerImportTests: XCTestCase {
    var test: TestApplication!

    override func setUp() async throws { test = try await TestApplication.make() }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    private var importer: CustomerImporter {
        CustomerImporter(directory: CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool),
                         timeSource: test.clock)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = test.folder.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private var directory: CustomerDirectory {
        CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool)
    }

    func testMagentoExportImportsAndSecondImportChangesNothing() async throws {
        let csv = "\u{FEFF}email,_website,_store,confirmation,created_at,created_in,disable_auto_group_change,dob,firstname,gender,group_id,lastname,middlename,password_hash,prefix,rp_token,rp_token_created_at,store_id,suffix,taxvat,website_id,password\r\n"
            + "ann@shop.example,base,default,,2024-01-02 10:00:00,Default Store View,0,1990-05-01,Ann,2,Wholesale,Lee,,\(sha256Hex("s4ltpw1"))" + ":s4lt:1,,RESETTOKEN,2024-01-01,1,,DE123456789,1,\r\n"
            + "\"bob@shop.example\",base,default,,,,0,,\"Bob, Jr.\",,Retail,\"O\"\"Neil\",,,,,,1,,,1,\r\n"
        let path = try write("export.csv", csv)
        let first = try await importer.importFile(at: path)
        XCTAssertEqual(first.created, 2)
        XCTAssertEqual(first.rejected.count, 0, "\(first.rejected)")
        let ann = try unwrap(try await directory.find(email: "ANN@shop.example"))
        XCTAssertEqual(ann.firstName, "Ann")
        XCTAssertEqual(ann.group, "Wholesale")
        XCTAssertEqual(ann.company.vat, "DE123456789")
        XCTAssertEqual(ann.attributes["dob"], "1990-05-01")
        XCTAssertEqual(ann.attributes["website"], "base")
        XCTAssertNil(ann.attributes["rp_token"], "reset tokens must never become attributes")
        guard case .magentoSHA256? = ann.passwordHash else { return XCTFail("Magento hash kept for verification at login") }
        let bob = try unwrap(try await directory.find(email: "bob@shop.example"))
        XCTAssertEqual(bob.firstName, "Bob, Jr.")
        XCTAssertEqual(bob.lastName, "O\"Neil")

        test.clock.advance(by: 60)
        let second = try await importer.importFile(at: path)
        XCTAssertEqual(second.created, 0)
        XCTAssertEqual(second.updated, 0)
        XCTAssertEqual(second.unchanged, 2)
        let awaited1 = try await directory.find(email: "ann@shop.example")
        XCTAssertEqual(awaited1, ann, "nothing changed, not even updatedAt")
    }

    func testBadRowsAreReportedWithTheirLineAndGoodRowsKept() async throws {
        let hugeEmail = String(repeating: "a", count: 1_000_000) + "@shop.example"
        let csv = """
        email,first_name,last_name,password_hash,segments,attributes.notes
        good1@shop.example,Good,One,,vip|newsletter
        not-an-email,Bad,Email,,
        \(hugeEmail),Huge,Email,,
        good2@shop.example,Good,Two,,,"multi
        line"
        hash@shop.example,Bad,Hash,$argon2id$v=19$m=65536,
        control@shop.example,Bad\u{7}Bell,Name,,
        GOOD1@shop.example,Dup,Licate,,
        broken@shop.example,"unterminated
        """
        let path = try write("customers.csv", csv)
        let report = try await importer.importFile(at: path)
        XCTAssertEqual(report.created, 2)
        let lines = report.rejected.map(\.line)
        XCTAssertEqual(lines, [3, 4, 7, 8, 9, 10], "\(report.rejected.map { ($0.line, $0.reason.prefix(80)) })")
        XCTAssertTrue(report.rejected[0].reason.contains("not an email address"))
        XCTAssertTrue(report.rejected[1].reason.contains("email is 1000013 bytes long"))
        XCTAssertTrue(report.rejected[2].reason.contains("not supported"))
        XCTAssertTrue(report.rejected[3].reason.contains("control characters"))
        XCTAssertTrue(report.rejected[4].reason.contains("line 2"))
        XCTAssertTrue(report.rejected[5].reason.contains("not closed"))
        let good = try unwrap(try await directory.find(email: "good1@shop.example"))
        XCTAssertEqual(good.segments, ["vip", "newsletter"])
        let notes = try await directory.find(email: "good2@shop.example")?.attributes["notes"]
        XCTAssertEqual(notes, "multi\nline", "a quoted line break stays in the value")
    }

    func testSeveralBatchesKeepEveryRowAndReportRejectsInOrder() async throws {
        var csv = "email,first_name\n"
        for index in 0..<2500 {
            csv += index % 997 == 5 ? "broken-\(index),X\n" : "bulk\(index)@shop.example,Name \(index)\n"
        }
        csv += "bulk1@shop.example,Duplicate\n"
        let report = try await importer.importFile(at: try write("bulk.csv", csv))
        XCTAssertEqual(report.created, 2497)
        XCTAssertEqual(report.rejected.map(\.line), [7, 1004, 2001, 2502], "line 1 is the header; the duplicate names its first line")
        XCTAssertTrue(report.rejected.last?.reason.contains("line 3") == true)
        let stored = try await CustomerRecord.query(on: test.app.db).count()
        XCTAssertEqual(stored, 2497)
        let again = try await importer.importFile(at: try write("bulk.csv", csv))
        XCTAssertEqual(again.unchanged, 2497)
    }

    func testJSONLinesImportAndRejects() async throws {
        let jsonl = """
        {"email":"ann@shop.example","first_name":"Ann","segments":["vip"],"company":{"name":"Acme","vat":"GB1","role":"buyer"},"attributes":{"tier":"gold"}}
        {"email":"bob@shop.example","password":"hunter2hunter2","group":"Retail"}
        not json
        ["array"]
        {"email":"typo@shop.example","frist_name":"X"}
        {"email":"types@shop.example","segments":"vip"}

        {"first_name":"No email"}
        """
        let path = try write("customers.jsonl", jsonl)
        let report = try await importer.importFile(at: path)
        XCTAssertEqual(report.created, 2)
        XCTAssertEqual(report.rejected.map(\.line), [3, 4, 5, 6, 8])
        XCTAssertTrue(report.rejected[2].reason.contains("unknown field 'frist_name'"))
        let ann = try unwrap(try await directory.find(email: "ann@shop.example"))
        XCTAssertEqual(ann.company, Company(name: "Acme", vat: "GB1", role: "buyer"))
        XCTAssertEqual(ann.attributes, ["tier": "gold"])
        let bob = try unwrap(try await directory.find(email: "bob@shop.example"))
        guard case .bcrypt? = bob.passwordHash else { return XCTFail("plain passwords are hashed with bcrypt on import") }

        let again = try await importer.importFile(at: path)
        XCTAssertEqual(again.unchanged, 2, "a plain password the stored hash verifies is not re-hashed")
        XCTAssertEqual(again.updated, 0)
    }

    func testUnsupportedFileAndHeaderProblemsAreClearErrors() async throws {
        let noEmail = try write("x.csv", "name,phone\nAnn,1\n")
        do {
            _ = try await importer.importFile(at: noEmail)
            XCTFail("a CSV without an email column must be refused")
        } catch let error as CustomerImportFile.OpenError {
            XCTAssertTrue(error.description.contains("no 'email' column"))
        }
        let xml = try write("x.xml", "<customers/>")
        do {
            _ = try await importer.importFile(at: xml)
            XCTFail("unsupported extension")
        } catch let error as CustomerImportFile.OpenError {
            XCTAssertTrue(error.description.contains(".xml"))
        }
    }

    func testCustomersAddCommandCreatesAndUpdates() async throws {
        try await test.run(CustomersAddCommand(), ["--email", "Cli@Shop.example", "--password", "pw-123456", "--first-name", "Cli",
                                                   "--attribute", "tier=gold", "--attribute", "region=EU", "--segment", "vip"])
        var customer = try unwrap(try await directory.find(email: "cli@shop.example"))
        XCTAssertEqual(customer.attributes, ["tier": "gold", "region": "EU"])
        XCTAssertEqual(customer.segments, ["vip"])
        try await test.run(CustomersAddCommand(), ["--email", "cli@shop.example", "--group", "Wholesale"])
        customer = try unwrap(try await directory.find(email: "cli@shop.example"))
        XCTAssertEqual(customer.group, "Wholesale")
        XCTAssertEqual(customer.firstName, "Cli")
        do {
            try await test.run(CustomersAddCommand(), ["--email", "x@shop.example", "--colour", "red"])
            XCTFail("unknown option must fail")
        } catch {}
        do {
            try await test.run(CustomersAddCommand(), ["--email", "not-an-email"])
            XCTFail("invalid email must fail")
        } catch {}
    }
}

final class JSONTextTests: XCTestCase {
    func testListsAndMapsRoundTripThroughJSONDecoder() throws {
        let list = ["plain", "quote \" back\\slash", "line\nbreak\ttab", "\u{1}control", "Zoë 李", "/slash"]
        XCTAssertEqual(try JSONDecoder().decode([String].self, from: Data(JSONText.array(list).utf8)), list)
        let map = ["b": "2", "a": "x\"y", "ctrl": "\u{7}"]
        XCTAssertEqual(try JSONDecoder().decode([String: String].self, from: Data(JSONText.object(map).utf8)), map)
        XCTAssertEqual(JSONText.object(["b": "1", "a": "2"]), "{\"a\":\"2\",\"b\":\"1\"}", "keys sorted: equal maps store equal text")
        XCTAssertEqual(JSONText.array([]), "[]")
    }
}
