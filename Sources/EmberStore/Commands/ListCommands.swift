import DequeModule
import EmberRESP

/// The list family: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM
/// LTRIM LPOS LMOVE RPOPLPUSH LMPOP and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, as
/// Redis 7.0 answers them.
extension Engine {
    func registerListCommands() {
        register("lpush") { $0.engine.push($0, at: .head, onlyExisting: false) }
        register("rpush") { $0.engine.push($0, at: .tail, onlyExisting: false) }
        register("lpushx") { $0.engine.push($0, at: .head, onlyExisting: true) }
        register("rpushx") { $0.engine.push($0, at: .tail, onlyExisting: true) }
        register("lpop") { $0.engine.pop($0, at: .head) }
        register("rpop") { $0.engine.pop($0, at: .tail) }
        register("llen") { context in
            context.engine.readListReply(context) { .integer(Int64($0.count)) } missing: { .integer(0) }
        }
        register("lrange", Engine.lrange)
        register("lindex", Engine.lindex)
        register("lset", Engine.lset)
        register("linsert", Engine.linsert)
        register("lrem", Engine.lrem)
        register("ltrim", Engine.ltrim)
        register("lpos", Engine.lpos)
        register("lmove", Engine.lmove)
        register("rpoplpush") { $0.engine.move($0, from: .tail, to: .head) }
        register("lmpop") { $0.engine.multiPop($0, numkeysIndex: 1, timeoutIndex: nil) }
        register("blpop") { $0.engine.blockingPop($0, at: .head) }
        register("brpop") { $0.engine.blockingPop($0, at: .tail) }
        register("blmove", Engine.blmove)
        register("brpoplpush") { $0.engine.blockingMove($0, from: .tail, to: .head, timeout: $0.args[3]) }
        register("blmpop") { $0.engine.multiPop($0, numkeysIndex: 2, timeoutIndex: 1) }
    }

    func readListReply(_ context: CommandContext, _ body: (ListValue) -> Reply, missing: () -> Reply) -> Reply {
        readCollectionReply(context, as: ListValue.self, body, missing: missing)
    }

    // MARK: - Push and pop

    func push(_ context: CommandContext, at end: ListValue.End, onlyExisting: Bool) -> Reply {
        switch writeCollection(context.args[1], context, as: ListValue.self, create: !onlyExisting) {
        case .wrongType: return Errors.wrongType
        case .missing: return .integer(0)
        case .found(let slot):
            guard case .list(let list) = databases[context.db].keys[slot].value.value else { return Errors.wrongType }
            for element in context.args.dropFirst(2) { list.push(element, at: end) }
            databases[context.db].noteChanged(at: slot, Int64(context.args.count - 2))
            return .integer(Int64(list.count))
        }
    }

    /// LPOP/RPOP key [count].
    func pop(_ context: CommandContext, at end: ListValue.End) -> Reply {
        let args = context.args
        if args.count > 3 { return Errors.wrongArity(end == .head ? "lpop" : "rpop") }
        var count: Int?
        if args.count == 3 {
            guard let value = args[2].int64Value, value >= 0 else { return Errors.outOfRange }
            count = Int(value)
        }
        switch writeCollection(args[1], context, as: ListValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return count == nil ? .null : .nullArray
        case .found:
            return popListReply(args[1], context, end: end, count: count, multi: false, keyed: false)
        }
    }

    /// Pops from the list at `key` (which exists and holds elements). Replies with the element
    /// alone (`keyed` false, no count), `[key, element]` (BLPOP), the elements (a count), or
    /// `[key, [elements]]` (`multi`: LMPOP/BLMPOP). An emptied list is deleted.
    func popListReply(_ key: Bytes, _ context: CommandContext, end: ListValue.End, count: Int?, multi: Bool, keyed: Bool = true) -> Reply {
        guard let slot = lookupWrite(key, context) else { return .null }
        return modifyCollection(at: slot, context, as: ListValue.self) { list in
            guard let count else {
                guard let element = list.pop(at: end) else { return .null }
                return keyed ? .array([.bulk(key), .bulk(element)]) : .bulk(element)
            }
            let popped = Reply.array(list.pop(count, at: end).map(Reply.bulk))
            return multi ? .array([.bulk(key), popped]) : popped
        }
    }

