import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A key looked up as a string.
enum StringLookup {
    case missing
    case wrongType
    case found(index: Int, value: Value)
}

extension Engine {
    func registerStringCommands() {
        register("get", Engine.get)
        register("set", Engine.set)
        register("setnx", Engine.setnx)
        register("setex") { $0.engine.setWithExpireArgument($0, unit: 1000) }
        register("psetex") { $0.engine.setWithExpireArgument($0, unit: 1) }
        register("getex", Engine.getex)
        register("getdel", Engine.getdel)
        register("getset", Engine.getset)
        register("mget", Engine.mget)
        register("mset") { $0.engine.mset($0, onlyIfNoneExist: false) }
        register("msetnx") { $0.engine.mset($0, onlyIfNoneExist: true) }
        register("incr") { $0.engine.incrementBy($0, 1) }
        register("decr") { $0.engine.incrementBy($0, -1) }
        register("incrby") { context in
            guard let delta = context.args[2].int64Value else { return Errors.notInteger }
            return context.engine.incrementBy(context, delta)
        }
        register("decrby") { context in
            guard let delta = context.args[2].int64Value else { return Errors.notInteger }
            if delta == .min { return .error("ERR decrement would overflow") }
            return context.engine.incrementBy(context, -delta)
        }
        register("incrbyfloat", Engine.incrbyfloat)
        register("append", Engine.append)
        register("strlen", Engine.strlen)
        register("getrange", Engine.getrange)
        register("substr", Engine.getrange)
        register("setrange", Engine.setrange)
        register("lcs", Engine.lcs)
    }

    /// Looks `key` up for reading and checks that it holds a string.
    func readString(_ key: Bytes, _ context: CommandContext) -> StringLookup {
        guard let index = lookupRead(key, context) else { return .missing }
        let value = databases[context.db].keys[index].value.value
        switch value {
        case .string, .integer: return .found(index: index, value: value)
        default: return .wrongType
        }
    }

    /// Looks `key` up for writing and checks that it holds a string.
    func writeString(_ key: Bytes, _ context: CommandContext) -> StringLookup {
        guard let index = lookupWrite(key, context) else { return .missing }
        let value = databases[context.db].keys[index].value.value
        switch value {
        case .string, .integer: return .found(index: index, value: value)
        default: return .wrongType
        }
    }

    /// Whether `length` more bytes at `offset` stay within `proto-max-bulk-len`.
    func checkStringLength(_ offset: Int64, _ length: Int) -> Reply? {
        let (total, overflow) = offset.addingReportingOverflow(Int64(length))
        if overflow || total > Int64(config.protoMaxBulkLength) { return Errors.stringTooLong }
        return nil
    }

    // MARK: - GET / SET family

    static func get(_ context: CommandContext) -> Reply {
        switch context.engine.readString(context.args[1], context) {
        case .missing: return .null
        case .wrongType: return Errors.wrongType
        case .found(_, let value): return .bulkOrNull(value.stringBytes)
        }
    }

    /// Parsed `SET`/`GETEX` options (Redis's `parseExtendedStringArguments`).
    struct StringOptions {
        enum Condition { case always, ifMissing, ifExists }
        enum Expiry { case none, keep, persist, relative(Bytes, unit: Int64), absolute(Bytes, unit: Int64) }
        var condition = Condition.always
        var get = false
        var expiry = Expiry.none

        var hasExpireTime: Bool {
            switch expiry {
            case .relative, .absolute: return true
            default: return false
            }
        }

        /// Parses options from `args[start...]`; nil on a syntax error. `forSet` selects SET's
        /// options (NX XX GET KEEPTTL) versus GETEX's (PERSIST).
        init?(_ args: [Bytes], from start: Int, forSet: Bool) {
            var index = start
            while index < args.count {
                let option = args[index]
                let hasNext = index + 1 < args.count
                if forSet && option.equalsLowercased("nx") && condition != .ifExists {
                    condition = .ifMissing
                } else if forSet && option.equalsLowercased("xx") && condition != .ifMissing {
                    condition = .ifExists
                } else if forSet && option.equalsLowercased("get") {
                    get = true
                } else if forSet && option.equalsLowercased("keepttl") && !hasExpireTime {
                    if case .persist = expiry { return nil }
                    expiry = .keep
                } else if !forSet && option.equalsLowercased("persist") && !hasExpireTime {
                    if case .keep = expiry { return nil }
                    expiry = .persist
                } else if hasNext, let (absolute, unit) = Self.expiryOption(option), compatible(absolute: absolute, unit: unit) {
                    expiry = absolute ? .absolute(args[index + 1], unit: unit) : .relative(args[index + 1], unit: unit)
                    index += 1
                } else {
                    return nil
                }
                index += 1
            }
        }

