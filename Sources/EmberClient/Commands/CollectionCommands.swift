import EmberRESP

// MARK: - Hashes

extension RedisCommandExecutor {
    /// HGET: the value of `field` in the hash at `key`, nil when either is missing.
    public func hget(_ key: some RESPArgumentConvertible, field: some RESPArgumentConvertible) async throws -> Bytes? {
        try await execute(RESPCommand("HGET", key, field), as: Bytes?.self)
    }

    /// HGET, decoded.
    public func hget<Value: RESPValueDecodable>(_ key: some RESPArgumentConvertible, field: some RESPArgumentConvertible, as type: Value.Type) async throws -> Value? {
        try await execute(RESPCommand("HGET", key, field), as: Value?.self)
    }

    /// HSET: sets one field; returns whether the field is new.
    @discardableResult
    public func hset(_ key: some RESPArgumentConvertible, field: some RESPArgumentConvertible, to value: some RESPArgumentConvertible) async throws -> Bool {
        try await execute(RESPCommand("HSET", key, field, value), as: Int.self) == 1
    }

    /// HSET: sets the fields; returns how many are new.
    @discardableResult
    public func hset(_ key: some RESPArgumentConvertible, fields: [(any RESPArgumentConvertible, any RESPArgumentConvertible)]) async throws -> Int {
        var command = RESPCommand("HSET", key)
        for (field, value) in fields {
            command.append(field)
            command.append(value)
        }
        return try await execute(command, as: Int.self)
    }

    /// HSET: sets every field of `fields`; returns how many are new.
    @discardableResult
    public func hset<Field: RESPArgumentConvertible & Hashable, Value: RESPArgumentConvertible>(_ key: some RESPArgumentConvertible, fields: [Field: Value]) async throws -> Int {
        try await hset(key, fields: fields.map { ($0.key as any RESPArgumentConvertible, $0.value as any RESPArgumentConvertible) })
    }

    /// HGETALL: every field and value (empty when the key does not exist).
    public func hgetall(_ key: some RESPArgumentConvertible) async throws -> [Bytes: Bytes] {
        try await execute(RESPCommand("HGETALL", key), as: [Bytes: Bytes].self)
    }

    /// HGETALL, with fields as strings and values decoded.
    public func hgetall<Value: RESPValueDecodable>(_ key: some RESPArgumentConvertible, as type: Value.Type) async throws -> [String: Value] {
        try await execute(RESPCommand("HGETALL", key), as: [String: Value].self)
    }

    /// HDEL: removes the fields; returns how many existed.
    @discardableResult
    public func hdel(_ key: some RESPArgumentConvertible, fields: [some RESPArgumentConvertible]) async throws -> Int {
        var command = RESPCommand("HDEL", key)
        command.append(contentsOf: fields)
        return try await execute(command, as: Int.self)
    }
}

// MARK: - Lists

extension RedisCommandExecutor {
    /// LPUSH: inserts the values at the head, one after another; returns the new length.
    @discardableResult
    public func lpush(_ key: some RESPArgumentConvertible, _ values: [some RESPArgumentConvertible]) async throws -> Int {
        var command = RESPCommand("LPUSH", key)
        command.append(contentsOf: values)
        return try await execute(command, as: Int.self)
    }

    /// LPUSH: inserts the values at the head, one after another; returns the new length.
    @discardableResult
    public func lpush(_ key: some RESPArgumentConvertible, _ values: any RESPArgumentConvertible...) async throws -> Int {
        try await execute(RESPCommand(["LPUSH", key] + values), as: Int.self)
    }

    /// RPUSH: appends the values at the tail; returns the new length.
    @discardableResult
    public func rpush(_ key: some RESPArgumentConvertible, _ values: [some RESPArgumentConvertible]) async throws -> Int {
        var command = RESPCommand("RPUSH", key)
        command.append(contentsOf: values)
        return try await execute(command, as: Int.self)
    }

    /// RPUSH: appends the values at the tail; returns the new length.
    @discardableResult
    public func rpush(_ key: some RESPArgumentConvertible, _ values: any RESPArgumentConvertible...) async throws -> Int {
        try await execute(RESPCommand(["RPUSH", key] + values), as: Int.self)
    }

