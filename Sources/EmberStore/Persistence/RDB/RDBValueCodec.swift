import EmberRESP

/// How values are written: the settings of `rdbcompression` and the quicklist node shape.
public struct RDBValueEncoding: Sendable {
    /// `rdbcompression`: LZF for strings (and listpack blobs) longer than 20 bytes.
    public var compression: Bool
    /// `list-max-listpack-size`: negative for a byte limit per node (-1 = 4 KB ... -5 = 64 KB),
    /// positive for a number of entries per node.
    public var listMaxListpackSize: Int
    /// `list-compress-depth`: nodes this far from both ends stay plain, the inner ones are
    /// LZF-compressed as Redis's quicklist keeps them.
    public var listCompressDepth: Int

    public init(compression: Bool = true, listMaxListpackSize: Int = -2, listCompressDepth: Int = 0) {
        self.compression = compression
        self.listMaxListpackSize = listMaxListpackSize
        self.listCompressDepth = listCompressDepth
    }

    public init(configuration: EngineConfiguration) {
        self.init(compression: configuration.persistence.rdbCompression,
                  listMaxListpackSize: configuration.limits.listMaxListpackSize,
                  listCompressDepth: configuration.limits.listCompressDepth)
    }
}

/// How values are read back: the thresholds that pick their encodings, and whether blobs get
/// Redis's deep integrity checks (`sanitize-dump-payload yes`).
public struct RDBValueDecoding: Sendable {
    public var limits: CollectionLimits
    /// Also check listpack back lengths, ziplist previous lengths and tail, header counts.
    /// Duplicates and bounds are always checked: Ember's structures rely on them.
    public var deepValidation: Bool

    public init(limits: CollectionLimits = CollectionLimits(), deepValidation: Bool = false) {
        self.limits = limits
        self.deepValidation = deepValidation
    }
}

/// Values in the RDB format: the type byte and the encoding Redis 7.0 writes for each of
/// Ember's encodings, and the decoders of every type Redis 7.0 loads.
enum RDBValueCodec {
    // MARK: - Encoding

    /// The RDB type Redis 7.0 writes for `value`.
    static func type(of value: Value) -> UInt8 {
        switch value {
        case .string, .integer: return RDBFormat.ValueType.string
        case .list: return RDBFormat.ValueType.listQuicklist2
        case .set(let set):
            if case .intset = set.storage { return RDBFormat.ValueType.setIntset }
            return RDBFormat.ValueType.set
        case .hash(let hash):
            if case .listpack = hash.storage { return RDBFormat.ValueType.hashListpack }
            return RDBFormat.ValueType.hash
        case .zset(let zset):
            return zset.isCompact ? RDBFormat.ValueType.zsetListpack : RDBFormat.ValueType.zset2
        }
    }

    /// Writes the body of `value` (what follows the type byte, or the key in a file).
    static func encode(_ value: Value, into out: inout RDBEncoder, _ encoding: RDBValueEncoding) {
        switch value {
        case .string(let bytes): out.writeString(bytes)
        case .integer(let integer): out.writeInteger(integer)
        case .list(let list): encodeList(list, into: &out, encoding)
        case .set(let set):
            switch set.storage {
            case .intset(let integers):
                out.writeString(RedisIntset.blob(integers.elements, width: integers.width))
            default:
                let members = set.members
                out.writeLength(members.count)
                for member in members { out.writeString(member) }
            }
        case .hash(let hash):
            let pairs = hash.pairs
            if case .listpack = hash.storage {
                var pack = RedisListpack.Builder()
                for (field, value) in pairs {
                    pack.append(field)
                    pack.append(value)
                }
                out.writeString(pack.finish())
            } else {
                out.writeLength(pairs.count)
                for (field, value) in pairs {
                    out.writeString(field)
                    out.writeString(value)
                }
            }
        case .zset(let zset):
            let entries = zset.entries
            if zset.isCompact {
                var pack = RedisListpack.Builder()
                for entry in entries {
                    pack.append(entry.member)
                    pack.append(Bytes(formatDouble(entry.score)))
                }
                out.writeString(pack.finish())
            } else {
                // Greatest first, as Redis: each loaded member then goes in at the head.
                out.writeLength(entries.count)
                for entry in entries.reversed() {
                    out.writeString(entry.member)
                    out.writeBinaryDouble(entry.score)
                }
            }
        }
    }

