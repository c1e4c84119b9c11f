import EmberRESP

/// DEBUG OBJECT, SDSLEN, LISTPACK, QUICKLIST, HTSTATS and HTSTATS-KEY: Redis's low-level
/// figures, computed for the layout Redis 7.0 would use for the same value (Ember's own
/// structures differ; where Redis's figure follows from the value alone, it is exact).
extension Engine {
    /// The entry of `key` in the current database without expiring it, as Redis's `dictFind`
    /// (DEBUG OBJECT shows a key that has expired but is still in the table).
    func debugEntryIndex(_ key: Bytes, _ context: CommandContext) -> Int? {
        databases[context.db].keys.find(key)
    }

    /// The entry of `key`, expiring it first if due, without touching its access time (Redis's
    /// `objectCommandLookup`: LOOKUP_NOTOUCH).
    func debugLookup(_ key: Bytes, _ context: CommandContext) -> Int? {
        databases[context.db].find(key, now: context.now, stats: &stats)
    }

    /// DEBUG OBJECT's line: `Value at:<address> refcount:N encoding:E serializedlength:N lru:N
    /// lru_seconds_idle:N`, and for lists the quicklist's `ql_*` figures.
    func debugObjectLine(db: Int, index: Int, now: Int64) -> String {
        let stored = databases[db].keys[index].value
        let value = stored.value
        let refcount: Int64 = isSharedInteger(value) ? Int64(Int32.max) : 1
        let serialized = rdbSerializedLength(value)
        let lruNow = Engine.lruClock(now)
        var line = "Value at:0x\(String(debugAddress(value, index: index), radix: 16)) refcount:\(refcount)"
            + " encoding:\(Engine.encodingName(stored)) serializedlength:\(serialized)"
            + " lru:\(stored.metadata.lru) lru_seconds_idle:\(Engine.idleSeconds(stored.metadata.lru, now: lruNow))"
        if case .list(let list) = value {
            let fill = config.limits.listMaxListpackSize
            let nodes = RedisLayout.quicklistNodes(list, fill: fill, packedThreshold: config.debug.quicklistPackedThreshold)
            let average = Double(list.count) / Double(max(1, nodes.count))
            line += " ql_nodes:\(nodes.count) ql_avg_node:\(formatCDouble(average, format: "%.2f")) ql_listpack_max:\(fill)"
                + " ql_compressed:\(config.limits.listCompressDepth != 0 ? 1 : 0)"
                + " ql_uncompressed_size:\(nodes.reduce(0) { $0 + $1.bytes })"
        }
        return line
    }

    /// A stand-in for Redis's object pointer: the object's own address for values held by
    /// reference, else one derived from the key's slot. Stable while the value is modified
    /// in place (INCR keeps it, as Redis's in-place INCR keeps its object).
    private func debugAddress(_ value: Value, index: Int) -> UInt {
        switch value {
        case .list(let list): return UInt(bitPattern: ObjectIdentifier(list).hashValue)
        case .zset(let set): return UInt(bitPattern: ObjectIdentifier(set).hashValue)
        case .hash(let hash):
            if case .table(let box) = hash.storage { return UInt(bitPattern: ObjectIdentifier(box).hashValue) }
        case .set(let set):
            if case .table(let box) = set.storage { return UInt(bitPattern: ObjectIdentifier(box).hashValue) }
        case .string, .integer: break
        }
        return 0x7f00_0000_0000 &+ UInt(index) &* 16
    }

    static func debugObject(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let index = engine.debugEntryIndex(context.args[2], context) else { return .error("ERR no such key") }
        return .simple(engine.debugObjectLine(db: context.db, index: index, now: context.now))
    }

    /// DEBUG SDSLEN: Redis's SDS header figures; Ember's strings have no spare capacity.
    static func debugSDSLength(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let index = engine.debugEntryIndex(context.args[2], context) else { return .error("ERR no such key") }
        let entry = engine.databases[context.db].keys[index]
        guard case .string(let bytes) = entry.value.value else { return .error("ERR Not an sds encoded string.") }
        return .simple("key_sds_len:\(entry.key.count), key_sds_avail:0, key_zmalloc: \(entry.key.heapBytes), "
            + "val_sds_len:\(bytes.count), val_sds_avail:0, val_zmalloc: \(bytes.heapBytes)")
    }

    /// DEBUG LISTPACK: hashes and sorted sets in their compact encoding. Redis prints the
    /// listpack on its standard output; Ember writes a summary to the log.
    static func debugListpack(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let index = engine.debugLookup(context.args[2], context) else { return .error("ERR no such key") }
        let value = engine.databases[context.db].keys[index].value.value
        var entries: [Bytes] = []
        switch value {
        case .hash(let hash):
            guard case .listpack = hash.storage else { return .error("ERR Not a listpack encoded object.") }
            for pair in hash.pairs { entries += [pair.field, pair.value] }
        case .zset(let set):
            guard set.isCompact else { return .error("ERR Not a listpack encoded object.") }
            for entry in set.entries { entries += [entry.member, Bytes(RedisLayout.listpackScoreText(entry.score))] }
        default:
            return .error("ERR Not a listpack encoded object.")
        }
        let bytes = RedisLayout.listpackBytes(entries)
        var text = "{total_bytes \(bytes)} {num_elements \(entries.count)}"
        for (number, entry) in entries.enumerated() {
            text += " {element \(number) len \(entry.count) \(RedisLayout.printable(entry))}"
        }
        engine.log(.notice, "DEBUG LISTPACK \(RedisLayout.printable(context.args[2])): \(text)")
        return .simple("Listpack structure printed on stdout")
    }