    /// LPOP: removes and returns the first element, nil when the list does not exist.
    public func lpop(_ key: some RESPArgumentConvertible) async throws -> Bytes? {
        try await execute(RESPCommand("LPOP", key), as: Bytes?.self)
    }

    /// LPOP with a count: removes and returns up to `count` elements from the head.
    public func lpop(_ key: some RESPArgumentConvertible, count: Int) async throws -> [Bytes] {
        try await execute(RESPCommand("LPOP", key, count), as: [Bytes].self)
    }

    /// RPOP: removes and returns the last element, nil when the list does not exist.
    public func rpop(_ key: some RESPArgumentConvertible) async throws -> Bytes? {
        try await execute(RESPCommand("RPOP", key), as: Bytes?.self)
    }

    /// LRANGE: the elements from `start` to `stop`, inclusive (negative indexes count from the end).
    public func lrange(_ key: some RESPArgumentConvertible, start: Int, stop: Int) async throws -> [Bytes] {
        try await execute(RESPCommand("LRANGE", key, start, stop), as: [Bytes].self)
    }

    /// LRANGE, decoded.
    public func lrange<Value: RESPValueDecodable>(_ key: some RESPArgumentConvertible, start: Int, stop: Int, as type: Value.Type) async throws -> [Value] {
        try await execute(RESPCommand("LRANGE", key, start, stop), as: [Value].self)
    }

    /// LLEN: the length of the list (0 when it does not exist).
    public func llen(_ key: some RESPArgumentConvertible) async throws -> Int {
        try await execute(RESPCommand("LLEN", key), as: Int.self)
    }
}

// MARK: - Sets

extension RedisCommandExecutor {
    /// SADD: adds the members; returns how many were not there yet.
    @discardableResult
    public func sadd(_ key: some RESPArgumentConvertible, _ members: [some RESPArgumentConvertible]) async throws -> Int {
        var command = RESPCommand("SADD", key)
        command.append(contentsOf: members)
        return try await execute(command, as: Int.self)
    }

    /// SADD: adds the members; returns how many were not there yet.
    @discardableResult
    public func sadd(_ key: some RESPArgumentConvertible, _ members: any RESPArgumentConvertible...) async throws -> Int {
        try await execute(RESPCommand(["SADD", key] + members), as: Int.self)
    }

    /// SMEMBERS: every member (empty when the key does not exist).
    public func smembers(_ key: some RESPArgumentConvertible) async throws -> Set<Bytes> {
        try await execute(RESPCommand("SMEMBERS", key), as: Set<Bytes>.self)
    }

    /// SMEMBERS, decoded.
    public func smembers<Member: RESPValueDecodable & Hashable>(_ key: some RESPArgumentConvertible, as type: Member.Type) async throws -> Set<Member> {
        try await execute(RESPCommand("SMEMBERS", key), as: Set<Member>.self)
    }

    /// SISMEMBER: whether `member` is in the set.
    public func sismember(_ key: some RESPArgumentConvertible, _ member: some RESPArgumentConvertible) async throws -> Bool {
        try await execute(RESPCommand("SISMEMBER", key, member), as: Bool.self)
    }

    /// SCARD: the number of members.
    public func scard(_ key: some RESPArgumentConvertible) async throws -> Int {
        try await execute(RESPCommand("SCARD", key), as: Int.self)
    }
}

// MARK: - Sorted sets

/// Options of ZADD.
public struct ZAddOptions: Sendable, Hashable {
    public enum Condition: Sendable, Hashable {
        case always
        /// NX: only add new members.
        case ifNotExists
        /// XX: only update existing members.
        case ifExists
    }

    public enum Comparison: Sendable, Hashable {
        /// GT: only update when the new score is greater.
        case greaterThan
        /// LT: only update when the new score is less.
        case lessThan
    }

    public var condition: Condition
    public var comparison: Comparison?
    /// CH: count changed members (added or updated) rather than added ones.
    public var returnChanged: Bool

