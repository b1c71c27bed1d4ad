import Fluent
import SQLKit
import Foundation
import StoreIdPCore
import Vapor

/// Customers in the database: lookups, single writes, and the batched upsert imports use.
struct CustomerDirectory: Sendable {
    let database: any Database
    let hasher: any CustomerPasswordHasher
    let threadPool: NIOThreadPool

    func find(email: String) async throws -> Customer? {
        guard let address = try? EmailAddress(email) else { return nil }
        return try await CustomerRecord.query(on: database).filter(\.$emailKey == address.key).first()?.customer()
    }

    func find(id: UUID) async throws -> Customer? {
        try await CustomerRecord.find(id, on: database)?.customer()
    }

    enum WriteOutcome: Equatable { case created, updated, unchanged }

    /// Creates the customer or applies the profile to the stored one.
    @discardableResult
    func save(_ profile: CustomerProfile, now: Date) async throws -> (Customer, WriteOutcome) {
        let address = try profile.validate()
        return try await database.transaction { database in
            let existing = try await CustomerRecord.query(on: database).filter(\.$emailKey == address.key).first()
            let hash = try await self.passwordHash(for: profile.password, keeping: try existing?.customer().passwordHash)
            if let existing {
                var customer = try existing.customer()
                guard profile.apply(to: &customer, passwordHash: hash, now: now) else { return (customer, .unchanged) }
                existing.copy(from: customer)
                try await existing.update(on: database)
                return (customer, .updated)
            }
            let customer = profile.makeCustomer(email: address, passwordHash: hash, now: now)
            try await CustomerRecord(customer).create(on: database)
            return (customer, .created)
        }
    }

    /// Replaces the stored password hash (after a login with a legacy hash).
    func replacePasswordHash(of id: UUID, with hash: StoredPasswordHash, now: Date) async throws {
        guard let record = try await CustomerRecord.find(id, on: database) else { return }
        record.passwordHash = hash.storageString
        record.updatedAt = now
        try await record.update(on: database)
    }

    /// The hash to store for a profile's password. A plain password that the stored hash already
    /// verifies keeps the stored hash, so importing the same file twice changes nothing.
    func passwordHash(for password: CustomerProfile.Password?, keeping stored: StoredPasswordHash?) async throws -> StoredPasswordHash? {
        switch password {
        case nil: return nil
        case let .hash(hash): return hash
        case let .plain(plain):
            let hasher = self.hasher
            return try await threadPool.runIfActive {
                if let stored, try stored.verify(plain, using: hasher), !stored.needsRehash { return stored }
                return try StoredPasswordHash(parsing: hasher.hash(plain))
            }
        }
    }

    /// One batch of an import in one transaction: looks up every email of the batch in one query,
    /// inserts the new customers in one multi-row INSERT, and updates only rows that changed.
    ///
    /// This path speaks SQL through SQLKit rather than Fluent models: building a Fluent model
    /// reflects over its properties on every row, which cost more than the database itself on a
    /// million-row import. Values are bound exactly as Fluent binds them, so either side reads
    /// what the other wrote.
    func upsert(batch: [(line: Int, profile: CustomerProfile, email: EmailAddress)], now: Date) async throws -> [(line: Int, outcome: Result<WriteOutcome, CustomerImportFile.RowRejection>)] {
        guard !batch.isEmpty else { return [] }
        return try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError) }
            if sql.dialect.name == "sqlite" {
                // 64 MiB of page cache for this connection: the email index of a million customers
                // then stays in memory instead of being re-read for every batch.
                try await sql.raw("PRAGMA cache_size = -65536").run()
            }
            let keys: [String] = batch.map { $0.email.key }
            let rows = try await sql.select().columns(CustomerRow.columns.map { SQLColumn($0) as any SQLExpression })
                .from(CustomerRecord.schema)
                .where(SQLColumn("email_key"), .in, SQLBind.group(keys))
                .all()
            var existing: [String: Customer] = [:]
            for row in rows {
                let customer = try CustomerRow.customer(from: row)
                existing[customer.email.key] = customer
            }
            var inserts: [Customer] = []
            var results: [(line: Int, outcome: Result<WriteOutcome, CustomerImportFile.RowRejection>)] = []
            results.reserveCapacity(batch.count)
            for row in batch {
                if var customer = existing[row.email.key] {
                    let hash = try await self.passwordHash(for: row.profile.password, keeping: customer.passwordHash)
                    guard row.profile.apply(to: &customer, passwordHash: hash, now: now) else {
                        results.append((row.line, .success(.unchanged)))
                        continue
                    }
                    try await Self.update(customer, in: sql)
                    results.append((row.line, .success(.updated)))
                } else {
                    let hash = try await self.passwordHash(for: row.profile.password, keeping: nil)
                    inserts.append(row.profile.makeCustomer(email: row.email, passwordHash: hash, now: now))
                    results.append((row.line, .success(.created)))
                }
            }
            try await Self.insert(inserts, into: sql)
            return results
        }
    }

    private static func insert(_ customers: [Customer], into sql: any SQLDatabase) async throws {
        guard !customers.isEmpty else { return }
        let builder = sql.insert(into: CustomerRecord.schema).columns(CustomerRow.columns)
        for customer in customers { builder.values(CustomerRow(customer).values) }
        try await builder.run()
    }

    private static func update(_ customer: Customer, in sql: any SQLDatabase) async throws {
        let builder = sql.update(CustomerRecord.schema)
        let row = CustomerRow(customer)
        for (column, value) in zip(CustomerRow.columns, row.values) where column != "id" && column != "created_at" {
            builder.set(SQLColumn(column), to: value)
        }
        try await builder.where("id", .equal, customer.id).run()
    }
}

