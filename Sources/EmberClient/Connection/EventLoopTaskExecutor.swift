import DequeModule
import NIOCore
import Synchronization

/// Runs tasks on one SwiftNIO event loop: the loop that reads a connection's replies.
///
/// By default a task that awaits a reply runs on Swift's global executor. Each reply then
/// crosses threads twice: the event loop resumes the task on a worker thread, and the task's
/// next command goes back to the loop to be written. Tasks that mostly talk to one server can
/// instead prefer that connection's event loop. Replies then resume them on the loop that read
/// them, and their commands are queued on the thread that writes them: one thread, no
/// hand-offs, as in redis-benchmark's single-threaded event loop.
///
/// ```swift
/// let connection = try await RedisConnection.connect(configuration: configuration)
/// try await withTaskExecutorPreference(connection.taskExecutor) {
///     try await withThrowingTaskGroup(of: Void.self) { group in
///         for key in keys {
///             group.addTask { _ = try await connection.get(key) }   // runs on the loop too
///         }
///         try await group.waitForAll()
///     }
/// }
/// ```
///
/// A pool made with one event loop as its `eventLoopGroup` opens every connection on that loop,
/// so an `EventLoopTaskExecutor(loop)` serves all of them.
///
/// Keep CPU-heavy or blocking work off it: whatever runs on the loop delays every reply the
/// loop reads. The loop must outlive the tasks: a loop that has shut down drops their jobs
/// (as NIO's own executors do), so they would never resume.
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `eventLoop` is immutable and thread-safe, and `queue` is behind its lock.
    public let eventLoop: any EventLoop

    /// Jobs waiting to run, and whether a loop task to run them is scheduled. Jobs are batched:
    /// the hundreds of tasks one read of replies resumes cost one `EventLoop.execute` (a closure
    /// and the loop's own lock), not one each.
    private let queue = Mutex(JobQueue())

    private struct JobQueue {
        var jobs = Deque<UnownedJob>()
        var runScheduled = false
    }

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let schedule = queue.withLock { queue in
            queue.jobs.append(job)
            defer { queue.runScheduled = true }
            return !queue.runScheduled
        }
        if schedule { eventLoop.execute { self.runJobs() } }
    }

    /// On the loop: runs the jobs queued so far. Jobs they enqueue wait for the next run, so
    /// I/O is not starved by tasks that keep resuming each other.
    private func runJobs() {
        let batch = queue.withLock { queue in
            queue.runScheduled = false
            return queue.jobs.isEmpty ? nil : Self.take(&queue.jobs)
        }
        guard let batch else { return }
        let executor = asUnownedTaskExecutor()
        for job in batch { job.runSynchronously(on: executor) }
    }

    private static func take(_ jobs: inout Deque<UnownedJob>) -> Deque<UnownedJob> {
        var taken = Deque<UnownedJob>()
        swap(&taken, &jobs)
        return taken
    }
}
