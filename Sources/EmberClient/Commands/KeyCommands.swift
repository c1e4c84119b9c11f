import EmberRESP

/// A key's remaining time to live, as TTL and PTTL report it.
public enum TimeToLive: Sendable, Hashable {
    /// The key does not exist (-2).
    case keyNotFound
    /// The key exists and has no expiration (-1).
    case noExpiration
    /// The key expires after this long.
    case expires(in: Duration)

    init(reply: Int, unit: (Int) -> Duration) {
        switch reply {
        case -2: self = .keyNotFound
        case ..<0: self = .noExpiration
        default: self = .expires(in: unit(reply))
        }
    }
}

/// The condition of EXPIRE and PEXPIRE (Redis 7.0).
public enum ExpireCondition: String, Sendable, Hashable {
    /// NX: only when the key has no expiration.
    case ifNoExpiration = "NX"
    /// XX: only when the key has an expiration.
    case ifHasExpiration = "XX"
    /// GT: only when the new expiration is later.
    case ifGreater = "GT"
    /// LT: only when the new expiration is sooner.
    case ifLess = "LT"
}

extension RedisCommandExecutor {
    /// DEL: removes the keys; returns how many existed.
    @discardableResult
    public func del(_ keys: [some RESPArgumentConvertible]) async throws -> Int {
        var command: RESPCommand = ["DEL"]
        command.append(contentsOf: keys)
        return try await execute(command, as: Int.self)
    }

    /// DEL: removes the keys; returns how many existed.
    @discardableResult
    public func del(_ keys: any RESPArgumentConvertible...) async throws -> Int {
        try await execute(RESPCommand(["DEL"] + keys), as: Int.self)
    }

    /// EXISTS: how many of the keys exist (a key named twice counts twice).
    public func exists(_ keys: [some RESPArgumentConvertible]) async throws -> Int {
        var command: RESPCommand = ["EXISTS"]
        command.append(contentsOf: keys)
        return try await execute(command, as: Int.self)
    }

    /// EXISTS: how many of the keys exist (a key named twice counts twice).
    public func exists(_ keys: any RESPArgumentConvertible...) async throws -> Int {
        try await execute(RESPCommand(["EXISTS"] + keys), as: Int.self)
    }

    /// EXPIRE: sets the key to expire in `seconds`; false when the key does not exist or the
    /// condition was not met.
    @discardableResult
    public func expire(_ key: some RESPArgumentConvertible, seconds: Int, condition: ExpireCondition? = nil) async throws -> Bool {
        var command = RESPCommand("EXPIRE", key, seconds)
        if let condition { command.append(condition.rawValue) }
        return try await execute(command, as: Bool.self)
    }

    /// PEXPIRE: sets the key to expire in `milliseconds`.
    @discardableResult
    public func pexpire(_ key: some RESPArgumentConvertible, milliseconds: Int, condition: ExpireCondition? = nil) async throws -> Bool {
        var command = RESPCommand("PEXPIRE", key, milliseconds)
        if let condition { command.append(condition.rawValue) }
        return try await execute(command, as: Bool.self)
    }

    /// PERSIST: removes the key's expiration; false when it had none or does not exist.
    @discardableResult
    public func persist(_ key: some RESPArgumentConvertible) async throws -> Bool {
        try await execute(RESPCommand("PERSIST", key), as: Bool.self)
    }

    /// TTL: the remaining time to live, in whole seconds.
    public func ttl(_ key: some RESPArgumentConvertible) async throws -> TimeToLive {
        TimeToLive(reply: try await execute(RESPCommand("TTL", key), as: Int.self), unit: Duration.seconds)
    }

    /// PTTL: the remaining time to live, in milliseconds.
    public func pttl(_ key: some RESPArgumentConvertible) async throws -> TimeToLive {
        TimeToLive(reply: try await execute(RESPCommand("PTTL", key), as: Int.self), unit: Duration.milliseconds)
    }

    /// TYPE: `string`, `list`, `set`, `zset`, `hash`, or `none`.
    public func type(_ key: some RESPArgumentConvertible) async throws -> String {
        try await execute(RESPCommand("TYPE", key), as: String.self)
    }

    /// PING: `PONG`.
    @discardableResult
    public func ping() async throws -> String {
        try await execute(["PING"], as: String.self)
    }
}
