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
}