    // MARK: - Reading

    static func lrange(_ context: CommandContext) -> Reply {
        guard let start = context.args[2].int64Value, let stop = context.args[3].int64Value else { return Errors.notInteger }
        return context.engine.readListReply(context) { list in
            guard let range = list.range(start, stop) else { return .array([]) }
            return .bulkArray(Array(list.elements[range]))
        } missing: { .array([]) }
    }

    static func lindex(_ context: CommandContext) -> Reply {
        context.engine.readListReply(context) { list in
            guard let index = context.args[2].int64Value else { return Errors.notInteger }
            return .bulkOrNull(list.position(index).map { list.elements[$0] })
        } missing: { .null }
    }

    static func lpos(_ context: CommandContext) -> Reply {
        let args = context.args
        var rank: Int64 = 1, count: Int64 = -1, maxLength: Int64 = 0
        var index = 3
        while index < args.count {
            let option = args[index]
            let hasValue = index + 1 < args.count
            if option.equalsLowercased("rank") && hasValue {
                guard let value = args[index + 1].int64Value else { return Errors.notInteger }
                guard value != 0 else {
                    return .error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
                }
                rank = value
            } else if option.equalsLowercased("count") && hasValue {
                guard let value = args[index + 1].int64Value, value >= 0 else { return .error("ERR COUNT can't be negative") }
                count = value
            } else if option.equalsLowercased("maxlen") && hasValue {
                guard let value = args[index + 1].int64Value, value >= 0 else { return .error("ERR MAXLEN can't be negative") }
                maxLength = value
            } else {
                return Errors.syntax
            }
            index += 2
        }
        // A negative rank searches from the tail. As in Redis, the most negative rank stays
        // negative when flipped, so that every match qualifies.
        let fromTail = rank < 0
        if fromTail { rank = 0 &- rank }
        let element = args[2]
        return context.engine.readListReply(context) { list in
            let length = list.count
            var matches: Int64 = 0
            var found: [Reply] = []
            var scanned: Int64 = 0
            for step in 0..<length {
                if maxLength != 0 && scanned >= maxLength { break }
                scanned += 1
                let position = fromTail ? length - 1 - step : step
                guard list.elements[position] == element else { continue }
                matches += 1
                guard matches >= rank else { continue }
                if count == -1 { return .integer(Int64(position)) }
                found.append(.integer(Int64(position)))
                if count != 0 && (matches &- rank &+ 1) >= count { break }
            }
            return count == -1 ? .null : .array(found)
        } missing: { count == -1 ? .null : .array([]) }
    }

    // MARK: - Changing elements

    static func lset(_ context: CommandContext) -> Reply {
        let engine = context.engine
        switch engine.writeCollection(context.args[1], context, as: ListValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return Errors.noSuchKey
        case .found(let slot):
            guard let index = context.args[2].int64Value else { return Errors.notInteger }
            guard case .list(let list) = engine.databases[context.db].keys[slot].value.value else { return Errors.wrongType }
            guard let position = list.position(index) else { return .error("ERR index out of range") }
            list.elements[position] = context.args[3]
            engine.databases[context.db].noteChanged(at: slot)
            return .ok
        }
    }

    static func linsert(_ context: CommandContext) -> Reply {
        let args = context.args
        let after: Bool
        if args[2].equalsLowercased("after") { after = true } else if args[2].equalsLowercased("before") { after = false } else { return Errors.syntax }
        let engine = context.engine
        switch engine.writeCollection(args[1], context, as: ListValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .integer(0)
        case .found(let slot):
            guard case .list(let list) = engine.databases[context.db].keys[slot].value.value else { return Errors.wrongType }
            guard let pivot = list.elements.firstIndex(of: args[3]) else { return .integer(-1) }
            list.elements.insert(args[4], at: after ? pivot + 1 : pivot)
            engine.databases[context.db].noteChanged(at: slot)
            return .integer(Int64(list.count))
        }
    }

