import EmberClient
import EmberStore
import NIOConcurrencyHelpers
import XCTest

/// MULTI/EXEC with typed results, WATCH retries, scripts (EVALSHA → EVAL) and pub/sub, against
/// redis-server; the parts ember-server and the engine already serve run against them too.
final class TransactionScriptPubSubTests: ServerTestCase {
    private func configuration(_ server: ServerProcess, _ version: RESPVersion = .resp3) -> RedisConnectionConfiguration {
        var configuration = server.configuration(protocolVersion: version)
        configuration.libraryName = nil
        configuration.libraryVersion = nil
        return configuration
    }

    // MARK: - MULTI/EXEC

    func testTypedTransactionOnRedis() async throws {
        let server = try await startServer()
        try await checkTypedTransaction(try await RedisConnection.connect(configuration: configuration(server)))
    }

    func testTypedTransactionOnEmber() async throws {
        let server = try await startServer(.ember)
        try await checkTypedTransaction(try await RedisConnection.connect(configuration: configuration(server, .resp2)))
    }

    func testTypedTransactionInProcess() async throws {
        try await checkTypedTransaction(EmbeddedClient(engine: Engine()))
    }

    private func checkTypedTransaction(_ client: some RedisCommandExecutor) async throws {
        try await client.set("name", to: "ada")
        var transaction = RedisTransaction()
        let visits = transaction.queue(["INCR", "visits"], as: Int.self)
        let name = transaction.queue(["GET", "name"], as: String?.self)
        let missing = transaction.queue(["GET", "missing"], as: String?.self)
        let wrong = transaction.queue(["LPUSH", "name", "x"], as: Int.self)
        let again = transaction.queue(["INCR", "visits"], as: Int.self)
        let reply = try await client.multi(transaction)
        let result = try XCTUnwrap(reply)
        XCTAssertEqual(try result[visits], 1)
        XCTAssertEqual(try result[name], "ada")
        XCTAssertEqual(try result[missing], nil)
        XCTAssertThrowsError(try result[wrong]) { error in
            XCTAssertEqual((error as? RedisServerError)?.code, .wrongType, "a command failing at run time keeps its error in its place")
        }
        XCTAssertEqual(try result[again], 2, "the commands after a failed one still ran")

        // A command refused while queuing aborts the whole transaction: nothing runs.
        do {
            _ = try await client.multi { transaction in
                transaction.queue(["INCR", "visits"])
                transaction.queue(["GET"])
            }
            XCTFail("EXEC ran a transaction with a refused command")
        } catch let error as RedisServerError {
            XCTAssertEqual(error.code, .execAbort)
        }
        try await assertEqual(await client.get("visits", as: Int.self), 2)

        // Concurrent transactions on one shared connection never interleave.
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<50 {
                group.addTask {
                    var transaction = RedisTransaction()
                    let first = transaction.queue(["INCR", "pair"], as: Int.self)
                    let second = transaction.queue(["INCR", "pair"], as: Int.self)
                    let result = try await client.multi(transaction)!
                    return (try result[first], try result[second])
                }
            }
            for try await (first, second) in group { XCTAssertEqual(second, first + 1) }
        }
    }

    // MARK: - WATCH

    func testWatchRetriesUntilNoUpdateIsLost() async throws {
        let server = try await startServer()
        let pool = RedisConnectionPool(configuration: configuration(server), maximumConnections: 4, healthCheckInterval: nil)
        let attempts = NIOLockedValueBox(0)
        // Eight tasks each add 1 twenty times with read-modify-write under WATCH.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<20 {
                        let result = try await pool.watch(["balance"], maximumAttempts: 1000) { connection in
                            attempts.withLockedValue { $0 += 1 }
                            let balance = try await connection.get("balance", as: Int.self) ?? 0
                            var transaction = RedisTransaction()
                            transaction.queue(RESPCommand("SET", "balance", balance + 1))
                            return transaction
                        }
                        XCTAssertNotNil(result)
                    }
                }
            }
            try await group.waitForAll()
        }
        try await assertEqual(await pool.get("balance", as: Int.self), 160)
        print("WATCH: 160 increments took \(attempts.withLockedValue { $0 }) attempts")
        try await pool.close()
    }

    func testWatchGivesUpAndReportsTheConflict() async throws {
        let server = try await startServer()
        let pool = RedisConnectionPool(configuration: configuration(server), maximumConnections: 2, healthCheckInterval: nil)
        let other = try await RedisConnection.connect(configuration: configuration(server))
        // Another client changes the key inside every attempt.
        do {
            _ = try await pool.watch(["contested"], maximumAttempts: 3) { connection in
                _ = try await other.incr("contested")
                var transaction = RedisTransaction()
                transaction.queue(["SET", "contested", "mine"])
                return transaction
            }
            XCTFail("won a race that was always lost")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .transactionConflict)
        }
        try await assertEqual(await pool.get("contested", as: Int.self), 3)
        // Declining to write returns nil and leaves nothing watched.
        let declined = try await pool.watch(["contested"]) { _ in nil }
        XCTAssertNil(declined)
        try await other.close()
        try await pool.close()
    }

    // MARK: - Scripts

    func testScriptFallsBackToEvalOnceThenUsesTheCache() async throws {
        let server = try await startServer()
        let connection = try await RedisConnection.connect(configuration: configuration(server))
        let script = RedisScript("""
            local value = redis.call('INCRBY', KEYS[1], ARGV[1])
            if value > tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[2]) return tonumber(ARGV[2]) end
            return value
            """)
        try await assertEqual(await connection.send(["SCRIPT", "LOAD", script.source], as: String.self), script.sha1)
        try await connection.send("SCRIPT", "FLUSH")
        try await assertEqual(await connection.send(["SCRIPT", "EXISTS", script.sha1]), .array([.integer(0)]))
        try await connection.send("CONFIG", "RESETSTAT")

        try await assertEqual(await connection.run(script, keys: ["hits"], arguments: [7, 10], as: Int.self), 7)
        try await assertEqual(await connection.send(["SCRIPT", "EXISTS", script.sha1]), .array([.integer(1)]), "EVAL loaded it")
        try await assertEqual(await connection.run(script, keys: ["hits"], arguments: [7, 10], as: Int.self), 10)
        let stats = try await connection.send(["INFO", "commandstats"], as: String.self)
        XCTAssert(stats.contains("cmdstat_eval:calls=1,"), "EVAL sent once: \(stats)")
        XCTAssert(stats.contains("cmdstat_evalsha:calls=2,") || stats.contains("cmdstat_evalsha:calls=1,"), stats)

        // Errors raised by the script are server errors with their text.
        let failing = RedisScript("return redis.error_reply('MYERR custom failure')")
        do {
            _ = try await connection.run(failing)
            XCTFail("a failing script succeeded")
        } catch let error as RedisServerError {
            XCTAssertEqual(error.code, "MYERR")
        }
        // Read-only scripts run with EVALSHA_RO and may not write.
        let reader = RedisScript("return redis.call('GET', KEYS[1])", readOnly: true)
        try await assertEqual(await connection.run(reader, keys: ["hits"], as: Int.self), 10)
        let writer = RedisScript("return redis.call('SET', KEYS[1], 'x')", readOnly: true)
        do {
            _ = try await connection.run(writer, keys: ["hits"])
            XCTFail("a read-only script wrote")
        } catch is RedisServerError {}
        try await connection.close()
    }

    // MARK: - Codable

    private struct Session: Codable, Equatable, Sendable {
        var user: String
        var roles: [String]
        var expires: Double?
    }

    func testCodableValuesInProcessAndOnRedis() async throws {
        let server = try await startServer()
        let connection = try await RedisConnection.connect(configuration: configuration(server))
        for client in [EmbeddedClient(engine: Engine()) as any RedisCommandExecutor, connection] {
            let session = Session(user: "ada", roles: ["admin", "ops"], expires: 1.5)
            try await client.set("session:1", json: session, options: SetOptions(expiration: .seconds(60)))
            try await assertEqual(await client.get("session:1", json: Session.self), session)
            try await assertNil(await client.get("session:2", json: Session.self))
            try await client.hset("sessions", field: "1", json: session)
            try await assertEqual(await client.hget("sessions", field: "1", json: Session.self), session)
            try await client.set("broken", to: "{not json")
            do {
                _ = try await client.get("broken", json: Session.self)
                XCTFail("decoded broken JSON")
            } catch let error as RedisClientError {
                XCTAssertEqual(error.code, .unexpectedReply)
            }
        }
        // JSON over pub/sub.
        let subscriber = RedisSubscriber(configuration: configuration(server))
        let sessions = try await subscriber.subscribe(to: ["sessions"])
        try await assertEqual(await connection.publish("sessions", json: Session(user: "bob", roles: [])), 1)
        try await assertEqual(await connection.pubsubSubscriberCounts(["sessions", "none"]), ["sessions": 1, "none": 0])
        let message = try await withTimeLimit(.seconds(5)) {
            var iterator = sessions.makeAsyncIterator()
            return try await iterator.next()
        }
        XCTAssertEqual(try message?.decode(json: Session.self), Session(user: "bob", roles: []))
        try await subscriber.close()
        try await connection.close()
    }

    // MARK: - Pub/sub

    func testSubscriptionsInRESP2() async throws {
        try await checkSubscriptions(.resp2)
    }

    func testSubscriptionsInRESP3() async throws {
        try await checkSubscriptions(.resp3)
    }

    private func checkSubscriptions(_ version: RESPVersion) async throws {
        let server = try await startServer()
        let subscriber = RedisSubscriber(configuration: configuration(server, version))
        let publisher = try await RedisConnection.connect(configuration: configuration(server))
        let news = try await subscriber.subscribe(to: ["news", "sport"])
        let alsoNews = try await subscriber.subscribe(to: ["news"])
        let patterns = try await subscriber.subscribe(toPatterns: ["weather.*"])
        try await assertEqual(await publisher.send(["PUBSUB", "NUMSUB", "news"]), .array([.bulkString("news"), .integer(1)]),
                              "two subscriptions, one server subscription")

        try await assertEqual(await publisher.send("PUBLISH", "news", "first"), .integer(1))
        try await publisher.send("PUBLISH", "sport", "goal")
        try await publisher.send("PUBLISH", "weather.paris", "rain")

        var iterator = news.makeAsyncIterator()
        var message = try await iterator.next()
        XCTAssertEqual(message, RedisPubSubMessage(kind: .message, channel: "news", payload: "first"))
        message = try await iterator.next()
        XCTAssertEqual(message?.payload, "goal")
        var alsoIterator = alsoNews.makeAsyncIterator()
        try await assertEqual(await alsoIterator.next()?.payload, "first")
        var patternIterator = patterns.makeAsyncIterator()
        let weather = try await patternIterator.next()
        XCTAssertEqual(weather, RedisPubSubMessage(kind: .patternMessage, channel: "weather.paris", pattern: "weather.*", payload: "rain"))

        if version == .resp3 {
            // RESP3: ordinary commands share the subscribed connection.
            try await publisher.set("k", to: "v")
            try await assertEqual(await subscriber.get("k", as: String.self), "v")
        } else {
            do {
                _ = try await subscriber.get("k")
                XCTFail("RESP2 ran GET on a subscribed connection")
            } catch let error as RedisServerError {
                XCTAssertTrue(error.message.contains("only (P|S)SUBSCRIBE"), error.message)
            }
        }

        // Ending one of two subscriptions keeps the channel; ending both unsubscribes it.
        alsoNews.unsubscribe()
        try await assertEqual(await publisher.send(["PUBSUB", "NUMSUB", "news"]), .array([.bulkString("news"), .integer(1)]))
        news.unsubscribe()
        try await withTimeLimit(.seconds(5)) {
            while try await publisher.send(["PUBSUB", "NUMSUB", "news"]) != .array([.bulkString("news"), .integer(0)]) {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        try await subscriber.close()
        try await assertNil(await patternIterator.next(), "closing the subscriber finishes its subscriptions")
        try await publisher.close()
    }

    func testSubscribeFailsWithinTheCommandTimeoutWhenTheServerIsFrozen() async throws {
        let server = try await startServer()
        var configuration = configuration(server)
        configuration.commandTimeout = .milliseconds(300)
        let subscriber = RedisSubscriber(configuration: configuration)
        let first = try await subscriber.subscribe(to: ["first"])
        server.pause()
        do {
            _ = try await withTimeLimit(.seconds(5)) { try await subscriber.subscribe(to: ["second"]) }
            XCTFail("subscribed while the server was frozen")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .commandTimeout)
        }
        server.resume()
        XCTAssertEqual(subscriber.subscribedNames.channels, ["first"], "the failed subscription left nothing behind")
        first.unsubscribe()
        XCTAssertEqual(subscriber.subscribedNames.channels, [])
        try await subscriber.close()
    }

    func testSubscriptionsSurviveReconnects() async throws {
        let server = try await startServer()
        let subscriber = RedisSubscriber(
            configuration: configuration(server),
            backoff: RedisBackoff(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200)))
        let events = try await subscriber.subscribe(to: ["events"])
        let patterns = try await subscriber.subscribe(toPatterns: ["log.*"])
        /// Publishes until the subscriber has a message again (it may be resubscribing).
        func publishUntilReceived(_ payload: String) async throws {
            let publisher = try await RedisConnection.connect(configuration: configuration(server))
            let publishing = Task {
                while !Task.isCancelled {
                    _ = try? await publisher.send("PUBLISH", "events", payload)
                    _ = try? await publisher.send("PUBLISH", "log.app", payload)
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            defer { publishing.cancel() }
            try await withTimeLimit(.seconds(15)) {
                var iterator = events.makeAsyncIterator()
                var patternIterator = patterns.makeAsyncIterator()
                var message = try await iterator.next()
                while message?.payload != Bytes(payload) { message = try await iterator.next() }
                var patterned = try await patternIterator.next()
                while patterned?.payload != Bytes(payload) { patterned = try await patternIterator.next() }
            }
            try? await publisher.close()
        }

        try await publishUntilReceived("before")
        // The server drops the subscriber's connection.
        let admin = try await RedisConnection.connect(configuration: configuration(server))
        try await admin.send("CLIENT", "KILL", "TYPE", "pubsub")
        try await admin.close()
        try await publishUntilReceived("after kill")
        // The server dies and comes back empty.
        try await server.restart()
        try await publishUntilReceived("after restart")
        try await subscriber.close()
    }
}
