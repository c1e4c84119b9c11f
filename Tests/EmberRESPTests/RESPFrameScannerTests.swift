import EmberRESP
import NIOCore
import XCTest

final class RESPFrameScannerTests: XCTestCase {
    private let samples: [RESPValue] = [
        .simpleString("OK"), .error("ERR x"), .integer(-42), .bulkString("a\r\nb"), .bulkString(""), .null,
        .array([]), .array([.integer(1), .array([]), .array([.bulkString("x"), .null])]), .double(1.5),
        .boolean(true), .map([.bulkString("k"): .array([.integer(1), .integer(2)])]), .set([.integer(1)]),
        .push([.bulkString("message"), .bulkString("ch"), .bulkString("payload")]),
        .verbatimString(format: "txt", text: "hello"), .bigNumber("123456789012345678901234567890"),
    ]

    /// Fed byte by byte, then in random chunks, the scanner says "complete" exactly when the
    /// whole frame is there, and the parser then reads the same value.
    func testCompleteExactlyAtTheEndOfEachFrame() throws {
        var generator = SystemRandomNumberGenerator()
        for value in samples + [.array(samples), .array([.array(samples), .map([.integer(7): .array(samples)])])] {
            var encoded = ByteBuffer()
            value.encode(into: &encoded)
            let bytes = encoded.readableBytesView.map { $0 }
            for chunking in 0..<4 {
                var scanner = RESPFrameScanner()
                var buffer = ByteBuffer()
                var fed = 0
                while fed < bytes.count {
                    let size = chunking == 0 ? 1 : Int.random(in: 1...max(1, bytes.count / 3), using: &generator)
                    let chunk = bytes[fed..<min(bytes.count, fed + size)]
                    buffer.writeBytes(chunk)
                    fed += chunk.count
                    XCTAssertEqual(try scanner.isComplete(buffer), fed == bytes.count, "\(value) at \(fed)/\(bytes.count)")
                }
                XCTAssertEqual(try RESPValueParser().next(&buffer), value)
            }
        }
    }

    func testFramesBackToBackAndAttributes() throws {
        var buffer = ByteBuffer(string: "|1\r\n+key\r\n:1\r\n:42\r\n*2\r\n|1\r\n+a\r\n+b\r\n$1\r\nx\r\n:7\r\n+next\r\n")
        var scanner = RESPFrameScanner()
        let parser = RESPValueParser()
        var values: [RESPValue] = []
        while try scanner.isComplete(buffer) {
            values.append(try XCTUnwrap(try parser.next(&buffer)))
            scanner.reset()
        }
        XCTAssertEqual(values, [.integer(42), .array([.bulkString("x"), .integer(7)]), .simpleString("next")])
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testMalformedInputThrows() {
        for text in ["?x\r\n", "$abc\r\n", "$-2\r\n", "*-5\r\n", "$99999999999\r\n"] {
            var scanner = RESPFrameScanner()
            XCTAssertThrowsError(try scanner.isComplete(ByteBuffer(string: text)), text)
        }
        var scanner = RESPFrameScanner(maxDepth: 8)
        XCTAssertThrowsError(try scanner.isComplete(ByteBuffer(string: String(repeating: "*1\r\n", count: 100))))
    }

    /// A reply of 100,000 elements arriving in 4 KiB reads is scanned once overall: scanning
    /// every read's growing buffer costs about as much as one pass.
    func testLargeReplyIsScannedIncrementally() throws {
        var encoded = ByteBuffer()
        RESPValue.array((0..<100_000).map { .bulkString(Bytes("element-\($0)")) }).encode(into: &encoded)
        let bytes = encoded.readableBytesView.map { $0 }
        var scanner = RESPFrameScanner()
        var buffer = ByteBuffer()
        var fed = 0
        let clock = ContinuousClock()
        let start = clock.now
        while fed < bytes.count {
            let chunk = bytes[fed..<min(bytes.count, fed + 4096)]
            buffer.writeBytes(chunk)
            fed += chunk.count
            XCTAssertEqual(try scanner.isComplete(buffer), fed == bytes.count)
        }
        let elapsed = clock.now - start
        print("scanned \(bytes.count) bytes in \(bytes.count / 4096) reads: \(elapsed)")
        XCTAssertLessThan(elapsed, .seconds(1), "\(bytes.count / 4096) reads")
        guard case .array(let elements) = try RESPValueParser().next(&buffer) else { return XCTFail("not an array") }
        XCTAssertEqual(elements.count, 100_000)
    }
}
