import EmberClient
import InMemoryTracing
import Metrics
import MetricsTestKit
import NIOConcurrencyHelpers
import NIOCore
import Tracing
import XCTest

/// Failures and recovery: the server killed and restarted under load, frozen servers, backoff,
/// per-command timeouts, dedicated connections; and the metrics and spans that report them.
final class ResilienceTests: ServerTestCase {
    // MARK: - Backoff

    func testBackoffGrowsExponentiallyWithJitterUpToTheMaximum() {
        let exact = RedisBackoff(initialDelay: .milliseconds(10), maximumDelay: .seconds(1), multiplier: 2, jitter: 0)
        XCTAssertEqual(exact.delay(afterFailures: 0), .zero)
        XCTAssertEqual(exact.delay(afterFailures: 1), .milliseconds(10))
        XCTAssertEqual(exact.delay(afterFailures: 2), .milliseconds(20))
        XCTAssertEqual(exact.delay(afterFailures: 5), .milliseconds(160))
        XCTAssertEqual(exact.delay(afterFailures: 8), .seconds(1))
        XCTAssertEqual(exact.delay(afterFailures: 10_000), .seconds(1), "no overflow after many failures")

        let jittered = RedisBackoff(initialDelay: .milliseconds(100), maximumDelay: .seconds(10), multiplier: 2, jitter: 0.25)
        var delays = Set<Int64>()
        for _ in 0..<200 {
            let delay = jittered.delay(afterFailures: 3).nanoseconds
            XCTAssert((300_000_000...500_000_000).contains(delay), "\(delay) outside 400 ms ± 25%")
            delays.insert(delay)
        }
        XCTAssertGreaterThan(delays.count, 100, "jitter spreads the delays")
    }

    func testPoolSpacesConnectionAttemptsByTheBackoff() async throws {
        var configuration = RedisConnectionConfiguration(host: "127.0.0.1", port: try ServerProcess.freePort())
        configuration.connectTimeout = .seconds(2)
        let pool = RedisConnectionPool(
            configuration: configuration, maximumConnections: 2,
            backoff: RedisBackoff(initialDelay: .milliseconds(300), maximumDelay: .seconds(1), jitter: 0),
            healthCheckInterval: nil)
        let clock = ContinuousClock()
        var durations: [Duration] = []
        for _ in 0..<3 {
            let start = clock.now
            do {
                _ = try await pool.ping()
                XCTFail("pinged a closed port")
            } catch let error as RedisClientError {
                XCTAssertEqual(error.code, .connectFailed)
            }
            durations.append(clock.now - start)
        }
        XCTAssertLessThan(durations[0], .milliseconds(250), "the first attempt is immediate")
        XCTAssertGreaterThan(durations[1], .milliseconds(250), "the second waits the first delay (300 ms)")
        XCTAssertGreaterThan(durations[2], .milliseconds(550), "the third waits the doubled delay (600 ms)")
        XCTAssertLessThan(durations[2], .seconds(2))
        try await pool.close()
    }

    // MARK: - Kill and restart under load

    func testKillAndRestartUnderLoadAgainstRedis() async throws {
        try await checkKillAndRestartUnderLoad(.redis)
    }

    func testKillAndRestartUnderLoadAgainstEmber() async throws {
        try await checkKillAndRestartUnderLoad(.ember)
    }

    /// Sixteen tasks INCR through a pool while the server is killed (SIGKILL) and, a moment
    /// later, started again on the same port. Every failure is a clear client error
    /// (connection closed, or connect failed while the server was down), nothing hangs, and
    /// every task is served again once the server is back.
    private func checkKillAndRestartUnderLoad(_ kind: ServerProcess.Kind) async throws {
        let server = try await startServer(kind)
        var configuration = server.configuration()
        configuration.connectTimeout = .seconds(1)
        configuration.commandTimeout = .seconds(3)
        let pool = RedisConnectionPool(
            configuration: configuration, maximumConnections: 4,
            backoff: RedisBackoff(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200)),
            healthCheckInterval: nil)

        struct Tally: Sendable {
            var successes = 0
            var successesAfterRestart = 0
            var errors: [RedisClientError.Code: Int] = [:]
            var unexpected: [String] = []
        }
        let tally = NIOLockedValueBox(Tally())
        let restarted = NIOLockedValueBox(false)
        let stop = NIOLockedValueBox(false)

