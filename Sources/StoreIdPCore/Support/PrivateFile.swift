import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file only its owner reads: created new (never an existing one, `O_EXCL`), mode 0600,
/// written whole and synced to disk before it is used. Key files go through here.
public enum PrivateFile {
    /// Why a write failed: the path and the system's reason.
    public struct WriteError: Error, Sendable {
        public let path: String
        public let reason: String
    }

    /// Writes `bytes` to a new file at `url`, retrying short and interrupted writes; on a failure
    /// the half-written file is removed.
    public static func create(_ bytes: [UInt8], at url: URL) throws(WriteError) {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw WriteError(path: url.path, reason: String(cString: strerror(errno))) }
        var failure: WriteError?
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = WriteError(path: url.path, reason: String(cString: strerror(errno)))
                break
            }
            offset += count
        }
        if failure == nil, fsync(descriptor) != 0 { failure = WriteError(path: url.path, reason: String(cString: strerror(errno))) }
        close(descriptor)
        if let failure {
            unlink(url.path)
            throw failure
        }
    }
}
