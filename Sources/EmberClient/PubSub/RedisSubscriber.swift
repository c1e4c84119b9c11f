import EmberRESP
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One message from a subscription.
public struct RedisPubSubMessage: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// From SUBSCRIBE: `channel` is the channel it was published to.
        case message
        /// From PSUBSCRIBE: `pattern` is the pattern that matched `channel`.
        case patternMessage
        /// From SSUBSCRIBE (sharded pub/sub, SPUBLISH).
        case shardMessage
    }

    public var kind: Kind
    public var channel: Bytes
    public var pattern: Bytes?
    public var payload: Bytes

    public init(kind: Kind, channel: Bytes, pattern: Bytes? = nil, payload: Bytes) {
        self.kind = kind
        self.channel = channel
        self.pattern = pattern
        self.payload = payload
    }
}

/// Subscriptions to channels, patterns and sharded channels over one connection of their own,
/// each delivered as an `AsyncSequence`.
///
/// ```swift
/// let subscriber = RedisSubscriber(configuration: try .init(url: "redis://127.0.0.1:6379"))
/// let news = try await subscriber.subscribe(to: ["news"])
/// for try await message in news {
///     print(String(decoding: message.payload, as: UTF8.self))
/// }
/// ```
///
/// - **Protocols.** In RESP2 the connection is dedicated to pub/sub, as the protocol requires.
///   In RESP3 the same connection also runs ordinary commands: `execute` sends them alongside
///   the subscriptions (the server interleaves replies and pushes; pushes go to subscriptions).
/// - **Reconnects.** When the connection drops, the subscriber reconnects with `backoff` and
///   subscribes again to every channel and pattern still wanted; subscriptions carry on.
///   Messages published while it was away are lost (Redis pub/sub delivers at most once).
/// - **Sharing.** Several subscriptions may name the same channel: the server is subscribed
///   once, and each gets every message. A channel is unsubscribed on the server when its last
///   subscription ends (`unsubscribe()`, or the consuming loop is left).
/// - **Buffering.** Messages wait in each subscription's buffer until consumed; a consumer
///   that never reads grows it without bound (as Redis's own output buffer would, up to its
///   client-output-buffer-limit).
public final class RedisSubscriber: RedisCommandExecutor {
    public let configuration: RedisConnectionConfiguration
    public let backoff: RedisBackoff
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    /// The TLS context for every connection (the first and each reconnect), made once.
    private let tls: Result<RedisConnection.TLSSetup, any Error>?

    /// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE: the three kinds of subscription.
    enum Family: Int, CaseIterable, Sendable {
        case channel, pattern, shard

        var subscribe: Bytes {
            switch self {
            case .channel: return "SUBSCRIBE"
            case .pattern: return "PSUBSCRIBE"
            case .shard: return "SSUBSCRIBE"
            }
        }

        var unsubscribe: Bytes {
            switch self {
            case .channel: return "UNSUBSCRIBE"
            case .pattern: return "PUNSUBSCRIBE"
            case .shard: return "SUNSUBSCRIBE"
            }
        }
    }

    private struct Key: Hashable {
        var family: Family
        var name: Bytes
    }

    private struct Subscriber {
        var keys: [Key]
        var continuation: AsyncThrowingStream<RedisPubSubMessage, any Error>.Continuation
    }

    private struct State {
        var connection: RedisConnection?
        /// The connection being opened (or reopened after a drop), shared by everyone waiting.
        var connecting: Task<RedisConnection, any Error>?
        var nextID = 0
        var subscribers: [Int: Subscriber] = [:]
        /// For each subscribed channel/pattern, who wants it.
        var interest: [Key: Set<Int>] = [:]
        /// Subscribe calls waiting for the server's confirmation of a key.
        var confirmations: [Key: [EventLoopPromise<Void>]] = [:]
        var closed = false
        var consecutiveFailures = 0
    }

