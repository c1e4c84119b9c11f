import EmberRESP
import EmberStore
import NIOCore

/// One client connection: parses requests as bytes arrive, runs each read's whole batch of
/// pipelined commands in one critical section of the engine, and encodes the replies after it.
///
/// State is confined to the channel's event loop; `@exclusivity(unchecked)` removes the
/// runtime access checks that otherwise run on every property access of this hot path.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let server: EmberServer
    private let engine: Engine
    @exclusivity(unchecked) private var parser: RESPRequestParser
    @exclusivity(unchecked) private var inbound: ByteBuffer?
    @exclusivity(unchecked) private var client: ClientState?
    @exclusivity(unchecked) private var commands: [[Bytes]] = []
    @exclusivity(unchecked) private var replies: [Reply] = []
    @exclusivity(unchecked) private var closing = false
    private let flushCoalescer: FlushCoalescer
    @exclusivity(unchecked) private var context: ChannelHandlerContext?
    @exclusivity(unchecked) private var flushScheduled = false
    /// `client-query-buffer-limit`, refreshed after each batch (CONFIG SET may change it).
    @exclusivity(unchecked) private var queryBufferLimit = Int.max
    @exclusivity(unchecked) private var output = ByteBuffer()
    private static let retainedOutputCapacity = 64 * 1024
    /// Traffic since the last batch, added to the engine's statistics under its lock.
    @exclusivity(unchecked) private var unreportedInput = 0
    @exclusivity(unchecked) private var unreportedReads = 0
    @exclusivity(unchecked) private var unreportedOutput = 0
    @exclusivity(unchecked) private var unreportedWrites = 0
    /// Set while the client is blocked (BLPOP and friends): later commands wait their turn.
    @exclusivity(unchecked) private var awaitingUnblock = false
    @exclusivity(unchecked) private var blockTimeout: Scheduled<Void>?
    /// Replies that may go out only once the AOF acknowledges the changes before them
    /// (`appendfsync always`: fsynced; otherwise written), in order; later replies queue behind them.
    @exclusivity(unchecked) private var heldReplies: [(buffer: ByteBuffer, sequence: UInt64)] = []
    @exclusivity(unchecked) private var closeWhenReleased = false
    /// The change the held replies of this tick wait for, written (and with `appendfsync
    /// always` fsynced) by the event loop at the end of the tick (`FlushCoalescer`) for every
    /// connection at once; 0 when none. Set only while a read is being handled, so a flush is
    /// sure to follow.
    @exclusivity(unchecked) private(set) var sequenceDueAtEndOfTick: UInt64 = 0
    @exclusivity(unchecked) private var handlingRead = false
    /// Set while this connection's batch runs under the engine lock: a pub/sub message it
    /// causes for itself (a RESP3 client publishing to its own channel) joins the batch's
    /// replies in order instead of overtaking them.
    @exclusivity(unchecked) private var runningBatch = false
    /// The client's protocol and output limits as of its last batch, for messages delivered
    /// between batches.
    @exclusivity(unchecked) private var protocolVersion = RESPVersion.resp2
    @exclusivity(unchecked) private var outputLimit = OutputBufferLimit()
    @exclusivity(unchecked) private var softLimitReachedAt: Int64?
    /// Output queued since the limit was last checked: a fan-out of small messages checks it
    /// every 16 KiB per subscriber, not every message.
    @exclusivity(unchecked) private var outputSinceLimitCheck = 0
    /// Messages delivered since the last write, copied into one buffer and written once at
    /// the end of the tick (or before this client's next reply), as Redis appends them to the
    /// client's output buffer: one socket write however many arrive.
    @exclusivity(unchecked) private var pendingMessages: ByteBuffer?
    var aofWriter: AOFWriter? { engine.appendOnly.writer }

    init(server: EmberServer, flushCoalescer: FlushCoalescer) {
        self.server = server
        self.flushCoalescer = flushCoalescer
        self.engine = server.engine
        self.parser = RESPRequestParser(maxBulkLength: server.engine.config.protoMaxBulkLength)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        let peer = channel.remoteAddress
        let isLocal = peer.map(Self.isLoopback) ?? true
        let (client, protectedDenied, queryLimit) = engine.lock.withLock { () -> (ClientState, Bool, Int) in
            let client = engine.makeClient()
            client.peerAddress = peer.map(Self.describe) ?? ""
            client.localAddress = channel.localAddress.map(Self.describe) ?? ""
            client.isLocal = isLocal
            let configuration = server.configuration
            let denied = configuration.protectedMode && engine.config.requirePass == nil && !isLocal
            return (client, denied, configuration.queryBufferLimit)
        }
        self.queryBufferLimit = queryLimit
        self.client = client
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        engine.lock.withLock {
            client.wake = { reply in eventLoop.execute { handler.value.unblocked(with: reply) } }
            client.deliver = { message in
                if eventLoop.inEventLoop {
                    handler.value.deliver(message)
                } else {
                    eventLoop.execute { handler.value.deliver(message) }
                }
            }
        }
        parser.unauthenticated = !client.isAuthenticated
        server.register(client: client, channel: channel)
        if protectedDenied {
            var buffer = context.channel.allocator.buffer(capacity: 1024)
            buffer.writeRESPError(Self.protectedModeMessage)
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
            closing = true
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        blockTimeout?.cancel()
        blockTimeout = nil
        if let client {
            engine.lock.withLock { engine.removeClient(client) }
            server.unregister(client: client)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var incoming = unwrapInboundIn(data)
        unreportedInput += incoming.readableBytes
        unreportedReads += 1
        if inbound == nil || inbound!.readableBytes == 0 {
            inbound = incoming
        } else {
            inbound!.writeBuffer(&incoming)
        }
        var protocolError: RESPProtocolError?
        do {
            while let command = try parser.next(&inbound!) { commands.append(command) }
        } catch {
            protocolError = error
        }
        if let pending = inbound, pending.readableBytes > queryBufferLimit {
            // Redis closes such a client without a reply.
            server.logSink.log(.warning, "Closing client that reached max query buffer length: \(client.map(describeForLog) ?? "")")
            closing = true
            context.close(promise: nil)
            return
        }
        if inbound!.readableBytes == 0 { inbound = nil } else if inbound!.readerIndex > 64 * 1024 { inbound!.discardReadBytes() }
        handlingRead = true
        if !commands.isEmpty { execute(context: context) }
        handlingRead = false
        if let protocolError {
            var buffer = context.channel.allocator.buffer(capacity: 128)
            buffer.writeRESPError("ERR " + protocolError.message)
            closing = true
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !flushScheduled {
            flushScheduled = true
            flushCoalescer.scheduleFlush(self)
        }
        context.fireChannelReadComplete()
    }

    /// Called by the coalescer at the end of the event loop tick.
    func flushNow() {
        flushScheduled = false
        if let context { sendPendingMessages(context: context) }
        if sequenceDueAtEndOfTick > 0 {
            // The coalescer has just written (or failed to, and the thread takes over).
            sequenceDueAtEndOfTick = 0
            releaseHeldReplies(context: nil)
            return
        }
        context?.flush()
    }

    // MARK: - Pub/sub

    /// A pub/sub message for this client: in order with its replies, flushed at the end of the
    /// tick with everything else. A subscriber that cannot keep up is disconnected at its
    /// output limit instead of growing the server's memory.
    func deliver(_ message: PubSubMessage) {
        guard let context, !closing else { return }
        if runningBatch {
            replies.append(message.reply)
            return
        }
        var encoded = message.encoded(protocolVersion)
        if pendingMessages == nil { pendingMessages = context.channel.allocator.buffer(capacity: max(256, encoded.readableBytes)) }
        outputSinceLimitCheck += encoded.readableBytes
        pendingMessages!.writeBuffer(&encoded)
        if !flushScheduled {
            flushScheduled = true
            flushCoalescer.scheduleFlush(self)
        }
        if !outputLimit.isUnlimited && outputSinceLimitCheck >= 16 * 1024 {
            outputSinceLimitCheck = 0
            enforceOutputLimit(context: context)
        }
    }

    /// Writes the messages gathered since the last write, in order before what follows.
    private func sendPendingMessages(context: ChannelHandlerContext) {
        guard let pending = pendingMessages else { return }
        pendingMessages = nil
        unreportedOutput += pending.readableBytes
        unreportedWrites += 1
        send(pending, after: 0, context: context)
    }

    /// Redis's `closeClientOnOutputBufferLimitReached`: what waits to be written (in NIO, and
    /// held behind the AOF) against this client's class limit.
    private func enforceOutputLimit(context: ChannelHandlerContext) {
        var pending = heldReplies.reduce(pendingMessages?.readableBytes ?? 0) { $0 + $1.buffer.readableBytes }
        if let buffered = try? context.channel.syncOptions?.getOption(.bufferedWritableBytes) { pending += buffered }
        guard outputLimit.isBroken(pending: pending, now: Clock.milliseconds(), softReachedAt: &softLimitReachedAt) else { return }
        // Closed from a task of its own: a message may arrive under the engine lock (another
        // connection's PUBLISH on this loop), and closing runs channelInactive, which takes it.
        closing = true
        let described = client.map(describeForLog) ?? ""
        let engine = self.engine, log = server.logSink
        context.eventLoop.execute {
            engine.lock.withLock { engine.stats.outputBufferLimitDisconnections += 1 }
            log.log(.warning, "Client \(described) scheduled to be closed ASAP for overcoming of output buffer limits.")
            context.close(promise: nil)
        }
    }

    /// The client shut down its write side (`shutdown(SHUT_WR)`, `nc -N`): as Redis, every
    /// command read before the end of input has run and its reply goes out, then the connection
    /// closes. A client blocked in BLPOP and friends is closed at once without a reply, and
    /// commands queued behind it are dropped, as Redis frees a client whose read hits EOF.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? ChannelEvent, case .inputClosed = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !closing else { return }
        closing = true
        inbound = nil
        if awaitingUnblock, let client {
            // Off the wait queues now, so that no element is popped for a client that is gone.
            blockTimeout?.cancel()
            blockTimeout = nil
            engine.lock.withLock { _ = engine.unblock(client) }
            commands.removeAll()
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Runs the batch under one lock acquisition, then encodes and writes the replies.
    private func execute(context: ChannelHandlerContext) {
        guard let client, !awaitingUnblock else { return }
        var version = RESPVersion.resp2
        var closeAfter = false
        var authenticated = true
        let queued = inbound?.readableBytes ?? 0
        var executed = 0
        var blockedUntil: Int64?
        var durableSequence: UInt64 = 0
        runningBatch = true
        defer { runningBatch = false }
        engine.lock.withLock {
            let sequenceBefore = engine.appendOnly.writer?.lastSequence ?? 0
            var clock = ExecutionClock()
            client.queryBufferLength = queued
            engine.stats.netInputBytes += Int64(unreportedInput)
            engine.stats.readsProcessed += Int64(unreportedReads)
            engine.stats.netOutputBytes += Int64(unreportedOutput)
            engine.stats.writesProcessed += Int64(unreportedWrites)
            (unreportedInput, unreportedReads, unreportedOutput, unreportedWrites) = (0, 0, 0, 0)
            for command in commands {
                executed += 1
                let reply = engine.executeLocked(command, client: client, clock: &clock)
                if let state = client.blocked {
                    // The reply comes later, through `unblocked(with:)`.
                    blockedUntil = state.deadline
                    break
                }
                if !client.suppressesReply || reply.isPush { replies.append(reply) }
                client.commandCompleted()
                if client.closeAfterReply {
                    closeAfter = true
                    break
                }
            }
            // Changes this batch made reach the AOF before its replies reach the client.
            if let writer = engine.appendOnly.writer {
                let sequenceAfter = writer.lastSequence
                if sequenceAfter > sequenceBefore { durableSequence = sequenceAfter }
            }
            version = client.protocolVersion
            authenticated = client.isAuthenticated
            queryBufferLimit = server.configuration.queryBufferLimit
            protocolVersion = version
            switch client.kind {
            case .pubsub: outputLimit = engine.config.outputLimits.pubsub
            case .normal, .master: outputLimit = engine.config.outputLimits.normal
            case .replica: outputLimit = OutputBufferLimit()
            }
            parser.maxBulkLength = engine.config.protoMaxBulkLength
        }
        if executed == commands.count {
            while var arguments = commands.popLast() { parser.recycle(&arguments) }
        } else {
            commands.removeFirst(executed)
        }
        parser.unauthenticated = !authenticated
        if !replies.isEmpty {
            // The output buffer is reused: once the socket has taken the previous batch, NIO
            // has let go of it and `clear()` keeps the storage; otherwise copy-on-write gives
            // this batch a fresh one. A buffer grown by a large reply is not kept.
            sendPendingMessages(context: context)
            if output.capacity > Self.retainedOutputCapacity { output = context.channel.allocator.buffer(capacity: 1024) }
            output.clear()
            for reply in replies { reply.encode(into: &output, version) }
            replies.removeAll(keepingCapacity: true)
            if output.readableBytes > 0 {
                unreportedOutput += output.readableBytes
                unreportedWrites += 1
                send(output, after: durableSequence, context: context)
                if !outputLimit.isUnlimited { enforceOutputLimit(context: context) }
            }
        }
        if let blockedUntil {
            awaitingUnblock = true
            scheduleBlockTimeout(blockedUntil, context: context)
        }
        if closeAfter {
            closing = true
            inbound = nil
            if !heldReplies.isEmpty {
                closeWhenReleased = true
                return
            }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    // MARK: - Durability

    /// Writes `buffer` now, or once the AOF has acknowledged change `sequence` (0: none) and
    /// every reply held before it has gone.
    private func send(_ buffer: ByteBuffer, after sequence: UInt64, context: ChannelHandlerContext) {
        let writer = sequence == 0 ? nil : engine.appendOnly.writer
        if heldReplies.isEmpty && (writer == nil || writer!.isAcknowledged(sequence)) {
            context.write(wrapOutboundOut(buffer), promise: nil)
            return
        }
        // While a read is handled, the changes of every connection this tick go to the file in
        // one write (and fsync) at its end, before any of their replies (Redis's beforeSleep).
        if handlingRead, heldReplies.isEmpty || sequenceDueAtEndOfTick > 0 {
            heldReplies.append((buffer, sequence))
            sequenceDueAtEndOfTick = max(sequenceDueAtEndOfTick, sequence)
            return
        }
        // Outside a read (a blocked client served): everysec and no write the change now.
        if heldReplies.isEmpty, let writer, writer.writeInline(through: sequence) {
            context.write(wrapOutboundOut(buffer), promise: nil)
            return
        }
        heldReplies.append((buffer, sequence))
        if heldReplies.count == 1 { awaitAcknowledgement(of: sequence, context: context) }
    }

    private func awaitAcknowledgement(of sequence: UInt64, context: ChannelHandlerContext) {
        guard let writer = engine.appendOnly.writer else {
            releaseHeldReplies(context: context)
            return
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        writer.whenAcknowledged(sequence) {
            loop.execute { handler.value.releaseHeldReplies(context: nil) }
        }
    }

    /// Sends the held replies whose changes are acknowledged, in order; waits again for the rest.
    private func releaseHeldReplies(context given: ChannelHandlerContext?) {
        guard let context = given ?? self.context else { return }
        let writer = engine.appendOnly.writer
        var released = 0
        for held in heldReplies {
            if held.sequence != 0, let writer, !writer.isAcknowledged(held.sequence) { break }
            context.write(wrapOutboundOut(held.buffer), promise: nil)
            released += 1
        }
        heldReplies.removeFirst(released)
        context.flush()
        if let next = heldReplies.first {
            awaitAcknowledgement(of: next.sequence, context: context)
        } else if closeWhenReleased {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    // MARK: - Blocking

    private func scheduleBlockTimeout(_ deadline: Int64, context: ChannelHandlerContext) {
        guard deadline > 0, let client else { return }
        // A year at most: a timer that far out is as good as none, and keeps the nanosecond
        // arithmetic of `TimeAmount` far from overflow.
        let delay = min(max(0, deadline &- Clock.milliseconds()), 365 * 86_400_000)
        let engine = self.engine
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        blockTimeout = context.eventLoop.scheduleTask(in: .milliseconds(delay)) {
            let reply = engine.lock.withLock { engine.timeOutBlockedClient(client, deadline: deadline) }
            if let reply { handler.value.unblocked(with: reply) }
        }
    }

    /// The blocked command's reply (served, timed out or unblocked): sends it, then goes on
    /// with the commands that arrived meanwhile.
    func unblocked(with reply: Reply) {
        guard let context, awaitingUnblock, !closing else { return }
        awaitingUnblock = false
        blockTimeout?.cancel()
        blockTimeout = nil
        let version = engine.lock.withLock { () -> RESPVersion in
            client?.commandCompleted()
            return client?.protocolVersion ?? .resp2
        }
        sendPendingMessages(context: context)
        var buffer = context.channel.allocator.buffer(capacity: 64)
        reply.encode(into: &buffer, version)
        unreportedOutput += buffer.readableBytes
        unreportedWrites += 1
        // A served pop changed data: its reply waits for the AOF like any other.
        let sequence = engine.lock.withLock { engine.appendOnly.writer?.lastSequence ?? 0 }
        send(buffer, after: sequence, context: context)
        if !commands.isEmpty { execute(context: context) }
        context.flush()
    }

    private func describeForLog(_ client: ClientState) -> String {
        "id=\(client.id) addr=\(client.peerAddress)"
    }

    // MARK: - Addresses

    static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v4, .v6: return "\(address.ipAddress ?? ""):\(address.port ?? 0)"
        case .unixDomainSocket: return address.pathname ?? ""
        }
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        switch address {
        case .unixDomainSocket: return true
        case .v4, .v6:
            guard let ip = address.ipAddress else { return false }
            return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
        }
    }

    static let protectedModeMessage = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a bind address or an authentication password. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."
}
