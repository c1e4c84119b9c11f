/// Static facts about a command, as Redis 7.0 declares them: the one source the dispatcher
/// (arity, flags), `COMMAND INFO`/`DOCS`/`GETKEYS`/`LIST` and ACL categories read from.
/// The data itself is generated (`CommandSpecs+Generated.swift`, by `scripts/gen-command-specs.py`).
public struct CommandSpec: Sendable {
    /// Lowercase name; for a subcommand the container and subcommand, e.g. `config|get`.
    public let name: String
    /// Positive: exact argument count including the name; negative: at least `-arity`.
    public let arity: Int
    public let flags: CommandFlags
    public let aclCategories: ACLCategories
    /// Legacy key range (first, last, step) as `COMMAND INFO` reports it.
    public let firstKey: Int
    public let lastKey: Int
    public let keyStep: Int
    public let keySpecs: [KeySpec]
    /// Command tips, e.g. `nondeterministic_output`.
    public let tips: [String]
    public let group: String
    public let since: String
    public let arguments: [ArgumentSpec]
    /// Redis's subcommands in the generated table; for a served command, the served ones.
    public internal(set) var subcommands: [CommandSpec]

    public init(
        name: String, arity: Int, flags: CommandFlags, aclCategories: ACLCategories,
        firstKey: Int, lastKey: Int, keyStep: Int, keySpecs: [KeySpec], tips: [String],
        group: String, since: String, arguments: [ArgumentSpec], subcommands: [CommandSpec]
    ) {
        self.name = name
        self.arity = arity
        self.flags = flags
        self.aclCategories = aclCategories
        self.firstKey = firstKey
        self.lastKey = lastKey
        self.keyStep = keyStep
        self.keySpecs = keySpecs
        self.tips = tips
        self.group = group
        self.since = since
        self.arguments = arguments
        self.subcommands = subcommands
    }
}

/// Command flags, named as Redis reports them in `COMMAND INFO` (lowercase).
public struct CommandFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let write = CommandFlags(rawValue: 1 << 0)
    public static let readonly = CommandFlags(rawValue: 1 << 1)
    public static let denyoom = CommandFlags(rawValue: 1 << 2)
    public static let module = CommandFlags(rawValue: 1 << 3)
    public static let admin = CommandFlags(rawValue: 1 << 4)
    public static let pubsub = CommandFlags(rawValue: 1 << 5)
    public static let noscript = CommandFlags(rawValue: 1 << 6)
    public static let blocking = CommandFlags(rawValue: 1 << 7)
    public static let loading = CommandFlags(rawValue: 1 << 8)
    public static let stale = CommandFlags(rawValue: 1 << 9)
    public static let skipMonitor = CommandFlags(rawValue: 1 << 10)
    public static let skipSlowlog = CommandFlags(rawValue: 1 << 11)
    public static let asking = CommandFlags(rawValue: 1 << 12)
    public static let fast = CommandFlags(rawValue: 1 << 13)
    public static let noAuth = CommandFlags(rawValue: 1 << 14)
    public static let mayReplicate = CommandFlags(rawValue: 1 << 15)
    public static let noMandatoryKeys = CommandFlags(rawValue: 1 << 16)
    public static let noAsyncLoading = CommandFlags(rawValue: 1 << 17)
    public static let noMulti = CommandFlags(rawValue: 1 << 18)
    public static let movableKeys = CommandFlags(rawValue: 1 << 19)
    public static let allowBusy = CommandFlags(rawValue: 1 << 20)
    /// Allowed only per `enable-debug-command` / `enable-module-command`; COMMAND INFO hides it.
    public static let protected = CommandFlags(rawValue: 1 << 21)

    /// In the order Redis lists them.
    public static let names: [(CommandFlags, String)] = [
        (.write, "write"), (.readonly, "readonly"), (.denyoom, "denyoom"), (.module, "module"),
        (.admin, "admin"), (.pubsub, "pubsub"), (.noscript, "noscript"), (.blocking, "blocking"),
        (.loading, "loading"), (.stale, "stale"), (.skipMonitor, "skip_monitor"),
        (.skipSlowlog, "skip_slowlog"), (.asking, "asking"), (.fast, "fast"), (.noAuth, "no_auth"),
        (.mayReplicate, "may_replicate"), (.noMandatoryKeys, "no_mandatory_keys"),
        (.noAsyncLoading, "no_async_loading"), (.noMulti, "no_multi"), (.movableKeys, "movablekeys"),
        (.allowBusy, "allow_busy"),
    ]
}