        static func expiryOption(_ option: Bytes) -> (absolute: Bool, unit: Int64)? {
            if option.equalsLowercased("ex") { return (false, 1000) }
            if option.equalsLowercased("px") { return (false, 1) }
            if option.equalsLowercased("exat") { return (true, 1000) }
            if option.equalsLowercased("pxat") { return (true, 1) }
            return nil
        }

        /// An expire option may repeat itself (the last wins) but not mix with another kind.
        func compatible(absolute: Bool, unit: Int64) -> Bool {
            switch expiry {
            case .none: return true
            case .keep, .persist: return false
            case .relative(_, let u): return !absolute && u == unit
            case .absolute(_, let u): return absolute && u == unit
            }
        }
    }

    /// Resolves an expire argument to a Unix time in ms (Redis's `getExpireMillisecondsOrReply`).
    static func expireTime(_ argument: Bytes, unit: Int64, relative: Bool, now: Int64, command: String) -> Result<Int64, ReplyError> {
        guard var value = argument.int64Value else { return .failure(ReplyError(Errors.notInteger)) }
        if value <= 0 || (unit == 1000 && value > Int64.max / 1000) {
            return .failure(ReplyError(Errors.invalidExpireTime(command)))
        }
        value *= unit
        if relative { value = value &+ now }
        if value <= 0 { return .failure(ReplyError(Errors.invalidExpireTime(command))) }
        return .success(value)
    }

    static func set(_ context: CommandContext) -> Reply {
        guard let options = StringOptions(context.args, from: 3, forSet: true) else { return Errors.syntax }
        return context.engine.set(context, key: context.args[1], value: context.args[2], options: options)
    }

    func set(_ context: CommandContext, key: Bytes, value: Bytes, options: StringOptions) -> Reply {
        var expireAt: Int64?
        switch options.expiry {
        case .relative(let argument, let unit), .absolute(let argument, let unit):
            let relative: Bool
            if case .relative = options.expiry { relative = true } else { relative = false }
            switch Engine.expireTime(argument, unit: unit, relative: relative, now: context.now, command: context.args[0].string.lowercased()) {
            case .failure(let error): return error.reply
            case .success(let when): expireAt = when
            }
        default: break
        }
        var previous = Reply.null
        let existing = lookupWrite(key, context)
        if options.get, let existing {
            switch databases[context.db].keys[existing].value.value {
            case .string, .integer: previous = .bulkOrNull(databases[context.db].keys[existing].value.value.stringBytes)
            default: return Errors.wrongType
            }
        }
        if options.get && existing == nil { stats.keyspaceMisses += 1 } else if options.get { stats.keyspaceHits += 1 }
        if (options.condition == .ifMissing && existing != nil) || (options.condition == .ifExists && existing == nil) {
            return options.get ? previous : .null
        }
        let keepTTL: Bool
        if case .keep = options.expiry { keepTTL = true } else { keepTTL = false }
        let index: Int
        if let existing {
            databases[context.db].overwrite(at: existing, .string(encoding: value), lru: context.lru, keepTTL: keepTTL)
            index = existing
        } else {
            index = databases[context.db].add(key, .string(encoding: value), lru: context.lru)
        }
        if let expireAt { databases[context.db].setExpire(at: index, expireAt) }
        return options.get ? previous : .ok
    }

    static func setnx(_ context: CommandContext) -> Reply {
        let engine = context.engine
        if engine.lookupWrite(context.args[1], context) != nil { return .integer(0) }
        engine.databases[context.db].add(context.args[1], .string(encoding: context.args[2]), lru: context.lru)
        return .integer(1)
    }

    /// SETEX and PSETEX: `key seconds|milliseconds value`.
    func setWithExpireArgument(_ context: CommandContext, unit: Int64) -> Reply {
        var options = StringOptions(context.args, from: context.args.count, forSet: true)!
        options.expiry = .relative(context.args[2], unit: unit)
        return set(context, key: context.args[1], value: context.args[3], options: options)
    }