    /// Quicklist node limits (`optimization_level`, `SIZE_SAFETY_LIMIT`, the per-entry
    /// overestimate and the plain-node threshold of Redis 7.0's quicklist).
    static let nodeSizeLevels = [4096, 8192, 16384, 32768, 65536]
    static let nodeSafetyLimit = 8192
    static let entryOverhead = 8
    static let plainThreshold = 1 << 30
    static let minimumCompressBytes = 48
    static let minimumCompressImprovement = 8

    static func nodeAllows(size: Int, count: Int, adding elementSize: Int, fill: Int) -> Bool {
        let newSize = size + elementSize + entryOverhead
        if fill < 0 {
            let level = -fill - 1
            if level < nodeSizeLevels.count && newSize <= nodeSizeLevels[level] { return true }
        }
        if newSize > nodeSafetyLimit { return false }
        return count < fill
    }

    private enum Node {
        case packed([UInt8])
        case plain(Bytes)
    }

    /// LIST_QUICKLIST_2: nodes of listpacks cut as Redis's quicklist cuts them when elements
    /// are pushed at the tail.
    static func encodeList(_ list: ListValue, into out: inout RDBEncoder, _ encoding: RDBValueEncoding) {
        var nodes: [Node] = []
        var current: RedisListpack.Builder?
        for element in list.elements {
            if element.count >= plainThreshold {
                if let pack = current { nodes.append(.packed(pack.finish())) }
                current = nil
                nodes.append(.plain(element))
                continue
            }
            if let pack = current,
               !nodeAllows(size: pack.size, count: pack.count, adding: element.count, fill: encoding.listMaxListpackSize) {
                nodes.append(.packed(pack.finish()))
                current = nil
            }
            if current == nil { current = RedisListpack.Builder() }
            current!.append(element)
        }
        if let pack = current { nodes.append(.packed(pack.finish())) }

        out.writeLength(nodes.count)
        let depth = encoding.listCompressDepth
        for (index, node) in nodes.enumerated() {
            switch node {
            case .plain(let element):
                out.writeLength(RDBFormat.Container.plain)
                out.writeString(element)
            case .packed(let blob):
                out.writeLength(RDBFormat.Container.packed)
                let inner = depth > 0 && index >= depth && index < nodes.count - depth
                var compressed: [UInt8] = []
                if inner, blob.count >= minimumCompressBytes,
                   blob.withUnsafeBytes({ out.compressor.compress($0, limit: blob.count, into: &compressed) }),
                   compressed.count + minimumCompressImprovement < blob.count {
                    out.writeLZFBlob(compressed, originalLength: blob.count)
                } else {
                    out.writeString(blob)
                }
            }
        }
    }

    // MARK: - Decoding

    /// Reads a value of RDB type `type`. Nil for an empty collection (Redis 7.0 skips them).
    static func decode(type: UInt8, from reader: inout RDBReader, _ decoding: RDBValueDecoding) throws -> Value? {
        let start = reader.position
        let deep = decoding.deepValidation
        let limits = decoding.limits
        /// A blob read as a string, its decoding errors placed at the blob's offset and named as
        /// Redis's rdbReportCorruptRDB names them ("Zset ziplist integrity check failed.").
        func blob(_ name: String, _ body: ([UInt8]) throws -> Value?) throws -> Value? {
            let blobStart = reader.position
            let bytes = try reader.readString()
            do {
                return try body(bytes)
            } catch let error as RDBError {
                throw reader.error("\(name) integrity check failed (\(error.reason))", at: blobStart)
            }
        }
        // Ziplists (and zipmaps) are converted as they load, so Redis validates them whole
        // whatever `sanitize-dump-payload` says: so does Ember.
        let deepZiplist = true
        func corrupt(_ reason: String) -> RDBError { reader.error(reason, at: start) }

        switch type {
        case RDBFormat.ValueType.string:
            return .string(encoding: try reader.readBytes())

        case RDBFormat.ValueType.list:
            let count = try reader.readItemCount(minimumSize: 1, what: "list length")
            var elements: [Bytes] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try reader.readBytes()) }
            return elements.isEmpty ? nil : .list(ListValue(elements))