    /// DEBUG QUICKLIST key [0|1]: the quicklist Redis would hold for the list, to the log.
    static func debugQuicklist(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let index = engine.debugLookup(context.args[2], context) else { return .error("ERR no such key") }
        guard case .list(let list) = engine.databases[context.db].keys[index].value.value else {
            return .error("ERR Not a quicklist encoded object.")
        }
        let full = context.args.count == 4 && atoiValue(context.args[3]) != 0
        let fill = engine.config.limits.listMaxListpackSize
        let nodes = RedisLayout.quicklistNodes(list, fill: fill, packedThreshold: engine.config.debug.quicklistPackedThreshold)
        var text = "{count : \(list.count)} {len : \(nodes.count)} {fill : \(fill)} {compress : \(engine.config.limits.listCompressDepth)}"
        for (number, node) in nodes.enumerated() {
            text += " {node \(number) {container : \(node.plain ? "PLAIN" : "PACKED")} {count : \(node.count)} {sz : \(node.bytes)}}"
        }
        if full {
            var offset = 0
            for (number, node) in nodes.enumerated() {
                let elements = list.elements[offset..<(offset + node.count)].map { RedisLayout.printable($0) }
                text += " {node \(number) elements: \(elements.joined(separator: " "))}"
                offset += node.count
            }
        }
        engine.log(.notice, "DEBUG QUICKLIST \(RedisLayout.printable(context.args[2])): \(text)")
        return .simple("Quicklist structure printed on stdout")
    }

    /// DEBUG HTSTATS <dbid>: the key and expiry tables of a database, as Redis's
    /// `dictGetStats` writes them.
    static func debugHashTableStats(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let number = context.args[2].int64Value else { return Errors.notInteger }
        guard number >= 0, number < Int64(engine.databases.count) else { return .error("ERR Out of range database") }
        let database = engine.databases[Int(number)]
        let text = "[Dictionary HT]\n" + database.keys.redisStats() + "[Expires HT]\n" + database.expires.redisStats()
        return .verbatim(text)
    }

    /// DEBUG HTSTATS-KEY: the hash table of a set, hash or skiplist-encoded sorted set.
    static func debugHashTableStatsKey(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let index = engine.debugLookup(context.args[2], context) else { return .error("ERR no such key") }
        let stats: String?
        switch engine.databases[context.db].keys[index].value.value {
        case .hash(let hash):
            if case .table(let box) = hash.storage { stats = box.table.redisStats() } else { stats = nil }
        case .set(let set):
            switch set.storage {
            case .table(let box): stats = box.table.redisStats()
            case .listpack:
                // Redis 7.0 keeps such a set in a hash table (OBJECT ENCODING says so): the
                // figures of the table it would have.
                var table = HashTable<Void>()
                for member in set.members { table.insertNew(member, ()) }
                while table.rehashStep(buckets: 1024) {}
                stats = table.redisStats()
            case .intset: stats = nil
            }
        case .zset(let set):
            stats = set.scoreTable?.redisStats()
        default:
            stats = nil
        }
        guard let stats else {
            return .error("ERR The value stored at the specified key is not represented using an hash table")
        }
        return .verbatim(stats)
    }

    static func atoiValue(_ bytes: Bytes) -> Int64 {
        // C's atoi: optional spaces and sign, then digits up to the first other byte.
        var index = 0, negative = false, result: Int64 = 0
        let raw = bytes.array
        while index < raw.count, raw[index] == 32 || (9...13).contains(raw[index]) { index += 1 }
        if index < raw.count, raw[index] == UInt8(ascii: "-") || raw[index] == UInt8(ascii: "+") {
            negative = raw[index] == UInt8(ascii: "-")
            index += 1
        }
        while index < raw.count, raw[index] >= 48, raw[index] <= 57 {
            result = result &* 10 &+ Int64(raw[index] - 48)
            index += 1
        }
        return Int64(Int32(truncatingIfNeeded: negative ? -result : result))
    }
}

extension HashTable {
    /// Redis's `dictGetStats` text: the main table, and the rehashing target while a resize
    /// is in progress.
    func redisStats() -> String {
        var text = bucketStats(primary.heads, number: 0)
        if let target { text += bucketStats(target.heads, number: 1) }
        return text
    }

