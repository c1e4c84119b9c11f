import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The sorted-set family: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT
/// ZLEXCOUNT, the ZRANGE family and ZRANGESTORE, ZREMRANGEBY*, ZPOPMIN ZPOPMAX ZMPOP and their
/// blocking forms, ZRANDMEMBER, the union/intersection/difference family and ZSCAN, as Redis
/// 7.0 answers them.
extension Engine {
    func registerSortedSetCommands() {
        register("zadd") { $0.engine.zadd($0, optionsFrom: 2, increment: false) }
        register("zincrby") { $0.engine.zadd($0, optionsFrom: 2, increment: true) }
        register("zrem", Engine.zrem)
        register("zcard") { context in
            context.engine.readSortedSetReply(context) { .integer(Int64($0.count)) } missing: { .integer(0) }
        }
        register("zscore") { context in
            context.engine.readSortedSetReply(context) { set in
                set.score(of: context.args[2]).map(Reply.double) ?? .null
            } missing: { .null }
        }
        register("zmscore") { context in
            let members = context.args.dropFirst(2)
            return context.engine.readSortedSetReply(context) { set in
                .array(members.map { set.score(of: $0).map(Reply.double) ?? .null })
            } missing: { .array(members.map { _ in .null }) }
        }
        register("zrank") { $0.engine.zrank($0, reverse: false) }
        register("zrevrank") { $0.engine.zrank($0, reverse: true) }
        register("zcount", Engine.zcount)
        register("zlexcount", Engine.zlexcount)
        register("zrange") { $0.engine.zrange($0, sourceIndex: 1, store: false, kind: nil, reverse: nil) }
        register("zrangestore") { $0.engine.zrange($0, sourceIndex: 2, store: true, kind: nil, reverse: nil) }
        register("zrevrange") { $0.engine.zrange($0, sourceIndex: 1, store: false, kind: .rank, reverse: true) }
        register("zrangebyscore") { $0.engine.zrange($0, sourceIndex: 1, store: false, kind: .score, reverse: false) }
        register("zrevrangebyscore") { $0.engine.zrange($0, sourceIndex: 1, store: false, kind: .score, reverse: true) }
        register("zrangebylex") { $0.engine.zrange($0, sourceIndex: 1, store: false, kind: .lex, reverse: false) }
        register("zrevrangebylex") { $0.engine.zrange($0, sourceIndex: 1, store: false, kind: .lex, reverse: true) }
        register("zremrangebyrank") { $0.engine.zremrange($0, kind: .rank) }
        register("zremrangebyscore") { $0.engine.zremrange($0, kind: .score) }
        register("zremrangebylex") { $0.engine.zremrange($0, kind: .lex) }
        register("zpopmin") { $0.engine.zpop($0, max: false) }
        register("zpopmax") { $0.engine.zpop($0, max: true) }
        register("zmpop") { $0.engine.zmpop($0, numkeysIndex: 1, timeoutIndex: nil) }
        register("bzpopmin") { $0.engine.bzpop($0, max: false) }
        register("bzpopmax") { $0.engine.bzpop($0, max: true) }
        register("bzmpop") { $0.engine.zmpop($0, numkeysIndex: 2, timeoutIndex: 1) }
        register("zrandmember", Engine.zrandmember)
        register("zunion") { $0.engine.zsetAlgebra($0, .union, numkeysIndex: 1, destination: nil) }
        register("zinter") { $0.engine.zsetAlgebra($0, .intersection, numkeysIndex: 1, destination: nil) }
        register("zdiff") { $0.engine.zsetAlgebra($0, .difference, numkeysIndex: 1, destination: nil) }
        register("zunionstore") { $0.engine.zsetAlgebra($0, .union, numkeysIndex: 2, destination: $0.args[1]) }
        register("zinterstore") { $0.engine.zsetAlgebra($0, .intersection, numkeysIndex: 2, destination: $0.args[1]) }
        register("zdiffstore") { $0.engine.zsetAlgebra($0, .difference, numkeysIndex: 2, destination: $0.args[1]) }
        register("zintercard") { $0.engine.zsetAlgebra($0, .intersection, numkeysIndex: 1, destination: nil, cardinalityOnly: true) }
        register("zscan", Engine.zscan)
    }

    func readSortedSetReply(_ context: CommandContext, _ body: (SortedSetValue) -> Reply, missing: () -> Reply) -> Reply {
        readCollectionReply(context, as: SortedSetValue.self, body, missing: missing)
    }

