import EmberRESP
import NIOCore
import XCTest

final class RESPRequestParserTests: XCTestCase {
    private func parseAll(_ text: String, parser: inout RESPRequestParser) throws(RESPProtocolError) -> [[String]] {
        var buffer = ByteBuffer(string: text)
        var commands: [[String]] = []
        while let command = try parser.next(&buffer) { commands.append(command.map(\.string)) }
        return commands
    }

    func testMultibulkAndInlineAndPipelining() throws {
        var parser = RESPRequestParser()
        let commands = try parseAll("*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\nSET k \"a b\"\r\n*0\r\n\r\n*1\r\n$4\r\nPING\r\n", parser: &parser)
        XCTAssertEqual(commands, [["GET", "a"], ["PING"], ["SET", "k", "a b"], ["PING"]])
    }

    func testEveryFragmentationGivesTheSameCommands() throws {
        let wire = Array("*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$12\r\nhello\r\nworld\r\nECHO 'x y'\r\n".utf8)
        for split in 1..<wire.count {
            var parser = RESPRequestParser()
            var buffer = ByteBuffer(bytes: wire[0..<split])
            var commands: [[String]] = []
            while let command = try parser.next(&buffer) { commands.append(command.map(\.string)) }
            buffer.writeBytes(wire[split...])
            while let command = try parser.next(&buffer) { commands.append(command.map(\.string)) }
            XCTAssertEqual(commands, [["SET", "hello", "hello\r\nworld"], ["ECHO", "x y"]], "split at \(split)")
        }
    }

    func testProtocolErrorsUseRedisWording() {
        let cases: [(String, String)] = [
            ("*x\r\n", "Protocol error: invalid multibulk length"),
            ("*1\r\n$x\r\n", "Protocol error: invalid bulk length"),
            ("*1\r\n$-5\r\n", "Protocol error: invalid bulk length"),
            ("*1\r\n+OK\r\n", "Protocol error: expected '$', got '+'"),
            // An empty line where a bulk length belongs (this once trapped).
            ("*1\r\n\r\nxx", "Protocol error: expected '$', got '\r'"),
            ("*3000000000\r\n", "Protocol error: invalid multibulk length"),
            // Leading zeros are rejected (string2ll), also on the one-pass path for whole requests.
            ("*1\r\n$04\r\nPING\r\n", "Protocol error: invalid bulk length"),
            ("*01\r\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length"),
            ("*1\r\n$0000000004\r\nPING\r\n", "Protocol error: invalid bulk length"),
            ("*1\r\n$99999999999999999999\r\nPING\r\n", "Protocol error: invalid bulk length"),
            ("SET \"unterminated\r\n", "Protocol error: unbalanced quotes in request"),
            ("GET \"a\"b\r\n", "Protocol error: unbalanced quotes in request"),
        ]
        for (input, message) in cases {
            var parser = RESPRequestParser()
            XCTAssertThrowsError(try parseAll(input, parser: &parser), input) { error in
                XCTAssertEqual((error as? RESPProtocolError)?.message, message, input)
            }
        }
    }

    func testLimits() {
        var parser = RESPRequestParser(maxBulkLength: 10)
        XCTAssertThrowsError(try parseAll("*1\r\n$11\r\n", parser: &parser))
        var unauthenticated = RESPRequestParser()
        unauthenticated.unauthenticated = true
        XCTAssertThrowsError(try parseAll("*11\r\n", parser: &unauthenticated))
        var inline = RESPRequestParser()
        XCTAssertThrowsError(try parseAll(String(repeating: "a", count: 70 * 1024), parser: &inline))
        var count = RESPRequestParser()
        XCTAssertThrowsError(try parseAll("*" + String(repeating: "1", count: 70 * 1024), parser: &count))
    }

    func testHostileBytesNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("*$\r\n0123456789-+:\"' \\xabc".utf8)
        for _ in 0..<3000 {
            let length = Int.random(in: 0..<64, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            var parser = RESPRequestParser(maxBulkLength: 1000)
            var buffer = ByteBuffer(bytes: bytes)
            while true {
                guard let command = try? parser.next(&buffer) else { break }
                XCTAssertFalse(command.isEmpty)
            }
        }
    }

    func testIntegerParsingMatchesString2ll() {
        XCTAssertEqual(Bytes("0").int64Value, 0)
        XCTAssertEqual(Bytes("-9223372036854775808").int64Value, .min)
        XCTAssertEqual(Bytes("9223372036854775807").int64Value, .max)
        for bad in ["", "-", "+1", " 1", "1 ", "01", "-0", "9223372036854775808", "1e3", "0x10"] {
            XCTAssertNil(Bytes(bad).int64Value, bad)
        }
    }

    func testBytesInlineAndHeapBehaveAlike() {
        let short = Bytes("key:1"), long = Bytes(String(repeating: "x", count: 100))
        XCTAssertEqual(short.count, 5)
        XCTAssertEqual(long.count, 100)
        XCTAssertEqual(MemoryLayout<Bytes>.size, 24)
        XCTAssertTrue(Bytes("a") < Bytes("ab"))
        XCTAssertEqual(Bytes("HeLLo").asciiLowercased(), Bytes("hello"))
        XCTAssertEqual(Bytes(decimal: -1234567890123), Bytes("-1234567890123"))
        XCTAssertEqual(Bytes(decimal: .min), Bytes("-9223372036854775808"))
    }
}
