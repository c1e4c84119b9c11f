import EmberRESP
import NIOCore
import XCTest

final class RESPValueTests: XCTestCase {
    func testRoundTripEveryType() throws {
        let values: [RESPValue] = [
            .simpleString("OK"), .error("ERR x"), .integer(-42), .bulkString("a\r\nb"), .null,
            .array([.integer(1), .array([])]), .double(1.5), .double(.infinity), .boolean(true),
            .map([.bulkString("k"): .integer(1)]), .set([.integer(1)]), .push([.bulkString("message")]),
            .verbatimString(format: "txt", text: "hello"), .bigNumber("123456789012345678901234567890"),
        ]
        for value in values {
            var buffer = ByteBuffer()
            value.encode(into: &buffer)
            let parser = RESPValueParser()
            // Every prefix is incomplete, never an error.
            for cut in 0..<buffer.readableBytes {
                var partial = buffer.getSlice(at: 0, length: cut)!
                XCTAssertNil(try parser.next(&partial))
            }
            XCTAssertEqual(try parser.next(&buffer), value)
            XCTAssertEqual(buffer.readableBytes, 0)
        }
    }

    func testErrorLinesCannotBreakTheFrame() {
        // As Redis's addReplyErrorFormat: CR/LF trimmed at the ends, spaces inside; raw bytes kept.
        var buffer = ByteBuffer()
        buffer.writeRESPError(Bytes(Array("ERR bad '\r\n\u{1}".utf8) + [0xff] + Array("'\r\n".utf8)))
        XCTAssertEqual(buffer.readBytes(length: buffer.readableBytes), Array("-ERR bad '  \u{1}".utf8) + [0xff] + Array("'\r\n".utf8))
    }

    func testNestingIsBounded() {
        var buffer = ByteBuffer(string: String(repeating: "*1\r\n", count: 1000) + ":1\r\n")
        XCTAssertThrowsError(try RESPValueParser(maxDepth: 64).next(&buffer))
    }

    func testDoubleFormattingMatchesRedis() {
        XCTAssertEqual(formatDouble(1.5), "1.5")
        XCTAssertEqual(formatDouble(3), "3")
        XCTAssertEqual(formatDouble(-.infinity), "-inf")
        XCTAssertEqual(formatDouble(0.1), "0.10000000000000001")
    }
}
