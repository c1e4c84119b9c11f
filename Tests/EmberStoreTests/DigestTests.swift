@testable import EmberStore
import EmberRESP
import NIOCore
import XCTest

/// DEBUG DIGEST / DIGEST-VALUE against digests redis-server 7.0.15 printed for the same data,
/// the SHA-1 they rest on, and the other DEBUG subcommands' parsing.
final class DigestTests: XCTestCase {
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

    private func runArgs(_ words: [String]) {
        _ = engine.execute(words.map { Bytes($0) }, client: client)
    }

    private func text(_ reply: Reply) -> String {
        var buffer = ByteBuffer()
        reply.encode(into: &buffer, .resp2)
        return String(buffer: buffer)
    }

    private func digestValue(_ key: String) -> String {
        guard case .array(let items) = run("DEBUG", "DIGEST-VALUE", key), case .simple(let hex)? = items.first else {
            XCTFail("no digest")
            return ""
        }
        return hex
    }

    private func digest() -> String {
        guard case .simple(let hex) = run("DEBUG", "DIGEST") else { XCTFail("no digest"); return "" }
        return hex
    }

    func testSHA1Vectors() {
        let vectors: [(String, String)] = [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
            (String(repeating: "a", count: 55), "c1c8bbdc22796e28c0e15163d20899b65621d65a"),
            (String(repeating: "a", count: 56), "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
            (String(repeating: "a", count: 63), "03f09f5b158a7a8cdad920bddc29b81c18a551f5"),
            (String(repeating: "a", count: 64), "0098ba824b5c16427bd7a1122a5a442a25ec644d"),
            (String(repeating: "a", count: 65), "11655326c708d70319be2610e8a57d9a5b959d3b"),
            (String(repeating: "a", count: 1000), "291e9a6c66994949b57ba5e650361e98fc36b1ba"),
        ]
        for (message, expected) in vectors {
            let bytes = Array(message.utf8)
            XCTAssertEqual(bytes.withUnsafeBytes { SHA1.hash($0) }.hex, expected, "length \(bytes.count)")
            // Fed in pieces, the same.
            var sha = SHA1()
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + 7)
                bytes[offset..<end].withUnsafeBytes { sha.update($0) }
                offset = end
            }
            XCTAssertEqual(sha.finish().hex, expected, "pieces, length \(bytes.count)")
        }
    }

    func testEmptyDataSetIsZeros() {
        XCTAssertEqual(digest(), String(repeating: "0", count: 40))
        XCTAssertEqual(digestValue("missing"), String(repeating: "0", count: 40))
        XCTAssertEqual(text(run("DEBUG", "DIGEST-VALUE")), "*0\r\n")
    }

    /// Values and digests redis-server 7.0.15 gave for the same commands.
    func testDigestsMatchRedis() {
        run("SET", "s", "hello")
        run("PEXPIREAT", "s", "4000000000000")
        run("SET", "n", "123")
        run("RPUSH", "l", "a", "b", "1")
        run("SADD", "si", "1", "2", "3")
        run("SADD", "ss", "x", "y")
        run("ZADD", "z", "0.1", "a", "1", "b", "1e300", "c", "-2.5", "d", "inf", "e")
        runArgs(["ZADD", "zbig"] + (0..<200).flatMap { [formatDouble(Double($0) / 3), "m\($0)"] })
        run("HSET", "h", "f", "v", "g", "1")
        run("SELECT", "3")
        run("SET", "x", "y")
        run("PEXPIREAT", "x", "4000000000000")
        XCTAssertEqual(digestValue("x"), "bb67146283c35b8da65d36f614b8206b0909634f")
        run("SELECT", "0")
        XCTAssertEqual(digestValue("s"), "d037c4eb8a8b36b602fbced4000daeab0714c1e3")
        XCTAssertEqual(digestValue("n"), "89f7f51b707418f666d5b45e053bd5bbbf82ac2b")
        XCTAssertEqual(digestValue("l"), "981fd62c1655c074205cff40b800bd5a5bfdcd41")
        XCTAssertEqual(digestValue("si"), "2a462a3f51a1db89738ebbeef0c47ce1bbc85246")
        XCTAssertEqual(digestValue("ss"), "36846f8a92fb6b6b824c73bf468c5bbcf5075ede")
        XCTAssertEqual(digestValue("z"), "419a7ed166409de99a9abed14c5e33a385d8462a")
        XCTAssertEqual(digestValue("zbig"), "34920daa27f2e00bf42f7d8a4fdd522c6d79508a")
        XCTAssertEqual(digestValue("h"), "6679ee22f89ed8001eeb5309d0900265ea56c03a")
        XCTAssertEqual(digest(), "9640aa3e159de8981520269d8d5b8d74c81d1d8e")
        // Only whether a key has a TTL counts, not when it expires.
        run("PEXPIREAT", "s", "4000000000001")
        XCTAssertEqual(digest(), "9640aa3e159de8981520269d8d5b8d74c81d1d8e")
        run("PERSIST", "s")
        XCTAssertNotEqual(digest(), "9640aa3e159de8981520269d8d5b8d74c81d1d8e")
    }

    func testOrderIndependenceAndEncodings() {
        run("HSET", "h1", "f", "v")
        run("SADD", "s1", "f")
        XCTAssertEqual(digestValue("h1"), "90c76e9e9f4c62d642a34fc97c7dad503b51f906")
        XCTAssertEqual(digestValue("s1"), "f8b3d0d8f0aeafba3a700f02aa5de3d73afa1913")
        // A listpack sorted set stores -0 as 0 (Redis too).
        run("ZADD", "z0", "-0", "a")
        XCTAssertEqual(digestValue("z0"), "8d8d88c2cfb8d9411b8d9973c96538bd6378d446")
        // Sets and hashes: insertion order and encoding do not matter.
        runArgs(["SADD", "a"] + (0..<300).map { "m\($0)" })
        runArgs(["SADD", "b"] + (0..<300).reversed().map { "m\($0)" })
        XCTAssertEqual(digestValue("a"), digestValue("b"))
        // Lists: order matters.
        run("RPUSH", "l1", "x", "y")
        run("RPUSH", "l2", "y", "x")
        XCTAssertNotEqual(digestValue("l1"), digestValue("l2"))
        // An integer-encoded string digests as its text.
        run("SET", "i", "42")
        run("APPEND", "j", "42")
        XCTAssertEqual(digestValue("i"), digestValue("j"))
        // The same data in another database gives another digest.
        let here = digest()
        run("MOVE", "i", "5")
        XCTAssertNotEqual(digest(), here)
    }

    func testSleepConversion() {
        XCTAssertNil(Engine.sleepMicroseconds(Bytes("1e300")))
        XCTAssertNil(Engine.sleepMicroseconds(Bytes("9223372036854775807")))
        XCTAssertNil(Engine.sleepMicroseconds(Bytes("inf")))
        XCTAssertNil(Engine.sleepMicroseconds(Bytes("nan")))
        XCTAssertEqual(Engine.sleepMicroseconds(Bytes("junk")), 0)
        XCTAssertEqual(Engine.sleepMicroseconds(Bytes("-1")), -1_000_000)
        XCTAssertEqual(Engine.sleepMicroseconds(Bytes("0.25")), 250_000)
        XCTAssertEqual(Engine.sleepMicroseconds(Bytes("1e-9")), 0)
        let start = ContinuousClock.now
        for argument in ["1e300", "9223372036854775807", "-1", "junk", "inf", "-0.5", "0"] {
            XCTAssertEqual(text(run("DEBUG", "SLEEP", argument)), "+OK\r\n", argument)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
    }

    func testMemoryValues() {
        XCTAssertEqual(Engine.memoryValue(Bytes("1b")), 1)
        XCTAssertEqual(Engine.memoryValue(Bytes("")), 0)
        XCTAssertEqual(Engine.memoryValue(Bytes("b")), 0)
        XCTAssertEqual(Engine.memoryValue(Bytes("1GB")), 1 << 30)
        XCTAssertEqual(Engine.memoryValue(Bytes("2k")), 2000)
        XCTAssertNil(Engine.memoryValue(Bytes("-1")))
        XCTAssertNil(Engine.memoryValue(Bytes("1.5k")))
        XCTAssertNil(Engine.memoryValue(Bytes(" 1b")))
        XCTAssertEqual(text(run("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "4293918720")), "+OK\r\n")
        XCTAssertEqual(text(run("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "4293918721")),
                       "-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n")
        XCTAssertEqual(text(run("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")), "+OK\r\n")
        XCTAssertEqual(engine.lock.withLock { engine.config.debug.quicklistPackedThreshold }, DebugSettings.defaultQuicklistPackedThreshold)
    }

    func testObjectLineMatchesRedisLayout() {
        // Figures redis-server 7.0.15 printed with rdbcompression no.
        run("RPUSH", "l", "a", "b", "c")
        run("HSET", "h", "a", "1")
        run("SADD", "s", "1", "2")
        run("ZADD", "z", "1", "a")
        run("SET", "n", "12345")
        run("SET", "str", "hello")
        func fields(_ key: String) -> String {
            guard case .simple(let line) = run("DEBUG", "OBJECT", key) else { return "" }
            return line.split(separator: " ").filter { !$0.hasPrefix("at:") && !$0.hasPrefix("lru") }.joined(separator: " ")
        }
        XCTAssertEqual(fields("l"), "Value refcount:1 encoding:quicklist serializedlength:19 ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16")
        XCTAssertEqual(fields("h"), "Value refcount:1 encoding:listpack serializedlength:13")
        XCTAssertEqual(fields("s"), "Value refcount:1 encoding:intset serializedlength:13")
        XCTAssertEqual(fields("z"), "Value refcount:1 encoding:listpack serializedlength:13")
        XCTAssertEqual(fields("n"), "Value refcount:1 encoding:int serializedlength:3")
        XCTAssertEqual(fields("str"), "Value refcount:1 encoding:embstr serializedlength:6")
        XCTAssertEqual(text(run("DEBUG", "OBJECT", "nokey")), "-ERR no such key\r\n")
        // In-place INCR keeps the "address".
        run("SET", "c", "20000")
        let before = text(run("DEBUG", "OBJECT", "c")).split(separator: " ")[1]
        run("INCR", "c")
        XCTAssertEqual(text(run("DEBUG", "OBJECT", "c")).split(separator: " ")[1], before)
        XCTAssertTrue(before.hasPrefix("at:0x"))
    }

    func testHashTableStats() {
        XCTAssertEqual(text(run("DEBUG", "HTSTATS", "1")),
                       "$189\r\n[Dictionary HT]\nHash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n"
                       + "[Expires HT]\nHash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n\r\n")
        XCTAssertEqual(text(run("DEBUG", "HTSTATS", "16")), "-ERR Out of range database\r\n")
        XCTAssertEqual(text(run("DEBUG", "HTSTATS", "x")), "-ERR value is not an integer or out of range\r\n")
        runArgs(["SADD", "big"] + (0..<1000).map { "m\($0)" })
        guard case .verbatim(let stats) = run("DEBUG", "HTSTATS-KEY", "big") else { return XCTFail("no stats") }
        XCTAssertTrue(stats.hasPrefix("Hash table 0 stats (main hash table):\n table size: "), stats)
        XCTAssertTrue(stats.contains(" Chain length distribution:\n"), stats)
        run("SADD", "small", "1")
        XCTAssertEqual(text(run("DEBUG", "HTSTATS-KEY", "small")),
                       "-ERR The value stored at the specified key is not represented using an hash table\r\n")
    }

    func testStringMatchFuzzTerminates() {
        _ = Engine.stringMatchFuzz(cycles: 20000)
    }

    final class Sink: ServerLogSink, @unchecked Sendable {
        var lines: [(LogLevel, String)] = []
        func log(_ level: LogLevel, _ message: String) { lines.append((level, message)) }
    }

    func testLogWritesAtWarningLevel() {
        let sink = Sink()
        engine.logSink = sink
        XCTAssertEqual(text(run("DEBUG", "LOG", "hello world")), "+OK\r\n")
        XCTAssertEqual(sink.lines.first?.0, .warning)
        XCTAssertEqual(sink.lines.first?.1, "DEBUG LOG: hello world")
    }

    func testPopulate() {
        XCTAssertEqual(text(run("DEBUG", "POPULATE", "3", "pp", "12")), "+OK\r\n")
        XCTAssertEqual(text(run("GET", "pp:1")), "$12\r\nvalue:1\0\0\0\0\0\r\n")
        XCTAssertEqual(text(run("DEBUG", "POPULATE", "2", "pp", "3")), "+OK\r\n")
        XCTAssertEqual(text(run("GET", "pp:0")), "$12\r\nvalue:0\0\0\0\0\0\r\n")
        XCTAssertEqual(text(run("DEBUG", "POPULATE", "1", "q", "3")), "+OK\r\n")
        XCTAssertEqual(text(run("GET", "q:0")), "$3\r\nval\r\n")
        XCTAssertEqual(text(run("DEBUG", "POPULATE", "-1")), "-ERR value is out of range, must be positive\r\n")
        XCTAssertEqual(text(run("DBSIZE")), ":4\r\n")
    }
}
