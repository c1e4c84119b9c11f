@testable import EmberStore
import EmberRESP
import XCTest

final class ListValueTests: XCTestCase {
    private func list(_ count: Int) -> ListValue { ListValue((0..<count).map { Bytes("e\($0)") }) }

    private func strings(_ list: ListValue) -> [String] { list.elements.map(\.string) }

    /// LRANGE's rule, written as a filter over positions: normalize negative indexes from the
    /// tail, then keep the positions between them (clamping falls out of the filter).
    private func expectedRange(_ start: Int64, _ stop: Int64, count: Int) -> [Int] {
        let length = Int64(count)
        let first = start < 0 ? length + start : start
        let last = stop < 0 ? length + stop : stop
        return (0..<count).filter { Int64($0) >= first && Int64($0) <= last }
    }

    func testPushAndPopAtBothEnds() {
        let list = ListValue()
        XCTAssertEqual(list.count, 0)
        XCTAssertNil(list.pop(at: .head))
        XCTAssertNil(list.pop(at: .tail))
        list.push("b", at: .head)
        list.push("a", at: .head)
        list.push("c", at: .tail)
        list.push("d", at: .tail)
        XCTAssertEqual(strings(list), ["a", "b", "c", "d"])
        XCTAssertEqual(list.pop(at: .head), "a")
        XCTAssertEqual(list.pop(at: .tail), "d")
        XCTAssertEqual(strings(list), ["b", "c"])
        XCTAssertEqual(list.pop(at: .tail), "c")
        XCTAssertEqual(list.pop(at: .tail), "b")
        XCTAssertNil(list.pop(at: .head))
        XCTAssertEqual(list.count, 0)
        // Many pushes at both ends keep order.
        for i in 0..<1000 {
            list.push(Bytes("h\(i)"), at: .head)
            list.push(Bytes("t\(i)"), at: .tail)
        }
        XCTAssertEqual(list.count, 2000)
        XCTAssertEqual(list.elements.first, "h999")
        XCTAssertEqual(list.elements.last, "t999")
        XCTAssertEqual(list.elements[1000], "t0")
        XCTAssertEqual(list.elements[999], "h0")
    }

    func testPopCount() {
        let list = self.list(5)
        XCTAssertEqual(list.pop(0, at: .head), [])
        XCTAssertEqual(list.pop(2, at: .head), ["e0", "e1"])
        XCTAssertEqual(list.pop(2, at: .tail), ["e4", "e3"], "pop order, from the tail")
        XCTAssertEqual(list.pop(10, at: .tail), ["e2"], "more than there is")
        XCTAssertEqual(list.count, 0)
        XCTAssertEqual(list.pop(3, at: .head), [])
        let big = self.list(100)
        XCTAssertEqual(big.pop(Int.max, at: .head).count, 100)
        XCTAssertEqual(big.count, 0)
    }

    func testEndParsesLeftAndRight() {
        XCTAssertEqual(ListValue.End("LEFT"), .head)
        XCTAssertEqual(ListValue.End("left"), .head)
        XCTAssertEqual(ListValue.End("RiGhT"), .tail)
        XCTAssertNil(ListValue.End("up"))
        XCTAssertNil(ListValue.End(""))
        XCTAssertNil(ListValue.End("lefty"))
    }

    func testPositionResolvesNegativeIndexesAndRejectsOutOfRange() {
        let list = self.list(5)
        XCTAssertEqual(list.position(0), 0)
        XCTAssertEqual(list.position(4), 4)
        XCTAssertEqual(list.position(-1), 4)
        XCTAssertEqual(list.position(-5), 0)
        XCTAssertNil(list.position(5))
        XCTAssertNil(list.position(-6))
        XCTAssertNil(list.position(Int64.max))
        XCTAssertNil(list.position(Int64.min))
        XCTAssertNil(list.position(Int64.min + 1))
        XCTAssertNil(list.position(Int64.max - 1))
        let empty = ListValue()
        for index: Int64 in [0, -1, 1, .min, .max] { XCTAssertNil(empty.position(index), "\(index)") }
    }

    func testRangeFollowsLrangeRules() {
        let list = self.list(10)
        func range(_ start: Int64, _ stop: Int64) -> [String]? {
            list.range(start, stop).map { Array(list.elements[$0]).map(\.string) }
        }
        XCTAssertEqual(range(0, -1), (0..<10).map { "e\($0)" })
        XCTAssertEqual(range(0, 0), ["e0"])
        XCTAssertEqual(range(2, 4), ["e2", "e3", "e4"])
        XCTAssertEqual(range(-3, -1), ["e7", "e8", "e9"])
        XCTAssertEqual(range(-100, 1), ["e0", "e1"])
        XCTAssertEqual(range(8, 100), ["e8", "e9"])
        XCTAssertEqual(range(9, 9), ["e9"])
        XCTAssertNil(range(5, 4), "start > stop")
        XCTAssertNil(range(-1, -2))
        XCTAssertNil(range(10, 20), "start past the end")
        XCTAssertNil(range(0, -11), "stop before the start")
        XCTAssertNil(range(-100, -50))
        XCTAssertEqual(list.range(Int64.min, Int64.max), 0..<10)
        XCTAssertEqual(list.range(0, Int64.max), 0..<10)
        XCTAssertEqual(list.range(Int64.min, -1), 0..<10)
        XCTAssertEqual(list.range(Int64.min, 0), 0..<1)
        XCTAssertNil(list.range(Int64.max, Int64.max))
        XCTAssertNil(list.range(Int64.max, Int64.min))
        XCTAssertNil(list.range(Int64.min, Int64.min))
        XCTAssertNil(list.range(0, Int64.min))
        XCTAssertNil(list.range(Int64.max, -1))

        // Every combination of interesting indexes, on lists of several sizes, against the rule.
        let interesting: [Int64] = [
            .min, .min + 1, -1_000_000, -11, -10, -9, -2, -1, 0, 1, 2, 8, 9, 10, 11, 1_000_000, .max - 1, .max,
        ]
        for count in [0, 1, 2, 10] {
            let sized = self.list(count)
            for start in interesting {
                for stop in interesting {
                    let expected = expectedRange(start, stop, count: count)
                    let actual = sized.range(start, stop).map { Array($0) } ?? []
                    XCTAssertEqual(actual, expected, "count \(count) range(\(start), \(stop))")
                    if let result = sized.range(start, stop) {
                        XCTAssertFalse(result.isEmpty, "an empty range is reported as nil")
                        XCTAssertGreaterThanOrEqual(result.lowerBound, 0)
                        XCTAssertLessThanOrEqual(result.upperBound, count)
                    }
                }
            }
        }
    }

    func testCopyIsIndependent() {
        let original = self.list(5)
        let copy = original.copy()
        XCTAssertEqual(strings(copy), strings(original))
        copy.push("new", at: .head)
        _ = copy.pop(at: .tail)
        copy.elements[1] = "changed"
        XCTAssertEqual(strings(original), ["e0", "e1", "e2", "e3", "e4"])
        original.push("tail", at: .tail)
        _ = original.pop(at: .head)
        XCTAssertEqual(strings(copy), ["new", "changed", "e1", "e2", "e3"])
        XCTAssertEqual(strings(original), ["e1", "e2", "e3", "e4", "tail"])
    }
}
