import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Engine {
    func registerKeyCommands() {
        register("del") { Engine.delete($0, lazily: $0.engine.config.lazyFreeUserDel) }
        register("unlink") { Engine.delete($0, lazily: true) }
        register("exists", Engine.exists)
        register("touch", Engine.touch)
        register("type", Engine.type)
        register("expire") { $0.engine.expire($0, unit: 1000, absolute: false) }
        register("pexpire") { $0.engine.expire($0, unit: 1, absolute: false) }
        register("expireat") { $0.engine.expire($0, unit: 1000, absolute: true) }
        register("pexpireat") { $0.engine.expire($0, unit: 1, absolute: true) }
        register("ttl") { $0.engine.ttl($0, milliseconds: false, absolute: false) }
        register("pttl") { $0.engine.ttl($0, milliseconds: true, absolute: false) }
        register("expiretime") { $0.engine.ttl($0, milliseconds: false, absolute: true) }
        register("pexpiretime") { $0.engine.ttl($0, milliseconds: true, absolute: true) }
        register("persist", Engine.persist)
        register("keys", Engine.keys)
        register("scan", Engine.scan)
        register("rename") { $0.engine.rename($0, onlyIfNew: false) }
        register("renamenx") { $0.engine.rename($0, onlyIfNew: true) }
        register("randomkey", Engine.randomkey)
        register("dbsize") { .integer(Int64($0.engine.databases[$0.db].count)) }
        register("flushdb", Engine.flushdb)
        register("flushall", Engine.flushall)
        register("move", Engine.move)
        register("copy", Engine.copy)
        register("swapdb", Engine.swapdb)
        register("select", Engine.select)
        register("object|encoding", Engine.objectEncoding)
        register("object|refcount", Engine.objectRefcount)
        register("object|idletime", Engine.objectIdletime)
        register("object|freq", Engine.objectFreq)
        register("object|help") { _ in
            Engine.help("OBJECT", [
                "ENCODING <key>",
                "    Return the kind of internal representation used in order to store the value",
                "    associated with a <key>.",
                "FREQ <key>",
                "    Return the access frequency index of the <key>. The returned integer is",
                "    proportional to the logarithm of the recent access frequency of the key.",
                "IDLETIME <key>",
                "    Return the idle time of the <key>, that is the approximated number of",
                "    seconds elapsed since the last access to the key.",
                "REFCOUNT <key>",
                "    Return the number of references of the value associated with the specified",
                "    <key>.",
            ])
        }
    }

    /// A `<COMMAND> <subcommand> [<arg> ...]` help reply in Redis's layout.
    static func help(_ command: String, _ lines: [String]) -> Reply {
        var all = ["\(command) <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"]
        all += lines
        all += ["HELP", "    Prints this help."]
        return .array(all.map { .simple($0) })
    }

    /// A 32-bit integer argument (Redis's `getIntFromObjectOrReply`): a caller's own `error`
    /// replaces both the not-an-integer and the out-of-range message, as there.
    static func int32Argument(_ bytes: Bytes, error: Reply? = nil) -> Result<Int, ReplyError> {
        guard let value = bytes.int64Value else { return .failure(ReplyError(error ?? Errors.notInteger)) }
        guard value >= Int64(Int32.min), value <= Int64(Int32.max) else {
            return .failure(ReplyError(error ?? .error("ERR value is out of range, value must between -2147483648 and 2147483647")))
        }
        return .success(Int(value))
    }

    // MARK: - Existence

    static func delete(_ context: CommandContext, lazily: Bool) -> Reply {
        let engine = context.engine
        var deleted: Int64 = 0
        for key in context.args.dropFirst() {
            if let index = engine.lookupWrite(key, context) {
                engine.removeEntry(at: index, db: context.db, lazily: lazily)
                deleted += 1
            }
        }
        return .integer(deleted)
    }

    static func exists(_ context: CommandContext) -> Reply {
        var found: Int64 = 0
        for key in context.args.dropFirst() where context.engine.lookupRead(key, context) != nil {
            found += 1
        }
        return .integer(found)
    }

    static func touch(_ context: CommandContext) -> Reply { exists(context) }

    static func type(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let index = engine.databases[context.db].find(context.args[1], now: context.now, stats: &engine.stats) else {
            return .simple("none")
        }
        return .simple(engine.databases[context.db].keys[index].value.value.typeName)
    }

    // MARK: - Expiry

    func expire(_ context: CommandContext, unit: Int64, absolute: Bool) -> Reply {
        var nx = false, xx = false, gt = false, lt = false
        for option in context.args.dropFirst(3) {
            if option.equalsLowercased("nx") { nx = true }
            else if option.equalsLowercased("xx") { xx = true }
            else if option.equalsLowercased("gt") { gt = true }
            else if option.equalsLowercased("lt") { lt = true }
            else { return .error("ERR Unsupported option ", .bytes(option.cPrefix(Int.max))) }
        }
        if nx && (xx || gt || lt) { return .error("ERR NX and XX, GT or LT options at the same time are not compatible") }
        if gt && lt { return .error("ERR GT and LT options at the same time are not compatible") }
        guard var when = context.args[2].int64Value else { return Errors.notInteger }
        let command = context.args[0].string.lowercased()
        if unit == 1000 {
            if when > Int64.max / 1000 || when < Int64.min / 1000 { return Errors.invalidExpireTime(command) }
            when *= 1000
        }
        let base = absolute ? 0 : context.now
        if when > Int64.max - base { return Errors.invalidExpireTime(command) }
        when += base
        guard let index = lookupWrite(context.args[1], context) else { return .integer(0) }
        let current = databases[context.db].expireTime(at: index)
        if nx && current != nil { return .integer(0) }
        if xx && current == nil { return .integer(0) }
        if gt && (current == nil || when <= current!) { return .integer(0) }
        if lt, let current, when >= current { return .integer(0) }
        if when <= context.now {
            // Gone at once, as an expiry (lazily with `lazyfree-lazy-expire`).
            removeEntry(at: index, db: context.db, lazily: config.lazyFreeExpire)
        } else {
            databases[context.db].setExpire(at: index, when)
        }
        return .integer(1)
    }

    func ttl(_ context: CommandContext, milliseconds: Bool, absolute: Bool) -> Reply {
        guard let index = databases[context.db].find(context.args[1], now: context.now, stats: &stats) else { return .integer(-2) }
        guard let when = databases[context.db].expireTime(at: index) else { return .integer(-1) }
        let value = max(0, absolute ? when : when &- context.now)
        // Seconds round to nearest, as Redis's (ttl + 500) / 1000, without overflowing near LLONG_MAX.
        return .integer(milliseconds ? value : value / 1000 + (value % 1000 >= 500 ? 1 : 0))
    }

    static func persist(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let index = engine.lookupWrite(context.args[1], context) else { return .integer(0) }
        return .integer(engine.databases[context.db].persist(at: index) ? 1 : 0)
    }

    // MARK: - Enumeration

    /// Whether the entry at `index` of `db` has logically expired (it is skipped, not deleted).
    func isExpired(_ db: Int, _ index: Int, now: Int64) -> Bool {
        guard let when = databases[db].expireTime(at: index) else { return false }
        return when <= now
    }

    static func keys(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let pattern = context.args[1]
        let matchAll = pattern.count == 1 && pattern[0] == UInt8(ascii: "*")
        var result: [Reply] = []
        let table = engine.databases[context.db].keys
        for index in table.indices {
            let key = table[index].key
            if engine.isExpired(context.db, index, now: context.now) { continue }
            if matchAll || globMatch(pattern, key) { result.append(.bulk(key)) }
        }
        return .array(result)
    }

    /// Parses a SCAN cursor as Redis does (`strtoul`: unsigned, no leading space, no trailing bytes).
    static func scanCursor(_ bytes: Bytes) -> UInt64? {
        var text = bytes.array
        if let first = text.first, first == 32 || (first >= 9 && first <= 13) { return nil }
        text.append(0)
        return text.withUnsafeBufferPointer { pointer -> UInt64? in
            let start = UnsafeRawPointer(pointer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtoul(start, &end, 10)
            guard let end, end.pointee == 0, errno != ERANGE else { return nil }
            return UInt64(value)
        }
    }

    /// SCAN's and the collection scans' options (Redis's `scanGenericCommand`): the cursor,
    /// COUNT, MATCH and, for the keyspace only, TYPE.
    struct ScanOptions {
        var cursor: UInt64
        var count = 10
        var pattern: Bytes?
        var typeFilter: Bytes?

        /// Parses `args[cursorIndex]` and the options after it; an error reply on failure.
        static func parse(_ args: [Bytes], cursorIndex: Int, allowsType: Bool) -> Result<ScanOptions, ReplyError> {
            guard let cursor = scanCursor(args[cursorIndex]) else { return .failure(ReplyError(invalidCursor)) }
            return parse(args, cursor: cursor, optionsFrom: cursorIndex + 1, allowsType: allowsType)
        }

        static let invalidCursor = Reply.error("ERR invalid cursor")

        /// Parses the options from `args[optionsFrom]` on, the cursor already read (the
        /// collection scans read the cursor, then the key, then the options).
        static func parse(_ args: [Bytes], cursor: UInt64, optionsFrom: Int, allowsType: Bool) -> Result<ScanOptions, ReplyError> {
            var options = ScanOptions(cursor: cursor)
            var index = optionsFrom
            while index < args.count {
                let remaining = args.count - index
                let option = args[index]
                if option.equalsLowercased("count") && remaining >= 2 {
                    guard let value = args[index + 1].int64Value else { return .failure(ReplyError(Errors.notInteger)) }
                    if value < 1 { return .failure(ReplyError(Errors.syntax)) }
                    options.count = Int(min(value, Int64(Int32.max)))
                } else if option.equalsLowercased("match") && remaining >= 2 {
                    let value = args[index + 1]
                    options.pattern = value.count == 1 && value[0] == UInt8(ascii: "*") ? nil : value
                } else if allowsType && option.equalsLowercased("type") && remaining >= 2 {
                    options.typeFilter = args[index + 1]
                } else {
                    return .failure(ReplyError(Errors.syntax))
                }
                index += 2
            }
            return .success(options)
        }
    }

    /// One scan call over a hash table, as Redis's `scanGenericCommand`: buckets until `count`
    /// entries were emitted, the table is done, or 10 × `count` buckets were visited.
    static func scanStep<V>(_ table: HashTable<V>, _ options: ScanOptions, _ emit: (Int) -> Void) -> UInt64 {
        var next = options.cursor
        var iterations = options.count * 10
        var emitted = 0
        repeat {
            next = table.scan(cursor: next) {
                emitted += 1
                emit($0)
            }
            iterations -= 1
        } while next != 0 && iterations > 0 && emitted < options.count
        return next
    }

    /// The start of HSCAN, SSCAN (and ZSCAN): the cursor, then the key (a missing one answers
    /// an empty scan whatever the options), then the options, in Redis's order.
    static func collectionScan<C: CollectionValue>(_ context: CommandContext, as type: C.Type) -> Result<(C, ScanOptions), ReplyError> {
        guard let cursor = scanCursor(context.args[2]) else { return .failure(ReplyError(ScanOptions.invalidCursor)) }
        let collection: C
        switch context.engine.readCollection(context.args[1], context, as: C.self) {
        case .wrongType: return .failure(ReplyError(Errors.wrongType))
        case .missing: return .failure(ReplyError(.array([.bulk("0"), .array([])])))
        case .found(let found): collection = found
        }
        return ScanOptions.parse(context.args, cursor: cursor, optionsFrom: 3, allowsType: false).map { (collection, $0) }
    }

    static func scan(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let options: ScanOptions
        switch ScanOptions.parse(context.args, cursorIndex: 1, allowsType: true) {
        case .failure(let error): return error.reply
        case .success(let parsed): options = parsed
        }
        let (pattern, typeFilter) = (options.pattern, options.typeFilter)
        var keys: [Bytes] = []
        let table = engine.databases[context.db].keys
        let next = scanStep(table, options) { keys.append(table[$0].key) }
        var result: [Reply] = []
        result.reserveCapacity(keys.count)
        for key in keys {
            if let pattern, !globMatch(pattern, key) { continue }
            guard let position = engine.databases[context.db].find(key, now: context.now, stats: &engine.stats) else { continue }
            if let typeFilter {
                let typeName = engine.databases[context.db].keys[position].value.value.typeName
                if typeFilter.asciiLowercased() != Bytes(typeName) { continue }
            }
            result.append(.bulk(key))
        }
        return .array([.bulk(Bytes(String(next))), .array(result)])
    }

    static func randomkey(_ context: CommandContext) -> Reply {
        let engine = context.engine
        // Retry past expired keys, deleting them, as Redis does; give up on a table of only those.
        for _ in 0..<100 {
            guard let index = engine.databases[context.db].keys.randomIndex(using: &engine.random) else { return .null }
            let key = engine.databases[context.db].keys[index].key
            if engine.databases[context.db].find(key, now: context.now, stats: &engine.stats) != nil {
                return .bulk(key)
            }
        }
        return .null
    }

    // MARK: - Renaming and moving

    func rename(_ context: CommandContext, onlyIfNew: Bool) -> Reply {
        let source = context.args[1], destination = context.args[2]
        guard let index = lookupWrite(source, context) else { return Errors.noSuchKey }
        if source == destination { return onlyIfNew ? .integer(0) : .ok }
        let stored = databases[context.db].keys[index].value
        let expire = databases[context.db].expireTime(at: index)
        if let existing = lookupWrite(destination, context) {
            if onlyIfNew { return .integer(0) }
            databases[context.db].delete(at: existing)
        }
        databases[context.db].remove(source)
        let newIndex = databases[context.db].add(destination, stored.value, lru: stored.metadata.lru)
        databases[context.db].keys[newIndex].value.metadata.isRaw = stored.metadata.isRaw
        if let expire { databases[context.db].setExpire(at: newIndex, expire) }
        return onlyIfNew ? .integer(1) : .ok
    }

    static func move(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let target: Int
        switch int32Argument(context.args[2]) {
        case .failure(let error): return error.reply
        case .success(let value): target = value
        }
        guard target >= 0 && target < engine.databases.count else { return Errors.dbIndexOutOfRange }
        if target == context.db { return Errors.sameObject }
        let key = context.args[1]
        guard let index = engine.lookupWrite(key, context) else { return .integer(0) }
        if engine.databases[target].find(key, now: context.now, stats: &engine.stats) != nil { return .integer(0) }
        let stored = engine.databases[context.db].keys[index].value
        let expire = engine.databases[context.db].expireTime(at: index)
        engine.databases[context.db].remove(at: index)
        let newIndex = engine.databases[target].add(key, stored.value, lru: stored.metadata.lru)
        engine.databases[target].keys[newIndex].value.metadata.isRaw = stored.metadata.isRaw
        if let expire { engine.databases[target].setExpire(at: newIndex, expire) }
        return .integer(1)
    }

    static func copy(_ context: CommandContext) -> Reply {
        let engine = context.engine
        var target = context.db
        var replace = false
        var index = 3
        while index < context.args.count {
            let option = context.args[index]
            if option.equalsLowercased("replace") {
                replace = true
            } else if option.equalsLowercased("db") && index + 1 < context.args.count {
                switch int32Argument(context.args[index + 1]) {
                case .failure(let error): return error.reply
                case .success(let value): target = value
                }
                guard target >= 0 && target < engine.databases.count else { return Errors.dbIndexOutOfRange }
                index += 1
            } else {
                return Errors.syntax
            }
            index += 1
        }
        let source = context.args[1], destination = context.args[2]
        if target == context.db && source == destination { return Errors.sameObject }
        guard let sourceIndex = engine.lookupRead(source, context) else { return .integer(0) }
        let stored = engine.databases[context.db].keys[sourceIndex].value
        let expire = engine.databases[context.db].expireTime(at: sourceIndex)
        if let existing = engine.databases[target].find(destination, now: context.now, stats: &engine.stats) {
            if !replace { return .integer(0) }
            engine.databases[target].delete(at: existing)
        }
        let newIndex = engine.databases[target].add(destination, stored.value.copied(), lru: context.lru)
        engine.databases[target].keys[newIndex].value.metadata.isRaw = stored.metadata.isRaw
        if let expire { engine.databases[target].setExpire(at: newIndex, expire) }
        return .integer(1)
    }

    static func swapdb(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let first: Int, second: Int
        switch int32Argument(context.args[1], error: .error("ERR invalid first DB index")) {
        case .failure(let error): return error.reply
        case .success(let value): first = value
        }
        switch int32Argument(context.args[2], error: .error("ERR invalid second DB index")) {
        case .failure(let error): return error.reply
        case .success(let value): second = value
        }
        let range = 0..<engine.databases.count
        guard range.contains(first), range.contains(second) else { return Errors.dbIndexOutOfRange }
        engine.touchWatchedKeysBeforeSwapping(first, second, now: context.now)
        engine.databases.swapAt(first, second)
        // A change of the data (Redis's dirty++): SWAPDB reaches the AOF and replicas.
        engine.changeCounter.value &+= 1
        (engine.databases[first].number, engine.databases[second].number) = (first, second)
        engine.keepWaitersAfterSwapping(first, second)
        return .ok
    }

    static func select(_ context: CommandContext) -> Reply {
        switch int32Argument(context.args[1]) {
        case .failure(let error): return error.reply
        case .success(let value):
            guard value >= 0 && value < context.engine.databases.count else { return Errors.dbIndexOutOfRange }
            context.client.db = value
            return .ok
        }
    }

    static func flushdb(_ context: CommandContext) -> Reply {
        if let error = flushOptionError(context.args) { return error }
        context.engine.flush(db: context.db, lazily: flushesLazily(context))
        // Replicas and the AOF see every FLUSHDB, also of an empty database (Redis 7.0).
        context.engine.propagationForced = true
        return .ok
    }

    static func flushall(_ context: CommandContext) -> Reply {
        if let error = flushOptionError(context.args) { return error }
        let engine = context.engine
        engine.flush(db: nil, lazily: flushesLazily(context))
        // As Redis: a running background save is abandoned (it would bring the data back), and
        // with save points the empty data set is saved at once.
        engine.cancelBackgroundSave()
        if !engine.config.persistence.savePoints.isEmpty { _ = engine.saveSynchronously(now: context.now) }
        engine.propagationForced = true
        return .ok
    }

    /// FLUSHDB/FLUSHALL take one optional ASYNC or SYNC. Freeing is immediate either way: the
    /// tables are released as a whole, which costs the same as Redis's lazy-free handoff here.
    /// ASYNC, or no option with `lazyfree-lazy-user-flush yes`.
    static func flushesLazily(_ context: CommandContext) -> Bool {
        context.args.count == 2 ? context.args[1].equalsLowercased("async") : context.engine.config.lazyFreeUserFlush
    }

    static func flushOptionError(_ args: [Bytes]) -> Reply? {
        if args.count > 2 { return Errors.syntax }
        if args.count == 2 && !args[1].equalsLowercased("async") && !args[1].equalsLowercased("sync") { return Errors.syntax }
        return nil
    }

    // MARK: - OBJECT

    /// Looks a key up without touching its LRU time (Redis's LOOKUP_NOTOUCH).
    func peek(_ key: Bytes, _ context: CommandContext) -> StoredValue? {
        databases[context.db].find(key, now: context.now, stats: &stats).map { databases[context.db].keys[$0].value }
    }

    /// The encoding name OBJECT ENCODING reports.
    static func encodingName(_ stored: StoredValue) -> String {
        switch stored.value {
        case .integer: return "int"
        case .string(let bytes): return stored.metadata.isRaw || bytes.count > 44 ? "raw" : "embstr"
        case .hash(let hash): return hash.encodingName
        case .set(let set): return set.encodingName
        case .list: return "quicklist"
        case .zset(let set): return set.encodingName
        }
    }


    static func objectEncoding(_ context: CommandContext) -> Reply {
        guard let stored = context.engine.peek(context.args[2], context) else { return .null }
        return .bulk(Bytes(encodingName(stored)))
    }

    static func objectRefcount(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let stored = engine.peek(context.args[2], context) else { return .null }
        return .integer(engine.isSharedInteger(stored.value) ? Int64(Int32.max) : 1)
    }

    /// Whether Redis would hold this value as one of its shared integer objects (0..<10000),
    /// which it does unless an LRU/LFU policy needs per-key access data.
    func isSharedInteger(_ value: Value) -> Bool {
        let policy = config.maxMemoryPolicy
        let sharesIntegers = config.maxMemory == 0 || !(policy.hasSuffix("lru") || policy.hasSuffix("lfu"))
        if case .integer(let integer) = value, integer >= 0, integer < 10000, sharesIntegers { return true }
        return false
    }

    static func objectIdletime(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let stored = engine.peek(context.args[2], context) else { return .null }
        if engine.config.usesLFU {
            return .error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
        }
        return .integer(Int64(idleSeconds(stored.metadata.lru, now: context.lru)))
    }

    static func idleSeconds(_ lru: UInt32, now: UInt32) -> UInt32 {
        now >= lru ? now - lru : now + (KeyMetadata.lruMask - lru)
    }

    static func objectFreq(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let stored = engine.peek(context.args[2], context) else { return .null }
        if !engine.config.usesLFU {
            return .error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
        }
        return .integer(Int64(AccessClock.lfuCounter(stored.metadata.lru, now: context.now, decayTime: engine.config.lfuDecayTime)))
    }
}
