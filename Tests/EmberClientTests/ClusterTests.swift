@testable import EmberClient
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// CRC16 and hash slots, against Redis's own vectors (no server needed).
final class ClusterHashSlotTests: XCTestCase {
    func testCRC16() {
        XCTAssertEqual(RedisClusterHashSlot.crc16("123456789"), 0x31C3)
        XCTAssertEqual(RedisClusterHashSlot.crc16(""), 0)
    }

    func testHashSlots() {
        XCTAssertEqual(RedisClusterHashSlot.slot(for: "foo"), 12182)
        XCTAssertEqual(RedisClusterHashSlot.slot(for: "bar"), 5061)
        XCTAssertEqual(RedisClusterHashSlot.slot(for: "{user1000}.following"), RedisClusterHashSlot.slot(for: "{user1000}.followers"))
        XCTAssertEqual(RedisClusterHashSlot.slot(for: "{user1000}.following"), RedisClusterHashSlot.slot(for: "user1000"))
        // An empty tag: the whole key is hashed.
        XCTAssertEqual(RedisClusterHashSlot.slot(for: "foo{}{bar}"), Int(RedisClusterHashSlot.crc16("foo{}{bar}")) & 16383)
        // The tag runs from the first '{' to the first '}' after it.
        XCTAssertEqual(RedisClusterHashSlot.slot(for: "foo{{bar}}zap"), RedisClusterHashSlot.slot(for: "{bar"))
        XCTAssertEqual(RedisClusterHashSlot.slot(for: "foo{bar}{zap}"), RedisClusterHashSlot.slot(for: "bar"))
        // No closing brace: the whole key.
        XCTAssertEqual(RedisClusterHashSlot.slot(for: "foo{bar"), Int(RedisClusterHashSlot.crc16("foo{bar")) & 16383)
    }

    func testKeyExtraction() {
        XCTAssertEqual(ClusterKeySpec.keys(of: ["GET", "a"]), ["a"])
        XCTAssertEqual(ClusterKeySpec.keys(of: ["MSET", "a", "1", "b", "2"]), ["a", "b"])
        XCTAssertEqual(ClusterKeySpec.keys(of: ["EVAL", "return 1", "2", "a", "b", "x"]), ["a", "b"])
        XCTAssertEqual(ClusterKeySpec.keys(of: ["BLPOP", "a", "b", "0"]), ["a", "b"])
        XCTAssertEqual(ClusterKeySpec.keys(of: ["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"]), ["d", "a", "b"])
        XCTAssertEqual(ClusterKeySpec.keys(of: ["XREAD", "COUNT", "1", "STREAMS", "s1", "s2", "0", "0"]), ["s1", "s2"])
        XCTAssertEqual(ClusterKeySpec.keys(of: ["PING"]), [])
    }
}

/// Six `redis-server --cluster-enabled yes` nodes (3 primaries + 3 replicas) started once for
/// the class by scripts/redis-cluster, on free loopback ports in 30000-30100.
final class ClusterFixture: @unchecked Sendable {
    let basePort: Int
    let directory: String
    var ports: [Int] { (0..<6).map { basePort + $0 } }

    static let script = ServerProcess.packageRoot + "/scripts/redis-cluster"
    static let redisCLI: String? = ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    private init(basePort: Int, directory: String) {
        self.basePort = basePort
        self.directory = directory
    }

    static func start() throws -> ClusterFixture {
        guard redisCLI != nil, ServerProcess.Kind.redis.executable != nil else {
            throw XCTSkip("redis-server/redis-cli are not installed")
        }
        let directory = NSTemporaryDirectory() + "ember-cluster-\(getpid())"
        var base = 30000 + Int(getpid() % 10) * 6
        var lastError = ""
        for _ in 0..<10 {
            if (0..<6).allSatisfy({ isFree(base + $0) && isFree(base + $0 + 10000) }) {
                let (status, output) = run(script, ["start", String(base), directory])
                if status == 0 { return ClusterFixture(basePort: base, directory: directory) }
                lastError = output
                _ = run(script, ["stop", directory])
            }
            base += 6
            if base + 6 > 30100 { base = 30000 }
        }
        throw RedisClientError(.connectFailed, "could not start the cluster: \(lastError)")
    }

