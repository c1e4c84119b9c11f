import EmberRESP

/// MULTI, EXEC and DISCARD. Between MULTI and EXEC the engine queues commands (answering
/// QUEUED); EXEC runs the queue as one command, so no other client's command runs in between
/// and blocked clients are served only after it.
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
            return .ok
        }
        register("exec", Engine.exec)
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
        if failed { return .error("EXECABORT Transaction discarded because of previous errors.") }
        let engine = context.engine
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
