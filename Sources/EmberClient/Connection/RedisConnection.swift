import EmberRESP
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Tracing

/// One connection to a Redis-protocol server (Ember or Redis), on SwiftNIO.
///
/// Share one connection between many tasks: commands issued concurrently are pipelined
/// automatically — encoded as they are issued, then written and flushed together once per
/// event-loop turn — and each reply goes back to its caller in order. A thousand concurrent
/// `get`s cost a handful of writes.
///
/// ```swift
/// let connection = try await RedisConnection.connect(configuration: .init(url: "redis://127.0.0.1:6379"))
/// try await connection.set("greeting", to: "hello")
/// let value = try await connection.get("greeting", as: String.self)
/// try await connection.close()
/// ```
///
/// On connect it negotiates RESP3 with `HELLO 3` (falling back to RESP2 when the server
/// refuses), authenticates, names the connection and selects the database.
///
/// When the connection closes or fails, every command waiting for a reply fails with
/// `RedisClientError` code `.connectionClosed`, and later commands fail at once. This type
/// does not reconnect: `RedisConnectionPool` replaces closed connections.
///
/// Commands that break request/reply matching are refused with `.unsupportedCommand`:
/// SUBSCRIBE and its kin, MONITOR, and CLIENT REPLY OFF/SKIP.
public final class RedisConnection: RedisCommandExecutor {
    /// Counters of the connection's traffic.
    public struct Statistics: Sendable, Hashable {
        /// Writes of command batches, each followed by one flush.
        public var flushes: Int
        /// Commands written.
        public var commands: Int
        /// Commands sent and not yet answered.
        public var inFlight: Int
    }

    public let configuration: RedisConnectionConfiguration
    public let channel: any Channel
    public var eventLoop: any EventLoop { channel.eventLoop }
    /// Runs tasks on this connection's event loop (see `EventLoopTaskExecutor`): for tasks that
    /// mostly talk to this server, the fastest place to run.
    public let taskExecutor: EventLoopTaskExecutor

    private let shared: RedisConnectionShared
    private let handler: NIOLoopBound<RedisChannelHandler>
    private let handshake = NIOLockedValueBox(Handshake())
    private let metrics: RedisClientMetrics
    /// Spans are made only when tracing is on and a tracer has been bootstrapped: with the
    /// no-op tracer, the hot path does not pay for them.
    private let tracesCommands: Bool

    private struct Handshake {
        var protocolVersion = RESPVersion.resp2
        var hello: RESPValue?
    }

    private init(
        configuration: RedisConnectionConfiguration,
        channel: any Channel,
        shared: RedisConnectionShared,
        handler: NIOLoopBound<RedisChannelHandler>,
        metrics: RedisClientMetrics,
        tracesCommands: Bool
    ) {
        self.configuration = configuration
        self.channel = channel
        self.taskExecutor = EventLoopTaskExecutor(channel.eventLoop)
        self.shared = shared
        self.handler = handler
        self.metrics = metrics
        self.tracesCommands = tracesCommands
    }

    // MARK: - Connecting

