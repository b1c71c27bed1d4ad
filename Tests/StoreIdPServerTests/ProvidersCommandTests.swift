import Foundation
import SignOn
import StoreIdPCore
@testable import StoreIdPServer
import Vapor
import XCTest

final class ProvidersCommandTests: XCTestCase {
    var test: TestApplication!
    var certificatePath: String!

    override func setUp() async throws {
        test = try await TestApplication.make()
        let key = try SigningKeyFactory(commonName: "sp.example").makeKey(state: .active, now: test.clock.now)
        certificatePath = test.folder.appendingPathComponent("sp.crt").path
        try Data(key.certificatePEM.utf8).write(to: URL(fileURLWithPath: certificatePath))
    }

    override func tearDown() async throws {
        try await test.shutdown()
        test.removeFiles()
    }

    private func file(_ yaml: String) throws -> String {
        let path = test.folder.appendingPathComponent("providers-\(UUID().uuidString).yml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private let valid = """
    providers:
      - slug: warranty
        name: Warranty portal
        protocol: saml
        lifetime_seconds: 300
        access: { groups: [Retail, Wholesale] }
        attributes:
          email: customer.email
          firstName: customer.first_name
          tier: customer.attributes.tier
          source: '"storeidp"'
        saml:
          entity_id: https://warranty.example/sp
          acs_urls: [https://warranty.example/acs, http://127.0.0.1:9000/acs]
          certificate: sp.crt
          name_id: persistent
          sign: both
          encrypt: aes128-cbc
    """

    func testApplyIsIdempotentAndPreviewShowsThePayload() async throws {
        let path = try file(valid)
        try await test.run(ProvidersApplyCommand(), [path])
        let provider = try unwrap(try await ProviderDirectory(database: test.app.db).find(slug: "warranty"))
        let saml = try XCTUnwrap(provider.saml)
        XCTAssertEqual(saml.entityID, "https://warranty.example/sp")
        XCTAssertEqual(saml.assertionConsumerServices.map(\.url), ["https://warranty.example/acs", "http://127.0.0.1:9000/acs"])
        XCTAssertEqual(saml.defaultAssertionConsumerService?.url, "https://warranty.example/acs")
        XCTAssertEqual(saml.nameIDFormat, .persistent)
        XCTAssertEqual(saml.signing, .both)
        XCTAssertEqual(saml.encryption, .aes128CBC)
        XCTAssertEqual(saml.signingCertificates.count, 1)
        XCTAssertEqual(provider.attributes.entries.map(\.name), ["email", "firstName", "tier", "source"], "file order is kept")
        XCTAssertEqual(provider.access.groups, ["Retail", "Wholesale"])

        let outcomes = try await ProviderDirectory(database: test.app.db).apply([provider], now: test.clock.now)
        XCTAssertEqual(outcomes.map(\.1), [.unchanged])

        let customer = try await test.addCustomer(email: "ann@shop.example", password: nil, group: "Retail")
        var profile = CustomerProfile(email: "ann@shop.example")
        profile.attributes = ["tier": "gold"]
        _ = try await CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool).save(profile, now: test.clock.now)
        let preview = try PayloadPreview(customer: try unwrap(try await CustomerDirectory(database: test.app.db, hasher: BcryptPasswordHasher(), threadPool: test.app.threadPool).find(id: customer.id)),
                                         provider: provider, factory: PayloadFactory(keys: test.app.storeIdP.keyRing), now: test.clock.now,
                                         issuer: test.app.storeIdP.settings.issuer)
        XCTAssertTrue(preview.access.allowed)
        XCTAssertEqual(preview.attributes.map(\.name), ["email", "firstName", "tier", "source"])
        XCTAssertEqual(preview.attributes.map(\.values), [["ann@shop.example"], ["Ann"], ["gold"], ["storeidp"]])
        XCTAssertEqual(preview.subject?.format, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
        let pairwise = try PayloadFactory(keys: test.app.storeIdP.keyRing).pairwiseID(customer: customer, provider: provider)
        XCTAssertEqual(preview.subject?.value, pairwise)
        XCTAssertFalse(pairwise.contains("ann"), "a pairwise id reveals nothing about the customer")
        try await test.run(ProvidersPreviewCommand(), ["warranty", "--customer", "ann@shop.example"])
    }

    func testEveryProblemIsRefusedWithItsPlaceAndNothingIsWritten() async throws {
        let cases: [(String, String)] = [
            (valid.replacingOccurrences(of: "https://warranty.example/acs,", with: "http://warranty.example/acs,"), "providers[0].saml.acs_urls[0]"),
            (valid.replacingOccurrences(of: "name_id: persistent", with: "name_idd: persistent"), "unknown key 'name_idd'"),
            (valid.replacingOccurrences(of: "protocol: saml", with: "protocol: none"), "providers[0].protocol"),
            (valid.replacingOccurrences(of: "slug: warranty", with: "slug: Warranty Portal"), "providers[0].slug"),
            (valid.replacingOccurrences(of: "lifetime_seconds: 300", with: "lifetime_seconds: 86400"), "lifetime_seconds"),
            (valid.replacingOccurrences(of: "customer.attributes.tier", with: "customer.password_hash"), "unknown source 'customer.password_hash'"),
            (valid.replacingOccurrences(of: "certificate: sp.crt", with: "certificate: missing.crt"), "cannot read"),
            (valid.replacingOccurrences(of: "sign: both", with: "sign: never"), "providers[0].saml.sign"),
            (valid.replacingOccurrences(of: "access: { groups: [Retail, Wholesale] }", with: "access: { groups: [] }"), "let nobody in"),
            (valid + "\n" + valid.replacingOccurrences(of: "providers:\n", with: ""), "already used by providers[0]"),
            ("providers: [ {slug: x, protocol: saml, saml: {entity_id: y}} ]", "acs_urls"),
            ("not: [valid", "not valid YAML"),
            ("providers:\n  - slug: a\n    protocol: saml\n    attributes:\n      email: \(String(repeating: "x", count: 100_000))\n    saml: {entity_id: e, acs_urls: [https://a.example/acs]}", "at most 4096"),
        ]
        for (yaml, expected) in cases {
            let path = try file(yaml)
            do {
                _ = try ProvidersFileLoader.load(path: path)
                XCTFail("accepted: expected \(expected)")
            } catch {
                XCTAssertTrue("\(error)".contains(expected), "expected '\(expected)' in '\(error)'")
            }
        }
        let badCertificate = test.folder.appendingPathComponent("bad.crt").path
        try Data("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8).write(to: URL(fileURLWithPath: badCertificate))
        XCTAssertThrowsError(try ProvidersFileLoader.load(path: try file(valid.replacingOccurrences(of: "certificate: sp.crt", with: "certificate: bad.crt")))) { error in
            XCTAssertTrue("\(error)".contains("cannot be parsed"), "\(error)")
        }
        do {
            try await test.run(ProvidersApplyCommand(), [try file(valid.replacingOccurrences(of: "sign: both", with: "sign: never"))])
            XCTFail("apply must fail")
        } catch {}
        let count = try await ProviderDirectory(database: test.app.db).all().count
        XCTAssertEqual(count, 0)
    }

    func testSAMLMetadataFileRegistersTheSP() async throws {
        let pem = try String(contentsOfFile: certificatePath, encoding: .utf8)
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let metadata = """
        <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://meta.example/sp">
          <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
            <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(base64)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
            <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://meta.example/slo"/>
            <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
            <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://meta.example/artifact" index="0"/>
            <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://meta.example/acs" index="1" isDefault="true"/>
          </md:SPSSODescriptor>
        </md:EntityDescriptor>
        """
        try Data(metadata.utf8).write(to: test.folder.appendingPathComponent("sp-metadata.xml"))
        let path = try file("providers:\n  - slug: meta\n    protocol: saml\n    saml: { metadata: sp-metadata.xml }\n")
        let provider = try XCTUnwrap(try ProvidersFileLoader.load(path: path).first)
        let saml = try XCTUnwrap(provider.saml)
        XCTAssertEqual(saml.entityID, "https://meta.example/sp")
        XCTAssertEqual(saml.defaultAssertionConsumerService?.url, "https://meta.example/acs")
        XCTAssertTrue(saml.wantAuthnRequestsSigned)
        XCTAssertEqual(saml.signing, .both)
        XCTAssertEqual(saml.nameIDFormat, .persistent)
        XCTAssertEqual(saml.signingCertificates.count, 1)
        XCTAssertEqual(saml.singleLogoutServices.first?.url, "https://meta.example/slo")

        try Data("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>".utf8).write(to: test.folder.appendingPathComponent("evil.xml"))
        XCTAssertThrowsError(try ProvidersFileLoader.load(path: try file("providers:\n  - slug: evil\n    protocol: saml\n    saml: { metadata: evil.xml }\n"))) { error in
            XCTAssertTrue("\(error)".contains("providers[0].saml.metadata"), "\(error)")
        }
    }

    func testAccessPolicyDecisions() {
        let now = Date()
        var customer = Customer(email: try! EmailAddress("a@b.example"), group: "Retail", segments: ["vip"], company: Company(name: "Acme"), createdAt: now, updatedAt: now)
        XCTAssertTrue(AccessPolicy().decision(for: customer).allowed)
        XCTAssertTrue(AccessPolicy(groups: ["Retail"], segments: ["vip", "b2b"]).decision(for: customer).allowed)
        XCTAssertFalse(AccessPolicy(groups: ["Wholesale"]).decision(for: customer).allowed)
        XCTAssertFalse(AccessPolicy(companies: ["Other"]).decision(for: customer).allowed)
        customer.status = .disabled
        XCTAssertFalse(AccessPolicy().decision(for: customer).allowed, "disabled customers never pass")
    }
}
