import EmberRESP

/// A set value. Redis 7.0 encodes a set as an `intset` (sorted integers, up to
/// `set-max-intset-entries`) or a `hashtable`, converted once and for good; OBJECT ENCODING
/// reports exactly that. Below the table, a set of a few short strings is kept compact:
/// members back to back in one listpack (Redis 7.2's encoding for them), reported as the
/// `hashtable` Redis 7.0 would use, and moved to a real table past `compactEntries` members or
/// a member longer than `compactValue` bytes.
public struct SetValue: @unchecked Sendable {
    public enum Storage {
        case intset(IntSet)
        /// Members in insertion order; searched linearly, hence the small limits.
        case listpack(Listpack)
        case table(TableBox<Void>)
    }

    /// Redis 7.2's `set-max-listpack-entries` and `-value` defaults.
    static let compactEntries = 128
    static let compactValue = 64

    public private(set) var storage: Storage

    public init() { storage = .intset(IntSet()) }

    init(storage: Storage) { self.storage = storage }

    /// A set holding `members`, in the encoding Redis would choose for it.
    public init<S: Sequence>(_ members: S, limits: CollectionLimits) where S.Element == Bytes {
        self.init()
        for member in members { insert(member, limits: limits) }
    }

    public var count: Int {
        switch storage {
        case .intset(let integers): return integers.count
        case .listpack(let pack): return pack.count
        case .table(let box): return box.table.count
        }
    }

    public var encodingName: String {
        switch storage {
        case .intset: return "intset"
        case .listpack, .table: return "hashtable"
        }
    }

    /// A copy that shares no table with this one (COPY); the compact forms are values.
    public func copy() -> SetValue {
        switch storage {
        case .intset, .listpack: return self
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
        case .listpack(let pack):
            return Self.offset(of: member, in: pack) != nil
        case .table(let box):
            return box.find(member) != nil
        }
    }

    /// Every member: ascending for an intset, storage order otherwise.
    public var members: [Bytes] {
        switch storage {
        case .intset(let integers): return integers.elements.map { Bytes(decimal: $0) }
        case .listpack(let pack): return pack.elements
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
        case .listpack(let pack):
            guard !pack.isEmpty else { return nil }
            var offset = pack.startIndex
            for _ in 0..<Int.random(in: 0..<pack.count, using: &random) { offset = pack.offset(after: offset) }
            return pack.bytes(at: offset)
        case .table(let box):
            // As Redis's random picks, each one also moves the table's rehash along a step.
            box.table.rehashStep()
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
                if integers.count > limits.setMaxIntsetEntries { convert(adding: nil) }
                return true
            }
            convert(adding: member)
            return true
        }
        if case .listpack(var pack) = storage {
            if Self.offset(of: member, in: pack) != nil { return false }
            if pack.count + 1 > Self.compactEntries || member.count > Self.compactValue {
                convert(adding: member)
                return true
            }
            storage = .intset(IntSet())  // keeps `pack` uniquely referenced while it grows
            pack.append(member)
            storage = .listpack(pack)
            return true
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
        case .listpack(var pack):
            guard let offset = Self.offset(of: member, in: pack) else { return false }
            storage = .intset(IntSet())
            pack.remove(at: offset)
            storage = .listpack(pack)
            return true
        case .table(let box):
            return box.table.remove(member) != nil
        }
    }

    /// Leaves the intset (or the listpack) for good, with `member` (known absent) added: to the
    /// listpack while everything fits it, to a table otherwise.
    private mutating func convert(adding member: Bytes?) {
        var all = members
        if let member { all.append(member) }
        if all.count <= Self.compactEntries && all.allSatisfy({ $0.count <= Self.compactValue }) {
            var pack = Listpack()
            for element in all { pack.append(element) }
            storage = .listpack(pack)
        } else {
            var table = HashTable<Void>()
            for element in all { table.insertNew(element, ()) }
            storage = .table(TableBox(table))
        }
    }

    /// The offset of `member` in a compact set's listpack, nil when absent.
    static func offset(of member: Bytes, in pack: Listpack) -> Int? {
        var offset = pack.startIndex
        while offset < pack.endIndex {
            if pack.entry(at: offset, equals: member) { return offset }
            offset = pack.offset(after: offset)
        }
        return nil
    }
}
