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
            var pack = Listpack()
            for member in members { pack.append(member) }
            return .set(SetValue(storage: .listpack(pack)))
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
            var pack = Listpack()
            for (field, value) in pairs {
                pack.append(field)
                pack.append(value)
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
