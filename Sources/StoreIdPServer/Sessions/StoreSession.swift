import Foundation
import SignOn
import StoreIdPCore
import Vapor

/// One request's view of the browser's store session: the `SignOnSession` value the flows read
/// and change, loaded by `StoreSessionMiddleware` and written back by it after the response.
final class StoreSession: @unchecked Sendable {
    /// The cookie's id when the browser had a valid session.
    let loadedID: String?
    /// The value as loaded, to tell whether anything changed.
    let loaded: SignOnSession
    private let lock = NSLock()
    private var _state: SignOnSession

    init(id: String?, state: SignOnSession) {
        loadedID = id
        loaded = state
        _state = state
    }

    /// The session's sign-in state; flows change it through `inout`.
    var state: SignOnSession {
        get { lock.withLock { _state } }
        set { lock.withLock { _state = newValue } }
    }

    struct Key: StorageKey { typealias Value = StoreSession }
}

extension Request {
    /// The store session of this request (an empty one when the browser has none).
    var storeSession: StoreSession {
        if let session = storage[StoreSession.Key.self] { return session }
        let session = StoreSession(id: nil, state: SignOnSession())
        storage[StoreSession.Key.self] = session
        return session
    }

    /// Runs a flow against this request's session state and keeps what it changed.
    func withSignOnSession<T>(_ body: (inout SignOnSession) async throws -> T) async throws -> T {
        var state = storeSession.state
        defer { storeSession.state = state }
        return try await body(&state)
    }

    /// The signed-in, still active customer.
    func signedInCustomer() async throws -> Customer? {
        try await signOnContext.signedInCustomer(storeSession.state)?.1
    }
}
