@testable import EmberStore
import EmberRESP
import XCTest

final class SetTypeTests: XCTestCase {
    func testIntsetStaysSortedAndConvertsOnTextOrSize() {
        var limits = CollectionLimits()
        limits.setMaxIntsetEntries = 4
        var set = SetValue()
        for member in ["5", "-2", "9", "5"] { set.insert(Bytes(member), limits: limits) }
        XCTAssertEqual(set.encodingName, "intset")
        XCTAssertEqual(set.members, ["-2", "5", "9"].map { Bytes($0) })
        XCTAssertFalse(set.contains(Bytes("05")), "not canonical, so not the integer 5")
        XCTAssertTrue(set.insert(Bytes("0"), limits: limits))
        XCTAssertEqual(set.encodingName, "intset")
        XCTAssertTrue(set.insert(Bytes("1"), limits: limits))
        XCTAssertEqual(set.encodingName, "hashtable")
        XCTAssertEqual(Set(set.members), Set(["-2", "0", "1", "5", "9"].map { Bytes($0) }))

        var words = SetValue()
        words.insert(Bytes("1"), limits: limits)
        words.insert(Bytes("one"), limits: limits)
        XCTAssertEqual(words.encodingName, "hashtable")
        XCTAssertTrue(words.contains(Bytes("1")))
        XCTAssertTrue(words.remove(Bytes("one")))
        XCTAssertFalse(words.remove(Bytes("one")))
        XCTAssertEqual(words.count, 1)
    }

    func testSetAlgebra() {
        let limits = CollectionLimits()
        let a = SetValue(["1", "2", "x"].map { Bytes($0) }, limits: limits)
        let b = SetValue(["2", "x", "y"].map { Bytes($0) }, limits: limits)
        XCTAssertEqual(Set(Engine.combine([a, b], .intersection)), Set(["2", "x"].map { Bytes($0) }))
        XCTAssertEqual(Set(Engine.combine([a, b], .union)), Set(["1", "2", "x", "y"].map { Bytes($0) }))
        XCTAssertEqual(Engine.combine([a, b], .difference), [Bytes("1")])
        XCTAssertEqual(Engine.combine([a, nil], .intersection), [])
        XCTAssertEqual(Engine.combine([nil, a], .difference), [])
        XCTAssertEqual(Set(Engine.combine([nil, a], .union)), Set(a.members))
    }

    func testIntSetWidensAndStaysSorted() {
        var integers = IntSet()
        var model: [Int64] = []
        let values: [Int64] = [5, -3, 300, 40_000, -70_000, Int64.max, Int64.min, 0, 5, 1 << 40]
        for value in values {
            XCTAssertEqual(integers.insert(value), !model.contains(value))
            if !model.contains(value) { model.append(value) }
            model.sort()
            XCTAssertEqual(integers.elements, model)
        }
        XCTAssertEqual(integers.width, 8)
        for value in [Int64.min, 300, 99] {
            XCTAssertEqual(integers.remove(value), model.contains(value))
            model.removeAll { $0 == value }
            XCTAssertEqual(integers.elements, model)
        }
        for (index, value) in model.enumerated() { XCTAssertEqual(integers[index], value) }
        var small = IntSet()
        for value in 0..<10 { small.insert(Int64(value)) }
        XCTAssertEqual(small.width, 2)
        XCTAssertEqual(small.heapBytes, 0, "ten 16-bit members fit inline")
    }

    func testSmallStringSetsAreCompactAndReportHashtable() {
        let limits = CollectionLimits()
        var set = SetValue()
        for index in 0..<SetValue.compactEntries { set.insert(Bytes("m\(index)"), limits: limits) }
        guard case .listpack = set.storage else { return XCTFail("expected the compact form") }
        XCTAssertEqual(set.encodingName, "hashtable")
        XCTAssertFalse(set.insert(Bytes("m7"), limits: limits))
        XCTAssertTrue(set.contains(Bytes("m127")))
        XCTAssertTrue(set.remove(Bytes("m0")))
        XCTAssertFalse(set.contains(Bytes("m0")))
        set.insert(Bytes("m0"), limits: limits)
        set.insert(Bytes("one more"), limits: limits)
        guard case .table = set.storage else { return XCTFail("past the entry limit: a table") }
        XCTAssertEqual(set.count, SetValue.compactEntries + 1)

        var long = SetValue()
        long.insert(Bytes("short"), limits: limits)
        long.insert(Bytes(String(repeating: "x", count: 65)), limits: limits)
        guard case .table = long.storage else { return XCTFail("a long member: a table") }

        var fromInts = SetValue()
        for value in 0..<5 { fromInts.insert(Bytes(decimal: Int64(value)), limits: limits) }
        fromInts.insert(Bytes("text"), limits: limits)
        guard case .listpack = fromInts.storage else { return XCTFail("an intset gaining text goes compact") }
        XCTAssertEqual(Set(fromInts.members), Set(["0", "1", "2", "3", "4", "text"].map { Bytes($0) }))
        var random = Xoshiro256(seed: 7)
        var drawn = Set<Bytes>()
        for _ in 0..<500 { drawn.insert(fromInts.randomMember(using: &random)!) }
        XCTAssertEqual(drawn.count, 6)
    }
}
