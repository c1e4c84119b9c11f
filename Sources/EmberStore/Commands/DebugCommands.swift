import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// DEBUG: Redis 7.0's subcommands that mean something for Ember, with Redis's replies. Those
/// that would crash or restart the server answer an error instead; those of jemalloc (MALLCTL)
/// are unknown, as in a Redis built without it. The helpers live in `Commands/Debug/`.
extension Engine {
    func registerDebugCommand() {
        register("debug", Engine.debug)
    }

    static func debug(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        let sub = args[1]
        let argc = args.count
        func named(_ name: StaticString) -> Bool { sub.equalsLowercased(name) }

        if named("help") && argc == 2 { return debugHelp() }
        if named("digest") && argc == 2 { return debugDigest(context) }
        if named("digest-value") { return debugDigestValue(context) }
        if named("sleep") && argc == 3 { return debugSleep(args[2]) }
        if named("log") && argc == 3 {
            engine.log(.warning, "DEBUG LOG: \(debugCString(args[2]))")
            return .ok
        }
        if named("object") && argc == 3 { return debugObject(context) }
        if named("populate") && (3...5).contains(argc) { return engine.populate(context) }
        if named("protocol") && argc == 3 { return protocolSample(args[2], context.client.protocolVersion) }
        if named("set-active-expire") && argc == 3 {
            engine.config.activeExpireEnabled = atoiValue(args[2]) != 0
            return .ok
        }
        if named("quicklist-packed-threshold") && argc == 3 {
            guard let size = memoryValue(args[2]), size <= (1 << 32) - (1 << 20) else {
                return .error("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
            }
            context.engine.config.debug.quicklistPackedThreshold = size == 0 ? DebugSettings.defaultQuicklistPackedThreshold : Int(size)
            return .ok
        }
        if named("set-skip-checksum-validation") && argc == 3 {
            let skip = atoiValue(args[2]) != 0
            context.engine.config.debug.skipChecksumValidation = skip
            return .ok
        }
        if named("pause-cron") && argc == 3 {
            let paused = atoiValue(args[2]) != 0
            context.engine.config.debug.cronPaused = paused
            return .ok
        }
        if named("aof-flush-sleep") && argc == 3 {
            let microseconds = atoiValue(args[2])
            context.engine.config.debug.aofFlushSleepMicroseconds = microseconds
            return .ok
        }
        if named("set-disable-deny-scripts") && argc == 3 {
            let disabled = atoiValue(args[2]) != 0
            context.engine.config.debug.disableDenyScripts = disabled
            return .ok
        }
        if named("replybuffer") && argc == 4 {
            if args[2].equalsLowercased("peak-reset-time") {
                let time: Int64
                if args[3].equalsLowercased("never") { time = -1 }
                else if args[3].equalsLowercased("reset") { time = DebugSettings.defaultReplyBufferPeakResetTime }
                else if let value = args[3].int64Value { time = value }
                else { return Errors.notInteger }
                context.engine.config.debug.replyBufferPeakResetTime = time
                return .ok
            }
            if args[2].equalsLowercased("resizing") {
                let enabled = atoiValue(args[3]) != 0
                context.engine.config.debug.replyBufferResizing = enabled
                return .ok
            }
            return .error("ERR unknown subcommand or wrong number of arguments for '", .bytes(sub.cPrefix(128)), "'. Try DEBUG HELP.")
        }
        if named("drop-cluster-packet-filter") && argc == 3 {
            guard let type = args[2].int64Value else { return Errors.notInteger }
            context.engine.config.debug.clusterPacketFilter = type
            return .ok
        }
        if named("clusterlink") && argc == 5 {
            return .error("ERR Debug option only available for cluster mode enabled setup!")
        }
        if named("change-repl-id") && argc == 2 {
            engine.replication.changeReplicationID()
            engine.log(.warning, "Changing replication IDs after receiving DEBUG change-repl-id")
            return .ok
        }
        if named("listpack") && argc == 3 { return debugListpack(context) }
        if named("quicklist") && (argc == 3 || argc == 4) { return debugQuicklist(context) }
        if named("sdslen") && argc == 3 { return debugSDSLength(context) }
        if named("htstats") && argc == 3 { return debugHashTableStats(context) }
        if named("htstats-key") && argc == 3 { return debugHashTableStatsKey(context) }
        if named("stringmatch-test") && argc == 2 {
            engine.log(.verbose, "DEBUG STRINGMATCH-TEST: \(stringMatchFuzz(cycles: 10_000_000)) matches")
            return .simple("Apparently Redis did not crash: test passed")
        }
        if named("structsize") && argc == 2 {
            return .simple("bits:\(Int.bitWidth) value:\(MemoryLayout<Value>.size) storedvalue:\(MemoryLayout<StoredValue>.size) "
                + "entry:\(MemoryLayout<HashTable<StoredValue>.Entry>.stride) bytes:\(MemoryLayout<Bytes>.size) ")
        }
        if named("error") && argc == 3 {
            // The argument is the whole error line, without Redis adding "ERR".
            return .error(args[2])
        }
        if named("leak") && argc == 3 { return .ok }
        if named("replicate") && argc >= 3 { return .ok }
        if named("client-eviction") && argc == 2 { return .error("ERR maxmemory-clients is disabled.") }
        if named("config-rewrite-force-all") && argc == 2 {
            return .error("ERR CONFIG-REWRITE-FORCE-ALL is not supported by Ember")
        }
        if named("segfault") || named("panic") || named("oom") || named("assert") {
            return .error("ERR DEBUG ", .bytes(sub.cPrefix(128).asciiLowercased()), " is not supported: Ember does not crash on request")
        }
        if named("crash-and-recover") || named("restart") {
            if argc >= 3 && args[2].int64Value == nil { return Errors.notInteger }
            return .error("ERR DEBUG ", .bytes(sub.cPrefix(128).asciiLowercased()), " is not supported: Ember does not restart itself")
        }
        if named("reload") { return context.engine.debugReload(context) }
        if named("loadaof") && argc == 2 { return context.engine.debugLoadAppendOnly() }
        return .error("ERR unknown subcommand or wrong number of arguments for '", .bytes(sub.cPrefix(128)), "'. Try DEBUG HELP.")
    }

    static func debugHelp() -> Reply {
        help("DEBUG", [
            "AOF-FLUSH-SLEEP <microsec>", "    Make the AOF writer sleep before each flush (for tests).",
            "CHANGE-REPL-ID", "    Change the replication IDs of the instance (for replication tests).",
            "DIGEST", "    Output a hex signature of the whole data set (Redis's DEBUG DIGEST algorithm).",
            "DIGEST-VALUE <key> [<key> ...]", "    Output a hex signature of the value of each <key>.",
            "ERROR <string>", "    Reply with <string> as an error (for client tests).",
            "LEAK <string>", "    Accepted for compatibility; Ember does not leak it.",
            "LOG <message>", "    Write <message> to the server log.",
            "HTSTATS <dbid>", "    Hash table statistics of the keys and expires of database <dbid>.",
            "HTSTATS-KEY <key>", "    Hash table statistics of the value at <key>.",
            "REPLICATE <string>", "    Accepted for compatibility (Ember has no replicas).",
            "OBJECT <key>", "    Show low level info about `key` and associated value.",
            "DROP-CLUSTER-PACKET-FILTER <packet-type>", "    Accepted for compatibility (Ember has no cluster bus).",
            "POPULATE <count> [<prefix>] [<size>]", "    Create <count> string keys named <prefix>:<num> (prefix 'key'), holding",
            "    value:<num> padded or cut to <size> bytes. Existing keys are left alone.",
            "PROTOCOL <type>", "    Reply with a test value of the specified type: string, integer, double,",
            "    bignum, null, array, set, map, attrib, push, verbatim, true, false.",
            "SDSLEN <key>", "    Show the lengths of the string at <key> and of its name.",
            "SET-ACTIVE-EXPIRE <0|1>", "    0 stops expiring keys in the background; 1 restores it.",
            "QUICKLIST-PACKED-THRESHOLD <size>", "    List elements of at least <size> bytes are plain quicklist nodes (0: 1gb).",
            "SET-SKIP-CHECKSUM-VALIDATION <0|1>", "    1 skips checksum checks of RDB files and RESTORE payloads.",
            "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.",
            "STRINGMATCH-TEST", "    Run a fuzz test of the glob-style pattern matcher.",
            "STRUCTSIZE", "    Sizes of Ember's core structures.",
            "LISTPACK <key>", "    Log the listpack encoding of <key>.",
            "QUICKLIST <key> [<0|1>]", "    Log the quicklist encoding of <key>; 1 adds the elements.",
            "CLIENT-EVICTION", "    Client eviction pools info (maxmemory-clients).",
            "PAUSE-CRON <0|1>", "    1 stops the periodic cron job; 0 restarts it.",
            "REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|time>", "    Set the reply buffer peak reset time, milliseconds.",
            "REPLYBUFFER RESIZING <0|1>", "    Enable or disable reply buffer resizing.",
        ])
    }

    /// DEBUG SLEEP: Redis turns the seconds (`strtod`: junk is 0) into a 64-bit count of
    /// microseconds and hands it to nanosleep. A negative count fails at once, and so does one
    /// that overflows (1e300, inf, nan, 9223372036854775807: C's conversion gives LLONG_MIN):
    /// the reply is OK in every case, right away unless there is something to sleep.
    static func debugSleep(_ argument: Bytes) -> Reply {
        if let microseconds = sleepMicroseconds(argument), microseconds > 0 {
            var request = timespec(tv_sec: Int(microseconds / 1_000_000), tv_nsec: Int(microseconds % 1_000_000) * 1000)
            var remaining = timespec()
            while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
        }
        return .ok
    }

    /// The microseconds DEBUG SLEEP would sleep, nil when the conversion overflows.
    static func sleepMicroseconds(_ argument: Bytes) -> Int64? {
        var text = argument.array
        text.append(0)
        let seconds = text.withUnsafeBufferPointer { strtod(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), nil) }
        let microseconds = seconds * 1_000_000
        guard microseconds.isFinite, microseconds >= -0x1p63, microseconds < 0x1p63 else { return nil }
        return Int64(microseconds)
    }