    static func getex(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let options = StringOptions(context.args, from: 2, forSet: false) else { return Errors.syntax }
        let index: Int, value: Value
        switch engine.readString(context.args[1], context) {
        case .missing: return .null
        case .wrongType: return Errors.wrongType
        case .found(let i, let v): (index, value) = (i, v)
        }
        switch options.expiry {
        case .relative(let argument, let unit), .absolute(let argument, let unit):
            var relative = false
            if case .relative = options.expiry { relative = true }
            switch expireTime(argument, unit: unit, relative: relative, now: context.now, command: "getex") {
            case .failure(let error): return error.reply
            case .success(let when):
                if !relative && when <= context.now {
                    engine.removeEntry(at: index, db: context.db, lazily: engine.config.lazyFreeExpire)
                } else {
                    engine.databases[context.db].setExpire(at: index, when)
                }
            }
        case .persist:
            engine.databases[context.db].persist(at: index)
        default: break
        }
        return .bulkOrNull(value.stringBytes)
    }

    static func getdel(_ context: CommandContext) -> Reply {
        let engine = context.engine
        switch engine.readString(context.args[1], context) {
        case .missing: return .null
        case .wrongType: return Errors.wrongType
        case .found(let index, let value):
            engine.databases[context.db].remove(at: index)
            return .bulkOrNull(value.stringBytes)
        }
    }

    static func getset(_ context: CommandContext) -> Reply {
        var options = StringOptions(context.args, from: context.args.count, forSet: true)!
        options.get = true
        return context.engine.set(context, key: context.args[1], value: context.args[2], options: options)
    }

    static func mget(_ context: CommandContext) -> Reply {
        let engine = context.engine
        var replies: [Reply] = []
        replies.reserveCapacity(context.args.count - 1)
        for key in context.args.dropFirst() {
            switch engine.readString(key, context) {
            case .found(_, let value): replies.append(.bulkOrNull(value.stringBytes))
            case .missing, .wrongType: replies.append(.null)
            }
        }
        return .array(replies)
    }

    func mset(_ context: CommandContext, onlyIfNoneExist: Bool) -> Reply {
        let args = context.args
        guard args.count % 2 == 1 else { return Errors.wrongArity(context.args[0].string.lowercased()) }
        if onlyIfNoneExist {
            var index = 1
            while index < args.count {
                if lookupWrite(args[index], context) != nil { return .integer(0) }
                index += 2
            }
        }
        var index = 1
        while index < args.count {
            databases[context.db].set(args[index], .string(encoding: args[index + 1]), lru: context.lru)
            index += 2
        }
        return onlyIfNoneExist ? .integer(1) : .ok
    }

    // MARK: - Counters

    func incrementBy(_ context: CommandContext, _ delta: Int64) -> Reply {
        let key = context.args[1]
        let current: Int64
        let existing: Int?
        switch writeString(key, context) {
        case .missing:
            current = 0
            existing = nil
        case .wrongType: return Errors.wrongType
        case .found(let index, let value):
            existing = index
            switch value {
            case .integer(let integer): current = integer
            case .string(let bytes):
                guard bytes.count <= 20, let parsed = bytes.int64Value else { return Errors.notInteger }
                current = parsed
            default: return Errors.wrongType
            }
        }
        let (result, overflow) = current.addingReportingOverflow(delta)
        if overflow { return Errors.overflow }
        if let existing {
            databases[context.db].keys[existing].value.value = .integer(result)
            databases[context.db].noteChanged(at: existing)
            databases[context.db].keys[existing].value.metadata.isRaw = false
        } else {
            databases[context.db].add(key, .integer(result), lru: context.lru)
        }
        return .integer(result)
    }

    static func incrbyfloat(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let key = context.args[1]
        var current: Float80 = 0
        var existing: Int?
        switch engine.writeString(key, context) {
        case .missing: break
        case .wrongType: return Errors.wrongType
        case .found(let index, let value):
            existing = index
            guard let parsed = parseLongDouble(value.stringBytes ?? Bytes()) else { return Errors.notFloat }
            current = parsed
        }
        guard let increment = parseLongDouble(context.args[2]) else { return Errors.notFloat }
        let result = current + increment
        if result.isNaN || result.isInfinite { return .error("ERR increment would produce NaN or Infinity") }
        let text = Bytes(formatLongDouble(result))
        if let existing {
            engine.databases[context.db].keys[existing].value.value = .string(text)
            engine.databases[context.db].noteChanged(at: existing)
            engine.databases[context.db].keys[existing].value.metadata.isRaw = false
        } else {
            engine.databases[context.db].add(key, .string(text), lru: context.lru)
        }
        return .bulk(text)
    }

    // MARK: - Byte ranges

