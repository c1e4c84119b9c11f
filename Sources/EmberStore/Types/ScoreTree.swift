import EmberRESP

/// A sorted-set member and its score, ordered by score then by member bytes (as Redis orders
/// its skip list).
public struct ScoredMember: Sendable {
    public var score: Double
    public var member: Bytes

    @inlinable public init(score: Double, member: Bytes) {
        self.score = score
        self.member = member
    }

    @inlinable func precedes(_ other: ScoredMember) -> Bool {
        score < other.score || (score == other.score && member < other.member)
    }
}

/// An order-statistic B+ tree of scored members: insert, remove, rank and the entry at a
/// rank in O(log n), range walks in O(log n + m). Leaves hold sorted arrays, so a member costs
/// its entry and a share of an array, not a node with pointers per level as in a skip list.
///
/// Inner nodes keep each child's size and largest entry; those guide every descent.
public struct ScoreTree: @unchecked Sendable {
    /// Only touched under the engine lock, hence no runtime exclusivity checks.
    final class Node {
        /// Leaf entries, sorted; empty in inner nodes.
        @exclusivity(unchecked) var entries: [ScoredMember] = []
        /// Inner nodes: children, each one's entry count and its largest entry.
        @exclusivity(unchecked) var children: [Node] = []
        @exclusivity(unchecked) var counts: [Int] = []
        @exclusivity(unchecked) var maxima: [ScoredMember] = []
        @exclusivity(unchecked) var total = 0

        var isLeaf: Bool { children.isEmpty }
        var maximum: ScoredMember? { isLeaf ? entries.last : maxima.last }

        init() {}
        init(entries: [ScoredMember]) {
            self.entries = entries
            total = entries.count
        }
        init(children: [Node]) {
            self.children = children
            counts = children.map(\.total)
            maxima = children.map { $0.maximum! }
            total = counts.reduce(0, +)
        }
    }

    static let leafCapacity = 64
    static let innerCapacity = 64

    private var root = Node()

    public init() {}

    public var count: Int { root.total }

    // MARK: - Changes

    /// Inserts `entry` (whose member must not be present).
    public mutating func insert(_ entry: ScoredMember) {
        if let sibling = Self.insert(entry, into: root) {
            root = Node(children: [root, sibling])
        }
    }

    /// Inserts into the subtree at `node`; returns a new right sibling when `node` split.
    private static func insert(_ entry: ScoredMember, into node: Node) -> Node? {
        node.total += 1
        if node.isLeaf {
            let position = lowerBound(node.entries) { !$0.precedes(entry) }
            if node.entries.count == leafCapacity {
                // Full: split first, so no array ever grows past the capacity. Appending at
                // the end (ascending inserts) leaves the left leaf full rather than half full.
                let cut = position == leafCapacity ? leafCapacity : leafCapacity / 2
                var right = Array(node.entries[cut...])
                right.reserveCapacity(leafCapacity)
                node.entries = Array(node.entries[..<cut])
                if position >= cut {
                    right.insert(entry, at: position - cut)
                } else {
                    node.entries.reserveCapacity(leafCapacity)
                    node.entries.insert(entry, at: position)
                }
                node.total = node.entries.count
                return Node(entries: right)
            }
            node.entries.insert(entry, at: position)
            return nil
        }
        let index = min(lowerBound(node.maxima) { !$0.precedes(entry) }, node.children.count - 1)
        let child = node.children[index]
        let split = insert(entry, into: child)
        node.counts[index] = child.total
        node.maxima[index] = child.maximum!
        if let split {
            node.children.insert(split, at: index + 1)
            node.counts.insert(split.total, at: index + 1)
            node.maxima.insert(split.maximum!, at: index + 1)
        }
        guard node.children.count > innerCapacity else { return nil }
        let half = node.children.count / 2
        let right = Node(children: Array(node.children[half...]))
        node.children.removeSubrange(half...)
        node.counts.removeSubrange(half...)
        node.maxima.removeSubrange(half...)
        node.total = node.counts.reduce(0, +)
        return right
    }

    /// Removes `entry` (matched by score and member); returns whether it was there.
    @discardableResult
    public mutating func remove(_ entry: ScoredMember) -> Bool {
        let removed = Self.remove(entry, from: root)
        while !root.isLeaf && root.children.count == 1 { root = root.children[0] }
        if !root.isLeaf && root.children.isEmpty { root = Node() }
        return removed
    }

    private static func remove(_ entry: ScoredMember, from node: Node) -> Bool {
        if node.isLeaf {
            let position = lowerBound(node.entries) { !$0.precedes(entry) }
            guard position < node.entries.count, !entry.precedes(node.entries[position]) else { return false }
            node.entries.remove(at: position)
            node.total -= 1
            return true
        }
        let index = lowerBound(node.maxima) { !$0.precedes(entry) }
        guard index < node.children.count else { return false }
        let child = node.children[index]
        guard remove(entry, from: child) else { return false }
        node.total -= 1
        if child.total == 0 {
            node.children.remove(at: index)
            node.counts.remove(at: index)
            node.maxima.remove(at: index)
            return true
        }
        node.counts[index] = child.total
        node.maxima[index] = child.maximum!
        mergeIfSparse(node, at: index)
        return true
    }

