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

/// INFO, CONFIG and SHUTDOWN: the commands that read or change the server itself.
extension EmberServer {
    func registerServerCommands() {
        engine.register("info") { [unowned self] context in .verbatim(self.info(context)) }
        engine.register("config|get") { [unowned self] context in self.configGet(context) }
        engine.register("config|set") { [unowned self] context in self.configSet(context) }
        engine.register("config|resetstat") { context in
            let engine = context.engine
            engine.stats = EngineStats()
            for command in engine.allCommands {
                command.resetStatistics()
                command.subcommands.commands.forEach { $0.resetStatistics() }
            }
            return .ok
        }
        engine.register("config|help") { _ in
            .array([
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                "RESETSTAT", "    Reset statistics reported by the INFO command.",
                "HELP", "    Print this help.",
            ].map { Reply.simple($0) })
        }
        engine.register("shutdown") { [unowned self] context in
            for option in context.args.dropFirst() {
                let known = ["nosave", "save", "now", "force", "abort"].contains(option.string.lowercased())
                if !known { return Errors.syntax }
                if option.equalsLowercased("abort") { return .error("ERR No shutdown in progress.") }
            }
            self.shutdown()
            return .none
        }
    }

    // MARK: - CONFIG

    func configGet(_ context: CommandContext) -> Reply {
        var pairs: [(Reply, Reply)] = []
        var seen = Set<String>()
        for pattern in context.args.dropFirst(2) {
            for name in ServerConfiguration.parameterNames where !seen.contains(name) {
                if globMatch(pattern, Bytes(name), noCase: true), let value = configuration.get(name) {
                    seen.insert(name)
                    pairs.append((.bulk(Bytes(name)), .bulk(Bytes(value))))
                }
            }
        }
        return .map(pairs)
    }

    func configSet(_ context: CommandContext) -> Reply {
        let args = context.args
        guard args.count >= 4, args.count % 2 == 0 else { return Errors.wrongArity("config|set") }
        var updated = configuration
        var index = 2
        var names = Set<String>()
        while index < args.count {
            let name = args[index].string.lowercased()
            guard ServerConfiguration.parameterNames.contains(name) else {
                return .error("ERR Unknown option or number of arguments for CONFIG SET - '\(args[index].prefix(128))'")
            }
            guard names.insert(name).inserted else {
                return .error("ERR CONFIG SET failed (possibly related to argument '\(name)') - duplicate parameter")
            }
            if let problem = updated.set(name, [args[index + 1].string], startup: false) {
                return .error("ERR CONFIG SET failed (possibly related to argument '\(name)') - \(problem)")
            }
            index += 2
        }
        // All or nothing, as Redis 7: apply only once every pair is valid.
        configuration = updated
        var engineConfig = updated.engine
        engineConfig.activeExpireEnabled = engine.config.activeExpireEnabled
        engine.config = engineConfig
        return .ok
    }

    // MARK: - INFO

    static let defaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"]
    static let allSections = defaultSections + ["commandstats", "latencystats"]

    func info(_ context: CommandContext) -> String {
        var requested = Set(context.args.dropFirst().map { $0.string.lowercased() })
        if requested.isEmpty || requested.contains("default") { requested.formUnion(Self.defaultSections) }
        if requested.contains("all") || requested.contains("everything") { requested.formUnion(Self.allSections) }
        var sections: [String] = []
        for name in Self.allSections where requested.contains(name) {
            sections.append(section(name, context))
        }
        return sections.joined(separator: "\r\n")
    }