    static func lrem(_ context: CommandContext) -> Reply {
        let args = context.args
        guard var toRemove = args[2].int64Value else { return Errors.notInteger }
        let engine = context.engine
        switch engine.writeCollection(args[1], context, as: ListValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .integer(0)
        case .found(let slot):
            let fromTail = toRemove < 0
            if fromTail { toRemove = 0 &- toRemove }
            return engine.modifyCollection(at: slot, context, as: ListValue.self, reportingChange: { list in
                let element = args[3]
                var removed: Int64 = 0
                var kept = Deque<Bytes>()
                kept.reserveCapacity(list.count)
                let ordered = fromTail ? AnySequence(list.elements.reversed()) : AnySequence(list.elements)
                for candidate in ordered {
                    if (toRemove == 0 || removed != toRemove) && candidate == element {
                        removed += 1
                    } else {
                        kept.append(candidate)
                    }
                }
                if removed > 0 { list.elements = fromTail ? Deque(kept.reversed()) : kept }
                return (.integer(removed), removed > 0)
            })
        }
    }

    static func ltrim(_ context: CommandContext) -> Reply {
        guard let start = context.args[2].int64Value, let stop = context.args[3].int64Value else { return Errors.notInteger }
        let engine = context.engine
        switch engine.writeCollection(context.args[1], context, as: ListValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .ok
        case .found(let slot):
            return engine.modifyCollection(at: slot, context, as: ListValue.self) { list in
                guard let range = list.range(start, stop) else {
                    list.elements.removeAll()
                    return .ok
                }
                list.elements.removeLast(list.count - range.upperBound)
                list.elements.removeFirst(range.lowerBound)
                return .ok
            }
        }
    }

    // MARK: - Moving between lists

    static func lmove(_ context: CommandContext) -> Reply {
        guard let from = ListValue.End(context.args[3]), let to = ListValue.End(context.args[4]) else { return Errors.syntax }
        return context.engine.move(context, from: from, to: to)
    }

    /// LMOVE/RPOPLPUSH: nil for a missing source (whatever the destination holds).
    func move(_ context: CommandContext, from: ListValue.End, to: ListValue.End) -> Reply {
        switch writeCollection(context.args[1], context, as: ListValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .missing: return .null
        case .found: return moveListElement(from: context.args[1], to: context.args[2], context, from: from, to: to)
        }
    }

    /// Moves one element from the list at `source` (which holds elements) to `destination`,
    /// created if missing. Replies with the element, or WRONGTYPE for a destination of
    /// another type (nothing moves then).
    func moveListElement(from source: Bytes, to destination: Bytes, _ context: CommandContext, from: ListValue.End, to: ListValue.End) -> Reply {
        guard let sourceSlot = lookupWrite(source, context),
              case .list(let sourceList) = databases[context.db].keys[sourceSlot].value.value else { return .null }
        if case .wrongType = writeCollection(destination, context, as: ListValue.self, create: false) { return Errors.wrongType }
        guard let element = sourceList.pop(at: from) else { return .null }
        // The destination's lookup may have deleted it (expired) and moved the source's entry.
        databases[context.db].noteChanged(of: source)
        if source == destination {
            sourceList.push(element, at: to)
            return .bulk(element)
        }
        if sourceList.count == 0 { databases[context.db].remove(source) }
        guard case .found(let slot) = writeCollection(destination, context, as: ListValue.self, create: true),
              case .list(let destinationList) = databases[context.db].keys[slot].value.value else { return Errors.wrongType }
        destinationList.push(element, at: to)
        databases[context.db].noteChanged(at: slot)
        return .bulk(element)
    }

    // MARK: - Multi-key pops