    /// Entries as a reply: members alone, or with scores — flat in RESP2, `[member, score]`
    /// pairs in RESP3 (unless `flat`).
    static func scoredReply(_ entries: [ScoredMember], withScores: Bool, _ context: CommandContext, flat: Bool = false) -> Reply {
        guard withScores else { return .array(entries.map { .bulk($0.member) }) }
        if context.client.protocolVersion == .resp3 && !flat {
            return .array(entries.map { .array([.bulk($0.member), .double($0.score)]) })
        }
        var replies: [Reply] = []
        replies.reserveCapacity(entries.count * 2)
        for entry in entries {
            replies.append(.bulk(entry.member))
            replies.append(.double(entry.score))
        }
        return .array(replies)
    }

    // MARK: - ZADD / ZINCRBY

    func zadd(_ context: CommandContext, optionsFrom: Int, increment incrementCommand: Bool) -> Reply {
        let args = context.args
        var nx = false, xx = false, gt = false, lt = false, ch = false, increment = incrementCommand
        var scoreIndex = optionsFrom
        if !incrementCommand {
            while scoreIndex < args.count {
                let option = args[scoreIndex]
                if option.equalsLowercased("nx") { nx = true }
                else if option.equalsLowercased("xx") { xx = true }
                else if option.equalsLowercased("ch") { ch = true }
                else if option.equalsLowercased("incr") { increment = true }
                else if option.equalsLowercased("gt") { gt = true }
                else if option.equalsLowercased("lt") { lt = true }
                else { break }
                scoreIndex += 1
            }
        }
        let remaining = args.count - scoreIndex
        guard remaining > 0 && remaining % 2 == 0 else { return Errors.syntax }
        let pairs = remaining / 2
        if nx && xx { return .error("ERR XX and NX options at the same time are not compatible") }
        if (gt && nx) || (lt && nx) || (gt && lt) {
            return .error("ERR GT, LT, and/or NX options at the same time are not compatible")
        }
        if increment && pairs > 1 { return .error("ERR INCR option supports a single increment-element pair") }
        // Every score is checked before anything changes; parsed again while applying, so the
        // common one-pair ZADD allocates no score array.
        for pair in 0..<pairs where parseScore(args[scoreIndex + pair * 2]) == nil { return Errors.notFloat }
        let slot: Int
        switch writeCollection(args[1], context, as: SortedSetValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .found(let found): slot = found
        case .missing:
            if xx { return increment ? .null : .integer(0) }
            guard case .found(let created) = writeCollection(args[1], context, as: SortedSetValue.self, create: true) else {
                return Errors.wrongType
            }
            slot = created
        }
        let limits = config.limits
        return modifyCollection(at: slot, context, as: SortedSetValue.self, reportingChange: { set in
            var added = 0, updated = 0, processed = 0
            var lastScore = 0.0
            for pair in 0..<pairs {
                var score = parseScore(args[scoreIndex + pair * 2]) ?? 0
                let member = args[scoreIndex + pair * 2 + 1]
                if let current = set.score(of: member) {
                    if nx { continue }
                    if increment {
                        score += current
                        if score.isNaN { return (.error("ERR resulting score is not a number (NaN)"), added + updated > 0) }
                    }
                    if (lt && score >= current) || (gt && score <= current) { continue }
                    lastScore = score
                    processed += 1
                    if score != current {
                        set.set(member, score: score, limits: limits)
                        updated += 1
                    }
                } else {
                    if xx { continue }
                    set.set(member, score: score, limits: limits)
                    lastScore = score
                    added += 1
                    processed += 1
                }
            }
            let changed = added + updated > 0
            if increment { return (processed > 0 ? .double(lastScore) : .null, changed) }
            return (.integer(Int64(ch ? added + updated : added)), changed)
        })
    }

    static func zrem(_ context: CommandContext) -> Reply {
        let engine = context.engine
        switch engine.writeCollection(context.args[1], context, as: SortedSetValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .integer(0)
        case .found(let slot):
            return engine.modifyCollection(at: slot, context, as: SortedSetValue.self, reportingChange: { set in
                var removed = 0
                for member in context.args.dropFirst(2) where set.remove(member) { removed += 1 }
                return (.integer(Int64(removed)), removed > 0)
            })
        }
    }

    func zrank(_ context: CommandContext, reverse: Bool) -> Reply {
        readSortedSetReply(context) { set in
            guard let rank = set.rank(of: context.args[2]) else { return .null }
            return .integer(Int64(reverse ? set.count - 1 - rank : rank))
        } missing: { .null }
    }

