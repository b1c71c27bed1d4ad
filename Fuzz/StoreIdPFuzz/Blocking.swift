import Foundation

/// Runs async code to completion from libFuzzer's synchronous callback: a task does the work
/// and a semaphore waits for it (the callback's thread is not part of Swift's cooperative pool,
/// so blocking it cannot starve the task).
enum Blocking {
    private final class Box<T>: @unchecked Sendable { var value: T? }

    static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}
