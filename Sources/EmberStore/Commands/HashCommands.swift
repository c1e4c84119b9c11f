import EmberRESP

/// The hash family: HSET HSETNX HGET HMSET HMGET HGETALL HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS
/// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, with Redis 7.0's replies and errors.
extension Engine {
    func registerHashCommands() {
        register("hset") { $0.engine.hset($0, replyWithCount: true) }
        register("hmset") { $0.engine.hset($0, replyWithCount: false) }
        register("hsetnx", Engine.hsetnx)
        register("hget") { context in
            switch context.engine.readHash(context.args[1], context) {
            case .wrongType: return Errors.wrongType
            case .missing: return .null
            case .found(let hash): return .bulkOrNull(hash.value(for: context.args[2]))
            }
        }
        register("hmget") { context in
            let fields = context.args.dropFirst(2)
            switch context.engine.readHash(context.args[1], context) {
            case .wrongType: return Errors.wrongType
            case .missing: return .array(fields.map { _ in .null })
            case .found(let hash): return .array(fields.map { .bulkOrNull(hash.value(for: $0)) })
            }
        }
        register("hgetall") { context in
            context.engine.readHashReply(context) { hash in .map(hash.pairs.map { (.bulk($0.field), .bulk($0.value)) }) } missing: { .map([]) }
        }
        register("hkeys") { context in
            context.engine.readHashReply(context) { hash in .array(hash.pairs.map { .bulk($0.field) }) } missing: { .array([]) }
        }
        register("hvals") { context in
            context.engine.readHashReply(context) { hash in .array(hash.pairs.map { .bulk($0.value) }) } missing: { .array([]) }
        }
        register("hlen") { context in
            context.engine.readHashReply(context) { .integer(Int64($0.count)) } missing: { .integer(0) }
        }
        register("hstrlen") { context in
            context.engine.readHashReply(context) { hash in
                .integer(Int64(hash.value(for: context.args[2])?.count ?? 0))
            } missing: { .integer(0) }
        }
        register("hexists") { context in
            context.engine.readHashReply(context) { hash in
                .integer(hash.value(for: context.args[2]) == nil ? 0 : 1)
            } missing: { .integer(0) }
        }
        register("hdel", Engine.hdel)
        register("hincrby", Engine.hincrby)
        register("hincrbyfloat", Engine.hincrbyfloat)
        register("hrandfield", Engine.hrandfield)
        register("hscan", Engine.hscan)
    }

    /// Looks `key` up for reading and checks that it holds a hash.
    func readHash(_ key: Bytes, _ context: CommandContext) -> CollectionLookup<HashValue> {
        readCollection(key, context, as: HashValue.self)
    }

    func readHashReply(_ context: CommandContext, _ body: (HashValue) -> Reply, missing: () -> Reply) -> Reply {
        readCollectionReply(context, as: HashValue.self, body, missing: missing)
    }

    func writeHash(_ key: Bytes, _ context: CommandContext, create: Bool) -> CollectionSlot {
        writeCollection(key, context, as: HashValue.self, create: create)
    }

    func modifyHash<R>(at index: Int, _ context: CommandContext, _ body: (inout HashValue) -> R) -> R {
        modifyCollection(at: index, context, as: HashValue.self, body)
    }

    func modifyHash<R>(at index: Int, _ context: CommandContext, reportingChange body: (inout HashValue) -> (R, changed: Bool)) -> R {
        modifyCollection(at: index, context, as: HashValue.self, reportingChange: body)
    }

    // MARK: - Writes

    func hset(_ context: CommandContext, replyWithCount: Bool) -> Reply {
        let args = context.args
        guard args.count % 2 == 0 else { return Errors.wrongArity(replyWithCount ? "hset" : "hmset") }
        guard case .found(let slot) = writeHash(args[1], context, create: true) else { return Errors.wrongType }
        // Fields that already hold these values change nothing: answer without taking the
        // hash out of the table.
        if case .hash(let hash) = databases[context.db].keys[slot].value.value,
           stride(from: 2, to: args.count, by: 2).allSatisfy({ hash.value(for: args[$0]) == args[$0 + 1] }) {
            // Still a write for Redis: dirty, propagated, WATCH touched.
            databases[context.db].noteChanged(at: slot, Int64((args.count - 2) / 2))
            return replyWithCount ? .integer(0) : .ok
        }
        let limits = config.limits
        let added = modifyHash(at: slot, context) { hash in
            var added = 0
            for index in stride(from: 2, to: args.count, by: 2) where hash.set(args[index], args[index + 1], limits: limits) {
                added += 1
            }
            return added
        }
        return replyWithCount ? .integer(Int64(added)) : .ok
    }

    static func hsetnx(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard case .found(let slot) = engine.writeHash(context.args[1], context, create: true) else { return Errors.wrongType }
        let limits = engine.config.limits
        return engine.modifyHash(at: slot, context, reportingChange: { hash in
            guard hash.value(for: context.args[2]) == nil else { return (.integer(0), false) }
            hash.set(context.args[2], context.args[3], limits: limits)
            return (.integer(1), true)
        })
    }

    static func hdel(_ context: CommandContext) -> Reply {
        let engine = context.engine
        switch engine.writeHash(context.args[1], context, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .integer(0)
        case .found(let slot):
            return engine.modifyHash(at: slot, context, reportingChange: { hash in
                var removed = 0
                for field in context.args.dropFirst(2) where hash.remove(field) { removed += 1 }
                return (.integer(Int64(removed)), removed > 0)
            })
        }
    }

