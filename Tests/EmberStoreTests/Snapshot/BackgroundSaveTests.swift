@testable import EmberStore
import EmberRESP
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// BGSAVE must write the data exactly as it was when it began, while commands go on changing,
/// deleting, flushing and swapping it.
final class BackgroundSaveTests: XCTestCase {
    private var directory = ""

    override func setUp() {
        var template = Array("/tmp/ember-bgsave-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    override func tearDown() {
        _ = directory.withCString { path in system("rm -rf '\(String(cString: path))'") }
    }

    private func makeEngine(file: String) -> (Engine, ClientState) {
        var config = EngineConfiguration()
        config.enableDebugCommand = "yes"
        config.persistence.dbFilename = "\(directory)/\(file)"
        let engine = Engine(configuration: config)
        let client = engine.lock.withLock { engine.makeClient() }
        return (engine, client)
    }

    @discardableResult
    private func run(_ engine: Engine, _ client: ClientState, _ words: [String]) -> Reply {
        engine.execute(words.map { Bytes($0) }, client: client)
    }

    /// Every key of every database with its DUMP payload and expiry: what the data *is*.
    private func contents(_ engine: Engine) -> [String: String] {
        engine.lock.withLock {
            var result: [String: String] = [:]
            for db in engine.databases.indices {
                for index in engine.databases[db].keys.indices {
                    let entry = engine.databases[db].keys[index]
                    let payload = DumpPayload.create(entry.value.value, encoding: RDBValueEncoding(configuration: engine.config))
                    let expire = engine.databases[db].expireTime(at: index).map(String.init) ?? "-"
                    result["\(db):\(entry.key.string)"] = "\(payload.array) \(expire)"
                }
            }
            return result
        }
    }

    private func waitForBackgroundSave(_ engine: Engine) {
        let deadline = Clock.monotonicNanoseconds() + 60_000_000_000
        while engine.lock.withLock({ engine.persistenceState.backgroundSaveInProgress }) {
            XCTAssertLessThan(Clock.monotonicNanoseconds(), deadline, "BGSAVE did not finish")
            usleep(1000)
        }
    }

    private func populate(_ engine: Engine, _ client: ClientState, keys: Int) {
        for db in 0..<3 {
            run(engine, client, ["select", String(db)])
            for number in 0..<keys {
                switch number % 6 {
                case 0: run(engine, client, ["set", "s\(number)", "value-\(number)-\(String(repeating: "x", count: number % 40))"])
                case 1: run(engine, client, ["rpush", "l\(number)", "a", "b", "\(number)"])
                case 2: run(engine, client, ["hset", "h\(number)", "f", "\(number)", "g", "y"])
                case 3: run(engine, client, ["sadd", "t\(number)", "\(number)", "7", "m\(number)"])
                case 4: run(engine, client, ["zadd", "z\(number)", "1.5", "a", "\(number)", "b"])
                default: run(engine, client, ["set", "e\(number)", "\(number)", "pxat", "\(4_000_000_000_000 + number)"])
                }
            }
        }
        // A large table-encoded hash and list, changed in place later.
        run(engine, client, ["select", "0"])
        for number in 0..<2000 { run(engine, client, ["hset", "bighash", "field\(number)", "\(number)"]) }
        for number in 0..<2000 { run(engine, client, ["rpush", "biglist", "\(number)"]) }
    }

    func testBackgroundSaveWritesTheDataAsItWasWhenItBegan() throws {
        let (engine, client) = makeEngine(file: "dump.rdb")
        populate(engine, client, keys: 30_000)
        let before = contents(engine)
        // One key per slice, so the changes below surely land while the walk is under way.
        engine.lock.withLock { engine.config.persistence.rdbKeySaveDelay = 1 }
        XCTAssertEqual(text(run(engine, client, ["bgsave"])), "Background saving started")
        // Change, delete and add keys while the walker runs, in every way a command can.
        for number in stride(from: 0, to: 30_000, by: 7) {
            run(engine, client, ["select", String(number % 3)])
            run(engine, client, ["set", "s\(number)", "changed"])
            run(engine, client, ["del", "l\(number + 1)"])
            run(engine, client, ["hset", "h\(number + 2)", "f", "new"])
            run(engine, client, ["srem", "t\(number + 3)", "7"])
            run(engine, client, ["zincrby", "z\(number + 4)", "10", "a"])
            run(engine, client, ["persist", "e\(number + 5)"])
            run(engine, client, ["set", "fresh\(number)", "new"])
            if number % 700 == 0 {
                run(engine, client, ["select", "0"])
                run(engine, client, ["hset", "bighash", "field\(number % 2000)", "changed"])
                run(engine, client, ["lpop", "biglist"])
                run(engine, client, ["rename", "s\(number + 6)", "renamed\(number)"])
            }
        }
        run(engine, client, ["swapdb", "1", "2"])
        run(engine, client, ["select", "1"])
        run(engine, client, ["flushdb"])
        XCTAssertTrue(engine.lock.withLock { engine.persistenceState.backgroundSaveInProgress }, "the walk ended before the changes")
        waitForBackgroundSave(engine)
        XCTAssertTrue(engine.lock.withLock { engine.persistenceState.lastBackgroundSaveOK })

        let (loaded, _) = makeEngine(file: "dump.rdb")
        try loaded.loadDataAtStartup()
        let after = contents(loaded)
        XCTAssertEqual(after.count, before.count)
        let differing = before.filter { after[$0.key] != $0.value }.map(\.key).sorted()
        XCTAssertEqual(differing.prefix(10), [], "\(differing.count) keys differ")
    }

    func testEveryEntryIsSavedAgainByTheNextSnapshot() throws {
        let (engine, client) = makeEngine(file: "dump.rdb")
        populate(engine, client, keys: 3000)
        for round in 0..<3 {
            run(engine, client, ["set", "round", "\(round)"])
            let before = contents(engine)
            XCTAssertEqual(text(run(engine, client, ["bgsave"])), "Background saving started")
            waitForBackgroundSave(engine)
            let (loaded, _) = makeEngine(file: "dump.rdb")
            try loaded.loadDataAtStartup()
            XCTAssertEqual(contents(loaded), before, "round \(round)")
        }
    }

    func testFlushAllAbandonsTheRunningSaveAndSavesTheEmptyDataSet() throws {
        let (engine, client) = makeEngine(file: "dump.rdb")
        populate(engine, client, keys: 3000)
        engine.lock.withLock { engine.config.persistence.rdbKeySaveDelay = 100 }
        XCTAssertEqual(text(run(engine, client, ["bgsave"])), "Background saving started")
        XCTAssertEqual(text(run(engine, client, ["flushall"])), "OK")
        waitForBackgroundSave(engine)
        XCTAssertTrue(engine.lock.withLock { engine.persistenceState.lastBackgroundSaveOK })
        let (loaded, _) = makeEngine(file: "dump.rdb")
        XCTAssertEqual(try loaded.loadDataAtStartup(), 0)
        // With save points the flush saved at once: nothing changed since.
        XCTAssertEqual(engine.lock.withLock { engine.dirty - engine.persistenceState.dirtyAtLastSave }, 0)
    }

    func testSaveAndBackgroundSaveRefuseToOverlap() {
        let (engine, client) = makeEngine(file: "dump.rdb")
        populate(engine, client, keys: 30_000)
        XCTAssertEqual(text(run(engine, client, ["bgsave"])), "Background saving started")
        XCTAssertEqual(text(run(engine, client, ["bgsave"])), "ERR Background save already in progress")
        XCTAssertEqual(text(run(engine, client, ["save"])), "ERR Background save already in progress")
        waitForBackgroundSave(engine)
        XCTAssertEqual(text(run(engine, client, ["save"])), "OK")
    }

    private func text(_ reply: Reply) -> String {
        switch reply {
        case .simple(let text): return text
        case .error(let message): return message.string
        case .ok: return "OK"
        default: return "\(reply)"
        }
    }
}
