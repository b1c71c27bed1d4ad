import Vapor

extension Request {
    /// Refuses a body larger than `limit` with 413. Routes also collect at most that much
    /// (`body: .collect(maxSize:)`), which stops a streaming upload early; this check covers
    /// bodies that arrive already collected, and a declared Content-Length over the limit.
    func requireBodySize(atMost limit: ByteCount) throws {
        let declared = headers.first(name: .contentLength).flatMap(Int.init) ?? 0
        let collected = body.data?.readableBytes ?? 0
        guard max(declared, collected) <= limit.value else {
            throw PageError(.payloadTooLarge, "The request is larger than this page accepts.")
        }
    }
}