    static func hincrby(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let increment = context.args[3].int64Value else { return Errors.notInteger }
        // Checked before creating anything, so a failed increment leaves no empty hash behind.
        guard case .found(let slot) = engine.writeHash(context.args[1], context, create: true) else { return Errors.wrongType }
        let limits = engine.config.limits
        // A failed increment of a new hash leaves it empty, and so deleted.
        return engine.modifyHash(at: slot, context) { hash in
            var current: Int64 = 0
            if let value = hash.value(for: context.args[2]) {
                guard let parsed = value.int64Value else { return .error("ERR hash value is not an integer") }
                current = parsed
            }
            let (result, overflow) = current.addingReportingOverflow(increment)
            if overflow { return .error("ERR increment or decrement would overflow") }
            hash.set(context.args[2], Bytes(decimal: result), limits: limits)
            return .integer(result)
        }
    }

    static func hincrbyfloat(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let increment = parseLongDouble(context.args[3]) else { return Errors.notFloat }
        if increment.isNaN || increment.isInfinite { return .error("ERR value is NaN or Infinity") }
        guard case .found(let slot) = engine.writeHash(context.args[1], context, create: true) else { return Errors.wrongType }
        let limits = engine.config.limits
        return engine.modifyHash(at: slot, context) { hash in
            var current: Float80 = 0
            if let value = hash.value(for: context.args[2]) {
                guard let parsed = parseLongDouble(value) else { return .error("ERR hash value is not a float") }
                current = parsed
            }
            let result = current + increment
            if result.isNaN || result.isInfinite { return .error("ERR increment would produce NaN or Infinity") }
            let text = Bytes(formatLongDouble(result))
            hash.set(context.args[2], text, limits: limits)
            return .bulk(text)
        }
    }

    // MARK: - Random fields

    /// The most elements a negative-count HRANDFIELD may ask for.
    static let maxRandomPicks = 1 << 24

    static func hrandfield(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        guard args.count >= 3 else {
            switch engine.readHash(args[1], context) {
            case .wrongType: return Errors.wrongType
            case .missing: return .null
            case .found(let hash):
                return .bulkOrNull(hash.randomPair(using: &engine.random)?.field)
            }
        }
        // Redis's order: the count, then the options, then the key.
        guard let count = args[2].int64Value else { return Errors.notInteger }
        guard count >= -Int64.max else {
            return .error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
        }
        let withValues = args.count == 4 && args[3].equalsLowercased("withvalues")
        if args.count > 4 || (args.count == 4 && !withValues) { return Errors.syntax }
        // With values each pick is two replies: Redis bounds the count both ways (LONG_MAX/2).
        if withValues && (count < -Int64.max / 2 || count > Int64.max / 2) { return .error("ERR value is out of range") }
        switch engine.readHash(args[1], context) {
        case .wrongType: return Errors.wrongType
        case .missing: return .array([])
        case .found(let hash):
            var chosen: [(field: Bytes, value: Bytes)] = []
            let size = hash.count
            if count < 0 {
                // Repeats allowed: |count| independent picks. Bounded, since the whole reply is
                // built in memory (Redis would grow its output buffer without limit).
                let picks = Int(count.magnitude)
                guard picks <= Self.maxRandomPicks else { return .error("ERR value is out of range") }
                chosen.reserveCapacity(picks)
                for _ in 0..<picks {
                    if let pair = hash.randomPair(using: &engine.random) { chosen.append(pair) }
                }
            } else if count >= Int64(size) {
                chosen = hash.pairs
            } else if count * 3 > Int64(size) {
                // Most of the hash: a partial Fisher-Yates shuffle of all pairs.
                var pairs = hash.pairs
                for position in 0..<Int(count) {
                    pairs.swapAt(position, Int.random(in: position..<pairs.count, using: &engine.random))
                }
                chosen = Array(pairs[0..<Int(count)])
            } else {
                // A small share: distinct random picks, O(count) expected.
                var seen = Set<Bytes>()
                while chosen.count < Int(count), let pair = hash.randomPair(using: &engine.random) {
                    if seen.insert(pair.field).inserted { chosen.append(pair) }
                }
            }
            guard withValues else { return .array(chosen.map { .bulk($0.field) }) }
            if context.client.protocolVersion == .resp3 {
                return .array(chosen.map { .array([.bulk($0.field), .bulk($0.value)]) })
            }
            return .array(chosen.flatMap { [Reply.bulk($0.field), .bulk($0.value)] })
        }
    }

    // MARK: - HSCAN

    static func hscan(_ context: CommandContext) -> Reply {
        let hash: HashValue, options: ScanOptions
        switch collectionScan(context, as: HashValue.self) {
        case .failure(let early): return early.reply
        case .success(let found): (hash, options) = found
        }
        var pairs: [(field: Bytes, value: Bytes)] = []
        var next: UInt64 = 0
        switch hash.storage {
        case .listpack:
            // A compact hash is returned whole in one call, as Redis does.
            pairs = hash.pairs
        case .table(let box):
            let table = box.table
            next = scanStep(table, options) { pairs.append((table[$0].key, table[$0].value)) }
        }
        var elements: [Reply] = []
        for pair in pairs {
            if let pattern = options.pattern, !globMatch(pattern, pair.field) { continue }
            elements.append(.bulk(pair.field))
            elements.append(.bulk(pair.value))
        }
        return .array([.bulk(Bytes(String(next))), .array(elements)])
    }
}
