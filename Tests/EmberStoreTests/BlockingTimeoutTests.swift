@testable import EmberStore
import EmberRESP
import XCTest

final class BlockingTimeoutTests: XCTestCase {
    private let now: Int64 = 1_700_000_000_000

    private func assertDeadline(
        _ argument: String, now: Int64? = nil, _ expected: Int64,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        switch Engine.blockingDeadline(Bytes(argument), now: now ?? self.now) {
        case .success(let deadline): XCTAssertEqual(deadline, expected, "\(argument)", file: file, line: line)
        case .failure(let error): XCTFail("\(argument): unexpected error \(error.reply)", file: file, line: line)
        }
    }

    private func assertError(_ argument: Bytes, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        switch Engine.blockingDeadline(argument, now: now) {
        case .success(let deadline):
            XCTFail("\(argument.array): expected \(message), got deadline \(deadline)", file: file, line: line)
        case .failure(let error):
            guard case .error(let text) = error.reply else {
                return XCTFail("\(argument.array): not an error reply: \(error.reply)", file: file, line: line)
            }
            XCTAssertEqual(text.string, message, "\(argument.array)", file: file, line: line)
        }
    }

    private func assertError(_ argument: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        assertError(Bytes(argument), message, file: file, line: line)
    }

    private let negative = "ERR timeout is negative"
    private let notFloat = "ERR timeout is not a float or out of range"

    func testZeroWaitsForever() {
        assertDeadline("0", 0)
        assertDeadline("0.0", 0)
        assertDeadline("-0", 0)
        assertDeadline("-0.0", 0)
        assertDeadline("0e10", 0)
    }

    func testSecondsBecomeAnAbsoluteDeadlineInMilliseconds() {
        assertDeadline("0.1", now + 100)
        assertDeadline("1", now + 1000)
        assertDeadline("1.5", now + 1500)
        assertDeadline("10", now + 10_000)
        assertDeadline("0.5", now: 0, 500)
        assertDeadline("3600", now + 3_600_000)
        assertDeadline("1e3", now + 1_000_000)
    }

    /// Redis 7.0 rounds the milliseconds up (checked against redis-server 7.0.15): a positive
    /// timeout below 1 ms waits 1 ms, never forever; only a timeout that is 0 after rounding up
    /// waits forever, which small negatives are (`-0.001` s is -0.99999999999999999995 ms in
    /// long double, rounded up to -0).
    func testBelowOneMillisecondRoundsUp() {
        assertDeadline("0.0001", now + 1)
        assertDeadline("0.0009", now + 1)
        assertDeadline("0.001", now + 1)
        assertDeadline("1e-3", now + 1)
        assertDeadline("0.0005", now + 1)
        assertDeadline("1e-400", now + 1)
        assertDeadline("0.0015", now + 2)
        assertDeadline("0.002", now + 2)
        assertDeadline("1.0001", now + 1001)
        assertDeadline("-0.0001", 0)
        assertDeadline("-0.0009", 0)
        assertDeadline("-0.001", 0)
        assertDeadline("-1e-400", 0)
    }

    func testNegativeAndOutOfRangeTimeouts() {
        assertError("-1", negative)
        assertError("-0.002", negative)
        assertError("-0.5", negative)
        assertError("-1e10", negative)
        assertError("inf", negative)
        assertError("+inf", negative)
        assertError("-inf", negative)
        assertError("infinity", negative)
        assertError("1e400", negative)
        assertError("-1e400", negative)
        // 2^63 ms and more does not fit.
        assertError("9223372036854776", negative)
        assertError("1e16", negative)
        assertError("1e17", negative)
    }

    func testNotAFloat() {
        for text in ["abc", "", " 1", "1 ", "1x", "nan", "-nan", "1..0", "0x", "--1", "\t1"] {
            assertError(text, notFloat)
        }
        assertError(Bytes([0x31, 0x00]), notFloat)
        assertError(Bytes([UInt8](repeating: 0x31, count: 6000)), notFloat)
    }

    func testHugeTimeoutSaturatesInsteadOfTrapping() {
        // 9223372036854775 s is just under 2^63 ms: the sum with `now` overflows and saturates.
        assertDeadline("9223372036854775", Int64.max)
        assertDeadline("9223372036854775", now: Int64.max, Int64.max)
        assertDeadline("9223372036854775", now: 0, 9_223_372_036_854_775_000)
        assertDeadline("9223372036854774.999", now: 0, 9_223_372_036_854_774_999)
        assertDeadline("1e15", now + 1_000_000_000_000_000_000)
        assertDeadline("9223372036000000", Int64.max)
        assertDeadline("1", now: Int64.max, Int64.max)
        assertDeadline("1", now: Int64.max - 1000, Int64.max)
        assertDeadline("1", now: Int64.max - 1001, Int64.max - 1)
    }
}
