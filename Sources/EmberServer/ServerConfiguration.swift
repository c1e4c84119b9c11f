import EmberRESP
import NIOCore
import EmberStore

/// The server's settings, read from a redis.conf-style file and redis-server-style flags
/// (`ember-server [file] --port 7000 --maxmemory 100mb`), with the same names as Redis.
public struct ServerConfiguration: Sendable {
    public var port = 6379
    public var bind = ["127.0.0.1", "-::1"]
    public var protectedMode = true
    public var queryBufferLimit = 1024 * 1024 * 1024
    public var timeout = 0
    public var tcpKeepalive = 300
    public var logLevel = "notice"
    public var logFile = ""
    /// Half the cores: commands run one at a time under the engine lock, so further threads
    /// only parse and encode, and they compete with the kernel's network stack and with
    /// clients on the same host (on 2 cores, 1 thread serves redis-benchmark 15-30% faster).
    public var ioThreads = max(1, System.coreCount / 2)
    public var configFile: String?
    public var engine = EngineConfiguration()

    public init() {}

    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Parses command-line arguments the way redis-server does: an optional config file first,
    /// then `--name value...` pairs that act as extra config lines.
    public static func parse(arguments: [String], readFile: (String) throws -> String) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        var arguments = arguments[...]
        var text = ""
        if let first = arguments.first, !first.hasPrefix("--") {
            configuration.configFile = first
            text = try readFile(first)
            arguments = arguments.dropFirst()
        }
        var line: [String] = []
        for argument in arguments {
            if argument.hasPrefix("--") {
                if !line.isEmpty { text += "\n" + line.joined(separator: " ") }
                line = [String(argument.dropFirst(2))]
            } else {
                guard !line.isEmpty else { throw Error(description: "Invalid argument '\(argument)'") }
                line.append(quoted(argument))
            }
        }
        if !line.isEmpty { text += "\n" + line.joined(separator: " ") }
        try configuration.apply(configText: text)
        return configuration
    }

    private static func quoted(_ value: String) -> String {
        if !value.isEmpty && !value.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\\" }) { return value }
        var escaped = "\""
        for character in value {
            if character == "\"" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "\""
    }

    /// Applies redis.conf lines: `name value...`, `#` comments, quoted values.
    public mutating func apply(configText: String) throws {
        for (number, rawLine) in configText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = rawLine.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            var lineBytes = Array(trimmed.utf8)
            guard let words = lineBytes.withUnsafeMutableBytes({ splitInlineArguments(UnsafeRawBufferPointer($0)) }), let name = words.first else {
                throw Error(description: "line \(number + 1): unbalanced quotes in configuration line")
            }
            let values = words.dropFirst().map(\.string)
            if let problem = set(name.string.lowercased(), values, startup: true) {
                throw Error(description: "line \(number + 1): '\(trimmed)': \(problem)")
            }
        }
    }

    // MARK: - Parameters

    /// Every parameter CONFIG GET reports, in a stable order.
    public static let parameterNames = [
        "port", "bind", "protected-mode", "requirepass", "maxmemory", "maxmemory-policy",
        "proto-max-bulk-len", "client-query-buffer-limit", "databases", "hz", "enable-debug-command",
        "timeout", "tcp-keepalive", "loglevel", "logfile", "io-threads", "save", "appendonly", "daemonize",
        "lfu-log-factor", "lfu-decay-time", "hash-max-listpack-entries", "hash-max-listpack-value",
        "hash-max-ziplist-entries", "hash-max-ziplist-value", "set-max-intset-entries",
        "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries", "zset-max-ziplist-value",
        "list-max-listpack-size", "list-max-ziplist-size", "list-compress-depth", "lazyfree-lazy-user-del",
        "lazyfree-lazy-user-flush",
    ]

    static let immutable: Set<String> = ["port", "bind", "databases", "io-threads", "daemonize", "logfile"]
    static let protected: Set<String> = ["enable-debug-command"]
    static let policies = [
        "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
        "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction",
    ]

    public func get(_ name: String) -> String? {
        switch name {
        case "port": return String(port)
        case "bind": return bind.joined(separator: " ")
        case "protected-mode": return protectedMode ? "yes" : "no"
        case "requirepass": return engine.requirePass?.string ?? ""
        case "maxmemory": return String(engine.maxMemory)
        case "maxmemory-policy": return engine.maxMemoryPolicy
        case "proto-max-bulk-len": return String(engine.protoMaxBulkLength)
        case "client-query-buffer-limit": return String(queryBufferLimit)
        case "databases": return String(engine.databases)
        case "hz": return String(engine.hz)
        case "enable-debug-command": return engine.enableDebugCommand
        case "timeout": return String(timeout)
        case "tcp-keepalive": return String(tcpKeepalive)
        case "loglevel": return logLevel
        case "logfile": return logFile
        case "io-threads": return String(ioThreads)
        case "lfu-log-factor": return String(engine.lfuLogFactor)
        case "lfu-decay-time": return String(engine.lfuDecayTime)
        case "hash-max-listpack-entries", "hash-max-ziplist-entries": return String(engine.limits.hashMaxListpackEntries)
        case "hash-max-listpack-value", "hash-max-ziplist-value": return String(engine.limits.hashMaxListpackValue)
        case "set-max-intset-entries": return String(engine.limits.setMaxIntsetEntries)
        case "zset-max-listpack-entries", "zset-max-ziplist-entries": return String(engine.limits.zsetMaxListpackEntries)
        case "zset-max-listpack-value", "zset-max-ziplist-value": return String(engine.limits.zsetMaxListpackValue)
        case "list-max-listpack-size", "list-max-ziplist-size": return String(engine.limits.listMaxListpackSize)
        case "list-compress-depth": return String(engine.limits.listCompressDepth)
        case "lazyfree-lazy-user-del": return engine.lazyFreeUserDel ? "yes" : "no"
        case "lazyfree-lazy-user-flush": return engine.lazyFreeUserFlush ? "yes" : "no"
        // Ember keeps no persistence yet: these report that truthfully and cannot be changed.
        case "save": return ""
        case "appendonly": return "no"
        case "daemonize": return "no"
        default: return nil
        }
    }

    /// Sets a parameter; returns a problem description (Redis's wording after the dash) or nil.
    public mutating func set(_ name: String, _ values: [String], startup: Bool) -> String? {
        guard Self.parameterNames.contains(name) else { return "Bad directive or wrong number of arguments" }
        if !startup && Self.immutable.contains(name) { return "can't set immutable config" }
        if !startup && Self.protected.contains(name) { return "can't set protected config" }
        let value = values.joined(separator: " ")
        if name != "bind" && name != "save" && values.count != 1 { return "wrong number of arguments" }
        do {
            try apply(name, value, values)
        } catch {
            return error.text
        }
        return nil
    }

    private mutating func apply(_ name: String, _ value: String, _ values: [String]) throws(Problem) {
        switch name {
        case "port":
            port = try Self.integer(value, in: 0...65535)
        case "bind": bind = values
        case "protected-mode":
            guard let flag = Self.yesNo(value) else { throw Problem(text: "argument must be 'yes' or 'no'") }
            protectedMode = flag
        case "requirepass": engine.requirePass = value.isEmpty ? nil : Bytes(value)
        case "maxmemory":
            guard let bytes = Self.memory(value) else { throw Problem(text: "argument must be a memory value") }
            engine.maxMemory = bytes
        case "maxmemory-policy":
            guard Self.policies.contains(value.lowercased()) else { throw Problem(text: "argument(s) must be one of the following: \(Self.policies.joined(separator: ", "))") }
            engine.maxMemoryPolicy = value.lowercased()
        case "proto-max-bulk-len":
            guard let bytes = Self.memory(value) else { throw Problem(text: "argument must be a memory value") }
            guard bytes >= 1024 * 1024 else { throw Problem(text: "argument must be between 1048576 and 9223372036854775807 inclusive") }
            engine.protoMaxBulkLength = Int(bytes)
        case "client-query-buffer-limit":
            guard let bytes = Self.memory(value) else { throw Problem(text: "argument must be a memory value") }
            guard bytes >= 1024 * 1024 else { throw Problem(text: "argument must be between 1048576 and 9223372036854775807 inclusive") }
            queryBufferLimit = Int(bytes)
        case "databases":
            engine.databases = try Self.integer(value, in: 1...Int(Int32.max))
        case "hz":
            // Accepted from 0, then kept within 1...500 as Redis does (CONFIG_MIN_HZ/CONFIG_MAX_HZ).
            engine.hz = min(max(try Self.integer(value, in: 0...Int(Int32.max)), 1), 500)
        case "lfu-log-factor":
            engine.lfuLogFactor = try Self.integer(value, in: 0...Int(Int32.max))
        case "lfu-decay-time":
            engine.lfuDecayTime = try Self.integer(value, in: 0...Int(Int32.max))
        case "hash-max-listpack-entries", "hash-max-ziplist-entries":
            engine.limits.hashMaxListpackEntries = try Self.integer(value, in: 0...Int.max)
        case "hash-max-listpack-value", "hash-max-ziplist-value":
            engine.limits.hashMaxListpackValue = try Self.integer(value, in: 0...Int.max)
        case "set-max-intset-entries":
            engine.limits.setMaxIntsetEntries = try Self.integer(value, in: 0...Int.max)
        case "zset-max-listpack-entries", "zset-max-ziplist-entries":
            engine.limits.zsetMaxListpackEntries = try Self.integer(value, in: 0...Int.max)
        case "zset-max-listpack-value", "zset-max-ziplist-value":
            engine.limits.zsetMaxListpackValue = try Self.integer(value, in: 0...Int.max)
        case "list-max-listpack-size", "list-max-ziplist-size":
            engine.limits.listMaxListpackSize = try Self.integer(value, in: Int(Int32.min)...Int(Int32.max))
        case "list-compress-depth":
            engine.limits.listCompressDepth = try Self.integer(value, in: 0...Int(Int32.max))
        case "lazyfree-lazy-user-del": engine.lazyFreeUserDel = try Self.boolean(value)
        case "lazyfree-lazy-user-flush": engine.lazyFreeUserFlush = try Self.boolean(value)
        case "enable-debug-command":
            let lowered = value.lowercased()
            guard ["yes", "no", "local"].contains(lowered) else { throw Problem(text: "argument(s) must be one of the following: no, yes, local") }
            engine.enableDebugCommand = lowered
        case "timeout":
            timeout = try Self.integer(value, in: 0...Int(Int32.max))
        case "tcp-keepalive":
            tcpKeepalive = try Self.integer(value, in: 0...Int(Int32.max))
        case "loglevel":
            let lowered = value.lowercased()
            guard ["debug", "verbose", "notice", "warning", "nothing"].contains(lowered) else { throw Problem(text: "argument(s) must be one of the following: debug, verbose, notice, warning, nothing") }
            logLevel = lowered
        case "logfile": logFile = value
        case "io-threads":
            ioThreads = try Self.integer(value, in: 1...128)
        case "save":
            guard value.isEmpty || value == "\"\"" else { throw Problem(text: "persistence is not supported by this server") }
        case "appendonly":
            guard value.lowercased() == "no" else { throw Problem(text: "persistence is not supported by this server") }
        case "daemonize":
            guard value.lowercased() == "no" else { throw Problem(text: "daemonize is not supported; run under a supervisor") }
        default:
            throw Problem(text: "Bad directive or wrong number of arguments")
        }
    }

    /// Why a value was refused: Redis's wording after the dash of CONFIG SET's error.
    struct Problem: Swift.Error {
        let text: String
    }

    /// An integer parameter, with Redis's two messages (`numericParseString` and its bounds check).
    static func integer(_ value: String, in range: ClosedRange<Int>) throws(Problem) -> Int {
        guard let parsed = Bytes(value).int64Value else {
            throw Problem(text: "argument couldn't be parsed into an integer")
        }
        guard parsed >= Int64(range.lowerBound), parsed <= Int64(range.upperBound) else {
            throw Problem(text: "argument must be between \(range.lowerBound) and \(range.upperBound) inclusive")
        }
        return Int(parsed)
    }

    /// A yes/no argument, with Redis's message for anything else.
    static func boolean(_ value: String) throws(Problem) -> Bool {
        guard let parsed = yesNo(value) else { throw Problem(text: "argument must be 'yes' or 'no'") }
        return parsed
    }

    static func yesNo(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "yes": return true
        case "no": return false
        default: return nil
        }
    }

    /// Redis's `memtoull`: `1k` = 1000, `1kb` = 1024, likewise m/mb and g/gb.
    static func memory(_ text: String) -> Int64? {
        let lowered = text.lowercased()
        let units: [(String, Int64)] = [("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024 * 1024 * 1024), ("k", 1000), ("m", 1_000_000), ("g", 1_000_000_000), ("b", 1)]
        for (suffix, multiplier) in units where lowered.hasSuffix(suffix) {
            guard let number = Int64(lowered.dropLast(suffix.count)), number >= 0 else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
            return overflow ? nil : product
        }
        guard let number = Int64(lowered), number >= 0 else { return nil }
        return number
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