        try await withTimeLimit(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        while !stop.withLockedValue({ $0 }) {
                            let afterRestart = restarted.withLockedValue { $0 }
                            do {
                                _ = try await pool.incr("counter:\(worker % 4)")
                                tally.withLockedValue {
                                    $0.successes += 1
                                    if afterRestart { $0.successesAfterRestart += 1 }
                                }
                            } catch let error as RedisClientError {
                                tally.withLockedValue { $0.errors[error.code, default: 0] += 1 }
                                try await Task.sleep(for: .milliseconds(5))
                            } catch {
                                tally.withLockedValue { $0.unexpected.append("\(error)") }
                            }
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(400))
                    let before = tally.withLockedValue { $0.successes }
                    XCTAssertGreaterThan(before, 100, "load was running before the kill")
                    server.kill()
                    try await Task.sleep(for: .milliseconds(500))
                    try await server.restart()
                    restarted.withLockedValue { $0 = true }
                    // Wait until the pool has served a good number of commands on the new server.
                    while tally.withLockedValue({ $0.successesAfterRestart }) < 2000 {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    stop.withLockedValue { $0 = true }
                }
                try await group.waitForAll()
            }
        }
        let result = tally.withLockedValue { $0 }
        print("kill and restart (\(kind)): \(result.successes) INCRs answered, errors \(result.errors)")
        XCTAssertEqual(result.unexpected, [], "every failure is a RedisClientError")
        XCTAssertEqual(Set(result.errors.keys).subtracting([.connectionClosed, .connectFailed]), [],
                       "failures say the connection closed or could not be opened")
        XCTAssertGreaterThan(result.errors.values.reduce(0, +), 0, "the kill was noticed")
        // The restarted server started empty: its counters hold exactly the INCRs it answered
        // (none of the new server's replies were lost, nothing ran twice).
        var total = 0
        for index in 0..<4 { total += try await pool.get("counter:\(index)", as: Int.self) ?? 0 }
        XCTAssertGreaterThanOrEqual(total, result.successesAfterRestart)
        try await pool.close()
    }

    func testSingleConnectionFailsInFlightCommandsWhenTheServerIsKilled() async throws {
        let server = try await startServer(.ember)
        let connection = try await RedisConnection.connect(configuration: server.configuration())
        try await withTimeLimit(.seconds(10)) {
            try await withThrowingTaskGroup(of: RedisClientError.Code?.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        do {
                            // BLPOP keeps the commands behind it in flight until the kill.
                            if index == 0 { _ = try await connection.send("BLPOP", "never", 0) }
                            else { _ = try await connection.incr("n") }
                            return nil
                        } catch let error as RedisClientError {
                            return error.code
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(200))
                server.kill()
                var codes: [RedisClientError.Code] = []
                for try await code in group { if let code { codes.append(code) } }
                XCTAssertTrue(codes.contains(.connectionClosed))
                XCTAssertEqual(Set(codes), [.connectionClosed])
            }
        }
        XCTAssertTrue(connection.isClosed)
    }

    // MARK: - Frozen servers

    func testHealthCheckClosesConnectionsToAFrozenServer() async throws {
        let server = try await startServer()
        var configuration = server.configuration()
        configuration.commandTimeout = .milliseconds(300)
        let pool = RedisConnectionPool(configuration: configuration, maximumConnections: 2, healthCheckInterval: nil)
        try await pool.set("k", to: "v")
        XCTAssertEqual(pool.openConnections.count, 1)
        await pool.checkHealth()
        XCTAssertEqual(pool.openConnections.count, 1, "a healthy connection stays")

        server.pause()
        let clock = ContinuousClock()
        let start = clock.now
        await pool.checkHealth()
        XCTAssertLessThan(clock.now - start, .seconds(2))
        XCTAssertEqual(pool.openConnections.count, 0, "the frozen connection was closed")
        server.resume()
        try await assertEqual(await pool.get("k", as: String.self), "v")
        try await pool.close()
    }

    func testPeriodicHealthCheckRuns() async throws {
        let server = try await startServer()
        var configuration = server.configuration()
        configuration.commandTimeout = .milliseconds(200)
        let pool = RedisConnectionPool(configuration: configuration, maximumConnections: 1, healthCheckInterval: .milliseconds(100))
        _ = try await pool.ping()
        server.pause()
        try await withTimeLimit(.seconds(5)) {
            while !pool.openConnections.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        server.resume()
        try await assertEqual(await pool.ping(), "PONG")
        try await pool.close()
    }

    func testPerCommandTimeoutKeepsTheConnectionUsable() async throws {
        let server = try await startServer(.ember)
        var configuration = server.configuration()
        configuration.commandTimeout = nil
        let connection = try await RedisConnection.connect(configuration: configuration)
        server.pause()
        do {
            _ = try await connection.execute(["PING", "late"], timeout: .milliseconds(100))
            XCTFail("answered while paused")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .commandTimeout)
        }
        server.resume()
        // The late reply to the first PING is dropped, not handed to this one.
        try await assertEqual(await connection.send("ECHO", "mine"), .bulkString("mine"))
        let results = try await connection.pipeline([["INCR", "a"], ["INCR", "a"]], timeout: .seconds(5))
        XCTAssertEqual(try results.map { try $0.get() }, [.integer(1), .integer(2)])
        try await connection.close()
    }

    // MARK: - Dedicated connections

    func testDedicatedConnectionIsNotSharedAndThePoolStaysBounded() async throws {
        let server = try await startServer()
        let pool = RedisConnectionPool(configuration: server.configuration(), maximumConnections: 1, healthCheckInterval: nil)
        let order = NIOLockedValueBox<[String]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            let entered = NIOLockedValueBox(false)
            group.addTask {
                try await pool.withDedicatedConnection { connection in
                    entered.withLockedValue { $0 = true }
                    try await connection.send("SELECT", 3)
                    try await Task.sleep(for: .milliseconds(300))
                    try await connection.set("in-db-3", to: "yes")
                    try await connection.send("SELECT", 0)
                    order.withLockedValue { $0.append("dedicated done") }
                }
            }
            group.addTask {
                while !entered.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
                // The only connection is dedicated: this waits for it instead of sharing it
                // (which would have run in database 3).
                try await pool.set("in-db-0", to: "yes")
                order.withLockedValue { $0.append("shared done") }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(order.withLockedValue { $0 }, ["dedicated done", "shared done"])
        XCTAssertEqual(pool.openConnections.count, 1)
        try await assertTrue(await pool.exists("in-db-0") == 1)
        try await assertTrue(await pool.exists("in-db-3") == 0)
        try await pool.close()
    }

    // MARK: - Observability

    func testMetricsCountCommandsErrorsAndPoolEvents() async throws {
        let server = try await startServer()
        let metrics = TestMetrics()
        var configuration = server.configuration()
        configuration.libraryName = nil  // Redis 7.0 refuses CLIENT SETINFO: keep the counts simple
        configuration.libraryVersion = nil
        try await withMetricsFactory(metrics) {
            let pool = RedisConnectionPool(configuration: configuration, maximumConnections: 1, healthCheckInterval: nil)
            try await pool.set("k", to: "v")
            _ = try? await pool.incr("k")
            _ = try await pool.pipeline([["GET", "k"], ["GET", "k"]])
            try await pool.close()
        }
        let commands = try metrics.expectCounter("redis_client_commands_total", [("server.address", "127.0.0.1:\(server.port)")])
        // Handshake (HELLO) + SET + INCR + 2 GETs.
        XCTAssertEqual(commands.totalValue, 5)
        XCTAssertEqual(try metrics.expectCounter("redis_client_command_errors_total", [("server.address", "127.0.0.1:\(server.port)")]).totalValue, 1)
        XCTAssertEqual(try metrics.expectCounter("redis_client_connections_opened_total", [("server.address", "127.0.0.1:\(server.port)")]).totalValue, 1)
        // HELLO, SET and the pipeline (the failed INCR counts as an error instead).
        XCTAssertEqual(try metrics.expectTimer("redis_client_command_duration", [("server.address", "127.0.0.1:\(server.port)")]).values.count, 3)
    }

    func testCommandsMakeClientSpansWithDatabaseAttributes() async throws {
        let server = try await startServer()
        let tracer = InMemoryTracer()
        try await withTracer(tracer) {
            var configuration = server.configuration()
            configuration.libraryName = nil
            configuration.libraryVersion = nil
            let connection = try await RedisConnection.connect(configuration: configuration)
            try await connection.set("k", to: "v")
            _ = try? await connection.incr("k")
            _ = try await connection.pipeline([["GET", "k"], ["GET", "k"]])
            try await connection.close()
        }
        let spans = tracer.finishedSpans
        XCTAssertEqual(spans.map(\.operationName), ["HELLO", "SET", "INCR", "PIPELINE"])
        guard spans.count == 4 else { return }
        let set = spans[1]
        XCTAssertEqual(set.kind, .client)
        XCTAssertEqual(set.attributes["db.system.name"]?.toSpanAttribute(), "redis")
        XCTAssertEqual(set.attributes["db.operation.name"]?.toSpanAttribute(), "SET")
        XCTAssertEqual(set.attributes["server.port"]?.toSpanAttribute(), .int64(Int64(server.port)))
        let incr = spans[2]
        XCTAssertEqual(incr.status?.code, .error)
        XCTAssertEqual(incr.attributes["error.type"]?.toSpanAttribute(), "ERR")
        XCTAssertEqual(spans[3].attributes["db.operation.batch.size"]?.toSpanAttribute(), 2)
    }
}
