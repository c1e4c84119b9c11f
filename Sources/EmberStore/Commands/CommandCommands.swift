import EmberRESP

/// COMMAND and its subcommands, answered from the served commands' specs.
extension Engine {
    func registerCommandCommands() {
        register("command") { context in
            .array(context.engine.allCommands.map { $0.served.infoReply })
        }
        register("command|count") { .integer(Int64($0.engine.commands.count)) }
        register("command|info") { context in
            let engine = context.engine
            if context.args.count == 2 { return .array(engine.allCommands.map { $0.served.infoReply }) }
            return .array(context.args.dropFirst(2).map { engine.servedSpec(named: $0)?.infoReply ?? .null })
        }
        register("command|docs") { context in
            let engine = context.engine
            if context.args.count == 2 {
                return .map(engine.allCommands.map { (.bulk($0.name), $0.served.docsReply) })
            }
            return .map(context.args.dropFirst(2).compactMap { name in
                engine.servedSpec(named: name).map { (.bulk($0.name), $0.docsReply) }
            })
        }
        register("command|list", Engine.commandList)
        register("command|getkeys") { context in
            let inspected = Array(context.args.dropFirst(2))
            guard context.engine.command(for: inspected) != nil else { return .error("ERR Invalid command specified") }
            return CommandSpec.getKeysReply(inspected)
        }
        register("command|getkeysandflags") { context in
            let inspected = Array(context.args.dropFirst(2))
            guard context.engine.command(for: inspected) != nil else { return .error("ERR Invalid command specified") }
            return CommandSpec.getKeysReply(inspected, withFlags: true)
        }
        register("command|help") { _ in
            Engine.help("COMMAND", [
                "(no subcommand)",
                "    Return details about all Redis commands.",
                "COUNT",
                "    Return the total number of commands in this Redis server.",
                "LIST",
                "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]",
                "    Return details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "DOCS [<command-name> ...]",
                "    Return documentation details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "GETKEYS <full-command>",
                "    Return the keys from a full Redis command.",
                "GETKEYSANDFLAGS <full-command>",
                "    Return the keys and the access flags from a full Redis command.",
            ])
        }
    }

    /// The spec of a served command named `name` (`get`, `config|get`), case-insensitively.
    func servedSpec(named name: Bytes) -> CommandSpec? {
        let parts = name.array.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        guard parts.count <= 2, let command = commands[Bytes(parts[0])] else { return nil }
        if parts.count == 1 { return command.served }
        return command.subcommands[Bytes(parts[1])]?.served
    }

    static func commandList(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        var names: [String] = []
        for command in engine.allCommands {
            names.append(command.name)
            names += command.subcommands.commands.map(\.name).sorted()
        }
        if args.count == 2 { return .array(names.map { .bulk(Bytes($0)) }) }
        guard args.count == 5, args[2].equalsLowercased("filterby") else { return Errors.syntax }
        let filter = args[3], value = args[4]
        if filter.equalsLowercased("module") { return .array([]) }
        if filter.equalsLowercased("pattern") {
            return .array(names.filter { globMatch(value, Bytes($0), noCase: true) }.map { .bulk(Bytes($0)) })
        }
        if filter.equalsLowercased("aclcat") {
            let wanted = value.string.lowercased()
            guard let category = ACLCategories.names.first(where: { $0.1 == wanted })?.0 else { return .array([]) }
            return .array(names.filter { engine.servedSpec(named: Bytes($0))?.aclCategories.contains(category) == true }.map { .bulk(Bytes($0)) })
        }
        return Errors.syntax
    }
}