    private func section(_ name: String, _ context: CommandContext) -> String {
        var lines: [String]
        switch name {
        case "server":
            let uptime = (context.now - startedAt) / 1000
            lines = [
                "# Server", "redis_version:\(EmberVersion.redisVersion)", "ember_version:\(EmberVersion.ember)",
                "redis_git_sha1:00000000", "redis_git_dirty:0", "redis_build_id:0", "redis_mode:standalone",
                "os:\(Self.operatingSystem())", "arch_bits:64", "monotonic_clock:POSIX clock_gettime",
                "multiplexing_api:epoll", "atomicvar_api:c11-builtin", "gcc_version:0.0.0",
                "process_id:\(getpid())", "process_supervised:no", "run_id:\(runID)",
                "tcp_port:\(configuration.port)", "server_time_usec:\(Clock.microseconds())",
                "uptime_in_seconds:\(uptime)", "uptime_in_days:\(uptime / 86400)", "hz:\(engine.config.hz)",
                "configured_hz:\(engine.config.hz)", "lru_clock:\(Engine.lruClock(context.now))",
                "executable:\(CommandLine.arguments.first ?? "")", "config_file:\(configuration.configFile ?? "")",
                "io_threads_active:0",
            ]
        case "clients":
            lines = [
                "# Clients", "connected_clients:\(engine.clients.count)", "cluster_connections:0",
                "maxclients:10000", "client_recent_max_input_buffer:0", "client_recent_max_output_buffer:0",
                "blocked_clients:0", "tracking_clients:0", "clients_in_timeout_table:0",
            ]
        case "memory":
            let used = Self.heapInUse()
            let rss = Self.residentSetSize()
            let keys = engine.databases.reduce(0) { $0 + $1.count }
            lines = [
                "# Memory", "used_memory:\(used)", "used_memory_human:\(Self.human(used))",
                "used_memory_rss:\(rss)", "used_memory_rss_human:\(Self.human(rss))",
                "used_memory_peak:\(used)", "used_memory_peak_human:\(Self.human(used))",
                "used_memory_dataset:\(used)", "total_system_memory:\(Self.totalSystemMemory())",
                "maxmemory:\(engine.config.maxMemory)", "maxmemory_human:\(Self.human(Int(engine.config.maxMemory)))",
                "maxmemory_policy:\(engine.config.maxMemoryPolicy)",
                "mem_fragmentation_ratio:\(used > 0 ? String(format2(Double(rss) / Double(used))) : "0.00")",
                "mem_allocator:libc", "lazyfree_pending_objects:0", "keys_count:\(keys)",
            ]
        case "persistence":
            lines = [
                "# Persistence", "loading:0", "async_loading:0", "rdb_changes_since_last_save:0",
                "rdb_bgsave_in_progress:0", "rdb_last_save_time:\(engine.lastSave / 1000)",
                "rdb_last_bgsave_status:ok", "aof_enabled:0", "aof_rewrite_in_progress:0",
            ]
        case "stats":
            let counts = connectionCounts
            let stats = engine.stats
            lines = [
                "# Stats", "total_connections_received:\(counts.total)",
                "total_commands_processed:\(stats.commandsProcessed)", "instantaneous_ops_per_sec:0",
                "rejected_connections:0", "expired_keys:\(stats.expiredKeys)",
                "expired_time_cap_reached_count:\(stats.expiredTimeCapReachedCount)",
                "evicted_keys:\(stats.evictedKeys)", "keyspace_hits:\(stats.keyspaceHits)",
                "keyspace_misses:\(stats.keyspaceMisses)", "pubsub_channels:0", "pubsub_patterns:0",
                "total_error_replies:0", "unexpected_error_replies:0",
            ]
        case "replication":
            lines = ["# Replication", "role:master", "connected_slaves:0", "master_repl_offset:0"]
        case "cpu":
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue == 0 ? 0 : 0, &usage)
            let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            lines = ["# CPU", "used_cpu_sys:\(format6(system))", "used_cpu_user:\(format6(user))"]
        case "modules":
            lines = ["# Modules"]
        case "errorstats":
            lines = ["# Errorstats"]
        case "cluster":
            lines = ["# Cluster", "cluster_enabled:0"]
        case "keyspace":
            lines = ["# Keyspace"]
            for (index, database) in engine.databases.enumerated() where database.count > 0 {
                lines.append("db\(index):keys=\(database.count),expires=\(database.expires.count),avg_ttl=\(database.averageTTL)")
            }
        case "commandstats":
            lines = ["# Commandstats"]
            var all: [Command] = []
            for command in engine.allCommands {
                all.append(command)
                all += command.subcommands.commands.sorted { $0.name < $1.name }
            }
            for command in all where command.calls > 0 || command.rejectedCalls > 0 || command.failedCalls > 0 {
                let perCall = command.calls > 0 ? Double(command.microseconds) / Double(command.calls) : 0
                lines.append("cmdstat_\(command.name):calls=\(command.calls),usec=\(command.microseconds),usec_per_call=\(format2(perCall)),rejected_calls=\(command.rejectedCalls),failed_calls=\(command.failedCalls)")
            }
        case "latencystats":
            lines = ["# Latencystats"]
        default:
            lines = []
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: - Process facts

    static func residentSetSize() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var size = 0, resident = 0
        guard withUnsafeMutablePointer(to: &size, { s in withUnsafeMutablePointer(to: &resident) { r in
            readTwoIntegers(file, s, r)
        } }) else { return 0 }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func readTwoIntegers(_ file: UnsafeMutablePointer<FILE>, _ a: UnsafeMutablePointer<Int>, _ b: UnsafeMutablePointer<Int>) -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, 256, file) != nil else { return false }
        let text = String(cString: buffer)
        let parts = text.split(separator: " ")
        guard parts.count >= 2, let first = Int(parts[0]), let second = Int(parts[1]) else { return false }
        a.pointee = first
        b.pointee = second
        return true
    }

    static func heapInUse() -> Int {
        // glibc's mallinfo2 is not visible through Swift's Glibc module; RSS is the honest stand-in.
        residentSetSize()
    }

    static func totalSystemMemory() -> Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func operatingSystem() -> String {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(field(names.sysname)) \(field(names.release)) \(field(names.machine))"
    }

    static func human(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value < 1024 { return "\(bytes)B" }
        if value < 1024 * 1024 { return format2(value / 1024) + "K" }
        if value < 1024 * 1024 * 1024 { return format2(value / 1024 / 1024) + "M" }
        return format2(value / 1024 / 1024 / 1024) + "G"
    }
}

func format2(_ value: Double) -> String { formatCDouble(value, format: "%.2f") }
func format6(_ value: Double) -> String { formatCDouble(value, format: "%.6f") }
