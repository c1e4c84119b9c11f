import EmberRESP

/// The set family: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
/// SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN, as Redis 7.0 answers them.
extension Engine {
    func registerSetCommands() {
        register("sadd", Engine.sadd)
        register("srem", Engine.srem)
        register("smembers") { context in
            context.engine.readSetReply(context) { .set($0.members.map(Reply.bulk)) } missing: { .set([]) }
        }
        register("sismember") { context in
            context.engine.readSetReply(context) { .integer($0.contains(context.args[2]) ? 1 : 0) } missing: { .integer(0) }
        }
        register("smismember") { context in
            let members = context.args.dropFirst(2)
            return context.engine.readSetReply(context) { set in
                .array(members.map { .integer(set.contains($0) ? 1 : 0) })
            } missing: { .array(members.map { _ in .integer(0) }) }
        }
        register("scard") { context in
            context.engine.readSetReply(context) { .integer(Int64($0.count)) } missing: { .integer(0) }
        }
        register("spop", Engine.spop)
        register("srandmember", Engine.srandmember)
        register("smove", Engine.smove)
        register("sinter") { $0.engine.setOperation($0, .intersection, keys: $0.args.dropFirst(1)) }
        register("sunion") { $0.engine.setOperation($0, .union, keys: $0.args.dropFirst(1)) }
        register("sdiff") { $0.engine.setOperation($0, .difference, keys: $0.args.dropFirst(1)) }
        register("sinterstore") { $0.engine.setOperation($0, .intersection, keys: $0.args.dropFirst(2), storeIn: $0.args[1]) }
        register("sunionstore") { $0.engine.setOperation($0, .union, keys: $0.args.dropFirst(2), storeIn: $0.args[1]) }
        register("sdiffstore") { $0.engine.setOperation($0, .difference, keys: $0.args.dropFirst(2), storeIn: $0.args[1]) }
        register("sintercard", Engine.sintercard)
        register("sscan", Engine.sscan)
    }

    func readSet(_ key: Bytes, _ context: CommandContext) -> CollectionLookup<SetValue> {
        readCollection(key, context, as: SetValue.self)
    }

    func readSetReply(_ context: CommandContext, _ body: (SetValue) -> Reply, missing: () -> Reply) -> Reply {
        readCollectionReply(context, as: SetValue.self, body, missing: missing)
    }

    // MARK: - Members

    static func sadd(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard case .found(let slot) = engine.writeCollection(context.args[1], context, as: SetValue.self, create: true) else {
            return Errors.wrongType
        }
        // Members already there change nothing: answer without taking the set out of the table.
        if case .set(let set) = engine.databases[context.db].keys[slot].value.value,
           context.args.dropFirst(2).allSatisfy(set.contains) {
            return .integer(0)
        }
        let limits = engine.config.limits
        return engine.modifyCollection(at: slot, context, as: SetValue.self) { set in
            var added = 0
            for member in context.args.dropFirst(2) where set.insert(member, limits: limits) { added += 1 }
            return .integer(Int64(added))
        }
    }

    static func srem(_ context: CommandContext) -> Reply {
        let engine = context.engine
        switch engine.writeCollection(context.args[1], context, as: SetValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .integer(0)
        case .found(let slot):
            return engine.modifyCollection(at: slot, context, as: SetValue.self, reportingChange: { set in
                var removed = 0
                for member in context.args.dropFirst(2) where set.remove(member) { removed += 1 }
                return (.integer(Int64(removed)), removed > 0)
            })
        }
    }