    static func append(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let key = context.args[1], suffix = context.args[2]
        switch engine.writeString(key, context) {
        case .missing:
            // Like SET, a new value gets Redis's encoding (an integer stays an integer).
            engine.databases[context.db].add(key, .string(encoding: suffix), lru: context.lru)
            return .integer(Int64(suffix.count))
        case .wrongType: return Errors.wrongType
        case .found(let index, let value):
            let current = value.stringBytes ?? Bytes()
            if let error = engine.checkStringLength(Int64(current.count), suffix.count) { return error }
            let combined = current + suffix
            engine.databases[context.db].keys[index].value.value = .string(combined)
            engine.databases[context.db].noteChanged(at: index)
            engine.databases[context.db].keys[index].value.metadata.isRaw = true
            return .integer(Int64(combined.count))
        }
    }

    static func strlen(_ context: CommandContext) -> Reply {
        switch context.engine.readString(context.args[1], context) {
        case .missing: return .integer(0)
        case .wrongType: return Errors.wrongType
        case .found(_, let value): return .integer(Int64(value.stringBytes?.count ?? 0))
        }
    }

    static func getrange(_ context: CommandContext) -> Reply {
        guard var start = context.args[2].int64Value, var end = context.args[3].int64Value else { return Errors.notInteger }
        let bytes: Bytes
        switch context.engine.readString(context.args[1], context) {
        case .missing: return .bulk(Bytes())
        case .wrongType: return Errors.wrongType
        case .found(_, let value): bytes = value.stringBytes ?? Bytes()
        }
        let length = Int64(bytes.count)
        if start < 0 && end < 0 && start > end { return .bulk(Bytes()) }
        if start < 0 { start = length + start }
        if end < 0 { end = length + end }
        if start < 0 { start = 0 }
        if end < 0 { end = 0 }
        if end >= length { end = length - 1 }
        if start > end || length == 0 { return .bulk(Bytes()) }
        return .bulk(bytes.slice(Int(start)..<Int(end + 1)))
    }

    static func setrange(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let key = context.args[1], patch = context.args[3]
        guard let offset = context.args[2].int64Value else { return Errors.notInteger }
        if offset < 0 { return .error("ERR offset is out of range") }
        var current: Bytes
        var existing: Int?
        switch engine.writeString(key, context) {
        case .missing:
            if patch.isEmpty { return .integer(0) }
            current = Bytes()
        case .wrongType: return Errors.wrongType
        case .found(let index, let value):
            current = value.stringBytes ?? Bytes()
            existing = index
            if patch.isEmpty { return .integer(Int64(current.count)) }
        }
        if let error = engine.checkStringLength(offset, patch.count) { return error }
        var array = current.array
        let needed = Int(offset) + patch.count
        if array.count < needed { array.append(contentsOf: repeatElement(0, count: needed - array.count)) }
        patch.withUnsafeBytes { raw in
            for i in 0..<raw.count { array[Int(offset) + i] = raw[i] }
        }
        let updated = Bytes(array)
        if let existing {
            engine.databases[context.db].keys[existing].value.value = .string(updated)
            engine.databases[context.db].noteChanged(at: existing)
            engine.databases[context.db].keys[existing].value.metadata.isRaw = true
        } else {
            let index = engine.databases[context.db].add(key, .string(updated), lru: context.lru)
            engine.databases[context.db].keys[index].value.metadata.isRaw = true
        }
        return .integer(Int64(array.count))
    }

    // MARK: - LCS

    static func lcs(_ context: CommandContext) -> Reply {
        let engine = context.engine
        var strings: [[UInt8]] = []
        for key in context.args[1...2] {
            switch engine.readString(key, context) {
            case .missing: strings.append([])
            case .wrongType: return .error("ERR The specified keys must contain string values")
            case .found(_, let value): strings.append(value.stringBytes?.array ?? [])
            }
        }
        var wantIndexes = false, wantLength = false, withMatchLength = false
        var minimumMatch: Int64 = 0
        var index = 3
        while index < context.args.count {
            let option = context.args[index]
            let moreArgs = context.args.count - 1 - index
            if option.equalsLowercased("idx") {
                wantIndexes = true
            } else if option.equalsLowercased("len") {
                wantLength = true
            } else if option.equalsLowercased("withmatchlen") {
                withMatchLength = true
            } else if option.equalsLowercased("minmatchlen") && moreArgs > 0 {
                guard let value = context.args[index + 1].int64Value else { return Errors.notInteger }
                minimumMatch = max(0, value)
                index += 1
            } else {
                return Errors.syntax
            }
            index += 1
        }
        if wantIndexes && wantLength {
            return .error("ERR If you want both the length and indexes, please just use IDX.")
        }
        let a = strings[0], b = strings[1]
        let tableSize = (a.count + 1).multipliedReportingOverflow(by: b.count + 1)
        if tableSize.overflow || tableSize.partialValue.multipliedReportingOverflow(by: 4).overflow
            || tableSize.partialValue * 4 > engine.config.protoMaxBulkLength {
            return .error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
        }
        return longestCommonSubsequence(
            a, b, indexes: wantIndexes, lengthOnly: wantLength, withMatchLength: withMatchLength, minimumMatch: minimumMatch)
    }

