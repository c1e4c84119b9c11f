import EmberClient
import EmberRESP
import EmberStore
import XCTest

/// The transports a behaviour test runs against.
enum Transport: Sendable {
    /// `EmbeddedClient` on a fresh in-process engine.
    case embedded
    /// `RedisConnection` to a `redis-server` started for the test.
    case redis
    /// `RedisConnection` to this repo's `ember-server` (skipped when not built).
    case ember
}

/// The same cases against every transport and protocol: each subclass below picks one and
/// runs every `verify...` case as a test of its own. (XCTest on Linux discovers only test
/// methods declared in the class itself, hence the one-line forwarders.)
class ClientBehaviourTests: XCTestCase {
    class var transport: Transport? { nil }  // set by every subclass
    class var protocolVersion: RESPVersion { .resp3 }

    private var server: ServerProcess?
    private var connection: RedisConnection?
    private var embedded: EmbeddedClient?
    /// The client under test.
    var client: any RedisCommandExecutor {
        if let connection { return connection }
        return embedded!
    }

    var resp3: Bool { Self.protocolVersion == .resp3 }

    override func setUp() async throws {
        let transport = Self.transport!
        switch transport {
        case .embedded:
            embedded = EmbeddedClient(engine: Engine(), protocolVersion: Self.protocolVersion)
        case .redis, .ember:
            let server = try await ServerProcess.start(transport == .redis ? .redis : .ember)
            self.server = server
            let connection = try await RedisConnection.connect(configuration: server.configuration(protocolVersion: Self.protocolVersion))
            self.connection = connection
            XCTAssertEqual(connection.protocolVersion, Self.protocolVersion)
        }
    }

    override func tearDown() async throws {
        try? await connection?.close()
        connection = nil
        embedded?.close()
        embedded = nil
        server?.kill()
        server = nil
    }

    // MARK: - Strings

    func verifyGetAndSet() async throws {
        try await assertNil(await client.get("missing"))
        try await assertTrue(await client.set("greeting", to: "hello"))
        try await assertEqual(await client.get("greeting"), Bytes("hello"))
        try await assertEqual(await client.get("greeting", as: String.self), "hello")

        // Binary-safe, inline and heap sized values.
        let binary = Bytes([0, 13, 10, 255, 36, 42, 0])
        try await client.set(Bytes("bin\r\nkey"), to: binary)
        try await assertEqual(await client.get(Bytes("bin\r\nkey")), binary)
        let large = Bytes([UInt8](repeating: 120, count: 200_000))
        try await client.set("large", to: large)
        try await assertEqual(await client.get("large"), large)

        // Numbers as values.
        try await client.set("number", to: 42)
        try await assertEqual(await client.get("number", as: Int.self), 42)
        try await client.set("float", to: 2.5)
        try await assertEqual(await client.get("float", as: Double.self), 2.5)
    }

    func verifySetOptions() async throws {
        try await assertTrue(await client.set("k", to: "1", options: .init(condition: .ifNotExists)))
        try await assertFalse(await client.set("k", to: "2", options: .init(condition: .ifNotExists)))
        try await assertEqual(await client.get("k", as: String.self), "1")
        try await assertFalse(await client.set("absent", to: "x", options: .init(condition: .ifExists)))
        try await assertNil(await client.get("absent"))
        try await assertTrue(await client.set("k", to: "3", options: .init(expiration: .seconds(100), condition: .ifExists)))
        guard case .expires(let ttl) = try await client.ttl("k") else { return XCTFail("no ttl") }
        XCTAssert(ttl > .seconds(90) && ttl <= .seconds(100), "\(ttl)")

        try await client.set("p", to: "v", options: .init(expiration: .milliseconds(50_000)))
        guard case .expires(let pttl) = try await client.pttl("p") else { return XCTFail("no pttl") }
        XCTAssert(pttl > .seconds(40) && pttl <= .milliseconds(50_000), "\(pttl)")

        try await client.set("p", to: "w", options: .init(expiration: .keepTTL))
        guard case .expires = try await client.pttl("p") else { return XCTFail("KEEPTTL lost the ttl") }
        try await client.set("p", to: "z", options: .init(expiration: .after(.milliseconds(1500))))
        guard case .expires(let kept) = try await client.pttl("p") else { return XCTFail("no ttl") }
        XCTAssert(kept <= .milliseconds(1500), "\(kept)")
        try await client.set("q", to: "v", options: .init(expiration: .unixTimeSeconds(4_000_000_000)))
        guard case .expires = try await client.ttl("q") else { return XCTFail("EXAT set no ttl") }
    }