    static func zcount(_ context: CommandContext) -> Reply {
        guard let range = ScoreRange(context.args[2], context.args[3]) else { return .error("ERR min or max is not a float") }
        return context.engine.readSortedSetReply(context) { .integer(Int64(range.ranks(in: $0).count)) } missing: { .integer(0) }
    }

    static func zlexcount(_ context: CommandContext) -> Reply {
        guard let range = LexRange(context.args[2], context.args[3]) else {
            return .error("ERR min or max not valid string range item")
        }
        return context.engine.readSortedSetReply(context) { .integer(Int64(range.ranks(in: $0).count)) } missing: { .integer(0) }
    }

    // MARK: - Ranges

    enum RangeKind { case rank, score, lex }

    /// The ZRANGE family (Redis's `zrangeGenericCommand`): options, then the range, then the key.
    func zrange(_ context: CommandContext, sourceIndex: Int, store: Bool, kind fixedKind: RangeKind?, reverse fixedReverse: Bool?) -> Reply {
        let args = context.args
        var kind = fixedKind, reverse = fixedReverse
        var withScores = false
        var offset: Int64 = 0, limit: Int64 = -1
        var index = sourceIndex + 3
        while index < args.count {
            let option = args[index]
            let left = args.count - index - 1
            if !store && option.equalsLowercased("withscores") {
                withScores = true
            } else if option.equalsLowercased("limit") && left >= 2 {
                guard let parsedOffset = args[index + 1].int64Value, let parsedLimit = args[index + 2].int64Value else {
                    return Errors.notInteger
                }
                (offset, limit) = (parsedOffset, parsedLimit)
                index += 2
            } else if fixedReverse == nil && reverse == nil && option.equalsLowercased("rev") {
                reverse = true
            } else if fixedKind == nil && kind == nil && option.equalsLowercased("bylex") {
                kind = .lex
            } else if fixedKind == nil && kind == nil && option.equalsLowercased("byscore") {
                kind = .score
            } else {
                return Errors.syntax
            }
            index += 1
        }
        let rangeKind = kind ?? .rank
        let descending = reverse ?? false
        if limit != -1 && rangeKind == .rank {
            return .error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
        }
        if withScores && rangeKind == .lex {
            return .error("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
        }
        var minIndex = sourceIndex + 1, maxIndex = sourceIndex + 2
        if descending && rangeKind != .rank { swap(&minIndex, &maxIndex) }
        let selection: RangeSelection
        switch rangeKind {
        case .rank:
            guard let start = args[minIndex].int64Value, let stop = args[maxIndex].int64Value else { return Errors.notInteger }
            selection = .rank(start, stop)
        case .score:
            guard let range = ScoreRange(args[minIndex], args[maxIndex]) else { return .error("ERR min or max is not a float") }
            selection = .score(range)
        case .lex:
            guard let range = LexRange(args[minIndex], args[maxIndex]) else {
                return .error("ERR min or max not valid string range item")
            }
            selection = .lex(range)
        }
        var entries: [ScoredMember] = []
        switch readCollection(args[sourceIndex], context, as: SortedSetValue.self) {
        case .wrongType: return Errors.wrongType
        case .missing: if !store { return .array([]) }
        case .found(let set):
            entries = selection.entries(in: set, reverse: descending, offset: offset, limit: limit)
        }
        guard store else { return Engine.scoredReply(entries, withScores: withScores, context) }
        return storeSortedSet(entries, in: args[1], context)
    }

    /// Stores `entries` (distinct members, any order) as the sorted set at `destination`,
    /// replacing whatever was there; an empty result deletes it. Replies with the size.
    func storeSortedSet(_ entries: [ScoredMember], in destination: Bytes, _ context: CommandContext) -> Reply {
        guard !entries.isEmpty else {
            if let slot = lookupWrite(destination, context) { databases[context.db].delete(at: slot) }
            return .integer(0)
        }
        let sorted = entries.sorted { $0.precedes($1) }
        let set = SortedSetValue(sortedEntries: sorted, limits: config.limits)
        databases[context.db].set(destination, .zset(set), lru: context.lru)
        return .integer(Int64(sorted.count))
    }

    func zremrange(_ context: CommandContext, kind: RangeKind) -> Reply {
        let args = context.args
        let selection: RangeSelection
        switch kind {
        case .rank:
            guard let start = args[2].int64Value, let stop = args[3].int64Value else { return Errors.notInteger }
            selection = .rank(start, stop)
        case .score:
            guard let range = ScoreRange(args[2], args[3]) else { return .error("ERR min or max is not a float") }
            selection = .score(range)
        case .lex:
            guard let range = LexRange(args[2], args[3]) else { return .error("ERR min or max not valid string range item") }
            selection = .lex(range)
        }
        switch writeCollection(args[1], context, as: SortedSetValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .integer(0)
        case .found(let slot):
            return modifyCollection(at: slot, context, as: SortedSetValue.self, reportingChange: { set in
                let removed = set.removeRanks(selection.ranks(in: set))
                return (.integer(Int64(removed)), removed > 0)
            })
        }
    }

    // MARK: - Pops

    /// ZPOPMIN/ZPOPMAX key [count].
    func zpop(_ context: CommandContext, max: Bool) -> Reply {
        let args = context.args
        if args.count > 3 { return Errors.syntax }
        var count: Int?
        if args.count == 3 {
            guard let value = args[2].int64Value, value >= 0 else { return Errors.outOfRange }
            count = Int(value)
        }
        switch writeCollection(args[1], context, as: SortedSetValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .array([])
        case .found:
            let popped = popSortedSet(args[1], context, max: max, count: count ?? 1)
            return Engine.scoredReply(popped, withScores: true, context, flat: count == nil)
        }
    }

    /// Pops up to `count` entries from the lowest (or highest) end of the sorted set at `key`;
    /// an emptied set is deleted.
    func popSortedSet(_ key: Bytes, _ context: CommandContext, max: Bool, count: Int) -> [ScoredMember] {
        guard count > 0, let slot = lookupWrite(key, context) else { return [] }
        return modifyCollection(at: slot, context, as: SortedSetValue.self) { set in
            let taken = min(count, set.count)
            var popped: [ScoredMember] = []
            popped.reserveCapacity(taken)
            set.forEach(from: max ? set.count - 1 : 0, reverse: max) { entry in
                popped.append(entry)
                return popped.count < taken
            }
            if max {
                set.removeRanks((set.count - taken)..<set.count)
            } else {
                set.removeRanks(0..<taken)
            }
            return popped
        }
    }

    /// A pop from the sorted set at `key` as the blocking forms reply: `[key, member, score]`
    /// (BZPOPMIN/BZPOPMAX), or `[key, [[member, score], ...]]` (`multi`: ZMPOP/BZMPOP).
    func popSortedSetReply(_ key: Bytes, _ context: CommandContext, max: Bool, count: Int?, multi: Bool) -> Reply {
        let popped = popSortedSet(key, context, max: max, count: count ?? 1)
        if multi {
            return .array([.bulk(key), .array(popped.map { .array([.bulk($0.member), .double($0.score)]) })])
        }
        guard let first = popped.first else { return .nullArray }
        return .array([.bulk(key), .bulk(first.member), .double(first.score)])
    }

    /// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP with its timeout first.
    func zmpop(_ context: CommandContext, numkeysIndex: Int, timeoutIndex: Int?) -> Reply {
        let parseEnd: (Bytes) -> Bool? = { word in
            if word.equalsLowercased("min") { return false }
            if word.equalsLowercased("max") { return true }
            return nil
        }
        let parsed: MultiPopArguments<Bool>
        switch MultiPopArguments.parse(context.args, numkeysIndex: numkeysIndex, parseEnd: parseEnd) {
        case .failure(let error): return error.reply
        case .success(let value): parsed = value
        }
        switch Engine.blockingDeadline(at: timeoutIndex, context) {
        case .failure(let error): return error.reply
        case .success(let deadline):
            return popFirst(of: parsed.keys, as: SortedSetValue.self, context, blockingUntil: deadline,
                            operation: .sortedSetPop(max: parsed.end, count: parsed.count)) { key in
                popSortedSetReply(key, context, max: parsed.end, count: parsed.count, multi: true)
            }
        }
    }

    /// BZPOPMIN/BZPOPMAX key [key ...] timeout.
    func bzpop(_ context: CommandContext, max: Bool) -> Reply {
        switch Engine.blockingDeadline(at: context.args.count - 1, context) {
        case .failure(let error): return error.reply
        case .success(let deadline):
            return popFirst(of: Array(context.args[1..<(context.args.count - 1)]), as: SortedSetValue.self, context,
                            blockingUntil: deadline, operation: .sortedSetPop(max: max, count: nil)) { key in
                popSortedSetReply(key, context, max: max, count: nil, multi: false)
            }
        }
    }

    // MARK: - ZRANDMEMBER

    static func zrandmember(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        guard args.count >= 3 else {
            return engine.readSortedSetReply(context) { set in
                .bulkOrNull(set.randomEntry(using: &engine.random)?.member)
            } missing: { .null }
        }
        guard let count = args[2].int64Value else { return Errors.notInteger }
        guard count >= -Int64.max else {
            return .error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
        }
        let withScores = args.count == 4 && args[3].equalsLowercased("withscores")
        if args.count > 4 || (args.count == 4 && !withScores) { return Errors.syntax }
        if withScores && (count < -Int64.max / 2 || count > Int64.max / 2) { return .error("ERR value is out of range") }
        return engine.readSortedSetReply(context) { set in
            var chosen: [ScoredMember] = []
            let size = set.count
            if count < 0 {
                let picks = Int(count.magnitude)
                guard picks <= maxRandomPicks else { return .error("ERR value is out of range") }
                chosen.reserveCapacity(picks)
                for _ in 0..<picks {
                    if let entry = set.randomEntry(using: &engine.random) { chosen.append(entry) }
                }
            } else if count >= Int64(size) {
                chosen = set.entries
            } else if count * 3 > Int64(size) {
                var all = set.entries
                for position in 0..<Int(count) {
                    all.swapAt(position, Int.random(in: position..<all.count, using: &engine.random))
                }
                chosen = Array(all[0..<Int(count)])
            } else {
                var seen = Set<Bytes>()
                while chosen.count < Int(count), let entry = set.randomEntry(using: &engine.random) {
                    if seen.insert(entry.member).inserted { chosen.append(entry) }
                }
            }
            return scoredReply(chosen, withScores: withScores, context)
        } missing: { .array([]) }
    }

    // MARK: - Union, intersection, difference

    enum Aggregate { case sum, min, max }

    /// A source of ZUNION and friends: a sorted set, or a set whose members score 1.
    enum AlgebraSource {
        case missing
        case sortedSet(SortedSetValue)
        case set(SetValue)

        var count: Int {
            switch self {
            case .missing: return 0
            case .sortedSet(let set): return set.count
            case .set(let set): return set.count
            }
        }

        func score(of member: Bytes) -> Double? {
            switch self {
            case .missing: return nil
            case .sortedSet(let set): return set.score(of: member)
            case .set(let set): return set.contains(member) ? 1 : nil
            }
        }

        var entries: [ScoredMember] {
            switch self {
            case .missing: return []
            case .sortedSet(let set): return set.entries
            case .set(let set): return set.members.map { ScoredMember(score: 1, member: $0) }
            }
        }

        func isSame(as other: AlgebraSource) -> Bool {
            switch (self, other) {
            case (.sortedSet(let a), .sortedSet(let b)): return a === b
            case (.set(let a), .set(let b)):
                if case .table(let x) = a.storage, case .table(let y) = b.storage { return x === y }
                return false
            default: return false
            }
        }
    }

    static func aggregate(_ target: inout Double, _ value: Double, _ aggregate: Aggregate) {
        switch aggregate {
        case .sum:
            target += value
            if target.isNaN { target = 0 }
        case .min: target = value < target ? value : target
        case .max: target = value > target ? value : target
        }
    }

    /// ZUNION ZINTER ZDIFF, their STORE forms and ZINTERCARD (Redis's
    /// `zunionInterDiffGenericCommand`): numkeys, the keys' types, then the options.
    func zsetAlgebra(_ context: CommandContext, _ operation: SetOperation, numkeysIndex: Int, destination: Bytes?, cardinalityOnly: Bool = false) -> Reply {
        let args = context.args
        guard let numkeys = args[numkeysIndex].int64Value else { return Errors.notInteger }
        guard numkeys >= 1 else {
            let name = args[0].lowercased().string
            return .error("ERR at least 1 input key is needed for '\(name)' command")
        }
        guard numkeys <= Int64(args.count - numkeysIndex - 1) else { return Errors.syntax }
        let keyCount = Int(numkeys)
        var sources: [(source: AlgebraSource, weight: Double)] = []
        sources.reserveCapacity(keyCount)
        for key in args[(numkeysIndex + 1)...(numkeysIndex + keyCount)] {
            guard let index = lookupRead(key, context) else {
                sources.append((.missing, 1))
                continue
            }
            switch databases[context.db].keys[index].value.value {
            case .zset(let set): sources.append((.sortedSet(set), 1))
            case .set(let set): sources.append((.set(set), 1))
            default: return Errors.wrongType
            }
        }
        var aggregate = Aggregate.sum
        var withScores = false
        var limit: Int64 = 0
        var index = numkeysIndex + keyCount + 1
        while index < args.count {
            let remaining = args.count - index
            let option = args[index]
            if operation != .difference && !cardinalityOnly && remaining >= keyCount + 1 && option.equalsLowercased("weights") {
                for source in 0..<keyCount {
                    guard let weight = parseScore(args[index + 1 + source]) else { return .error("ERR weight value is not a float") }
                    sources[source].weight = weight
                }
                index += keyCount + 1
            } else if operation != .difference && !cardinalityOnly && remaining >= 2 && option.equalsLowercased("aggregate") {
                let word = args[index + 1]
                if word.equalsLowercased("sum") { aggregate = .sum }
                else if word.equalsLowercased("min") { aggregate = .min }
                else if word.equalsLowercased("max") { aggregate = .max }
                else { return Errors.syntax }
                index += 2
            } else if destination == nil && !cardinalityOnly && option.equalsLowercased("withscores") {
                withScores = true
                index += 1
            } else if cardinalityOnly && remaining >= 2 && option.equalsLowercased("limit") {
                guard let value = args[index + 1].int64Value, value >= 0 else { return .error("ERR LIMIT can't be negative") }
                limit = value
                index += 2
            } else {
                return Errors.syntax
            }
        }
        if operation != .difference {
            // Smallest first, stably (glibc's qsort is a merge sort): the intersection walks the
            // smallest, and the union sums in this order.
            sources = sources.enumerated().sorted {
                $0.element.source.count != $1.element.source.count ? $0.element.source.count < $1.element.source.count : $0.offset < $1.offset
            }.map(\.element)
        }
        var result: [ScoredMember] = []
        var cardinality: Int64 = 0
        switch operation {
        case .intersection:
            guard let first = sources.first, first.source.count > 0 else { break }
            for entry in first.source.entries {
                var score = first.weight * entry.score
                if score.isNaN { score = 0 }
                var inAll = true
                for other in sources.dropFirst() {
                    let value: Double
                    if other.source.isSame(as: first.source) {
                        value = entry.score * other.weight
                    } else if let found = other.source.score(of: entry.member) {
                        value = found * other.weight
                    } else {
                        inAll = false
                        break
                    }
                    Engine.aggregate(&score, value, aggregate)
                }
                guard inAll else { continue }
                if cardinalityOnly {
                    cardinality += 1
                    if limit > 0 && cardinality >= limit { break }
                } else {
                    result.append(ScoredMember(score: score, member: entry.member))
                }
            }
        case .union:
            var accumulator: [Bytes: Double] = [:]
            var order: [Bytes] = []
            for (source, weight) in sources where source.count > 0 {
                for entry in source.entries {
                    var score = weight * entry.score
                    if score.isNaN { score = 0 }
                    if let existing = accumulator[entry.member] {
                        var target = existing
                        Engine.aggregate(&target, score, aggregate)
                        accumulator[entry.member] = target
                    } else {
                        accumulator[entry.member] = score
                        order.append(entry.member)
                    }
                }
            }
            result = order.map { ScoredMember(score: accumulator[$0]!, member: $0) }
        case .difference:
            guard let first = sources.first, first.source.count > 0 else { break }
            let others = sources.dropFirst()
            for entry in first.source.entries where !others.contains(where: { $0.source.isSame(as: first.source) || $0.source.score(of: entry.member) != nil }) {
                result.append(entry)
            }
        }
        if cardinalityOnly { return .integer(cardinality) }
        if let destination { return storeSortedSet(result, in: destination, context) }
        result.sort { $0.precedes($1) }
        return Engine.scoredReply(result, withScores: withScores, context)
    }

    // MARK: - ZSCAN

    static func zscan(_ context: CommandContext) -> Reply {
        let set: SortedSetValue, options: ScanOptions
        switch collectionScan(context, as: SortedSetValue.self) {
        case .failure(let early): return early.reply
        case .success(let found): (set, options) = found
        }
        var found: [ScoredMember] = []
        var next: UInt64 = 0
        if let table = set.scoreTable {
            next = scanStep(table, options) { found.append(ScoredMember(score: table[$0].value, member: table[$0].key)) }
        } else {
            // A compact set is returned whole in one call, as Redis does.
            found = set.entries
        }
        var elements: [Reply] = []
        for entry in found {
            if let pattern = options.pattern, !globMatch(pattern, entry.member) { continue }
            elements.append(.bulk(entry.member))
            elements.append(.bulk(Bytes(formatDouble(entry.score))))
        }
        return .array([.bulk(Bytes(String(next))), .array(elements)])
    }
}

// MARK: - Ranges

/// A score interval as ZRANGEBYSCORE takes it: `(` makes a bound exclusive; `-inf`, `+inf`.
struct ScoreRange {
    var min: Double, max: Double
    var minExclusive = false, maxExclusive = false

