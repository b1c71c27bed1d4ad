import StoreIdPCore
import Vapor

/// bcrypt through Vapor's implementation. Cost 12: about a quarter of a second a hash on one
/// core, the usual balance between login latency and offline guessing (OWASP Password Storage).
struct BcryptPasswordHasher: CustomerPasswordHasher {
    static let cost = 12

    func hash(_ password: String) throws -> String {
        try Bcrypt.hash(password, cost: Self.cost)
    }

    func verify(_ password: String, againstBcrypt hash: String) throws -> Bool {
        try Bcrypt.verify(password, created: hash)
    }
}
