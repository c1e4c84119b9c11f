@testable import EmberStore
import EmberRESP
import XCTest

/// SplitMix64: a tiny seeded generator, so every randomized test replays the same operations.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Score, then member bytes in memcmp order (shorter prefix first), written independently of
/// `ScoredMember.precedes` so the tree is checked against its own definition of the order.
func referencePrecedes(_ a: ScoredMember, _ b: ScoredMember) -> Bool {
    if a.score != b.score { return a.score < b.score }
    return a.member.array.lexicographicallyPrecedes(b.member.array)
}

/// Same score (bit for bit, so -0 and 0 differ) and same member.
func identical(_ a: ScoredMember?, _ b: ScoredMember?) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    return a.score.bitPattern == b.score.bitPattern && a.member == b.member
}

func describe(_ entry: ScoredMember?) -> String {
    guard let entry else { return "nil" }
    return "(\(entry.score), \(entry.member.array))"
}

/// The reference model: a sorted Swift array.
private struct SortedModel {
    var entries: [ScoredMember] = []

    var count: Int { entries.count }

    /// First index whose entry does not precede `entry`.
    func lowerBound(_ entry: ScoredMember) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if referencePrecedes(entries[middle], entry) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    func rank(of entry: ScoredMember) -> Int? {
        let position = lowerBound(entry)
        guard position < entries.count, !referencePrecedes(entry, entries[position]) else { return nil }
        return position
    }

    mutating func insert(_ entry: ScoredMember) {
        entries.insert(entry, at: lowerBound(entry))
    }

    mutating func remove(_ entry: ScoredMember) -> Bool {
        guard let position = rank(of: entry) else { return false }
        entries.remove(at: position)
        return true
    }
}

final class ScoreTreeTests: XCTestCase {
    // MARK: - Checking against the model