/// ACL categories, named as Redis reports them (`@read`, `@string`, ...).
public struct ACLCategories: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let keyspace = ACLCategories(rawValue: 1 << 0)
    public static let read = ACLCategories(rawValue: 1 << 1)
    public static let write = ACLCategories(rawValue: 1 << 2)
    public static let set = ACLCategories(rawValue: 1 << 3)
    public static let sortedset = ACLCategories(rawValue: 1 << 4)
    public static let list = ACLCategories(rawValue: 1 << 5)
    public static let hash = ACLCategories(rawValue: 1 << 6)
    public static let string = ACLCategories(rawValue: 1 << 7)
    public static let bitmap = ACLCategories(rawValue: 1 << 8)
    public static let hyperloglog = ACLCategories(rawValue: 1 << 9)
    public static let geo = ACLCategories(rawValue: 1 << 10)
    public static let stream = ACLCategories(rawValue: 1 << 11)
    public static let pubsub = ACLCategories(rawValue: 1 << 12)
    public static let admin = ACLCategories(rawValue: 1 << 13)
    public static let fast = ACLCategories(rawValue: 1 << 14)
    public static let slow = ACLCategories(rawValue: 1 << 15)
    public static let blocking = ACLCategories(rawValue: 1 << 16)
    public static let dangerous = ACLCategories(rawValue: 1 << 17)
    public static let connection = ACLCategories(rawValue: 1 << 18)
    public static let transaction = ACLCategories(rawValue: 1 << 19)
    public static let scripting = ACLCategories(rawValue: 1 << 20)

    /// In the order Redis lists them.
    public static let names: [(ACLCategories, String)] = [
        (.keyspace, "keyspace"), (.read, "read"), (.write, "write"), (.set, "set"),
        (.sortedset, "sortedset"), (.list, "list"), (.hash, "hash"), (.string, "string"),
        (.bitmap, "bitmap"), (.hyperloglog, "hyperloglog"), (.geo, "geo"), (.stream, "stream"),
        (.pubsub, "pubsub"), (.admin, "admin"), (.fast, "fast"), (.slow, "slow"),
        (.blocking, "blocking"), (.dangerous, "dangerous"), (.connection, "connection"),
        (.transaction, "transaction"), (.scripting, "scripting"),
    ]
}

/// A key specification (Redis 7 `key_specs`): where keys begin and how to find the rest.
public struct KeySpec: Sendable {
    public enum BeginSearch: Sendable {
        case index(Int)
        case keyword(String, startFrom: Int)
        case unknown
    }

    public enum FindKeys: Sendable {
        case range(lastKey: Int, step: Int, limit: Int)
        case keynum(keyNumIndex: Int, firstKey: Int, step: Int)
        case unknown
    }

    /// Lowercase-in-Redis-form flags such as `RW`, `ACCESS`, `UPDATE` (Redis reports them as given).
    public let flags: [String]
    public let beginSearch: BeginSearch
    public let findKeys: FindKeys

    public init(flags: [String], beginSearch: BeginSearch, findKeys: FindKeys) {
        self.flags = flags
        self.beginSearch = beginSearch
        self.findKeys = findKeys
    }
}

/// One argument of a command's syntax, for `COMMAND DOCS`.
public struct ArgumentSpec: Sendable {
    public let name: String
    /// `key`, `string`, `integer`, `double`, `pattern`, `unix-time`, `pure-token`, `oneof`, `block`.
    public let type: String
    public let token: String?
    public let keySpecIndex: Int?
    public let since: String?
    public let optional: Bool
    public let multiple: Bool
    public let multipleToken: Bool
    public let arguments: [ArgumentSpec]

    public init(
        name: String, type: String, token: String? = nil, keySpecIndex: Int? = nil, since: String? = nil,
        optional: Bool = false, multiple: Bool = false, multipleToken: Bool = false, arguments: [ArgumentSpec] = []
    ) {
        self.name = name
        self.type = type
        self.token = token
        self.keySpecIndex = keySpecIndex
        self.since = since
        self.optional = optional
        self.multiple = multiple
        self.multipleToken = multipleToken
        self.arguments = arguments
    }
}
