import EmberRESP

/// A command the engine serves: its static spec, its handler and its `INFO commandstats` counters.
public final class Command: @unchecked Sendable {
    /// The Redis 7.0 spec (all of Redis's subcommands; `served` lists Ember's).
    public let spec: CommandSpec
    public let name: String
    public let handler: CommandHandler?
    @exclusivity(unchecked) public private(set) var subcommands = CommandTable()
    // Statistics are only touched under the engine lock; unchecked exclusivity spares the
    // hot path a runtime access check per counter update.
    @exclusivity(unchecked) public var calls: Int64 = 0
    /// Time spent, summed in nanoseconds so that sub-microsecond commands still add up.
    @exclusivity(unchecked) public var nanoseconds: Int64 = 0
    public var microseconds: Int64 { nanoseconds / 1000 }
    @exclusivity(unchecked) public var rejectedCalls: Int64 = 0
    @exclusivity(unchecked) public var failedCalls: Int64 = 0
    /// How its changes propagate (see `DeterministicForm`).
    let replay: DeterministicForm.Rule
    /// PING, the one command that is not a write and still meets a disk error (MISCONF).
    let isPing: Bool

    init(spec: CommandSpec, handler: CommandHandler?) {
        self.spec = spec
        self.name = spec.name
        self.handler = handler
        self.replay = DeterministicForm.Rule(name: spec.name)
        self.isPing = spec.name == "ping"
    }

    /// The spec as COMMAND reports it: with the subcommands Ember serves, by name.
    public var served: CommandSpec {
        guard !spec.subcommands.isEmpty else { return spec }
        var served = spec
        served.subcommands = subcommands.commands.map(\.served).sorted { $0.name < $1.name }
        return served
    }

    func addSubcommand(_ subcommand: Command, named name: Bytes) {
        subcommands.insert(subcommand, named: name)
    }

    func adoptSubcommands(of other: Command) {
        for sub in other.subcommands.commands {
            addSubcommand(sub, named: Bytes(String(sub.name.split(separator: "|").last ?? "")))
        }
    }

    public func resetStatistics() {
        calls = 0
        nanoseconds = 0
        rejectedCalls = 0
        failedCalls = 0
    }
}
