import EmberRESP

/// A set value, encoded as Redis 7.0 encodes sets: a sorted array of integers (`intset`) while
/// every member is a canonical 64-bit integer and there are at most `set-max-intset-entries`
/// of them, a hash table of members otherwise (converted once and for good).
public struct SetValue: @unchecked Sendable {
    public enum Storage {
        case intset(IntSet)
        case table(TableBox<Void>)
    }


    public private(set) var storage: Storage

    public init() { storage = .intset(IntSet()) }

    /// A set holding `members`, in the encoding Redis would choose for it.
    public init<S: Sequence>(_ members: S, limits: CollectionLimits) where S.Element == Bytes {
        self.init()
        for member in members { insert(member, limits: limits) }
    }

    public var count: Int {
        switch storage {
        case .intset(let integers): return integers.count
        case .table(let box): return box.table.count
        }
    }

    public var encodingName: String {
        switch storage {
        case .intset: return "intset"
        case .table: return "hashtable"
        }
    }

    /// A copy that shares no table with this one (COPY).
    public func copy() -> SetValue {
        switch storage {
        case .intset: return self
        case .table(let box):
            var copy = SetValue()
            copy.storage = .table(TableBox(box.table))
            return copy
        }
    }

    // MARK: - Reading

    public func contains(_ member: Bytes) -> Bool {
        switch storage {
        case .intset(let integers):
            guard let value = member.int64Value else { return false }
            return integers.contains(value)
        case .table(let box):
            return box.find(member) != nil
        }
    }

    /// Every member: ascending for an intset, table order otherwise.
    public var members: [Bytes] {
        switch storage {
        case .intset(let integers): return integers.elements.map { Bytes(decimal: $0) }
        case .table(let box):
            var result: [Bytes] = []
            result.reserveCapacity(box.table.count)
            box.table.forEachEntry { result.append($0.key) }
            return result
        }
    }

    /// A uniformly random member, nil when empty.
    public func randomMember<R: RandomNumberGenerator>(using random: inout R) -> Bytes? {
        switch storage {
        case .intset(let integers):
            guard !integers.isEmpty else { return nil }
            return Bytes(decimal: integers[Int.random(in: 0..<integers.count, using: &random)])
        case .table(let box):
            guard let index = box.table.randomIndex(using: &random) else { return nil }
            return box.entry(at: index).key
        }
    }

    // MARK: - Writing

    /// Adds `member`; returns whether it was new.
    @discardableResult
    public mutating func insert(_ member: Bytes, limits: CollectionLimits) -> Bool {
        if case .intset(var integers) = storage {
            if let value = member.int64Value {
                guard integers.insert(value) else { return false }
                storage = .intset(integers)
                if integers.count > limits.setMaxIntsetEntries { convertToTable() }
                return true
            }
            convertToTable()
        }
        guard case .table(let box) = storage else { return false }
        if box.find(member) != nil { return false }
        box.table.insertNew(member, ())
        return true
    }

    /// Removes `member`; returns whether it was there.
    @discardableResult
    public mutating func remove(_ member: Bytes) -> Bool {
        switch storage {
        case .intset(var integers):
            guard let value = member.int64Value, integers.remove(value) else { return false }
            storage = .intset(integers)
            return true
        case .table(let box):
            return box.table.remove(member) != nil
        }
    }

    private mutating func convertToTable() {
        guard case .intset(let integers) = storage else { return }
        var table = HashTable<Void>()
        for value in integers.elements { table.insertNew(Bytes(decimal: value), ()) }
        storage = .table(TableBox(table))
    }
}