    func verifyMgetAndMset() async throws {
        try await client.mset([("a", "1"), ("b", "2")])
        try await client.mset(["c": "3"])
        try await assertEqual(await client.mget("a", "missing", "b", "c"), [Bytes("1"), nil, Bytes("2"), Bytes("3")])
        try await assertEqual(await client.mget(["a", "b"], as: Int.self), [1, 2])
        try await assertEqual(await client.mget([Bytes("nope")]), [nil])
    }

    func verifyCounters() async throws {
        try await assertEqual(await client.incr("counter"), 1)
        try await assertEqual(await client.incrBy("counter", by: 41), 42)
        try await assertEqual(await client.decr("counter"), 41)
        try await assertEqual(await client.decrBy("counter", by: 50), -9)
        try await client.set("text", to: "abc")
        do {
            try await client.incr("text")
            XCTFail("INCR of text succeeded")
        } catch let error as RedisServerError {
            XCTAssertEqual(error.code, .err)
            XCTAssertEqual(error.message, "ERR value is not an integer or out of range")
            XCTAssertEqual(error.details, "value is not an integer or out of range")
        }
    }

    // MARK: - Keys

    func verifyKeys() async throws {
        try await client.mset([("k1", "v"), ("k2", "v"), ("k3", "v")])
        try await assertEqual(await client.exists("k1", "k2", "nope", "k1"), 3)
        try await assertEqual(await client.exists(["k3"]), 1)
        try await assertEqual(await client.del("k1", "nope"), 1)
        try await assertEqual(await client.del(["k2", "k3"]), 2)
        try await assertEqual(await client.exists("k1", "k2", "k3"), 0)

        try await assertEqual(await client.ttl("nope"), .keyNotFound)
        try await client.set("k", to: "v")
        try await assertEqual(await client.ttl("k"), .noExpiration)
        try await assertTrue(await client.expire("k", seconds: 100))
        try await assertFalse(await client.expire("k", seconds: 200, condition: .ifNoExpiration))
        try await assertTrue(await client.expire("k", seconds: 300, condition: .ifGreater))
        guard case .expires(let ttl) = try await client.ttl("k") else { return XCTFail("no ttl") }
        XCTAssert(ttl > .seconds(290), "\(ttl)")
        try await assertFalse(await client.expire("nope", seconds: 10))
        try await assertTrue(await client.pexpire("k", milliseconds: 100_000))
        try await assertTrue(await client.persist("k"))
        try await assertEqual(await client.ttl("k"), .noExpiration)
        try await assertEqual(await client.type("k"), "string")
        try await assertEqual(await client.type("nope"), "none")
        try await assertEqual(await client.ping(), "PONG")
    }

    // MARK: - Collections

