import Foundation
import SAML
import StoreIdPCore
import Yams

/// `providers apply FILE.yml`: YAML decoded into `ProvidersFile` (as `ProvidersFileLoader.load`
/// does, with the same 1 MiB bound), registered, and each provider's attribute mapping
/// evaluated for a fixed customer, as a sign-in would. Files are looked up in an empty folder
/// and `*_env` secrets in a fixed environment.
enum ProvidersFileTarget {
    static let registration = ServiceProviderRegistration(
        baseDirectory: emptyDirectory, environment: ["FUZZ_SECRET": String(repeating: "s", count: 32)],
        readMetadata: ServiceProviderMetadataReader.reader)

    static let emptyDirectory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("storeidp-fuzz-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static let customer: Customer = {
        var profile = CustomerProfile(email: "Alice.Example@Example.com")
        profile.firstName = "Alice"
        profile.lastName = "Example"
        profile.group = "Wholesale"
        profile.segments = ["vip", "b2b"]
        profile.companyName = "Acme"
        profile.attributes = ["dob": "1965-03-02", "created_at": "2024-05-01T12:00:00Z", "ancient": "0000-01-01T00:00:00Z",
                              "list": "a,b,,c"]
        let email = try! profile.validate()
        return profile.makeCustomer(email: email, passwordHash: nil, now: FuzzFixtures.now)
    }()

    static func run(_ input: Data) -> String {
        guard input.count <= ServiceProviderRegistration.maximumFileBytes, let text = String(data: input, encoding: .utf8) else {
            return "refused: larger than 1 MiB or not UTF-8"
        }
        let file: ProvidersFile
        do {
            // The server's loader needs the same check before decoding (see ProvidersFileNesting).
            try ProvidersFileNesting.check(text, path: "providers.yml")
            file = try YAMLDecoder().decode(ProvidersFile.self, from: text)
        } catch {
            return "refused: \(error)"
        }
        let providers: [ServiceProvider]
        do { providers = try registration.providers(from: file) } catch {
            return "refused: \(error.description)"
        }
        var lines: [String] = []
        for provider in providers {
            let context = ProvisioningPayload.Context(customer: customer, serviceProvider: provider, pairwiseID: "pairwise-1",
                                                      now: FuzzFixtures.now, authTime: FuzzFixtures.now)
            _ = provider.access.decision(for: customer)
            do {
                let payload = try ProvisioningPayload(mapping: provider.attributes, context: context)
                lines.append("\(provider.slug): \(payload.values.map { "\($0.name)=\($0.values)" }.joined(separator: " "))")
            } catch {
                lines.append("\(provider.slug): \(error.description)")
            }
        }
        return "registered \(providers.count): " + lines.joined(separator: "; ")
    }
}
