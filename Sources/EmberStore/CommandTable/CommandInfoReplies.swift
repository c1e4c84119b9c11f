import EmberRESP

// `COMMAND INFO`, `COMMAND DOCS` and `COMMAND GETKEYS` built from the generated Redis 7.0 specs,
// in the exact shapes redis-server 7.0 replies with (RESP2 and RESP3 types included).
//
// Known deliberate differences from Redis 7.0.15: key spec `notes`, and the prose fields of
// `COMMAND DOCS` (summary, complexity, history, doc_flags, deprecated_since, replaced_by) are not
// reported; subcommands are listed sorted by name (Redis uses its hash table order).

// MARK: - Lookup

extension CommandSpec {
    /// Top-level commands and subcommands by lowercase full name (`get`, `config|get`).
    private static let specsByFullName: [String: CommandSpec] = {
        var index: [String: CommandSpec] = [:]
        for spec in CommandSpec.all {
            index[spec.name] = spec
            for sub in spec.subcommands { index[sub.name] = sub }
        }
        return index
    }()

    /// The command named `name` (`get`, `CONFIG|GET`), case-insensitively, as Redis's
    /// `lookupCommandBySds`: a container's own name gives the container, `a|b|c` gives nil.
    public static func lookup(_ name: String) -> CommandSpec? {
        let parts = name.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let base = String(parts[0]).lowercased()
        guard let container = specsByFullName[base] else { return nil }
        if parts.count == 1 { return container }
        guard !container.subcommands.isEmpty else { return nil }
        return specsByFullName[base + "|" + String(parts[1]).lowercased()]
    }

    /// The command an argument vector invokes (`args[0]`, and `args[1]` for a container with
    /// subcommands), as Redis's `lookupCommand`; nil for an unknown command or subcommand.
    public static func lookup(arguments args: [Bytes]) -> CommandSpec? {
        guard let first = args.first else { return nil }
        let name = first.asciiLowercased().string
        guard !name.contains("|"), let spec = specsByFullName[name] else { return nil }
        if args.count == 1 || spec.subcommands.isEmpty { return spec }
        let sub = args[1].asciiLowercased().string
        guard !sub.contains("|") else { return nil }
        return specsByFullName[name + "|" + sub]
    }
}

// MARK: - COMMAND INFO

extension CommandSpec {
    /// This command's `COMMAND INFO` entry: name, arity, flags, first key, last key, key step,
    /// ACL categories, tips, key specs, subcommands.
    public var infoReply: Reply {
        var flagReplies: [Reply] = []
        for (flag, name) in CommandFlags.names where flags.contains(flag) {
            // Redis keeps may_replicate internal (flagged "hidden on purpose").
            if flag == .mayReplicate { continue }
            flagReplies.append(.simple(name))
        }
        var categoryReplies: [Reply] = []
        for (category, name) in ACLCategories.names where aclCategories.contains(category) {
            categoryReplies.append(.simple("@" + name))
        }
        let subcommandReplies: Reply =
            subcommands.isEmpty ? .set([]) : .array(subcommands.map { $0.infoReply })
        return .array([
            .bulk(name),
            .integer(Int64(arity)),
            .set(flagReplies),
            .integer(Int64(firstKey)),
            .integer(Int64(lastKey)),
            .integer(Int64(keyStep)),
            .set(categoryReplies),
            .set(tips.map { Reply.bulk($0) }),
            .set(keySpecs.map { $0.infoReply }),
            subcommandReplies,
        ])
    }

    /// `COMMAND INFO name...`: one entry per name, a null for an unknown one.
    public static func infoReply(names: [Bytes]) -> Reply {
        .array(names.map { name in lookup(name.string)?.infoReply ?? .null })
    }

    /// `COMMAND INFO` / `COMMAND` without names: every top-level command.
    public static func infoReply(all specs: [CommandSpec] = CommandSpec.all) -> Reply {
        .array(specs.map { $0.infoReply })
    }
}