    func verifyHashes() async throws {
        try await assertTrue(await client.hset("user", field: "name", to: "Ada"))
        try await assertFalse(await client.hset("user", field: "name", to: "Ada L."))
        try await assertEqual(await client.hset("user", fields: [("born", 1815), ("lang", "en")]), 2)
        try await assertEqual(await client.hset("user", fields: ["city": "London"]), 1)
        try await assertEqual(await client.hget("user", field: "name", as: String.self), "Ada L.")
        try await assertEqual(await client.hget("user", field: "born", as: Int.self), 1815)
        try await assertNil(await client.hget("user", field: "missing"))
        try await assertNil(await client.hget("nouser", field: "name"))
        try await assertEqual(await client.hgetall("user"), [
            Bytes("name"): Bytes("Ada L."), Bytes("born"): Bytes("1815"), Bytes("lang"): Bytes("en"), Bytes("city"): Bytes("London"),
        ])
        try await assertEqual(await client.hgetall("user", as: String.self)["city"], "London")
        try await assertEqual(await client.hgetall("nouser"), [:])
        try await assertEqual(await client.hdel("user", fields: ["lang", "nope"]), 1)

        let raw = try await client.execute(["HGETALL", "user"])
        if resp3 {
            guard case .map(let map) = raw else { return XCTFail("RESP3 HGETALL is not a map: \(raw)") }
            XCTAssertEqual(map[.bulkString("born")], .bulkString("1815"))
        } else {
            guard case .array(let flat) = raw else { return XCTFail("RESP2 HGETALL is not an array: \(raw)") }
            XCTAssertEqual(flat.count, 6)
        }
    }

    func verifyLists() async throws {
        try await assertEqual(await client.rpush("list", "b", "c"), 2)
        try await assertEqual(await client.lpush("list", ["a"]), 3)
        try await assertEqual(await client.rpush("list", [Bytes("d"), Bytes("e")]), 5)
        try await assertEqual(await client.lpush("list", "z"), 6)
        try await assertEqual(await client.lrange("list", start: 0, stop: -1, as: String.self), ["z", "a", "b", "c", "d", "e"])
        try await assertEqual(await client.lpop("list"), Bytes("z"))
        try await assertEqual(await client.lpop("list", count: 2), [Bytes("a"), Bytes("b")])
        try await assertEqual(await client.rpop("list"), Bytes("e"))
        try await assertEqual(await client.lrange("list", start: 0, stop: 10), [Bytes("c"), Bytes("d")])
        try await assertEqual(await client.llen("list"), 2)
        try await assertNil(await client.lpop("nolist"))
        try await assertEqual(await client.lpop("nolist", count: 3), [])
        try await assertEqual(await client.lrange("nolist", start: 0, stop: -1), [])
    }

    func verifySets() async throws {
        try await assertEqual(await client.sadd("set", "a", "b", "a"), 2)
        try await assertEqual(await client.sadd("set", ["b", "c"]), 1)
        try await assertEqual(await client.smembers("set"), [Bytes("a"), Bytes("b"), Bytes("c")])
        try await assertEqual(await client.smembers("set", as: String.self), ["a", "b", "c"])
        try await assertTrue(await client.sismember("set", "b"))
        try await assertFalse(await client.sismember("set", "z"))
        try await assertEqual(await client.scard("set"), 3)
        try await assertEqual(await client.smembers("noset"), [])
        try await client.sadd("ints", 1, 2, 3)
        try await assertEqual(await client.smembers("ints", as: Int.self), [1, 2, 3])

        let raw = try await client.execute(["SMEMBERS", "set"])
        if resp3 {
            guard case .set(let members) = raw else { return XCTFail("RESP3 SMEMBERS is not a set: \(raw)") }
            XCTAssertEqual(members.count, 3)
        } else {
            guard case .array(let members) = raw else { return XCTFail("RESP2 SMEMBERS is not an array: \(raw)") }
            XCTAssertEqual(members.count, 3)
        }
    }

