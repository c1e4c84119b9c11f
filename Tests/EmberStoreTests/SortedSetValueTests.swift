@testable import EmberStore
import EmberRESP
import XCTest

final class SortedSetValueTests: XCTestCase {
    private func smallLimits(entries: Int = 4, value: Int = 8) -> CollectionLimits {
        var limits = CollectionLimits()
        limits.zsetMaxListpackEntries = entries
        limits.zsetMaxListpackValue = value
        return limits
    }

    private func members(_ set: SortedSetValue) -> [String] { set.entries.map(\.member.string) }

    /// Checks every query of `set` against `expected` (member → score).
    private func assertMatches(
        _ set: SortedSetValue, _ expected: [Bytes: Double], _ label: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let sorted = expected.map { ScoredMember(score: $0.value, member: $0.key) }.sorted(by: referencePrecedes)
        XCTAssertEqual(set.count, sorted.count, "\(label): count", file: file, line: line)
        let entries = set.entries
        XCTAssertEqual(entries.count, sorted.count, "\(label): entries", file: file, line: line)
        XCTAssertTrue(zip(entries, sorted).allSatisfy { $0.member == $1.member && $0.score == $1.score }, "\(label): entries order", file: file, line: line)
        for (rank, entry) in sorted.enumerated() {
            XCTAssertEqual(set.rank(of: entry.member), rank, "\(label): rank of \(entry.member)", file: file, line: line)
            XCTAssertEqual(set.score(of: entry.member), entry.score, "\(label): score of \(entry.member)", file: file, line: line)
            XCTAssertEqual(set[rank]?.member, entry.member, "\(label): set[\(rank)]", file: file, line: line)
        }
        XCTAssertNil(set[-1], file: file, line: line)
        XCTAssertNil(set[sorted.count], file: file, line: line)
        XCTAssertNil(set.rank(of: "never-added"), file: file, line: line)
        XCTAssertNil(set.score(of: "never-added"), file: file, line: line)
    }

    func testListpackUntilEntryLimitThenSkiplistForGood() {
        let limits = smallLimits()
        let set = SortedSetValue()
        XCTAssertEqual(set.encodingName, "listpack")
        for (member, score) in [("d", 4.0), ("a", 1.0), ("c", 3.0), ("b", 2.0)] {
            set.set(Bytes(member), score: score, limits: limits)
        }
        XCTAssertEqual(set.count, 4)
        XCTAssertEqual(set.encodingName, "listpack")
        XCTAssertTrue(set.isCompact)
        XCTAssertEqual(members(set), ["a", "b", "c", "d"])
        // Updating an existing member at the limit does not convert.
        set.set("a", score: 10, limits: limits)
        XCTAssertEqual(set.encodingName, "listpack")
        XCTAssertEqual(set.count, 4)
        XCTAssertEqual(members(set), ["b", "c", "d", "a"])
        XCTAssertEqual(set.score(of: "a"), 10)
        XCTAssertEqual(set.rank(of: "a"), 3)
        // A fifth member does.
        set.set("e", score: 0, limits: limits)
        XCTAssertEqual(set.encodingName, "skiplist")
        XCTAssertFalse(set.isCompact)
        XCTAssertEqual(members(set), ["e", "b", "c", "d", "a"])
        // Once and for good: shrinking back to one member keeps the skiplist.
        for member in ["a", "b", "c", "d"] { XCTAssertTrue(set.remove(Bytes(member))) }
        XCTAssertEqual(set.count, 1)
        XCTAssertEqual(set.encodingName, "skiplist")
        XCTAssertTrue(set.remove("e"))
        XCTAssertEqual(set.count, 0)
        XCTAssertEqual(set.encodingName, "skiplist")
        set.set("x", score: 1, limits: limits)
        XCTAssertEqual(set.encodingName, "skiplist")
        XCTAssertEqual(members(set), ["x"])
    }

    func testDefaultEntryLimitIs128() {
        let limits = CollectionLimits()
        let set = SortedSetValue()
        for i in 0..<limits.zsetMaxListpackEntries { set.set(Bytes("m\(i)"), score: Double(i), limits: limits) }
        XCTAssertEqual(set.count, 128)
        XCTAssertEqual(set.encodingName, "listpack")
        set.set("one-more", score: -1, limits: limits)
        XCTAssertEqual(set.encodingName, "skiplist")
        XCTAssertEqual(set.rank(of: "one-more"), 0)
        XCTAssertEqual(set.rank(of: "m127"), 128)
    }