extension KeySpec {
    /// The key spec map of `COMMAND INFO`: flags, begin_search, find_keys.
    public var infoReply: Reply {
        let begin: Reply
        switch beginSearch {
        case .index(let position):
            begin = Self.typedSpec("index", [("index", .integer(Int64(position)))])
        case .keyword(let keyword, let startFrom):
            begin = Self.typedSpec("keyword", [
                ("keyword", .bulk(keyword)), ("startfrom", .integer(Int64(startFrom))),
            ])
        case .unknown:
            begin = Self.typedSpec("unknown", [])
        }
        let find: Reply
        switch findKeys {
        case .range(let lastKey, let step, let limit):
            find = Self.typedSpec("range", [
                ("lastkey", .integer(Int64(lastKey))), ("keystep", .integer(Int64(step))),
                ("limit", .integer(Int64(limit))),
            ])
        case .keynum(let keyNumIndex, let firstKey, let step):
            find = Self.typedSpec("keynum", [
                ("keynumidx", .integer(Int64(keyNumIndex))), ("firstkey", .integer(Int64(firstKey))),
                ("keystep", .integer(Int64(step))),
            ])
        case .unknown:
            find = Self.typedSpec("unknown", [])
        }
        return .map([
            (.bulk("flags"), .set(flags.map { Reply.simple($0) })),
            (.bulk("begin_search"), begin),
            (.bulk("find_keys"), find),
        ])
    }

    private static func typedSpec(_ type: String, _ fields: [(String, Reply)]) -> Reply {
        .map([
            (.bulk("type"), .bulk(type)),
            (.bulk("spec"), .map(fields.map { (Reply.bulk($0.0), $0.1) })),
        ])
    }
}

// MARK: - COMMAND DOCS

extension CommandSpec {
    /// This command's `COMMAND DOCS` map (the value under its name): since, group, arguments,
    /// subcommands. Prose (summary, complexity, history) is not carried.
    public var docsReply: Reply {
        var fields: [(Reply, Reply)] = [
            (.bulk("since"), .bulk(since)),
            (.bulk("group"), .bulk(group)),
        ]
        if !arguments.isEmpty {
            fields.append((.bulk("arguments"), .array(arguments.map { $0.docsReply })))
        }
        if !subcommands.isEmpty {
            fields.append((.bulk("subcommands"), .map(subcommands.map { (Reply.bulk($0.name), $0.docsReply) })))
        }
        return .map(fields)
    }

    /// `COMMAND DOCS name...`: a map of the names found (unknown names are skipped).
    public static func docsReply(names: [Bytes]) -> Reply {
        var pairs: [(Reply, Reply)] = []
        for name in names {
            guard let spec = lookup(name.string) else { continue }
            pairs.append((.bulk(spec.name), spec.docsReply))
        }
        return .map(pairs)
    }

    /// `COMMAND DOCS` without names: every top-level command.
    public static func docsReply(all specs: [CommandSpec] = CommandSpec.all) -> Reply {
        .map(specs.map { (Reply.bulk($0.name), $0.docsReply) })
    }
}

extension ArgumentSpec {
    /// One argument map of `COMMAND DOCS`, fields in Redis's order.
    public var docsReply: Reply {
        var fields: [(Reply, Reply)] = [
            (.bulk("name"), .bulk(name)),
            (.bulk("type"), .bulk(type)),
        ]
        if let keySpecIndex { fields.append((.bulk("key_spec_index"), .integer(Int64(keySpecIndex)))) }
        if let token { fields.append((.bulk("token"), .bulk(token))) }
        if let since { fields.append((.bulk("since"), .bulk(since))) }
        if optional || multiple || multipleToken {
            var flagReplies: [Reply] = []
            if optional { flagReplies.append(.simple("optional")) }
            if multiple { flagReplies.append(.simple("multiple")) }
            if multipleToken { flagReplies.append(.simple("multiple_token")) }
            fields.append((.bulk("flags"), .set(flagReplies)))
        }
        if type == "oneof" || type == "block" {
            fields.append((.bulk("arguments"), .array(arguments.map { $0.docsReply })))
        }
        return .map(fields)
    }
}