    /// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count], and BLMPOP with its timeout first.
    func multiPop(_ context: CommandContext, numkeysIndex: Int, timeoutIndex: Int?) -> Reply {
        let parsed: MultiPopArguments<ListValue.End>
        switch MultiPopArguments.parse(context.args, numkeysIndex: numkeysIndex, parseEnd: ListValue.End.init) {
        case .failure(let error): return error.reply
        case .success(let value): parsed = value
        }
        switch Engine.blockingDeadline(at: timeoutIndex, context) {
        case .failure(let error): return error.reply
        case .success(let deadline):
            return popFirst(of: parsed.keys, as: ListValue.self, context, blockingUntil: deadline,
                            operation: .listPop(end: parsed.end, count: parsed.count)) { key in
                popListReply(key, context, end: parsed.end, count: parsed.count, multi: true)
            }
        }
    }

    /// BLPOP/BRPOP key [key ...] timeout.
    func blockingPop(_ context: CommandContext, at end: ListValue.End) -> Reply {
        switch Engine.blockingDeadline(at: context.args.count - 1, context) {
        case .failure(let error): return error.reply
        case .success(let deadline):
            return popFirst(of: Array(context.args[1..<(context.args.count - 1)]), as: ListValue.self, context,
                            blockingUntil: deadline, operation: .listPop(end: end, count: nil)) { key in
                popListReply(key, context, end: end, count: nil, multi: false)
            }
        }
    }

    static func blmove(_ context: CommandContext) -> Reply {
        guard let from = ListValue.End(context.args[3]), let to = ListValue.End(context.args[4]) else { return Errors.syntax }
        return context.engine.blockingMove(context, from: from, to: to, timeout: context.args[5])
    }

    /// BLMOVE/BRPOPLPUSH. Inside MULTI an empty source answers a null bulk, not a null array.
    func blockingMove(_ context: CommandContext, from: ListValue.End, to: ListValue.End, timeout: Bytes) -> Reply {
        let deadline: Int64
        switch Engine.blockingDeadline(timeout, now: context.now) {
        case .failure(let error): return error.reply
        case .success(let value): deadline = value
        }
        switch writeCollection(context.args[1], context, as: ListValue.self, create: false) {
        case .wrongType: return Errors.wrongType
        case .found: return moveListElement(from: context.args[1], to: context.args[2], context, from: from, to: to)
        case .missing:
            return block(context, keys: [context.args[1]], operation: .listMove(from: from, to: to, destination: context.args[2]),
                         deadline: deadline, timeoutReply: .null)
        }
    }
}

/// The shared arguments of LMPOP, BLMPOP, ZMPOP and BZMPOP: numkeys, the keys, the end and
/// an optional COUNT, checked in Redis's order and with its messages.
struct MultiPopArguments<End> {
    var keys: [Bytes]
    var end: End
    var count: Int

    static func parse(_ args: [Bytes], numkeysIndex: Int, parseEnd: (Bytes) -> End?) -> Result<MultiPopArguments, ReplyError> {
        guard let numkeys = args[numkeysIndex].int64Value, numkeys > 0 else {
            return .failure(ReplyError(.error("ERR numkeys should be greater than 0")))
        }
        guard numkeys < Int64(args.count) - Int64(numkeysIndex) - 1 else { return .failure(ReplyError(Errors.syntax)) }
        let endIndex = numkeysIndex + Int(numkeys) + 1
        guard let end = parseEnd(args[endIndex]) else { return .failure(ReplyError(Errors.syntax)) }
        var count: Int?
        var index = endIndex + 1
        while index < args.count {
            guard count == nil, args[index].equalsLowercased("count"), index + 1 < args.count else {
                return .failure(ReplyError(Errors.syntax))
            }
            guard let value = args[index + 1].int64Value, value > 0 else {
                return .failure(ReplyError(.error("ERR count should be greater than 0")))
            }
            count = Int(value)
            index += 2
        }
        return .success(MultiPopArguments(keys: Array(args[(numkeysIndex + 1)..<endIndex]), end: end, count: count ?? 1))
    }
}