    public init(
        configuration: RedisConnectionConfiguration,
        backoff: RedisBackoff = RedisBackoff(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = RedisConnection.disabledLogger
    ) {
        self.configuration = configuration
        self.backoff = backoff
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.tls = configuration.tls.map { tls in Result { try RedisConnection.TLSSetup(configuration: configuration, tls: tls) } }
    }

    // MARK: - Subscribing

    /// Subscribes to channels (SUBSCRIBE); returns once the server has confirmed each.
    public func subscribe(to channels: [any RESPArgumentConvertible]) async throws -> RedisSubscription {
        try await subscribe(.channel, channels.map(\.respArgument))
    }

    /// Subscribes to glob-style patterns (PSUBSCRIBE).
    public func subscribe(toPatterns patterns: [any RESPArgumentConvertible]) async throws -> RedisSubscription {
        try await subscribe(.pattern, patterns.map(\.respArgument))
    }

    /// Subscribes to sharded channels (SSUBSCRIBE, Redis 7). In a cluster, every channel must
    /// hash to a slot of the node this subscriber is connected to (`RedisClusterClient`'s
    /// `subscribe(toShardChannels:)` routes for you).
    public func subscribe(toShardChannels channels: [any RESPArgumentConvertible]) async throws -> RedisSubscription {
        try await subscribe(.shard, channels.map(\.respArgument))
    }

    func subscribe(_ family: Family, _ names: [Bytes]) async throws -> RedisSubscription {
        guard !names.isEmpty else { throw RedisClientError(.unsupportedCommand, "subscribe to at least one channel") }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: RedisPubSubMessage.self)
        let keys = names.map { Key(family: family, name: $0) }
        let loop = eventLoopGroup.any()
        let (id, newKeys, confirmations) = try state.withLockedValue { state throws in
            if state.closed { throw RedisClientError(.closed, "the subscriber is closed") }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(keys: keys, continuation: continuation)
            var newKeys: [Key] = []
            var confirmations: [EventLoopFuture<Void>] = []
            for key in keys {
                if state.interest[key] == nil {
                    newKeys.append(key)
                    let promise = loop.makePromise(of: Void.self)
                    state.confirmations[key, default: []].append(promise)
                    confirmations.append(promise.futureResult)
                }
                state.interest[key, default: []].insert(id)
            }
            return (id, newKeys, confirmations)
        }
        continuation.onTermination = { [weak self] _ in self?.release(id) }
        do {
            let connection = try await connection()
            if !newKeys.isEmpty {
                try connection.sendWithoutReply([RESPCommand([family.subscribe] + newKeys.map(\.name))])
            }
            // The confirmations come within the command timeout, or the subscribe fails (a
            // connection that dropped meanwhile resubscribes, and confirms, when it is back).
            let timeout = configuration.commandTimeout.map { timeout in
                loop.scheduleTask(in: timeout) {
                    self.failConfirmations(of: newKeys, RedisClientError.commandTimeout)
                }
            }
            defer { timeout?.cancel() }
            for confirmation in confirmations { try await confirmation.get() }
        } catch {
            release(id)
            throw error
        }
        return RedisSubscription(stream: stream) { [weak self] in self?.release(id) }
    }

    private func failConfirmations(of keys: [Key], _ error: any Error) {
        let waiting = state.withLockedValue { state in keys.flatMap { state.confirmations.removeValue(forKey: $0) ?? [] } }
        for promise in waiting { promise.fail(error) }
    }

    /// Ends subscription `id`: the server is unsubscribed from keys nobody else wants.
    private func release(_ id: Int) {
        let (subscriber, unwanted, connection) = state.withLockedValue { state -> (Subscriber?, [Key], RedisConnection?) in
            guard let subscriber = state.subscribers.removeValue(forKey: id) else { return (nil, [], nil) }
            var unwanted: [Key] = []
            for key in subscriber.keys {
                state.interest[key]?.remove(id)
                if state.interest[key]?.isEmpty == true {
                    state.interest[key] = nil
                    unwanted.append(key)
                }
            }
            return (subscriber, unwanted, state.connection)
        }
        subscriber?.continuation.finish()
        guard let connection, !unwanted.isEmpty else { return }
        for family in Family.allCases {
            let names = unwanted.filter { $0.family == family }.map(\.name)
            if !names.isEmpty { try? connection.sendWithoutReply([RESPCommand([family.unsubscribe] + names)]) }
        }
    }

    // MARK: - Commands (RESP3: on the same connection)