    /// Parses like Redis's `zslParseRange`: `strtod` on the text up to its first NUL, NaN refused.
    init?(_ minText: Bytes, _ maxText: Bytes) {
        guard let (min, minExclusive) = Self.bound(minText), let (max, maxExclusive) = Self.bound(maxText) else { return nil }
        (self.min, self.minExclusive, self.max, self.maxExclusive) = (min, minExclusive, max, maxExclusive)
    }

    private static func bound(_ text: Bytes) -> (Double, Bool)? {
        var bytes = text.array
        if let nul = bytes.firstIndex(of: 0) { bytes.removeSubrange(nul...) }
        var exclusive = false
        if bytes.first == UInt8(ascii: "(") {
            exclusive = true
            bytes.removeFirst()
        }
        bytes.append(0)
        let value: Double? = bytes.withUnsafeBufferPointer { pointer in
            let start = UnsafeRawPointer(pointer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(start, &end)
            guard let end, end.pointee == 0, !value.isNaN else { return nil }
            return value
        }
        return value.map { ($0, exclusive) }
    }

    func aboveMin(_ score: Double) -> Bool { minExclusive ? score > min : score >= min }
    func belowMax(_ score: Double) -> Bool { maxExclusive ? score < max : score <= max }
    var isEmpty: Bool { min > max || (min == max && (minExclusive || maxExclusive)) }

    /// The ascending ranks of the entries in range.
    func ranks(in set: SortedSetValue) -> Range<Int> {
        guard !isEmpty else { return 0..<0 }
        let first = set.rank { aboveMin($0.score) }
        let end = set.rank { !belowMax($0.score) }
        return first < end ? first..<end : first..<first
    }
}

/// A member interval as ZRANGEBYLEX takes it: `[a` inclusive, `(a` exclusive, `-` and `+`.
struct LexRange {
    enum Bound {
        case negativeInfinity, positiveInfinity
        case inclusive(Bytes), exclusive(Bytes)
    }

