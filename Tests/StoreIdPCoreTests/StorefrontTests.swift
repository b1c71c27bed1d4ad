import Crypto
import _CryptoExtras
import Foundation
import StoreIdPCore
import XCTest

final class StorefrontRegistrationTests: XCTestCase {
    let secret = String(repeating: "x", count: 32)

    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("storefronts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func file(_ json: String) throws -> ProvidersFile {
        try JSONDecoder().decode(ProvidersFile.self, from: Data(json.utf8))
    }

    private func register(_ json: String, in base: URL? = nil) throws -> [Storefront] {
        let registration = StorefrontRegistration(baseDirectory: try base ?? folder(), environment: ["SHOP_SECRET": secret, "SHORT": "abc"])
        return try registration.storefronts(from: file(json))
    }

    private func assertRefused(_ json: String, path: String, _ words: String, in base: URL? = nil, line: UInt = #line) {
        XCTAssertThrowsError(try register(json, in: base), line: line) { error in
            guard let error = error as? ProviderValidationError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(error.path, path, line: line)
            XCTAssertTrue(error.problem.contains(words), error.description, line: line)
        }
    }

    func testAFileMayHoldStorefrontsOnly() throws {
        let parsed = try file(#"{"storefronts": [{"issuer": "https://shop.example", "secret_env": "SHOP_SECRET", "trusted_fields": ["group", "company"]}]}"#)
        XCTAssertEqual(parsed.providers.count, 0)
        let storefronts = try register(#"{"storefronts": [{"issuer": "https://shop.example", "secret_env": "SHOP_SECRET", "trusted_fields": ["group", "company"]}]}"#)
        XCTAssertEqual(storefronts, [Storefront(issuer: "https://shop.example", key: .hs256(.environment("SHOP_SECRET")), trustedFields: [.group, .company])])
        XCTAssertNil(try file(#"{"providers": []}"#).storefronts)
        XCTAssertThrowsError(try file(#"{"storefront": []}"#), "a misspelt list is refused, not ignored")
        XCTAssertThrowsError(try file(#"{"storefronts": [{"issuer": "a", "secret_env": "SHOP_SECRET", "trust": []}]}"#))
    }

    func testValidationErrorsNameThePlace() throws {
        assertRefused(#"{"storefronts": [{"issuer": "https://a.example", "secret_env": "SHOP_SECRET", "trusted_fields": ["group", "email"]}]}"#,
                      path: "storefronts[0].trusted_fields[1]", "'email' is not one of group, segments, company")
        assertRefused(#"{"storefronts": [{"issuer": "https://a.example", "secret_env": "SHORT"}]}"#,
                      path: "storefronts[0].secret_env", "3 bytes; at least 32")
        assertRefused(#"{"storefronts": [{"issuer": "https://a.example", "secret_env": "UNSET"}]}"#,
                      path: "storefronts[0].secret_env", "UNSET is not set")
        assertRefused(#"{"storefronts": [{"issuer": "https://a.example", "secret_env": "lower"}]}"#,
                      path: "storefronts[0].secret_env", "not an environment variable name")
        assertRefused(#"{"storefronts": [{"issuer": "https://a.example"}]}"#,
                      path: "storefronts[0].secret_env", "secret_env or secret_file")
        assertRefused(#"{"storefronts": [{"issuer": "https://a.example", "secret_env": "SHOP_SECRET", "public_key": "k.pem"}]}"#,
                      path: "storefronts[0].secret_env", "one of")
        assertRefused(#"{"storefronts": [{"issuer": "https://a.example", "public_key": "missing.pem"}]}"#,
                      path: "storefronts[0].public_key", "cannot read")
        assertRefused(#"{"storefronts": [{"issuer": "https://a.example", "secret_env": "SHOP_SECRET"}, {"issuer": "https://b.example", "secret_env": "SHOP_SECRET"}, {"issuer": "https://a.example", "secret_env": "SHOP_SECRET"}]}"#,
                      path: "storefronts[2].issuer", "already used by storefronts[0]")
        assertRefused(#"{"storefronts": [{"issuer": "", "secret_env": "SHOP_SECRET"}]}"#, path: "storefronts[0].issuer", "1 to 2048 bytes")
    }

    func testPublicKeyFilesDecideTheAlgorithm() throws {
        let base = try folder()
        let ec = P256.Signing.PrivateKey()
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        try ec.publicKey.pemRepresentation.write(to: base.appendingPathComponent("ec.pem"), atomically: true, encoding: .utf8)
        try rsa.publicKey.pemRepresentation.write(to: base.appendingPathComponent("rsa.pem"), atomically: true, encoding: .utf8)
        try ec.pemRepresentation.write(to: base.appendingPathComponent("private.pem"), atomically: true, encoding: .utf8)
        try "not a key".write(to: base.appendingPathComponent("junk.pem"), atomically: true, encoding: .utf8)
        let storefronts = try register(#"{"storefronts": [{"issuer": "e", "public_key": "ec.pem"}, {"issuer": "r", "public_key": "rsa.pem"}]}"#, in: base)
        XCTAssertEqual(storefronts.map(\.key.algorithm), ["ES256", "RS256"])
        assertRefused(#"{"storefronts": [{"issuer": "p", "public_key": "private.pem"}]}"#, path: "storefronts[0].public_key", "private key", in: base)
        assertRefused(#"{"storefronts": [{"issuer": "j", "public_key": "junk.pem"}]}"#, path: "storefronts[0].public_key", "not an RSA or P-256 public key", in: base)
    }
}

final class LaunchProfilePolicyTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let shop = Storefront(issuer: "https://shop.example", key: .hs256(.environment("S")))

    var tokenProfile: CustomerProfile {
        var profile = CustomerProfile(email: "ann@shop.example")
        profile.firstName = "Ann"
        profile.group = "Wholesale"
        profile.segments = ["vip"]
        profile.companyName = "Acme"
        profile.storefrontID = "42"
        return profile
    }

    var ann: Customer {
        Customer(email: try! EmailAddress("ann@shop.example"), group: "Retail", segments: ["basic"],
                 company: Company(name: "Ann's"), createdAt: now, updatedAt: now)
    }

    func testNewCustomerTakesEverythingAndIsBound() throws {
        let decision = try LaunchProfilePolicy.decide(issuer: shop.issuer, subject: "42", profile: tokenProfile, storefront: shop,
                                                      existing: nil, existingLinks: [], subjectLink: nil)
        XCTAssertEqual(decision.profile, tokenProfile)
        XCTAssertTrue(decision.bindsNewLink)
    }

    func testExistingCustomerKeepsAccessFieldsTheStorefrontIsNotTrustedWith() throws {
        let customer = ann
        let decision = try LaunchProfilePolicy.decide(issuer: shop.issuer, subject: "42", profile: tokenProfile, storefront: shop,
                                                      existing: customer, existingLinks: [], subjectLink: nil)
        XCTAssertTrue(decision.bindsNewLink, "first use binds the existing customer")
        XCTAssertNil(decision.profile.group)
        XCTAssertNil(decision.profile.segments)
        XCTAssertNil(decision.profile.companyName)
        XCTAssertEqual(decision.profile.firstName, "Ann", "names are not access-deciding")
        var applied = customer
        decision.profile.apply(to: &applied, passwordHash: nil, now: now)
        XCTAssertEqual(applied.group, "Retail")
        XCTAssertEqual(applied.segments, ["basic"])
        XCTAssertEqual(applied.company.name, "Ann's")

        var trusting = shop
        trusting.trustedFields = [.group, .company]
        let trusted = try LaunchProfilePolicy.decide(issuer: shop.issuer, subject: "42", profile: tokenProfile, storefront: trusting,
                                                     existing: customer, existingLinks: [], subjectLink: nil)
        XCTAssertEqual(trusted.profile.group, "Wholesale")
        XCTAssertEqual(trusted.profile.companyName, "Acme")
        XCTAssertNil(trusted.profile.segments)
    }

    func testTheSameBindingIsAccepted() throws {
        let customer = ann
        let link = StorefrontLink(issuer: shop.issuer, subject: "42", customerID: customer.id)
        let decision = try LaunchProfilePolicy.decide(issuer: shop.issuer, subject: "42", profile: tokenProfile, storefront: shop,
                                                      existing: customer, existingLinks: [link], subjectLink: link)
        XCTAssertFalse(decision.bindsNewLink)
        XCTAssertNil(decision.profile.group)
    }

    func testAnotherSubjectOrStorefrontForTheCustomerIsRefused() throws {
        let customer = ann
        let link = StorefrontLink(issuer: shop.issuer, subject: "42", customerID: customer.id)
        XCTAssertThrowsError(try LaunchProfilePolicy.decide(issuer: shop.issuer, subject: "43", profile: tokenProfile, storefront: shop,
                                                            existing: customer, existingLinks: [link], subjectLink: nil)) {
            XCTAssertEqual($0 as? LaunchProfilePolicy.Refusal, .customerBoundToAnotherSubject(issuer: shop.issuer, subject: "42"))
        }
        let outlet = Storefront(issuer: "https://outlet.example", key: .hs256(.environment("O")), trustedFields: [.group])
        XCTAssertThrowsError(try LaunchProfilePolicy.decide(issuer: outlet.issuer, subject: "42", profile: tokenProfile, storefront: outlet,
                                                            existing: customer, existingLinks: [link], subjectLink: nil)) {
            XCTAssertEqual($0 as? LaunchProfilePolicy.Refusal, .customerBoundToAnotherSubject(issuer: shop.issuer, subject: "42"))
        }
    }

    func testASubjectBoundToAnotherCustomerIsRefused() throws {
        let customer = ann
        let other = StorefrontLink(issuer: shop.issuer, subject: "42", customerID: UUID())
        XCTAssertThrowsError(try LaunchProfilePolicy.decide(issuer: shop.issuer, subject: "42", profile: tokenProfile, storefront: shop,
                                                            existing: customer, existingLinks: [], subjectLink: other)) {
            XCTAssertEqual($0 as? LaunchProfilePolicy.Refusal, .subjectBoundToAnotherCustomer(issuer: shop.issuer, subject: "42"))
        }
        XCTAssertThrowsError(try LaunchProfilePolicy.decide(issuer: shop.issuer, subject: "42", profile: tokenProfile, storefront: shop,
                                                            existing: nil, existingLinks: [], subjectLink: other),
                             "a bound subject with a new email does not create a second customer")
    }
}