// MARK: - COMMAND GETKEYS

/// A key found in a command's arguments: its position (0 is the command name) and the key spec
/// flags that apply to it, in Redis's reply form (`RW`, `access`, ...).
public struct KeyReference: Sendable, Equatable {
    public let position: Int
    public let flags: [String]

    public init(position: Int, flags: [String]) {
        self.position = position
        self.flags = flags
    }
}

/// The outcome of `COMMAND GETKEYS`: the keys, or the error Redis replies with.
public enum GetKeysResult: Sendable {
    case keys([KeyReference])
    case error(Reply)
}

extension CommandSpec {
    /// Whether any key spec describes real keys (Redis's `doesCommandHaveKeys`).
    public var hasKeys: Bool {
        keySpecs.contains { !$0.flags.contains("not_key") }
    }

    /// Keys of `args` (`args[0]` is the command name, `args[1]` the subcommand if any), following
    /// Redis's `getKeysFromCommandWithSpecs`: key specs first, then, where specs cannot tell (or
    /// their flags vary), the command's own key procedure (SORT, SORT_RO, MIGRATE, SET, BITFIELD,
    /// GEORADIUS, GEORADIUSBYMEMBER and the numkeys commands).
    /// Returns nil when the arguments do not let the keys be found (an invalid command line).
    /// Arity is not checked here. An empty array is a valid answer.
    public func keys(in args: [Bytes]) -> [KeyReference]? {
        let variableFlags = keySpecs.contains { $0.flags.contains("variable_flags") }
        if hasKeys && !variableFlags, let found = keysUsingSpecs(args) {
            return found
        }
        if let found = specialKeys(args) { return found }
        return nil
    }

    /// Key positions only; nil for an invalid command line (see `keys(in:)`).
    public func keyPositions(in args: [Bytes]) -> [Int]? {
        keys(in: args)?.map(\.position)
    }

    /// `COMMAND GETKEYS` for `args`, the inspected command line (`args[0]` is its name): the
    /// command lookup, key check, arity check and key extraction, with Redis's error replies.
    public static func getKeys(_ args: [Bytes]) -> GetKeysResult {
        guard let spec = lookup(arguments: args) else {
            return .error(.error("ERR Invalid command specified"))
        }
        guard spec.hasKeys else {
            return .error(.error("ERR The command has no key arguments"))
        }
        if (spec.arity > 0 && spec.arity != args.count) || args.count < -spec.arity {
            return .error(.error("ERR Invalid number of arguments specified for command"))
        }
        if let found = spec.keys(in: args), !found.isEmpty {
            return .keys(found)
        }
        if spec.flags.contains(.noMandatoryKeys) { return .keys([]) }
        return .error(.error("ERR Invalid arguments specified for command"))
    }

    /// The full `COMMAND GETKEYS` reply (keys as bulk strings), or with `withFlags` the
    /// `COMMAND GETKEYSANDFLAGS` reply (pairs of key and flag set).
    public static func getKeysReply(_ args: [Bytes], withFlags: Bool = false) -> Reply {
        switch getKeys(args) {
        case .error(let reply):
            return reply
        case .keys(let found):
            return .array(found.map { key in
                let name = Reply.bulk(args[key.position])
                guard withFlags else { return name }
                return .array([name, .set(key.flags.map { Reply.simple($0) })])
            })
        }
    }

