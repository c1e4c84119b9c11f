import EmberRESP
import EmberStore

/// The in-process transport: runs commands on an `EmberStore.Engine` directly, with no socket
/// and no encoding, for tests and single-process applications.
///
/// Each `EmbeddedClient` is one client session of the engine (as one connection is to the
/// server): it has its own selected database, protocol version, name and MULTI state, and shows
/// in `CLIENT LIST`. Several clients may share an engine; commands run one at a time under the
/// engine's lock, so each is atomic exactly as on the server, and a pipeline runs in a single
/// critical section as a pipelined batch does on a connection.
///
/// Replies are what a socket client of the server would read in the session's protocol
/// (RESP3 by default: maps, sets, doubles, nulls and pushes keep their types). Differences from
/// a connection, all following from there being no socket:
/// - Blocking commands (BLPOP, BRPOP, BLMOVE, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP) never wait:
///   the session cannot be parked, so they answer at once as if their timeout had expired
///   (a null reply), exactly as they do inside MULTI.
/// - The session starts authenticated, whatever `requirepass` says: code in the process has the
///   engine itself anyway.
/// - A command whose reply is suppressed (`CLIENT REPLY OFF`/`SKIP`) returns `.null`.
/// - Out-of-band pushes sent along with a reply are dropped.
/// - Commands the server process adds to the engine (INFO, CONFIG, SHUTDOWN, ...) are not
///   there unless the application registers them.
/// - After QUIT, or once the session is killed (`CLIENT KILL`) or closed, commands throw
///   `RedisClientError` with code `.connectionClosed`.
public final class EmbeddedClient: RedisCommandExecutor {
    public let engine: Engine
    /// The engine's state for this session (read or change it only under `engine.lock`).
    public let clientState: ClientState

    /// Opens a session on `engine`, speaking `protocolVersion`.
    public init(engine: Engine, protocolVersion: RESPVersion = .resp3, database: Int = 0, name: String? = nil) {
        self.engine = engine
        self.clientState = engine.lock.withLock {
            let client = engine.makeClient()
            client.isAuthenticated = true
            client.protocolVersion = protocolVersion
            client.db = max(0, min(database, engine.databases.count - 1))
            client.name = name.map { Bytes($0) }
            return client
        }
    }

    /// A session on a new, empty engine with the given configuration.
    public convenience init(configuration: EngineConfiguration = EngineConfiguration(), protocolVersion: RESPVersion = .resp3) {
        self.init(engine: Engine(configuration: configuration), protocolVersion: protocolVersion)
    }

    deinit {
        close()
    }

    /// Ends the session (unregisters it from the engine). Later commands throw.
    public func close() {
        engine.lock.withLock {
            if engine.clients[clientState.id] === clientState { engine.removeClient(clientState) }
        }
    }

    /// The protocol the session speaks now (HELLO and RESET change it).
    public var protocolVersion: RESPVersion {
        engine.lock.withLock { clientState.protocolVersion }
    }

    public func execute(_ command: RESPCommand) async throws -> RESPValue {
        try executeNow(command).throwingServerError()
    }

    public func pipeline(_ commands: [RESPCommand]) async throws -> [Result<RESPValue, RedisServerError>] {
        try executeNow(commands).map { value in
            Result { () throws(RedisServerError) in try value.throwingServerError() }
        }
    }

    /// Runs one command synchronously and returns its reply (an error reply as `.error`); throws
    /// `RedisClientError` once the session is closed.
    public func executeNow(_ command: RESPCommand) throws -> RESPValue {
        guard !command.arguments.isEmpty else { throw Self.emptyCommand }
        return try engine.lock.withLock { () throws -> RESPValue in
            var clock = ExecutionClock()
            return try run(command, clock: &clock)
        }
    }

    /// Runs the commands in one critical section and returns their replies in order (error
    /// replies as `.error`).
    public func executeNow(_ commands: [RESPCommand]) throws -> [RESPValue] {
        if commands.contains(where: { $0.arguments.isEmpty }) { throw Self.emptyCommand }
        return try engine.lock.withLock { () throws -> [RESPValue] in
            var clock = ExecutionClock()
            var replies: [RESPValue] = []
            replies.reserveCapacity(commands.count)
            for command in commands { replies.append(try run(command, clock: &clock)) }
            return replies
        }
    }

    /// One command; the caller holds the engine lock.
    private func run(_ command: RESPCommand, clock: inout ExecutionClock) throws(RedisClientError) -> RESPValue {
        let client = clientState
        guard engine.clients[client.id] === client, !client.closeAfterReply, !client.killRequested else {
            // A session another client killed is unregistered on its next use, as a
            // connection is once the server closes it.
            if engine.clients[client.id] === client { engine.removeClient(client) }
            throw RedisClientError(.connectionClosed, "the embedded session is closed")
        }
        let reply = engine.executeLocked(command.arguments, client: client, clock: &clock)
        let suppressed = client.suppressesReply
        client.commandCompleted()
        let version = client.protocolVersion
        if client.closeAfterReply || client.killRequested { engine.removeClient(client) }
        if suppressed { return .null }
        // Pushes that travel with a reply are out of band; the reply is the frame left over.
        let frames = reply.frames(version)
        if version == .resp3 {
            return frames.last { if case .push = $0 { return false } else { return true } } ?? .null
        }
        return frames.last ?? .null
    }

    private static let emptyCommand = RedisClientError(.unsupportedCommand, "a command needs at least its name")
}
