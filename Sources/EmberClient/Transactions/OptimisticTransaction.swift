import EmberRESP

/// WATCH-based optimistic transactions: watch keys, read them, queue writes computed from what
/// was read, EXEC; when a watched key changed in between, EXEC runs nothing and the whole
/// attempt starts again.
///
/// WATCH state lives on a connection, so these need one that no other task uses meanwhile:
/// `RedisConnectionPool` and `RedisClusterClient` take a dedicated connection for the attempt;
/// on a `RedisConnection` the caller must not share it for the duration.
extension RedisConnection {
    /// Runs `body` under WATCH of `keys` and EXECs the transaction it returns, retrying while a
    /// watched key changes (up to `maximumAttempts`, with a short jittered pause between
    /// attempts). `body` reads through the connection it is given; returning nil gives up
    /// without writing (UNWATCH) and makes the call return nil.
    ///
    /// ```swift
    /// let result = try await connection.watch(["balance"]) { connection in
    ///     let balance = try await connection.get("balance", as: Int.self) ?? 0
    ///     guard balance >= 10 else { return nil }
    ///     var transaction = RedisTransaction()
    ///     transaction.queue(["DECRBY", "balance", 10])
    ///     return transaction
    /// }
    /// ```
    ///
    /// Throws `RedisClientError` with code `.transactionConflict` when every attempt lost the race.
    public func watch(
        _ keys: [any RESPArgumentConvertible],
        maximumAttempts: Int = 16,
        _ body: (RedisConnection) async throws -> RedisTransaction?
    ) async throws -> RedisTransactionResult? {
        precondition(!keys.isEmpty, "WATCH needs at least one key")
        let backoff = RedisBackoff(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(50), jitter: 0.5)
        var watch = RESPCommand(["WATCH"])
        for key in keys { watch.append(key.respArgument) }
        for attempt in 1...max(1, maximumAttempts) {
            _ = try await execute(watch)
            let transaction: RedisTransaction?
            do {
                transaction = try await body(self)
            } catch {
                _ = try? await execute(["UNWATCH"])
                throw error
            }
            guard let transaction else {
                _ = try await execute(["UNWATCH"])
                return nil
            }
            if let result = try await multi(transaction) { return result }
            if attempt < maximumAttempts {
                try await Task.sleep(for: .nanoseconds(backoff.delay(afterFailures: attempt).nanoseconds))
            }
        }
        throw RedisClientError(.transactionConflict, "the watched keys kept changing: \(maximumAttempts) attempts lost the race")
    }
}

extension RedisConnectionPool {
    /// `RedisConnection.watch` on a connection dedicated to this call.
    public func watch(
        _ keys: [any RESPArgumentConvertible],
        maximumAttempts: Int = 16,
        _ body: (RedisConnection) async throws -> RedisTransaction?
    ) async throws -> RedisTransactionResult? {
        try await withDedicatedConnection { connection in
            try await connection.watch(keys, maximumAttempts: maximumAttempts, body)
        }
    }
}