    var min: Bound, max: Bound

    init?(_ minText: Bytes, _ maxText: Bytes) {
        guard let min = Self.bound(minText), let max = Self.bound(maxText) else { return nil }
        (self.min, self.max) = (min, max)
    }

    private static func bound(_ text: Bytes) -> Bound? {
        let bytes = text.array
        guard let first = bytes.first else { return nil }
        switch first {
        case UInt8(ascii: "+"): return bytes.count == 1 || bytes[1] == 0 ? .positiveInfinity : nil
        case UInt8(ascii: "-"): return bytes.count == 1 || bytes[1] == 0 ? .negativeInfinity : nil
        case UInt8(ascii: "("): return .exclusive(Bytes(bytes[1...]))
        case UInt8(ascii: "["): return .inclusive(Bytes(bytes[1...]))
        default: return nil
        }
    }

    func aboveMin(_ member: Bytes) -> Bool {
        switch min {
        case .negativeInfinity: return true
        case .positiveInfinity: return false
        case .inclusive(let bound): return member >= bound
        case .exclusive(let bound): return member > bound
        }
    }

    func belowMax(_ member: Bytes) -> Bool {
        switch max {
        case .positiveInfinity: return true
        case .negativeInfinity: return false
        case .inclusive(let bound): return member <= bound
        case .exclusive(let bound): return member < bound
        }
    }