    static func smove(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let source = context.args[1], destination = context.args[2], member = context.args[3]
        switch engine.writeCollection(source, context, as: SetValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .integer(0)
        case .found: break
        }
        if case .wrongType = engine.writeCollection(destination, context, as: SetValue.self, create: false) {
            return Errors.wrongType
        }
        if source == destination {
            return engine.readSetReply(context) { .integer($0.contains(member) ? 1 : 0) } missing: { .integer(0) }
        }
        // The destination's lookup may have deleted it (expired), moving the source's entry.
        guard let sourceNow = engine.databases[context.db].keys.find(source) else { return .integer(0) }
        let moved = engine.modifyCollection(at: sourceNow, context, as: SetValue.self, reportingChange: { set in
            let removed = set.remove(member)
            return (removed, removed)
        })
        guard moved else { return .integer(0) }
        guard case .found(let target) = engine.writeCollection(destination, context, as: SetValue.self, create: true) else {
            return Errors.wrongType
        }
        let limits = engine.config.limits
        engine.modifyCollection(at: target, context, as: SetValue.self, reportingChange: { set in
            ((), set.insert(member, limits: limits))
        })
        return .integer(1)
    }

    // MARK: - Random members

    static func spop(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        if args.count > 3 { return Errors.syntax }
        var count: Int64?
        if args.count == 3 {
            guard let value = args[2].int64Value, value >= 0 else { return Errors.outOfRange }
            count = value
        }
        let slot: Int
        switch engine.writeCollection(args[1], context, as: SetValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return count == nil ? .null : .set([])
        case .found(let found): slot = found
        }
        return engine.modifyCollection(at: slot, context, as: SetValue.self) { set in
            guard let count else {
                guard let member = set.randomMember(using: &engine.random) else { return .null }
                set.remove(member)
                return .bulk(member)
            }
            if count >= Int64(set.count) {
                let all = set.members
                set = SetValue()
                return .set(all.map(Reply.bulk))
            }
            var popped: [Reply] = []
            popped.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let member = set.randomMember(using: &engine.random) else { break }
                set.remove(member)
                popped.append(.bulk(member))
            }
            return .set(popped)
        }
    }

    /// The most elements a negative-count SRANDMEMBER may ask for (the reply is built in memory).
    static let maxRandomMembers = 1 << 24

    static func srandmember(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        if args.count > 3 { return Errors.syntax }
        guard args.count == 3 else {
            switch engine.readSet(args[1], context) {
            case .wrongType: return Errors.wrongType
            case .missing: return .null
            case .found(let set): return .bulkOrNull(set.randomMember(using: &engine.random))
            }
        }
        guard let count = args[2].int64Value else { return Errors.notInteger }
        guard count >= -Int64.max else {
            return .error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
        }
        let set: SetValue
        switch engine.readSet(args[1], context) {
        case .wrongType: return Errors.wrongType
        case .missing: return .array([])
        case .found(let found): set = found
        }
        if count < 0 {
            let picks = Int(count.magnitude)
            guard picks <= maxRandomMembers else { return .error("ERR value is out of range") }
            var chosen: [Reply] = []
            chosen.reserveCapacity(picks)
            for _ in 0..<picks {
                if let member = set.randomMember(using: &engine.random) { chosen.append(.bulk(member)) }
            }
            return .array(chosen)
        }
        if count >= Int64(set.count) { return .array(set.members.map(Reply.bulk)) }
        if count * 3 > Int64(set.count) {
            // Most of the set: a partial Fisher-Yates shuffle of all members.
            var members = set.members
            for position in 0..<Int(count) {
                members.swapAt(position, Int.random(in: position..<members.count, using: &engine.random))
            }
            return .array(members[0..<Int(count)].map(Reply.bulk))
        }
        // A small share: distinct random picks, O(count) expected.
        var seen = Set<Bytes>()
        var chosen: [Reply] = []
        while chosen.count < Int(count), let member = set.randomMember(using: &engine.random) {
            if seen.insert(member).inserted { chosen.append(.bulk(member)) }
        }
        return .array(chosen)
    }

    // MARK: - Algebra

    enum SetOperation { case intersection, union, difference }

    /// SINTER SUNION SDIFF and their STORE forms (Redis's `sinterGenericCommand` and
    /// `sunionDiffGenericCommand`): every key is checked for its type first.
    func setOperation(_ context: CommandContext, _ operation: SetOperation, keys: ArraySlice<Bytes>, storeIn destination: Bytes? = nil) -> Reply {
        var sets: [SetValue?] = []
        sets.reserveCapacity(keys.count)
        for key in keys {
            let lookup = destination == nil ? readSet(key, context) : writeSetForRead(key, context)
            switch lookup {
            case .wrongType: return Errors.wrongType
            case .missing: sets.append(nil)
            case .found(let set): sets.append(set)
            }
        }
        let result = Self.combine(sets, operation)
        guard let destination else { return .set(result.map(Reply.bulk)) }
        databases[context.db].delete(destination)
        if !result.isEmpty {
            databases[context.db].add(destination, .set(SetValue(result, limits: config.limits)), lru: context.lru)
        }
        return .integer(Int64(result.count))
    }

    /// A set read by a STORE command: Redis looks those up for writing (no hit statistics).
    private func writeSetForRead(_ key: Bytes, _ context: CommandContext) -> CollectionLookup<SetValue> {
        guard let index = lookupWrite(key, context) else { return .missing }
        guard case .set(let set) = databases[context.db].keys[index].value.value else { return .wrongType }
        return .found(set)
    }

    static func combine(_ sets: [SetValue?], _ operation: SetOperation) -> [Bytes] {
        switch operation {
        case .intersection:
            // Any missing set empties the result; iterate the smallest, probe the others.
            var present: [SetValue] = []
            for set in sets {
                guard let set else { return [] }
                present.append(set)
            }
            present.sort { $0.count < $1.count }
            guard let smallest = present.first else { return [] }
            return smallest.members.filter { member in present.dropFirst().allSatisfy { $0.contains(member) } }
        case .union:
            var seen = Set<Bytes>()
            var result: [Bytes] = []
            for set in sets.compactMap({ $0 }) {
                for member in set.members where seen.insert(member).inserted { result.append(member) }
            }
            return result
        case .difference:
            guard let first = sets.first, let first else { return [] }
            let others = sets.dropFirst().compactMap { $0 }
            return first.members.filter { member in !others.contains { $0.contains(member) } }
        }
    }

    static func sintercard(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        // One message for "not a number" and "too small", as getRangeLongFromObjectOrReply gives.
        guard let numberOfKeys = args[1].int64Value, numberOfKeys > 0 else {
            return .error("ERR numkeys should be greater than 0")
        }
        guard numberOfKeys <= Int64(args.count - 2) else {
            return .error("ERR Number of keys can't be greater than number of args")
        }
        let keyEnd = 2 + Int(numberOfKeys)
        var limit = 0
        var index = keyEnd
        while index < args.count {
            guard args[index].equalsLowercased("limit"), index + 1 < args.count else { return Errors.syntax }
            guard let value = args[index + 1].int64Value, value >= 0 else { return .error("ERR LIMIT can't be negative") }
            limit = Int(min(value, Int64(Int.max)))
            index += 2
        }
        var sets: [SetValue?] = []
        for key in args[2..<keyEnd] {
            switch engine.readSet(key, context) {
            case .wrongType: return Errors.wrongType
            case .missing: sets.append(nil)
            case .found(let set): sets.append(set)
            }
        }
        let count = combine(sets, .intersection).count
        return .integer(Int64(limit > 0 ? min(count, limit) : count))
    }

    // MARK: - SSCAN

    static func sscan(_ context: CommandContext) -> Reply {
        let set: SetValue, options: ScanOptions
        switch collectionScan(context, as: SetValue.self) {
        case .failure(let early): return early.reply
        case .success(let found): (set, options) = found
        }
        var members: [Bytes] = []
        var next: UInt64 = 0
        switch set.storage {
        case .intset, .listpack:
            // A compact set is returned whole in one call, as Redis does.
            members = set.members
        case .table(let box):
            let table = box.table
            next = scanStep(table, options) { members.append(table[$0].key) }
        }
        let matching = members.filter { member in options.pattern.map { globMatch($0, member) } ?? true }
        return .array([.bulk(Bytes(String(next))), .array(matching.map(Reply.bulk))])
    }
}