    /// Redis's `getKeysUsingKeySpecs` (without partial results and NOT_KEY specs skipped):
    /// nil when a spec cannot be applied (unknown, incomplete, out of range).
    private func keysUsingSpecs(_ args: [Bytes]) -> [KeyReference]? {
        let argc = args.count
        var found: [KeyReference] = []
        for spec in keySpecs {
            if spec.flags.contains("not_key") { continue }
            var first = 0
            switch spec.beginSearch {
            case .index(let position):
                first = position
            case .keyword(let keyword, let startFrom):
                let start = startFrom > 0 ? startFrom : argc + startFrom
                let end = startFrom > 0 ? argc - 1 : 1
                var index = start
                while index != end {
                    if index >= argc || index < 1 { break }
                    if Self.equalsIgnoringCase(args[index], keyword) {
                        first = index + 1
                        break
                    }
                    index = start <= end ? index + 1 : index - 1
                }
                // The keyword is not there: this spec has no keys.
                if first == 0 { continue }
            case .unknown:
                return nil
            }

            let last: Int
            let step: Int
            switch spec.findKeys {
            case .range(let lastKey, let keyStep, let limit):
                step = keyStep
                if lastKey >= 0 {
                    last = first + lastKey
                } else if limit == 0 {
                    last = argc + lastKey
                } else {
                    last = first + ((argc - first) / limit + lastKey)
                }
            case .keynum(let keyNumIndex, let firstKey, let keyStep):
                step = keyStep
                let numIndex = first + keyNumIndex
                guard numIndex >= 0, numIndex < argc,
                      let count = args[numIndex].int64Value, count >= 0, count <= Int64(Int32.max)
                else { return nil }
                first += firstKey
                last = first + Int(count) - 1
            case .unknown:
                return nil
            }

            if last >= argc || last < first || first >= argc { return nil }
            var index = first
            while index <= last {
                found.append(KeyReference(position: index, flags: spec.flags))
                index += max(step, 1)
            }
            if spec.flags.contains("incomplete") { return nil }
        }
        return found
    }

    /// Redis's per-command key procedures (`getkeys_proc`), used when the key specs cannot
    /// answer or have variable flags. Nil for a command without one, or when it finds no keys.
    private func specialKeys(_ args: [Bytes]) -> [KeyReference]? {
        let argc = args.count
        switch name {
        case "sort":
            guard argc > 1 else { return nil }
            var keys = [KeyReference(position: 1, flags: ["RO", "access"])]
            var store: Int?
            var index = 2
            while index < argc {
                let arg = args[index]
                if arg.equalsLowercased("limit") {
                    index += 2
                } else if arg.equalsLowercased("get") || arg.equalsLowercased("by") {
                    index += 1
                } else if arg.equalsLowercased("store") && index + 1 < argc {
                    store = index + 1
                }
                index += 1
            }
            if let store { keys.append(KeyReference(position: store, flags: ["OW", "update"])) }
            return keys
        case "sort_ro":
            guard argc > 1 else { return nil }
            return [KeyReference(position: 1, flags: ["RO", "access"])]
        case "migrate":
            var first = 3
            var count = 1
            if argc > 6 {
                var index = 6
                while index < argc {
                    let arg = args[index]
                    if arg.equalsLowercased("keys") {
                        // KEYS needs the single-key argument to be empty: otherwise no keys.
                        if !args[3].isEmpty { return nil }
                        first = index + 1
                        count = argc - first
                        break
                    }
                    if arg.equalsLowercased("auth") {
                        index += 1
                    } else if arg.equalsLowercased("auth2") {
                        index += 2
                    }
                    index += 1
                }
            }
            guard first + count <= argc else { return nil }
            return (0..<count).map { KeyReference(position: first + $0, flags: ["RW", "access", "delete"]) }
        case "set":
            guard argc > 1 else { return nil }
            let get = argc > 3 && args[3...].contains { $0.equalsLowercased("get") }
            return [KeyReference(position: 1, flags: get ? ["RW", "access", "update"] : ["OW", "update"])]
        case "bitfield":
            guard argc > 1 else { return nil }
            var readOnly = true
            var index = 2
            while index < argc {
                let remaining = argc - index - 1
                let arg = args[index]
                if arg.equalsLowercased("get") && remaining >= 2 {
                    index += 2
                } else if (arg.equalsLowercased("set") || arg.equalsLowercased("incrby")) && remaining >= 3 {
                    readOnly = false
                    break
                } else if arg.equalsLowercased("overflow") && remaining >= 1 {
                    index += 1
                } else {
                    readOnly = false
                    break
                }
                index += 1
            }
            return [KeyReference(position: 1, flags: readOnly ? ["RO", "access"] : ["RW", "access", "update"])]
        case "georadius", "georadiusbymember":
            guard argc > 1 else { return nil }
            var stored: Int?
            var index = 5
            while index < argc {
                let arg = args[index]
                if (arg.equalsLowercased("store") || arg.equalsLowercased("storedist")) && index + 1 < argc {
                    stored = index + 1
                    index += 1
                }
                index += 1
            }
            var keys = [KeyReference(position: 1, flags: [])]
            if let stored { keys.append(KeyReference(position: stored, flags: [])) }
            return keys
        default:
            guard let offsets = Self.genericKeyOffsets[name] else { return nil }
            return Self.genericKeys(args, store: offsets.store, count: offsets.count, first: offsets.first)
        }
    }

