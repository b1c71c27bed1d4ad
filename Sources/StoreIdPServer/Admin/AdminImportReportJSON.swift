import Foundation

/// What `POST /admin/api/v1/customers/import` did, as `storeidp customers import` prints it:
/// the counts, and each rejected row with its line and reason (the same words). The list is cut
/// after `listedRejections` so that a body of ten megabytes of bad lines cannot answer with a
/// hundred; `rejected` always counts every one, `rejections_omitted` the ones not listed.
struct AdminImportReportJSON: Encodable, Sendable {
    static let listedRejections = 1000

    struct Rejection: Encodable, Sendable {
        let line: Int
        let reason: String
    }

    let format: String
    let rows: Int
    let created: Int
    let updated: Int
    let unchanged: Int
    let rejected: Int
    let rejections: [Rejection]
    let rejections_omitted: Int

    init(_ report: CustomerImportReport, format: String) {
        self.format = format
        rows = report.rows
        created = report.created
        updated = report.updated
        unchanged = report.unchanged
        rejected = report.rejected.count
        rejections = report.rejected.prefix(Self.listedRejections).map { Rejection(line: $0.line, reason: $0.reason) }
        rejections_omitted = max(0, report.rejected.count - Self.listedRejections)
    }

    /// The audit row's detail: counts only, never a row's content.
    var auditDetail: String {
        "\(format): created \(created), updated \(updated), unchanged \(unchanged), rejected \(rejected)"
    }
}
