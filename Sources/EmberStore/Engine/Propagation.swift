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
public final class Propagation: @unchecked Sendable {
    @exclusivity(unchecked) private var consumers: [any PropagationConsumer] = []

    /// Whether anything listens; when nothing does, commands skip building their replay form.
    @inlinable public var isActive: Bool { !consumersAreEmpty }
    @usableFromInline var consumersAreEmpty: Bool { consumers.isEmpty }

    public func add(_ consumer: any PropagationConsumer) { consumers.append(consumer) }

    public func remove(_ consumer: any PropagationConsumer) { consumers.removeAll { $0 === consumer } }

    /// A command changed data: propagate it in its deterministic form.
    func commandChangedData(_ command: Command, _ context: CommandContext) {
        guard !consumers.isEmpty, command.spec.flags.contains(.write) else { return }
        emit(PropagatedCommand(db: context.db, args: context.args))
    }

    /// A key expired or was evicted: replicas and the AOF see a DEL.
    func keyRemoved(db: Int, key: Bytes) {
        guard !consumers.isEmpty else { return }
        emit(PropagatedCommand(db: db, args: [Bytes("DEL"), key]))
    }

    public func emit(_ command: PropagatedCommand) {
        for consumer in consumers { consumer.propagate(command) }
    }
}
