import DequeModule
import EmberRESP

/// A list value: a double-ended queue of elements, O(1) at both ends and by index, as Redis's
/// quicklist (which Redis 7.0 reports for every list, whatever its size).
///
/// A reference type: the keyspace holds one reference and commands change the deque in place
/// through it, with no copy-on-write check against a second holder.
public final class ListValue: @unchecked Sendable {
    /// Only touched under the engine lock.
    @exclusivity(unchecked) public var elements: Deque<Bytes>

    public required init() { elements = Deque() }

    public init<S: Sequence>(_ elements: S) where S.Element == Bytes { self.elements = Deque(elements) }

    public var count: Int { elements.count }

    /// A copy that shares no storage with this list (COPY).
    public func copy() -> ListValue { ListValue(elements) }

    public enum End: Sendable {
        case head, tail

        /// LEFT or RIGHT, case-insensitively; nil for anything else.
        init?(_ word: Bytes) {
            if word.equalsLowercased("left") { self = .head } else if word.equalsLowercased("right") { self = .tail } else { return nil }
        }
    }

    public func push(_ element: Bytes, at end: End) {
        switch end {
        case .head: elements.prepend(element)
        case .tail: elements.append(element)
        }
    }

    public func pop(at end: End) -> Bytes? {
        switch end {
        case .head: return elements.popFirst()
        case .tail: return elements.popLast()
        }
    }

    /// Up to `count` elements popped from `end`, in pop order.
    public func pop(_ count: Int, at end: End) -> [Bytes] {
        let taken = max(0, min(count, elements.count))
        var popped: [Bytes] = []
        popped.reserveCapacity(taken)
        for _ in 0..<taken {
            if let element = pop(at: end) { popped.append(element) }
        }
        return popped
    }

    /// Resolves a Redis index (negative counts from the tail) to a position, nil when outside.
    public func position(_ index: Int64) -> Int? {
        let resolved = index < 0 ? Int64(elements.count) + index : index
        guard resolved >= 0 && resolved < Int64(elements.count) else { return nil }
        return Int(resolved)
    }

    /// The positions LRANGE and LTRIM keep for `start` and `stop`, nil when the range is empty.
    public func range(_ start: Int64, _ stop: Int64) -> Range<Int>? {
        let length = Int64(elements.count)
        var start = start, stop = stop
        if start < 0 { start = length &+ start }
        if stop < 0 { stop = length &+ stop }
        if start < 0 { start = 0 }
        guard start <= stop && start < length else { return nil }
        if stop >= length { stop = length - 1 }
        return Int(start)..<Int(stop + 1)
    }
}

extension ListValue: CollectionValue {
    public static func extract(_ value: Value) -> ListValue? {
        if case .list(let list) = value { return list }
        return nil
    }
    public var wrapped: Value { .list(self) }
    public var isBoxed: Bool { true }
}