    /// Compares every observable of `tree` with `model`. `rankStride` > 1 samples the per-rank
    /// lookups on big trees (full walks are always checked entry by entry).
    private func verify(
        _ tree: ScoreTree, _ model: SortedModel, using random: inout SplitMix64, rankStride: Int = 1,
        _ label: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let count = model.count
        XCTAssertEqual(tree.count, count, "\(label): count", file: file, line: line)
        guard tree.count == count else { return }

        // The entry at every rank, and nothing outside.
        var mismatches = 0
        for rank in stride(from: 0, to: count, by: rankStride) where !identical(tree[rank], model.entries[rank]) {
            mismatches += 1
            if mismatches <= 3 {
                XCTFail("\(label): tree[\(rank)] = \(describe(tree[rank])), expected \(describe(model.entries[rank]))", file: file, line: line)
            }
        }
        if count > 0 { XCTAssertTrue(identical(tree[count - 1], model.entries.last), "\(label): last rank", file: file, line: line) }
        XCTAssertNil(tree[-1], "\(label): tree[-1]", file: file, line: line)
        XCTAssertNil(tree[count], "\(label): tree[count]", file: file, line: line)
        XCTAssertNil(tree[Int.max], "\(label): tree[Int.max]", file: file, line: line)
        XCTAssertNil(tree[Int.min], "\(label): tree[Int.min]", file: file, line: line)

        // Whole walks, both ways.
        var forward: [ScoredMember] = []
        tree.forEach(from: 0) { forward.append($0); return true }
        XCTAssertEqual(forward.count, count, "\(label): forward walk length", file: file, line: line)
        XCTAssertTrue(zip(forward, model.entries).allSatisfy { identical($0, $1) }, "\(label): forward walk order", file: file, line: line)
        var backward: [ScoredMember] = []
        tree.forEach(from: count - 1, reverse: true) { backward.append($0); return true }
        XCTAssertEqual(backward.count, count, "\(label): backward walk length", file: file, line: line)
        XCTAssertTrue(zip(backward, model.entries.reversed()).allSatisfy { identical($0, $1) }, "\(label): backward walk order", file: file, line: line)

        // Walks from out-of-range ranks call nothing.
        for start in [-1, count, count + 5, Int.min, Int.max] {
            for reverse in [false, true] {
                var calls = 0
                tree.forEach(from: start, reverse: reverse) { _ in calls += 1; return true }
                XCTAssertEqual(calls, 0, "\(label): forEach(from: \(start), reverse: \(reverse))", file: file, line: line)
            }
        }

        // Walks from random ranks with an early stop.
        if count > 0 {
            for _ in 0..<40 {
                let start = Int.random(in: 0..<count, using: &random)
                let limit = Int.random(in: 1...150, using: &random)
                var seen: [ScoredMember] = []
                tree.forEach(from: start) { seen.append($0); return seen.count < limit }
                let expected = model.entries[start..<min(count, start + limit)]
                XCTAssertEqual(seen.count, expected.count, "\(label): forward from \(start) limit \(limit)", file: file, line: line)
                XCTAssertTrue(zip(seen, expected).allSatisfy { identical($0, $1) }, "\(label): forward from \(start)", file: file, line: line)

                seen = []
                tree.forEach(from: start, reverse: true) { seen.append($0); return seen.count < limit }
                let expectedBack = model.entries[max(0, start - limit + 1)...start].reversed()
                XCTAssertEqual(seen.count, expectedBack.count, "\(label): backward from \(start) limit \(limit)", file: file, line: line)
                XCTAssertTrue(zip(seen, expectedBack).allSatisfy { identical($0, $1) }, "\(label): backward from \(start)", file: file, line: line)
            }
        }

        // rank(of:) for present entries (also found through the other zero's sign).
        mismatches = 0
        for rank in stride(from: 0, to: count, by: rankStride) {
            let entry = model.entries[rank]
            if tree.rank(of: entry) != rank {
                mismatches += 1
                if mismatches <= 3 {
                    XCTFail("\(label): rank(of: \(describe(entry))) = \(String(describing: tree.rank(of: entry))), expected \(rank)", file: file, line: line)
                }
            }
            if entry.score == 0 {
                let flipped = ScoredMember(score: -entry.score, member: entry.member)
                XCTAssertEqual(tree.rank(of: flipped), rank, "\(label): -0 and 0 are one score", file: file, line: line)
            }
        }

        // rank(of:) for absent entries: a present member under another score, and absent members.
        for _ in 0..<60 {
            if count > 0 {
                let entry = model.entries[Int.random(in: 0..<count, using: &random)]
                let otherScore = entry.score.isInfinite ? 0.5 : entry.score + 0.125
                let moved = ScoredMember(score: otherScore, member: entry.member)
                XCTAssertNil(tree.rank(of: moved), "\(label): rank(of: \(describe(moved)))", file: file, line: line)
                let absent = ScoredMember(score: entry.score, member: entry.member + Bytes([0xFF, 0x00, 0xEE]))
                if model.rank(of: absent) == nil {
                    XCTAssertNil(tree.rank(of: absent), "\(label): rank(of: \(describe(absent)))", file: file, line: line)
                }
            }
            let probe = ScoredMember(score: Double(Int.random(in: -80...80, using: &random)) / 4, member: Bytes("absent-\(Int.random(in: 0..<1000, using: &random))"))
            XCTAssertNil(tree.rank(of: probe), "\(label): rank(of: \(describe(probe)))", file: file, line: line)
            XCTAssertNil(model.rank(of: probe))
        }

        // rank(ofFirst:) with score lower bounds, inclusive and exclusive, and entry lower bounds.
        var thresholds: [Double] = [-.infinity, .infinity, -0.0, 0.0, -1e300, 1e300]
        for _ in 0..<30 { thresholds.append(Double(Int.random(in: -90...90, using: &random)) / 4) }
        for _ in 0..<10 where count > 0 { thresholds.append(model.entries[Int.random(in: 0..<count, using: &random)].score) }
        for threshold in thresholds {
            let inclusive = model.entries.firstIndex { $0.score >= threshold } ?? count
            XCTAssertEqual(tree.rank { $0.score >= threshold }, inclusive, "\(label): first score >= \(threshold)", file: file, line: line)
            let exclusive = model.entries.firstIndex { $0.score > threshold } ?? count
            XCTAssertEqual(tree.rank { $0.score > threshold }, exclusive, "\(label): first score > \(threshold)", file: file, line: line)
        }
        XCTAssertEqual(tree.rank { _ in true }, 0, "\(label): always true", file: file, line: line)
        XCTAssertEqual(tree.rank { _ in false }, count, "\(label): always false", file: file, line: line)
        for _ in 0..<20 {
            let probe = ScoredMember(score: Double(Int.random(in: -90...90, using: &random)) / 4, member: Bytes([UInt8.random(in: 0...255, using: &random)]))
            XCTAssertEqual(tree.rank { !referencePrecedes($0, probe) }, model.lowerBound(probe), "\(label): lower bound of \(describe(probe))", file: file, line: line)
        }
    }

    // MARK: - Generators

