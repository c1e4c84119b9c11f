import EmberRESP
import EmberStore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private let i32 = Int64(Int32.max)
private let ll = Int64.max

/// Every parameter of Redis 7.0 (and Ember's own), declared once, in CONFIG GET's order.
/// Each is one line: a helper for its type (`bool`, `integer`, `memory`, `unsigned`,
/// `enumeration`, `string`, or `ConfigParameter(...)` with a `.special` type), its flags, its
/// default and, for the parameters Ember honours, the key path of the live setting it drives
/// (or an `apply` closure). A parameter without a binding is flagged `.noEffect`: accepted,
/// validated and reported, changing nothing.
///
/// To add one: append a line here; CONFIG GET/SET, the config file and `--name value` flags
/// all read this table.
extension ServerConfiguration {
    public static let table: [ConfigParameter] = [
        // MARK: Network and clients (honoured)
        .integer("port", [], 0...65535, 6379, \.port),
        ConfigParameter("bind", .special(parse: Specials.parseBind, format: { $0.text }), [.multiArgument], default: .words(["127.0.0.1", "-::1"]),
                        apply: { configuration, value, _ in configuration.bind = value.words }),
        .bool("protected-mode", [], true, \.protectedMode),
        ConfigParameter("requirepass", .string(), [.sensitive], default: .text(""), apply: { configuration, value, _ in
            configuration.engine.requirePass = value.text.isEmpty ? nil : Bytes(value.text)
        }),
        .unsigned("maxclients", [], 1, UInt64(UInt32.max), 10000),
        .memory("client-query-buffer-limit", [], (1024 * 1024)...ll, 1024 * 1024 * 1024, \.queryBufferLimit),
        .memory("proto-max-bulk-len", [], (1024 * 1024)...ll, 512 * 1024 * 1024, \.engine.protoMaxBulkLength),
        .integer("tcp-keepalive", [], 0...i32, 300, \.tcpKeepalive),
        .integer("io-threads", [.immutable], 1...128, Int64(max(1, System.coreCount / 2)), \.ioThreads),
        .integer("databases", [.immutable], 1...i32, 16, \.engine.databases),
        // Accepted from 0, then kept within 1...500 as Redis does (CONFIG_MIN_HZ/CONFIG_MAX_HZ).
        ConfigParameter("hz", .number(lower: 0, upper: i32), [], default: .number(10), apply: { configuration, value, _ in
            let hz = min(max(value.number, 1), 500)
            configuration.engine.hz = Int(hz)
            value = .number(hz)
        }),
        .enumeration("enable-debug-command", [.immutable], ["no", "yes", "local"], "no", \.engine.enableDebugCommand),
        .enumeration("enable-protected-configs", [.immutable], ["no", "yes", "local"], "no", \.enableProtectedConfigs),
        .enumeration("loglevel", [], ["debug", "verbose", "notice", "warning"], "notice", \.logLevel),
        .string("logfile", [.immutable], "", \.logFile),

        // MARK: Memory and eviction (honoured)
        ConfigParameter("maxmemory", .number(lower: 0, upper: -1, unsigned: true, memory: true), [], default: .number(0),
                        apply: { configuration, value, _ in
                            // An unsigned long long in Redis; beyond LLONG_MAX is as good as no limit.
                            let bytes = UInt64(bitPattern: value.number)
                            configuration.engine.maxMemory = bytes > UInt64(Int64.max) ? Int64.max : Int64(bytes)
                        }),
        .enumeration("maxmemory-policy", [], ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"],
                     "noeviction", \.engine.maxMemoryPolicy),
        .integer("lfu-log-factor", [], 0...i32, 10, \.engine.lfuLogFactor),
        .integer("lfu-decay-time", [], 0...i32, 1, \.engine.lfuDecayTime),
        .bool("lazyfree-lazy-user-del", [], false, \.engine.lazyFreeUserDel),
        .bool("lazyfree-lazy-user-flush", [], false, \.engine.lazyFreeUserFlush),
        .bool("lazyfree-lazy-expire", [], false, \.engine.lazyFreeExpire),
        .bool("lazyfree-lazy-server-del", [], false, \.engine.lazyFreeServerDel),

        // MARK: Encodings (honoured)
        .integer("hash-max-listpack-entries", aliases: ["hash-max-ziplist-entries"], [], 0...ll, 512, \.engine.limits.hashMaxListpackEntries),
        .memory("hash-max-listpack-value", aliases: ["hash-max-ziplist-value"], [], 0...ll, 64, \.engine.limits.hashMaxListpackValue),
        .integer("set-max-intset-entries", [], 0...ll, 512, \.engine.limits.setMaxIntsetEntries),
        .integer("zset-max-listpack-entries", aliases: ["zset-max-ziplist-entries"], [], 0...ll, 128, \.engine.limits.zsetMaxListpackEntries),
        .memory("zset-max-listpack-value", aliases: ["zset-max-ziplist-value"], [], 0...ll, 64, \.engine.limits.zsetMaxListpackValue),
        .integer("list-max-listpack-size", aliases: ["list-max-ziplist-size"], [], Int64(Int32.min)...i32, -2, \.engine.limits.listMaxListpackSize),
        .integer("list-compress-depth", [], 0...i32, 0, \.engine.limits.listCompressDepth),

        // MARK: Persistence (stored in engine.persistence)
        ConfigParameter("dir", .special(parse: Specials.parseDirectory, format: { $0.text }), [.protected, .denyLoading], default: .text("."),
                        apply: Specials.applyDirectory),
        .string("dbfilename", [.protected], "dump.rdb", validate: Specials.baseName("dbfilename can't be a path, just a filename"), \.engine.persistence.dbFilename),
        ConfigParameter("save", .special(parse: Specials.parseSave, format: { $0.text }), [.multiArgument], default: .words(["3600", "1", "300", "100", "60", "10000"]),
                        apply: { configuration, value, _ in
                            let words = value.words.compactMap { Int($0) }
                            configuration.engine.persistence.savePoints = stride(from: 0, to: words.count - 1, by: 2).map {
                                SavePoint(seconds: words[$0], changes: words[$0 + 1])
                            }
                        }),
        .bool("rdbcompression", [], true, \.engine.persistence.rdbCompression),
        .bool("rdbchecksum", [.immutable], true, \.engine.persistence.rdbChecksum),
        .bool("stop-writes-on-bgsave-error", [], true, \.engine.persistence.stopWritesOnBgsaveError),
        .enumeration("sanitize-dump-payload", [], ["no", "yes", "clients"], "no", \.engine.persistence.sanitizeDumpPayload),
        .bool("rdb-del-sync-files", [], false, \.engine.persistence.rdbDelSyncFiles),
        .bool("rdb-save-incremental-fsync", [], true, \.engine.persistence.rdbSaveIncrementalFsync),
        .bool("appendonly", [.denyLoading], false, \.engine.persistence.appendOnly),
        .string("appendfilename", [.immutable], "appendonly.aof", validate: Specials.baseName("appendfilename can't be a path, just a filename"), \.engine.persistence.appendFilename),
        .string("appenddirname", [.immutable], "appendonlydir", validate: Specials.baseName("appenddirname can't be a path, just a directory name"), \.engine.persistence.appendDirname),
        .enumeration("appendfsync", [], ["everysec", "always", "no"], "everysec", \.engine.persistence.appendFsync),
        .bool("no-appendfsync-on-rewrite", [], false, \.engine.persistence.noAppendFsyncOnRewrite),
        .integer("auto-aof-rewrite-percentage", [], 0...i32, 100, \.engine.persistence.autoAOFRewritePercentage),
        .memory("auto-aof-rewrite-min-size", [], 0...ll, 64 * 1024 * 1024, \.engine.persistence.autoAOFRewriteMinSize),
        .bool("aof-load-truncated", [], true, \.engine.persistence.aofLoadTruncated),
        .bool("aof-use-rdb-preamble", [], true, \.engine.persistence.aofUseRDBPreamble),
        .bool("aof-timestamp-enabled", [], false, \.engine.persistence.aofTimestampEnabled),
        .bool("aof-rewrite-incremental-fsync", [], true, \.engine.persistence.aofRewriteIncrementalFsync),
        // Ember only: RDB and AOF files sealed with AES-256-GCM (Persistence/Encryption), which
        // Redis cannot read. One 32-byte key (raw, or 64 hex digits a line); later lines are older
        // keys for reading (rotation). Read once at start-up: a bad key file stops the server.
        .string("encryption-key-file", [.immutable, .sensitive], "", \.engine.persistence.encryptionKeyFile),
        .bool("aof-disable-auto-gc", [], false),
        .integer("rdb-key-save-delay", [.hidden], Int64(Int32.min)...i32, 0, \.engine.persistence.rdbKeySaveDelay),
        .integer("key-load-delay", [.hidden], Int64(Int32.min)...i32, 0),
        .integer("loading-process-events-interval-bytes", [.hidden], 1024...i32, 2 * 1024 * 1024),

        // MARK: Accepted, not yet applied
        .integer("timeout", [], 0...i32, 0),

        // MARK: Accepted for compatibility, no effect
        ConfigParameter("daemonize", .bool, [.immutable, .noEffect], default: .bool(false), apply: { _, value, _ throws(ConfigProblem) in
            if value.bool { throw ConfigProblem("daemonize is not supported; run under a supervisor") }
        }),
        .enumeration("supervised", [.immutable], ["upstart", "systemd", "auto", "no"], "no"),
        .string("pidfile", [.immutable], ""),
        .bool("always-show-logo", [.immutable], false, \.alwaysShowLogo),
        .bool("set-proc-title", [.immutable], true),
        .string("proc-title-template", [], "{title} {listen-addr} {server-mode}", validate: Specials.validateProcTitle),
        .bool("syslog-enabled", [.immutable], false),
        .string("syslog-ident", [.immutable], "redis"),
        .enumeration("syslog-facility", [.immutable], ["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"], "local0"),
        .bool("crash-log-enabled", [], true),
        .bool("crash-memcheck-enabled", [], true),
        .bool("use-exit-on-panic", [.hidden], false),
        .integer("watchdog-period", [.hidden], 0...i32, 0),
        .bool("disable-thp", [.immutable], true),
        .bool("jemalloc-bg-thread", [], true),
        .string("ignore-warnings", [], ""),
        .enumeration("enable-module-command", [.immutable], ["no", "yes", "local"], "no"),
        .string("unixsocket", [.immutable], ""),
        .unsigned("unixsocketperm", [.immutable], 0, 0o777, 0, octal: true),
        .integer("tcp-backlog", [.immutable], 0...i32, 511),
        .integer("socket-mark-id", [.immutable], 0...i32, 0),
        .string("bind-source-addr", [], ""),
        .bool("io-threads-do-reads", [.immutable], false),
        .string("server_cpulist", [.immutable], ""),
        .string("bio_cpulist", [.immutable], ""),
        .string("aof_rewrite_cpulist", [.immutable], ""),
        .string("bgsave_cpulist", [.immutable], ""),
        ConfigParameter("oom-score-adj", .special(parse: Specials.parseOOMScoreAdjust, format: { $0.text }), [.noEffect], default: .text("no")),
        ConfigParameter("oom-score-adj-values", .special(parse: Specials.parseOOMScoreValues, format: { $0.text }), [.multiArgument, .noEffect], default: .words(["0", "200", "800"])),
        ConfigParameter("notify-keyspace-events", .special(parse: Specials.parseKeyspaceEvents, format: { $0.text }), [.noEffect], default: .text("")),
        // normal and pubsub are applied by the connections, replica by replication.
        ConfigParameter("client-output-buffer-limit", .special(parse: Specials.parseOutputBufferLimits, format: { $0.text }), [.multiArgument],
                        default: .words(["normal", "0", "0", "0", "slave", "268435456", "67108864", "60", "pubsub", "33554432", "8388608", "60"]),
                        apply: { configuration, value, _ in
                            let words = value.words
                            guard words.count == 12 else { return }
                            configuration.engine.outputLimits.normal = OutputBufferLimit(words[1...3])
                            configuration.engine.outputLimits.replica = OutputBufferLimit(words[5...7])
                            configuration.engine.outputLimits.pubsub = OutputBufferLimit(words[9...11])
                        }),
        ConfigParameter("maxmemory-clients", .number(lower: -100, upper: ll, memory: true, percent: true), [.noEffect], default: .number(0)),
        .integer("maxmemory-samples", [], 1...i32, 5),
        .integer("maxmemory-eviction-tenacity", [], 0...100, 10),
        .bool("lazyfree-lazy-eviction", [], false),

        .bool("activerehashing", [], true),
        .bool("dynamic-hz", [], true),
        .integer("active-expire-effort", [], 1...10, 1),
        ConfigParameter("activedefrag", .bool, [.noEffect], default: .bool(false), apply: { _, value, _ throws(ConfigProblem) in
            // As a Redis built without its bundled jemalloc: there is nothing to defragment with.
            if value.bool {
                throw ConfigProblem("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution")
            }
        }),
        .memory("active-defrag-ignore-bytes", [], 1...ll, 100 * 1024 * 1024),
        .integer("active-defrag-threshold-lower", [], 0...1000, 10),
        .integer("active-defrag-threshold-upper", [], 0...1000, 100),
        .integer("active-defrag-cycle-min", [], 1...99, 1),
        .integer("active-defrag-cycle-max", [], 1...99, 25),
        .integer("active-defrag-max-scan-fields", [], 1...ll, 1000),
        .memory("hll-sparse-max-bytes", [], 0...ll, 3000),
        .memory("stream-node-max-bytes", [], 0...ll, 4096),
        .integer("stream-node-max-entries", [], 0...ll, 100),
        .integer("busy-reply-threshold", aliases: ["lua-time-limit"], [], 0...ll, 5000),
        .integer("slowlog-log-slower-than", [], -1...ll, 10000),
        .integer("slowlog-max-len", [], 0...ll, 128),
        .integer("latency-monitor-threshold", [], 0...ll, 0),
        .bool("latency-tracking", [], true),
        ConfigParameter("latency-tracking-info-percentiles", .special(parse: Specials.parsePercentiles, format: { $0.text }), [.multiArgument, .noEffect],
                        default: .words(["50", "99", "99.9"])),
        .integer("tracking-table-max-keys", [], 0...ll, 1_000_000),
        .integer("acllog-max-len", [], 0...ll, 128),
        .string("aclfile", [.immutable], ""),
        .enumeration("acl-pubsub-default", [], ["allchannels", "resetchannels"], "resetchannels"),
        .enumeration("shutdown-on-sigint", [], ["default", "save", "nosave", "now", "force"], "default"),
        .enumeration("shutdown-on-sigterm", [], ["default", "save", "nosave", "now", "force"], "default"),
        .integer("shutdown-timeout", [], 0...i32, 10),
        .enumeration("propagation-error-behavior", [], ["ignore", "panic", "panic-on-replicas"], "ignore"),

        // Replication: Ember has none.
        ConfigParameter("replicaof", aliases: ["slaveof"], .special(parse: Specials.parseReplicaOf, format: { $0.text }), [.immutable, .multiArgument, .noEffect], default: .text("")),
        .string("masterauth", [.sensitive], ""),
        .string("masteruser", [], ""),
        .bool("replica-serve-stale-data", aliases: ["slave-serve-stale-data"], [], true),
        .bool("replica-read-only", aliases: ["slave-read-only"], [], true),
        .bool("replica-ignore-maxmemory", aliases: ["slave-ignore-maxmemory"], [], true),
        .bool("replica-lazy-flush", aliases: ["slave-lazy-flush"], [], false),
        .integer("replica-priority", aliases: ["slave-priority"], [], 0...i32, 100),
        .string("replica-announce-ip", aliases: ["slave-announce-ip"], [], ""),
        .integer("replica-announce-port", aliases: ["slave-announce-port"], [], 0...65535, 0),
        .bool("replica-announced", [], true),
        .bool("replica-ignore-disk-write-errors", [], false),
        .integer("min-replicas-to-write", aliases: ["min-slaves-to-write"], [], 0...i32, 0),
        .integer("min-replicas-max-lag", aliases: ["min-slaves-max-lag"], [], 0...i32, 10),
        .integer("repl-ping-replica-period", aliases: ["repl-ping-slave-period"], [], 1...i32, 10, \.engine.replicationPingPeriod),
        .integer("repl-timeout", [], 1...i32, 60),
        ConfigParameter("repl-backlog-size", .number(lower: 1, upper: ll, memory: true), [.noEffect], default: .number(1024 * 1024), apply: { _, value, _ in
            // Redis keeps the backlog at 16 kB at least, and reports that.
            value = .number(max(value.number, 16 * 1024))
        }),
        .integer("repl-backlog-ttl", [], 0...ll, 3600),
        .bool("repl-disable-tcp-nodelay", [], false),
        .bool("repl-diskless-sync", [], true),
        .integer("repl-diskless-sync-delay", [], 0...i32, 5),
        .integer("repl-diskless-sync-max-replicas", [], 0...i32, 0),
        .enumeration("repl-diskless-load", [], ["disabled", "on-empty-db", "swapdb"], "disabled"),

        // Cluster: Ember has none.
        .bool("cluster-enabled", [.immutable], false),
        .string("cluster-config-file", [.immutable], "nodes.conf"),
        .integer("cluster-port", [.immutable], 0...65535, 0),
        .integer("cluster-node-timeout", [], 0...ll, 15000),
        .integer("cluster-migration-barrier", [], 0...i32, 1),
        .integer("cluster-replica-validity-factor", aliases: ["cluster-slave-validity-factor"], [], 0...i32, 10),
        .bool("cluster-replica-no-failover", aliases: ["cluster-slave-no-failover"], [], false),
        .bool("cluster-require-full-coverage", [], true),
        .bool("cluster-allow-reads-when-down", [], false),
        .bool("cluster-allow-pubsubshard-when-down", [], true),
        .bool("cluster-allow-replica-migration", [], true),
        .string("cluster-announce-ip", [], ""),
        .string("cluster-announce-hostname", [], "", validate: Specials.validateHostname),
        .integer("cluster-announce-port", [], 0...65535, 0),
        .integer("cluster-announce-bus-port", [], 0...65535, 0),
        .integer("cluster-announce-tls-port", [], 0...65535, 0),
        .enumeration("cluster-preferred-endpoint-type", [], ["ip", "hostname", "unknown-endpoint"], "ip"),
        .unsigned("cluster-link-sendbuf-limit", [], 0, UInt64.max, 0, memory: true),

        // TLS: Ember has none.
        .integer("tls-port", [], 0...65535, 0),
        .string("tls-cert-file", [], ""),
        .string("tls-key-file", [], ""),
        .string("tls-key-file-pass", [.sensitive], ""),
        .string("tls-client-cert-file", [], ""),
        .string("tls-client-key-file", [], ""),
        .string("tls-client-key-file-pass", [.sensitive], ""),
        .string("tls-dh-params-file", [], ""),
        .string("tls-ca-cert-file", [], ""),
        .string("tls-ca-cert-dir", [], ""),
        .string("tls-protocols", [], ""),
        .string("tls-ciphers", [], ""),
        .string("tls-ciphersuites", [], ""),
        .bool("tls-prefer-server-ciphers", [], false),
        .bool("tls-session-caching", [], true),
        .integer("tls-session-cache-size", [], 0...i32, 20 * 1024),
        .integer("tls-session-cache-timeout", [], 0...i32, 300),
        .bool("tls-cluster", [], false),
        .bool("tls-replication", [], false),
        .enumeration("tls-auth-clients", [], ["no", "yes", "optional"], "yes"),
    ]