    /// Redis's `sdscmplex` of the two bounds, with its exclusivity rule.
    var isEmpty: Bool {
        let comparison: Int
        switch (min, max) {
        case (.negativeInfinity, .negativeInfinity), (.positiveInfinity, .positiveInfinity): comparison = 0
        case (.negativeInfinity, _), (_, .positiveInfinity): comparison = -1
        case (.positiveInfinity, _), (_, .negativeInfinity): comparison = 1
        case (.inclusive(let a), .inclusive(let b)), (.inclusive(let a), .exclusive(let b)),
             (.exclusive(let a), .inclusive(let b)), (.exclusive(let a), .exclusive(let b)):
            comparison = a < b ? -1 : (a == b ? 0 : 1)
        }
        let exclusive: Bool
        switch (min, max) {
        case (.inclusive, .inclusive): exclusive = false
        default: exclusive = true
        }
        return comparison > 0 || (comparison == 0 && exclusive)
    }

    /// The ascending ranks of the entries in range. A compact set is scanned in order, as
    /// Redis scans a listpack, so sets with mixed scores answer as there.
    func ranks(in set: SortedSetValue) -> Range<Int> {
        guard !isEmpty, set.count > 0 else { return 0..<0 }
        var first = set.count
        if set.isCompact {
            var rank = 0
            set.forEach(from: 0) { entry in
                if aboveMin(entry.member) {
                    first = rank
                    return false
                }
                rank += 1
                return true
            }
        } else {
            first = set.rank { aboveMin($0.member) }
        }
        guard first < set.count else { return first..<first }
        var end = first
        set.forEach(from: first) { entry in
            guard belowMax(entry.member) else { return false }
            end += 1
            return true
        }
        return first..<end
    }
}

/// What a ZRANGE-family command selects.
enum RangeSelection {
    case rank(Int64, Int64)
    case score(ScoreRange)
    case lex(LexRange)