    /// Runs an ordinary command on the subscriber's connection. In RESP3 any command works;
    /// in RESP2 the server allows only PING, QUIT and RESET besides the subscription commands.
    public func execute(_ command: RESPCommand) async throws -> RESPValue {
        try await connection().execute(command)
    }

    // MARK: - The connection

    /// The open connection, opening (or reopening) it if need be.
    private func connection() async throws -> RedisConnection {
        enum Ready {
            case open(RedisConnection)
            case opening(Task<RedisConnection, any Error>)
        }
        let ready = try state.withLockedValue { state throws -> Ready in
            if state.closed { throw RedisClientError(.closed, "the subscriber is closed") }
            if let connection = state.connection, !connection.isClosed { return .open(connection) }
            if let connecting = state.connecting { return .opening(connecting) }
            let task = Task { try await self.open() }
            state.connecting = task
            return .opening(task)
        }
        switch ready {
        case .open(let connection): return connection
        case .opening(let task): return try await task.value
        }
    }

    /// Connects (after the backoff delay when earlier attempts failed), routes events, and
    /// subscribes again to everything still wanted.
    private func open() async throws -> RedisConnection {
        let failures = state.withLockedValue { $0.consecutiveFailures }
        let delay = backoff.delay(afterFailures: failures)
        do {
            if delay > .zero { try await Task.sleep(for: .nanoseconds(delay.nanoseconds)) }
            let connection = try await RedisConnection.connect(
                configuration: configuration, tls: try tls?.get(), eventLoopGroup: eventLoopGroup, logger: logger)
            try await connection.routePubSubEvents { [weak self] event in self?.handle(event) }
            let wanted = state.withLockedValue { state -> [Key]? in
                state.connecting = nil
                state.consecutiveFailures = 0
                if state.closed { return nil }
                state.connection = connection
                return Array(state.interest.keys)
            }
            guard let wanted else {
                try? await connection.close()
                throw RedisClientError(.closed, "the subscriber is closed")
            }
            connection.channel.closeFuture.whenComplete { [weak self] _ in self?.connectionClosed(connection) }
            var commands: [RESPCommand] = []
            for family in Family.allCases {
                let names = wanted.filter { $0.family == family }.map(\.name)
                if !names.isEmpty { commands.append(RESPCommand([family.subscribe] + names)) }
            }
            if !commands.isEmpty {
                logger.debug("resubscribing", metadata: ["count": "\(wanted.count)"])
                try connection.sendWithoutReply(commands)
            }
            return connection
        } catch {
            state.withLockedValue { state in
                state.connecting = nil
                state.consecutiveFailures += 1
            }
            throw error
        }
    }

    /// The connection dropped: reconnect in the background while anyone is subscribed.
    private func connectionClosed(_ connection: RedisConnection) {
        let reconnect = state.withLockedValue { state -> Bool in
            guard state.connection === connection else { return false }
            state.connection = nil
            return !state.closed && !state.interest.isEmpty
        }
        guard reconnect else { return }
        logger.debug("subscriber connection closed; reconnecting")
        Task { [weak self] in
            while let self {
                do {
                    _ = try await self.connection()
                    return
                } catch let error as RedisClientError where error.code == .closed {
                    return
                } catch {
                    // Keep trying, paced by the backoff, while subscriptions exist.
                    if self.state.withLockedValue({ $0.interest.isEmpty || $0.closed }) { return }
                }
            }
        }
    }

    // MARK: - Events

