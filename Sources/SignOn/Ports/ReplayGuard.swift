import Foundation

/// Single-use values shared by every node (request IDs, `jti`s): the first claim of a value in a
/// namespace succeeds, every later one fails until `until` has passed.
public protocol ReplayGuard: Sendable {
    /// True when `value` had not been seen in `namespace`; false for a replay.
    func claim(_ value: String, namespace: String, until: Date, now: Date) async throws -> Bool
}