    func stop() {
        _ = Self.run(Self.script, ["stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `redis-cli -p port args...` and returns its output (trimmed).
    @discardableResult
    func cli(_ port: Int, _ arguments: [String]) -> String {
        Self.run(Self.redisCLI!, ["-p", String(port)] + arguments).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func nodeID(_ port: Int) -> String { cli(port, ["CLUSTER", "MYID"]) }

    func killNode(_ port: Int) {
        _ = Self.run(Self.script, ["kill-node", String(port), directory])
    }

    func restartNode(_ port: Int) {
        _ = Self.run(Self.script, ["restart-node", String(port), directory])
    }

    /// Waits until every node reports cluster_state:ok and three replicas are in sync.
    func waitUntilHealthy(timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let ok = ports.allSatisfy { cli($0, ["CLUSTER", "INFO"]).contains("cluster_state:ok") }
            let synced = ports.filter { cli($0, ["INFO", "replication"]).contains("master_link_status:up") }.count
            if ok && synced == 3 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RedisClientError(.clusterUnavailable, "the cluster did not recover")
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Runs a program to completion (posix_spawn + waitpid: Foundation's `Process.waitUntilExit`
    /// can miss the exit of a child whose own children daemonize).
    static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let path = NSTemporaryDirectory() + "ember-cluster-run-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).out"
        defer { unlink(path) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { return (-1, "posix_spawn failed: \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : -1, output)
    }
}

final class ClusterTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: Result<ClusterFixture, any Error>?
    private var clients: [RedisClusterClient] = []

    override class func setUp() {
        super.setUp()
        fixture = Result { try ClusterFixture.start() }
    }

    override class func tearDown() {
        if case .success(let cluster) = fixture { cluster.stop() }
        fixture = nil
        super.tearDown()
    }

    override func tearDown() async throws {
        for client in clients { try? await client.close() }
        clients = []
    }

    private func cluster() throws -> ClusterFixture {
        guard let fixture = Self.fixture else { throw XCTSkip("no cluster") }
        return try fixture.get()
    }

    private func connect(_ protocolVersion: RESPVersion = .resp3) async throws -> RedisClusterClient {
        let cluster = try cluster()
        var connection = RedisConnectionConfiguration(host: "127.0.0.1", port: cluster.basePort)
        connection.protocolVersion = protocolVersion
        connection.connectTimeout = .seconds(2)
        connection.commandTimeout = .seconds(10)
        var configuration = RedisClusterClient.Configuration(
            seeds: [.init(host: "127.0.0.1", port: cluster.basePort), .init(host: "127.0.0.1", port: cluster.basePort + 1)],
            connection: connection)
        configuration.retryDelay = .milliseconds(50)
        let client = try await RedisClusterClient.connect(configuration: configuration)
        clients.append(client)
        return client
    }

    /// A key (`prefix` + a number) whose slot is `slot`.
    private func key(inSlot slot: Int, prefix: String) -> String {
        var index = 0
        while RedisClusterHashSlot.slot(for: "\(prefix)\(index)") != slot { index += 1 }
        return "\(prefix)\(index)"
    }

    func testSlotMapFromShardsListsReplicas() async throws {
        let client = try await connect()
        for primary in client.primaries {
            XCTAssertEqual(client.replicas(of: primary).count, 1, "\(primary)")
        }
    }

    func testReadsFromReplicas() async throws {
        let cluster = try cluster()
        var connection = RedisConnectionConfiguration(host: "127.0.0.1", port: cluster.basePort)
        connection.connectTimeout = .seconds(2)
        var configuration = RedisClusterClient.Configuration(seeds: [.init(host: "127.0.0.1", port: cluster.basePort)], connection: connection)
        configuration.readsFromReplicas = true
        let client = try await RedisClusterClient.connect(configuration: configuration)
        defer { Task { try? await client.close() } }
        let key = "replica-read:{r}"
        let primary = try XCTUnwrap(client.primary(forSlot: RedisClusterHashSlot.slot(for: key)))
        let replica = try XCTUnwrap(client.replicas(of: primary).first)
        cluster.cli(replica.port, ["CONFIG", "RESETSTAT"])
        cluster.cli(primary.port, ["CONFIG", "RESETSTAT"])
        try await client.set(key, to: "copied")
        // Replication is asynchronous: the replica answers nil until the write reaches it.
        try await withTimeLimit(.seconds(5)) {
            while try await client.get(key, as: String.self) != "copied" { try await Task.sleep(for: .milliseconds(10)) }
        }
        XCTAssert(cluster.cli(replica.port, ["INFO", "commandstats"]).contains("cmdstat_get:"), "the replica served the GETs")
        let primaryStats = cluster.cli(primary.port, ["INFO", "commandstats"])
        XCTAssert(primaryStats.contains("cmdstat_set:"), "the write went to the primary")
        XCTAssertFalse(primaryStats.contains("cmdstat_get:"), "no read went to the primary")
    }

    /// A primary is SIGKILLed under a write load; its replica takes over after the node
    /// timeout. Writes acknowledged by the primary and one replica (WAIT 1) survive, and the
    /// client's own commands reach the new primary. The killed node is then restarted and
    /// rejoins as a replica, leaving the cluster as it was for the other tests.
    func testPrimaryKilledUnderLoad() async throws {
        let cluster = try cluster()
        let client = try await connect()
        let key = "crash:{counter}"
        let slot = RedisClusterHashSlot.slot(for: key)
        let primary = try XCTUnwrap(client.primary(forSlot: slot))
        let replica = try XCTUnwrap(client.replicas(of: primary).first)

        let stop = StopFlag()
        let writer = Task { () -> (acknowledged: Int, attempted: Int) in
            var acknowledged = 0
            var attempted = 0
            while !stop.isSet {
                guard let node = client.primary(forSlot: slot) else { continue }
                attempted += 1
                do {
                    // INCR, then WAIT until one replica has it: only then is it acknowledged.
                    let replies = try await client.pool(for: node).pipeline([["INCR", Bytes(key)], ["WAIT", "1", "1000"]])
                    if case .success = replies[0], case .success(.integer(let copies)) = replies[1], copies >= 1 {
                        acknowledged += 1
                    }
                } catch {
                    // The primary is gone: wait for the map to name the new one.
                    try? await Task.sleep(for: .milliseconds(50))
                    try? await client.refreshSlotMap()
                }
            }
            return (acknowledged, attempted)
        }
        try await Task.sleep(for: .milliseconds(300))
        cluster.killNode(primary.port)
        // The client itself finds the new primary (after the node timeout of 2 s) on its own.
        let clock = ContinuousClock()
        let killed = clock.now
        try await withTimeLimit(.seconds(30)) {
            while true {
                do {
                    _ = try await client.incr("crash:{probe}")
                    if client.primary(forSlot: slot) == replica { return }
                } catch {}
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        print("primary killed: the client wrote to the promoted replica after \(clock.now - killed)")
        try await Task.sleep(for: .milliseconds(300))
        stop.set()
        let (acknowledged, attempted) = try await writer.value
        let value = try await client.get(key, as: Int.self) ?? 0
        print("primary killed: \(acknowledged) INCRs acknowledged by WAIT, \(attempted) attempted, counter \(value)")
        XCTAssertGreaterThan(acknowledged, 0)
        XCTAssertGreaterThanOrEqual(value, acknowledged, "an acknowledged write was lost")
        XCTAssertLessThanOrEqual(value, attempted)
        _ = try await client.del(key)

        cluster.restartNode(primary.port)
        try await cluster.waitUntilHealthy()
        try await client.refreshSlotMap()
    }

    func testClusterPipelinesTransactionsAndShardedPubSub() async throws {
        try await checkPipelinesTransactionsAndShardedPubSub(try await connect())
    }

    // MARK: - Routing

    func testSlotMapFromBothProtocols() async throws {
        for version in [RESPVersion.resp2, .resp3] {
            let client = try await connect(version)
            XCTAssertEqual(client.primaries.count, 3)
            XCTAssertTrue((0..<16384).allSatisfy { client.primary(forSlot: $0) != nil })
            _ = try await client.set("proto-\(version)", to: "x")
            try await assertEqual(try await client.get("proto-\(version)", as: String.self), "x")
        }
    }

    func testRoutesManyKeysAcrossAllSlots() async throws {
        let client = try await connect()
        let keys = (0..<300).map { "route:\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for key in keys { group.addTask { _ = try await client.set(key, to: "v-\(key)") } }
            try await group.waitForAll()
        }
        for key in keys {
            try await assertEqual(try await client.get(key, as: String.self), "v-\(key)")
        }
        // The keys landed on every primary, each holding only keys of its own slots.
        let owners = Set(keys.map { client.primary(forSlot: RedisClusterHashSlot.slot(for: $0))! })
        XCTAssertEqual(owners.count, 3)
        let cluster = try cluster()
        let total = client.primaries.map { Int(cluster.cli($0.port, ["DBSIZE"])) ?? 0 }.reduce(0, +)
        XCTAssertGreaterThanOrEqual(total, 300)
        try await assertEqual(try await client.del(keys), 300)
    }

    func testHashTagsKeepKeysTogether() async throws {
        let client = try await connect()
        _ = try await client.send("SADD", "{user1000}.following", "a", "b")
        _ = try await client.send("SADD", "{user1000}.followers", "b", "c")
        // One slot: SUNION runs as one command on one node.
        let union = try await client.send(["SUNION", "{user1000}.following", "{user1000}.followers"], as: [String].self)
        XCTAssertEqual(Set(union), ["a", "b", "c"])
        _ = try await client.send("RENAME", "{user1000}.following", "{user1000}.following2")
        try await assertEqual(try await client.exists("{user1000}.following2"), 1)
        try await assertEqual(try await client.del("{user1000}.following2", "{user1000}.followers"), 2)
    }

    func testMultiKeyCommandsSplitPerSlot() async throws {
        let client = try await connect()
        let keys = (0..<40).map { "multi:\($0)" }
        XCTAssertGreaterThan(Set(keys.map { RedisClusterHashSlot.slot(for: $0) }).count, 3)
        // MSET split per slot.
        try await client.mset(keys.map { ($0 as any RESPArgumentConvertible, "value-\($0)" as any RESPArgumentConvertible) })
        // MGET merged in key order, with a missing key in the middle.
        var asked = keys
        asked.insert("multi:missing", at: 7)
        let values = try await client.mget(asked)
        XCTAssertEqual(values.count, asked.count)
        for (key, value) in zip(asked, values) {
            XCTAssertEqual(value?.string, key == "multi:missing" ? nil : "value-\(key)")
        }
        // Counts summed; a key named twice counts twice, as Redis does.
        try await assertEqual(try await client.exists(keys + [keys[0], "multi:missing"]), 41)
        try await assertEqual(try await client.send(["TOUCH"] + keys, as: Int.self), 40)
        try await assertEqual(try await client.del(Array(keys[0..<20]) + ["multi:missing"]), 20)
        try await assertEqual(try await client.send(["UNLINK"] + keys, as: Int.self), 20)
        try await assertEqual(try await client.exists(keys), 0)
    }

    func testCrossSlotIsAClientError() async throws {
        let client = try await connect()
        XCTAssertNotEqual(RedisClusterHashSlot.slot(for: "foo"), RedisClusterHashSlot.slot(for: "bar"))
        do {
            _ = try await client.send("SUNION", "foo", "bar")
            XCTFail("SUNION over two slots should fail")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .crossSlot)
            XCTAssertTrue(error.message.contains("CROSSSLOT"), error.message)
        }
        do {
            _ = try await client.send("RENAME", "foo", "bar")
            XCTFail("RENAME over two slots should fail")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .crossSlot)
        }
        // Commands without keys go to some primary.
        try await assertEqual(try await client.send(["PING"], as: String.self), "PONG")
    }

    // MARK: - Redirects

    /// `redis-cli --cluster reshard` moves one slot while a client with the old map keeps
    /// working: it gets MOVED, follows it, and then routes the slot to its new owner.
    func testMovedAfterReshard() async throws {
        let cluster = try cluster()
        let client = try await connect()
        let before = (0..<16384).map { client.primary(forSlot: $0)! }
        let source = client.primaries[0], destination = client.primaries[1]
        let output = ClusterFixture.run(ClusterFixture.redisCLI!, [
            "--cluster", "reshard", "127.0.0.1:\(cluster.basePort)",
            "--cluster-from", cluster.nodeID(source.port), "--cluster-to", cluster.nodeID(destination.port),
            "--cluster-slots", "1", "--cluster-yes",
        ])
        XCTAssertEqual(output.status, 0, output.output)
        // Which slot moved: ask a fresh client.
        let fresh = try await connect()
        let moved = (0..<16384).filter { fresh.primary(forSlot: $0) != before[$0] }
        XCTAssertEqual(moved.count, 1)
        let slot = try XCTUnwrap(moved.first)
        XCTAssertEqual(fresh.primary(forSlot: slot), destination)
        XCTAssertEqual(client.primary(forSlot: slot), source, "the old client's map is stale")

        let key = key(inSlot: slot, prefix: "reshard:")
        _ = try await client.set(key, to: "after-move")  // MOVED, then the new owner
        XCTAssertEqual(client.primary(forSlot: slot), destination)
        try await assertEqual(try await client.get(key, as: String.self), "after-move")
        XCTAssertEqual(cluster.cli(destination.port, ["GET", key]), "after-move")
        _ = try await client.del(key)
    }

    /// A manual migration: while a slot is MIGRATING/IMPORTING, keys already moved are served
    /// through ASK (the map unchanged); once the slot is assigned, MOVED updates the map.
    func testAskDuringMigrationThenMoved() async throws {
        let cluster = try cluster()
        let client = try await connect()
        let source = client.primaries[2], destination = client.primaries[0]
        let slot = RedisClusterHashSlot.slot(for: key(inSlot: (0..<16384).first { client.primary(forSlot: $0) == source }! + 7, prefix: "ask:"))
        let first = key(inSlot: slot, prefix: "ask-a:"), second = key(inSlot: slot, prefix: "ask-b:")
        _ = try await client.set(first, to: "one")
        _ = try await client.set(second, to: "two")
        let sourceID = cluster.nodeID(source.port), destinationID = cluster.nodeID(destination.port)

        XCTAssertEqual(cluster.cli(destination.port, ["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID]), "OK")
        XCTAssertEqual(cluster.cli(source.port, ["CLUSTER", "SETSLOT", String(slot), "MIGRATING", destinationID]), "OK")
        XCTAssertEqual(cluster.cli(source.port, ["MIGRATE", "127.0.0.1", String(destination.port), "", "0", "5000", "KEYS", first]), "OK")

        // `first` now lives on the destination: the source answers ASK.
        try await assertEqual(try await client.get(first, as: String.self), "one")
        try await assertEqual(try await client.get(second, as: String.self), "two")
        // A new key in a migrating slot is created on the destination (ASK).
        let third = key(inSlot: slot, prefix: "ask-c:")
        _ = try await client.set(third, to: "three")
        XCTAssertEqual(cluster.cli(destination.port, ["CLUSTER", "COUNTKEYSINSLOT", String(slot)]), "2")
        XCTAssertEqual(client.primary(forSlot: slot), source, "ASK does not change the map")

        XCTAssertEqual(cluster.cli(source.port, ["MIGRATE", "127.0.0.1", String(destination.port), "", "0", "5000", "KEYS", second]), "OK")
        for port in [destination.port, source.port] + client.primaries.map(\.port).filter({ $0 != destination.port && $0 != source.port }) {
            XCTAssertEqual(cluster.cli(port, ["CLUSTER", "SETSLOT", String(slot), "NODE", destinationID]), "OK")
        }
        try await assertEqual(try await client.get(second, as: String.self), "two")  // MOVED
        XCTAssertEqual(client.primary(forSlot: slot), destination)
        try await assertEqual(try await client.mget([first, second, third], as: String.self), ["one", "two", "three"])
        try await assertEqual(try await client.del(first, second, third), 3)
    }
}

extension ClusterTests {
    /// `CLUSTER FAILOVER` on a replica while a writer keeps incrementing a counter on its
    /// primary: the client follows MOVED to the new primary and no acknowledged write is lost.
    func testWritesContinueThroughFailover() async throws {
        let cluster = try cluster()
        let client = try await connect()
        let key = "failover:{counter}"
        let slot = RedisClusterHashSlot.slot(for: key)
        let primary = try XCTUnwrap(client.primary(forSlot: slot))
        let replicas = cluster.cli(primary.port, ["CLUSTER", "REPLICAS", cluster.nodeID(primary.port)])
        let replicaAddress = try XCTUnwrap(replicas.split(separator: " ").dropFirst().first?.split(separator: "@").first)
        let replicaPort = try XCTUnwrap(Int(replicaAddress.split(separator: ":").last ?? ""))

        let stop = StopFlag()
        let writer = Task { () -> Int in
            var acknowledged = 0
            while !stop.isSet {
                _ = try await client.incr(key)
                acknowledged += 1
            }
            return acknowledged
        }
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(cluster.cli(replicaPort, ["CLUSTER", "FAILOVER"]), "OK")
        let deadline = ContinuousClock.now + .seconds(10)
        while !cluster.cli(replicaPort, ["ROLE"]).hasPrefix("master"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertTrue(cluster.cli(replicaPort, ["ROLE"]).hasPrefix("master"), "the replica did not take over")
        try await Task.sleep(for: .milliseconds(300))
        stop.set()
        let acknowledged = try await writer.value
        XCTAssertGreaterThan(acknowledged, 0)
        XCTAssertEqual(client.primary(forSlot: slot), RedisClusterClient.NodeAddress(host: "127.0.0.1", port: replicaPort))
        try await assertEqual(try await client.get(key, as: Int.self), acknowledged)
        _ = try await client.del(key)
    }
}

/// Tells a loop in another task to stop after its current step (cancelling would interrupt it).
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

extension ClusterTests {
    /// Pipelines, transactions, WATCH and sharded pub/sub on the cluster (forwarded from the
    /// class by `testClusterPipelinesTransactionsAndShardedPubSub`).
    func checkPipelinesTransactionsAndShardedPubSub(_ client: RedisClusterClient) async throws {
        // A pipeline over keys on every node: one write per node, replies in order.
        let commands = (0..<60).map { RESPCommand("SET", "pipe:\($0)", $0) } + (0..<60).map { RESPCommand("GET", "pipe:\($0)") }
            + [["MGET", "pipe:1", "pipe:2", "pipe:3"], ["PING"]]
        let results = try await client.pipeline(commands)
        XCTAssertEqual(results.count, commands.count)
        for index in 0..<60 { XCTAssertEqual(try results[60 + index].get(), .bulkString(Bytes("\(index)"))) }
        XCTAssertEqual(try results[120].get(), .array([.bulkString("1"), .bulkString("2"), .bulkString("3")]))

        // A transaction goes whole to its slot's node; keys in several slots are refused.
        var transaction = RedisTransaction()
        let first = transaction.queue(["INCR", "{account}:a"], as: Int.self)
        let second = transaction.queue(RESPCommand("INCRBY", "{account}:b", 5), as: Int.self)
        let reply = try await client.multi(transaction)
        let result = try XCTUnwrap(reply)
        XCTAssertEqual(try result[first], 1)
        XCTAssertEqual(try result[second], 5)
        do {
            _ = try await client.multi { $0.queue(["INCR", "a"]); $0.queue(["INCR", "b"]) }
            XCTFail("a cross-slot transaction was sent")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .crossSlot)
        }
        let watched = try await client.watch(["{account}:a"]) { connection in
            let value = try await connection.get("{account}:a", as: Int.self) ?? 0
            var transaction = RedisTransaction()
            transaction.queue(RESPCommand("SET", "{account}:a", value * 10))
            return transaction
        }
        XCTAssertNotNil(watched)
        try await assertEqual(await client.get("{account}:a", as: Int.self), 10)

        // Sharded pub/sub: SSUBSCRIBE on the channel's node, SPUBLISH routed by slot.
        let orders = try await client.subscribe(toShardChannels: ["orders:{7}"])
        try await assertEqual(await client.send("SPUBLISH", "orders:{7}", "order 1"), .integer(1))
        let message = try await withTimeLimit(.seconds(5)) {
            var iterator = orders.makeAsyncIterator()
            return try await iterator.next()
        }
        XCTAssertEqual(message, RedisPubSubMessage(kind: .shardMessage, channel: "orders:{7}", payload: "order 1"))
        orders.unsubscribe()
    }
}
