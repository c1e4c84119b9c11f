import EmberRESP

/// Options of SET: an expiration and a condition.
///
/// ```swift
/// try await client.set("session", to: token, options: .init(expiration: .seconds(60), condition: .ifNotExists))
/// ```
public struct SetOptions: Sendable, Hashable {
    public enum Expiration: Sendable, Hashable {
        /// EX: expires this many seconds from now.
        case seconds(Int)
        /// PX: expires this many milliseconds from now.
        case milliseconds(Int)
        /// EXAT: expires at this Unix time, in seconds.
        case unixTimeSeconds(Int)
        /// PXAT: expires at this Unix time, in milliseconds.
        case unixTimeMilliseconds(Int)
        /// KEEPTTL: keeps the key's current time to live.
        case keepTTL

        /// Expires after `duration`: EX when it is whole seconds, PX otherwise.
        public static func after(_ duration: Duration) -> Expiration {
            let (seconds, attoseconds) = duration.components
            if attoseconds == 0 { return .seconds(Int(seconds)) }
            return .milliseconds(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
        }
    }

    public enum Condition: Sendable, Hashable {
        case always
        /// NX: only if the key does not exist.
        case ifNotExists
        /// XX: only if the key exists.
        case ifExists
    }

    public var expiration: Expiration?
    public var condition: Condition

    public init(expiration: Expiration? = nil, condition: Condition = .always) {
        self.expiration = expiration
        self.condition = condition
    }

    /// Appends the options' arguments to `command`.
    func append(to command: inout RESPCommand) {
        switch expiration {
        case .seconds(let value): command.append("EX"); command.append(value)
        case .milliseconds(let value): command.append("PX"); command.append(value)
        case .unixTimeSeconds(let value): command.append("EXAT"); command.append(value)
        case .unixTimeMilliseconds(let value): command.append("PXAT"); command.append(value)
        case .keepTTL: command.append("KEEPTTL")
        case nil: break
        }
        switch condition {
        case .always: break
        case .ifNotExists: command.append("NX")
        case .ifExists: command.append("XX")
        }
    }
}

extension RedisCommandExecutor {
    // MARK: GET / SET

    /// GET: the value of `key`, nil when it does not exist.
    public func get(_ key: some RESPArgumentConvertible) async throws -> Bytes? {
        try await execute(RESPCommand("GET", key), as: Bytes?.self)
    }

    /// GET, decoded: `try await client.get("name", as: String.self)`.
    public func get<Value: RESPValueDecodable>(_ key: some RESPArgumentConvertible, as type: Value.Type) async throws -> Value? {
        try await execute(RESPCommand("GET", key), as: Value?.self)
    }

    /// SET: stores `value` at `key`. Returns false when the condition (NX/XX) was not met.
    @discardableResult
    public func set(_ key: some RESPArgumentConvertible, to value: some RESPArgumentConvertible, options: SetOptions = SetOptions()) async throws -> Bool {
        var command = RESPCommand("SET", key, value)
        options.append(to: &command)
        return try await execute(command, as: Bool.self)
    }

    // MARK: MGET / MSET

    /// MGET: the values of `keys`, nil for each key that does not exist.
    public func mget(_ keys: [some RESPArgumentConvertible]) async throws -> [Bytes?] {
        try await mget(keys, as: Bytes.self)
    }

    /// MGET: the values of `keys`, nil for each key that does not exist.
    public func mget(_ keys: any RESPArgumentConvertible...) async throws -> [Bytes?] {
        try await execute(RESPCommand(["MGET"] + keys), as: [Bytes?].self)
    }

    /// MGET, decoded.
    public func mget<Value: RESPValueDecodable>(_ keys: [some RESPArgumentConvertible], as type: Value.Type) async throws -> [Value?] {
        var command: RESPCommand = ["MGET"]
        command.append(contentsOf: keys)
        return try await execute(command, as: [Value?].self)
    }

    /// MSET: stores every pair, atomically.
    public func mset(_ pairs: [(any RESPArgumentConvertible, any RESPArgumentConvertible)]) async throws {
        var command: RESPCommand = ["MSET"]
        for (key, value) in pairs {
            command.append(key)
            command.append(value)
        }
        _ = try await execute(command)
    }

    /// MSET: stores every key and value of `dictionary`, atomically.
    public func mset<Key: RESPArgumentConvertible & Hashable, Value: RESPArgumentConvertible>(_ dictionary: [Key: Value]) async throws {
        try await mset(dictionary.map { ($0.key as any RESPArgumentConvertible, $0.value as any RESPArgumentConvertible) })
    }

    // MARK: Counters

    /// INCR: adds 1 to the integer at `key` (0 when missing) and returns the result.
    @discardableResult
    public func incr(_ key: some RESPArgumentConvertible) async throws -> Int {
        try await execute(RESPCommand("INCR", key), as: Int.self)
    }

    /// INCRBY: adds `increment` to the integer at `key` (0 when missing) and returns the result.
    @discardableResult
    public func incrBy(_ key: some RESPArgumentConvertible, by increment: Int) async throws -> Int {
        try await execute(RESPCommand("INCRBY", key, increment), as: Int.self)
    }

    /// DECR: subtracts 1 from the integer at `key` and returns the result.
    @discardableResult
    public func decr(_ key: some RESPArgumentConvertible) async throws -> Int {
        try await execute(RESPCommand("DECR", key), as: Int.self)
    }

    /// DECRBY: subtracts `decrement` from the integer at `key` and returns the result.
    @discardableResult
    public func decrBy(_ key: some RESPArgumentConvertible, by decrement: Int) async throws -> Int {
        try await execute(RESPCommand("DECRBY", key, decrement), as: Int.self)
    }
}
