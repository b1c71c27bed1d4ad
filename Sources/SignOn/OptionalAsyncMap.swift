extension Optional {
    /// `map` with an async transform: a value read first (an Issuer, a customer) decides what
    /// the flow looks up next in its stores.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
