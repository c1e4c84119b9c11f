import DequeModule
import EmberRESP
import NIOCore
import Synchronization

/// What a connection's senders (tasks on any thread) share with its channel (the event loop).
///
/// Senders encode into the outbox's buffer and append their reply waiter under its lock; the
/// first sender of a batch schedules one drain on the event loop, which writes and flushes
/// everything queued by then. That is the automatic pipelining: commands issued concurrently
/// share a write. The load and the closed flag are atomics, so a pool choosing a connection
/// reads them without taking the lock.
final class RedisConnectionShared: Sendable {
    let outbox = Mutex(RedisConnectionOutbox())
    /// Commands sent and not yet answered or failed (a timed-out command counts until its late
    /// reply arrives or the connection closes).
    let inFlight = Atomic<Int>(0)
    /// Set, under the outbox lock, together with the outbox's `closedError`.
    let closed = Atomic<Bool>(false)

    /// Records that the connection closed (the first reason stays); returns the reason.
    func close(_ outbox: inout RedisConnectionOutbox, reason: RedisClientError) -> RedisClientError {
        if let earlier = outbox.closedError { return earlier }
        outbox.closedError = reason
        closed.store(true, ordering: .releasing)
        return reason
    }
}

struct RedisConnectionOutbox: Sendable {
    /// Encoded commands waiting for the next drain.
    var buffer = ByteBuffer()
    /// Their reply waiters, in the same order.
    var waiters: [ReplyWaiter] = []
    /// A drain task is queued on the event loop.
    var drainScheduled = false
    /// Commands queued when the drain last looked (or was scheduled), and the loop turns it has
    /// waited for more: while commands keep arriving, the drain lets them join its write.
    var queuedAtLastLook = 0
    var drainDeferrals = 0

    /// Whether the caller, having just queued commands, must schedule the drain (none is
    /// scheduled yet); marks one scheduled.
    mutating func claimDrain() -> Bool {
        if drainScheduled { return false }
        drainScheduled = true
        queuedAtLastLook = waiters.count
        return true
    }
    /// Set once the channel closed: later sends fail at once with this.
    var closedError: RedisClientError?
    /// Writes-and-flushes of command batches, and commands written (for statistics).
    var flushes = 0
    var commandsWritten = 0
}

