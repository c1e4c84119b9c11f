@testable import EmberStore
import EmberRESP
import NIOCore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Drives the engine the way a connection does, with the reply encoded as RESP2 text.
final class CommandTests: XCTestCase {
    private var engine: Engine!
    private var client: ClientState!

    override func setUp() {
        var config = EngineConfiguration()
        config.enableDebugCommand = "yes"
        engine = Engine(configuration: config)
        client = engine.lock.withLock { engine.makeClient() }
    }

    @discardableResult
    private func run(_ words: String...) -> Reply {
        engine.execute(words.map { Bytes($0) }, client: client)
    }

    private func text(_ reply: Reply) -> String {
        var buffer = ByteBuffer()
        reply.encode(into: &buffer, .resp2)
        return String(buffer: buffer)
    }

    private func assertReply(_ expected: String, _ words: String..., file: StaticString = #filePath, line: UInt = #line) {
        let reply = engine.execute(words.map { Bytes($0) }, client: client)
        XCTAssertEqual(text(reply), expected, words.joined(separator: " "), file: file, line: line)
    }

    func testStrings() {
        assertReply("+OK\r\n", "SET", "k", "v")
        assertReply("$1\r\nv\r\n", "GET", "k")
        assertReply("$-1\r\n", "SET", "k", "w", "NX")
        assertReply("$1\r\nv\r\n", "SET", "k", "w", "GET")
        assertReply("-ERR syntax error\r\n", "SET", "k", "v", "NX", "XX")
        assertReply("-ERR syntax error\r\n", "SET", "k", "v", "EX", "10", "PX", "10")
        assertReply("-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "EX", "0")
        assertReply("-ERR value is not an integer or out of range\r\n", "SET", "k", "v", "EX", "x")
        assertReply(":1\r\n", "SETNX", "n", "1")
        assertReply(":11\r\n", "INCRBY", "n", "10")
        assertReply("-ERR increment or decrement would overflow\r\n", "INCRBY", "n", "9223372036854775807")
        assertReply("-ERR value is not an integer or out of range\r\n", "INCR", "k")
        assertReply("$4\r\n11.5\r\n", "INCRBYFLOAT", "n", "0.5")
        assertReply("$4\r\n3000\r\n", "INCRBYFLOAT", "f", "3.0e3")
        assertReply("-ERR value is not a valid float\r\n", "INCRBYFLOAT", "f", "abc")
        assertReply(":5\r\n", "APPEND", "s", "hello")
        assertReply("$3\r\nell\r\n", "GETRANGE", "s", "1", "-2")
        assertReply("$0\r\n\r\n", "GETRANGE", "s", "-1", "-5")
        assertReply(":11\r\n", "SETRANGE", "s", "6", "world")
        assertReply("$11\r\nhello\0world\r\n", "GET", "s")
        assertReply("-ERR offset is out of range\r\n", "SETRANGE", "s", "-1", "x")
        assertReply("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "SETRANGE", "s", "536870911", "xx")
        assertReply("*3\r\n$1\r\nw\r\n$-1\r\n$11\r\nhello\0world\r\n", "MGET", "k", "missing", "s")
        assertReply("-ERR wrong number of arguments for 'mset' command\r\n", "MSET", "a", "1", "b")
        assertReply(":0\r\n", "MSETNX", "a", "1", "k", "2")
        assertReply("$0\r\n\r\n", "LCS", "missing", "missing2")
    }

    func testLCS() {
        run("MSET", "key1", "ohmytext", "key2", "mynewtext")
        assertReply("$6\r\nmytext\r\n", "LCS", "key1", "key2")
        assertReply(":6\r\n", "LCS", "key1", "key2", "LEN")
        assertReply("*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n",
                    "LCS", "key1", "key2", "IDX")
        assertReply("*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n",
                    "LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")
    }

    func testKeysAndExpiry() {
        run("SET", "a", "1")
        assertReply(":-1\r\n", "TTL", "a")
        assertReply(":-2\r\n", "TTL", "missing")
        assertReply(":1\r\n", "EXPIRE", "a", "100")
        assertReply(":0\r\n", "EXPIRE", "a", "50", "GT")
        assertReply(":1\r\n", "EXPIRE", "a", "50", "LT")
        assertReply(":50\r\n", "TTL", "a")
        assertReply("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", "EXPIRE", "a", "5", "NX", "XX")
        assertReply("-ERR Unsupported option foo\r\n", "EXPIRE", "a", "5", "foo")
        assertReply(":1\r\n", "PERSIST", "a")
        assertReply(":1\r\n", "PEXPIRE", "a", "-1")
        assertReply(":0\r\n", "EXISTS", "a")
        run("SET", "b", "x", "PX", "1")
        usleep(5000)
        assertReply("$-1\r\n", "GET", "b")
        assertReply("-ERR no such key\r\n", "RENAME", "nope", "x")
        run("SET", "c", "1")
        assertReply("+OK\r\n", "RENAME", "c", "d")
        assertReply("+string\r\n", "TYPE", "d")
        assertReply("+none\r\n", "TYPE", "c")
        assertReply(":1\r\n", "MOVE", "d", "1")
        assertReply("-ERR DB index is out of range\r\n", "MOVE", "d", "16")
        assertReply("-ERR source and destination objects are the same\r\n", "MOVE", "d", "0")
        assertReply("+OK\r\n", "SELECT", "1")
        assertReply(":1\r\n", "COPY", "d", "e")
        assertReply(":2\r\n", "DBSIZE")
        assertReply("+OK\r\n", "SWAPDB", "0", "1")
        assertReply(":0\r\n", "DBSIZE")
        assertReply("-ERR invalid first DB index\r\n", "SWAPDB", "x", "1")
    }

    func testScanAndKeysVisitEverything() {
        run("DEBUG", "POPULATE", "5000")
        var cursor = "0"
        var seen = Set<String>()
        repeat {
            guard case .array(let parts) = run("SCAN", cursor, "COUNT", "100"),
                  case .bulk(let next) = parts[0], case .array(let keys) = parts[1] else { return XCTFail("bad reply") }
            for case .bulk(let key) in keys { seen.insert(key.string) }
            cursor = next.string
        } while cursor != "0"
        XCTAssertEqual(seen.count, 5000)
        guard case .array(let matched) = run("KEYS", "key:1?") else { return XCTFail() }
        XCTAssertEqual(matched.count, 10)
        assertReply("-ERR invalid cursor\r\n", "SCAN", "x")
        assertReply("-ERR syntax error\r\n", "SCAN", "0", "COUNT", "0")
    }

    func testObjectEncodings() {
        run("SET", "i", "123")
        run("SET", "e", "hello")
        run("SET", "r", String(repeating: "x", count: 45))
        run("SET", "a", "x")
        run("APPEND", "a", "y")
        assertReply("$3\r\nint\r\n", "OBJECT", "ENCODING", "i")
        assertReply("$6\r\nembstr\r\n", "OBJECT", "ENCODING", "e")
        assertReply("$3\r\nraw\r\n", "OBJECT", "ENCODING", "r")
        assertReply("$3\r\nraw\r\n", "OBJECT", "ENCODING", "a")
        assertReply(":2147483647\r\n", "OBJECT", "REFCOUNT", "i")
        assertReply("-ERR unknown subcommand 'nope'. Try OBJECT HELP.\r\n", "OBJECT", "nope", "x")
    }

    func testDispatchErrors() {
        assertReply("-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n", "foo", "a", "b")
        assertReply("-ERR wrong number of arguments for 'get' command\r\n", "GET")
        assertReply("-ERR wrong number of arguments for 'object|encoding' command\r\n", "OBJECT", "ENCODING")
    }

    func testAuthentication() {
        var config = EngineConfiguration()
        config.requirePass = Bytes("secret")
        engine = Engine(configuration: config)
        client = engine.lock.withLock { engine.makeClient() }
        assertReply("-NOAUTH Authentication required.\r\n", "GET", "a")
        assertReply("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "nope")
        assertReply("+OK\r\n", "AUTH", "secret")
        assertReply("$-1\r\n", "GET", "a")
    }

    func testActiveExpiryRemovesKeysWithoutAccess() {
        for i in 0..<1000 { run("SET", "t:\(i)", "v", "PX", "1") }
        run("SET", "keep", "v")
        usleep(5000)
        for _ in 0..<50 where engine.databases[0].count > 1 { engine.cron() }
        XCTAssertEqual(engine.databases[0].count, 1)
        XCTAssertEqual(engine.stats.expiredKeys, 1000)
    }
}
