import Fluent
import SQLKit
import Foundation
import SignOn
import StoreIdPCore
import Vapor

/// Customers in the database: lookups, single writes, and the batched upsert imports use.
///
/// A stored row that does not decode is never papered over: lookups throw `CustomerRowError`, and
/// an import or save that meets such a row rejects that row and leaves it as it is.
struct CustomerDirectory: Sendable {
    let database: any Database
    let hasher: any CustomerPasswordHasher
    let threadPool: NIOThreadPool

    /// Lookups speak SQLKit: they are on every sign-in's path, where building a Fluent model
    /// (reflection over its properties) cost more than the query.
    func find(email: String) async throws -> Customer? {
        guard let address = try? EmailAddress(email) else { return nil }
        return try await findOne(where: "email_key", equals: SQLBind(address.key))
    }

    func find(id: UUID) async throws -> Customer? {
        try await findOne(where: "id", equals: SQLBind(id))
    }

    private func findOne(where column: String, equals value: SQLBind) async throws -> Customer? {
        let row = try await database.sql.select().columns(CustomerRow.columns.map { SQLColumn($0) as any SQLExpression })
            .from(CustomerRecord.schema).where(SQLColumn(column), .equal, value).first()
        return try row.map(CustomerRow.customer(from:))
    }

    typealias WriteOutcome = CustomerSaveOutcome

    /// Creates the customer or applies the profile to the stored one: the import's upsert, for
    /// one row.
    @discardableResult
    func save(_ profile: CustomerProfile, now: Date) async throws -> (Customer, WriteOutcome) {
        let address = try profile.validate()
        let outcome = try await upsert(batch: [(line: 0, profile: profile, email: address)], now: now).first?.outcome
        if case let .failure(rejection)? = outcome {
            _ = try await find(email: address.value)  // throws the CustomerRowError that refused the write
            throw Abort(.internalServerError, reason: rejection.reason)
        }
        guard case let .success(result)? = outcome, let customer = try await find(email: address.value) else {
            throw Abort(.internalServerError, reason: "the customer could not be saved")
        }
        return (customer, result)
    }

    /// Another customer already has the email a create or an email change asked for.
    struct EmailTaken: Error, Sendable {
        let email: String
    }

    /// Creates a customer, never updating one: the email must be free (`EmailTaken` otherwise,
    /// also when a concurrent create wins the unique index on `email_key`). The password is
    /// hashed as an import or `customers add` hashes it.
    func create(_ profile: CustomerProfile, now: Date) async throws -> Customer {
        let address = try profile.validate()
        guard try await !emailIsTaken(address, byOtherThan: nil) else { throw EmailTaken(email: address.value) }
        let hash = try await passwordHash(for: profile.password, keeping: nil)
        let customer = profile.makeCustomer(email: address, passwordHash: hash, now: now)
        do {
            try await Self.insert([customer], into: database.sql)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw EmailTaken(email: address.value)
        }
        return try await find(id: customer.id) ?? customer
    }

    /// What `update(id:with:now:)` did: the stored customer afterwards, and the names of the
    /// fields that changed (empty: `unchanged`).
    struct Update: Sendable {
        let customer: Customer
        let changedFields: [String]
        var outcome: WriteOutcome { changedFields.isEmpty ? .unchanged : .updated }
    }

    /// Applies a partial profile to the customer with this id (nil: no such customer). Only what
    /// the profile names changes; a new email must not belong to another customer
    /// (`EmailTaken`). Two concurrent updates of one customer: the last write wins.
    func update(id: UUID, with profile: CustomerProfile, now: Date) async throws -> Update? {
        guard let before = try await find(id: id) else { return nil }
        let address = try profile.validate()
        if address.key != before.email.key, try await emailIsTaken(address, byOtherThan: id) {
            throw EmailTaken(email: address.value)
        }
        let hash = try await passwordHash(for: profile.password, keeping: before.passwordHash)
        var customer = before
        guard profile.apply(to: &customer, passwordHash: hash, now: now) else { return Update(customer: before, changedFields: []) }
        do {
            try await Self.update(customer, in: database.sql)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw EmailTaken(email: address.value)
        }
        return Update(customer: try await find(id: id) ?? customer, changedFields: customer.fieldsChanged(from: before))
    }

    /// Whether a customer other than `id` has this email (compared case-insensitively). A row
    /// that does not decode still holds its email.
    private func emailIsTaken(_ address: EmailAddress, byOtherThan id: UUID?) async throws -> Bool {
        let query = try database.sql.select().column("id").from(CustomerRecord.schema).where("email_key", .equal, address.key)
        if let id { query.where("id", .notEqual, id) }
        return try await query.first() != nil
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
            var unreadable: [String: CustomerRowError] = [:]
            for row in rows {
                do {
                    let customer = try CustomerRow.customer(from: row)
                    existing[customer.email.key] = customer
                } catch let error as CustomerRowError {
                    unreadable[try row.decode(column: "email_key", as: String.self)] = error
                }
            }
            var inserts: [Customer] = []
            var results: [(line: Int, outcome: Result<WriteOutcome, CustomerImportFile.RowRejection>)] = []
            results.reserveCapacity(batch.count)
            for row in batch {
                if let error = unreadable[row.email.key] {
                    // Neither updated (that would write defaults over what could not be read) nor
                    // inserted (the email is taken): the row is reported and left alone.
                    results.append((row.line, .failure(CustomerImportFile.RowRejection(error.description))))
                    continue
                }
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
