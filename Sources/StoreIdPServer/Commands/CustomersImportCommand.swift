import ConsoleKit
import Foundation
import StoreIdPCore
import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// `storeidp customers import FILE`: bulk create-or-update from `.csv` or `.jsonl`.
struct CustomersImportCommand: StoreIdPCommand {
    var help: String { "Import customers from a .csv or .jsonl file." }
    var usage: String {
        """
        Usage: storeidp customers import FILE.csv|FILE.jsonl
        CSV: a header row, RFC 4180 quoting, UTF-8 with or without BOM. Columns are StoreIdP field names
        (email, first_name, last_name, phone, group, segments (separated by |), company, company_vat,
        company_role, storefront_id, status, password, password_hash, attributes.KEY) or Magento 2's
        customer export columns (email, _website, _store, firstname, lastname, group_id, dob, gender,
        taxvat, password_hash, …); other columns become custom attributes.
        JSONL: one object a line with the same field names; company may be {"name","vat","role"} and
        attributes an object of strings.
        Good rows are kept when others fail; importing the same file twice changes nothing.
        """
    }

    static let batchSize = 1000

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: [])
        guard parsed.positionals.count == 1 else { throw CommandArguments.UsageError(description: "name one file to import") }
        let app = context.application
        let importer = CustomerImporter(
            directory: CustomerDirectory(database: app.db, hasher: app.storeIdP.hasher, threadPool: app.threadPool),
            timeSource: app.storeIdP.timeSource
        )
        let showProgress = isatty(STDERR_FILENO) == 1
        let started = Date()
        let report: CustomerImportReport
        do {
            report = try await importer.importFile(at: parsed.positionals[0]) { processed in
                guard showProgress else { return }
                let rate = Double(processed) / max(Date().timeIntervalSince(started), 0.001)
                FileHandle.standardError.write(Data("\r\(processed) rows read (\(Int(rate)) rows/s)…".utf8))
            }
        } catch let error as CustomerImportFile.OpenError {
            context.console.error("error: \(error.description)")
            throw CommandFailure(message: error.description)
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let seconds = Date().timeIntervalSince(started)
        for rejection in report.rejected {
            context.console.output("line \(rejection.line): rejected: \(rejection.reason)".consoleText())
        }
        let rate = Double(report.rows) / max(seconds, 0.001)
        context.console.output(
            "created \(report.created), updated \(report.updated), unchanged \(report.unchanged), rejected \(report.rejected.count) (\(report.rows) rows in \(String(format: "%.1f", seconds)) s, \(Int(rate)) rows/s)".consoleText()
        )
    }
}

/// What an import did.
struct CustomerImportReport: Sendable {
    var created = 0
    var updated = 0
    var unchanged = 0
    var rejected: [(line: Int, reason: String)] = []
    var rows: Int { created + updated + unchanged + rejected.count }
}

/// Reads an import file and writes it in batches. One batch is written while the next is read
/// and validated, so parsing and the database use both cores. A batch that fails as a whole (a
/// database error) is retried row by row, so one bad row cannot take good rows down with it.
struct CustomerImporter: Sendable {
    typealias Batch = [(line: Int, profile: CustomerProfile, email: EmailAddress)]
    typealias Outcomes = [(line: Int, outcome: Result<CustomerDirectory.WriteOutcome, CustomerImportFile.RowRejection>)]

    let directory: CustomerDirectory
    let timeSource: any TimeSource

    func importFile(at path: String, progress: (Int) -> Void = { _ in }) async throws -> CustomerImportReport {
        try await importRows(of: try CustomerImportFile(path: path), progress: progress)
    }

    /// The same import from bytes already in memory (the admin API's uploaded body).
    func importBytes(_ bytes: [UInt8], format: CustomerImportFile.Format) async throws -> CustomerImportReport {
        try await importRows(of: try CustomerImportFile(source: .bytes(bytes, chunkSize: 1 << 20), format: format))
    }

    private func importRows(of opened: CustomerImportFile, progress: (Int) -> Void = { _ in }) async throws -> CustomerImportReport {
        var file = opened
        var report = CustomerImportReport()
        var firstLineOfEmail: [String: Int] = [:]
        var batch: Batch = []
        batch.reserveCapacity(CustomersImportCommand.batchSize)
        var processed = 0
        var writing: Task<Outcomes, any Error>?

        while let row = try file.next() {
            processed += 1
            switch row.profile {
            case let .failure(rejection):
                report.rejected.append((row.line, rejection.reason))
            case let .success(profile):
                do {
                    let email = try profile.validate()
                    if let first = firstLineOfEmail[email.key] {
                        throw CustomerValidationError.duplicateEmailInFile(firstLine: first)
                    }
                    firstLineOfEmail[email.key] = row.line
                    batch.append((row.line, profile, email))
                } catch let error as CustomerValidationError {
                    report.rejected.append((row.line, error.description))
                }
            }
            if batch.count >= CustomersImportCommand.batchSize {
                if let writing { Self.count(try await writing.value, into: &report) }
                let full = batch
                batch.removeAll(keepingCapacity: true)
                writing = Task { try await write(full) }
                progress(processed)
            }
        }
        if let writing { Self.count(try await writing.value, into: &report) }
        Self.count(try await write(batch), into: &report)
        report.rejected.sort { $0.line < $1.line }
        return report
    }

    private func write(_ batch: Batch) async throws -> Outcomes {
        guard !batch.isEmpty else { return [] }
        let now = timeSource.now
        do {
            return try await directory.upsert(batch: batch, now: now)
        } catch {
            var single: Outcomes = []
            for row in batch {
                do {
                    single += try await directory.upsert(batch: [row], now: now)
                } catch {
                    single.append((row.line, .failure(.init("the database refused the row: \(String(describing: error).displaySafePrefix)"))))
                }
            }
            return single
        }
    }

    private static func count(_ outcomes: Outcomes, into report: inout CustomerImportReport) {
        for (line, outcome) in outcomes {
            switch outcome {
            case .success(.created): report.created += 1
            case .success(.updated): report.updated += 1
            case .success(.unchanged): report.unchanged += 1
            case let .failure(rejection): report.rejected.append((line, rejection.reason))
            }
        }
    }
}
