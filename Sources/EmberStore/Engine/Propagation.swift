import EmberRESP

/// A change as it leaves the engine: the database it applies to and the command that replays
/// it deterministically (relative expiries made absolute, random choices made explicit).
public struct PropagatedCommand: Sendable {
    public var db: Int
    public var args: [Bytes]
    public init(db: Int, args: [Bytes]) {
        self.db = db
        self.args = args
    }
}

/// What consumes propagated changes: the AOF now, replicas later. Called under the engine
/// lock, in the order the changes were made; a consumer buffers and does its I/O elsewhere.
public protocol PropagationConsumer: AnyObject {
    func propagate(_ command: PropagatedCommand)
}

/// The one propagation point: every change made by a command, an expiry or an eviction
/// passes through here.
///
/// Commands leave in the form Redis 7.0 propagates them (see `DeterministicForm`): one command
/// may become several (SPOP with a count: one SREM per member), and then, as Redis, they are
/// wrapped in MULTI/EXEC; so are the changes of an EXEC when there is more than one.
public final class Propagation: @unchecked Sendable {
    @exclusivity(unchecked) private var consumers: [any PropagationConsumer] = []
    /// The changes of the EXEC that runs, propagated when it ends.
    @exclusivity(unchecked) private var transactionOps: [PropagatedCommand] = []

    /// Whether anything listens; when nothing does, commands skip building their replay form.
    @inlinable public var isActive: Bool { !consumersAreEmpty }
    @usableFromInline var consumersAreEmpty: Bool { consumers.isEmpty }

    public func add(_ consumer: any PropagationConsumer) {
        guard !consumers.contains(where: { $0 === consumer }) else { return }
        consumers.append(consumer)
    }

    public func remove(_ consumer: any PropagationConsumer) { consumers.removeAll { $0 === consumer } }

    /// A command changed data: propagate it in its deterministic form. `reply` is the command's
    /// reply: SPOP, the blocking pops run at once and LMPOP/ZMPOP need it to name what they
    /// took (without it those fall back to the resulting value of the key, still exact).
    func commandChangedData(_ command: Command, _ context: CommandContext, reply: Reply? = nil) {
        guard !consumers.isEmpty else {
            transactionOps.removeAll()
            return
        }
        if case .exec = command.replay {
            let ops = transactionOps
            transactionOps.removeAll()
            emitAtomically(ops)
            return
        }
        guard command.spec.flags.contains(.write) else { return }
        if case .error? = reply { return }
        // Most changes replay as given: no rewrite, no array of one.
        if command.replay.replaysAsGiven(context.args) {
            let op = PropagatedCommand(db: context.db, args: context.args)
            if context.client.executingTransaction {
                transactionOps.append(op)
            } else {
                emit(op)
            }
            return
        }
        let ops = DeterministicForm.rewrite(command.name, context, reply: reply).map {
            PropagatedCommand(db: context.db, args: $0)
        }
        if context.client.executingTransaction {
            transactionOps += ops
        } else {
            emitAtomically(ops)
        }
    }

    /// A key expired or was evicted: replicas and the AOF see a DEL (UNLINK when it was freed
    /// lazily) at once (Redis 7.0 propagates an expiry met inside a command before that
    /// command, outside any MULTI).
    public func keyRemoved(db: Int, key: Bytes, lazily: Bool = false) {
        guard !consumers.isEmpty else { return }
        emit(PropagatedCommand(db: db, args: [lazily ? Self.unlink : Self.del, key]))
    }

    static let del = Bytes("DEL")
    static let unlink = Bytes("UNLINK")

    /// A blocked client was served outside `call` (Blocking's `serve`): the change leaves as the
    /// non-blocking command, as Redis propagates BLPOP as LPOP and BLMOVE as LMOVE.
    public func blockedClientServed(db: Int, key: Bytes, operation: BlockedOperation, reply: Reply) {
        guard !consumers.isEmpty else { return }
        var args: [Bytes]
        switch operation {
        case .listPop(let end, let count):
            args = [Bytes(end == .head ? "LPOP" : "RPOP"), key]
            if count != nil {
                guard let popped = DeterministicForm.poppedCount(reply) else { return }
                args.append(Bytes(decimal: Int64(popped)))
            }
        case .listMove(let from, let to, let destination):
            args = [Bytes("LMOVE"), key, destination, Bytes(from == .head ? "LEFT" : "RIGHT"), Bytes(to == .head ? "LEFT" : "RIGHT")]
        case .sortedSetPop(let max, let count):
            args = [Bytes(max ? "ZPOPMAX" : "ZPOPMIN"), key]
            if count != nil {
                guard let popped = DeterministicForm.poppedCount(reply) else { return }
                args.append(Bytes(decimal: Int64(popped)))
            }
        }
        if case .nullArray = reply { return }
        emit(PropagatedCommand(db: db, args: args))
    }

    /// Several changes that must replay together: wrapped in MULTI/EXEC when more than one.
    private func emitAtomically(_ ops: [PropagatedCommand]) {
        guard let first = ops.first else { return }
        if ops.count == 1 {
            emit(first)
            return
        }
        emit(PropagatedCommand(db: first.db, args: [Bytes("MULTI")]))
        for op in ops { emit(op) }
        emit(PropagatedCommand(db: ops[ops.count - 1].db, args: [Bytes("EXEC")]))
    }

    public func emit(_ command: PropagatedCommand) {
        for consumer in consumers { consumer.propagate(command) }
    }
}
