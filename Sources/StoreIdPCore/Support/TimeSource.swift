import Foundation

/// Where "now" comes from. Every expiry, window and timestamp in StoreIdP reads the time
/// through a `TimeSource`, so tests move time forward instead of waiting for it.
public protocol TimeSource: Sendable {
    var now: Date { get }
}

/// The wall clock.
public struct SystemTimeSource: TimeSource {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that only moves when told to; for tests and benchmarks.
public final class ManualTimeSource: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { self.current = start }

    public var now: Date { lock.withLock { current } }

    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    public func set(_ date: Date) {
        lock.withLock { current = date }
    }
}
