import Fluent
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
    func upsert(batch: [(line: Int, profile: CustomerProfile, email: EmailAddress)], now: Date) async throws -> [(line: Int, outcome: Result<WriteOutcome, CustomerImportFile.RowRejection>)] {
        guard !batch.isEmpty else { return [] }
        return try await database.transaction { database in
            let keys = batch.map(\.email.key)
            let existing = try await CustomerRecord.query(on: database).filter(\.$emailKey ~~ keys).all()
            var byKey = Dictionary(existing.map { ($0.emailKey, $0) }, uniquingKeysWith: { first, _ in first })
            var created: [CustomerRecord] = []
            var results: [(line: Int, outcome: Result<WriteOutcome, CustomerImportFile.RowRejection>)] = []
            for row in batch {
                if let record = byKey[row.email.key] {
                    var customer = try record.customer()
                    let hash = try await self.passwordHash(for: row.profile.password, keeping: customer.passwordHash)
                    if row.profile.apply(to: &customer, passwordHash: hash, now: now) {
                        record.copy(from: customer)
                        if record.id != nil, !created.contains(where: { $0 === record }) {
                            try await record.update(on: database)
                        }
                        results.append((row.line, .success(.updated)))
                    } else {
                        results.append((row.line, .success(.unchanged)))
                    }
                } else {
                    let hash = try await self.passwordHash(for: row.profile.password, keeping: nil)
                    let record = CustomerRecord(row.profile.makeCustomer(email: row.email, passwordHash: hash, now: now))
                    created.append(record)
                    byKey[row.email.key] = record
                    results.append((row.line, .success(.created)))
                }
            }
            if !created.isEmpty { try await created.create(on: database) }
            return results
        }
    }
}
