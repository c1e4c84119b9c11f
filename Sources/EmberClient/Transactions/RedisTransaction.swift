import EmberRESP

/// Commands to run as one MULTI/EXEC transaction, each queued with the type its reply
/// decodes to.
///
/// ```swift
/// var transaction = RedisTransaction()
/// let visits = transaction.queue(["INCR", "visits"], as: Int.self)
/// let name = transaction.queue(["GET", "name"], as: String?.self)
/// transaction.queue(["EXPIRE", "visits", 60])
/// let result = try await client.multi(transaction)
/// print(try result[visits], try result[name] ?? "nobody")
/// ```
public struct RedisTransaction: Sendable {
    /// The queued commands, in order.
    public private(set) var commands: [RESPCommand] = []

    public init() {}

    /// Queues `command`; its reply is read from the result as `Value`.
    @discardableResult
    public mutating func queue<Value: RESPValueDecodable>(_ command: RESPCommand, as type: Value.Type) -> QueuedReply<Value> {
        commands.append(command)
        return QueuedReply(index: commands.count - 1)
    }

    /// Queues `command`; its reply is read from the result as a `RESPValue`.
    @discardableResult
    public mutating func queue(_ command: RESPCommand) -> QueuedReply<RESPValue> {
        queue(command, as: RESPValue.self)
    }

    /// MULTI, the commands, EXEC: what is sent, in one write.
    var pipeline: [RESPCommand] {
        var pipeline: [RESPCommand] = [["MULTI"]]
        pipeline.reserveCapacity(commands.count + 2)
        pipeline.append(contentsOf: commands)
        pipeline.append(["EXEC"])
        return pipeline
    }

    /// Reads EXEC's outcome from the pipeline's replies: nil when a watched key changed (EXEC
    /// answered null), the EXECABORT error when a command was refused while queuing.
    func result(from replies: [Result<RESPValue, RedisServerError>]) throws -> RedisTransactionResult? {
        guard replies.count == commands.count + 2 else {
            throw RedisClientError(.unexpectedReply, "a transaction of \(commands.count) commands got \(replies.count) replies")
        }
        _ = try replies[0].get()  // MULTI (fails inside another MULTI, for instance)
        switch replies[replies.count - 1] {
        case .failure(let error):
            throw error
        case .success(.null):
            return nil
        case .success(let value):
            guard let elements = value.elements, elements.count == commands.count else {
                throw RedisClientError.unexpectedReply(value, expected: "EXEC's array of \(commands.count) replies")
            }
            return RedisTransactionResult(replies: elements)
        }
    }
}

/// A queued command's place in a transaction, typed by how its reply decodes.
public struct QueuedReply<Value: RESPValueDecodable>: Sendable, Hashable {
    public let index: Int
}

/// EXEC's replies. A command that failed while running (WRONGTYPE, say) has its error in its
/// place; reading that place throws it, while the other commands' replies stay readable.
public struct RedisTransactionResult: Sendable {
    /// The raw replies, one per queued command.
    public let replies: [RESPValue]

    public init(replies: [RESPValue]) {
        self.replies = replies
    }

    /// The reply of a queued command, decoded; throws its error reply or a decoding error.
    public subscript<Value: RESPValueDecodable>(_ queued: QueuedReply<Value>) -> Value {
        get throws {
            guard replies.indices.contains(queued.index) else {
                throw RedisClientError(.unexpectedReply, "no reply \(queued.index) in a transaction of \(replies.count)")
            }
            return try replies[queued.index].throwingServerError().decode(as: Value.self)
        }
    }
}

extension RedisCommandExecutor {
    /// Runs the transaction: MULTI, its commands and EXEC in one pipeline (one write, or one
    /// critical section in-process), so no other command on a shared connection can come
    /// between them.
    ///
    /// Returns nil when EXEC is refused because a key WATCHed on this connection changed (see
    /// `watch(_:...)`). Throws the server's EXECABORT error when a command was refused while
    /// queuing (a wrong arity, an unknown command): then nothing ran.
    public func multi(_ transaction: RedisTransaction) async throws -> RedisTransactionResult? {
        try transaction.result(from: try await pipeline(transaction.pipeline))
    }

    /// Builds and runs a transaction: `try await client.multi { $0.queue(["INCR", "a"]) }`.
    public func multi(_ build: (inout RedisTransaction) throws -> Void) async throws -> RedisTransactionResult? {
        var transaction = RedisTransaction()
        try build(&transaction)
        return try await multi(transaction)
    }
}