    func verifySortedSets() async throws {
        try await assertEqual(await client.zadd("z", [(score: 2, member: "two"), (score: 1.5, member: "one"), (score: -3, member: "neg")]), 3)
        try await assertEqual(await client.zadd("z", score: 10, member: "one", options: .init(condition: .ifNotExists)), 0)
        try await assertEqual(await client.zadd("z", score: 1, member: "two", options: .init(comparison: .greaterThan, returnChanged: true)), 0)
        try await assertEqual(await client.zadd("z", score: 3, member: "two", options: .init(comparison: .greaterThan, returnChanged: true)), 1)
        try await assertEqual(await client.zrange("z", start: 0, stop: -1), [Bytes("neg"), Bytes("one"), Bytes("two")])
        try await assertEqual(await client.zrangeWithScores("z", start: 0, stop: 1), [
            SortedSetEntry(member: Bytes("neg"), score: -3), SortedSetEntry(member: Bytes("one"), score: 1.5),
        ])
        try await assertEqual(await client.zscore("z", member: "two"), 3)
        try await assertNil(await client.zscore("z", member: "nope"))
        try await assertEqual(await client.zcard("z"), 3)
        try await assertEqual(await client.zrangeWithScores("noz", start: 0, stop: -1), [])
        try await client.zadd("z", score: 0.1, member: "tenth")
        try await assertEqual(await client.zscore("z", member: "tenth"), 0.1)

        let raw = try await client.execute(["ZSCORE", "z", "one"])
        XCTAssertEqual(raw, resp3 ? .double(1.5) : .bulkString("1.5"))
    }

    // MARK: - Errors, pipelines, escape hatch

    func verifyWrongTypeErrorIsTypedAndPreserved() async throws {
        try await client.lpush("list", "x")
        do {
            _ = try await client.get("list")
            XCTFail("GET of a list succeeded")
        } catch let error as RedisServerError {
            XCTAssertEqual(error.code, .wrongType)
            XCTAssertEqual(error.message, "WRONGTYPE Operation against a key holding the wrong kind of value")
        }
        do {
            try await client.send("NOSUCHCOMMAND", "arg")
            XCTFail("an unknown command succeeded")
        } catch let error as RedisServerError {
            XCTAssertEqual(error.code, .err)
            XCTAssertEqual(error.message, "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'arg' ")
        }
        do {
            try await client.send("GET")
            XCTFail("GET without a key succeeded")
        } catch let error as RedisServerError {
            XCTAssertEqual(error.message, "ERR wrong number of arguments for 'get' command")
        }
        // A typed command on a reply of the wrong shape: a client-side error.
        do {
            _ = try await client.execute(["PING"], as: Int.self)
            XCTFail("PONG decoded as an integer")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .unexpectedReply)
        }
    }

    func verifyPipeline() async throws {
        try await client.set("text", to: "abc")
        let results = try await client.pipeline([
            ["SET", "a", "1"],
            ["INCR", "a"],
            ["INCR", "text"],
            ["GET", "a"],
            ["GET", "missing"],
        ])
        XCTAssertEqual(results.count, 5)
        XCTAssertEqual(try results[0].get(), .simpleString("OK"))
        XCTAssertEqual(try results[1].get(), .integer(2))
        XCTAssertThrowsError(try results[2].get()) { error in
            XCTAssertEqual((error as? RedisServerError)?.code, .err)
        }
        XCTAssertEqual(try results[3].get(), .bulkString("2"))
        XCTAssertEqual(try results[4].get(), .null)
        let empty = try await client.pipeline([])
        XCTAssertTrue(empty.isEmpty)
    }

    func verifySendEscapeHatch() async throws {
        try await assertEqual(await client.send("ECHO", "hi"), .bulkString("hi"))
        try await assertEqual(await client.send(["SET", "n", 7]), .simpleString("OK"))
        try await assertEqual(await client.send(["DBSIZE"], as: Int.self), 1)
        try await assertEqual(await client.execute(RESPCommand("STRLEN", "n"), as: Int.self), 1)
        let hello = try await client.send("HELLO")
        let fields = try [String: RESPValue](fromRESP: hello)
        XCTAssertEqual(fields["proto"], .integer(resp3 ? 3 : 2))
        XCTAssertEqual(fields["version"], .bulkString("7.0.15"))
    }

    func verifyMultiExec() async throws {
        // One connection (or session): MULTI state is per client.
        try await assertEqual(await client.send("MULTI"), .simpleString("OK"))
        try await assertEqual(await client.send("SET", "t", "1"), .simpleString("QUEUED"))
        try await assertEqual(await client.send("INCR", "t"), .simpleString("QUEUED"))
        try await assertEqual(await client.send("LPUSH", "t", "x"), .simpleString("QUEUED"))
        let exec = try await client.send("EXEC")
        guard case .array(let replies) = exec, replies.count == 3 else { return XCTFail("EXEC: \(exec)") }
        XCTAssertEqual(replies[0], .simpleString("OK"))
        XCTAssertEqual(replies[1], .integer(2))
        // Errors inside EXEC's array stay values.
        XCTAssertEqual(replies[2], .error("WRONGTYPE Operation against a key holding the wrong kind of value"))
    }

    func verifyConcurrentCallers() async throws {
        let client = self.client
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await client.incr("shared")
                    try await client.set("key:\(index)", to: index)
                    let value = try await client.get("key:\(index)", as: Int.self)
                    XCTAssertEqual(value, index)
                }
            }
            try await group.waitForAll()
        }
        try await assertEqual(await client.get("shared", as: Int.self), 200)
    }
}