/// The `customers` columns as SQLKit binds them, for the import path (see `upsert`).
struct CustomerRow {
    static let columns = ["id", "email", "email_key", "password_hash", "first_name", "last_name", "phone", "customer_group",
                          "segments", "company_name", "company_vat", "company_role", "attributes", "storefront_id", "status",
                          "created_at", "updated_at"]

    let id: UUID
    let email: String
    let email_key: String
    let password_hash: String?
    let first_name: String?
    let last_name: String?
    let phone: String?
    let customer_group: String?
    let segments: String
    let company_name: String?
    let company_vat: String?
    let company_role: String?
    let attributes: String
    let storefront_id: String?
    let status: String
    let created_at: Date
    let updated_at: Date

    init(_ customer: Customer) {
        id = customer.id
        email = customer.email.value
        email_key = customer.email.key
        password_hash = customer.passwordHash?.storageString
        first_name = customer.firstName
        last_name = customer.lastName
        phone = customer.phone
        customer_group = customer.group
        segments = JSONText.array(customer.segments)
        company_name = customer.company.name
        company_vat = customer.company.vat
        company_role = customer.company.role
        attributes = JSONText.object(customer.attributes)
        storefront_id = customer.storefrontID
        status = customer.status.rawValue
        created_at = customer.createdAt
        updated_at = customer.updatedAt
    }

    /// Every column's bind, in `columns` order.
    var values: [any SQLExpression] {
        [SQLBind(id), SQLBind(email), SQLBind(email_key), SQLBind(password_hash), SQLBind(first_name), SQLBind(last_name),
         SQLBind(phone), SQLBind(customer_group), SQLBind(segments), SQLBind(company_name), SQLBind(company_vat),
         SQLBind(company_role), SQLBind(attributes), SQLBind(storefront_id), SQLBind(status), SQLBind(created_at), SQLBind(updated_at)]
    }

    static func customer(from row: any SQLRow) throws -> Customer {
        let record = CustomerRecord()
        record.id = try row.decode(column: "id", as: UUID.self)
        record.email = try row.decode(column: "email", as: String.self)
        record.emailKey = try row.decode(column: "email_key", as: String.self)
        record.passwordHash = try row.decode(column: "password_hash", as: String?.self)
        record.firstName = try row.decode(column: "first_name", as: String?.self)
        record.lastName = try row.decode(column: "last_name", as: String?.self)
        record.phone = try row.decode(column: "phone", as: String?.self)
        record.group = try row.decode(column: "customer_group", as: String?.self)
        record.segments = try row.decode(column: "segments", as: String.self)
        record.companyName = try row.decode(column: "company_name", as: String?.self)
        record.companyVAT = try row.decode(column: "company_vat", as: String?.self)
        record.companyRole = try row.decode(column: "company_role", as: String?.self)
        record.attributes = try row.decode(column: "attributes", as: String.self)
        record.storefrontID = try row.decode(column: "storefront_id", as: String?.self)
        record.status = try row.decode(column: "status", as: String.self)
        record.createdAt = try row.decode(column: "created_at", as: Date.self)
        record.updatedAt = try row.decode(column: "updated_at", as: Date.self)
        return try record.customer()
    }
}
