import Dispatch
import NIOConcurrencyHelpers

/// Frees large values away from the keyspace's critical section (Redis's lazy free): UNLINK,
/// FLUSHALL/FLUSHDB ASYNC and the `lazyfree-lazy-*` settings hand a value over here, and its
/// last reference is dropped on a background queue, so deallocating a million elements does
/// not stall the other clients.
public final class LazyFreer: Sendable {
    /// Redis's LAZYFREE_THRESHOLD: values with fewer allocations are freed on the spot.
    static let threshold = 64

    private let queue = DispatchQueue(label: "ember.lazyfree")
    private let counters = NIOLockedValueBox((pending: 0, freed: 0))

    public init() {}

    /// Objects handed over and not yet freed, and those freed so far (INFO).
    public var pendingObjects: Int { counters.withLockedValue { $0.pending } }
    public var freedObjects: Int { counters.withLockedValue { $0.freed } }

    /// Roughly how many allocations freeing `value` takes (Redis's `lazyfreeGetFreeEffort`).
    static func freeEffort(_ value: Value) -> Int {
        switch value {
        case .string, .integer: return 1
        case .hash(let hash): return hash.isBoxed ? hash.count : 1
        case .set(let set): return set.isBoxed ? set.count : 1
        // Redis counts a list's quicklist nodes; elements too long to sit inline are one
        // allocation each here.
        case .list(let list): return list.elements.reduce(1) { $0 + ($1.heapBytes > 0 ? 1 : 0) } + list.count / 128
        case .zset(let set): return set.isCompact ? 1 : set.count
        }
    }

    /// Drops `value` in the background when freeing it is worth a hand-over (Redis's
    /// `freeObjAsync`); otherwise leaves it to be freed where it is.
    @usableFromInline func dispose(_ value: Value) {
        if Self.freeEffort(value) > Self.threshold { hand(over: value) }
    }

    /// Takes ownership of whole tables (FLUSHALL/FLUSHDB ASYNC).
    func release(_ tables: [Database]) {
        hand(over: tables)
    }

    private func hand<Garbage: Sendable>(over garbage: Garbage) {
        counters.withLockedValue { $0.pending += 1 }
        let counters = self.counters
        // The closure holds the last reference; it is released on the queue's thread.
        queue.async {
            withExtendedLifetime(garbage) {}
            counters.withLockedValue {
                $0.pending -= 1
                $0.freed += 1
            }
        }
    }
}

/// The `lazyfree-lazy-expire` and `lazyfree-lazy-server-del` settings as the keyspace applies
/// them: the freer that takes an expired key's value, or the value a command deletes or
/// overwrites as a side effect (RENAME's destination, SET over a set, a *STORE's old
/// destination, RESTORE REPLACE); nil frees on the spot. Shared by an engine's databases and
/// kept in step with its configuration; touched only under the engine lock.
public final class LazyFreeHooks: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var onExpire: LazyFreer?
    @exclusivity(unchecked) @usableFromInline var onServerDelete: LazyFreer?
    @usableFromInline init() {}
}