/// Matches replies to requests: replies arrive in the order commands were written, so each
/// reply completes the oldest outstanding request (FIFO). Confined to the channel's event loop.
///
/// Command timeouts: every request has a deadline (the same timeout from the moment it was
/// written, so deadlines grow along the queue). One timer follows the oldest request still
/// waiting; when it fires, the expired requests fail with `.commandTimeout` but keep their
/// place in the queue, so their replies, if they ever come, are recognised and dropped.
///
/// Its state is confined to the event loop, so the runtime's exclusivity checks on it are
/// switched off (`@exclusivity(unchecked)`): they cost a few percent of the read path.
final class RedisChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Request {
        let waiter: ReplyWaiter
        let deadline: NIODeadline
    }

    private let shared: RedisConnectionShared
    private let commandTimeout: TimeAmount?
    private let parser = RESPValueParser()
    /// Says when a whole reply has arrived, remembering its place across reads, so a large
    /// reply is parsed once rather than from its start on every read.
    @exclusivity(unchecked) private var scanner = RESPFrameScanner()
    @exclusivity(unchecked) private var requests = Deque<Request>()
    /// The first `timedOut` requests already failed with a timeout; their replies are dropped.
    @exclusivity(unchecked) private var timedOut = 0
    @exclusivity(unchecked) private var timer: Scheduled<Void>?
    @exclusivity(unchecked) private var inbound: ByteBuffer?
    /// Replies matched in one read, completed together (kept to reuse its storage).
    @exclusivity(unchecked) private var replies: [(ReplyWaiter, RESPValue)] = []
    @exclusivity(unchecked) private var context: ChannelHandlerContext?
    /// Why the connection ended, once it has.
    @exclusivity(unchecked) private var failure: RedisClientError?
    /// Set on subscriber connections: receives pub/sub events instead of request matching.
    @exclusivity(unchecked) var pushes: ((RESPValue) -> Void)?

    init(shared: RedisConnectionShared, commandTimeout: TimeAmount?) {
        self.shared = shared
        self.commandTimeout = commandTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: - Writing

    /// Writes a batch of encoded commands and flushes once; `waiters` await their replies.
    func write(_ bytes: ByteBuffer, waiters: [ReplyWaiter]) {
        guard failure == nil, let context, context.channel.isActive else {
            let error = failure ?? .connectionClosed
            shared.inFlight.subtract(waiters.count, ordering: .relaxed)
            for waiter in waiters { waiter.fail(error) }
            return
        }
        let deadline = commandTimeout.map { NIODeadline.now() + $0 } ?? .distantFuture
        for waiter in waiters { requests.append(Request(waiter: waiter, deadline: deadline)) }
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        armTimer()
    }

    // MARK: - Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if inbound == nil || inbound!.readableBytes == 0 {
            inbound = incoming
        } else {
            inbound!.writeBuffer(&incoming)
        }
        // Replies are matched first and completed after `inFlight` is updated, so a caller
        // that wakes up already sees its command counted as answered.
        var answered = 0
        var protocolError: RedisClientError?
        do throws(RESPProtocolError) {
            while try scanner.isComplete(inbound!), let value = try parser.next(&inbound!) {
                scanner.reset()
                if let pushes, Self.isPubSubEvent(value) || (requests.isEmpty && Self.isError(value)) {
                    // A subscriber connection: messages and (un)subscribe confirmations (pushes
                    // in RESP3, plain arrays in RESP2), and errors no command waits for (a
                    // refused SUBSCRIBE), go to the subscriber.
                    pushes(value)
                    continue
                }
                if case .push = value {
                    // Out-of-band data on a command connection (invalidations): not a reply.
                    continue
                }
                guard let request = requests.popFirst() else {
                    protocolError = RedisClientError(.protocolError, "a reply arrived with no command waiting for it")
                    break
                }
                answered += 1
                if timedOut > 0 {
                    timedOut -= 1
                } else {
                    replies.append((request.waiter, value))
                }
            }
        } catch {
            protocolError = RedisClientError(.protocolError, error.message)
        }
        if answered > 0 { shared.inFlight.subtract(answered, ordering: .relaxed) }
        for (waiter, value) in replies { waiter.succeed(value) }
        replies.removeAll(keepingCapacity: true)
        if let protocolError {
            fail(protocolError, context: context)
            return
        }
        if inbound!.readableBytes == 0 {
            inbound = nil
        } else if inbound!.readerIndex > 64 * 1024 {
            inbound!.discardReadBytes()
        }
    }

    private static func isError(_ value: RESPValue) -> Bool {
        if case .error = value { return true }
        return false
    }

    /// `message`, `pmessage`, `smessage` and the (un)subscribe confirmations, in either protocol.
    private static func isPubSubEvent(_ value: RESPValue) -> Bool {
        let elements: [RESPValue]
        switch value {
        case .push(let items), .array(let items): elements = items
        default: return false
        }
        guard elements.count >= 3, let kind = elements[0].bytes else { return false }
        switch kind.count {
        case 7: return kind.equalsLowercased("message")
        case 8: return kind.equalsLowercased("pmessage") || kind.equalsLowercased("smessage")
        case 9: return kind.equalsLowercased("subscribe")
        case 10: return kind.equalsLowercased("psubscribe") || kind.equalsLowercased("ssubscribe")
        case 11: return kind.equalsLowercased("unsubscribe")
        case 12: return kind.equalsLowercased("punsubscribe") || kind.equalsLowercased("sunsubscribe")
        default: return false
        }
    }

    // MARK: - Closing

    func channelInactive(context: ChannelHandlerContext) {
        failAll(failure ?? .connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(RedisClientError(.connectionClosed, "the connection failed: \(error)"), context: context)
    }

    /// Fails every request with `error` and closes the channel.
    private func fail(_ error: RedisClientError, context: ChannelHandlerContext) {
        if failure == nil { failure = error }
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisClientError) {
        timer?.cancel()
        timer = nil
        let pending = requests
        requests.removeAll()
        let alreadyFailed = timedOut
        timedOut = 0
        shared.inFlight.subtract(pending.count, ordering: .relaxed)
        shared.outbox.withLock { _ = shared.close(&$0, reason: error) }
        for request in pending.dropFirst(alreadyFailed) { request.waiter.fail(error) }
    }

    // MARK: - Timeouts

    private func armTimer() {
        guard timer == nil, commandTimeout != nil, timedOut < requests.count, let context else { return }
        let deadline = requests[timedOut].deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        let now = NIODeadline.now()
        while timedOut < requests.count, requests[timedOut].deadline <= now {
            requests[timedOut].waiter.fail(RedisClientError.commandTimeout)
            timedOut += 1
        }
        armTimer()
    }
}