    /// An argument as C's `%s` prints it: up to the first NUL byte.
    static func debugCString(_ bytes: Bytes) -> String {
        let raw = bytes.array
        return String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Redis's `memtoull`: digits and an optional unit (b, k, kb, m, mb, g, gb), nil when
    /// malformed. No digits at all read as 0, as there.
    static func memoryValue(_ bytes: Bytes) -> UInt64? {
        let raw = Array(bytes.array.prefix { $0 != 0 })
        if raw.first == UInt8(ascii: "-") { return nil }
        let digitCount = raw.prefix { $0 >= 48 && $0 <= 57 }.count
        let unit = String(decoding: raw[digitCount...], as: UTF8.self).lowercased()
        let multiplier: UInt64
        switch unit {
        case "", "b": multiplier = 1
        case "k": multiplier = 1000
        case "kb": multiplier = 1024
        case "m": multiplier = 1000 * 1000
        case "mb": multiplier = 1024 * 1024
        case "g": multiplier = 1000 * 1000 * 1000
        case "gb": multiplier = 1024 * 1024 * 1024
        default: return nil
        }
        if digitCount >= 128 { return nil }
        var value: UInt64 = 0
        for digit in raw[0..<digitCount] {
            // strtoull saturates on overflow.
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - 48))
            value = overflow1 || overflow2 ? UInt64.max : sum
        }
        if value > UInt64.max / multiplier { return nil }
        return value * multiplier
    }

    /// DEBUG STRINGMATCH-TEST: random patterns and strings of up to 31 bytes of 7-bit
    /// characters through the glob matcher, which must neither crash nor hang. Returns the
    /// number of matches.
    static func stringMatchFuzz(cycles: Int) -> Int {
        var random = Xoshiro256(seed: UInt64.random(in: .min ... .max))
        var matches = 0
        var pattern = [UInt8](repeating: 0, count: 32), string = [UInt8](repeating: 0, count: 32)
        for _ in 0..<cycles {
            let stringLength = Int(random.next() % 32), patternLength = Int(random.next() % 32)
            for index in 0..<stringLength { string[index] = UInt8(random.next() % 128) }
            for index in 0..<patternLength { pattern[index] = UInt8(random.next() % 128) }
            if globMatch(Bytes(pattern[0..<patternLength]), Bytes(string[0..<stringLength])) { matches += 1 }
        }
        return matches
    }

    /// DEBUG POPULATE count [prefix] [size]: keys `prefix:N` holding `value:N`, zero-padded or
    /// cut to `size` bytes; existing keys are left alone. As in Redis the name is built in a
    /// 128-byte C buffer: the prefix ends at a NUL byte and the name is cut to 127 bytes.
    func populate(_ context: CommandContext) -> Reply {
        let args = context.args
        // getPositiveLongFromObjectOrReply: one message for "not a number" and "negative".
        guard let count = args[2].int64Value, count >= 0 else { return Errors.outOfRange }
        var size: Int64 = 0
        if args.count == 5 {
            guard let value = args[4].int64Value, value >= 0 else { return Errors.outOfRange }
            size = value
        }
        let prefix = args.count >= 4 ? Array(args[3].array.prefix { $0 != 0 }) : Array("key".utf8)
        let lru = context.lru
        var key = prefix
        key.append(UInt8(ascii: ":"))
        let prefixLength = key.count
        for number in 0..<count {
            key.removeSubrange(prefixLength...)
            appendDecimal(&key, number)
            if key.count > 127 { key.removeSubrange(127...) }
            let keyBytes = Bytes(key)
            if databases[context.db].find(keyBytes, now: context.now, stats: &stats) != nil { continue }
            var value = Array("value:".utf8)
            appendDecimal(&value, number)
            if size > 0 {
                if value.count > Int(size) { value.removeSubrange(Int(size)...) }
                else { value.append(contentsOf: repeatElement(0, count: Int(size) - value.count)) }
            }
            databases[context.db].add(keyBytes, .string(Bytes(value)), lru: lru)
        }
        return .ok
    }

    private func appendDecimal(_ array: inout [UInt8], _ value: Int64) {
        Bytes(decimal: value).withUnsafeBytes { array.append(contentsOf: $0) }
    }

    /// DEBUG PROTOCOL: a sample of each reply type, to test clients.
    static func protocolSample(_ name: Bytes, _ version: RESPVersion) -> Reply {
        if name.equalsLowercased("string") { return .bulk("Hello World") }
        if name.equalsLowercased("integer") { return .integer(12345) }
        if name.equalsLowercased("double") { return .double(3.141) }
        if name.equalsLowercased("bignum") { return .bigNumber("1234567999999999999999999999999999999") }
        if name.equalsLowercased("null") { return .null }
        if name.equalsLowercased("array") { return .array((0..<3).map { .integer($0) }) }
        if name.equalsLowercased("set") { return .set((0..<3).map { .integer($0) }) }
        if name.equalsLowercased("map") { return .map((0..<3).map { (.integer($0), .bool($0 == 1)) }) }
        if name.equalsLowercased("attrib") {
            // Attributes are not replies of their own: a real reply follows (dropped in RESP2).
            return .sequence([
                .attributes([(.bulk("key-popularity"), .array([.bulk("key:123"), .integer(90)]))]),
                .bulk("Some real reply following the attribute"),
            ])
        }
        if name.equalsLowercased("push") {
            if version == .resp2 { return .error("ERR RESP2 is not supported by this command") }
            return .sequence([
                .push([.bulk("server-cpu-usage"), .integer(42)]),
                .bulk("Some real reply following the push reply"),
            ])
        }
        if name.equalsLowercased("verbatim") { return .verbatim("This is a verbatim\nstring") }
        if name.equalsLowercased("true") { return .bool(true) }
        if name.equalsLowercased("false") { return .bool(false) }
        return .error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
    }
}
