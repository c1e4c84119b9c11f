import EmberRESP

/// Something that runs Redis commands: the protocol applications and EmberKit program against.
///
/// Three transports implement it, and switching between them is a change of one line:
///
/// ```swift
/// let client: any RedisCommandExecutor = EmbeddedClient(engine: Engine())           // in-process
/// let client: any RedisCommandExecutor = try await RedisConnection.connect(url: url) // one socket
/// let client: any RedisCommandExecutor = try RedisConnectionPool(url: url)           // N sockets
/// ```
///
/// The typed commands (`get`, `set`, `hgetall`, `zadd`, ...) are extensions of this protocol,
/// so they work on every transport.
///
/// Error replies: `execute` throws `RedisServerError` for a top-level error reply (errors nested
/// in an array, as in an EXEC result, stay `.error` values). Transport failures throw
/// `RedisClientError`.
public protocol RedisCommandExecutor: Sendable {
    /// Sends one command and returns its reply.
    func execute(_ command: RESPCommand) async throws -> RESPValue

    /// Sends several commands together (one write on a socket, one critical section in-process)
    /// and returns their replies in order. An error reply fails only its own command; a
    /// transport failure throws for the whole pipeline.
    func pipeline(_ commands: [RESPCommand]) async throws -> [Result<RESPValue, RedisServerError>]
}

extension RedisCommandExecutor {
    /// Runs the commands one after another: for transports without a batched path.
    public func pipeline(_ commands: [RESPCommand]) async throws -> [Result<RESPValue, RedisServerError>] {
        var results: [Result<RESPValue, RedisServerError>] = []
        results.reserveCapacity(commands.count)
        for command in commands {
            do {
                results.append(.success(try await execute(command)))
            } catch let error as RedisServerError {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Sends any command: `try await client.send("OBJECT", "ENCODING", key)`.
    @discardableResult
    public func send(_ name: some RESPArgumentConvertible, _ arguments: any RESPArgumentConvertible...) async throws -> RESPValue {
        var command = RESPCommand([name.respArgument])
        for argument in arguments { command.arguments.append(argument.respArgument) }
        return try await execute(command)
    }

    /// Sends any command given as one array: `try await client.send(["CONFIG", "GET", "maxmemory"])`.
    @discardableResult
    public func send(_ arguments: [any RESPArgumentConvertible]) async throws -> RESPValue {
        try await execute(RESPCommand(arguments))
    }

    /// Sends any command and decodes its reply: `try await client.send(["DBSIZE"], as: Int.self)`.
    public func send<Value: RESPValueDecodable>(_ arguments: [any RESPArgumentConvertible], as type: Value.Type) async throws -> Value {
        try await execute(RESPCommand(arguments)).decode(as: Value.self)
    }

    /// Runs `command` and decodes its reply as `Value`.
    @inlinable
    public func execute<Value: RESPValueDecodable>(_ command: RESPCommand, as type: Value.Type) async throws -> Value {
        try await execute(command).decode(as: Value.self)
    }
}
