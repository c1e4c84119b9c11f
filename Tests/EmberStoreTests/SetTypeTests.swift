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
}
