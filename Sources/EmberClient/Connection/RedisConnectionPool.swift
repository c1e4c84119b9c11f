import DequeModule
import EmberRESP
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Up to `maximumConnections` connections to one server, opened lazily and shared by
/// load: each command goes to the open connection with the fewest commands in flight, and a
/// new connection is opened (up to the maximum) only when every open one is busy. Each
/// connection pipelines automatically, so a few connections carry a lot of concurrency.
///
/// ```swift
/// let pool = RedisConnectionPool(configuration: try .init(url: "redis://127.0.0.1:6379"), maximumConnections: 4)
/// try await pool.set("greeting", to: "hello")
/// try await pool.close()
/// ```
///
/// **Failures.** A connection that closed (the server went away, CLIENT KILL) is dropped and
/// replaced on demand; commands that were in flight on it fail with `.connectionClosed` and are
/// not retried (they may have run). While the server cannot be reached, connection attempts
/// are spaced by `backoff` (exponential, with jitter): a command arriving during the wait
/// waits for the next attempt and fails with `.connectFailed` if that attempt fails, so no
/// command waits longer than one backoff delay plus the connect timeout.
///
/// **Health checks.** Every `healthCheckInterval`, each idle connection is sent a PING; one
/// that does not answer within the command timeout (a server frozen, a half-open socket) is
/// closed and later replaced.
///
/// **Dedicated connections.** Commands that need one connection for several round trips
/// (WATCH ... MULTI ... EXEC, SELECT, CLIENT REPLY) go through `withDedicatedConnection`, which
/// takes a connection out of sharing for the closure's duration. When every connection is
/// dedicated, the next caller waits for one to come back (the pool stays bounded).
public final class RedisConnectionPool: RedisCommandExecutor {
    public let configuration: RedisConnectionConfiguration
    public let maximumConnections: Int
    public let backoff: RedisBackoff
    public let healthCheckInterval: TimeAmount?
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state: Mutex<State>
    private let metrics: RedisClientMetrics
    /// The TLS context for every connection of the pool, made once (or why it cannot be).
    private let tls: Result<RedisConnection.TLSSetup, any Error>?

    private enum Slot {
        case empty
        case connecting(EventLoopFuture<RedisConnection>)
        case ready(RedisConnection)
        /// Out of sharing, in a `withDedicatedConnection` closure.
        case dedicated(RedisConnection)
    }

    private struct State {
        var slots: [Slot]
        var closed = false
        /// Spreads callers over connections still being opened.
        var rotation = 0
        /// Connection attempts failed in a row, and when the next may start.
        var consecutiveFailures = 0
        var nextAttempt = NIODeadline.uptimeNanoseconds(0)
        /// Callers of `withDedicatedConnection` waiting for a connection to come back.
        var dedicatedWaiters = Deque<EventLoopPromise<Void>>()
        var healthCheck: Task<Void, Never>?
    }

    private enum Choice {
        case use(RedisConnection)
        case wait(EventLoopFuture<RedisConnection>)
        case open(slot: Int, EventLoopPromise<RedisConnection>, notBefore: NIODeadline)
        /// No connection can be dedicated now: wait for one to come back, then choose again.
        case waitForReturn(EventLoopFuture<Void>)
    }