    func testLongMemberConverts() {
        let limits = CollectionLimits()
        let set = SortedSetValue()
        set.set(Bytes([UInt8](repeating: 0x61, count: limits.zsetMaxListpackValue)), score: 1, limits: limits)
        XCTAssertEqual(set.encodingName, "listpack", "exactly the limit stays compact")
        set.set("short", score: 2, limits: limits)
        let long = Bytes([UInt8](repeating: 0x62, count: limits.zsetMaxListpackValue + 1))
        set.set(long, score: 0, limits: limits)
        XCTAssertEqual(set.encodingName, "skiplist")
        XCTAssertEqual(set.count, 3)
        XCTAssertEqual(set.rank(of: long), 0)
        XCTAssertEqual(set.score(of: "short"), 2)
        // Removing the long member does not go back.
        XCTAssertTrue(set.remove(long))
        XCTAssertEqual(set.encodingName, "skiplist")

        // A long first member converts an empty set.
        let single = SortedSetValue()
        single.set(Bytes([UInt8](repeating: 1, count: 9)), score: 5, limits: smallLimits())
        XCTAssertEqual(single.encodingName, "skiplist")
        XCTAssertEqual(single.count, 1)
    }

    func testSetUpdatesScoresInBothEncodings() {
        for convert in [false, true] {
            let limits = CollectionLimits()
            let set = SortedSetValue()
            var expected: [Bytes: Double] = [:]
            for i in 0..<20 {
                set.set(Bytes("m\(i)"), score: Double(i % 5), limits: limits)
                expected[Bytes("m\(i)")] = Double(i % 5)
            }
            if convert { set.convertToScalable() }
            XCTAssertEqual(set.encodingName, convert ? "skiplist" : "listpack")
            assertMatches(set, expected, "initial convert=\(convert)")
            for (member, score) in [("m0", 100.0), ("m19", -100.0), ("m7", 2.0), ("m3", .infinity), ("m4", -.infinity), ("m0", 1.5)] {
                set.set(Bytes(member), score: score, limits: limits)
                expected[Bytes(member)] = score
                assertMatches(set, expected, "after \(member)=\(score) convert=\(convert)")
            }
            // Same score again changes nothing.
            set.set("m7", score: 2, limits: limits)
            assertMatches(set, expected, "same score convert=\(convert)")
            XCTAssertEqual(set.encodingName, convert ? "skiplist" : "listpack")
        }
    }

    func testRemoveAndRemoveRanksInBothEncodings() {
        for convert in [false, true] {
            let limits = CollectionLimits()
            let set = SortedSetValue()
            for i in 0..<10 { set.set(Bytes("m\(i)"), score: Double(i), limits: limits) }
            if convert { set.convertToScalable() }
            XCTAssertTrue(set.remove("m5"))
            XCTAssertFalse(set.remove("m5"))
            XCTAssertFalse(set.remove("absent"))
            XCTAssertEqual(members(set), ["m0", "m1", "m2", "m3", "m4", "m6", "m7", "m8", "m9"])
            XCTAssertEqual(set.removeRanks(2..<5), 3, "convert=\(convert)")
            XCTAssertEqual(members(set), ["m0", "m1", "m6", "m7", "m8", "m9"])
            XCTAssertEqual(set.removeRanks(3..<3), 0)
            XCTAssertEqual(set.removeRanks(0..<1), 1)
            XCTAssertEqual(set.removeRanks(3..<4), 1)
            XCTAssertEqual(members(set), ["m1", "m6", "m7", "m9"])
            XCTAssertNil(set.score(of: "m8"))
            XCTAssertNil(set.rank(of: "m0"))
            XCTAssertEqual(set.rank(of: "m9"), 3)
            XCTAssertEqual(set.score(of: "m9"), 9)
            XCTAssertEqual(set.removeRanks(0..<4), 4)
            XCTAssertEqual(set.count, 0)
            XCTAssertEqual(set.entries.count, 0)
            XCTAssertNil(set[0])
            XCTAssertEqual(set.encodingName, convert ? "skiplist" : "listpack")
        }
    }

