import EmberClient
import Dispatch
import NIOCore
import XCTest

/// The socket transport's own behaviour: handshake, pipelining, timeouts, failures, the pool.
final class ConnectionTests: ServerTestCase {
    private var connections: [RedisConnection] = []

    override func tearDown() async throws {
        for connection in connections { try? await connection.close() }
        connections = []
        try await super.tearDown()
    }

    private func connect(_ configuration: RedisConnectionConfiguration) async throws -> RedisConnection {
        let connection = try await RedisConnection.connect(configuration: configuration)
        connections.append(connection)
        return connection
    }

    // MARK: - Automatic pipelining

    func testAutomaticPipeliningAgainstRedis() async throws {
        try await checkAutomaticPipelining(.redis)
    }

    func testAutomaticPipeliningAgainstEmber() async throws {
        try await checkAutomaticPipelining(.ember)
    }

    /// 1000 concurrent GETs from a task group on one connection: every caller gets its own
    /// value, and commands queued while the event loop is busy share one write.
    ///
    /// The loop is held until all 1000 are queued (a condition, not a clock), so the batching
    /// is checked exactly whatever else loads the machine; then an unheld run shows the
    /// batching under real scheduling (printed, since it depends on how the cores are shared).
    private func checkAutomaticPipelining(_ kind: ServerProcess.Kind) async throws {
        let server = try await startServer(kind)
        let connection = try await connect(server.configuration())
        let count = 1000
        try await connection.mset((0..<count).map { ("key:\($0)", "value:\($0)") })

        let release = DispatchSemaphore(value: 0)
        let before = connection.statistics
        let held = connection.eventLoop.submit { release.wait() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    let value = try await connection.get("key:\(index)", as: String.self)
                    XCTAssertEqual(value, "value:\(index)")
                }
            }
            try await withTimeLimit(.seconds(20)) {
                while connection.inFlight < count { try await Task.sleep(for: .milliseconds(2)) }
            }
            release.signal()
            try await group.waitForAll()
        }
        try await held.get()
        let after = connection.statistics
        XCTAssertEqual(after.commands - before.commands, count)
        XCTAssertEqual(after.inFlight, 0)
        XCTAssertEqual(after.flushes - before.flushes, 1, "\(count) GETs queued together were not one write")

        let unheld = connection.statistics
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask { _ = try await connection.get("key:\(index)") }
            }
            try await group.waitForAll()
        }
        let flushes = connection.statistics.flushes - unheld.flushes
        XCTAssertLessThan(flushes, count, "no two concurrent GETs shared a write")
        print("automatic pipelining (\(kind)): \(count) concurrent GETs in \(flushes) writes")
    }

    /// A reply of 200,000 elements (about 3 MB, many reads) arrives whole and in order.
    func testLargeReplies() async throws {
        for kind in [ServerProcess.Kind.redis, .ember] {
            let server = try await startServer(kind)
            let connection = try await connect(server.configuration())
            for batch in 0..<20 {
                var command: RESPCommand = ["RPUSH", "big"]
                command.append(contentsOf: (0..<10_000).map { "item-\(batch * 10_000 + $0)" })
                try await connection.execute(command)
            }
            let clock = ContinuousClock()
            let start = clock.now
            let items = try await connection.send(["LRANGE", "big", 0, -1], as: [String].self)
            print("LRANGE of 200,000 elements (\(kind)): \(clock.now - start)")
            XCTAssertEqual(items.count, 200_000)
            XCTAssertEqual(items.first, "item-0")
            XCTAssertEqual(items.last, "item-199999")
        }
    }

    func testExplicitPipelineIsOneWrite() async throws {
        let server = try await startServer()
        let connection = try await connect(server.configuration())
        let before = connection.statistics.flushes
        let results = try await connection.pipeline((0..<100).map { _ in RESPCommand("INCR", "counter") })
        XCTAssertEqual(try results.map { try $0.get() }, (1...100).map { RESPValue.integer(Int64($0)) })
        XCTAssertEqual(connection.statistics.flushes - before, 1)
    }

    // MARK: - Handshake

    func testHelloRefusedFallsBackToRESP2WithAuthNameAndDatabase() async throws {
        // With HELLO renamed away, the server answers it as an unknown command (as Redis 5 did).
        let server = try await startServer(arguments: ["--rename-command", "HELLO", "\"\"", "--requirepass", "s3cret"])
        var configuration = server.configuration()
        configuration.password = "s3cret"
        configuration.clientName = "fallback"
        configuration.database = 2
        let connection = try await connect(configuration)
        XCTAssertEqual(connection.protocolVersion, .resp2)
        XCTAssertNil(connection.serverHello)
        try await assertEqual(await connection.send(["CLIENT", "GETNAME"], as: String.self), "fallback")
        let info = try await connection.send(["CLIENT", "INFO"], as: String.self)
        XCTAssert(info.fields.contains("db=2"), info)
        XCTAssert(info.fields.contains("resp=2"), info)
        try await connection.hset("h", fields: [("a", "1")])
        try await assertEqual(await connection.hgetall("h"), [Bytes("a"): Bytes("1")])
    }

    func testForcedRESP2SendsNoHello() async throws {
        let server = try await startServer()
        let connection = try await connect(server.configuration(protocolVersion: .resp2))
        XCTAssertEqual(connection.protocolVersion, .resp2)
        try await assertEqual(await connection.execute(["GET", "missing"]), .null)
        try await assertEqual(await connection.execute(["HGETALL", "missing"]), .array([]))
        let info = try await connection.send(["CLIENT", "INFO"], as: String.self)
        XCTAssert(info.fields.contains("resp=2"), info)
    }

    func testRESP3HandshakeReportsServer() async throws {
        let server = try await startServer()
        var configuration = server.configuration()
        configuration.clientName = "resp3-client"
        let connection = try await connect(configuration)
        XCTAssertEqual(connection.protocolVersion, .resp3)
        let hello = try [String: RESPValue](fromRESP: XCTUnwrap(connection.serverHello))
        XCTAssertEqual(hello["proto"], .integer(3))
        XCTAssertEqual(hello["server"], .bulkString("redis"))
        try await assertEqual(await connection.send(["CLIENT", "GETNAME"], as: String.self), "resp3-client")
        // CLIENT INFO is a verbatim string in RESP3.
        guard case .verbatimString(let format, _) = try await connection.send("CLIENT", "INFO") else {
            return XCTFail("CLIENT INFO is not verbatim in RESP3")
        }
        XCTAssertEqual(format, "txt")
    }

    func testAuthenticationAgainstRedis() async throws {
        try await checkAuthentication(.redis)
    }

    func testAuthenticationAgainstEmber() async throws {
        try await checkAuthentication(.ember)
    }

    private func checkAuthentication(_ kind: ServerProcess.Kind) async throws {
        let server = try await startServer(kind, arguments: ["--requirepass", "s3cret"])
        // No password: the server's refusal comes back as it is.
        do {
            _ = try await connect(server.configuration())
            XCTFail("connected without a password")
        } catch let error as RedisServerError {
            XCTAssertEqual(error.code, .noAuth)
        }
        var configuration = server.configuration()
        configuration.password = "wrong"
        do {
            _ = try await connect(configuration)
            XCTFail("connected with a wrong password")
        } catch let error as RedisServerError {
            XCTAssertEqual(error.code, .wrongPass)
        }
        for version in [RESPVersion.resp3, .resp2] {
            var configuration = server.configuration(protocolVersion: version)
            configuration.username = version == .resp3 ? "default" : nil
            configuration.password = "s3cret"
            configuration.database = 3
            configuration.clientName = "worker-\(version.rawValue)"
            let connection = try await connect(configuration)
            XCTAssertEqual(connection.protocolVersion, version)
            try await assertEqual(await connection.send(["CLIENT", "GETNAME"], as: String.self), "worker-\(version.rawValue)")
            let info = try await connection.send(["CLIENT", "INFO"], as: String.self)
            XCTAssert(info.fields.contains("db=3"), info)
        }
        // A database the server does not have: SELECT's error.
        configuration = server.configuration()
        configuration.password = "s3cret"
        configuration.database = 99
        do {
            _ = try await connect(configuration)
            XCTFail("selected database 99")
        } catch let error as RedisServerError {
            XCTAssertEqual(error.message, "ERR DB index is out of range")
        }
    }

    func testConnectionURLs() async throws {
        let server = try await startServer(unixSocket: true)
        let path = try XCTUnwrap(server.unixSocket)
        let overUnix = try await RedisConnection.connect(url: "unix://\(path)?db=1&name=unix-client")
        connections.append(overUnix)
        try await overUnix.set("where", to: "db1")
        try await assertEqual(await overUnix.send(["CLIENT", "GETNAME"], as: String.self), "unix-client")
        let overTCP = try await RedisConnection.connect(url: "redis://127.0.0.1:\(server.port)/1")
        connections.append(overTCP)
        try await assertEqual(await overTCP.get("where", as: String.self), "db1")

        // TLS to a plain port: the handshake fails, clearly and promptly.
        do {
            var configuration = try RedisConnectionConfiguration(url: "rediss://127.0.0.1:\(server.port)")
            configuration.connectTimeout = .seconds(3)
            _ = try await RedisConnection.connect(configuration: configuration)
            XCTFail("connected with TLS")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .connectFailed)
        }
    }

    // MARK: - Failures

    func testConnectFailureIsPromptAndClear() async throws {
        let port = try ServerProcess.freePort()
        var configuration = RedisConnectionConfiguration(host: "127.0.0.1", port: port)
        configuration.connectTimeout = .seconds(2)
        do {
            _ = try await withTimeLimit(.seconds(5)) { [configuration] in try await RedisConnection.connect(configuration: configuration) }
            XCTFail("connected to a closed port")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .connectFailed)
            XCTAssert(error.message.contains("127.0.0.1:\(port)"), error.message)
        }
    }

    func testHandshakeTimeout() async throws {
        let server = try await startServer()
        server.pause()
        defer { server.resume() }
        var configuration = server.configuration()
        configuration.connectTimeout = .milliseconds(300)
        let started = ContinuousClock.now
        do {
            _ = try await withTimeLimit(.seconds(5)) { [configuration] in try await RedisConnection.connect(configuration: configuration) }
            XCTFail("connected to a stopped server")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .connectFailed)
            XCTAssert(error.message.contains("no answer to the handshake"), error.message)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
    }

    func testServerDeathFailsCommandsInFlight() async throws {
        let server = try await startServer()
        let connection = try await connect(server.configuration())
        try await connection.set("k", to: "v")
        let started = ContinuousClock.now
        // A blocked BLPOP holds the connection; the GETs behind it wait for their replies.
        let outcomes = try await withTimeLimit(.seconds(5)) {
            try await withThrowingTaskGroup(of: RedisClientError.Code?.self) { group in
                group.addTask {
                    do { _ = try await connection.send("BLPOP", "nothing", 10); return nil } catch let error as RedisClientError { return error.code }
                }
                for _ in 0..<100 {
                    group.addTask {
                        do { _ = try await connection.get("k"); return nil } catch let error as RedisClientError { return error.code }
                    }
                }
                while connection.statistics.commands < 102 { try await Task.sleep(for: .milliseconds(5)) }
                try await Task.sleep(for: .milliseconds(50))
                XCTAssertEqual(connection.inFlight, 101)
                server.kill()
                var codes: [RedisClientError.Code?] = []
                for try await code in group { codes.append(code) }
                return codes
            }
        }
        XCTAssertEqual(outcomes.count, 101)
        XCTAssert(outcomes.allSatisfy { $0 == .connectionClosed }, "\(outcomes)")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
        // Later commands fail at once.
        XCTAssertTrue(connection.isClosed)
        do {
            _ = try await connection.get("k")
            XCTFail("a command succeeded on a dead connection")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .connectionClosed)
        }
        XCTAssertEqual(connection.inFlight, 0)
    }

    func testCommandTimeoutKeepsRepliesMatched() async throws {
        let server = try await startServer()
        var configuration = server.configuration()
        configuration.commandTimeout = .milliseconds(150)
        let connection = try await connect(configuration)
        let started = ContinuousClock.now
        do {
            _ = try await connection.send("BLPOP", "nothing", "2")
            XCTFail("BLPOP answered before its timeout")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .commandTimeout)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(1500))
        // The late reply to BLPOP (a null) arrives and is dropped; ECHO gets its own reply.
        try await withTimeLimit(.seconds(10)) {
            while connection.inFlight > 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        try await assertEqual(await connection.send("ECHO", "after"), .bulkString("after"))
        XCTAssertEqual(connection.inFlight, 0)
        XCTAssertFalse(connection.isClosed)
    }

    func testCancellationFailsOnlyTheCaller() async throws {
        let server = try await startServer()
        let connection = try await connect(server.configuration())
        let blocked = Task { try await connection.send("BLPOP", "nothing", "2") }
        try await Task.sleep(for: .milliseconds(50))
        blocked.cancel()
        do {
            _ = try await blocked.value
            XCTFail("the cancelled BLPOP returned")
        } catch is CancellationError {}
        // The next command's reply is its own, not BLPOP's.
        try await assertEqual(await connection.send("ECHO", "mine"), .bulkString("mine"))
    }

    // MARK: - Tasks on the connection's event loop

    func testTasksOnTheConnectionsEventLoopAgainstRedis() async throws {
        try await checkTasksOnTheEventLoop(.redis)
    }

    func testTasksOnTheConnectionsEventLoopAgainstEmber() async throws {
        try await checkTasksOnTheEventLoop(.ember)
    }

    /// 800 tasks preferring the connection's executor run on its event loop, before and after
    /// each reply, and every INCR is counted once.
    private func checkTasksOnTheEventLoop(_ kind: ServerProcess.Kind) async throws {
        let server = try await startServer(kind)
        let connection = try await connect(server.configuration())
        let executor = connection.taskExecutor
        let (tasks, rounds) = (800, 25)
        let offLoop = try await withTaskExecutorPreference(executor) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        var offLoop = connection.eventLoop.inEventLoop ? 0 : 1
                        for _ in 0..<rounds {
                            _ = try await connection.incr("counter")
                            if !connection.eventLoop.inEventLoop { offLoop += 1 }
                        }
                        return offLoop
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        XCTAssertEqual(offLoop, 0, "task steps ran off the connection's event loop")
        try await assertEqual(await connection.get("counter", as: Int.self), tasks * rounds)
        XCTAssertEqual(connection.inFlight, 0)
    }

    /// Jobs enqueued from other threads run on the loop too, and cancellation still reaches a
    /// task blocked on the executor.
    func testEventLoopExecutorTakesJobsFromAnyThreadAndCancels() async throws {
        let server = try await startServer()
        let connection = try await connect(server.configuration())
        let executor = connection.taskExecutor
        // Started from the global executor: the first job is enqueued off the loop.
        let onLoop = await Task(executorPreference: executor) { connection.eventLoop.inEventLoop }.value
        XCTAssertTrue(onLoop)
        let blocked = Task(executorPreference: executor) {
            try await connection.send("BLPOP", "nothing", "2")
        }
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let cancelled = clock.now
        blocked.cancel()
        do {
            _ = try await blocked.value
            XCTFail("the cancelled BLPOP returned")
        } catch is CancellationError {}
        XCTAssertLessThan(clock.now - cancelled, .seconds(1), "cancellation waited for the reply")
        // The server still holds the BLPOP (up to its 2 s timeout); ECHO's reply is its own.
        let echo = try await Task(executorPreference: executor) { try await connection.send("ECHO", "mine") }.value
        XCTAssertEqual(echo, .bulkString("mine"))
    }

    func testCommandsThatBreakReplyMatchingAreRefused() async throws {
        let server = try await startServer()
        let connection = try await connect(server.configuration())
        for command: RESPCommand in [["SUBSCRIBE", "news"], ["client", "reply", "off"], ["MONITOR"], []] {
            do {
                _ = try await connection.execute(command)
                XCTFail("\(command) was sent")
            } catch let error as RedisClientError {
                XCTAssertEqual(error.code, .unsupportedCommand)
            }
        }
        try await assertEqual(await connection.send(["CLIENT", "REPLY", "ON"]), .simpleString("OK"))
        try await assertEqual(await connection.ping(), "PONG")
    }

    // MARK: - Pool

    func testPoolSpreadsLoadAndStaysBounded() async throws {
        let server = try await startServer()
        var configuration = server.configuration()
        configuration.clientName = "pooled"
        let pool = RedisConnectionPool(configuration: configuration, maximumConnections: 3)
        XCTAssertTrue(pool.openConnections.isEmpty, "the pool connects lazily")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<600 {
                group.addTask {
                    try await pool.set("pool:\(index)", to: index)
                    try await assertEqual(await pool.get("pool:\(index)", as: Int.self), index)
                }
            }
            try await group.waitForAll()
        }
        let open = pool.openConnections
        XCTAssert((1...3).contains(open.count), "\(open.count) connections")
        let list = try await pool.send(["CLIENT", "LIST"], as: String.self)
        let named = list.split(separator: "\n").filter { String($0).fields.contains("name=pooled") }
        XCTAssertEqual(named.count, open.count)
        let results = try await pool.pipeline([["GET", "pool:7"], ["GET", "pool:8"]])
        XCTAssertEqual(try results.map { try $0.get() }, [.bulkString("7"), .bulkString("8")])
        try await pool.close()
        do {
            _ = try await pool.ping()
            XCTFail("a closed pool ran a command")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .closed)
        }
    }

    func testPoolReplacesClosedConnections() async throws {
        let server = try await startServer()
        let pool = RedisConnectionPool(configuration: server.configuration(), maximumConnections: 2)
        try await pool.set("k", to: "v")
        let first = try XCTUnwrap(pool.openConnections.first)
        // Another client kills every connection of the pool.
        let admin = try await connect(server.configuration())
        _ = try await admin.send("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
        try await withTimeLimit(.seconds(5)) {
            while !first.isClosed { try await Task.sleep(for: .milliseconds(5)) }
        }
        XCTAssertTrue(pool.openConnections.isEmpty)
        try await assertEqual(await pool.get("k", as: String.self), "v")
        XCTAssertEqual(pool.openConnections.count, 1)
        XCTAssertFalse(pool.openConnections.first === first)
        try await pool.close()
    }

    func testPoolReportsConnectFailures() async throws {
        var configuration = RedisConnectionConfiguration(host: "127.0.0.1", port: try ServerProcess.freePort())
        configuration.connectTimeout = .seconds(2)
        let pool = RedisConnectionPool(configuration: configuration, maximumConnections: 2)
        for _ in 0..<2 {
            do {
                _ = try await pool.ping()
                XCTFail("pinged a closed port")
            } catch let error as RedisClientError {
                XCTAssertEqual(error.code, .connectFailed)
            }
        }
        try await pool.close()
    }
}

extension String {
    /// The `key=value` words of a CLIENT INFO or CLIENT LIST line.
    var fields: Set<String> {
        Set(split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }
}