        case RDBFormat.ValueType.listZiplist:
            return try blob("List ziplist") { bytes in
                var elements: [Bytes] = []
                try RedisZiplist.forEach(bytes, deep: deepZiplist) { elements.append($0.bytes(in: bytes)) }
                return elements.isEmpty ? nil : .list(ListValue(elements))
            }

        case RDBFormat.ValueType.listQuicklist, RDBFormat.ValueType.listQuicklist2:
            let version2 = type == RDBFormat.ValueType.listQuicklist2
            let nodes = try reader.readItemCount(minimumSize: version2 ? 2 : 1, what: "quicklist node count")
            var elements: [Bytes] = []
            for _ in 0..<nodes {
                var container = RDBFormat.Container.packed
                if version2 {
                    let at = reader.position
                    container = UInt64(try reader.readCount(what: "quicklist container"))
                    guard container == RDBFormat.Container.packed || container == RDBFormat.Container.plain else {
                        throw reader.error("quicklist integrity check failed: container \(container)", at: at)
                    }
                }
                let blobStart = reader.position
                // A node holds one element at least: an empty one is corrupt, plain or packed.
                if container == RDBFormat.Container.plain {
                    let element = try reader.readBytes()
                    guard !element.isEmpty else { throw reader.error("Quicklist integrity check failed (empty plain node)", at: blobStart) }
                    elements.append(element)
                    continue
                }
                let bytes = try reader.readString()
                do {
                    guard !bytes.isEmpty else { throw RDBError(offset: 0, reason: "empty node") }
                    if version2 {
                        try RedisListpack.forEach(bytes, deep: deep) { elements.append($0.bytes(in: bytes)) }
                    } else {
                        try RedisZiplist.forEach(bytes, deep: deepZiplist) { elements.append($0.bytes(in: bytes)) }
                    }
                } catch let error as RDBError {
                    throw reader.error("\(version2 ? "Listpack" : "Ziplist") integrity check failed (\(error.reason))", at: blobStart)
                }
            }
            return elements.isEmpty ? nil : .list(ListValue(elements))

        case RDBFormat.ValueType.set:
            let count = try reader.readItemCount(minimumSize: 1, what: "set size")
            var members: [Bytes] = []
            members.reserveCapacity(count)
            for _ in 0..<count { members.append(try reader.readBytes()) }
            do {
                return try RDBCollections.set(members, limits: limits)
            } catch let error as RDBError {
                throw corrupt(error.reason)
            }

        case RDBFormat.ValueType.setIntset:
            return try blob("Intset") { bytes in
                let (members, width) = try RedisIntset.decode(bytes)
                return try RDBCollections.set(intset: members, width: width, limits: limits)
            }

        case RDBFormat.ValueType.zset, RDBFormat.ValueType.zset2:
            let count = try reader.readItemCount(minimumSize: 2, what: "zset size")
            var entries: [ScoredMember] = []
            entries.reserveCapacity(count)
            var seen = HashTable<Void>()
            for _ in 0..<count {
                let at = reader.position
                let member = try reader.readBytes()
                let score = type == RDBFormat.ValueType.zset2 ? try reader.readBinaryDouble() : try reader.readTextDouble()
                guard !score.isNaN else { throw reader.error("zset with NAN score detected", at: at) }
                guard seen.find(member) == nil else { throw reader.error("duplicate zset fields detected", at: at) }
                seen.insertNew(member, ())
                entries.append(ScoredMember(score: score, member: member))
            }
            return makeSortedSet(entries, limits)

