import EmberRESP
import EmberStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// ember-server: the engine behind a SwiftNIO listener, plus the server-level commands
/// (INFO, CONFIG, SHUTDOWN) that need more than the keyspace.
public final class EmberServer: @unchecked Sendable {
    public let engine: Engine
    public let logger: Logger
    /// The server log (`loglevel`, `logfile`), also the engine's log sink.
    public let logSink: RedisLogSink
    /// Guarded by `engine.lock` (CONFIG runs inside the engine's critical section).
    var configuration: ServerConfiguration
    let startedAt = Clock.milliseconds()
    let startedMonotonic = Clock.monotonicNanoseconds()
    let runID: String

    private let channelsLock = NIOLock()
    private var channels: [Int64: Channel] = [:]
    private var totalConnections: Int64 = 0
    private var group: MultiThreadedEventLoopGroup?
    private var listeners: [Channel] = []
    /// Allocator bytes in use once listening (used_memory_startup), and the highest seen since;
    /// the peak is guarded by `engine.lock`.
    private(set) var startupMemory = 0
    private var memoryPeak = 0
    private let shutdownPromiseLock = NIOLock()
    private var shutdownRequested = false

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.logSink = RedisLogSink(level: configuration.logLevel, file: configuration.logFile)
        self.engine = Engine(configuration: configuration.engine)
        engine.logSink = logSink
        var generator = SystemRandomNumberGenerator()
        self.runID = (0..<40).map { _ in String(UInt8.random(in: 0..<16, using: &generator), radix: 16) }.joined()
        engine.clientCloser = { [weak self] client in self?.close(clientID: client.id) }
        engine.replicaTransportFactory = { [weak self] client in self?.replicaTransport(for: client) }
        engine.fileDescriptorResolver = { clients in
            let pairs = Set(clients.map { SocketDescriptors.AddressPair(local: $0.localAddress, peer: $0.peerAddress) })
            let found = SocketDescriptors.find(pairs)
            for client in clients {
                if let descriptor = found[SocketDescriptors.AddressPair(local: client.localAddress, peer: client.peerAddress)] {
                    client.fileDescriptor = descriptor
                }
            }
        }
        registerServerCommands()
    }

    // MARK: - Lifecycle

    /// Binds the listeners; returns the bound addresses.
    public func start() throws -> [SocketAddress] {
        let threads = max(1, configuration.ioThreads)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        self.group = group
        var coalescers: [ObjectIdentifier: FlushCoalescer] = [:]
        for loop in group.makeIterator() { coalescers[ObjectIdentifier(loop)] = FlushCoalescer(eventLoop: loop) }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 511)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: configuration.tcpKeepalive > 0 ? 1 : 0)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // A client's end of input is an event, not a close: its replies still go out.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 512, initial: 16 * 1024, maximum: 1024 * 1024))
            .childChannelInitializer { [self, coalescers] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let coalescer = coalescers[ObjectIdentifier(channel.eventLoop)] else {
                        throw ChannelError.ioOnClosedChannel
                    }
                    let handler = ConnectionHandler(server: self, flushCoalescer: coalescer)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        var bound: [SocketAddress] = []
        // Loopback last: clients probing readiness on 127.0.0.1 then find every address bound.
        let ordered = configuration.bind.filter { !Self.isLoopbackBind($0) } + configuration.bind.filter { Self.isLoopbackBind($0) }
        for entry in ordered {
            // A leading '-' marks an optional address, as in redis.conf ("-::1").
            let optional = entry.hasPrefix("-")
            let host = optional ? String(entry.dropFirst()) : entry
            do {
                let channel = try bootstrap.bind(host: host == "*" ? "0.0.0.0" : host, port: configuration.port).wait()
                listeners.append(channel)
                if let address = channel.localAddress { bound.append(address) }
            } catch {
                if optional { continue }
                throw error
            }
        }
        if bound.isEmpty { throw ServerConfiguration.Error(description: "no address to listen on") }
        logSink.log(.notice, "Running mode=standalone, port=\(configuration.port).")
        logSink.log(.warning, "Server initialized")
        do {
            try engine.loadPersistedDataAtStartup()
        } catch {
            for listener in listeners { listener.close(promise: nil) }
            throw error
        }
        logSink.log(.notice, "Ready to accept connections tcp")
        startupMemory = Self.heapInUse()
        scheduleCron(on: group.next())
        return bound
    }

    static func isLoopbackBind(_ entry: String) -> Bool {
        let host = entry.hasPrefix("-") ? String(entry.dropFirst()) : entry
        return host.hasPrefix("127.") || host == "::1" || host == "localhost"
    }

    /// Blocks until the listeners close (SHUTDOWN or a signal).
    public func waitUntilClosed() throws {
        for listener in listeners { try listener.closeFuture.wait() }
        try group?.syncShutdownGracefully()
    }

    /// SIGTERM and SIGINT, as Redis's `prepareForShutdown`: save first when save points exist;
    /// when that fails the server stays up.
    public func shutdownOnSignal(_ name: String) {
        let saved = engine.lock.withLock { engine.persistBeforeShutdown(save: nil, force: false, now: Clock.milliseconds()) }
        guard saved else {
            logSink.log(.warning, "\(name) received but errors trying to shut down the server, check the logs for more information")
            return
        }
        shutdown()
    }

    /// Stops accepting and closes every connection.
    public func shutdown() {
        let first = shutdownPromiseLock.withLock { () -> Bool in
            defer { shutdownRequested = true }
            return !shutdownRequested
        }
        guard first else { return }
        logSink.log(.warning, "User requested shutdown...")
        let open = channelsLock.withLock { Array(channels.values) }
        for channel in open { Self.closeLater(channel) }
        for listener in listeners { Self.closeLater(listener) }
    }

    private func scheduleCron(on loop: EventLoop) {
        let hz = max(1, engine.config.hz)
        loop.scheduleRepeatedTask(initialDelay: .milliseconds(Int64(1000 / hz)), delay: .milliseconds(Int64(1000 / hz))) { [weak self] _ in
            guard let self else { return }
            engine.cron()
            let used = Self.heapInUse()
            engine.lock.withLock { _ = recordMemoryPeak(used) }
        }
    }

    /// Call under the engine lock.
    func recordMemoryPeak(_ used: Int) -> Int {
        memoryPeak = max(memoryPeak, used)
        return memoryPeak
    }

    // MARK: - Connections

    func register(client: ClientState, channel: Channel) {
        channelsLock.withLock {
            channels[client.id] = channel
            totalConnections += 1
        }
    }

    func unregister(client: ClientState) {
        channelsLock.withLock { channels[client.id] = nil }
    }

    /// Writes the replication stream straight to a replica's channel, on its event loop and in
    /// the order asked (the connection handler writes nothing more to a replica).
    func replicaTransport(for client: ClientState) -> ReplicaTransport? {
        guard let channel = channelsLock.withLock({ channels[client.id] }) else { return nil }
        return ReplicaTransport(
            write: { produce in
                channel.eventLoop.execute {
                    let bytes = produce()
                    guard !bytes.isEmpty, channel.isActive else { return }
                    channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
                }
            },
            close: { Self.closeLater(channel) })
    }

    func close(clientID: Int64) {
        let channel = channelsLock.withLock { channels[clientID] }
        if let channel { Self.closeLater(channel) }
    }

    /// Closes on the channel's loop in a later tick: callers run inside the engine's critical
    /// section, and closing synchronously would re-enter it from `channelInactive`.
    static func closeLater(_ channel: Channel) {
        channel.eventLoop.execute { channel.close(promise: nil) }
    }

    var connectionCounts: (current: Int, total: Int64) {
        channelsLock.withLock { (channels.count, totalConnections) }
    }
}
