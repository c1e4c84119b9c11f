import EmberRESP

/// A hash value: field-value pairs in a listpack while small, in a hash table past
/// `hash-max-listpack-entries` fields or `hash-max-listpack-value` bytes (as Redis converts
/// them, once and for good). One reference wide, so a small hash costs a single allocation;
/// commands change it in place in the keyspace (`Engine.modifyHash`), where it is unique.
public struct HashValue: @unchecked Sendable {
    public enum Storage {
        /// Field, value, field, value, ...
        case listpack(Listpack)
        /// Boxed, so that small hashes do not carry a table's worth of inline space.
        case table(TableBox<Bytes>)
    }


    public private(set) var storage: Storage

    public init() { storage = .listpack(Listpack()) }

    init(storage: Storage) { self.storage = storage }

    public var count: Int {
        switch storage {
        case .listpack(let pack): return pack.count / 2
        case .table(let box): return box.table.count
        }
    }

    public var encodingName: String {
        switch storage {
        case .listpack: return "listpack"
        case .table: return "hashtable"
        }
    }

    /// A copy that shares no table with this one (COPY); listpacks copy on write anyway.
    public func copy() -> HashValue {
        switch storage {
        case .listpack: return self
        case .table(let box): return HashValue(storage: .table(TableBox(box.table)))
        }
    }

    // MARK: - Reading

    public func value(for field: Bytes) -> Bytes? {
        switch storage {
        case .listpack(let pack):
            guard let offset = Self.fieldOffset(field, in: pack) else { return nil }
            return pack.bytes(at: pack.offset(after: offset))
        case .table(let box):
            return box.find(field).map { box.entry(at: $0).value }
        }
    }

    /// Every pair, in storage order.
    public var pairs: [(field: Bytes, value: Bytes)] {
        switch storage {
        case .listpack(let pack):
            let elements = pack.elements
            return stride(from: 0, to: elements.count, by: 2).map { (elements[$0], elements[$0 + 1]) }
        case .table(let box):
            var result: [(field: Bytes, value: Bytes)] = []
            result.reserveCapacity(box.table.count)
            box.table.forEachEntry { result.append(($0.key, $0.value)) }
            return result
        }
    }

    /// A uniformly random pair: O(1) for a table, a walk of the (small) listpack otherwise.
    public func randomPair<R: RandomNumberGenerator>(using random: inout R) -> (field: Bytes, value: Bytes)? {
        switch storage {
        case .listpack(let pack):
            guard pack.count > 0 else { return nil }
            var offset = pack.startIndex
            for _ in 0..<Int.random(in: 0..<(pack.count / 2), using: &random) {
                offset = pack.offset(after: pack.offset(after: offset))
            }
            return (pack.bytes(at: offset), pack.bytes(at: pack.offset(after: offset)))
        case .table(let box):
            guard let index = box.table.randomIndex(using: &random) else { return nil }
            let entry = box.entry(at: index)
            return (entry.key, entry.value)
        }
    }

    // MARK: - Writing

    /// Sets `field`; returns whether it was new. As Redis, a field or value longer than
    /// `hash-max-listpack-value` or a count past `hash-max-listpack-entries` converts the hash.
    @discardableResult
    public mutating func set(_ field: Bytes, _ value: Bytes, limits: CollectionLimits) -> Bool {
        if case .listpack(let pack) = storage,
           field.count > limits.hashMaxListpackValue || value.count > limits.hashMaxListpackValue
            || pack.endIndex + field.count + value.count + 20 > Listpack.maxBytes {
            convertToTable()
        }
        let added: Bool
        switch storage {
        case .listpack(var pack):
            storage = .table(Self.placeholder)  // keeps `pack` uniquely referenced while it changes
            if let offset = Self.fieldOffset(field, in: pack) {
                pack.replace(at: pack.offset(after: offset), with: value)
                added = false
            } else {
                pack.append(field)
                pack.append(value)
                added = true
            }
            storage = .listpack(pack)
            if pack.count / 2 > limits.hashMaxListpackEntries { convertToTable() }
        case .table(let box):
            if let index = box.find(field) {
                box.table[index].value = value
                added = false
            } else {
                box.table.insertNew(field, value)
                added = true
            }
        }
        return added
    }

    /// Removes `field`; returns whether it existed.
    @discardableResult
    public mutating func remove(_ field: Bytes) -> Bool {
        switch storage {
        case .listpack(var pack):
            guard let offset = Self.fieldOffset(field, in: pack) else { return false }
            storage = .table(Self.placeholder)
            pack.remove(at: offset, entries: 2)
            storage = .listpack(pack)
            return true
        case .table(let box):
            return box.table.remove(field) != nil
        }
    }

    /// Stands in while a listpack is taken out to be changed (no allocation).
    private static let placeholder = TableBox<Bytes>(HashTable())

    private mutating func convertToTable() {
        guard case .listpack(let pack) = storage else { return }
        var table = HashTable<Bytes>()
        let elements = pack.elements
        for index in stride(from: 0, to: elements.count, by: 2) {
            table.insertNew(elements[index], elements[index + 1])
        }
        storage = .table(TableBox(table))
    }

    /// The offset of `field` among the listpack's fields (every other entry), or nil.
    static func fieldOffset(_ field: Bytes, in pack: Listpack) -> Int? {
        var offset = pack.startIndex
        while offset < pack.endIndex {
            if pack.entry(at: offset, equals: field) { return offset }
            offset = pack.offset(after: pack.offset(after: offset))
        }
        return nil
    }
}
