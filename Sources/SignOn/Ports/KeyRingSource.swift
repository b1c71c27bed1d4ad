import Foundation
import StoreIdPCore

/// The signing keys and the pairwise secret, wherever they are kept.
public protocol KeyRingSource: Sendable {
    /// The ring as it is now (a rotation made elsewhere is seen).
    func current() throws -> KeyRing
    /// The secret pairwise identifiers are derived from; the same on every node.
    func pairwiseSecret() throws -> Data
}

extension KeyRingStore: KeyRingSource {}
