import Fluent

/// Failed-login counters, shared by every node through the database.
struct CreateLoginThrottle: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("login_throttle")
            .field("counter_key", .string, .identifier(auto: false))
            .field("window_start", .double, .required)
            .field("failures", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("login_throttle").delete()
    }
}