    func testRankOfFirstAndForEachInBothEncodings() {
        for convert in [false, true] {
            let set = SortedSetValue()
            for i in 0..<30 { set.set(Bytes("m\(i)"), score: Double(i / 3), limits: CollectionLimits()) }
            if convert { set.convertToScalable() }
            XCTAssertEqual(set.rank { $0.score >= 4 }, 12)
            XCTAssertEqual(set.rank { $0.score > 4 }, 15)
            XCTAssertEqual(set.rank { $0.score > 100 }, 30)
            var seen: [String] = []
            set.forEach(from: 13) { seen.append($0.member.string); return seen.count < 3 }
            XCTAssertEqual(seen, ["m13", "m14", "m15"])
            seen = []
            set.forEach(from: 1, reverse: true) { seen.append($0.member.string); return true }
            XCTAssertEqual(seen, ["m1", "m0"])
            seen = []
            set.forEach(from: 30) { seen.append($0.member.string); return true }
            set.forEach(from: -1, reverse: true) { seen.append($0.member.string); return true }
            XCTAssertEqual(seen, [])
        }
    }

    func testRandomOperationsAcrossTheConversion() {
        var random = SplitMix64(seed: 77)
        let limits = smallLimits(entries: 64, value: 8)
        let set = SortedSetValue()
        var expected: [Bytes: Double] = [:]
        var converted = false
        for step in 0..<3000 {
            let member = Bytes("k\(Int.random(in: 0..<90, using: &random))")
            if Int.random(in: 0..<3, using: &random) == 0 {
                XCTAssertEqual(set.remove(member), expected.removeValue(forKey: member) != nil)
            } else {
                let score = Double(Int.random(in: -10...10, using: &random))
                set.set(member, score: score, limits: limits)
                expected[member] = score
            }
            if expected.count > 64 { converted = true }
            XCTAssertEqual(set.encodingName, converted ? "skiplist" : "listpack", "step \(step)")
            if step % 100 == 0 { assertMatches(set, expected, "step \(step)") }
        }
        XCTAssertTrue(converted)
        assertMatches(set, expected, "end")
    }

    func testRandomEntryReturnsOnlyPresentEntriesAndEveryMember() {
        for convert in [false, true] {
            var random = SplitMix64(seed: convert ? 2 : 1)
            let set = SortedSetValue()
            XCTAssertNil(set.randomEntry(using: &random))
            for i in 0..<40 { set.set(Bytes("m\(i)"), score: Double(i) / 2, limits: CollectionLimits()) }
            if convert { set.convertToScalable() }
            for i in stride(from: 0, to: 40, by: 4) { set.remove(Bytes("m\(i)")) }
            var seen = Set<Bytes>()
            for _ in 0..<3000 {
                guard let entry = set.randomEntry(using: &random) else { return XCTFail("empty") }
                XCTAssertEqual(set.score(of: entry.member), entry.score, "\(entry.member) convert=\(convert)")
                seen.insert(entry.member)
            }
            XCTAssertEqual(seen, Set(set.entries.map(\.member)))
            XCTAssertEqual(seen.count, 30)
            set.removeRanks(0..<set.count)
            XCTAssertNil(set.randomEntry(using: &random), "emptied convert=\(convert)")
        }
    }

    func testCopyIsIndependent() {
        for convert in [false, true] {
            let limits = CollectionLimits()
            let original = SortedSetValue()
            for i in 0..<20 { original.set(Bytes("m\(i)"), score: Double(i), limits: limits) }
            if convert { original.convertToScalable() }
            let copy = original.copy()
            XCTAssertEqual(copy.encodingName, original.encodingName)
            XCTAssertEqual(members(copy), members(original))
            copy.set("m0", score: 99, limits: limits)
            copy.remove("m1")
            copy.set("new", score: -1, limits: limits)
            XCTAssertEqual(original.score(of: "m0"), 0)
            XCTAssertEqual(original.score(of: "m1"), 1)
            XCTAssertNil(original.score(of: "new"))
            XCTAssertEqual(original.count, 20)
            XCTAssertEqual(original.rank(of: "m0"), 0)
            original.set("m2", score: 1000, limits: limits)
            original.remove("m3")
            XCTAssertEqual(copy.score(of: "m2"), 2)
            XCTAssertEqual(copy.score(of: "m3"), 3)
            XCTAssertEqual(copy.count, 20)
            XCTAssertEqual(copy.rank(of: "new"), 0)
            XCTAssertEqual(copy.rank(of: "m0"), 19)
            XCTAssertEqual(members(copy).first, "new")

            // A listpack copy may convert without converting the original.
            if !convert {
                let grown = original.copy()
                for i in 0..<200 { grown.set(Bytes("g\(i)"), score: 0, limits: limits) }
                XCTAssertEqual(grown.encodingName, "skiplist")
                XCTAssertEqual(original.encodingName, "listpack")
                XCTAssertEqual(original.count, 19)
            }
        }
    }