// MARK: - The transports

final class EmbeddedRESP3Tests: ClientBehaviourTests {
    override class var transport: Transport? { .embedded }

    func testGetAndSet() async throws { try await verifyGetAndSet() }
    func testSetOptions() async throws { try await verifySetOptions() }
    func testMgetAndMset() async throws { try await verifyMgetAndMset() }
    func testCounters() async throws { try await verifyCounters() }
    func testKeys() async throws { try await verifyKeys() }
    func testHashes() async throws { try await verifyHashes() }
    func testLists() async throws { try await verifyLists() }
    func testSets() async throws { try await verifySets() }
    func testSortedSets() async throws { try await verifySortedSets() }
    func testWrongTypeErrorIsTypedAndPreserved() async throws { try await verifyWrongTypeErrorIsTypedAndPreserved() }
    func testPipeline() async throws { try await verifyPipeline() }
    func testSendEscapeHatch() async throws { try await verifySendEscapeHatch() }
    func testMultiExec() async throws { try await verifyMultiExec() }
    func testConcurrentCallers() async throws { try await verifyConcurrentCallers() }
}

final class EmbeddedRESP2Tests: ClientBehaviourTests {
    override class var transport: Transport? { .embedded }
    override class var protocolVersion: RESPVersion { .resp2 }

    func testGetAndSet() async throws { try await verifyGetAndSet() }
    func testSetOptions() async throws { try await verifySetOptions() }
    func testMgetAndMset() async throws { try await verifyMgetAndMset() }
    func testCounters() async throws { try await verifyCounters() }
    func testKeys() async throws { try await verifyKeys() }
    func testHashes() async throws { try await verifyHashes() }
    func testLists() async throws { try await verifyLists() }
    func testSets() async throws { try await verifySets() }
    func testSortedSets() async throws { try await verifySortedSets() }
    func testWrongTypeErrorIsTypedAndPreserved() async throws { try await verifyWrongTypeErrorIsTypedAndPreserved() }
    func testPipeline() async throws { try await verifyPipeline() }
    func testSendEscapeHatch() async throws { try await verifySendEscapeHatch() }
    func testMultiExec() async throws { try await verifyMultiExec() }
    func testConcurrentCallers() async throws { try await verifyConcurrentCallers() }
}

final class RedisServerRESP3Tests: ClientBehaviourTests {
    override class var transport: Transport? { .redis }