    public init(condition: Condition = .always, comparison: Comparison? = nil, returnChanged: Bool = false) {
        self.condition = condition
        self.comparison = comparison
        self.returnChanged = returnChanged
    }
}

/// A sorted set member with its score.
public struct SortedSetEntry<Member: Sendable>: Sendable {
    public var member: Member
    public var score: Double

    public init(member: Member, score: Double) {
        self.member = member
        self.score = score
    }
}

extension SortedSetEntry: Equatable where Member: Equatable {}
extension SortedSetEntry: Hashable where Member: Hashable {}

extension RedisCommandExecutor {
    /// ZADD: adds members or updates their scores; returns how many were added (or changed,
    /// with `returnChanged`).
    @discardableResult
    public func zadd<Member: RESPArgumentConvertible>(
        _ key: some RESPArgumentConvertible,
        _ members: [(score: Double, member: Member)],
        options: ZAddOptions = ZAddOptions()
    ) async throws -> Int {
        var command = RESPCommand("ZADD", key)
        switch options.condition {
        case .always: break
        case .ifNotExists: command.append("NX")
        case .ifExists: command.append("XX")
        }
        switch options.comparison {
        case .greaterThan: command.append("GT")
        case .lessThan: command.append("LT")
        case nil: break
        }
        if options.returnChanged { command.append("CH") }
        for (score, member) in members {
            command.append(score)
            command.append(member)
        }
        return try await execute(command, as: Int.self)
    }

    /// ZADD of one member.
    @discardableResult
    public func zadd(_ key: some RESPArgumentConvertible, score: Double, member: some RESPArgumentConvertible, options: ZAddOptions = ZAddOptions()) async throws -> Int {
        try await zadd(key, [(score: score, member: member)], options: options)
    }

    /// ZRANGE by rank: members from `start` to `stop`, inclusive, lowest score first.
    public func zrange(_ key: some RESPArgumentConvertible, start: Int, stop: Int) async throws -> [Bytes] {
        try await execute(RESPCommand("ZRANGE", key, start, stop), as: [Bytes].self)
    }

    /// ZRANGE ... WITHSCORES: members and scores from `start` to `stop`, lowest score first.
    /// Reads RESP3's `[member, score]` pairs and RESP2's flat list alike.
    public func zrangeWithScores(_ key: some RESPArgumentConvertible, start: Int, stop: Int) async throws -> [SortedSetEntry<Bytes>] {
        let reply = try await execute(RESPCommand("ZRANGE", key, start, stop, "WITHSCORES"))
        return try Self.scoredMembers(reply)
    }

    /// ZSCORE: the member's score, nil when the member or key is missing.
    public func zscore(_ key: some RESPArgumentConvertible, member: some RESPArgumentConvertible) async throws -> Double? {
        try await execute(RESPCommand("ZSCORE", key, member), as: Double?.self)
    }

    /// ZCARD: the number of members.
    public func zcard(_ key: some RESPArgumentConvertible) async throws -> Int {
        try await execute(RESPCommand("ZCARD", key), as: Int.self)
    }

    static func scoredMembers(_ reply: RESPValue) throws -> [SortedSetEntry<Bytes>] {
        if case .null = reply { return [] }
        guard let elements = reply.elements else {
            throw RedisClientError.unexpectedReply(reply, expected: "members with scores")
        }
        var result: [SortedSetEntry<Bytes>] = []
        if let first = elements.first, case .array = first {
            result.reserveCapacity(elements.count)
            for element in elements {
                guard let pair = element.elements, pair.count == 2 else {
                    throw RedisClientError.unexpectedReply(reply, expected: "[member, score] pairs")
                }
                result.append(SortedSetEntry(member: try Bytes(fromRESP: pair[0]), score: try Double(fromRESP: pair[1])))
            }
        } else {
            guard elements.count % 2 == 0 else {
                throw RedisClientError.unexpectedReply(reply, expected: "alternating members and scores")
            }
            result.reserveCapacity(elements.count / 2)
            var index = 0
            while index < elements.count {
                result.append(SortedSetEntry(member: try Bytes(fromRESP: elements[index]), score: try Double(fromRESP: elements[index + 1])))
                index += 2
            }
        }
        return result
    }
}