    func testInitFromSortedEntriesChoosesTheEncoding() {
        let limits = smallLimits(entries: 3, value: 4)
        let three = [ScoredMember(score: 1, member: "a"), ScoredMember(score: 2, member: "b"), ScoredMember(score: 2, member: "c")]
        let compact = SortedSetValue(sortedEntries: three, limits: limits)
        XCTAssertEqual(compact.encodingName, "listpack")
        XCTAssertEqual(members(compact), ["a", "b", "c"])
        XCTAssertEqual(compact.rank(of: "c"), 2)

        let four = three + [ScoredMember(score: 3, member: "d")]
        let big = SortedSetValue(sortedEntries: four, limits: limits)
        XCTAssertEqual(big.encodingName, "skiplist")
        XCTAssertEqual(members(big), ["a", "b", "c", "d"])
        XCTAssertEqual(big.score(of: "d"), 3)
        XCTAssertEqual(big.rank(of: "b"), 1)

        let long = SortedSetValue(sortedEntries: [ScoredMember(score: 1, member: "abcd"), ScoredMember(score: 2, member: "abcde")], limits: limits)
        XCTAssertEqual(long.encodingName, "skiplist")
        XCTAssertEqual(long.rank(of: "abcde"), 1)
        XCTAssertEqual(SortedSetValue(sortedEntries: [ScoredMember(score: 1, member: "abcd")], limits: limits).encodingName, "listpack")

        let empty = SortedSetValue(sortedEntries: [], limits: limits)
        XCTAssertEqual(empty.encodingName, "listpack")
        XCTAssertEqual(empty.count, 0)
    }

    func testNegativeZeroIsZeroInListpackOnly() {
        let limits = CollectionLimits()
        let compact = SortedSetValue()
        compact.set("z", score: -0.0, limits: limits)
        XCTAssertEqual(compact.encodingName, "listpack")
        XCTAssertEqual(compact.score(of: "z")?.sign, .plus)
        XCTAssertEqual(compact[0]?.score.sign, .plus)
        XCTAssertEqual(compact.entries.first?.score.sign, .plus)

        let scalable = SortedSetValue()
        scalable.convertToScalable()
        scalable.set("z", score: -0.0, limits: limits)
        XCTAssertEqual(scalable.encodingName, "skiplist")
        XCTAssertEqual(scalable.score(of: "z")?.sign, .minus)
        XCTAssertEqual(scalable[0]?.score.sign, .minus)
        XCTAssertEqual(scalable.entries.first?.score.sign, .minus)
        // -0 and 0 still tie, ordered by member, and updates between them work.
        scalable.set("a", score: 0.0, limits: limits)
        XCTAssertEqual(members(scalable), ["a", "z"])
        scalable.set("z", score: 0.0, limits: limits)
        XCTAssertEqual(scalable.score(of: "z")?.sign, .plus)
        XCTAssertEqual(scalable.count, 2)
        XCTAssertEqual(scalable.rank(of: "z"), 1)
        XCTAssertTrue(scalable.remove("z"))
        XCTAssertEqual(members(scalable), ["a"])

        let fromEntries = [ScoredMember(score: -0.0, member: "a")]
        XCTAssertEqual(SortedSetValue(sortedEntries: fromEntries, limits: limits).score(of: "a")?.sign, .plus)
        let forced = smallLimits(entries: 0)
        XCTAssertEqual(SortedSetValue(sortedEntries: fromEntries, limits: forced).encodingName, "skiplist")
        XCTAssertEqual(SortedSetValue(sortedEntries: fromEntries, limits: forced).score(of: "a")?.sign, .minus)
        // A listpack's 0 stays 0 through the conversion.
        let small = smallLimits(entries: 1)
        let converting = SortedSetValue()
        converting.set("a", score: -0.0, limits: small)
        converting.set("b", score: -0.0, limits: small)
        XCTAssertEqual(converting.encodingName, "skiplist")
        XCTAssertEqual(converting.score(of: "a")?.sign, .plus)
        XCTAssertEqual(converting.score(of: "b")?.sign, .minus)
    }
}
