import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Engine {
    func registerDebugCommand() {
        register("debug", Engine.debug)
    }

    static func debug(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        let sub = args[1]
        if sub.equalsLowercased("help") {
            return help("DEBUG", [
                "CHANGE-REPL-ID", "    Change the replication IDs of the instance.",
                "LOG <message>", "    Write <message> to the server log.",
                "OBJECT <key>", "    Show low level info about the `key` and associated value.",
                "POPULATE <count> [<prefix>] [<size>]", "    Create <count> string keys named key:<num>.",
                "PROTOCOL <type>", "    Reply with a test value of the specified type.",
                "SET-ACTIVE-EXPIRE <0|1>", "    Setting it to 0 disables expiring keys in background.",
                "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.",
            ])
        }
        if sub.equalsLowercased("sleep") && args.count == 3 {
            let seconds = args[2].withUnsafeBytes { raw -> Double in
                var text = Array(raw)
                text.append(0)
                return text.withUnsafeBufferPointer { strtod(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), nil) }
            }
            if seconds > 0 && seconds.isFinite {
                let seconds = min(seconds, 1e9)
                var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
                var remaining = timespec()
                while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
            }
            return .ok
        }
        if sub.equalsLowercased("set-active-expire") && args.count == 3 {
            engine.config.activeExpireEnabled = atoi(args[2]) != 0
            return .ok
        }
        if sub.equalsLowercased("object") && args.count == 3 {
            guard let stored = engine.peek(args[2], context) else { return .error("ERR no such key") }
            return .simple(engine.debugObject(stored, now: context.lru))
        }
        if sub.equalsLowercased("populate") && (3...5).contains(args.count) {
            return engine.populate(context)
        }
        if sub.equalsLowercased("protocol") && args.count == 3 {
            return protocolSample(args[2], context.client.protocolVersion)
        }
        if sub.equalsLowercased("change-repl-id") && args.count == 2 { return .ok }
        if sub.equalsLowercased("log") && args.count == 3 { return .ok }
        return .error("ERR unknown subcommand or wrong number of arguments for '", .bytes(sub.cPrefix(128)), "'. Try DEBUG HELP.")
    }

    private static func atoi(_ bytes: Bytes) -> Int {
        var text = bytes.array
        text.append(0)
        return text.withUnsafeBufferPointer { Int(Glibc.atoi(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self))) }
    }

    /// DEBUG POPULATE count [prefix] [size]: keys `prefix:N` holding `value:N`, zero-padded or
    /// truncated to `size` bytes; existing keys are left alone.
    func populate(_ context: CommandContext) -> Reply {
        let args = context.args
        // getPositiveLongFromObjectOrReply: one message for "not a number" and "negative".
        guard let count = args[2].int64Value, count >= 0 else { return Errors.outOfRange }
        var size: Int64 = 0
        if args.count == 5 {
            guard let value = args[4].int64Value, value >= 0 else { return Errors.outOfRange }
            size = value
        }
        let prefix = args.count >= 4 ? args[3].array : Array("key".utf8)
        let lru = context.lru
        var key = prefix
        key.append(UInt8(ascii: ":"))
        let prefixLength = key.count
        for number in 0..<count {
            key.removeSubrange(prefixLength...)
            appendDecimal(&key, number)
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