    /// Redis's dynamic-programming LCS, including the order in which it reports matched ranges.
    static func longestCommonSubsequence(
        _ a: [UInt8], _ b: [UInt8], indexes: Bool, lengthOnly: Bool, withMatchLength: Bool, minimumMatch: Int64
    ) -> Reply {
        let width = b.count + 1
        var table = [UInt32](repeating: 0, count: (a.count + 1) * width)
        if !a.isEmpty && !b.isEmpty {
            for i in 1...a.count {
                for j in 1...b.count {
                    if a[i - 1] == b[j - 1] {
                        table[i * width + j] = table[(i - 1) * width + j - 1] + 1
                    } else {
                        table[i * width + j] = max(table[(i - 1) * width + j], table[i * width + j - 1])
                    }
                }
            }
        }
        let total = Int(table[a.count * width + b.count])
        if lengthOnly { return .integer(Int64(total)) }
        var result = [UInt8](repeating: 0, count: total)
        var matches: [Reply] = []
        var position = total
        var i = a.count, j = b.count
        var aStart = a.count, aEnd = 0, bStart = 0, bEnd = 0
        while i > 0 && j > 0 {
            var emit = false
            if a[i - 1] == b[j - 1] {
                result[position - 1] = a[i - 1]
                if aStart == a.count {
                    aStart = i - 1; aEnd = i - 1; bStart = j - 1; bEnd = j - 1
                } else if aStart == i && bStart == j {
                    aStart -= 1; bStart -= 1
                } else {
                    emit = true
                }
                if aStart == 0 || bStart == 0 { emit = true }
                position -= 1; i -= 1; j -= 1
            } else {
                if table[(i - 1) * width + j] > table[i * width + j - 1] { i -= 1 } else { j -= 1 }
                if aStart != a.count { emit = true }
            }
            let matchLength = aEnd - aStart + 1
            if emit {
                if indexes && (minimumMatch == 0 || Int64(matchLength) >= minimumMatch) {
                    var match: [Reply] = [
                        .array([.integer(Int64(aStart)), .integer(Int64(aEnd))]),
                        .array([.integer(Int64(bStart)), .integer(Int64(bEnd))]),
                    ]
                    if withMatchLength { match.append(.integer(Int64(matchLength))) }
                    matches.append(.array(match))
                }
                aStart = a.count
            }
        }
        if indexes {
            return .map([(.bulk("matches"), .array(matches)), (.bulk("len"), .integer(Int64(total)))])
        }
        return .bulk(Bytes(result))
    }
}

// MARK: - Long double text, as Redis's string2ld / ld2string (LD_STR_HUMAN)

/// Parses a float the way Redis's `string2ld` does: no leading space, no trailing bytes, no NaN.
func parseLongDouble(_ bytes: Bytes) -> Float80? {
    guard bytes.count > 0, bytes.count < 5 * 1024 else { return nil }
    return bytes.withUnsafeBytes { raw -> Float80? in
        let first = raw[0]
        if first == 32 || (first >= 9 && first <= 13) { return nil }
        var text = Array(raw)
        text.append(0)
        return text.withUnsafeBufferPointer { pointer -> Float80? in
            let start = UnsafeRawPointer(pointer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtold(start, &end)
            guard let end, end == UnsafeMutablePointer(mutating: start) + raw.count else { return nil }
            if value.isNaN { return nil }
            if errno == ERANGE && (value.isInfinite || value == 0) { return nil }
            return value
        }
    }
}

/// `%.17Lf` with trailing zeros (and a trailing point) removed; `-0` becomes `0`.
func formatLongDouble(_ value: Float80) -> String {
    let capacity = 5 * 1024
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer -> String in
        let written = withVaList([value]) { vsnprintf(buffer.baseAddress!, capacity, "%.17Lf", $0) }
        var length = Int(max(0, min(written, Int32(capacity - 1))))
        let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: length)
        if bytes.contains(UInt8(ascii: ".")) {
            while length > 0 && bytes[length - 1] == UInt8(ascii: "0") { length -= 1 }
            if length > 0 && bytes[length - 1] == UInt8(ascii: ".") { length -= 1 }
        }
        if length == 2 && bytes[0] == UInt8(ascii: "-") && bytes[1] == UInt8(ascii: "0") { return "0" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self)
    }
}
