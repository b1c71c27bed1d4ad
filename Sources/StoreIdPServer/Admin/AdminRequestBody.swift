import Vapor

/// Bodies of the admin API: their media type and their size.
extension Request {
    /// `type/subtype` of `Content-Type`, lower-cased, without parameters (`charset=…`); nil
    /// without the header.
    var adminMediaType: String? {
        guard let type = headers.contentType else { return nil }
        return "\(type.type)/\(type.subType)".lowercased()
    }

    /// 415 unless the body is declared as one of `accepted` (`type/subtype`).
    func requireAdminMediaType(_ accepted: Set<String>, for what: String) throws -> String {
        guard let type = adminMediaType, accepted.contains(type) else {
            let named = adminMediaType.map { "'\($0.prefix(100))'" } ?? "no Content-Type"
            throw AdminAPIError(.unsupportedMediaType, "unsupported_media_type",
                                "\(what) takes \(accepted.sorted().joined(separator: " or ")), not \(named)")
        }
        return type
    }

    /// The collected body (empty when none), or 413 when it is larger than `limit`: the API's
    /// form of `requireBodySize(atMost:)`.
    func adminBodyBytes(atMost limit: ByteCount) throws -> [UInt8] {
        guard !bodyExceeds(limit) else {
            throw AdminAPIError(.payloadTooLarge, "too_large", "the body is larger than this route accepts (\(limit.value) bytes)")
        }
        return body.data.map { Array($0.readableBytesView) } ?? []
    }
}
