import EmberRESP

/// What the collection types share for the engine's lookups: how they sit inside a `Value`,
/// their size, and an empty instance. Lets one set of helpers find, create, change in place
/// and delete-when-empty any of them.
public protocol CollectionValue {
    init()
    var count: Int { get }
    /// The collection held by `value`, nil for another type.
    static func extract(_ value: Value) -> Self?
    var wrapped: Value { get }
    /// Whether the storage is a shared box (a hash table) that changes in place through any
    /// copy, so modifying it needs no exclusive copy of the value.
    var isBoxed: Bool { get }
}

extension HashValue: CollectionValue {
    public static func extract(_ value: Value) -> HashValue? {
        if case .hash(let hash) = value { return hash }
        return nil
    }
    public var wrapped: Value { .hash(self) }
    public var isBoxed: Bool {
        if case .table = storage { return true }
        return false
    }
}

extension SetValue: CollectionValue {
    public static func extract(_ value: Value) -> SetValue? {
        if case .set(let set) = value { return set }
        return nil
    }
    public var wrapped: Value { .set(self) }
    public var isBoxed: Bool {
        if case .table = storage { return true }
        return false
    }
}

/// A collection looked up for reading.
enum CollectionLookup<Collection> {
    case missing
    case wrongType
    case found(Collection)
}

/// A collection looked up for writing: its entry index in the key table.
enum CollectionSlot {
    case missing
    case wrongType
    case found(Int)
}

extension Engine {
    /// Looks `key` up for reading (hit/miss statistics, access time) and checks its type.
    func readCollection<C: CollectionValue>(_ key: Bytes, _ context: CommandContext, as type: C.Type) -> CollectionLookup<C> {
        guard let index = lookupRead(key, context) else { return .missing }
        guard let collection = C.extract(databases[context.db].keys[index].value.value) else { return .wrongType }
        return .found(collection)
    }

    /// `args[1]` read as a collection: `body` for one, `missing` for no key, WRONGTYPE otherwise.
    func readCollectionReply<C: CollectionValue>(_ context: CommandContext, as type: C.Type, _ body: (C) -> Reply, missing: () -> Reply) -> Reply {
        switch readCollection(context.args[1], context, as: C.self) {
        case .wrongType: return Errors.wrongType
        case .missing: return missing()
        case .found(let collection): return body(collection)
        }
    }

    /// Looks `key` up for writing; with `create`, a missing key becomes an empty collection.
    func writeCollection<C: CollectionValue>(_ key: Bytes, _ context: CommandContext, as type: C.Type, create: Bool) -> CollectionSlot {
        if let index = lookupWrite(key, context) {
            guard C.extract(databases[context.db].keys[index].value.value) != nil else { return .wrongType }
            return .found(index)
        }
        guard create else { return .missing }
        return .found(databases[context.db].add(key, C().wrapped, lru: context.lru))
    }

    /// Runs `body` on the collection at `index` in place: taken out of the table first, so it
    /// is uniquely referenced and changes without a copy. One left empty is deleted with its
    /// key, as Redis never keeps empty collections. Counts as a change of the key.
    func modifyCollection<C: CollectionValue, R>(at index: Int, _ context: CommandContext, as type: C.Type, _ body: (inout C) -> R) -> R {
        modifyCollection(at: index, context, as: type, reportingChange: { (body(&$0), true) })
    }

    /// `modifyCollection` for a body that may change nothing (SREM of absent members): it
    /// tells whether it did, and only a change counts (dirty counter, propagation, WATCH).
    func modifyCollection<C: CollectionValue, R>(at index: Int, _ context: CommandContext, as type: C.Type,
                                                 reportingChange body: (inout C) -> (R, changed: Bool)) -> R {
        var collection = C.extract(databases[context.db].keys[index].value.value) ?? C()
        let boxed = collection.isBoxed
        // A compact encoding is taken out of the table so that this copy is the only one.
        if !boxed { databases[context.db].keys[index].value.value = .integer(0) }
        let (result, changed) = body(&collection)
        if changed { databases[context.db].noteChanged(at: index) }
        if collection.count == 0 {
            databases[context.db].remove(at: index)
        } else if !boxed || !collection.isBoxed {
            databases[context.db].keys[index].value.value = collection.wrapped
        }
        return result
    }
}