    /// The ascending ranks selected (without LIMIT).
    func ranks(in set: SortedSetValue) -> Range<Int> {
        switch self {
        case .rank(var start, var stop):
            let length = Int64(set.count)
            if start < 0 { start = length &+ start }
            if stop < 0 { stop = length &+ stop }
            if start < 0 { start = 0 }
            guard start <= stop && start < length else { return 0..<0 }
            if stop >= length { stop = length - 1 }
            return Int(start)..<Int(stop + 1)
        case .score(let range): return range.ranks(in: set)
        case .lex(let range): return range.ranks(in: set)
        }
    }

    /// The selected entries in reply order, after LIMIT's offset and count (a negative count
    /// is no limit; a negative offset selects nothing, as Redis's skipping loop runs dry).
    func entries(in set: SortedSetValue, reverse: Bool, offset: Int64, limit: Int64) -> [ScoredMember] {
        if case .rank = self {} else {
            if offset > 0 && offset >= Int64(set.count) { return [] }
            if offset < 0 { return [] }
        }
        var ranks = self.ranks(in: set)
        if case .rank = self, reverse {
            // ZREVRANGE's indexes count from the highest score.
            ranks = (set.count - ranks.upperBound)..<(set.count - ranks.lowerBound)
        }
        guard !ranks.isEmpty else { return [] }
        var skip = offset
        var remaining = limit
        var selected: [ScoredMember] = []
        if case .rank = self { skip = 0; remaining = -1 }
        let start = reverse ? ranks.upperBound - 1 : ranks.lowerBound
        var visited = 0
        set.forEach(from: start, reverse: reverse) { entry in
            guard visited < ranks.count else { return false }
            visited += 1
            if skip > 0 {
                skip -= 1
                return true
            }
            if remaining == 0 { return false }
            selected.append(entry)
            if remaining > 0 { remaining -= 1 }
            return true
        }
        return selected
    }
}

/// A score as ZADD and the weights take it (Redis's `getDoubleFromObject`): the whole text
/// must parse, with no leading space, no NaN, and no overflow or underflow to zero.
func parseScore(_ bytes: Bytes) -> Double? {
    // Canonical integers up to 2^53 convert exactly: no C round trip (ZADD's common case).
    if let integer = bytes.int64Value, integer.magnitude <= 1 << 53 { return Double(integer) }
    guard bytes.count > 0, bytes.count < 5 * 1024 else { return nil }
    return bytes.withUnsafeBytes { raw -> Double? in
        let first = raw[0]
        if first == 32 || (first >= 9 && first <= 13) { return nil }
        return withUnsafeTemporaryAllocation(byteCount: raw.count + 1, alignment: 1) { text -> Double? in
            text.copyMemory(from: raw)
            text[raw.count] = 0
            let start = text.baseAddress!.assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtod(start, &end)
            guard let end, end == start + raw.count else { return nil }
            if value.isNaN { return nil }
            if errno == ERANGE && (value.isInfinite || value == 0) { return nil }
            return value
        }
    }
}
