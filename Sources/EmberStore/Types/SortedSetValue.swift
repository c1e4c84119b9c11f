import EmberRESP

/// A sorted set, encoded as Redis 7.0 encodes it: a sorted array of members and scores
/// (`listpack`) up to `zset-max-listpack-entries` members of at most `zset-max-listpack-value`
/// bytes, then (once and for good) an order-statistic tree for ranks and score ranges plus a
/// hash table from member to score (`skiplist`).
///
/// A reference type: the keyspace holds one reference and commands change it in place.
public final class SortedSetValue: @unchecked Sendable {
    /// The scalable encoding's two indexes.
    final class Index {
        @exclusivity(unchecked) var tree = ScoreTree()
        @exclusivity(unchecked) var scores = HashTable<Double>()
    }

    /// The compact encoding, sorted by score then member; unused once `index` exists.
    @exclusivity(unchecked) private var compact: [ScoredMember] = []
    @exclusivity(unchecked) private var index: Index?

    public required init() {}

    /// A set holding `entries` (distinct members), in the encoding Redis picks for a result of
    /// that size (ZUNIONSTORE, ZRANGESTORE and the like).
    public init(sortedEntries entries: consuming [ScoredMember], limits: CollectionLimits) {
        if entries.count <= limits.zsetMaxListpackEntries && entries.allSatisfy({ $0.member.count <= limits.zsetMaxListpackValue }) {
            // In place when the caller gave its array up (a loader's).
            var compact = consume entries
            for position in compact.indices where compact[position].score == 0 {
                compact[position].score = Self.listpackScore(compact[position].score)
            }
            self.compact = compact
        } else {
            let index = Index()
            for entry in entries {
                index.tree.insert(entry)
                index.scores.insertNew(entry.member, entry.score)
            }
            self.index = index
        }
    }

    public var count: Int { index?.tree.count ?? compact.count }
    public var isCompact: Bool { index == nil }
    public var encodingName: String { index == nil ? "listpack" : "skiplist" }

    /// A copy sharing nothing with this set (COPY).
    public func copy() -> SortedSetValue {
        let copy = SortedSetValue()
        if let index {
            let newIndex = Index()
            index.tree.forEach(from: 0) { entry in
                newIndex.tree.insert(entry)
                return true
            }
            newIndex.scores = index.scores
            copy.index = newIndex
        } else {
            copy.compact = compact
        }
        return copy
    }

    /// A listpack keeps scores as text, where -0 reads back as 0.
    static func listpackScore(_ score: Double) -> Double { score == 0 ? 0 : score }

    // MARK: - Members

    public func score(of member: Bytes) -> Double? {
        if let index {
            return index.scores.inPlace { table in table.find(member).map { table[$0].value } }
        }
        return compact.first { $0.member == member }?.score
    }

    /// Adds `member` or changes its score. Converts to the scalable encoding first when the
    /// member is too long or the set would grow past the listpack limit.
    public func set(_ member: Bytes, score: Double, limits: CollectionLimits) {
        if index == nil {
            if let position = compact.firstIndex(where: { $0.member == member }) {
                compact.remove(at: position)
            } else if compact.count + 1 > limits.zsetMaxListpackEntries || member.count > limits.zsetMaxListpackValue {
                convertToIndex()
            }
        }
        if let index {
            if let slot = index.scores.inPlace({ $0.find(member) }) {
                let old = index.scores[slot].value
                index.tree.remove(ScoredMember(score: old, member: member))
                index.scores[slot].value = score
            } else {
                index.scores.insertNew(member, score)
            }
            index.tree.insert(ScoredMember(score: score, member: member))
            return
        }
        let entry = ScoredMember(score: Self.listpackScore(score), member: member)
        compact.insert(entry, at: ScoreTree.lowerBound(compact) { !$0.precedes(entry) })
    }

    /// Removes `member`; returns whether it was there.
    @discardableResult
    public func remove(_ member: Bytes) -> Bool {
        if let index {
            guard let score = index.scores.remove(member) else { return false }
            index.tree.remove(ScoredMember(score: score, member: member))
            return true
        }
        guard let position = compact.firstIndex(where: { $0.member == member }) else { return false }
        compact.remove(at: position)
        return true
    }

