import EmberRESP

/// A collection's hash table behind a reference: collection values stay one word wide, and
/// commands change the table in place through any copy of the value.
///
/// Lookups go through `inout` access to `table`: reading the property for a non-mutating call
/// makes the compiler copy the struct first (retaining its arrays), which showed in SADD's profile.
public final class TableBox<Value>: @unchecked Sendable {
    /// Only touched under the engine lock.
    @exclusivity(unchecked) public var table: HashTable<Value>

    public init(_ table: HashTable<Value>) { self.table = table }

    public var count: Int { table.count }

    public func find(_ key: Bytes) -> Int? {
        table.inPlace { $0.find(key) }
    }

    public func entry(at index: Int) -> HashTable<Value>.Entry {
        table.inPlace { $0[index] }
    }
}

extension HashTable {
    /// Runs a read through an in-place access (see `TableBox`).
    @inlinable
    mutating func inPlace<R>(_ body: (inout HashTable) -> R) -> R { body(&self) }
}
