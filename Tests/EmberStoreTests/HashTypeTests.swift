@testable import EmberStore
import EmberRESP
import XCTest

final class HashTypeTests: XCTestCase {
    func testListpackStoresEntriesOfAnyLength() {
        var pack = Listpack()
        let entries = [Bytes(), Bytes("a"), Bytes([UInt8](repeating: 7, count: 300)), Bytes("tail")]
        for entry in entries { pack.append(entry) }
        XCTAssertEqual(pack.count, 4)
        XCTAssertEqual(pack.elements, entries)
        // 300 bytes need a two-byte length prefix.
        XCTAssertEqual(pack.endIndex, 1 + (1 + 1) + (2 + 300) + (1 + 4))
        let third = pack.offset(after: pack.offset(after: 0))
        pack.replace(at: third, with: Bytes("short"))
        XCTAssertEqual(pack.elements, [Bytes(), Bytes("a"), Bytes("short"), Bytes("tail")])
        pack.remove(at: 0, entries: 2)
        XCTAssertEqual(pack.elements, [Bytes("short"), Bytes("tail")])
        XCTAssertTrue(pack.entry(at: 0, equals: Bytes("short")))
        XCTAssertFalse(pack.entry(at: 0, equals: Bytes("shorT")))
    }

    func testHashConvertsPastThresholdsAndKeepsEveryPair() {
        var limits = CollectionLimits()
        limits.hashMaxListpackEntries = 8
        var hash = HashValue()
        for i in 0..<8 { XCTAssertTrue(hash.set(Bytes("f\(i)"), Bytes("\(i)"), limits: limits)) }
        XCTAssertEqual(hash.encodingName, "listpack")
        XCTAssertFalse(hash.set(Bytes("f3"), Bytes("three"), limits: limits))
        XCTAssertTrue(hash.set(Bytes("f8"), Bytes("8"), limits: limits))
        XCTAssertEqual(hash.encodingName, "hashtable")
        XCTAssertEqual(hash.count, 9)
        XCTAssertEqual(hash.value(for: Bytes("f3")), Bytes("three"))
        XCTAssertTrue(hash.remove(Bytes("f3")))
        XCTAssertFalse(hash.remove(Bytes("f3")))
        XCTAssertEqual(Set(hash.pairs.map(\.field)), Set((0..<9).filter { $0 != 3 }.map { Bytes("f\($0)") }))

        var long = HashValue()
        long.set(Bytes("f"), Bytes([UInt8](repeating: 1, count: 65)), limits: CollectionLimits())
        XCTAssertEqual(long.encodingName, "hashtable")
    }

    func testListpackCopiesOnWriteAndShrinks() {
        var pack = Listpack()
        for i in 0..<100 { pack.append(Bytes("entry-\(i)")) }
        let snapshot = pack
        pack.remove(at: 0, entries: 90)
        XCTAssertEqual(snapshot.count, 100)
        XCTAssertEqual(snapshot.elements.first, Bytes("entry-0"))
        XCTAssertEqual(pack.elements, (90..<100).map { Bytes("entry-\($0)") })
        XCTAssertLessThan(pack.capacity, 200)
    }

    func testCopyIsIndependentAndRandomPairsAreMembers() {
        var hash = HashValue()
        for i in 0..<20 { hash.set(Bytes("f\(i)"), Bytes("\(i)"), limits: CollectionLimits()) }
        var copy = hash.copy()
        copy.set(Bytes("f0"), Bytes("changed"), limits: CollectionLimits())
        XCTAssertEqual(hash.value(for: Bytes("f0")), Bytes("0"))
        var random = Xoshiro256(seed: 1)
        var seen = Set<Bytes>()
        for _ in 0..<1000 {
            guard let pair = hash.randomPair(using: &random) else { return XCTFail("empty") }
            XCTAssertEqual(hash.value(for: pair.field), pair.value)
            seen.insert(pair.field)
        }
        XCTAssertEqual(seen.count, 20)
    }
}
