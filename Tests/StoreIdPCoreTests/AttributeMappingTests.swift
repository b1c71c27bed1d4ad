import Foundation
import StoreIdPCore
import XCTest

final class AttributeMappingTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let provider = ServiceProvider(slug: "warranty", name: "Warranty", settings: .saml(.init(entityID: "https://warranty.example/sp", assertionConsumerServices: [.init(url: "https://warranty.example/acs", isDefault: true)])))

    func customer(_ configure: (inout Customer) -> Void = { _ in }) -> Customer {
        var customer = Customer(
            id: UUID(uuidString: "11111111-2222-3333-4444-555555555555")!, email: try! EmailAddress("Ann.Lee@Shop.example"),
            firstName: "Ann", lastName: "Lee", phone: "+49 30 1234", group: "Wholesale", segments: ["vip", "newsletter"],
            company: Company(name: "Acme GmbH", vat: "DE123", role: "buyer"), attributes: ["tier": "gold", "upn": "ann@corp.example", "roles": "a, b ,c"],
            storefrontID: "42", createdAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: now)
        configure(&customer)
        return customer
    }

    func evaluate(_ text: String, _ customer: Customer? = nil) throws -> [String] {
        let mapping = AttributeMapping([.init(name: "x", expression: try MappingExpression(parsing: text))])
        let context = ProvisioningPayload.Context(customer: customer ?? self.customer(), serviceProvider: provider, pairwiseID: "PAIRWISE", now: now, authTime: now.addingTimeInterval(-60))
        return try ProvisioningPayload(mapping: mapping, context: context)["x"] ?? []
    }

    func testEverySource() throws {
        let expected: [(String, [String])] = [
            ("customer.email", ["Ann.Lee@Shop.example"]), ("customer.first_name", ["Ann"]), ("customer.last_name", ["Lee"]),
            ("customer.phone", ["+49 30 1234"]), ("customer.group", ["Wholesale"]), ("customer.segments", ["vip", "newsletter"]),
            ("customer.company.name", ["Acme GmbH"]), ("customer.company.vat", ["DE123"]), ("customer.company.role", ["buyer"]),
            ("customer.attributes.tier", ["gold"]), ("customer.attributes.missing", []),
            ("customer.id", ["11111111-2222-3333-4444-555555555555"]), ("customer.storefront_id", ["42"]),
            ("customer.created_at", ["2023-11-14T22:13:20Z"]), ("customer.pairwise_id", ["PAIRWISE"]), ("sp.slug", ["warranty"]),
            ("now", ["2027-01-15T08:00:00Z"]), ("session.auth_time", ["2027-01-15T07:59:00Z"]), ("\"constant text\"", ["constant text"]),
        ]
        for (text, values) in expected {
            XCTAssertEqual(try evaluate(text), values, text)
        }
    }

    func testFallbackChainTakesTheFirstNonEmpty() throws {
        XCTAssertEqual(try evaluate("customer.attributes.sign_in_name | customer.attributes.upn | customer.email"), ["ann@corp.example"])
        XCTAssertEqual(try evaluate("customer.attributes.none | \"fallback\""), ["fallback"])
    }

    func testTransforms() throws {
        XCTAssertEqual(try evaluate("lower(customer.email)"), ["ann.lee@shop.example"])
        XCTAssertEqual(try evaluate("upper(customer.company.vat)"), ["DE123"])
        XCTAssertEqual(try evaluate("trim(\"  x  \")"), ["x"])
        XCTAssertEqual(try evaluate("split(customer.attributes.roles, \",\")"), ["a", "b", "c"])
        XCTAssertEqual(try evaluate("join(customer.segments, \";\")"), ["vip;newsletter"])
        XCTAssertEqual(try evaluate("prefix(customer.storefront_id, \"store-\")"), ["store-42"])
        XCTAssertEqual(try evaluate("suffix(customer.group, \"@acme\")"), ["Wholesale@acme"])
        XCTAssertEqual(try evaluate("map(customer.group, Wholesale=partner, Retail=customer)"), ["partner"])
        XCTAssertEqual(try evaluate("map(customer.group, Retail=customer, default=guest)"), ["guest"])
        XCTAssertEqual(try evaluate("date(customer.created_at, \"yyyy-MM-dd\")"), ["2023-11-14"])
        XCTAssertEqual(try evaluate("upper(map(customer.segments, vip=gold, newsletter=\"news letter\"))"), ["GOLD", "NEWS LETTER"])
        XCTAssertEqual(try evaluate("required(customer.email)"), ["Ann.Lee@Shop.example"])
    }

    func testValueMapWithoutTheKeyLeavesTheValueOutWithAWarning() throws {
        let mapping = AttributeMapping([.init(name: "role", expression: try MappingExpression(parsing: "map(customer.group, Retail=customer)"))])
        let payload = try ProvisioningPayload(mapping: mapping, context: .init(customer: customer(), serviceProvider: provider, pairwiseID: "p", now: now, authTime: nil))
        XCTAssertNil(payload["role"])
        XCTAssertEqual(payload.warnings, ["role: the value map has no entry for 'Wholesale' and no default, so the value was left out"])
    }

    func testRequiredEmptyValueFailsTheWholePayload() {
        XCTAssertThrowsError(try evaluate("required(customer.attributes.employee_id | customer.storefront_id)", customer { $0.storefrontID = nil })) { error in
            XCTAssertEqual("\(error)", "x is required, but customer.attributes.employee_id | customer.storefront_id is empty for this customer")
        }
    }

    func testBadExpressionsAreRefusedWithAPosition() {
        let cases: [(String, String)] = [
            ("customer.password_hash", "unknown source 'customer.password_hash'"),
            ("lowercase(customer.email)", "unknown transform 'lowercase'"),
            ("lower(customer.email", "')' expected"),
            ("map(customer.group)", "needs at least one key=value"),
            ("map(customer.group, Retail)", "has no '='"),
            ("join(customer.segments)", "takes one text argument"),
            ("\"open", "not closed"),
            ("customer.email |", "is missing"),
            (String(repeating: "lower(", count: 20) + "customer.email" + String(repeating: ")", count: 20), "nest at most 16"),
            (String(repeating: "x", count: 100_000), "at most 4096"),
            ("customer.email extra", "unexpected 'e'"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try MappingExpression(parsing: text), text.displaySafePrefix) { error in
                XCTAssertTrue("\(error)".contains(expected), "'\(error)' should contain '\(expected)'")
            }
        }
    }

    func testExpressionTextRoundTrips() throws {
        for text in ["customer.email", "lower(customer.email | customer.attributes.upn)", "map(customer.group, \"Retail\"=\"customer\", default=\"guest\")",
                     "join(split(customer.attributes.roles, \",\"), \" \")", "\"quote \\\" inside\""] {
            let parsed = try MappingExpression(parsing: text)
            XCTAssertEqual(try MappingExpression(parsing: parsed.text), parsed, text)
        }
    }

    func testOversizedAndControlCharacterValuesAreBounded() throws {
        let big = customer { $0.attributes["notes"] = String(repeating: "y", count: 1 << 20) }
        let mapping = AttributeMapping([.init(name: "notes", source: .customerAttribute("notes"))])
        let payload = try ProvisioningPayload(mapping: mapping, context: .init(customer: big, serviceProvider: provider, pairwiseID: "p", now: now, authTime: nil))
        XCTAssertEqual(payload["notes"]?.first?.utf8.count, ProvisioningPayload.maximumValueBytes)
        XCTAssertEqual(payload.warnings.count, 1)
    }

    func testEveryPresetOverVariedCustomers() throws {
        let customers: [Customer] = [
            customer(),
            customer { $0.company = Company() },
            customer { $0.firstName = nil; $0.lastName = nil },
            customer { $0.firstName = "Zoë"; $0.lastName = "Ødegård-李" },
            customer { $0.segments = (0..<100).map { "segment-\($0)" } },
            customer { $0.phone = nil; $0.group = nil },
            customer { $0.attributes = [:] },
            customer { $0.storefrontID = nil },
            customer { $0.email = try! EmailAddress("UPPER@EXAMPLE.COM") },
            customer { $0.company = Company(name: "Ünïcødé & <Sons>", vat: nil, role: nil) },
            customer { $0.status = .disabled },
            customer { $0.firstName = "A"; $0.lastName = String(repeating: "B", count: 255) },
        ]
        for preset in MappingPreset.allCases {
            for (index, customer) in customers.enumerated() {
                let payload = try ProvisioningPayload(mapping: preset.mapping, context: .init(customer: customer, serviceProvider: provider, pairwiseID: "pw", now: now, authTime: nil))
                let email = preset == .samlURI ? "urn:oid:0.9.2342.19200300.100.1.3" : "email"
                XCTAssertEqual(payload[email], [customer.email.value], "\(preset) customer \(index)")
                XCTAssertTrue(payload.values.allSatisfy { !$0.values.isEmpty && !$0.values.contains("") }, "no empty values: \(preset) \(index)")
                if customer.firstName == nil { XCTAssertNil(payload[preset == .samlURI ? "urn:oid:2.5.4.42" : preset == .samlBasic ? "firstName" : preset == .oidcStandard ? "given_name" : "first_name"]) }
            }
        }
        XCTAssertEqual(MappingPreset.samlURI.mapping.entries.first?.nameFormat, "urn:oasis:names:tc:SAML:2.0:attrname-format:uri")
        XCTAssertEqual(MappingPreset.samlURI.mapping.entries.first?.friendlyName, "mail")
    }

    func testPresetOverrides() {
        let mapping = MappingPreset.samlBasic.mapping.overridden(by: [.init(name: "email", source: .customerPairwiseID), .init(name: "tier", source: .customerAttribute("tier"))])
        XCTAssertEqual(mapping.entries.map(\.name), ["email", "firstName", "lastName", "tier"])
        XCTAssertEqual(mapping.entries[0].expression, .source(.customerPairwiseID))
    }
}