    public init(
        configuration: RedisConnectionConfiguration,
        maximumConnections: Int = 4,
        backoff: RedisBackoff = RedisBackoff(),
        healthCheckInterval: TimeAmount? = .seconds(30),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = RedisConnection.disabledLogger
    ) {
        precondition(maximumConnections >= 1, "a pool needs at least one connection")
        self.configuration = configuration
        self.maximumConnections = maximumConnections
        self.backoff = backoff
        self.healthCheckInterval = healthCheckInterval
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.metrics = RedisClientMetrics(configuration: configuration)
        self.tls = configuration.tls.map { tls in Result { try RedisConnection.TLSSetup(configuration: configuration, tls: tls) } }
        self.state = Mutex(State(slots: Array(repeating: .empty, count: maximumConnections)))
        if let healthCheckInterval {
            let interval = Duration.nanoseconds(healthCheckInterval.nanoseconds)
            let task = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    guard let self, !Task.isCancelled else { return }
                    await self.checkHealth()
                }
            }
            state.withLock { $0.healthCheck = task }
        }
    }

    /// A pool for `url` (see `RedisConnectionConfiguration.init(url:)`).
    public convenience init(url: String, maximumConnections: Int = 4) throws {
        self.init(configuration: try RedisConnectionConfiguration(url: url), maximumConnections: maximumConnections)
    }

    deinit {
        let (connections, task) = state.withLock { state in (Self.connections(in: state.slots), state.healthCheck) }
        task?.cancel()
        for connection in connections { connection.channel.close(promise: nil) }
    }

    // MARK: - Commands

    public func execute(_ command: RESPCommand) async throws -> RESPValue {
        // The common case, an open connection to share, costs no extra suspension point.
        let choice = try state.withLock { state throws in try choose(dedicated: false, &state) }
        if case .use(let connection) = choice { return try await connection.execute(command) }
        return try await obtain(dedicated: false, first: choice).execute(command)
    }

    /// The whole pipeline goes to one connection, in one write.
    public func pipeline(_ commands: [RESPCommand]) async throws -> [Result<RESPValue, RedisServerError>] {
        try await connection().pipeline(commands)
    }

    /// The least-loaded shared connection, or a new one while the pool has room and every open
    /// connection is busy. It stays shared: other callers' commands may be pipelined onto it.
    public func connection() async throws -> RedisConnection {
        try await obtain(dedicated: false)
    }

    /// Runs `body` with one shared connection of the pool (see `connection()`).
    public func withConnection<Value: Sendable>(_ body: (RedisConnection) async throws -> Value) async throws -> Value {
        try await body(try await connection())
    }

    /// Runs `body` with a connection no other caller uses until it returns: for WATCH-based
    /// transactions and anything else that keeps state on the connection between round trips.
    ///
    /// The connection goes back to the pool afterwards, so `body` must leave it as it found it
    /// (no WATCH left set, no MULTI open, database 0). If `body` throws, the pool sends
    /// DISCARD and UNWATCH before sharing the connection again, in case a transaction or a
    /// watch was left open.
    public func withDedicatedConnection<Value: Sendable>(_ body: (RedisConnection) async throws -> Value) async throws -> Value {
        let connection = try await obtain(dedicated: true)
        do {
            let value = try await body(connection)
            giveBack(connection)
            return value
        } catch {
            if !connection.isClosed {
                // Leave no transaction or watch behind for the next user.
                _ = try? await connection.pipeline([["DISCARD"], ["UNWATCH"]])
            }
            giveBack(connection)
            throw error
        }
    }

    /// Follows `first` (or a fresh choice) until it yields a connection: waiting for one being
    /// opened, opening one, or waiting for a dedicated one to come back.
    private func obtain(dedicated: Bool, first: Choice? = nil) async throws -> RedisConnection {
        var next = first
        while true {
            let choice = try next ?? state.withLock { state throws -> Choice in
                try choose(dedicated: dedicated, &state)
            }
            next = nil
            switch choice {
            case .use(let connection):
                return connection
            case .wait(let future):
                let connection = try await future.get()
                if !dedicated { return connection }
                // It opened for someone else; choose again for a dedicated one.
            case .waitForReturn(let future):
                metrics.poolWaits.increment()
                try await future.get()
            case .open(let slot, let promise, let notBefore):
                let connection = try await open(slot: slot, promise: promise, notBefore: notBefore, dedicated: dedicated)
                return connection
            }
        }
    }

    private func choose(dedicated: Bool, _ state: inout State) throws -> Choice {
        if state.closed { throw RedisClientError(.closed, "the connection pool is closed") }
        var best: (index: Int, connection: RedisConnection, load: Int)?
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
                    best = (index, connection, load)
                }
            case .empty:
                if free == nil { free = index }
            case .connecting(let future):
                connecting.append(future)
            case .dedicated:
                break
            }
        }
        if let best, best.load == 0 || free == nil {
            if dedicated { state.slots[best.index] = .dedicated(best.connection) }
            return .use(best.connection)
        }
        if let free {
            let promise = eventLoopGroup.any().makePromise(of: RedisConnection.self)
            state.slots[free] = .connecting(promise.futureResult)
            return .open(slot: free, promise, notBefore: state.nextAttempt)
        }
        if !dedicated, !connecting.isEmpty {
            state.rotation &+= 1
            return .wait(connecting[state.rotation % connecting.count])
        }
        // Every slot is dedicated (or, for a dedicated caller, dedicated or still opening).
        let promise = eventLoopGroup.any().makePromise(of: Void.self)
        state.dedicatedWaiters.append(promise)
        return .waitForReturn(promise.futureResult)
    }

    /// Opens the connection for `slot`, after the backoff delay when earlier attempts failed.
    private func open(
        slot: Int, promise: EventLoopPromise<RedisConnection>, notBefore: NIODeadline, dedicated: Bool
    ) async throws -> RedisConnection {
        do {
            let wait = notBefore - .now()
            if wait > .zero { try await Task.sleep(for: .nanoseconds(wait.nanoseconds)) }
            let connection = try await RedisConnection.connect(
                configuration: configuration, tls: try tls?.get(), eventLoopGroup: eventLoopGroup, logger: logger)
            let (poolClosed, waiter) = state.withLock { state -> (Bool, EventLoopPromise<Void>?) in
                if state.closed { return (true, nil) }
                if state.consecutiveFailures > 0 { metrics.reconnects.increment() }
                state.consecutiveFailures = 0
                state.slots[slot] = dedicated ? .dedicated(connection) : .ready(connection)
                return (false, dedicated ? nil : state.dedicatedWaiters.popFirst())
            }
            waiter?.succeed()
            if poolClosed {
                try? await connection.close()
                let error = RedisClientError(.closed, "the connection pool is closed")
                promise.fail(error)
                throw error
            }
            metrics.connectionsOpened.increment()
            promise.succeed(connection)
            return connection
        } catch {
            let waiter = state.withLock { state -> EventLoopPromise<Void>? in
                if case .connecting(let future) = state.slots[slot], future === promise.futureResult {
                    state.slots[slot] = .empty
                }
                if !(error is CancellationError) {
                    state.consecutiveFailures += 1
                    state.nextAttempt = .now() + backoff.delay(afterFailures: state.consecutiveFailures)
                }
                return state.dedicatedWaiters.popFirst()
            }
            waiter?.succeed()
            metrics.connectFailures.increment()
            promise.fail(error)
            logger.debug("connection failed", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// Ends a dedicated use: the connection is shared again (or dropped if it closed), and one
    /// caller waiting for a dedicated connection chooses again.
    private func giveBack(_ connection: RedisConnection) {
        let waiter = state.withLock { state -> EventLoopPromise<Void>? in
            for index in state.slots.indices {
                if case .dedicated(let held) = state.slots[index], held === connection {
                    state.slots[index] = connection.isClosed ? .empty : .ready(connection)
                }
            }
            return state.dedicatedWaiters.popFirst()
        }
        waiter?.succeed()
    }

    // MARK: - Health

    /// PINGs every idle shared connection now and closes those that fail to answer within the
    /// command timeout (5 seconds when none is configured). Runs on its own every
    /// `healthCheckInterval`.
    public func checkHealth() async {
        let idle = state.withLock { state in
            state.slots.compactMap { slot -> RedisConnection? in
                if case .ready(let connection) = slot, connection.inFlight == 0, !connection.isClosed { return connection }
                return nil
            }
        }
        let timeout = configuration.commandTimeout ?? .seconds(5)
        await withTaskGroup(of: Void.self) { group in
            for connection in idle {
                group.addTask { [logger, metrics] in
                    do {
                        _ = try await connection.execute(["PING"], timeout: timeout)
                    } catch let error as RedisServerError {
                        // An answer (NOAUTH, LOADING) proves the connection alive.
                        _ = error
                    } catch {
                        metrics.healthCheckFailures.increment()
                        logger.debug("health check failed, closing the connection", metadata: ["error": "\(error)"])
                        try? await connection.close()
                    }
                }
            }
        }
    }

    // MARK: - State

    /// The connections open now (shared and dedicated).
    public var openConnections: [RedisConnection] {
        state.withLock { Self.connections(in: $0.slots).filter { !$0.isClosed } }
    }

    private static func connections(in slots: [Slot]) -> [RedisConnection] {
        slots.compactMap { slot in
            switch slot {
            case .ready(let connection), .dedicated(let connection): return connection
            case .empty, .connecting: return nil
            }
        }
    }

    /// Closes every connection; later commands fail with `.closed`.
    public func close() async throws {
        let (connections, waiters, task) = state.withLock { state in
            state.closed = true
            let open = Self.connections(in: state.slots)
            state.slots = Array(repeating: .empty, count: maximumConnections)
            let waiters = Array(state.dedicatedWaiters)
            state.dedicatedWaiters.removeAll()
            return (open, waiters, state.healthCheck)
        }
        task?.cancel()
        for waiter in waiters { waiter.fail(RedisClientError(.closed, "the connection pool is closed")) }
        for connection in connections { try? await connection.close() }
    }
}
