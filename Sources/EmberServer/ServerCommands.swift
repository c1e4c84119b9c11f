import CEmberSystem
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
                "REWRITE", "    Rewrite the configuration file.",
                "HELP", "    Prints this help.",
            ].map { Reply.simple($0) })
        }
        engine.register("shutdown") { [unowned self] context in
            var options = Set<String>()
            for option in context.args.dropFirst() {
                let name = option.string.lowercased()
                guard ["nosave", "save", "now", "force", "abort"].contains(name) else { return Errors.syntax }
                options.insert(name)
            }
            // Illegal combinations, as Redis: ABORT alone, not both SAVE and NOSAVE.
            if (options.contains("abort") && options.count > 1) || (options.contains("save") && options.contains("nosave")) {
                return Errors.syntax
            }
            if options.contains("abort") { return .error("ERR No shutdown in progress.") }
            let save: Bool? = options.contains("nosave") ? false : (options.contains("save") ? true : nil)
            guard context.engine.persistBeforeShutdown(save: save, force: options.contains("force"), now: context.now) else {
                return .error("ERR Errors trying to SHUTDOWN. Check logs.")
            }
            self.shutdown()
            return .none
        }
    }

    // MARK: - CONFIG

    /// CONFIG GET pattern [pattern ...]: each parameter once, an exact name echoed as given
    /// (hidden ones only by exact name), globs matched case-insensitively against every name.
    func configGet(_ context: CommandContext) -> Reply {
        var pairs: [(Reply, Reply)] = []
        var seen = Set<String>()
        for pattern in context.args.dropFirst(2) {
            if !pattern.array.contains(where: { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }) {
                let name = pattern.string.lowercased()
                if !seen.contains(name), let value = configuration.get(name) {
                    seen.insert(name)
                    pairs.append((.bulk(pattern), .bulk(Bytes(value))))
                }
                continue
            }
            for name in ServerConfiguration.parameterNames where !seen.contains(name) {
                if globMatch(pattern, Bytes(name), noCase: true), let value = configuration.get(name) {
                    seen.insert(name)
                    pairs.append((.bulk(Bytes(name)), .bulk(Bytes(value))))
                }
            }
        }
        return .map(pairs)
    }

    /// CONFIG SET name value [name value ...], as Redis 7.0: names are checked first (unknown,
    /// immutable, protected, repeated), then the values are applied in order; if one fails,
    /// every parameter set before it gets its previous value back and nothing changes.
    func configSet(_ context: CommandContext) -> Reply {
        let args = context.args
        guard args.count % 2 == 0 else { return Errors.syntax }
        var parameters: [(name: String, parameter: ConfigParameter, value: String)] = []
        var names = Set<String>()
        for index in stride(from: 2, to: args.count, by: 2) {
            let name = args[index].string.lowercased()
            func failed(_ problem: String) -> Reply {
                .error("ERR CONFIG SET failed (possibly related to argument '\(name)') - \(problem)")
            }
            guard let parameter = ServerConfiguration.parameter(named: name) else {
                return .error("ERR Unknown option or number of arguments for CONFIG SET - '", .bytes(args[index].cPrefix(128)), "'")
            }
            if parameter.flags.contains(.immutable) { return failed("can't set immutable config") }
            if parameter.flags.contains(.protected) {
                let allowed = configuration.enableProtectedConfigs
                if !(allowed == "yes" || (allowed == "local" && context.client.isLocal)) { return failed("can't set protected config") }
            }
            guard names.insert(name).inserted else { return failed("duplicate parameter") }
            parameters.append((name, parameter, args[index + 1].string))
        }
        // All or nothing: the new settings are built on a copy and kept only if all apply.
        var updated = configuration
        for (name, parameter, value) in parameters {
            // Multi-argument parameters take the value's space-separated words ("" is none).
            let arguments = parameter.flags.contains(.multiArgument)
                ? (value.isEmpty ? [] : value.split(separator: " ", omittingEmptySubsequences: false).map(String.init))
                : [value]
            if let problem = updated.set(parameter, arguments, startup: false) {
                // `dir` changes the process's working directory: put it back.
                if updated.engine.persistence.dir != configuration.engine.persistence.dir {
                    _ = chdir(configuration.engine.persistence.dir)
                }
                return .error("ERR CONFIG SET failed (possibly related to argument '\(name)') - \(problem)")
            }
        }
        let previousLevel = configuration.logLevel
        let previous = engine.config.persistence
        configuration = updated
        var engineConfig = updated.engine
        engineConfig.activeExpireEnabled = engine.config.activeExpireEnabled
        engineConfig.debug = engine.config.debug
        engineConfig.persistence.appendOnly = previous.appendOnly
        engine.config = engineConfig
        // The AOF follows its settings: turned on (a rewrite writes the first base) or off.
        if updated.engine.persistence.appendOnly != previous.appendOnly,
           case .failure(let problem) = engine.setAppendOnly(updated.engine.persistence.appendOnly, now: context.now) {
            configuration.engine.persistence.appendOnly = previous.appendOnly
            return .error("ERR CONFIG SET failed (possibly related to argument 'appendonly') - \(problem)")
        }
        if updated.engine.persistence.appendFsync != previous.appendFsync
            || updated.engine.persistence.aofTimestampEnabled != previous.aofTimestampEnabled {
            engine.applyAppendOnlySettings()
        }
        if updated.logLevel != previousLevel { logSink.setLevel(updated.logLevel) }
        return .ok
    }

    // MARK: - INFO

    static let defaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"]
    /// Every section, in the order Redis 7.0 prints them.
    static let allSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"]

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
                "os:\(Self.operatingSystem())", "arch_bits:64", "monotonic_clock:\(Ticks.description)",
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
                "blocked_clients:\(engine.blockedClientCount)", "tracking_clients:0", "clients_in_timeout_table:0",
            ]
        case "memory":
            let used = Self.heapInUse()
            let rss = Self.residentSetSize()
            let peak = recordMemoryPeak(used)
            let overhead = startupMemory + engine.databases.reduce(0) { $0 + $1.tableOverhead }
            let dataset = max(0, used - overhead)
            let system = Self.totalSystemMemory()
            let maxMemory = Int(engine.config.maxMemory)
            func ratio(_ a: Int, _ b: Int) -> String { format2(b > 0 ? Double(a) / Double(b) : 0) }
            func percent(_ a: Int, _ b: Int) -> String { format2(b > 0 ? Double(a) * 100 / Double(b) : 0) + "%" }
            lines = [
                "# Memory", "used_memory:\(used)", "used_memory_human:\(Self.human(used))",
                "used_memory_rss:\(rss)", "used_memory_rss_human:\(Self.human(rss))",
                "used_memory_peak:\(peak)", "used_memory_peak_human:\(Self.human(peak))",
                "used_memory_peak_perc:\(percent(used, peak))", "used_memory_overhead:\(overhead)",
                "used_memory_startup:\(startupMemory)", "used_memory_dataset:\(dataset)",
                "used_memory_dataset_perc:\(percent(dataset, used - startupMemory))",
                "allocator_allocated:\(used)", "allocator_active:\(used)", "allocator_resident:\(rss)",
                "total_system_memory:\(system)", "total_system_memory_human:\(Self.human(system))",
                // No scripting yet: the Lua and functions fields are zero.
                "used_memory_lua:0", "used_memory_vm_eval:0", "used_memory_lua_human:0B",
                "used_memory_scripts_eval:0", "number_of_cached_scripts:0", "number_of_functions:0",
                "number_of_libraries:0", "used_memory_vm_functions:0", "used_memory_vm_total:0",
                "used_memory_vm_total_human:0B", "used_memory_functions:0", "used_memory_scripts:0",
                "used_memory_scripts_human:0B",
                "maxmemory:\(maxMemory)", "maxmemory_human:\(Self.human(maxMemory))",
                "maxmemory_policy:\(engine.config.maxMemoryPolicy)",
                "allocator_frag_ratio:1.00", "allocator_frag_bytes:0",
                "allocator_rss_ratio:\(ratio(rss, used))", "allocator_rss_bytes:\(rss - used)",
                "rss_overhead_ratio:1.00", "rss_overhead_bytes:0",
                "mem_fragmentation_ratio:\(ratio(rss, used))", "mem_fragmentation_bytes:\(rss - used)",
                "mem_not_counted_for_evict:0", "mem_replication_backlog:0", "mem_total_replication_buffers:0",
                "mem_clients_slaves:0", "mem_clients_normal:0", "mem_cluster_links:0", "mem_aof_buffer:0",
                "mem_allocator:libc", "active_defrag_running:0", "lazyfree_pending_objects:\(engine.lazyFreer.pendingObjects)",
                "lazyfreed_objects:\(engine.lazyFreer.freedObjects)",
            ]
        case "persistence":
            lines = ["# Persistence"] + engine.rdbInfoLines(now: context.now) + engine.aofInfoLines(now: context.now)
        case "stats":
            let counts = connectionCounts
            let stats = engine.stats
            lines = [
                "# Stats", "total_connections_received:\(counts.total)",
                "total_commands_processed:\(stats.commandsProcessed)", "instantaneous_ops_per_sec:0",
                "total_net_input_bytes:\(stats.netInputBytes)", "total_net_output_bytes:\(stats.netOutputBytes)",
                "total_net_repl_input_bytes:0", "total_net_repl_output_bytes:0",
                "instantaneous_input_kbps:0.00", "instantaneous_output_kbps:0.00",
                "instantaneous_input_repl_kbps:0.00", "instantaneous_output_repl_kbps:0.00",
                "rejected_connections:0", "sync_full:0", "sync_partial_ok:0", "sync_partial_err:0",
                "expired_keys:\(stats.expiredKeys)", "expired_stale_perc:0.00",
                "expired_time_cap_reached_count:\(stats.expiredTimeCapReachedCount)",
                "expire_cycle_cpu_milliseconds:0", "evicted_keys:\(stats.evictedKeys)", "evicted_clients:0",
                "client_output_buffer_limit_disconnections:\(stats.outputBufferLimitDisconnections)",
                "total_eviction_exceeded_time:0", "current_eviction_exceeded_time:0",
                "keyspace_hits:\(stats.keyspaceHits)", "keyspace_misses:\(stats.keyspaceMisses)",
                "pubsub_channels:\(engine.pubSub.channelCount)", "pubsub_patterns:\(engine.pubSub.patternCount)",
                "pubsubshard_channels:\(engine.pubSub.shardChannelCount)", "latest_fork_usec:0",
                "total_forks:0", "migrate_cached_sockets:0", "slave_expires_tracked_keys:0",
                "active_defrag_hits:0", "active_defrag_misses:0", "active_defrag_key_hits:0",
                "active_defrag_key_misses:0", "total_active_defrag_time:0", "current_active_defrag_time:0",
                "tracking_total_keys:0", "tracking_total_items:0", "tracking_total_prefixes:0",
                "unexpected_error_replies:0", "total_error_replies:\(stats.totalErrorReplies)",
                "dump_payload_sanitizations:0", "total_reads_processed:\(stats.readsProcessed)",
                "total_writes_processed:\(stats.writesProcessed)", "io_threaded_reads_processed:0",
                "io_threaded_writes_processed:0", "reply_buffer_shrinks:0", "reply_buffer_expands:0",
            ]
        case "replication":
            // No backlog yet: every PSYNC is a full resynchronisation.
            lines = ["# Replication"] + engine.replication.infoLines(nowMilliseconds: context.now) + [
                "repl_backlog_active:0", "repl_backlog_size:1048576", "repl_backlog_first_byte_offset:0", "repl_backlog_histlen:0",
            ]
        case "cpu":
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue == 0 ? 0 : 0, &usage)
            let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            var children = rusage()
            getrusage(-1, &children)  // RUSAGE_CHILDREN
            let childSystem = Double(children.ru_stime.tv_sec) + Double(children.ru_stime.tv_usec) / 1e6
            let childUser = Double(children.ru_utime.tv_sec) + Double(children.ru_utime.tv_usec) / 1e6
            // Ember has no single main thread: the process totals stand for it.
            lines = [
                "# CPU", "used_cpu_sys:\(format6(system))", "used_cpu_user:\(format6(user))",
                "used_cpu_sys_children:\(format6(childSystem))", "used_cpu_user_children:\(format6(childUser))",
                "used_cpu_sys_main_thread:\(format6(system))", "used_cpu_user_main_thread:\(format6(user))",
            ]
        case "modules":
            lines = ["# Modules"]
        case "errorstats":
            lines = ["# Errorstats"]
            for (code, count) in engine.stats.errorReplies.sorted(by: { $0.key < $1.key }) {
                lines.append("errorstat_\(code):count=\(count)")
            }
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
                let perCall = command.calls > 0 ? Double(command.nanoseconds) / 1000 / Double(command.calls) : 0
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

    /// The allocator's bytes in use (Redis's used_memory); RSS where the C library cannot tell.
    static func heapInUse() -> Int {
        let allocated = Int(cember_heap_allocated())
        return allocated > 0 ? allocated : residentSetSize()
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
