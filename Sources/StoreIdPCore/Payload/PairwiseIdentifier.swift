import Crypto
import Foundation

/// A stable, opaque identifier of one customer at one service provider.
///
/// HMAC-SHA256 of the customer id and the partner's identifier under a secret of this IdP: two
/// partners cannot link their customers by comparing ids, and the id never changes for the same
/// pair (the SAML persistent NameID contract, saml-core §8.3.7; OIDC Core §8.1 pairwise `sub`).
public struct PairwiseIdentifier: Sendable {
    private let key: SymmetricKey

    public init(secret: Data) {
        self.key = SymmetricKey(data: secret)
    }

    public func identifier(customerID: UUID, serviceProvider: String) -> String {
        var message = Data(customerID.uuidString.lowercased().utf8)
        message.append(0)
        message.append(Data(serviceProvider.utf8))
        return Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: message, using: key)))
    }
}