    private func handle(_ event: RESPValue) {
        if case .error(let message) = event {
            // A refused SUBSCRIBE (NOPERM, CROSSSLOT, ...): fail whoever waits for a confirmation.
            let waiting = state.withLockedValue { state -> [EventLoopPromise<Void>] in
                defer { state.confirmations = [:] }
                return state.confirmations.values.flatMap { $0 }
            }
            for promise in waiting { promise.fail(RedisServerError(message: message)) }
            return
        }
        guard let elements = event.elements, elements.count >= 3, let kind = elements[0].bytes else { return }
        let name = kind.string.lowercased()
        switch name {
        case "message", "smessage":
            guard let channel = elements[1].bytes, let payload = elements[2].bytes else { return }
            let family: Family = name == "message" ? .channel : .shard
            deliver(Key(family: family, name: channel),
                    RedisPubSubMessage(kind: family == .channel ? .message : .shardMessage, channel: channel, payload: payload))
        case "pmessage":
            guard elements.count >= 4, let pattern = elements[1].bytes, let channel = elements[2].bytes,
                  let payload = elements[3].bytes else { return }
            deliver(Key(family: .pattern, name: pattern),
                    RedisPubSubMessage(kind: .patternMessage, channel: channel, pattern: pattern, payload: payload))
        case "subscribe", "psubscribe", "ssubscribe":
            guard let subject = elements[1].bytes else { return }
            let family: Family = name == "subscribe" ? .channel : name == "psubscribe" ? .pattern : .shard
            let waiting = state.withLockedValue { $0.confirmations.removeValue(forKey: Key(family: family, name: subject)) }
            for promise in waiting ?? [] { promise.succeed() }
        case "sunsubscribe":
            // Sent unasked when a sharded channel's slot moves away from this node: the
            // subscriptions to it end with an error that says so.
            guard let channel = elements[1].bytes else { return }
            let key = Key(family: .shard, name: channel)
            let ended = state.withLockedValue { state -> [Subscriber] in
                guard let ids = state.interest[key] else { return [] }
                return ids.compactMap { state.subscribers[$0] }
            }
            for subscriber in ended {
                subscriber.continuation.finish(throwing: RedisClientError(
                    .connectionClosed, "the server ended the sharded subscription to \(channel.string) (its slot moved)"))
            }
        default:
            break  // unsubscribe confirmations
        }
    }

    private func deliver(_ key: Key, _ message: RedisPubSubMessage) {
        let continuations = state.withLockedValue { state -> [AsyncThrowingStream<RedisPubSubMessage, any Error>.Continuation] in
            guard let ids = state.interest[key] else { return [] }
            return ids.compactMap { state.subscribers[$0]?.continuation }
        }
        for continuation in continuations { continuation.yield(message) }
    }

    // MARK: - Closing

    /// Ends every subscription (their sequences finish) and closes the connection.
    public func close() async throws {
        let (connection, subscribers, connecting, waiting) = state.withLockedValue { state in
            state.closed = true
            defer {
                state.subscribers = [:]
                state.interest = [:]
                state.confirmations = [:]
                state.connection = nil
            }
            return (state.connection, Array(state.subscribers.values), state.connecting, state.confirmations.values.flatMap { $0 })
        }
        connecting?.cancel()
        for promise in waiting { promise.fail(RedisClientError(.closed, "the subscriber is closed")) }
        for subscriber in subscribers { subscriber.continuation.finish() }
        try? await connection?.close()
    }

    /// Channels, patterns and sharded channels currently subscribed (for tests and diagnostics).
    public var subscribedNames: (channels: Set<Bytes>, patterns: Set<Bytes>, shardChannels: Set<Bytes>) {
        state.withLockedValue { state in
            var result: (channels: Set<Bytes>, patterns: Set<Bytes>, shardChannels: Set<Bytes>) = ([], [], [])
            for key in state.interest.keys {
                switch key.family {
                case .channel: result.channels.insert(key.name)
                case .pattern: result.patterns.insert(key.name)
                case .shard: result.shardChannels.insert(key.name)
                }
            }
            return result
        }
    }
}

/// The messages of one subscription, as an `AsyncSequence`. Leaving the loop, calling
/// `unsubscribe()` or letting go of the last copy ends it and unsubscribes the server from
/// channels no other subscription wants. It ends by throwing when the subscriber is told the subscription is gone (a sharded
/// channel's slot moved) and finishes normally when the subscriber is closed.
public struct RedisSubscription: AsyncSequence, Sendable {
    public typealias Element = RedisPubSubMessage

    private let stream: AsyncThrowingStream<RedisPubSubMessage, any Error>
    private let end: @Sendable () -> Void

    init(stream: AsyncThrowingStream<RedisPubSubMessage, any Error>, end: @escaping @Sendable () -> Void) {
        self.stream = stream
        self.end = end
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<RedisPubSubMessage, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }

    /// Ends the subscription.
    public func unsubscribe() {
        end()
    }
}
