import Vapor

extension Request {
    /// Refuses a body larger than `limit` with 413. Routes also collect at most that much
    /// (`body: .collect(maxSize:)`), which stops a streaming upload early; this check covers
    /// bodies that arrive already collected, and a declared Content-Length over the limit.
    func requireBodySize(atMost limit: ByteCount) throws {
        guard !bodyExceeds(limit) else {
            throw PageError(.payloadTooLarge, "The request is larger than this page accepts.")
        }
    }

    /// Whether the declared `Content-Length` or the collected body is over `limit`.
    func bodyExceeds(_ limit: ByteCount) -> Bool {
        let declared = headers.first(name: .contentLength).flatMap(Int.init) ?? 0
        let collected = body.data?.readableBytes ?? 0
        return max(declared, collected) > limit.value
    }
}
