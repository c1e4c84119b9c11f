import EmberClient
import EmberStore
import XCTest

/// What is particular to the in-process transport.
final class EmbeddedClientTests: XCTestCase {
    func testBlockingCommandsAnswerAsIfTimedOut() async throws {
        let client = EmbeddedClient(engine: Engine())
        let started = ContinuousClock.now
        try await assertEqual(await client.send("BLPOP", "nothing", 5), .null)
        try await assertEqual(await client.send("BZPOPMIN", "nothing", 5), .null)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
        // With data they pop at once, as on the server.
        try await client.rpush("queue", "job")
        try await assertEqual(await client.send("BLPOP", "queue", 5), .array([.bulkString("queue"), .bulkString("job")]))
    }

    func testSessionsShareTheEngineButNotTheirState() async throws {
        let engine = Engine()
        let first = EmbeddedClient(engine: engine, name: "first")
        let second = EmbeddedClient(engine: engine, database: 1)
        try await first.set("k", to: "db0")
        try await assertNil(await second.get("k"))
        try await second.send("SELECT", 0)
        try await assertEqual(await second.get("k", as: String.self), "db0")
        let list = try await first.send(["CLIENT", "LIST"], as: String.self)
        XCTAssertEqual(list.split(separator: "\n").count, 2)
        XCTAssert(list.contains(" name=first "), list)

        // MULTI state is per session.
        try await first.send("MULTI")
        try await assertEqual(await first.send("INCR", "n"), .simpleString("QUEUED"))
        try await assertEqual(await second.send("INCR", "n"), .integer(1))
        try await assertEqual(await first.send("EXEC"), .array([.integer(2)]))
    }

    func testHelloSwitchesTheProtocol() async throws {
        let client = EmbeddedClient(engine: Engine())
        XCTAssertEqual(client.protocolVersion, .resp3)
        try await client.hset("h", field: "f", to: "v")
        try await assertEqual(await client.execute(["HGETALL", "h"]), .map([.bulkString("f"): .bulkString("v")]))
        try await client.send("HELLO", 2)
        XCTAssertEqual(client.protocolVersion, .resp2)
        try await assertEqual(await client.execute(["HGETALL", "h"]), .array([.bulkString("f"), .bulkString("v")]))
        // Decoding is the same either way.
        try await assertEqual(await client.hgetall("h"), [Bytes("f"): Bytes("v")])
    }

    func testRESP3ReplyTypes() async throws {
        let client = EmbeddedClient(engine: Engine())
        try await client.zadd("z", score: 1.25, member: "m")
        try await assertEqual(await client.send("ZSCORE", "z", "m"), .double(1.25))
        try await assertEqual(await client.send("ZSCORE", "z", "nope"), .null)
        try await client.sadd("s", "a")
        try await assertEqual(await client.send("SMEMBERS", "s"), .set([.bulkString("a")]))
        guard case .verbatimString(let format, let text) = try await client.send("CLIENT", "INFO") else {
            return XCTFail("CLIENT INFO is not verbatim")
        }
        XCTAssertEqual(format, "txt")
        XCTAssert(text.string.hasPrefix("id="), text.string)
        try await assertEqual(await client.send("ZRANGE", "z", 0, -1, "WITHSCORES"), .array([.array([.bulkString("m"), .double(1.25)])]))

        let resp2 = EmbeddedClient(engine: client.engine, protocolVersion: .resp2)
        try await assertEqual(await resp2.send("ZSCORE", "z", "m"), .bulkString("1.25"))
        try await assertEqual(await resp2.send("ZRANGE", "z", 0, -1, "WITHSCORES"), .array([.bulkString("m"), .bulkString("1.25")]))
        try await assertEqual(await resp2.send("GET", "missing"), .null)
    }

    func testQuitAndKillEndTheSession() async throws {
        let engine = Engine()
        let client = EmbeddedClient(engine: engine)
        try await assertEqual(await client.send("QUIT"), .simpleString("OK"))
        do {
            _ = try await client.ping()
            XCTFail("a command ran after QUIT")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .connectionClosed)
        }

        let victim = EmbeddedClient(engine: engine)
        let admin = EmbeddedClient(engine: engine)
        let id = try await victim.send(["CLIENT", "ID"], as: Int.self)
        try await assertEqual(await admin.send("CLIENT", "KILL", "ID", id), .integer(1))
        do {
            _ = try await victim.ping()
            XCTFail("a command ran after CLIENT KILL")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .connectionClosed)
        }
        admin.close()
        do {
            _ = try await admin.ping()
            XCTFail("a command ran after close()")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .connectionClosed)
        }
        XCTAssertTrue(engine.lock.withLock { engine.clients.isEmpty })
    }

    func testSuppressedRepliesAndSynchronousUse() throws {
        let client = EmbeddedClient(engine: Engine())
        XCTAssertEqual(try client.executeNow(["CLIENT", "REPLY", "OFF"]), .null)
        XCTAssertEqual(try client.executeNow(["SET", "k", "v"]), .null)
        XCTAssertEqual(try client.executeNow(["CLIENT", "REPLY", "ON"]), .simpleString("OK"))
        XCTAssertEqual(try client.executeNow(["GET", "k"]), .bulkString("v"))
        XCTAssertEqual(try client.executeNow([["INCR", "n"], ["INCR", "k"]]), [
            .integer(1), .error("ERR value is not an integer or out of range"),
        ])
        XCTAssertThrowsError(try client.executeNow(RESPCommand([]))) { error in
            XCTAssertEqual((error as? RedisClientError)?.code, .unsupportedCommand)
        }
    }

    func testProgramsAgainstTheProtocol() async throws {
        // The point of the protocol: code written once, any transport.
        func bump(_ client: some RedisCommandExecutor) async throws -> Int {
            try await client.incrBy("visits", by: 2)
        }
        let clients: [any RedisCommandExecutor] = [EmbeddedClient(engine: Engine()), EmbeddedClient(engine: Engine(), protocolVersion: .resp2)]
        for client in clients {
            try await assertEqual(await bump(client), 2)
        }
    }
}
