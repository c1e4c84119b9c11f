import EmberRESP

/// MEMORY USAGE, DOCTOR, MALLOC-STATS, PURGE and HELP, and the per-value size estimate they
/// and DEBUG OBJECT share.
extension Engine {
    func registerMemoryCommands() {
        register("memory|usage", Engine.memoryUsage)
        register("memory|doctor") { _ in .verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.") }
        register("memory|malloc-stats") { _ in .verbatim("Stats not supported for the current allocator") }
        register("memory|purge") { _ in .ok }
        register("memory|help") { _ in
            Engine.help("MEMORY", [
                "DOCTOR", "    Return memory problems reports.",
                "MALLOC-STATS", "    Return internal statistics report from the memory allocator.",
                "PURGE", "    Attempt to purge dirty pages for reclamation by the allocator.",
                "STATS", "    Return information about the memory usage of the server.",
                "USAGE <key> [SAMPLES <count>]",
                "    Return memory in bytes used by <key> and its value. Nested values are",
                "    sampled up to <count> times (default: 5, 0 means sample all).",
            ])
        }
    }

    /// MEMORY USAGE key [SAMPLES count]: the options are checked before the key is looked up,
    /// and the key is found without expiring it, as in Redis.
    static func memoryUsage(_ context: CommandContext) -> Reply {
        let args = context.args
        var samples = 5
        var index = 3
        while index < args.count {
            guard args[index].equalsLowercased("samples"), index + 1 < args.count else { return Errors.syntax }
            guard let value = args[index + 1].int64Value else { return Errors.notInteger }
            guard value >= 0 else { return Errors.syntax }
            samples = value == 0 ? Int.max : Int(clamping: value)
            index += 2
        }
        let engine = context.engine
        guard let slot = engine.databases[context.db].keys.inPlace({ $0.find(args[2]) }) else { return .null }
        let entry = engine.databases[context.db].keys[slot]
        let size = Engine.estimatedSize(of: entry.value.value, samples: samples)
            + entry.key.heapBytes + MemoryLayout<HashTable<StoredValue>.Entry>.stride + MemoryLayout<UInt32>.stride
        return .integer(Int64(size))
    }

    /// Bytes a value holds: its storage and, for collections, its elements' heap bytes. Like
    /// Redis's `objectComputeSize`, large collections are measured on up to `samples` elements
    /// and scaled.
    static func estimatedSize(of value: Value, samples: Int) -> Int {
        switch value {
        case .integer: return 0
        case .string(let bytes): return bytes.heapBytes
        case .hash(let hash):
            switch hash.storage {
            case .listpack(let pack): return 16 + pack.capacity
            case .table(let box):
                // Entries are dense: the first `samples` indexes are a sample.
                let seen = min(samples, box.count)
                var sampled = 0
                for index in 0..<seen {
                    let entry = box.entry(at: index)
                    sampled += entry.key.heapBytes + entry.value.heapBytes
                }
                return 16 + box.table.allocatedBytes + scaled(sampled, seen, of: box.count)
            }
        case .set(let set):
            switch set.storage {
            case .intset(let integers): return 16 + integers.heapBytes
            case .listpack(let pack): return 16 + pack.capacity
            case .table(let box):
                let seen = min(samples, box.count)
                var sampled = 0
                for index in 0..<seen { sampled += box.entry(at: index).key.heapBytes }
                return 16 + box.table.allocatedBytes + scaled(sampled, seen, of: box.count)
            }
        case .list(let list):
            let sampled = list.elements.prefix(samples).reduce(0) { $0 + $1.heapBytes }
            return 32 + 32 + list.elements.count * MemoryLayout<Bytes>.stride + scaled(sampled, min(samples, list.count), of: list.count)
        case .zset(let set):
            return 48 + set.allocatedBytes
        }
    }

    private static func scaled(_ sampled: Int, _ seen: Int, of total: Int) -> Int {
        seen == 0 ? 0 : Int(Double(sampled) / Double(seen) * Double(total))
    }

    /// DEBUG OBJECT's line: Redis's fields, and for lists the quicklist's node figures as the
    /// configured node size would split this list.
    func debugObject(_ stored: StoredValue, now: UInt32) -> String {
        let value = stored.value
        let serialized = Engine.serializedLength(of: value)
        var line = "Value at:0x0 refcount:1 encoding:\(Engine.encodingName(stored)) serializedlength:\(serialized) "
            + "lru:\(stored.metadata.lru) lru_seconds_idle:\(Engine.idleSeconds(stored.metadata.lru, now: now))"
        if case .list(let list) = value {
            let payload = list.elements.reduce(0) { $0 + $1.count + 2 }
            let nodeLimit = config.limits.listMaxListpackSize
            let nodes = Engine.quicklistNodes(list, nodeLimit: nodeLimit)
            let average = Double(list.count) / Double(nodes)
            line += " ql_nodes:\(nodes) ql_avg_node:\(formatCDouble(average, format: "%.2f")) ql_listpack_max:\(nodeLimit)"
                + " ql_compressed:\(config.limits.listCompressDepth != 0 ? 1 : 0) ql_uncompressed_size:\(payload + 7 * nodes)"
        }
        return line
    }

    /// How many quicklist nodes Redis would split `list` into with `list-max-listpack-size`
    /// `nodeLimit` (entries when positive, 4 KB << (-n - 1) bytes when negative).
    static func quicklistNodes(_ list: ListValue, nodeLimit: Int) -> Int {
        if nodeLimit > 0 { return max(1, (list.count + nodeLimit - 1) / nodeLimit) }
        let payload = list.elements.reduce(0) { $0 + $1.count + 2 }
        let bytes = 4096 << min(4, max(0, -nodeLimit - 1))
        return max(1, (payload + bytes - 1) / bytes)
    }

    /// Roughly what RDB would write for the value: lengths and contents.
    static func serializedLength(of value: Value) -> Int {
        func item(_ bytes: Bytes) -> Int { bytes.count + (bytes.count < 64 ? 1 : bytes.count < 16384 ? 2 : 5) }
        switch value {
        case .integer(let integer): return Bytes(decimal: integer).count + 1
        case .string(let bytes): return item(bytes)
        case .hash(let hash): return hash.pairs.reduce(1) { $0 + item($1.field) + item($1.value) }
        case .set(let set): return set.members.reduce(1) { $0 + item($1) }
        case .list(let list): return list.elements.reduce(1) { $0 + item($1) }
        case .zset(let set): return set.entries.reduce(1) { $0 + item($1.member) + 9 }
        }
    }
}
