import EmberRESP

/// Keys the keyspace deleted because they expired (lazily on access, or by the active
/// cycle), in order, until the engine hands them to the propagation point as DELs. Shared by
/// every database of an engine; touched only under the engine lock.
public final class ExpiryLog: @unchecked Sendable {
    // Only touched under the engine lock: no runtime exclusivity check on the hot path.
    @exclusivity(unchecked) @usableFromInline var entries: [(db: Int, key: Bytes)] = []

    @inlinable var isEmpty: Bool { entries.isEmpty }

    @inlinable func record(db: Int, key: Bytes) { entries.append((db, key)) }

    func take() -> [(db: Int, key: Bytes)] {
        defer { entries.removeAll(keepingCapacity: true) }
        return entries
    }
}

/// The number of changes made to an engine's data (Redis's `server.dirty`), shared by its
/// databases so that reading it is one load. Touched only under the engine lock.
public final class ChangeCounter: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var value: Int64 = 0
    @usableFromInline init() {}
}