    /// Redis's `genericGetKeys` parameters (store key, key count and first key positions) for the
    /// commands whose key procedure is built on it. It reads the count with `atoi`, so it accepts
    /// counts the key specs reject (`2abc`), lists the keys without flags and the store key last.
    private static let genericKeyOffsets: [String: (store: Int, count: Int, first: Int)] = [
        "zunionstore": (1, 2, 3), "zinterstore": (1, 2, 3), "zdiffstore": (1, 2, 3),
        "zunion": (0, 1, 2), "zinter": (0, 1, 2), "zdiff": (0, 1, 2), "zintercard": (0, 1, 2),
        "sintercard": (0, 1, 2), "lmpop": (0, 1, 2), "zmpop": (0, 1, 2),
        "blmpop": (0, 2, 3), "bzmpop": (0, 2, 3),
        "eval": (0, 2, 3), "eval_ro": (0, 2, 3), "evalsha": (0, 2, 3), "evalsha_ro": (0, 2, 3),
        "fcall": (0, 2, 3), "fcall_ro": (0, 2, 3),
    ]

    private static func genericKeys(_ args: [Bytes], store: Int, count countIndex: Int, first: Int) -> [KeyReference]? {
        guard countIndex < args.count else { return nil }
        let count = atoi(args[countIndex])
        guard count >= 1, count <= args.count - first else { return nil }
        var keys = (0..<count).map { KeyReference(position: first + $0, flags: []) }
        if store > 0 { keys.append(KeyReference(position: store, flags: [])) }
        return keys
    }

    /// C `atoi`: leading blanks, an optional sign, then digits up to the first non-digit.
    private static func atoi(_ bytes: Bytes) -> Int {
        bytes.withUnsafeBytes { raw in
            var index = 0
            while index < raw.count, raw[index] == 32 || (raw[index] >= 9 && raw[index] <= 13) { index += 1 }
            var negative = false
            if index < raw.count, raw[index] == 43 || raw[index] == 45 {
                negative = raw[index] == 45
                index += 1
            }
            var value = 0
            while index < raw.count, raw[index] >= 48, raw[index] <= 57 {
                value = min(value * 10 + Int(raw[index] - 48), Int(Int32.max) + 1)
                index += 1
            }
            return negative ? -value : min(value, Int(Int32.max))
        }
    }

    private static func equalsIgnoringCase(_ bytes: Bytes, _ keyword: String) -> Bool {
        let expected = Array(keyword.utf8)
        guard bytes.count == expected.count else { return false }
        return bytes.withUnsafeBytes { raw in
            for i in 0..<raw.count {
                var a = raw[i]
                var b = expected[i]
                if a >= 65 && a <= 90 { a |= 0x20 }
                if b >= 65 && b <= 90 { b |= 0x20 }
                if a != b { return false }
            }
            return true
        }
    }
}
