import EmberRESP

/// MULTI, EXEC, DISCARD, WATCH and UNWATCH. Between MULTI and EXEC the engine queues commands
/// (answering QUEUED); EXEC runs the queue as one command, so no other client's command runs in
/// between and blocked clients are served only after it. EXEC fails (a null array) when a
/// watched key changed or expired since WATCH.
extension Engine {
    func registerTransactionCommands() {
        register("multi") { context in
            guard context.client.transaction == nil else { return .error("ERR MULTI calls can not be nested") }
            context.client.transaction = []
            context.client.transactionFailed = false
            return .ok
        }
        register("discard") { context in
            guard context.client.transaction != nil else { return .error("ERR DISCARD without MULTI") }
            context.client.endTransaction()
            context.engine.watchedKeys.unwatchAll(context.client)
            return .ok
        }
        register("exec", Engine.exec)
        register("watch", Engine.watch)
        register("unwatch") { context in
            context.engine.watchedKeys.unwatchAll(context.client)
            return .ok
        }
    }

    static func watch(_ context: CommandContext) -> Reply {
        let client = context.client
        guard client.transaction == nil else { return .error("ERR WATCH inside MULTI is not allowed") }
        let engine = context.engine
        for key in context.args.dropFirst() {
            // Not a lookup: an expired key stays, remembered as expired (its deletion is no change).
            let expired = engine.databases[context.db].isLogicallyExpired(key, now: context.now)
            engine.watchedKeys.watch(key, db: context.db, client: client, expired: expired)
        }
        return .ok
    }

    /// Commands that act on the transaction itself instead of being queued.
    static func runsInsideTransaction(_ command: Command) -> Bool {
        switch command.name {
        case "exec", "discard", "multi", "watch", "quit", "reset": return true
        default: return false
        }
    }

    static func exec(_ context: CommandContext) -> Reply {
        let client = context.client
        guard let queued = client.transaction else { return .error("ERR EXEC without MULTI") }
        let failed = client.transactionFailed
        client.endTransaction()
        let engine = context.engine
        let watchFailed = client.watchTouched || engine.watchedKeys.anyExpired(of: client) { db, key in
            engine.databases[db].isLogicallyExpired(key, now: context.now)
        }
        engine.watchedKeys.unwatchAll(client)
        if failed { return .error("EXECABORT Transaction discarded because of previous errors.") }
        if watchFailed { return .nullArray }
        var clock = ExecutionClock()
        client.executingTransaction = true
        defer { client.executingTransaction = false }
        var replies: [Reply] = []
        replies.reserveCapacity(queued.count)
        for args in queued {
            replies.append(engine.executeQueued(args, client: client, clock: &clock))
        }
        return .array(replies)
    }
}

extension ClientState {
    func endTransaction() {
        transaction = nil
        transactionFailed = false
    }
}

extension Engine {
    /// SWAPDB: each database's watched keys see the other's data take the place of theirs.
    func touchWatchedKeysBeforeSwapping(_ first: Int, _ second: Int, now: Int64) {
        guard watchedKeys.count > 0, first != second else { return }
        for (emptied, replacement) in [(first, second), (second, first)] {
            let incoming = KeyPresence(exists: { self.databases[replacement].keys.find($0) != nil },
                                       isExpired: { self.databases[replacement].isLogicallyExpired($0, now: now) })
            watchedKeys.touchAll(db: emptied, existsInEmptied: { self.databases[emptied].keys.find($0) != nil },
                                 replacement: incoming)
        }
    }
}