    /// Every name (aliases included) to its parameter.
    static let byName: [String: ConfigParameter] = {
        var names: [String: ConfigParameter] = [:]
        for parameter in table {
            names[parameter.name] = parameter
            for alias in parameter.aliases { names[alias] = parameter }
        }
        return names
    }()

    /// The names `CONFIG GET *` lists, aliases right after their parameter (as 7.0 lists both).
    public static let parameterNames: [String] = table.filter { !$0.flags.contains(.hidden) }.flatMap { [$0.name] + $0.aliases }

    /// Directives Redis 7.0 still reads from a config file and ignores (deprecated).
    static let ignoredDirectives: Set<String> = ["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"]
}

/// The parsing of Redis's special parameters.
enum Specials {
    static func baseName(_ message: String) -> @Sendable (String) -> String? {
        { value in value.contains("/") ? message : nil }
    }

    static func words(_ arguments: [String]) -> [String] {
        arguments == [""] ? [] : arguments
    }

    /// `save <seconds> <changes> ...`: `save ""` (or CONFIG SET save "") clears the points.
    static let parseSave: @Sendable ([String], ConfigValue) -> Result<ConfigValue, ConfigProblem> = { arguments, _ in
        let arguments = words(arguments)
        guard arguments.count % 2 == 0 else { return .failure(ConfigProblem("Invalid save parameters")) }
        var normalized: [String] = []
        for index in stride(from: 0, to: arguments.count, by: 2) {
            guard let seconds = ConfigParsing.strtoll(arguments[index]), let changes = ConfigParsing.strtoll(arguments[index + 1]),
                  seconds >= 1, changes >= 0 else {
                return .failure(ConfigProblem("Invalid save parameters"))
            }
            // The count of changes is a C int in Redis.
            normalized += [String(seconds), String(Int32(truncatingIfNeeded: changes))]
        }
        return .success(.words(normalized))
    }

