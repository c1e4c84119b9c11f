import EmberRESP

extension IntSet {
    /// An intset of `members` (ascending, distinct) stored `width` bytes each; `width` must
    /// hold them all (an RDB intset keeps the width it had, as Redis's does).
    init(ascending members: [Int64], width: Int) {
        self.init()
        var bytes: [UInt8] = [UInt8(width)]
        bytes.reserveCapacity(1 + members.count * width)
        for member in members {
            withUnsafeBytes(of: member.littleEndian) { bytes.append(contentsOf: $0.prefix(width)) }
        }
        storage = Bytes(bytes)
    }
}

/// Builds loaded collections in one pass, in the encoding the commands would have reached
/// (no member-by-member conversions, no linear duplicate searches).
enum RDBCollections {
    /// A set of `members`; nil when empty. Duplicates throw.
    static func set(_ members: [Bytes], limits: CollectionLimits) throws -> Value? {
        guard !members.isEmpty else { return nil }
        if members.count <= limits.setMaxIntsetEntries {
            var integers: [Int64] = []
            integers.reserveCapacity(members.count)
            for member in members {
                guard let value = member.int64Value else { break }
                integers.append(value)
            }
            if integers.count == members.count {
                integers.sort()
                for index in integers.indices.dropFirst() where integers[index] == integers[index - 1] {
                    throw RDBError(offset: 0, reason: "duplicate set members detected")
                }
                let width = integers.reduce(2) { max($0, IntSet.width(for: $1)) }
                return .set(SetValue(storage: .intset(IntSet(ascending: integers, width: width))))
            }
        }
        if members.count <= SetValue.compactEntries && members.allSatisfy({ $0.count <= SetValue.compactValue }) {
            // A compact set needs no table: duplicates are found among a few members directly.
            if hasDuplicates(members) { throw RDBError(offset: 0, reason: "duplicate set members detected") }
            return .set(SetValue(storage: .listpack(listpack(members))))
        }
        var table = HashTable<Void>()
        table.reserve(members.count)
        for member in members {
            let hash = HashTable<Void>.hash(member)
            guard table.find(member, hash: hash) == nil else { throw RDBError(offset: 0, reason: "duplicate set members detected") }
            table.insertNew(member, (), hash: hash)
        }
        return .set(SetValue(storage: .table(TableBox(table))))
    }

    /// A set from an RDB intset: kept as an intset (at its width) within `set-max-intset-entries`.
    static func set(intset members: [Int64], width: Int, limits: CollectionLimits) throws -> Value? {
        guard !members.isEmpty else { return nil }
        if members.count <= limits.setMaxIntsetEntries {
            return .set(SetValue(storage: .intset(IntSet(ascending: members, width: width))))
        }
        return try set(members.map { Bytes(decimal: $0) }, limits: limits)
    }

    /// A hash of `pairs`; nil when empty. Duplicate fields throw.
    static func hash(_ pairs: [(Bytes, Bytes)], limits: CollectionLimits) throws -> Value? {
        guard !pairs.isEmpty else { return nil }
        var bytes = 0
        let compact = pairs.count <= limits.hashMaxListpackEntries && pairs.allSatisfy { field, value in
            bytes += field.count + value.count + 20
            return field.count <= limits.hashMaxListpackValue && value.count <= limits.hashMaxListpackValue
        } && bytes < Listpack.maxBytes
        if compact {
            if hasDuplicates(pairs.map(\.0)) { throw RDBError(offset: 0, reason: "duplicate hash fields detected") }
            var size = 0
            for (field, value) in pairs { size += Listpack.encodedSize(ofEntry: field.count) + Listpack.encodedSize(ofEntry: value.count) }
            var pack = Listpack(reservingCapacity: size)
            for (field, value) in pairs {
                field.withUnsafeBytes { pack.appendReserved($0) }
                value.withUnsafeBytes { pack.appendReserved($0) }
            }
            return .hash(HashValue(storage: .listpack(pack)))
        }
        var table = HashTable<Bytes>()
        table.reserve(pairs.count)
        for (field, value) in pairs {
            let hash = HashTable<Bytes>.hash(field)
            guard table.find(field, hash: hash) == nil else { throw RDBError(offset: 0, reason: "duplicate hash fields detected") }
            table.insertNew(field, value, hash: hash)
        }
        return .hash(HashValue(storage: .table(TableBox(table))))
    }

    /// A compact hash straight from a Redis listpack or ziplist (`entries` of `blob`: field,
    /// value, ...), one allocation and no string per entry; nil when the hash is too large for
    /// its compact encoding (the caller builds it from pairs). Duplicate fields throw.
    static func compactHash(_ entries: [PackedEntry], in blob: [UInt8], limits: CollectionLimits) throws -> Value? {
        guard entries.count / 2 <= limits.hashMaxListpackEntries else { return nil }
        var size = 0
        for entry in entries {
            let length = entry.length(in: blob)
            guard length <= limits.hashMaxListpackValue else { return nil }
            size += Listpack.encodedSize(ofEntry: length)
        }
        guard size < Listpack.maxBytes else { return nil }
        if hasDuplicateFields(entries, in: blob) { throw RDBError(offset: 0, reason: "duplicate hash fields detected") }
        var pack = Listpack(reservingCapacity: size)
        for entry in entries { entry.withText(in: blob) { pack.appendReserved($0) } }
        return .hash(HashValue(storage: .listpack(pack)))
    }

    /// Whether the fields (even entries) of a packed hash repeat: compared in place when few,
    /// through a set of their bytes otherwise.
    static func hasDuplicateFields(_ entries: [PackedEntry], in blob: [UInt8]) -> Bool {
        let fields = entries.count / 2
        if fields <= 16 {
            for index in 1..<max(fields, 1) {
                for earlier in 0..<index where entries[2 * earlier].hasSameText(as: entries[2 * index], in: blob) { return true }
            }
            return false
        }
        var seen = Set<Bytes>(minimumCapacity: fields)
        for index in 0..<fields where !seen.insert(entries[2 * index].bytes(in: blob)).inserted { return true }
        return false
    }

    /// A listpack of `items`, built in one allocation.
    static func listpack(_ items: [Bytes]) -> Listpack {
        var size = 0
        for item in items { size += Listpack.encodedSize(ofEntry: item.count) }
        var pack = Listpack(reservingCapacity: size)
        for item in items { item.withUnsafeBytes { pack.appendReserved($0) } }
        return pack
    }

    /// Whether `items` (a compact collection's, a few hundred at most) holds a value twice.
    static func hasDuplicates(_ items: [Bytes]) -> Bool {
        if items.count <= 16 {
            for index in items.indices.dropFirst() where items[..<index].contains(items[index]) { return true }
            return false
        }
        var seen = Set<Bytes>(minimumCapacity: items.count)
        for item in items where !seen.insert(item).inserted { return true }
        return false
    }
}