    /// Connects and sets the connection up (HELLO, AUTH, CLIENT SETNAME, SELECT).
    ///
    /// Throws `RedisClientError` (`.connectFailed`) when the server cannot be reached, the TLS
    /// handshake fails (an untrusted certificate, a name mismatch) or the handshake times out, and the server's own error (`WRONGPASS`,
    /// `NOAUTH`, `ERR DB index is out of range`) when it refuses the setup.
    public static func connect(
        configuration: RedisConnectionConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = RedisConnection.disabledLogger
    ) async throws -> RedisConnection {
        let tls = try configuration.tls.map { try TLSSetup(configuration: configuration, tls: $0) }
        return try await connect(configuration: configuration, tls: tls, eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Connects with a TLS context made beforehand: pools and subscribers make theirs once
    /// (loading trust roots and keys is costly), not per connection.
    static func connect(
        configuration: RedisConnectionConfiguration,
        tls: TLSSetup?,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) async throws -> RedisConnection {
        let deadline = NIODeadline.now() + configuration.connectTimeout
        let shared = RedisConnectionShared()
        // The handler is kept from the initializer: a TLS handshake that fails at once closes the
        // channel and empties its pipeline before a later lookup could find it.
        let installed = NIOLockedValueBox<RedisChannelHandler?>(nil)
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let handler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    let handler = RedisChannelHandler(shared: shared, commandTimeout: configuration.commandTimeout)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    installed.withLockedValue { $0 = handler }
                }
            }
        let channel: any Channel
        do {
            switch configuration.endpoint {
            case .tcp(let host, let port):
                channel = try await bootstrap.connect(host: host, port: port).get()
            case .unixSocket(let path):
                channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            }
        } catch {
            throw RedisClientError(.connectFailed, "could not connect to \(configuration.endpoint): \(error)")
        }
        // Made here, in the caller's task, so that a task-local metrics factory or tracer
        // (`withMetricsFactory`, `withTracer`) applies.
        let metrics = RedisClientMetrics(configuration: configuration)
        let tracesCommands = configuration.tracesCommands && !(InstrumentationSystem.tracer is NoOpTracer)
        let connection = try await channel.eventLoop.submit {
            guard let handler = installed.withLockedValue({ $0 }) else {
                throw RedisClientError(.connectFailed, "could not connect to \(configuration.endpoint): no connection handler")
            }
            return RedisConnection(
                configuration: configuration, channel: channel, shared: shared,
                handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
                metrics: metrics, tracesCommands: tracesCommands)
        }.get()
        channel.closeFuture.whenComplete { _ in connection.channelClosed() }

        // The handshake gets what is left of the connect timeout: past it, the channel is
        // closed, which fails the handshake's pending commands.
        let handshakeExpired = NIOLockedValueBox(false)
        let handshakeTimer = channel.eventLoop.scheduleTask(deadline: deadline) {
            handshakeExpired.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { handshakeTimer.cancel() }
        do {
            try await connection.performHandshake(logger: logger)
        } catch let error as RedisClientError {
            channel.close(promise: nil)
            let reason: String
            if handshakeExpired.withLockedValue({ $0 }) {
                reason = "no answer to the handshake within the connect timeout (\(configuration.connectTimeout))"
            } else if error == .connectionClosed {
                reason = "the server closed the connection during the handshake"
            } else {
                reason = error.message
            }
            throw RedisClientError(.connectFailed, "could not set up the connection to \(configuration.endpoint): \(reason)")
        } catch {
            channel.close(promise: nil)
            throw error
        }
        logger.debug("connected", metadata: [
            "endpoint": "\(configuration.endpoint)", "protocol": "\(connection.protocolVersion.rawValue)",
        ])
        return connection
    }

    /// Connects to `url` (see `RedisConnectionConfiguration.init(url:)`).
    public static func connect(
        url: String,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = RedisConnection.disabledLogger
    ) async throws -> RedisConnection {
        try await connect(configuration: RedisConnectionConfiguration(url: url), eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// The TLS context and SNI name for connections made with one configuration.
    struct TLSSetup: Sendable {
        let context: NIOSSLContext
        let serverHostname: String?

        init(configuration: RedisConnectionConfiguration, tls: TLSConfiguration) throws {
            do {
                context = try NIOSSLContext(configuration: tls)
            } catch {
                throw RedisClientError(.invalidConfiguration, "the TLS configuration cannot be used: \(error)")
            }
            var name = configuration.tlsServerName
            if name == nil, case .tcp(let host, _) = configuration.endpoint { name = host }
            // SNI carries names only; an IP address is verified against the certificate's IP
            // entries from the connected address instead.
            if let candidate = name, Self.isIPAddress(candidate) { name = nil }
            serverHostname = name
        }

        private static func isIPAddress(_ text: String) -> Bool {
            if text.contains(":") { return true }
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
        }
    }

    /// The logger used when none is given: discards everything.
    public static let disabledLogger = Logger(label: "ember-client", factory: { _ in SwiftLogNoOpLogHandler() })

    private func performHandshake(logger: Logger) async throws {
        var authenticated = configuration.password == nil
        var named = configuration.clientName == nil
        if configuration.protocolVersion == .resp3 {
            var hello: RESPCommand = ["HELLO", "3"]
            if let password = configuration.password {
                hello.append("AUTH")
                hello.append(configuration.username ?? "default")
                hello.append(password)
            }
            if let name = configuration.clientName {
                hello.append("SETNAME")
                hello.append(name)
            }
            do {
                let reply = try await execute(hello)
                handshake.withLockedValue { $0 = Handshake(protocolVersion: .resp3, hello: reply) }
                authenticated = true
                named = true
            } catch let error as RedisServerError where Self.refusesHello(error) {
                logger.debug("HELLO 3 refused, speaking RESP2", metadata: ["error": "\(error.message)"])
            }
        }

        var setup: [(command: RESPCommand, required: Bool)] = []
        if !authenticated, let password = configuration.password {
            let auth: RESPCommand = configuration.username.map { ["AUTH", Bytes($0), Bytes(password)] } ?? ["AUTH", Bytes(password)]
            setup.append((auth, true))
        }
        if !named, let name = configuration.clientName {
            setup.append((["CLIENT", "SETNAME", Bytes(name)], true))
        }
        if configuration.database != 0 {
            setup.append((RESPCommand("SELECT", configuration.database), true))
        }
        if configuration.readOnly {
            setup.append((["READONLY"], true))
        }
        if let library = configuration.libraryName {
            setup.append((["CLIENT", "SETINFO", "LIB-NAME", Bytes(library)], false))
        }
        if let version = configuration.libraryVersion {
            setup.append((["CLIENT", "SETINFO", "LIB-VER", Bytes(version)], false))
        }
        guard !setup.isEmpty else { return }
        let results = try await pipeline(setup.map(\.command))
        for (result, step) in zip(results, setup) where step.required {
            if case .failure(let error) = result { throw error }
        }
    }

    /// Whether HELLO's error means "no RESP3 here" (an old server, or HELLO renamed away)
    /// rather than a refusal of the credentials.
    private static func refusesHello(_ error: RedisServerError) -> Bool {
        if error.code == .noProto { return true }
        return error.code == .err && error.message.lowercased().contains("unknown command")
    }

    // MARK: - State

    /// The protocol negotiated on connect (a later HELLO or RESET sent as a command changes
    /// the server's side only; replies of either protocol are read correctly).
    public var protocolVersion: RESPVersion {
        handshake.withLockedValue { $0.protocolVersion }
    }

    /// The server's HELLO reply (server, version, proto, id, mode, role, modules), nil in RESP2.
    public var serverHello: RESPValue? {
        handshake.withLockedValue { $0.hello }
    }

    /// Whether the connection has closed; commands then fail at once.
    public var isClosed: Bool {
        shared.closed.load(ordering: .acquiring)
    }

    /// Traffic counters: with automatic pipelining, `flushes` grows far slower than `commands`.
    public var statistics: Statistics {
        let inFlight = self.inFlight
        return shared.outbox.withLock { Statistics(flushes: $0.flushes, commands: $0.commandsWritten, inFlight: inFlight) }
    }

    /// Commands waiting for their replies.
    public var inFlight: Int {
        shared.inFlight.load(ordering: .relaxed)
    }

    /// Closes the connection; commands still waiting fail with `.connectionClosed`.
    public func close() async throws {
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
            // Closing twice is fine.
        } catch NIOSSLError.uncleanShutdown {
            // The server closed its side without TLS's close_notify: closed all the same.
        }
    }

    private func channelClosed() {
        let (stranded, error) = shared.outbox.withLock { outbox -> ([ReplyWaiter], RedisClientError) in
            let error = shared.close(&outbox, reason: .connectionClosed)
            let waiters = outbox.waiters
            outbox.waiters = []
            outbox.buffer.clear()
            return (waiters, error)
        }
        shared.inFlight.subtract(stranded.count, ordering: .relaxed)
        for waiter in stranded { waiter.fail(error) }
    }

    // MARK: - Commands

    public func execute(_ command: RESPCommand) async throws -> RESPValue {
        try await execute(command, timeout: nil)
    }

    /// Runs `command`, failing with `.commandTimeout` if no reply arrives within `timeout`
    /// (which replaces the configured command timeout for this command when shorter). As with
    /// the configured timeout, the connection stays usable and the late reply is dropped.
    public func execute(_ command: RESPCommand, timeout: TimeAmount?) async throws -> RESPValue {
        if tracesCommands {
            return try await traced(operation: command.name.string.uppercased(), batchSize: nil) {
                try await self.send(command, timeout: timeout)
            }
        }
        return try await send(command, timeout: timeout)
    }

    private func send(_ command: RESPCommand, timeout: TimeAmount?) async throws -> RESPValue {
        try Self.validate(command)
        let waiter = ReplyWaiter()
        enqueue(CollectionOfOne(waiter)) { buffer in command.encode(into: &buffer) }
        let timer = timeout.map { failOnTimeout(CollectionOfOne(waiter), after: $0) }
        defer { timer?.cancel() }
        guard metrics.enabled else { return try await waiter.value().throwingServerError() }
        let start = NIODeadline.now()
        metrics.commands.increment()
        do {
            let value = try await waiter.value().throwingServerError()
            metrics.commandDuration.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
            return value
        } catch {
            metrics.commandErrors.increment()
            throw error
        }
    }

    public func pipeline(_ commands: [RESPCommand]) async throws -> [Result<RESPValue, RedisServerError>] {
        try await pipeline(commands, timeout: nil)
    }

    /// Runs a pipeline, failing with `.commandTimeout` if its replies are not all in within
    /// `timeout`.
    public func pipeline(_ commands: [RESPCommand], timeout: TimeAmount?) async throws -> [Result<RESPValue, RedisServerError>] {
        guard !commands.isEmpty else { return [] }
        if tracesCommands {
            return try await traced(operation: "PIPELINE", batchSize: commands.count) {
                try await self.sendPipeline(commands, timeout: timeout)
            }
        }
        return try await sendPipeline(commands, timeout: timeout)
    }

    private func sendPipeline(_ commands: [RESPCommand], timeout: TimeAmount?) async throws -> [Result<RESPValue, RedisServerError>] {
        for command in commands { try Self.validate(command) }
        let waiters = commands.map { _ in ReplyWaiter() }
        enqueue(waiters) { buffer in
            for command in commands { command.encode(into: &buffer) }
        }
        let timer = timeout.map { failOnTimeout(waiters, after: $0) }
        defer { timer?.cancel() }
        let start = metrics.enabled ? NIODeadline.now() : .uptimeNanoseconds(0)
        metrics.commands.increment(by: commands.count)
        do {
            var results: [Result<RESPValue, RedisServerError>] = []
            results.reserveCapacity(waiters.count)
            var errors = 0
            for waiter in waiters {
                let value = try await waiter.value()
                let result = Result { () throws(RedisServerError) in try value.throwingServerError() }
                if case .failure = result { errors += 1 }
                results.append(result)
            }
            if metrics.enabled { metrics.commandDuration.recordNanoseconds((NIODeadline.now() - start).nanoseconds) }
            if errors > 0 { metrics.commandErrors.increment(by: errors) }
            return results
        } catch {
            // One failure (the connection, a timeout, cancellation) ends the whole pipeline.
            for waiter in waiters { waiter.fail(error) }
            metrics.commandErrors.increment(by: commands.count)
            throw error
        }
    }

    /// Fails the waiters still waiting after `timeout` (a waiter completes once, so a reply that
    /// won the race is kept).
    private func failOnTimeout<Waiters: Collection<ReplyWaiter> & Sendable>(_ waiters: Waiters, after timeout: TimeAmount) -> Scheduled<Void> {
        channel.eventLoop.scheduleTask(in: timeout) {
            for waiter in waiters { waiter.fail(RedisClientError.commandTimeout) }
        }
    }

    /// Runs `body` in a client span named after the operation, with the OpenTelemetry database
    /// attributes.
    private func traced<Value>(operation: String, batchSize: Int?, _ body: () async throws -> Value) async throws -> Value {
        let span = startSpan(operation, ofKind: .client)
        defer { span.end() }
        span.attributes["db.system.name"] = "redis"
        span.attributes["db.operation.name"] = operation
        span.attributes["db.namespace"] = String(configuration.database)
        if let batchSize { span.attributes["db.operation.batch.size"] = batchSize }
        switch configuration.endpoint {
        case .tcp(let host, let port):
            span.attributes["server.address"] = host
            span.attributes["server.port"] = port
            span.attributes["network.transport"] = "tcp"
        case .unixSocket(let path):
            span.attributes["server.address"] = path
            span.attributes["network.transport"] = "unix"
        }
        do {
            return try await body()
        } catch {
            let type: String
            switch error {
            case let error as RedisServerError: type = error.code.rawValue
            case let error as RedisClientError: type = "\(error.code)"
            default: type = String(describing: Swift.type(of: error))
            }
            span.attributes["error.type"] = type
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// Queues encoded commands for the next drain, scheduling the drain if none is pending;
    /// fails the waiters at once when the connection has closed. Several commands queued in one
    /// call share one write; a single one passes `CollectionOfOne`, so no array is allocated.
    private func enqueue<Waiters: Collection<ReplyWaiter>>(_ waiters: Waiters, encode: (inout ByteBuffer) -> Void) {
        let outcome = shared.outbox.withLock { outbox -> Result<Bool, RedisClientError> in
            if let error = outbox.closedError { return .failure(error) }
            encode(&outbox.buffer)
            outbox.waiters.append(contentsOf: waiters)
            shared.inFlight.add(waiters.count, ordering: .relaxed)
            return .success(outbox.claimDrain())
        }
        switch outcome {
        case .success(let scheduleDrain):
            if scheduleDrain { channel.eventLoop.execute { self.drain() } }
        case .failure(let error):
            for waiter in waiters { waiter.fail(error) }
        }
    }

    /// Loop turns a drain may wait while commands keep arriving (each a few microseconds).
    private static let maximumDrainDeferrals = 8

    /// On the event loop: writes everything queued since the last drain, with one flush.
    ///
    /// Tasks resumed together send their next commands together, from other threads, a few
    /// microseconds apart. While more commands have arrived since the drain was scheduled (or
    /// last looked), it waits one more loop turn, up to `maximumDrainDeferrals`, so they share
    /// the write. A lone command is written at once.
    private func drain() {
        enum Step {
            case wait
            case write(ByteBuffer, [ReplyWaiter])
        }
        let step = shared.outbox.withLock { outbox -> Step in
            let queued = outbox.waiters.count
            if queued > outbox.queuedAtLastLook, outbox.drainDeferrals < Self.maximumDrainDeferrals {
                outbox.queuedAtLastLook = queued
                outbox.drainDeferrals += 1
                return .wait
            }
            outbox.drainScheduled = false
            outbox.drainDeferrals = 0
            guard outbox.buffer.readableBytes > 0 else { return .write(ByteBuffer(), []) }
            let batch = Step.write(outbox.buffer, outbox.waiters)
            // The next batch is likely the size of this one: room for it (up to 64 KiB, so one
            // huge pipeline does not pin a huge buffer) saves regrowing.
            outbox.buffer = channel.allocator.buffer(capacity: min(outbox.buffer.readableBytes, 64 * 1024))
            outbox.waiters = []
            outbox.waiters.reserveCapacity(queued)
            outbox.flushes += 1
            outbox.commandsWritten += queued
            return batch
        }
        switch step {
        case .wait:
            channel.eventLoop.execute { self.drain() }
        case .write(let bytes, let waiters):
            guard bytes.readableBytes > 0 else { return }
            handler.value.write(bytes, waiters: waiters)
        }
    }

    // MARK: - Subscriber connections

    /// Routes pub/sub events (and errors no command waits for) to `handler` from now on; for
    /// `RedisSubscriber`, before it sends its first SUBSCRIBE.
    func routePubSubEvents(to handler: @escaping @Sendable (RESPValue) -> Void) async throws {
        try await channel.eventLoop.submit { self.handler.value.pushes = handler }.get()
    }

    /// Writes commands whose answers arrive as pub/sub events rather than replies
    /// ((P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE): nothing waits for them here.
    func sendWithoutReply(_ commands: [RESPCommand]) throws {
        let failed = shared.outbox.withLock { outbox -> (error: RedisClientError?, drain: Bool) in
            if let error = outbox.closedError { return (error, false) }
            for command in commands { command.encode(into: &outbox.buffer) }
            return (nil, outbox.claimDrain())
        }
        if let error = failed.error { throw error }
        if failed.drain { channel.eventLoop.execute { self.drain() } }
    }

    /// Refuses commands whose replies would not match one-to-one.
    private static func validate(_ command: RESPCommand) throws {
        let arguments = command.arguments
        guard let name = arguments.first else {
            throw RedisClientError(.unsupportedCommand, "a command needs at least its name")
        }
        switch name.count {
        case 7, 8, 9, 10, 11, 12:
            if name.equalsLowercased("subscribe") || name.equalsLowercased("psubscribe")
                || name.equalsLowercased("ssubscribe") || name.equalsLowercased("unsubscribe")
                || name.equalsLowercased("punsubscribe") || name.equalsLowercased("sunsubscribe")
                || name.equalsLowercased("monitor") {
                throw RedisClientError(.unsupportedCommand, "\(name.string.uppercased()) is not supported on a command connection yet (pub/sub arrives later)")
            }
        case 6:
            if name.equalsLowercased("client"), arguments.count >= 3, arguments[1].equalsLowercased("reply"),
               !arguments[2].equalsLowercased("on") {
                throw RedisClientError(.unsupportedCommand, "CLIENT REPLY OFF/SKIP would leave commands without replies")
            }
        default:
            break
        }
    }
}
