import Foundation
import SignOn
import StoreIdPCore

/// `GET /oidc/authorize?…` (and the POST form): the raw query through `OAuthParameters` and
/// `OIDCAuthorizationRequest.read` for a registered confidential and public client, then the
/// accepted request through the JSON it is kept as in the session.
enum OIDCAuthorizeTarget {
    static let clients: [ServiceProvider] = [
        ServiceProvider(slug: "commerce-cloud", name: "Commerce Cloud",
                        settings: .oidc(.init(clientID: "ep-store", clientSecret: .environment("FUZZ_LAUNCH_SECRET"),
                                              redirectURIs: ["https://shop.example/cb"], azureB2CPath: "storeconnect"))),
        ServiceProvider(slug: "spa", name: "App", settings: .oidc(.init(clientID: "spa", redirectURIs: ["http://127.0.0.1:9/cb"]))),
    ]

    static func run(_ input: Data) -> String {
        let parameters = OAuthParameters(formEncoded: String(decoding: input, as: UTF8.self))
        return Blocking.run {
            var outcome: [String] = []
            for layout in [OpenIDProviderLayout.standard, .azureB2C(path: "storeconnect")] {
                do {
                    let request = try await OIDCAuthorizationRequest.read(parameters, layout: layout) { id in clients.first { $0.oidc?.clientID == id } }
                    let stored = try JSONEncoder().encode(PendingAuthorization(request: request, receivedAt: FuzzFixtures.now))
                    let restored = try JSONDecoder().decode(PendingAuthorization.self, from: stored)
                    outcome.append(restored.request == request ? "accepted \(request.clientID)" : "ROUND TRIP DIFFERS")
                } catch let refused as OIDCAuthorizationRequest.Refused {
                    outcome.append("to \(OAuthParameters.url(refused.redirectURI, adding: [("error", refused.error.code.rawValue), ("state", refused.state ?? "")]).prefix(40))")
                } catch {
                    outcome.append("page: \(error)")
                }
            }
            return outcome.joined(separator: "; ")
        }
    }
}
