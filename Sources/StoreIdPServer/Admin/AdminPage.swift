import StoreIdPCore
import Vapor

/// The `page` query parameter of the admin API's lists: a whole number from 1 to `maximum`
/// (absent or empty: 1). Bounded so that no request asks the database to skip millions of rows;
/// anything else is 422 with field `page`.
struct AdminPage: Sendable, Equatable {
    static let maximum = 10_000

    let number: Int

    init(from request: Request) throws {
        guard let raw = request.query[String.self, at: "page"], !raw.isEmpty else {
            self.number = 1
            return
        }
        guard raw.utf8.count <= 5, raw.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(raw),
              (1...Self.maximum).contains(number) else {
            throw AdminAPIError(.unprocessableEntity, "invalid", "page must be a whole number from 1 to \(Self.maximum), not '\(raw.displaySafePrefix)'",
                                field: "page")
        }
        self.number = number
    }

    /// Rows to skip before this page.
    func offset(perPage: Int) -> Int { (number - 1) * perPage }
}
