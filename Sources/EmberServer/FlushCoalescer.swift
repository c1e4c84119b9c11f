import EmberStore
import NIOCore

/// Defers connection flushes to the end of the event loop's tick, as Redis writes its replies
/// in `beforeSleep`: all reads of one wake-up run first, then all writes. Flushing per read
/// instead wakes a sleeping peer (a pipelining client, a benchmark) once per socket, and each
/// of those wake-ups costs the kernel far more than the write itself.
///
/// One coalescer per event loop; it is only touched from that loop's thread.
final class FlushCoalescer: @unchecked Sendable {
    private let eventLoop: EventLoop
    @exclusivity(unchecked) private var pending: [ConnectionHandler] = []
    @exclusivity(unchecked) private var flushing: [ConnectionHandler] = []

    init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Flushes `handler` once the loop has handled every I/O event of this tick.
    func scheduleFlush(_ handler: ConnectionHandler) {
        if pending.isEmpty { eventLoop.execute { self.flushPending() } }
        pending.append(handler)
    }

    private func flushPending() {
        swap(&pending, &flushing)
        // The AOF: one write (and with `appendfsync always` one fsync) for every connection of
        // this tick, before any of their replies goes out.
        var sequence: UInt64 = 0
        var writer: AOFWriter?
        for handler in flushing where handler.sequenceDueAtEndOfTick > sequence {
            sequence = handler.sequenceDueAtEndOfTick
            writer = handler.aofWriter
        }
        if sequence > 0, let writer { _ = writer.completeInline(through: sequence) }
        for handler in flushing { handler.flushNow() }
        flushing.removeAll(keepingCapacity: true)
    }
}