    private static let alphabet: [UInt8] = [0x00, 0x01, 0x41, 0x61, 0x62, 0x7F, 0x80, 0xFE, 0xFF]

    /// A short member over bytes that catch signed comparisons (0x7F vs 0x80) and prefix order.
    private func randomMember(using random: inout SplitMix64) -> Bytes {
        let length = Int.random(in: 0...5, using: &random)
        return Bytes((0..<length).map { _ in Self.alphabet.randomElement(using: &random)! })
    }

    /// Few distinct scores, so ties (ordered by member) are common; both zeros and both infinities.
    private func randomScore(using random: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<40, using: &random) {
        case 0: return .infinity
        case 1: return -.infinity
        case 2: return -0.0
        case 3: return 0.0
        default: return Double(Int.random(in: -60...60, using: &random)) / 4
        }
    }

    // MARK: - Tests

    func testEmptyTree() {
        var tree = ScoreTree()
        var random = SplitMix64(seed: 1)
        XCTAssertEqual(tree.count, 0)
        XCTAssertNil(tree[0])
        XCTAssertNil(tree.rank(of: ScoredMember(score: 1, member: "a")))
        XCTAssertEqual(tree.rank { _ in true }, 0)
        XCTAssertFalse(tree.remove(ScoredMember(score: 1, member: "a")))
        verify(tree, SortedModel(), using: &random, "empty")
    }

    func testRandomInsertsAndRemovesMatchSortedArray() {
        var random = SplitMix64(seed: 0x5EED)
        var tree = ScoreTree()
        var model = SortedModel()
        var scores: [Bytes: Double] = [:]
        var insertions = 0, removals = 0, missedRemovals = 0
        // Grow, shrink to nearly nothing, grow again: splits, merges and root changes both ways.
        let phases: [(batches: Int, insertPercent: Int)] = [(12, 75), (14, 20), (6, 80), (10, 15), (4, 60)]
        var batch = 0
        for phase in phases {
            for _ in 0..<phase.batches {
                batch += 1
                for _ in 0..<300 {
                    let roll = Int.random(in: 0..<100, using: &random)
                    if roll < phase.insertPercent {
                        let member = randomMember(using: &random)
                        if scores[member] == nil {
                            let entry = ScoredMember(score: randomScore(using: &random), member: member)
                            tree.insert(entry)
                            model.insert(entry)
                            scores[member] = entry.score
                            insertions += 1
                        }
                    } else if roll < 92, !model.entries.isEmpty {
                        let entry = model.entries[Int.random(in: 0..<model.count, using: &random)]
                        XCTAssertTrue(tree.remove(entry), "remove \(describe(entry))")
                        XCTAssertTrue(model.remove(entry))
                        scores[entry.member] = nil
                        removals += 1
                    } else {
                        // Absent: a missing member, or a present member under a different score.
                        var probe = ScoredMember(score: randomScore(using: &random), member: randomMember(using: &random))
                        if let score = scores[probe.member] {
                            probe.score = score.isInfinite ? 1.5 : score + 0.125
                        }
                        XCTAssertFalse(tree.remove(probe), "remove absent \(describe(probe))")
                        XCTAssertFalse(model.remove(probe))
                        missedRemovals += 1
                    }
                }
                verify(tree, model, using: &random, "batch \(batch)")
            }
        }
        XCTAssertGreaterThan(insertions, 3000)
        XCTAssertGreaterThan(removals, 2000)
        XCTAssertGreaterThan(missedRemovals, 300)
        // Drain completely, then reuse.
        for entry in model.entries.shuffled(using: &random) { XCTAssertTrue(tree.remove(entry)) }
        verify(tree, SortedModel(), using: &random, "drained")
        let entry = ScoredMember(score: 2, member: "again")
        tree.insert(entry)
        XCTAssertEqual(tree.count, 1)
        XCTAssertEqual(tree.rank(of: entry), 0)
        XCTAssertTrue(identical(tree[0], entry))
    }

    func testFiftyThousandEntriesThenDeleteFortyNineThousand() {
        var random = SplitMix64(seed: 42)
        var tree = ScoreTree()
        let total = 50_000
        var all: [ScoredMember] = (0..<total).map { i in
            let score: Double
            switch i % 500 {
            case 0: score = .infinity
            case 1: score = -.infinity
            case 2: score = -0.0
            case 3: score = 0.0
            default: score = Double(Int.random(in: -2000...2000, using: &random)) / 2
            }
            return ScoredMember(score: score, member: Bytes("m:\(i)"))
        }
        all.shuffle(using: &random)
        for entry in all { tree.insert(entry) }
        var model = SortedModel(entries: all.sorted(by: referencePrecedes))
        verify(tree, model, using: &random, rankStride: 7, "50k")
        let peakBytes = tree.allocatedBytes

        var doomed = Set<Bytes>()
        let order = all.shuffled(using: &random)
        for (removed, entry) in order.prefix(49_000).enumerated() {
            XCTAssertTrue(tree.remove(entry))
            doomed.insert(entry.member)
            if (removed + 1) % 7000 == 0 {
                model.entries.removeAll { doomed.contains($0.member) }
                verify(tree, model, using: &random, rankStride: 5, "after \(removed + 1) removals")
            }
        }
        model.entries.removeAll { doomed.contains($0.member) }
        XCTAssertEqual(model.count, 1000)
        verify(tree, model, using: &random, "1000 left")
        // Sparse nodes were merged, not merely emptied: the tree shrank with its contents.
        XCTAssertLessThan(tree.allocatedBytes, peakBytes / 5, "peak \(peakBytes)")
        // Removing any of them again fails.
        for entry in order.prefix(500) { XCTAssertFalse(tree.remove(entry)) }
        XCTAssertEqual(tree.count, 1000)

        // Grow again on the shrunken tree, then empty it: the root collapses to a leaf.
        for i in 0..<5000 {
            let entry = ScoredMember(score: Double(i % 97), member: Bytes("again:\(i)"))
            tree.insert(entry)
            model.insert(entry)
        }
        verify(tree, model, using: &random, rankStride: 3, "regrown")
        for entry in model.entries.shuffled(using: &random) { XCTAssertTrue(tree.remove(entry)) }
        verify(tree, SortedModel(), using: &random, "emptied")
        XCTAssertLessThan(tree.allocatedBytes, 16_384)
    }

    func testSequentialInsertsAndRemovalsAtTheEdges() {
        var random = SplitMix64(seed: 9)
        var tree = ScoreTree()
        var model = SortedModel()
        // Ascending and descending insertions always split the last or first node.
        for i in 0..<6000 {
            let entry = ScoredMember(score: Double(i), member: "up")
            tree.insert(entry)
            model.entries.append(entry)
        }
        for i in 0..<6000 {
            let entry = ScoredMember(score: -Double(i) - 1, member: "down")
            tree.insert(entry)
            model.entries.insert(entry, at: 0)
        }
        verify(tree, model, using: &random, "edges grown")
        // Remove from the front, then from the back.
        for _ in 0..<5000 {
            XCTAssertTrue(tree.remove(model.entries.removeFirst()))
        }
        verify(tree, model, using: &random, "front removed")
        for _ in 0..<5000 {
            XCTAssertTrue(tree.remove(model.entries.removeLast()))
        }
        verify(tree, model, using: &random, "back removed")
        // Remove every other entry from the middle outwards.
        let middle = model.entries.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        for entry in middle { XCTAssertTrue(tree.remove(entry)) }
        model.entries = model.entries.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        verify(tree, model, using: &random, "every other removed")
    }

    func testTiesAreOrderedByMemberBytesInMemcmpOrder() {
        var tree = ScoreTree()
        // memcmp order: unsigned bytes, a proper prefix first.
        let expected: [[UInt8]] = [
            [], [0x00], [0x00, 0x00], [0x01], [0x41], [0x61], [0x61, 0x00], [0x61, 0x62], [0x62],
            [0x7F], [0x7F, 0xFF], [0x80], [0x80, 0x00], [0xFE], [0xFF], [0xFF, 0xFF],
        ]
        var random = SplitMix64(seed: 3)
        for member in expected.shuffled(using: &random) { tree.insert(ScoredMember(score: 5, member: Bytes(member))) }
        // Lower and higher scores around the tied block.
        tree.insert(ScoredMember(score: 4.5, member: Bytes([0xFF])))
        tree.insert(ScoredMember(score: 5.5, member: Bytes([])))
        var walked: [[UInt8]] = []
        tree.forEach(from: 1) { entry in
            guard entry.score == 5 else { return false }
            walked.append(entry.member.array)
            return true
        }
        XCTAssertEqual(walked, expected)
        XCTAssertEqual(tree[0]?.member.array, [0xFF])
        XCTAssertEqual(tree[tree.count - 1]?.member.array, [])
        for (offset, member) in expected.enumerated() {
            XCTAssertEqual(tree.rank(of: ScoredMember(score: 5, member: Bytes(member))), offset + 1, "\(member)")
        }
        // A lower bound inside the tied block, by member.
        let probe = ScoredMember(score: 5, member: Bytes([0x7F, 0x00]))
        XCTAssertEqual(tree.rank { !$0.precedes(probe) }, 1 + expected.firstIndex(of: [0x7F, 0xFF])!)
        XCTAssertEqual(tree.rank { $0.score >= 5 }, 1)
        XCTAssertEqual(tree.rank { $0.score > 5 }, 1 + expected.count)

        // Many members on one score across many leaves.
        var big = ScoreTree()
        var model = SortedModel()
        for i in 0..<3000 {
            let entry = ScoredMember(score: i % 3 == 0 ? 1 : 2, member: Bytes("member-\(i)"))
            big.insert(entry)
            model.insert(entry)
        }
        verify(big, model, using: &random, "ties")
        XCTAssertEqual(big.rank { $0.score >= 2 }, 1000)
    }

    func testNegativeZeroEqualsZeroAndInfinitiesBoundTheOrder() {
        var tree = ScoreTree()
        tree.insert(ScoredMember(score: 0.0, member: "b"))
        tree.insert(ScoredMember(score: -0.0, member: "a"))
        tree.insert(ScoredMember(score: -0.0, member: "c"))
        tree.insert(ScoredMember(score: .infinity, member: "a"))
        tree.insert(ScoredMember(score: -.infinity, member: "z"))
        tree.insert(ScoredMember(score: .infinity, member: ""))
        tree.insert(ScoredMember(score: -.infinity, member: "y"))
        tree.insert(ScoredMember(score: -Double.greatestFiniteMagnitude, member: "min"))
        tree.insert(ScoredMember(score: Double.greatestFiniteMagnitude, member: "max"))
        tree.insert(ScoredMember(score: -Double.leastNonzeroMagnitude, member: "tiny-"))
        tree.insert(ScoredMember(score: Double.leastNonzeroMagnitude, member: "tiny+"))
        var order: [String] = []
        tree.forEach(from: 0) { order.append($0.member.string); return true }
        // -0 and 0 are one score, so their members interleave by bytes.
        XCTAssertEqual(order, ["y", "z", "min", "tiny-", "a", "b", "c", "tiny+", "max", "", "a"])
        // Each keeps the sign it was inserted with.
        XCTAssertEqual(tree[4]?.score.sign, .minus)
        XCTAssertEqual(tree[5]?.score.sign, .plus)
        XCTAssertEqual(tree[6]?.score.sign, .minus)
        XCTAssertEqual(tree[0]?.score, -.infinity)
        XCTAssertEqual(tree[10]?.score, .infinity)
        // Lookups treat -0 and 0 alike.
        XCTAssertEqual(tree.rank(of: ScoredMember(score: 0.0, member: "a")), 4)
        XCTAssertEqual(tree.rank(of: ScoredMember(score: -0.0, member: "b")), 5)
        XCTAssertEqual(tree.rank { $0.score >= 0.0 }, 4)
        XCTAssertEqual(tree.rank { $0.score >= -0.0 }, 4)
        XCTAssertEqual(tree.rank { $0.score > 0.0 }, 7)
        XCTAssertEqual(tree.rank { $0.score >= .infinity }, 9)
        XCTAssertEqual(tree.rank { $0.score > .infinity }, 11)
        XCTAssertEqual(tree.rank { $0.score > -.infinity }, 2)
        XCTAssertNil(tree.rank(of: ScoredMember(score: .infinity, member: "z")))
        XCTAssertNil(tree.rank(of: ScoredMember(score: -.infinity, member: "a")))
        // Removal by the other zero finds the entry.
        XCTAssertTrue(tree.remove(ScoredMember(score: 0.0, member: "c")))
        XCTAssertFalse(tree.remove(ScoredMember(score: 0.0, member: "c")))
        XCTAssertTrue(tree.remove(ScoredMember(score: -0.0, member: "b")))
        XCTAssertTrue(tree.remove(ScoredMember(score: .infinity, member: "")))
        XCTAssertFalse(tree.remove(ScoredMember(score: -.infinity, member: "")))
        XCTAssertTrue(tree.remove(ScoredMember(score: -.infinity, member: "y")))
        order = []
        tree.forEach(from: tree.count - 1, reverse: true) { order.append($0.member.string); return true }
        XCTAssertEqual(order, ["a", "max", "tiny+", "a", "tiny-", "min", "z"])
    }
}