    /// Folds a child that fell below a quarter full into a neighbour that has room, so the tree
    /// stays dense under deletions.
    private static func mergeIfSparse(_ node: Node, at index: Int) {
        let child = node.children[index]
        let capacity = child.isLeaf ? leafCapacity : innerCapacity
        let size = child.isLeaf ? child.entries.count : child.children.count
        guard size < capacity / 4 else { return }
        for neighbour in [index - 1, index + 1] where neighbour >= 0 && neighbour < node.children.count {
            let other = node.children[neighbour]
            let otherSize = other.isLeaf ? other.entries.count : other.children.count
            guard other.isLeaf == child.isLeaf, size + otherSize <= capacity else { continue }
            let (left, right) = neighbour < index ? (other, child) : (child, other)
            if left.isLeaf {
                left.entries += right.entries
            } else {
                left.children += right.children
                left.counts += right.counts
                left.maxima += right.maxima
            }
            left.total += right.total
            let leftIndex = min(index, neighbour)
            node.children.remove(at: leftIndex + 1)
            node.counts.remove(at: leftIndex + 1)
            node.maxima.remove(at: leftIndex + 1)
            node.counts[leftIndex] = left.total
            node.maxima[leftIndex] = left.maximum!
            return
        }
    }

    // MARK: - Queries

    /// The 0-based rank of the first entry for which `isAtOrPast` holds (a predicate false then
    /// true along the order); `count` when none does.
    public func rank(ofFirst isAtOrPast: (ScoredMember) -> Bool) -> Int {
        var node = root
        var rank = 0
        while !node.isLeaf {
            let index = Self.lowerBound(node.maxima, isAtOrPast)
            guard index < node.children.count else { return rank + node.total }
            for preceding in 0..<index { rank += node.counts[preceding] }
            node = node.children[index]
        }
        return rank + Self.lowerBound(node.entries, isAtOrPast)
    }

    /// The rank of `entry`, nil when it is not in the tree.
    public func rank(of entry: ScoredMember) -> Int? {
        let rank = self.rank { !$0.precedes(entry) }
        guard rank < count, let found = self[rank], !entry.precedes(found) else { return nil }
        return rank
    }

    /// The entry at `rank`, nil when out of range.
    public subscript(rank: Int) -> ScoredMember? {
        guard rank >= 0 && rank < count else { return nil }
        var node = root
        var remaining = rank
        while !node.isLeaf {
            var index = 0
            while remaining >= node.counts[index] {
                remaining -= node.counts[index]
                index += 1
            }
            node = node.children[index]
        }
        return node.entries[remaining]
    }

    /// Calls `body` on entries from `rank` on, ascending (or descending when `reverse`), until
    /// it returns false or the entries run out.
    public func forEach(from rank: Int, reverse: Bool = false, _ body: (ScoredMember) -> Bool) {
        guard rank >= 0 && rank < count else { return }
        _ = Self.visit(root, from: rank, reverse: reverse, body)
    }

    private static func visit(_ node: Node, from start: Int, reverse: Bool, _ body: (ScoredMember) -> Bool) -> Bool {
        if node.isLeaf {
            if reverse {
                for position in stride(from: start, through: 0, by: -1) where !body(node.entries[position]) { return false }
            } else {
                for position in start..<node.entries.count where !body(node.entries[position]) { return false }
            }
            return true
        }
        var index = 0
        var local = start
        while local >= node.counts[index] {
            local -= node.counts[index]
            index += 1
        }
        if reverse {
            guard visit(node.children[index], from: local, reverse: true, body) else { return false }
            for previous in stride(from: index - 1, through: 0, by: -1) {
                guard visit(node.children[previous], from: node.counts[previous] - 1, reverse: true, body) else { return false }
            }
        } else {
            guard visit(node.children[index], from: local, reverse: false, body) else { return false }
            for next in (index + 1)..<node.children.count {
                guard visit(node.children[next], from: 0, reverse: false, body) else { return false }
            }
        }
        return true
    }

    /// Bytes held by the tree's arrays and nodes (MEMORY USAGE).
    public var allocatedBytes: Int {
        var total = 0
        var pending = [root]
        while let node = pending.popLast() {
            total += 64 + node.entries.capacity * MemoryLayout<ScoredMember>.stride
                + node.children.capacity * 8 + node.counts.capacity * 8 + node.maxima.capacity * MemoryLayout<ScoredMember>.stride
            pending += node.children
        }
        return total
    }

    /// First index in `array` where `isAtOrPast` holds (binary search).
    static func lowerBound(_ array: [ScoredMember], _ isAtOrPast: (ScoredMember) -> Bool) -> Int {
        var low = 0
        var high = array.count
        while low < high {
            let middle = (low + high) / 2
            if isAtOrPast(array[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
