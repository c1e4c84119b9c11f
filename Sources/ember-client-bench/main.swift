// Drives GET or SET of 16-byte values through EmberClient and prints the rate, for
// bench/client, which runs it beside redis-benchmark against the same server.
//
//   ember-client-bench --port P --test get|set --mode pipelined --tasks 800 --connections 4 --requests N
//   ember-client-bench --port P --test get|set --mode connection --tasks 800 --requests N   (no pool)
//
// With `--executor loop`, the pipelined and connection modes run their tasks on the event loop
// of the connections (`EventLoopTaskExecutor`) instead of Swift's global executor.
//   ember-client-bench --port P --test get|set --mode connections --connections 50 --requests N
//   ember-client-bench --test get|set --mode embedded --requests N
import EmberClient
import EmberRESP
import EmberStore
import NIOCore
import NIOPosix

struct Options {
    var host = "127.0.0.1"
    var port = 6379
    var test = "get"
    var mode = "pipelined"
    var tasks = 800
    var connections = 4
    var requests = 1_000_000
    var executor = "global"

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { fatalError("\(flag) needs a value") }
            switch flag {
            case "--host": host = value
            case "--port": port = Int(value) ?? port
            case "--test": test = value
            case "--mode": mode = value
            case "--tasks": tasks = Int(value) ?? tasks
            case "--connections": connections = Int(value) ?? connections
            case "--requests": requests = Int(value) ?? requests
            case "--executor": executor = value
            default: fatalError("unknown option \(flag)")
            }
        }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))

/// The load: its parts are passed to the tasks as values, because top-level variables of
/// main.swift belong to the main actor, and a task reading them would hop to the main thread
/// for every request (measuring the hop, not the client).
struct Load: Sendable {
    let set: Bool
    let requests: Int
    let key = Bytes("key:__rand_int__")
    let value = Bytes("xxxxxxxxxxxxxxxx")

    /// One request of the test on `client`.
    @inline(__always)
    func request(_ client: some RedisCommandExecutor) async throws {
        if set {
            _ = try await client.execute(["SET", key, value])
        } else {
            _ = try await client.execute(["GET", key])
        }
    }

    /// Runs `tasks` concurrent loops sharing the requests; returns requests per second.
    nonisolated func measure(tasks: Int, _ client: @escaping @Sendable (Int) -> any RedisCommandExecutor) async throws -> Double {
        let perTask = requests / tasks
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<tasks {
                let executor = client(index)
                group.addTask {
                    for _ in 0..<perTask { try await request(executor) }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(perTask * tasks) / seconds
    }
}

let load = Load(set: options.test == "set", requests: options.requests)
let key = load.key
let value = load.value

var configuration = RedisConnectionConfiguration(host: options.host, port: options.port)
configuration.libraryName = nil
configuration.libraryVersion = nil
configuration.commandTimeout = nil

/// Runs `body` on `executor` when one is given, else on the global executor.
func running<Value: Sendable>(on executor: (any TaskExecutor)?, _ body: () async throws -> Value) async throws -> Value {
    guard let executor else { return try await body() }
    return try await withTaskExecutorPreference(executor, operation: body)
}

// With `--executor loop`, every connection opens on this loop and the tasks run on it.
let loop = MultiThreadedEventLoopGroup.singleton.next()
let executor: EventLoopTaskExecutor? = options.executor == "loop" ? EventLoopTaskExecutor(loop) : nil
let group: any EventLoopGroup = executor == nil ? MultiThreadedEventLoopGroup.singleton : loop

let rate: Double
switch options.mode {
case "pipelined":
    // Every task shares a small pool; concurrent commands pipeline on its connections.
    let pool = RedisConnectionPool(
        configuration: configuration, maximumConnections: options.connections, healthCheckInterval: nil, eventLoopGroup: group)
    _ = try await pool.set(key, to: value)
    rate = try await running(on: executor) { try await load.measure(tasks: options.tasks) { _ in pool } }
    try await pool.close()
case "connection":
    // Every task shares one connection directly (no pool in between).
    let connection = try await RedisConnection.connect(configuration: configuration, eventLoopGroup: group)
    _ = try await connection.set(key, to: value)
    rate = try await running(on: executor) { try await load.measure(tasks: options.tasks) { _ in connection } }
    try await connection.close()
case "connections":
    // One connection per task, one command in flight on each.
    var connections: [RedisConnection] = []
    for _ in 0..<options.connections {
        connections.append(try await RedisConnection.connect(configuration: configuration))
    }
    _ = try await connections[0].set(key, to: value)
    let shared = connections
    rate = try await load.measure(tasks: options.connections) { shared[$0] }
    for connection in connections { try await connection.close() }
case "embedded":
    let client = EmbeddedClient(engine: Engine())
    _ = try await client.set(key, to: value)
    rate = try await load.measure(tasks: 1) { _ in client }
default:
    fatalError("unknown mode \(options.mode)")
}
print("rps \(Int(rate))")
