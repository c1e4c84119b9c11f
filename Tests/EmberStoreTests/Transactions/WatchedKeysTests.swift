@testable import EmberStore
import EmberRESP
import XCTest

/// WATCH through the engine, with two clients: what touches a watched key, what does not, and
/// the bookkeeping that keeps the keyspace's signal free when nobody watches.
final class WatchedKeysTests: XCTestCase {
    private var engine: Engine!
    private var watcher: ClientState!
    private var other: ClientState!

    override func setUp() {
        engine = Engine()
        watcher = engine.lock.withLock { engine.makeClient() }
        other = engine.lock.withLock { engine.makeClient() }
    }

    @discardableResult
    private func run(_ client: ClientState, _ words: String...) -> Reply {
        engine.execute(words.map { Bytes($0) }, client: client)
    }

    /// MULTI, PING, EXEC on the watcher: whether EXEC ran.
    private func execRuns() -> Bool {
        run(watcher, "MULTI")
        run(watcher, "PING")
        if case .nullArray = run(watcher, "EXEC") { return false }
        return true
    }

    func testAChangeByAnotherClientFailsExecAndEndsTheWatch() {
        run(other, "SET", "k", "1")
        run(watcher, "WATCH", "k")
        XCTAssertEqual(engine.watchedKeys.count, 1)
        run(other, "INCR", "k")
        XCTAssertTrue(watcher.watchTouched)
        // A touched client watches nothing more: later changes cost nothing.
        XCTAssertEqual(engine.watchedKeys.count, 0)
        XCTAssertFalse(execRuns())
        XCTAssertFalse(watcher.watchTouched)
        XCTAssertTrue(execRuns())
    }

    func testNoOpWritesLeaveTheWatch() {
        run(other, "SADD", "s", "a")
        run(watcher, "WATCH", "s")
        run(other, "SREM", "s", "absent")
        run(other, "SADD", "s", "a")
        run(other, "DEL", "absent")
        XCTAssertTrue(execRuns())
    }

    func testNoOpWritesNeitherDirtyNorPropagate() {
        run(other, "SADD", "s", "a")
        let dirty = engine.lock.withLock { engine.dirty }
        run(other, "SREM", "s", "absent")
        run(other, "ZADD", "z", "1", "m")
        let afterZadd = engine.lock.withLock { engine.dirty }
        run(other, "ZADD", "z", "1", "m")
        run(other, "HSETNX", "h", "f", "v")
        let afterHsetnx = engine.lock.withLock { engine.dirty }
        run(other, "HSETNX", "h", "f", "w")
        XCTAssertEqual(afterZadd, dirty + 2)   // ZADD created the set (one key, one member)
        XCTAssertEqual(engine.lock.withLock { engine.dirty }, afterHsetnx)
    }

    func testDeletingAKeyAlreadyExpiredAtWatchIsNoChange() {
        run(other, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
        engine.lock.withLock {
            let index = engine.databases[0].set(Bytes("x"), .string(Bytes("v")), lru: 0)
            engine.databases[0].setExpire(at: index, 1)
        }
        run(watcher, "WATCH", "x")
        XCTAssertEqual(watcher.watching.first?.expiredWhenWatched, true)
        run(other, "EXISTS", "x")       // deletes it lazily
        XCTAssertTrue(execRuns())
    }

    func testFlushTouchesOnlyKeysThatExist() {
        run(other, "SET", "present", "1")
        run(watcher, "WATCH", "missing")
        run(other, "FLUSHALL")
        XCTAssertTrue(execRuns())
        run(other, "SET", "present", "1")
        run(watcher, "WATCH", "present")
        run(other, "FLUSHDB")
        XCTAssertFalse(execRuns())
    }

    func testSwapdbTouchesAKeyThatAppearsFromTheOtherDatabase() {
        run(other, "SELECT", "1")
        run(other, "SET", "x", "1")
        run(watcher, "WATCH", "x")      // missing in database 0
        run(other, "SWAPDB", "0", "1")
        XCTAssertFalse(execRuns())
    }

    func testDisconnectForgetsTheClientsWatches() {
        run(watcher, "WATCH", "a", "b", "a")
        XCTAssertEqual(watcher.watching.count, 2)
        engine.lock.withLock { engine.removeClient(watcher) }
        XCTAssertEqual(engine.watchedKeys.count, 0)
    }

    func testWatchInsideMultiIsRefused() {
        run(watcher, "MULTI")
        guard case .error(let message) = run(watcher, "WATCH", "k") else { return XCTFail("expected an error") }
        XCTAssertEqual(String(describing: message).contains("WATCH inside MULTI is not allowed"), true)
    }
}