    func testGetAndSet() async throws { try await verifyGetAndSet() }
    func testSetOptions() async throws { try await verifySetOptions() }
    func testMgetAndMset() async throws { try await verifyMgetAndMset() }
    func testCounters() async throws { try await verifyCounters() }
    func testKeys() async throws { try await verifyKeys() }
    func testHashes() async throws { try await verifyHashes() }
    func testLists() async throws { try await verifyLists() }
    func testSets() async throws { try await verifySets() }
    func testSortedSets() async throws { try await verifySortedSets() }
    func testWrongTypeErrorIsTypedAndPreserved() async throws { try await verifyWrongTypeErrorIsTypedAndPreserved() }
    func testPipeline() async throws { try await verifyPipeline() }
    func testSendEscapeHatch() async throws { try await verifySendEscapeHatch() }
    func testMultiExec() async throws { try await verifyMultiExec() }
    func testConcurrentCallers() async throws { try await verifyConcurrentCallers() }
}

final class RedisServerRESP2Tests: ClientBehaviourTests {
    override class var transport: Transport? { .redis }
    override class var protocolVersion: RESPVersion { .resp2 }

    func testGetAndSet() async throws { try await verifyGetAndSet() }
    func testSetOptions() async throws { try await verifySetOptions() }
    func testMgetAndMset() async throws { try await verifyMgetAndMset() }
    func testCounters() async throws { try await verifyCounters() }
    func testKeys() async throws { try await verifyKeys() }
    func testHashes() async throws { try await verifyHashes() }
    func testLists() async throws { try await verifyLists() }
    func testSets() async throws { try await verifySets() }
    func testSortedSets() async throws { try await verifySortedSets() }
    func testWrongTypeErrorIsTypedAndPreserved() async throws { try await verifyWrongTypeErrorIsTypedAndPreserved() }
    func testPipeline() async throws { try await verifyPipeline() }
    func testSendEscapeHatch() async throws { try await verifySendEscapeHatch() }
    func testMultiExec() async throws { try await verifyMultiExec() }
    func testConcurrentCallers() async throws { try await verifyConcurrentCallers() }
}

final class EmberServerRESP3Tests: ClientBehaviourTests {
    override class var transport: Transport? { .ember }

    func testGetAndSet() async throws { try await verifyGetAndSet() }
    func testSetOptions() async throws { try await verifySetOptions() }
    func testMgetAndMset() async throws { try await verifyMgetAndMset() }
    func testCounters() async throws { try await verifyCounters() }
    func testKeys() async throws { try await verifyKeys() }
    func testHashes() async throws { try await verifyHashes() }
    func testLists() async throws { try await verifyLists() }
    func testSets() async throws { try await verifySets() }
    func testSortedSets() async throws { try await verifySortedSets() }
    func testWrongTypeErrorIsTypedAndPreserved() async throws { try await verifyWrongTypeErrorIsTypedAndPreserved() }
    func testPipeline() async throws { try await verifyPipeline() }
    func testSendEscapeHatch() async throws { try await verifySendEscapeHatch() }
    func testMultiExec() async throws { try await verifyMultiExec() }
    func testConcurrentCallers() async throws { try await verifyConcurrentCallers() }
}

final class EmberServerRESP2Tests: ClientBehaviourTests {
    override class var transport: Transport? { .ember }
    override class var protocolVersion: RESPVersion { .resp2 }

    func testGetAndSet() async throws { try await verifyGetAndSet() }
    func testSetOptions() async throws { try await verifySetOptions() }
    func testMgetAndMset() async throws { try await verifyMgetAndMset() }
    func testCounters() async throws { try await verifyCounters() }
    func testKeys() async throws { try await verifyKeys() }
    func testHashes() async throws { try await verifyHashes() }
    func testLists() async throws { try await verifyLists() }
    func testSets() async throws { try await verifySets() }
    func testSortedSets() async throws { try await verifySortedSets() }
    func testWrongTypeErrorIsTypedAndPreserved() async throws { try await verifyWrongTypeErrorIsTypedAndPreserved() }
    func testPipeline() async throws { try await verifyPipeline() }
    func testSendEscapeHatch() async throws { try await verifySendEscapeHatch() }
    func testMultiExec() async throws { try await verifyMultiExec() }
    func testConcurrentCallers() async throws { try await verifyConcurrentCallers() }
}
