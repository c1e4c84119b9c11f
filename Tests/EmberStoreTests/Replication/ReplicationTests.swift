import Dispatch
import EmberRESP
import Foundation
import NIOConcurrencyHelpers
import XCTest

@testable import EmberStore

/// Full synchronisation without a socket: a transport that records what it is asked to write.
final class ReplicationTests: XCTestCase {
    /// What the engine wrote to one replica, in order, and whether it was closed.
    final class RecordingTransport: @unchecked Sendable {
        private let state = NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>(([], false))
        /// Stands for the connection's event loop: runs the writes later, one at a time.
        private let loop = DispatchQueue(label: "replica-loop")
        var bytes: [UInt8] {
            loop.sync {}
            return state.withLockedValue { $0.bytes }
        }
        var closed: Bool { state.withLockedValue { $0.closed } }

        var transport: ReplicaTransport {
            ReplicaTransport(
                write: { [self] produce in
                    loop.async {
                        let chunk = produce()
                        self.state.withLockedValue { $0.bytes += chunk }
                    }
                },
                close: { [self] in state.withLockedValue { $0.closed = true } })
        }
    }

    private var directory = ""

    override func setUp() {
        directory = NSTemporaryDirectory() + "ember-replication-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func makeEngine() -> Engine {
        var config = EngineConfiguration()
        config.persistence.dbFilename = "\(directory)/dump.rdb"
        config.persistence.savePoints = []
        return Engine(configuration: config)
    }

    @discardableResult
    private func run(_ engine: Engine, _ client: ClientState, _ words: String...) -> Reply {
        engine.execute(words.map { Bytes($0) }, client: client)
    }

    private func isNone(_ reply: Reply) -> Bool {
        if case .none = reply { return true }
        return false
    }

    private func waitUntil(_ condition: () -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(20)
        while !condition() && Date() < deadline { usleep(2000) }
        XCTAssertTrue(condition(), "timed out", file: file, line: line)
    }

    /// The snapshot holds what was there when SYNC arrived; changes after it follow the file,
    /// with a SELECT first.
    func testSnapshotThenStream() throws {
        let engine = makeEngine()
        let recorder = RecordingTransport()
        engine.replicaTransportFactory = { _ in recorder.transport }
        let client = engine.lock.withLock { engine.makeClient() }
        let replica = engine.lock.withLock { engine.makeClient() }
        run(engine, client, "SET", "before", "1")
        XCTAssertTrue(isNone(run(engine, replica, "SYNC")))
        XCTAssertTrue(replica.isReplica)
        run(engine, client, "SET", "after", "2")
        waitUntil { engine.lock.withLock { engine.replication.replicas.first?.state == .online } }
        run(engine, client, "SELECT", "4")
        run(engine, client, "INCR", "n")

        let file = try XCTUnwrap(PersistenceFiles.read("\(directory)/dump.rdb"))
        let expected = Array("$\(file.count)\r\n".utf8) + file
            + AOFFormat.encode([Bytes("SELECT"), Bytes("0")]) + AOFFormat.encode([Bytes("SET"), Bytes("after"), Bytes("2")])
            + AOFFormat.encode([Bytes("SELECT"), Bytes("4")]) + AOFFormat.encode([Bytes("INCR"), Bytes("n")])
        // Newlines may come first (keep-alives while the save runs).
        let received = Array(recorder.bytes.drop { $0 == 10 })
        XCTAssertEqual(received, expected)
        let info = engine.lock.withLock { engine.replication.infoLines(nowMilliseconds: Clock.milliseconds()) }
        XCTAssertTrue(info.contains("connected_slaves:1"))
        XCTAssertTrue(info.contains { $0.hasPrefix("slave0:ip=") && $0.contains("state=online") })
        XCTAssertTrue(info.contains("master_repl_offset:\(expected.count - file.count - "$\(file.count)\r\n".utf8.count)"))

        engine.lock.withLock { engine.removeClient(replica) }
        XCTAssertTrue(engine.lock.withLock { engine.replication.replicas.isEmpty })
        XCTAssertFalse(engine.propagation.isActive, "nothing listens once the last replica left")
    }

    /// PSYNC announces the id and offset before the file; REPLCONF ACK moves the replica's
    /// offset and is not answered.
    func testPsyncAnnouncesFullResyncAndAcknowledgementsCount() throws {
        let engine = makeEngine()
        let recorder = RecordingTransport()
        engine.replicaTransportFactory = { _ in recorder.transport }
        let replica = engine.lock.withLock { engine.makeClient() }
        XCTAssertEqual(text(run(engine, replica, "REPLCONF", "listening-port", "6380")), "OK")
        XCTAssertEqual(run(engine, replica, "REPLCONF", "nonsense", "1").errorMessage?.string, "ERR Unrecognized REPLCONF option: nonsense")
        XCTAssertTrue(isNone(run(engine, replica, "PSYNC", "?", "-1")))
        waitUntil { engine.lock.withLock { engine.replication.replicas.first?.state == .online } }
        let id = engine.lock.withLock { engine.replication.replicationID }
        XCTAssertTrue(recorder.bytes.starts(with: Array("+FULLRESYNC \(id) 0\r\n$".utf8)))
        XCTAssertTrue(isNone(run(engine, replica, "REPLCONF", "ACK", "42")))
        let link = try XCTUnwrap(engine.lock.withLock { engine.replication.replicas.first })
        XCTAssertEqual(link.acknowledgedOffset, 42)
        XCTAssertEqual(link.listeningPort, 6380)
    }

    /// A second replica arriving while the first one's save runs shares that save and the
    /// stream since it began.
    func testLateReplicaSharesTheRunningSave() throws {
        var config = EngineConfiguration()
        config.persistence.dbFilename = "\(directory)/dump.rdb"
        config.persistence.rdbKeySaveDelay = 10_000  // 10 ms per key: the save runs half a second
        let engine = Engine(configuration: config)
        let first = RecordingTransport(), second = RecordingTransport()
        let replicas = engine.lock.withLock { (engine.makeClient(), engine.makeClient()) }
        engine.replicaTransportFactory = { client in client.id == replicas.0.id ? first.transport : second.transport }
        let client = engine.lock.withLock { engine.makeClient() }
        for index in 0..<50 { run(engine, client, "SET", "k\(index)", "v") }
        run(engine, replicas.0, "SYNC")
        run(engine, client, "SET", "during", "1")
        run(engine, replicas.1, "SYNC")
        XCTAssertEqual(engine.lock.withLock { engine.replication.replicas.map(\.state) }, [.waitingForSnapshotEnd, .waitingForSnapshotEnd])
        waitUntil { engine.lock.withLock { engine.replication.replicas.allSatisfy { $0.state == .online } } }
        XCTAssertEqual(first.bytes.drop { $0 == 10 }.count, second.bytes.drop { $0 == 10 }.count)
        XCTAssertTrue(second.bytes.suffix(40).elementsEqual(first.bytes.suffix(40)))
    }
}
