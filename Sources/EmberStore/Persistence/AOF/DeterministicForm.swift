import CEmberSystem
import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The commands a change replays as, in the forms Redis 7.0 propagates (checked against
/// redis-server 7.0.15's own AOF): relative expiries made absolute, float increments as their
/// results, random pops as the members taken, blocking commands as their non-blocking forms.
/// Read after the command ran, from its arguments, its reply and the keyspace.
enum DeterministicForm {
    static let pxat = Bytes("PXAT")

    /// How a command's change leaves, decided once per command from its name (`Command.replay`)
    /// so that propagating compares no strings.
    enum Rule: Sendable {
        /// As given: the arguments are the replay.
        case asGiven
        /// SET: as given unless it has options (expiries made absolute, GET dropped).
        case set
        /// Rewritten by `rewrite`.
        case rewritten
        /// EXEC: the transaction's queued changes, wrapped in MULTI/EXEC.
        case exec

        init(name: String) {
            switch name {
            case "set": self = .set
            case "exec": self = .exec
            case _ where DeterministicForm.rewrittenNames.contains(name): self = .rewritten
            default: self = .asGiven
            }
        }

        /// Whether a command with these arguments replays exactly as given.
        func replaysAsGiven(_ args: [Bytes]) -> Bool {
            switch self {
            case .asGiven: return true
            case .set: return args.count <= 3
            case .rewritten, .exec: return false
            }
        }
    }

    /// The commands `rewrite` changes (every case of its switch but `default`).
    static let rewrittenNames: Set<String> = [
        "set", "setex", "psetex", "getex", "getdel", "getset", "expire", "pexpire", "expireat", "pexpireat",
        "incrbyfloat", "hincrbyfloat", "spop", "blpop", "brpop", "blmove", "brpoplpush", "lmpop", "blmpop",
        "zmpop", "bzmpop", "bzpopmin", "bzpopmax", "restore",
    ]

    /// The commands that replay `name`'s change (usually one).
    static func rewrite(_ name: String, _ context: CommandContext, reply: Reply?) -> [[Bytes]] {
        let args = context.args
        switch name {
        case "set": return [set(args, context)]
        case "setex", "psetex":
            guard args.count == 4 else { return [args] }
            guard let when = expireTime(args[1], context) else { return [args] }
            return [[Bytes("SET"), args[1], args[3], pxat, Bytes(decimal: when)]]
        case "getex": return getex(args, context)
        case "getdel":
            // As a deletion, lazy when DEL would be (`lazyfree-lazy-user-del`).
            guard args.count == 2 else { return [args] }
            return [[Bytes(context.engine.config.lazyFreeUserDel ? "UNLINK" : "DEL"), args[1]]]
        case "getset":
            guard args.count == 3 else { return [args] }
            return [[Bytes("SET"), args[1], args[2]]]
        case "expire", "pexpire", "expireat", "pexpireat":
            guard args.count >= 3 else { return [args] }
            guard let when = expireTime(args[1], context) else { return [[deletion(context), args[1]]] }
            return [[Bytes("PEXPIREAT"), args[1], Bytes(decimal: when)] + args.dropFirst(3)]
        case "incrbyfloat":
            guard args.count == 3 else { return [args] }
            let result: Bytes? = replyBulk(reply) ?? stringValue(args[1], context)
            guard let result else { return [args] }
            return [[Bytes("SET"), args[1], result, Bytes("KEEPTTL")]]
        case "hincrbyfloat":
            guard args.count == 4 else { return [args] }
            var result = replyBulk(reply)
            if result == nil, let index = context.engine.databases[context.db].keys.find(args[1]),
               case .hash(let hash) = context.engine.databases[context.db].keys[index].value.value {
                result = hash.value(for: args[2])
            }
            guard let result else { return [args] }
            return [[Bytes("HSET"), args[1], args[2], result]]
        case "spop": return spop(args, context, reply: reply)
        case "blpop", "brpop":
            guard case .bulkArray(let pair)? = reply ?? .none, pair.count == 2 else {
                if let key = keyFromPair(reply) { return [[Bytes(name == "blpop" ? "LPOP" : "RPOP"), key]] }
                return fallback(keys: Array(args.dropFirst().dropLast()), context)
            }
            return [[Bytes(name == "blpop" ? "LPOP" : "RPOP"), pair[0]]]
        case "blmove":
            guard args.count == 6 else { return [args] }
            return [[Bytes("LMOVE")] + args[1...4]]
        case "brpoplpush":
            guard args.count == 4 else { return [args] }
            return [[Bytes("RPOPLPUSH"), args[1], args[2]]]
        case "lmpop", "blmpop", "zmpop", "bzmpop":
            return multiPop(name, args, context, reply: reply)
        case "bzpopmin", "bzpopmax":
            if let key = keyFromPair(reply) { return [[Bytes(name == "bzpopmin" ? "ZPOPMIN" : "ZPOPMAX"), key]] }
            return fallback(keys: Array(args.dropFirst().dropLast()), context)
        case "restore": return restore(args, context)
        default: return [args]
        }
    }

    // MARK: - Forms

    /// SET with EX/PX/EXAT/PXAT becomes `SET key value PXAT ms`; otherwise GET is dropped (the
    /// replay needs no reply) and the rest kept as given.
    static func set(_ args: [Bytes], _ context: CommandContext) -> [Bytes] {
        guard args.count > 3 else { return args }
        var hasExpire = false
        var kept = Array(args[0...2])
        var index = 3
        while index < args.count {
            let option = args[index]
            if option.equalsLowercased("ex") || option.equalsLowercased("px") || option.equalsLowercased("exat") || option.equalsLowercased("pxat") {
                hasExpire = true
                index += 2
                continue
            }
            if !option.equalsLowercased("get") { kept.append(option) }
            index += 1
        }
        if hasExpire, let when = expireTime(args[1], context) {
            return [Bytes("SET"), args[1], args[2], pxat, Bytes(decimal: when)]
        }
        return kept
    }

    /// How a key an expiry in the past deleted replays: UNLINK with `lazyfree-lazy-expire`.
    static func deletion(_ context: CommandContext) -> Bytes {
        context.engine.config.lazyFreeExpire ? Propagation.unlink : Propagation.del
    }

    static func getex(_ args: [Bytes], _ context: CommandContext) -> [[Bytes]] {
        guard args.count >= 3 else { return [args] }
        let key = args[1]
        if args[2].equalsLowercased("persist") { return [[Bytes("PERSIST"), key]] }
        guard let when = expireTime(key, context) else {
            // An expiry in the past deleted the key.
            return [[deletion(context), key]]
        }
        return [[Bytes("PEXPIREAT"), key, Bytes(decimal: when)]]
    }

    /// SPOP: one SREM per member taken, or DEL when the count took the whole set.
    static func spop(_ args: [Bytes], _ context: CommandContext, reply: Reply?) -> [[Bytes]] {
        let key = args[1]
        if args.count == 2 {
            if let member = replyBulk(reply) { return [[Bytes("SREM"), key, member]] }
            return fallback(keys: [key], context)
        }
        let exists = context.engine.databases[context.db].keys.find(key) != nil
        guard let reply else { return fallback(keys: [key], context) }
        var members: [Bytes]
        switch reply {
        case .bulkArray(let list): members = list
        case .array(let list), .set(let list): members = list.compactMap { replyBulk($0) }
        default: return fallback(keys: [key], context)
        }
        // A count that covered the whole set deleted it: Redis propagates DEL then (a smaller
        // count leaves members, so the set is gone only in that case).
        if !exists { return [[Bytes("DEL"), key]] }
        return members.map { [Bytes("SREM"), key, $0] }
    }

    /// LMPOP/BLMPOP as LPOP/RPOP key count, ZMPOP/BZMPOP as ZPOPMIN/ZPOPMAX key count.
    static func multiPop(_ name: String, _ args: [Bytes], _ context: CommandContext, reply: Reply?) -> [[Bytes]] {
        let blocking = name.hasPrefix("b")
        let numkeysIndex = blocking ? 2 : 1
        guard args.count > numkeysIndex, let numkeys = Int(args[numkeysIndex].string), numkeys > 0,
              args.count > numkeysIndex + numkeys + 1 else { return [args] }
        let keys = Array(args[(numkeysIndex + 1)...(numkeysIndex + numkeys)])
        let whereArgument = args[numkeysIndex + numkeys + 1]
        guard let reply, case .array(let parts) = reply, parts.count == 2,
              let key = replyBulk(parts[0]), let popped = poppedCount(reply) else {
            return fallback(keys: keys, context)
        }
        let verb: String
        if name.hasSuffix("lmpop") {
            verb = whereArgument.equalsLowercased("left") ? "LPOP" : "RPOP"
        } else {
            verb = whereArgument.equalsLowercased("min") ? "ZPOPMIN" : "ZPOPMAX"
        }
        return [[Bytes(verb), key, Bytes(decimal: Int64(popped))]]
    }

    /// RESTORE with a relative TTL gets the absolute time and ABSTTL.
    static func restore(_ args: [Bytes], _ context: CommandContext) -> [[Bytes]] {
        guard args.count >= 4, let ttl = Int64(args[2].string), ttl > 0,
              !args.dropFirst(4).contains(where: { $0.equalsLowercased("absttl") }) else { return [args] }
        guard let when = expireTime(args[1], context) else { return [args] }
        var rewritten = args
        rewritten[2] = Bytes(decimal: when)
        rewritten.append(Bytes("ABSTTL"))
        return [rewritten]
    }

    // MARK: - Helpers

    static func expireTime(_ key: Bytes, _ context: CommandContext) -> Int64? {
        context.engine.databases[context.db].expireTime(of: key)
    }

    static func stringValue(_ key: Bytes, _ context: CommandContext) -> Bytes? {
        guard let index = context.engine.databases[context.db].keys.find(key) else { return nil }
        switch context.engine.databases[context.db].keys[index].value.value {
        case .string(let bytes): return bytes
        case .integer(let value): return Bytes(decimal: value)
        default: return nil
        }
    }

    static func replyBulk(_ reply: Reply?) -> Bytes? {
        switch reply {
        case .bulk(let bytes)?: return bytes
        case .verbatim(let text)?: return Bytes(text)
        default: return nil
        }
    }

    /// The key of a `[key, ...]` reply (BLPOP, BZPOPMIN).
    static func keyFromPair(_ reply: Reply?) -> Bytes? {
        switch reply {
        case .bulkArray(let list)?: return list.first
        case .array(let list)?: return list.first.flatMap { replyBulk($0) }
        default: return nil
        }
    }

    /// How many elements a `[key, [elements]]` reply (LMPOP, ZMPOP and their served forms) took.
    static func poppedCount(_ reply: Reply) -> Int? {
        guard case .array(let parts) = reply, parts.count == 2 else { return nil }
        switch parts[1] {
        case .array(let list), .set(let list): return list.count
        case .bulkArray(let list): return list.count
        case .map(let pairs): return pairs.count
        default: return nil
        }
    }

    /// Without the reply, a change replays as the resulting value of each key (exact, if not
    /// Redis's own form): DEL, then the commands that rebuild the key and its TTL.
    static func fallback(keys: [Bytes], _ context: CommandContext) -> [[Bytes]] {
        var commands: [[Bytes]] = []
        for key in keys {
            commands.append([Bytes("DEL"), key])
            let database = context.engine.databases[context.db]
            guard let index = database.keys.find(key) else { continue }
            commands += AOFValueCommands.commands(key: key, value: database.keys[index].value.value,
                                                  expireAt: database.expireTime(at: index))
        }
        return commands
    }
}

/// The commands that rebuild one key (an AOF base without RDB preamble, and replay fallbacks):
/// batches of at most `batch` elements per command, as Redis's rewrite.
enum AOFValueCommands {
    static let batch = 64

    static func commands(key: Bytes, value: Value, expireAt: Int64?) -> [[Bytes]] {
        var commands: [[Bytes]] = []
        func batched(_ verb: String, _ items: [[Bytes]]) {
            var index = 0
            while index < items.count {
                var command = [Bytes(verb), key]
                for item in items[index..<min(items.count, index + batch)] { command += item }
                commands.append(command)
                index += batch
            }
        }
        switch value {
        case .string(let bytes): commands.append([Bytes("SET"), key, bytes])
        case .integer(let number): commands.append([Bytes("SET"), key, Bytes(decimal: number)])
        case .list(let list): batched("RPUSH", list.elements.map { [$0] })
        case .set(let set): batched("SADD", set.members.map { [$0] })
        case .hash(let hash): batched("HMSET", hash.pairs.map { [$0.field, $0.value] })
        case .zset(let zset): batched("ZADD", zset.entries.map { [formatScore($0.score), $0.member] })
        }
        if let expireAt { commands.append([Bytes("PEXPIREAT"), key, Bytes(decimal: expireAt)]) }
        return commands
    }

    /// A score as `%.17g` writes it (what ZADD reads back exactly; `inf`, `-inf`).
    static func formatScore(_ score: Double) -> Bytes {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBufferPointer { pointer in
            cember_format_double(pointer.baseAddress!, 64, "%.17g", score)
        }
        return Bytes(buffer[0..<Int(count)].map { UInt8(bitPattern: $0) })
    }
}
