import EmberRESP
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Up to `maximumConnections` connections to one server, opened lazily and shared by
/// load: each command goes to the open connection with the fewest commands in flight, and a
/// new connection is opened (up to the maximum) only when every open one is busy. Each
/// connection pipelines automatically, so a few connections carry a lot of concurrency.
///
/// A connection that closed (the server went away, CLIENT KILL) is dropped and replaced on
/// demand; commands that were in flight on it fail with `.connectionClosed` and are not
/// retried (they may have run).
///
/// ```swift
/// let pool = RedisConnectionPool(configuration: try .init(url: "redis://127.0.0.1:6379"), maximumConnections: 4)
/// try await pool.set("greeting", to: "hello")
/// try await pool.close()
/// ```
///
/// Commands that need one connection for several steps (MULTI/EXEC, WATCH, SELECT) must not
/// go through the pool's `execute`, which may pick a different connection each time.
public final class RedisConnectionPool: RedisCommandExecutor {
    public let configuration: RedisConnectionConfiguration
    public let maximumConnections: Int
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    private enum Slot {
        case empty
        case connecting(EventLoopFuture<RedisConnection>)
        case ready(RedisConnection)
    }

    private struct State {
        var slots: [Slot]
        var closed = false
        /// Spreads callers over connections still being opened.
        var rotation = 0
    }

    private enum Choice {
        case use(RedisConnection)
        case wait(EventLoopFuture<RedisConnection>)
        case open(slot: Int, EventLoopPromise<RedisConnection>)
    }

    public init(
        configuration: RedisConnectionConfiguration,
        maximumConnections: Int = 4,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = RedisConnection.disabledLogger
    ) {
        precondition(maximumConnections >= 1, "a pool needs at least one connection")
        self.configuration = configuration
        self.maximumConnections = maximumConnections
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.state = NIOLockedValueBox(State(slots: Array(repeating: .empty, count: maximumConnections)))
    }

    /// A pool for `url` (see `RedisConnectionConfiguration.init(url:)`).
    public convenience init(url: String, maximumConnections: Int = 4) throws {
        self.init(configuration: try RedisConnectionConfiguration(url: url), maximumConnections: maximumConnections)
    }

    deinit {
        for connection in openConnections { connection.channel.close(promise: nil) }
    }

    // MARK: - Commands

    public func execute(_ command: RESPCommand) async throws -> RESPValue {
        try await connection().execute(command)
    }

    /// The whole pipeline goes to one connection, in one write.
    public func pipeline(_ commands: [RESPCommand]) async throws -> [Result<RESPValue, RedisServerError>] {
        try await connection().pipeline(commands)
    }

    /// The least-loaded open connection, or a new one while the pool has room and every open
    /// connection is busy. It stays shared: other callers' commands may be pipelined onto it.
    public func connection() async throws -> RedisConnection {
        let choice = try state.withLockedValue { state throws -> Choice in
            if state.closed { throw RedisClientError(.closed, "the connection pool is closed") }
            var best: (connection: RedisConnection, load: Int)?
            var free: Int?
            var connecting: [EventLoopFuture<RedisConnection>] = []
            for index in state.slots.indices {
                switch state.slots[index] {
                case .ready(let connection):
                    let load = connection.inFlight
                    if connection.isClosed {
                        state.slots[index] = .empty
                        if free == nil { free = index }
                    } else if best == nil || load < best!.load {
                        best = (connection, load)
                    }
                case .empty:
                    if free == nil { free = index }
                case .connecting(let future):
                    connecting.append(future)
                }
            }
            if let best, best.load == 0 { return .use(best.connection) }
            if let free {
                let promise = eventLoopGroup.any().makePromise(of: RedisConnection.self)
                state.slots[free] = .connecting(promise.futureResult)
                return .open(slot: free, promise)
            }
            if let best { return .use(best.connection) }
            state.rotation &+= 1
            return .wait(connecting[state.rotation % connecting.count])
        }
        switch choice {
        case .use(let connection):
            return connection
        case .wait(let future):
            return try await future.get()
        case .open(let slot, let promise):
            do {
                let connection = try await RedisConnection.connect(
                    configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
                let poolClosed = state.withLockedValue { state -> Bool in
                    if state.closed { return true }
                    state.slots[slot] = .ready(connection)
                    return false
                }
                if poolClosed {
                    try? await connection.close()
                    let error = RedisClientError(.closed, "the connection pool is closed")
                    promise.fail(error)
                    throw error
                }
                promise.succeed(connection)
                return connection
            } catch {
                state.withLockedValue { state in
                    if case .connecting(let future) = state.slots[slot], future === promise.futureResult {
                        state.slots[slot] = .empty
                    }
                }
                promise.fail(error)
                logger.debug("connection failed", metadata: ["error": "\(error)"])
                throw error
            }
        }
    }

    /// Runs `body` with one connection of the pool (shared, see `connection()`).
    public func withConnection<Value: Sendable>(_ body: (RedisConnection) async throws -> Value) async throws -> Value {
        try await body(try await connection())
    }

    // MARK: - State

    /// The connections open now.
    public var openConnections: [RedisConnection] {
        state.withLockedValue { state in
            state.slots.compactMap { slot in
                if case .ready(let connection) = slot, !connection.isClosed { return connection }
                return nil
            }
        }
    }

    /// Closes every connection; later commands fail with `.closed`.
    public func close() async throws {
        let connections = state.withLockedValue { state -> [RedisConnection] in
            state.closed = true
            let open = state.slots.compactMap { slot -> RedisConnection? in
                if case .ready(let connection) = slot { return connection }
                return nil
            }
            state.slots = Array(repeating: .empty, count: maximumConnections)
            return open
        }
        for connection in connections { try? await connection.close() }
    }
}