    /// Removes the entries of ranks `range` (ascending); returns how many.
    @discardableResult
    public func removeRanks(_ range: Range<Int>) -> Int {
        let range = range.clamped(to: 0..<count)
        guard !range.isEmpty else { return 0 }
        if let index {
            var doomed: [ScoredMember] = []
            doomed.reserveCapacity(range.count)
            index.tree.forEach(from: range.lowerBound) { entry in
                doomed.append(entry)
                return doomed.count < range.count
            }
            for entry in doomed {
                index.tree.remove(entry)
                index.scores.remove(entry.member)
            }
            return doomed.count
        }
        compact.removeSubrange(range)
        return range.count
    }

    /// Converts to the scalable encoding if compact (SORT does, as in Redis).
    public func convertToScalable() {
        if index == nil { convertToIndex() }
    }

    private func convertToIndex() {
        let index = Index()
        for entry in compact {
            index.tree.insert(entry)
            index.scores.insertNew(entry.member, entry.score)
        }
        compact = []
        self.index = index
    }

    // MARK: - Order

    /// The entry at ascending rank `rank`.
    public subscript(rank: Int) -> ScoredMember? {
        if let index { return index.tree[rank] }
        return rank >= 0 && rank < compact.count ? compact[rank] : nil
    }

    /// The ascending rank of `member`, nil when absent.
    public func rank(of member: Bytes) -> Int? {
        if let index {
            guard let score = score(of: member) else { return nil }
            return index.tree.rank(of: ScoredMember(score: score, member: member))
        }
        return compact.firstIndex { $0.member == member }
    }

    /// The rank of the first entry for which `isAtOrPast` holds (false, then true, in order).
    public func rank(ofFirst isAtOrPast: (ScoredMember) -> Bool) -> Int {
        if let index { return index.tree.rank(ofFirst: isAtOrPast) }
        return ScoreTree.lowerBound(compact, isAtOrPast)
    }

    /// Calls `body` from ascending rank `rank` on, upward or (`reverse`) downward, while it
    /// returns true.
    public func forEach(from rank: Int, reverse: Bool = false, _ body: (ScoredMember) -> Bool) {
        if let index {
            index.tree.forEach(from: rank, reverse: reverse, body)
            return
        }
        guard rank >= 0 && rank < compact.count else { return }
        if reverse {
            for position in stride(from: rank, through: 0, by: -1) where !body(compact[position]) { return }
        } else {
            for position in rank..<compact.count where !body(compact[position]) { return }
        }
    }

    /// Every entry, ascending.
    public var entries: [ScoredMember] {
        guard index != nil else { return compact }
        var all: [ScoredMember] = []
        all.reserveCapacity(count)
        forEach(from: 0) { all.append($0); return true }
        return all
    }

    /// A uniformly random entry, nil when empty.
    public func randomEntry<R: RandomNumberGenerator>(using random: inout R) -> ScoredMember? {
        if let index {
            guard let slot = index.scores.randomIndex(using: &random) else { return nil }
            let entry = index.scores[slot]
            return ScoredMember(score: entry.value, member: entry.key)
        }
        guard !compact.isEmpty else { return nil }
        return compact[Int.random(in: 0..<compact.count, using: &random)]
    }

    /// The member table of the scalable encoding (ZSCAN walks it), nil while compact.
    var scoreTable: HashTable<Double>? { index?.scores }

    /// Bytes held by the members, scores and indexes (MEMORY USAGE).
    public var allocatedBytes: Int {
        if let index {
            return index.tree.allocatedBytes + index.scores.allocatedBytes + heapBytes(index.scores)
        }
        return compact.capacity * MemoryLayout<ScoredMember>.stride + compact.reduce(0) { $0 + $1.member.heapBytes }
    }

    private func heapBytes(_ table: HashTable<Double>) -> Int {
        var total = 0
        table.forEachEntry { total += $0.key.heapBytes * 2 }
        return total
    }
}

extension SortedSetValue: CollectionValue {
    public static func extract(_ value: Value) -> SortedSetValue? {
        if case .zset(let set) = value { return set }
        return nil
    }
    public var wrapped: Value { .zset(self) }
    public var isBoxed: Bool { true }
}