    private func bucketStats(_ heads: [UInt32], number: Int) -> String {
        let vectorLength = 50
        var vector = [Int](repeating: 0, count: vectorLength)
        var slots = 0, longest = 0, total = 0
        for head in heads {
            if head == 0 {
                vector[0] += 1
                continue
            }
            slots += 1
            var length = 0
            var link = head
            while link != 0 {
                length += 1
                link = self[Int(link) - 1].next
            }
            vector[min(length, vectorLength - 1)] += 1
            longest = max(longest, length)
            total += length
        }
        var text = "Hash table \(number) stats (\(number == 0 ? "main hash table" : "rehashing target")):\n"
        if total == 0 { return text + "No stats available for empty dictionaries\n" }
        // Redis divides in single precision.
        func ratio(_ a: Int, _ b: Int) -> String { formatCDouble(Double(Float(a) / Float(b)), format: "%.02f") }
        text += " table size: \(heads.count)\n number of elements: \(total)\n different slots: \(slots)\n"
            + " max chain length: \(longest)\n avg chain length (counted): \(ratio(total, slots))\n"
            + " avg chain length (computed): \(ratio(total, slots))\n Chain length distribution:\n"
        for length in 0..<(vectorLength - 1) where vector[length] != 0 {
            let percent = Double(Float(vector[length]) / Float(heads.count) * 100)
            text += "   \(length): \(vector[length]) (\(formatCDouble(percent, format: "%.02f"))%)\n"
        }
        return text
    }
}

/// Sizes of Redis 7.0's encodings of a value: listpacks, quicklist nodes, RDB lengths.
enum RedisLayout {
    /// Bytes of one listpack entry holding `bytes` (encoding, contents and back-length):
    /// strings that are canonical integers are stored as integers, as `lpAppend` does.
    static func listpackEntrySize(_ bytes: Bytes) -> Int {
        let encoded: Int
        if let integer = bytes.int64Value {
            switch integer {
            case 0...127: encoded = 1
            case -4096...4095: encoded = 2
            case -32768...32767: encoded = 3
            case -8_388_608...8_388_607: encoded = 4
            case Int64(Int32.min)...Int64(Int32.max): encoded = 5
            default: encoded = 9
            }
        } else {
            let length = bytes.count
            encoded = length < 64 ? 1 + length : length < 4096 ? 2 + length : 5 + length
        }
        let back = encoded <= 127 ? 1 : encoded < 16383 ? 2 : encoded < 2_097_151 ? 3 : encoded < 268_435_455 ? 4 : 5
        return encoded + back
    }

    /// A whole listpack: 6 header bytes, the entries, the end byte.
    static func listpackBytes(_ entries: [Bytes]) -> Int {
        entries.reduce(7) { $0 + listpackEntrySize($1) }
    }

    /// The text a sorted-set listpack stores for a score (Redis 7.0.15's `d2string`): integral
    /// values within ±2^62 as integers, the rest as `%.17g` (checked against redis-server).
    static func listpackScoreText(_ score: Double) -> String {
        if score.isInfinite { return score < 0 ? "-inf" : "inf" }
        if score == 0 { return "0" }
        if score >= -0x1p62, score <= 0x1p62, score == score.rounded(.towardZero) {
            return String(Int64(score))
        }
        return formatCDouble(score, format: "%.17g")
    }

    struct QuicklistNode {
        var count: Int
        var bytes: Int
        var plain: Bool
    }

    /// The nodes Redis's quicklist would hold had the list been built by pushes at the tail,
    /// with `list-max-listpack-size` `fill` and the given packed threshold (Redis's
    /// `_quicklistNodeAllowInsert`).
    static func quicklistNodes(_ list: ListValue, fill: Int, packedThreshold: Int) -> [QuicklistNode] {
        let optimizationLevels = [4096, 8192, 16384, 32768, 65536]
        var nodes: [QuicklistNode] = []
        for element in list.elements {
            let size = element.count
            if size >= packedThreshold {
                nodes.append(QuicklistNode(count: 1, bytes: size, plain: true))
                continue
            }
            if var last = nodes.last, !last.plain {
                var overhead = size < 254 ? 1 : 5
                overhead += size < 64 ? 1 : size < 16384 ? 2 : 5
                let newSize = last.bytes + size + overhead
                let allowed: Bool
                if fill < 0, -fill - 1 < optimizationLevels.count, newSize <= optimizationLevels[-fill - 1] {
                    allowed = true
                } else if newSize > 8192 {
                    allowed = false
                } else {
                    allowed = last.count < fill
                }
                if allowed {
                    last.count += 1
                    last.bytes += listpackEntrySize(element)
                    nodes[nodes.count - 1] = last
                    continue
                }
            }
            nodes.append(QuicklistNode(count: 1, bytes: 7 + listpackEntrySize(element), plain: false))
        }
        return nodes
    }

    /// Bytes for a log line: printable ASCII as is, the rest as `\xNN`.
    static func printable(_ bytes: Bytes) -> String {
        var text = ""
        for byte in bytes.array {
            if byte >= 32 && byte < 127 && byte != UInt8(ascii: "\\") { text.unicodeScalars.append(Unicode.Scalar(byte)) }
            else { text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16) }
        }
        return text
    }
}
