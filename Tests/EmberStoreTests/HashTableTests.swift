@testable import EmberStore
import EmberRESP
import XCTest

final class HashTableTests: XCTestCase {
    func testGrowShrinkAndLookupDuringIncrementalRehash() {
        var table = HashTable<Int>()
        for i in 0..<50_000 {
            table.insertNew(Bytes("key:\(i)"), i)
            if i % 997 == 0 {
                // Lookups stay correct at every point of a resize.
                XCTAssertEqual(table.value(for: Bytes("key:\(i / 2)")), i / 2)
            }
        }
        XCTAssertEqual(table.count, 50_000)
        for i in stride(from: 0, to: 50_000, by: 2) { XCTAssertEqual(table.remove(Bytes("key:\(i)")), i) }
        XCTAssertEqual(table.count, 25_000)
        for i in 0..<50_000 { XCTAssertEqual(table.value(for: Bytes("key:\(i)")), i % 2 == 1 ? i : nil) }
        for i in stride(from: 1, to: 50_000, by: 2) { table.remove(Bytes("key:\(i)")) }
        XCTAssertTrue(table.isEmpty)
        while table.rehashStep(buckets: 1000) {}
        XCTAssertLessThanOrEqual(table.bucketCount, 64)
    }

    /// Redis's SCAN guarantee: a key present for the whole scan is returned, even when the table
    /// grows or shrinks between calls.
    func testScanReturnsEveryStableKeyAcrossResizes() {
        var generator = Xoshiro256(seed: 7)
        for round in 0..<6 {
            var table = HashTable<Int>()
            let stable = (0..<2000).map { Bytes("stable:\(round):\($0)") }
            for key in stable { table.insertNew(key, 0) }
            var seen = Set<Bytes>()
            var cursor: UInt64 = 0
            var churn = 0
            var steps = 0
            let growing = round % 2 == 0
            if !growing {
                // Start big, then shrink while the scan runs.
                for i in 0..<20_000 { table.insertNew(Bytes("churn:\(i)"), 1) }
            }
            repeat {
                steps += 1
                cursor = table.scan(cursor: cursor) { seen.insert(table[$0].key) }
                if growing && steps <= 60 {
                    for _ in 0..<300 {
                        table.insertNew(Bytes("churn:\(churn)"), 1)
                        churn += 1
                    }
                } else if !growing {
                    for _ in 0..<400 {
                        guard let index = table.randomIndex(using: &generator) else { break }
                        if table[index].value == 1 { table.remove(at: index) }
                    }
                }
                // Leave resizes half-done between calls.
                table.rehashStep(buckets: Int.random(in: 0..<5, using: &generator))
            } while cursor != 0 && steps < 200_000
            XCTAssertEqual(cursor, 0, "round \(round): scan did not finish")
            for key in stable { XCTAssertTrue(seen.contains(key), "round \(round) missed \(key)") }
        }
    }

    func testRandomIndexIsUniformEnough() {
        var table = HashTable<Int>()
        for i in 0..<10 { table.insertNew(Bytes("k\(i)"), i) }
        var generator = Xoshiro256(seed: 1)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[table[table.randomIndex(using: &generator)!].value] += 1 }
        for count in counts { XCTAssertEqual(Double(count), 10_000, accuracy: 600) }
    }

    func testGlobMatchesRedisRules() {
        let cases: [(String, String, Bool)] = [
            ("*", "anything", true), ("h?llo", "hello", true), ("h?llo", "hllo", false),
            ("h[ae]llo", "hallo", true), ("h[^e]llo", "hello", false), ("h[a-b]llo", "hbllo", true),
            ("h\\*llo", "h*llo", true), ("h\\*llo", "hello", false), ("*a*b*c*", "xaybzc", true),
            ("[", "[", false), ("a[", "a", false), ("user:*:name", "user:42:name", true),
        ]
        for (pattern, string, expected) in cases {
            XCTAssertEqual(globMatch(Bytes(pattern), Bytes(string)), expected, "\(pattern) ~ \(string)")
        }
        // Pathological patterns finish quickly.
        XCTAssertFalse(globMatch(Bytes(String(repeating: "*a", count: 40) + "b"), Bytes(String(repeating: "a", count: 60))))
    }
}