    static let parseBind: @Sendable ([String], ConfigValue) -> Result<ConfigValue, ConfigProblem> = { arguments, _ in
        let addresses = words(arguments)
        if addresses.count > 16 { return .failure(ConfigProblem("Too many bind addresses specified.")) }
        for address in addresses where !address.hasPrefix("-") {
            if address == "*" || address == "localhost" { continue }
            if (try? SocketAddressCheck.parse(address)) != true { return .failure(ConfigProblem("Failed to bind to specified addresses.")) }
        }
        return .success(.words(addresses))
    }

    /// `dir`: must name an existing directory; the server works in it (chdir), as Redis.
    static let parseDirectory: @Sendable ([String], ConfigValue) -> Result<ConfigValue, ConfigProblem> = { arguments, _ in
        .success(.text(arguments.first ?? ""))
    }

    static func applyDirectory(_ configuration: inout ServerConfiguration, _ value: inout ConfigValue, _ startup: Bool) throws(ConfigProblem) {
        let path = value.text
        if chdir(path) != 0 { throw ConfigProblem(String(cString: strerror(errno))) }
        let absolute = currentDirectory() ?? path
        configuration.engine.persistence.dir = absolute
        value = .text(absolute)
    }

    static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(cString: buffer)
    }

    static let validateProcTitle: @Sendable (String) -> String? = { template in
        let known: Set<String> = ["title", "listen-addr", "server-mode", "port", "tls-port", "unixsocket", "config-file"]
        let invalid = "template format is invalid or contains unknown variables"
        if template.isEmpty { return invalid }
        var rest = Substring(template)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            if rest[open] == "}" { return invalid }
            guard let close = rest[open...].firstIndex(of: "}") else { return invalid }
            let name = rest[rest.index(after: open)..<close]
            if name.contains("{") || !known.contains(String(name)) { return invalid }
            rest = rest[rest.index(after: close)...]
        }
        return nil
    }

    static let validateHostname: @Sendable (String) -> String? = { name in
        name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || $0 == "-" || $0 == "." })
            ? nil : "Hostnames may only contain alphanumeric characters, hyphens or dots"
    }

    /// `yes` and `relative` are one setting, reported `yes`.
    static let parseOOMScoreAdjust: @Sendable ([String], ConfigValue) -> Result<ConfigValue, ConfigProblem> = { arguments, _ in
        switch (arguments.first ?? "").lowercased() {
        case "no": return .success(.text("no"))
        case "yes", "relative": return .success(.text("yes"))
        case "absolute": return .success(.text("absolute"))
        default: return .failure(ConfigProblem("argument(s) must be one of the following: no, yes, relative, absolute"))
        }
    }

    static let parseOOMScoreValues: @Sendable ([String], ConfigValue) -> Result<ConfigValue, ConfigProblem> = { arguments, _ in
        guard arguments.count == 3 else { return .failure(ConfigProblem("wrong number of arguments")) }
        var values: [String] = []
        for argument in arguments {
            guard let value = ConfigParsing.string2ll(argument[...]), (-2000...2000).contains(value) else {
                return .failure(ConfigProblem("Invalid oom-score-adj-values, elements must be between -2000 and 2000."))
            }
            values.append(String(value))
        }
        return .success(.words(values))
    }

    /// Redis's classes of keyspace events; reported as `A` for all of `g$lshzxetd`, then K, E, m.
    static let parseKeyspaceEvents: @Sendable ([String], ConfigValue) -> Result<ConfigValue, ConfigProblem> = { arguments, _ in
        let all = "g$lshzxetd"
        var flags = Set<Character>()
        for character in arguments.first ?? "" {
            if character == "A" { flags.formUnion(all) }
            else if "g$lshzxeKEtmdn".contains(character) { flags.insert(character) }
            else { return .failure(ConfigProblem("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")) }
        }
        var text = all.allSatisfy(flags.contains) ? "A" : String(all.filter(flags.contains))
        for character in "KEm" where flags.contains(character) { text.append(character) }
        return .success(.text(text))
    }

    /// `<class> <hard> <soft> <soft seconds>` groups; classes not named keep their limits.
    static let parseOutputBufferLimits: @Sendable ([String], ConfigValue) -> Result<ConfigValue, ConfigProblem> = { given, current in
        // One argument holding them all (`"pubsub 1mb 256kb 60"`) is split, as Redis does.
        let arguments = given.count == 1 ? given[0].split(separator: " ").map(String.init) : given
        if arguments.isEmpty { return .success(current) }
        guard arguments.count % 4 == 0 else {
            return .failure(ConfigProblem("Wrong number of arguments in buffer limit configuration."))
        }
        var limits = current.words.count == 12 ? current.words : ["normal", "0", "0", "0", "slave", "268435456", "67108864", "60", "pubsub", "33554432", "8388608", "60"]
        for index in stride(from: 0, to: arguments.count, by: 4) {
            let slot: Int
            switch arguments[index].lowercased() {
            case "normal": slot = 0
            case "replica", "slave": slot = 4
            case "pubsub": slot = 8
            default: return .failure(ConfigProblem("Invalid client class specified in buffer limit configuration."))
            }
            guard let hard = ConfigParsing.memtoull(arguments[index + 1]), let soft = ConfigParsing.memtoull(arguments[index + 2]),
                  let seconds = ConfigParsing.string2ll(arguments[index + 3][...]), seconds >= 0 else {
                return .failure(ConfigProblem("Error in hard, soft or soft_seconds setting in buffer limit configuration."))
            }
            limits[slot + 1] = String(hard)
            limits[slot + 2] = String(soft)
            limits[slot + 3] = String(seconds)
        }
        return .success(.words(limits))
    }

    static let parsePercentiles: @Sendable ([String], ConfigValue) -> Result<ConfigValue, ConfigProblem> = { arguments, _ in
        var values: [String] = []
        for argument in words(arguments) {
            guard let value = Double(argument), !argument.isEmpty else {
                return .failure(ConfigProblem("Invalid latency-tracking-info-percentiles parameters"))
            }
            guard value >= 0, value <= 100 else {
                return .failure(ConfigProblem("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"))
            }
            let integral = value == value.rounded() && abs(value) < 1e15
            values.append(integral ? (value.sign == .minus ? "-" : "") + String(Int64(value.magnitude)) : String(value))
        }
        return .success(.words(values))
    }

    /// `replicaof <host> <port>` or `replicaof no one`: accepted, Ember never replicates.
    static let parseReplicaOf: @Sendable ([String], ConfigValue) -> Result<ConfigValue, ConfigProblem> = { arguments, _ in
        guard arguments.count == 2 else { return .failure(ConfigProblem("wrong number of arguments")) }
        if arguments[0].lowercased() == "no" && arguments[1].lowercased() == "one" { return .success(.text("")) }
        guard let port = ConfigParsing.string2ll(arguments[1][...]), (0...65535).contains(port) else {
            return .failure(ConfigProblem("Invalid master port"))
        }
        return .success(.text("\(arguments[0]) \(port)"))
    }
}

/// Whether a bind address is a literal IPv4 or IPv6 address.
enum SocketAddressCheck {
    static func parse(_ text: String) throws -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