        case RDBFormat.ValueType.zsetZiplist, RDBFormat.ValueType.zsetListpack:
            return try blob(type == RDBFormat.ValueType.zsetListpack ? "Zset listpack" : "Zset ziplist") { bytes in
                var packed: [PackedEntry] = []
                if type == RDBFormat.ValueType.zsetListpack {
                    try RedisListpack.forEach(bytes, deep: deep) { packed.append($0) }
                } else {
                    try RedisZiplist.forEach(bytes, deep: deepZiplist) { packed.append($0) }
                }
                guard packed.count % 2 == 0 else { throw RDBError(offset: 0, reason: "zset blob with an odd number of entries") }
                var entries: [ScoredMember] = []
                entries.reserveCapacity(packed.count / 2)
                for index in stride(from: 0, to: packed.count, by: 2) {
                    guard let score = packed[index + 1].score(in: bytes), !score.isNaN else {
                        throw RDBError(offset: 0, reason: "invalid zset score")
                    }
                    entries.append(ScoredMember(score: score, member: packed[index].bytes(in: bytes)))
                }
                // Members repeat in a corrupt blob only: a few are compared in place.
                if RDBCollections.hasDuplicateFields(packed, in: bytes) {
                    throw RDBError(offset: 0, reason: "duplicate zset fields detected")
                }
                return makeSortedSet(entries, limits)
            }

        case RDBFormat.ValueType.hash:
            let count = try reader.readItemCount(minimumSize: 2, what: "hash size")
            var pairs: [(Bytes, Bytes)] = []
            pairs.reserveCapacity(count)
            for _ in 0..<count {
                let field = try reader.readBytes()
                pairs.append((field, try reader.readBytes()))
            }
            do {
                return try RDBCollections.hash(pairs, limits: limits)
            } catch let error as RDBError {
                throw corrupt(error.reason)
            }

        case RDBFormat.ValueType.hashZipmap:
            return try blob("Zipmap") { bytes in
                try makeHash(RedisZipmap.pairs(bytes), limits)
            }

        case RDBFormat.ValueType.hashZiplist, RDBFormat.ValueType.hashListpack:
            return try blob(type == RDBFormat.ValueType.hashListpack ? "Hash listpack" : "Hash ziplist") { bytes in
                var packed: [PackedEntry] = []
                if type == RDBFormat.ValueType.hashListpack {
                    try RedisListpack.forEach(bytes, deep: deep) { packed.append($0) }
                } else {
                    try RedisZiplist.forEach(bytes, deep: deepZiplist) { packed.append($0) }
                }
                guard packed.count % 2 == 0 else { throw RDBError(offset: 0, reason: "hash blob with an odd number of entries") }
                guard !packed.isEmpty else { return nil }
                // The usual case, a hash that stays compact: built from the blob's bytes.
                if let compact = try RDBCollections.compactHash(packed, in: bytes, limits: limits) { return compact }
                do {
                    return try makeHash(stride(from: 0, to: packed.count, by: 2).map { (packed[$0].bytes(in: bytes), packed[$0 + 1].bytes(in: bytes)) },
                                        limits)
                } catch let error as RDBError {
                    // Found while converting to a table, as Redis's hashTypeConvertListpack words it.
                    throw RDBError(offset: error.offset, reason: "listpack with dup elements (\(error.reason))")
                }
            }

        case RDBFormat.ValueType.streamListpacks, RDBFormat.ValueType.streamListpacks2,
             RDBFormat.ValueType.modulePreGA, RDBFormat.ValueType.module2:
            throw corrupt("unsupported type \(type)")

        default:
            throw corrupt("unknown value type \(type)")
        }
    }

    static func makeHash(_ pairs: [(Bytes, Bytes)], _ limits: CollectionLimits) throws -> Value? {
        try RDBCollections.hash(pairs, limits: limits)
    }

    static func makeSortedSet(_ entries: consuming [ScoredMember], _ limits: CollectionLimits) -> Value? {
        guard !entries.isEmpty else { return nil }
        var sorted = consume entries
        sorted.sort { $0.precedes($1) }
        return .zset(SortedSetValue(sortedEntries: sorted, limits: limits))
    }
}
