@testable import EmberStore
import EmberRESP
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class AOFFormatTests: XCTestCase {
    func testEncodeAndReadBack() throws {
        var bytes = AOFFormat.timestampAnnotation(1700000000)
        AOFFormat.append([Bytes("SET"), Bytes("k"), Bytes("a\r\nb")], to: &bytes)
        AOFFormat.append([Bytes("DEL"), Bytes("")], to: &bytes)
        XCTAssertEqual(String(decoding: AOFFormat.encode([Bytes("DEL"), Bytes("k")]), as: UTF8.self), "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n")
        var reader = AOFCommandReader(bytes)
        XCTAssertEqual(try reader.next()?.map(\.string), ["SET", "k", "a\r\nb"])
        XCTAssertEqual(try reader.next()?.map(\.string), ["DEL", ""])
        XCTAssertNil(try reader.next())
    }

    func testEveryCutOfACommandIsTruncatedNotCorrupt() {
        let whole = AOFFormat.encode([Bytes("SET"), Bytes("key"), Bytes("value")])
        for cut in 1..<whole.count {
            var reader = AOFCommandReader(Array(whole[0..<cut]))
            XCTAssertThrowsError(try reader.next(), "cut at \(cut)") { error in
                XCTAssertEqual((error as? AOFReadError)?.problem, .truncated, "cut at \(cut)")
                XCTAssertEqual((error as? AOFReadError)?.offset, 0)
            }
        }
    }

    func testCorruptInputNamesTheOffset() {
        for (text, offset) in [("*1\r\n$3\r\nDEL\r\nxyz", 13), ("*1\r\n$3\r\nDELx\r\n", 11), ("*a\r\n", 0), ("*1\r\n%3\r\n", 4),
                               ("*0\r\n", 0), ("*-5\r\n", 0), ("*1\r\n$-1\r\n", 4), ("*99999999999999999999\r\n", 0)] {
            var reader = AOFCommandReader(Array(text.utf8))
            var thrown: AOFReadError?
            do { while try reader.next() != nil {} } catch { thrown = error }
            guard let thrown, case .corrupt = thrown.problem else { return XCTFail("\(text.debugDescription) should be corrupt, got \(String(describing: thrown))") }
            XCTAssertEqual(thrown.offset, offset, text.debugDescription)
        }
    }

    func testHugeCountsDoNotPreallocate() {
        var reader = AOFCommandReader(Array("*2000000000\r\n$1\r\na\r\n".utf8))
        XCTAssertThrowsError(try reader.next()) { XCTAssertEqual(($0 as? AOFReadError)?.problem, .truncated) }
        var bulk = AOFCommandReader(Array("*1\r\n$999999999999\r\nab".utf8))
        XCTAssertThrowsError(try bulk.next()) { XCTAssertEqual(($0 as? AOFReadError)?.problem, .truncated) }
    }
}

final class AOFManifestTests: XCTestCase {
    func testRoundTripAndRedisText() throws {
        let text = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        let manifest = try AOFManifest.parse(Array(text.utf8))
        XCTAssertEqual(manifest.base?.name, "appendonly.aof.1.base.rdb")
        XCTAssertEqual(manifest.incrementals.map(\.name), ["appendonly.aof.1.incr.aof"])
        XCTAssertEqual(String(decoding: manifest.serialized(), as: UTF8.self), text)
        var spaced = AOFManifest()
        spaced.incrementals = [.init(name: "my file\"x.aof", sequence: 3, type: .incremental)]
        let reparsed = try AOFManifest.parse(spaced.serialized())
        XCTAssertEqual(reparsed, spaced)
    }

    func testKeysInAnyOrderCommentsAndHistory() throws {
        let text = "# comment\ntype b seq 2 file a.base.rdb\nfile old.aof seq 1 type h\nfile x.incr.aof seq 4 type i\r\nfile y.incr.aof seq 5 type i\n"
        let manifest = try AOFManifest.parse(Array(text.utf8))
        XCTAssertEqual(manifest.base?.sequence, 2)
        XCTAssertEqual(manifest.history.map(\.name), ["old.aof"])
        XCTAssertEqual(manifest.loadOrder.map(\.name), ["a.base.rdb", "x.incr.aof", "y.incr.aof"])
    }

    func testHostileManifestsAreRefused() {
        let hostile = [
            "", "file a seq 1 type b", // no final newline
            "file a seq 1 type b\n\nfile b seq 1 type i\n", // a blank line, as Redis refuses
            "file a seq 1 type b\nfile b seq 1 type b\n", // two bases
            "file a seq 2 type i\nfile b seq 1 type i\n", // sequence going back
            "file a seq 1 type i\nfile a seq 2 type i\n", // same file twice
            "file ../../etc/passwd seq 1 type i\n", "file /etc/passwd seq 1 type b\n", "file .. seq 1 type b\n",
            "file a seq -1 type i\n", "file a seq 1x type i\n", "file a seq 99999999999999999999 type i\n",
            "file a seq 1 type z\n", "file a seq 1 type\n", "file \"a seq 1 type i\n", "seq 1 type i\n",
            "file a type i\n", String(repeating: "x", count: 5000) + "\n", "# only a comment\n",
        ]
        for text in hostile {
            XCTAssertThrowsError(try AOFManifest.parse(Array(text.utf8)), text.prefix(60).debugDescription)
        }
        // A name that is not UTF-8 (fuzzer finding): it would change in decoding, so it is refused.
        XCTAssertThrowsError(try AOFManifest.parse(Array("file a".utf8) + [0xFF] + Array(" seq 1 type b\n".utf8)))
    }
}

/// The AOF through the engine: what it writes, how it loads, rewrites and interoperates.
final class AppendOnlyEngineTests: XCTestCase {
    private var directory = ""

    override func setUp() {
        var template = Array("/tmp/ember-aof-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    override func tearDown() {
        _ = system("rm -rf '\(directory)'")
    }

    private func makeEngine(fsync: String = "always", preamble: Bool = true, truncated: Bool = true, dir: String = "appendonlydir") -> (Engine, ClientState) {
        var config = EngineConfiguration()
        config.persistence.appendOnly = true
        config.persistence.appendDirname = "\(directory)/\(dir)"
        config.persistence.dbFilename = "\(directory)/dump.rdb"
        config.persistence.appendFsync = fsync
        config.persistence.aofUseRDBPreamble = preamble
        config.persistence.aofLoadTruncated = truncated
        let engine = Engine(configuration: config)
        engine.registerAppendOnlyCommands()
        let client = engine.lock.withLock { engine.makeClient() }
        return (engine, client)
    }

    @discardableResult
    private func run(_ engine: Engine, _ client: ClientState, _ words: String...) -> Reply {
        engine.execute(words.map { Bytes($0) }, client: client)
    }

    private func incrementalCommands(_ engine: Engine) -> [[String]] {
        engine.lock.withLock { engine.appendOnly.writer }?.flush(sync: true)
        let name = engine.lock.withLock { engine.appendOnly.manifest.incrementals.last!.name }
        let bytes = (try? PersistenceFiles.read("\(directory)/appendonlydir/\(name)")) ?? nil ?? []
        var reader = AOFCommandReader(bytes)
        var commands: [[String]] = []
        while let command = try? reader.next() { commands.append(command.map(\.string)) }
        return commands
    }

    private func contents(_ engine: Engine) -> [String: String] {
        engine.lock.withLock {
            var result: [String: String] = [:]
            for db in engine.databases.indices {
                for index in 0..<engine.databases[db].keys.count {
                    let entry = engine.databases[db].keys[index]
                    let payload = DumpPayload.create(entry.value.value, encoding: RDBValueEncoding(configuration: engine.config))
                    result["\(db)/\(entry.key.string)"] = "\(payload.array.map { String($0) }.joined(separator: ",")) ttl \(engine.databases[db].expireTime(at: index) ?? -1)"
                }
            }
            return result
        }
    }

    func testFreshStartWritesBaseIncrementalAndManifestAsRedis() throws {
        let (engine, _) = makeEngine()
        try engine.loadPersistedDataAtStartup()
        let manifest = try PersistenceFiles.read("\(directory)/appendonlydir/appendonly.aof.manifest").map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(manifest, "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n")
        let base = try PersistenceFiles.read("\(directory)/appendonlydir/appendonly.aof.1.base.rdb") ?? []
        XCTAssertEqual(Array(base.prefix(5)), Array("REDIS".utf8))
        XCTAssertNotNil(String(decoding: base, as: UTF8.self).range(of: "aof-base"))
        engine.lock.withLock { engine.flushAppendOnlyForShutdown() }
    }

    func testDeterministicFormsMatchRedis70() throws {
        let (engine, client) = makeEngine()
        try engine.loadPersistedDataAtStartup()
        run(engine, client, "SET", "a", "1", "EX", "100")
        run(engine, client, "set", "b", "1", "GET")
        run(engine, client, "set", "g", "1", "keepttl", "get")
        run(engine, client, "SETEX", "c", "100", "v")
        run(engine, client, "EXPIRE", "a", "200")
        run(engine, client, "pexpire", "a", "300000", "gt")
        run(engine, client, "EXPIRE", "a", "-1")
        run(engine, client, "GETEX", "c", "PERSIST")
        run(engine, client, "GETEX", "c", "EX", "50")
        run(engine, client, "INCRBYFLOAT", "f", "1.5")
        run(engine, client, "HINCRBYFLOAT", "h", "x", "2.5")
        run(engine, client, "SELECT", "3")
        run(engine, client, "SET", "x", "1")
        run(engine, client, "GET", "x")
        run(engine, client, "SELECT", "0")
        run(engine, client, "MULTI"); run(engine, client, "SET", "m1", "1"); run(engine, client, "SET", "m2", "2"); run(engine, client, "EXEC")
        run(engine, client, "MULTI"); run(engine, client, "SET", "m3", "1"); run(engine, client, "EXEC")
        run(engine, client, "MULTI"); run(engine, client, "GET", "m3"); run(engine, client, "EXEC")
        run(engine, client, "RPUSH", "l", "1", "2", "3")
        run(engine, client, "BLMOVE", "l", "l2", "left", "right", "0")
        run(engine, client, "BRPOPLPUSH", "l", "l2", "0")
        let commands = incrementalCommands(engine)
        let (a, c) = engine.lock.withLock { (engine.databases[0].expireTime(of: Bytes("a")), engine.databases[0].expireTime(of: Bytes("c"))) }
        XCTAssertNil(a)
        let expected: [[String]] = [
            ["SELECT", "0"], commands[1], ["set", "b", "1"], ["set", "g", "1", "keepttl"], commands[4], commands[5], commands[6],
            ["DEL", "a"], ["PERSIST", "c"], ["PEXPIREAT", "c", String(c!)], ["SET", "f", "1.5", "KEEPTTL"], ["HSET", "h", "x", "2.5"],
            ["SELECT", "3"], ["SET", "x", "1"], ["SELECT", "0"], ["MULTI"], ["SET", "m1", "1"], ["SET", "m2", "2"], ["EXEC"],
            ["SET", "m3", "1"], ["RPUSH", "l", "1", "2", "3"], ["LMOVE", "l", "l2", "left", "right"], ["RPOPLPUSH", "l", "l2"],
        ]
        XCTAssertEqual(commands, expected)
        XCTAssertEqual(commands[1].prefix(4), ["SET", "a", "1", "PXAT"])
        XCTAssertEqual(commands[4].prefix(4), ["SET", "c", "v", "PXAT"])
        XCTAssertEqual(commands[5].first, "PEXPIREAT")
        XCTAssertEqual(commands[6].first, "PEXPIREAT")
        XCTAssertEqual(commands[6].last, "gt")
        engine.lock.withLock { engine.flushAppendOnlyForShutdown() }
    }

    func testCommandsOutsideTheRewrittenListReplayAsGiven() {
        // `Rule` decides once per command whether propagation may skip `rewrite`: every name
        // `rewrite` handles must be listed, which this checks with several argument shapes.
        let engine = Engine()
        let client = engine.lock.withLock { engine.makeClient() }
        let names = Set(engine.allCommands.map(\.name))
        for name in DeterministicForm.rewrittenNames { XCTAssertTrue(names.contains(name), name) }
        for command in engine.allCommands where !DeterministicForm.rewrittenNames.contains(command.name) {
            XCTAssertFalse(command.name == "set")
            for shape in [["k"], ["k", "1"], ["k", "1", "2"], ["k", "0", "1", "k", "LEFT", "COUNT", "5"]] {
                let args = [Bytes(command.name.uppercased())] + shape.map { Bytes($0) }
                let context = CommandContext(engine: engine, client: client, args: args, now: Clock.milliseconds())
                let replay = engine.lock.withLock { DeterministicForm.rewrite(command.name, context, reply: nil) }
                XCTAssertEqual(replay.map { $0.map(\.string) }, [args.map(\.string)], command.name)
            }
            if command.name != "exec" { XCTAssertTrue(command.replay.replaysAsGiven([Bytes("X"), Bytes("k")]), command.name) }
        }
        let set = engine.allCommands.first { $0.name == "set" }!
        XCTAssertTrue(set.replay.replaysAsGiven(["SET", "k", "v"].map { Bytes($0) }))
        XCTAssertFalse(set.replay.replaysAsGiven(["SET", "k", "v", "EX", "1"].map { Bytes($0) }))
    }

    func testPopsWithTheirReplies() {
        let engine = Engine()
        let client = engine.lock.withLock { engine.makeClient() }
        func context(_ words: String...) -> CommandContext {
            CommandContext(engine: engine, client: client, args: words.map { Bytes($0) }, now: Clock.milliseconds())
        }
        _ = engine.execute(["SADD", "s", "1", "2", "3", "4"].map { Bytes($0) }, client: client)
        XCTAssertEqual(DeterministicForm.rewrite("spop", context("SPOP", "s"), reply: .bulk(Bytes("4"))).map { $0.map(\.string) }, [["SREM", "s", "4"]])
        XCTAssertEqual(DeterministicForm.rewrite("spop", context("SPOP", "s", "2"), reply: .set([.bulk(Bytes("1")), .bulk(Bytes("2"))])).map { $0.map(\.string) },
                       [["SREM", "s", "1"], ["SREM", "s", "2"]])
        XCTAssertEqual(DeterministicForm.rewrite("spop", context("SPOP", "gone", "10"), reply: .set([.bulk(Bytes("1"))])).map { $0.map(\.string) }, [["DEL", "gone"]])
        // Without the reply: the resulting set, exactly.
        XCTAssertEqual(DeterministicForm.rewrite("spop", context("SPOP", "s"), reply: nil).first?.map(\.string), ["DEL", "s"])
        XCTAssertEqual(DeterministicForm.rewrite("blpop", context("BLPOP", "a", "l", "0"), reply: .bulkArray([Bytes("l"), Bytes("x")])).map { $0.map(\.string) }, [["LPOP", "l"]])
        XCTAssertEqual(DeterministicForm.rewrite("blmpop", context("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "5"),
                                                 reply: .array([.bulk(Bytes("l")), .bulkArray([Bytes("1"), Bytes("2")])])).map { $0.map(\.string) }, [["LPOP", "l", "2"]])
        XCTAssertEqual(DeterministicForm.rewrite("bzmpop", context("BZMPOP", "0", "1", "z", "MAX", "COUNT", "1"),
                                                 reply: .array([.bulk(Bytes("z")), .array([.array([.bulk(Bytes("c")), .double(3)])])])).map { $0.map(\.string) }, [["ZPOPMAX", "z", "1"]])
        XCTAssertEqual(DeterministicForm.rewrite("bzpopmin", context("BZPOPMIN", "z", "0"), reply: .array([.bulk(Bytes("z")), .bulk(Bytes("a")), .double(1)])).map { $0.map(\.string) }, [["ZPOPMIN", "z"]])
        // GETDEL leaves as the deletion it is, GETSET as the SET (Redis 7.0's t_string.c).
        XCTAssertEqual(DeterministicForm.rewrite("getdel", context("GETDEL", "k"), reply: .bulk(Bytes("v"))).map { $0.map(\.string) }, [["DEL", "k"]])
        XCTAssertEqual(DeterministicForm.rewrite("getset", context("GETSET", "k", "v2"), reply: .bulk(Bytes("v"))).map { $0.map(\.string) }, [["SET", "k", "v2"]])
    }

    func testRewriteThenReloadGivesTheSameData() throws {
        for preamble in [true, false] {
            tearDown(); setUp()
            let (engine, client) = makeEngine(fsync: "everysec", preamble: preamble)
            try engine.loadPersistedDataAtStartup()
            for index in 0..<300 {
                run(engine, client, "SET", "s\(index)", "v\(index)")
                run(engine, client, "RPUSH", "list", "\(index)")
                run(engine, client, "ZADD", "z", "\(Double(index) / 3)", "m\(index)")
                run(engine, client, "HSET", "h", "f\(index)", "\(index)")
                run(engine, client, "SADD", "set", "\(index)")
            }
            run(engine, client, "PEXPIRE", "s1", "1000000")
            XCTAssertEqual(run(engine, client, "BGREWRITEAOF").simpleText, "Background append only file rewriting started")
            XCTAssertTrue(run(engine, client, "BGREWRITEAOF").isError)
            // Changes during the rewrite land in the new incremental file.
            run(engine, client, "SET", "during", "1")
            run(engine, client, "DEL", "s2")
            let deadline = Clock.milliseconds() + 10_000
            while engine.lock.withLock({ engine.appendOnly.rewriteInProgress }) && Clock.milliseconds() < deadline { usleep(5000) }
            run(engine, client, "SET", "after", "1")
            let manifest = engine.lock.withLock { engine.appendOnly.manifest }
            XCTAssertEqual(manifest.base?.name, "appendonly.aof.2.base.\(preamble ? "rdb" : "aof")")
            XCTAssertEqual(manifest.incrementals.map(\.name), ["appendonly.aof.2.incr.aof"])
            XCTAssertFalse(PersistenceFiles.exists("\(directory)/appendonlydir/appendonly.aof.1.incr.aof"))
            XCTAssertFalse(PersistenceFiles.exists("\(directory)/appendonlydir/appendonly.aof.1.base.rdb"))
            let lines = engine.lock.withLock { engine.aofInfoLines() }
            XCTAssertTrue(lines.contains("aof_rewrites:1"))
            XCTAssertTrue(lines.contains("aof_enabled:1"))
            let expected = contents(engine)
            engine.lock.withLock { engine.flushAppendOnlyForShutdown() }

            let (second, _) = makeEngine(preamble: preamble)
            try second.loadPersistedDataAtStartup()
            XCTAssertEqual(contents(second), expected, "preamble \(preamble)")
            second.lock.withLock { second.flushAppendOnlyForShutdown() }
        }
    }

    func testTruncatedTailIsDroppedOrFatal() throws {
        let (engine, client) = makeEngine()
        try engine.loadPersistedDataAtStartup()
        run(engine, client, "SET", "a", "1")
        run(engine, client, "MULTI"); run(engine, client, "SET", "b", "1"); run(engine, client, "SET", "c", "1"); run(engine, client, "EXEC")
        engine.lock.withLock { engine.flushAppendOnlyForShutdown() }
        let path = "\(directory)/appendonlydir/appendonly.aof.1.incr.aof"
        let whole = try PersistenceFiles.read(path)!
        // Cut inside the transaction: the whole transaction goes, as Redis reverts it.
        let cut = Array(whole.dropLast(5))
        try PersistenceFiles.writeAtomically(path, bytes: cut)
        let (strict, _) = makeEngine(truncated: false)
        XCTAssertThrowsError(try strict.loadAppendOnlyFiles()) { error in
            XCTAssertTrue("\(error)".contains("appendonly.aof.1.incr.aof"), "\(error)")
        }
        let (lenient, lenientClient) = makeEngine()
        let summary = try lenient.loadAppendOnlyFiles()
        XCTAssertNotNil(summary.truncatedAt)
        XCTAssertEqual(run(lenient, lenientClient, "GET", "a").bulkText, "1")
        XCTAssertEqual(text(run(lenient, lenientClient, "EXISTS", "b", "c")), "0")
        XCTAssertLessThan(PersistenceFiles.size(path), Int64(cut.count))
        // Corruption is fatal, with the offset.
        try PersistenceFiles.writeAtomically(path, bytes: Array("*1\r\n$4\r\nPING\r\ngarbage".utf8))
        let (third, _) = makeEngine()
        XCTAssertThrowsError(try third.loadAppendOnlyFiles()) { XCTAssertTrue("\($0)".contains("offset 14"), "\($0)") }
        try PersistenceFiles.writeAtomically(path, bytes: Array("*1\r\n$7\r\nNOSUCHX\r\n".utf8))
        let (fourth, _) = makeEngine()
        XCTAssertThrowsError(try fourth.loadAppendOnlyFiles()) { XCTAssertTrue("\($0)".contains("Unknown command"), "\($0)") }
    }

    func testReplayDoesNotExpireWhatWasLiveWhenWritten() throws {
        let (engine, client) = makeEngine()
        try engine.loadPersistedDataAtStartup()
        run(engine, client, "SET", "k", "1", "PX", "150")
        run(engine, client, "INCR", "k")
        usleep(300_000)
        engine.lock.withLock { engine.flushAppendOnlyForShutdown() }
        // Replayed later, INCR must find the key (its TTL had not passed when it ran): k is 2
        // with a TTL in the past, so it is gone once loaded, as in Redis.
        let (second, secondClient) = makeEngine()
        let summary = try second.loadAppendOnlyFiles()
        XCTAssertEqual(summary.commandsReplayed, 3)
        let stored = second.lock.withLock { DeterministicForm.stringValue(Bytes("k"), CommandContext(engine: second, client: secondClient, args: [], now: 0)) }
        XCTAssertEqual(stored?.string, "2")
    }

    func testTurningOnLiveBuildsTheFirstBase() throws {
        let (engine, client) = makeEngine()
        engine.lock.withLock { engine.config.persistence.appendOnly = false }
        run(engine, client, "SET", "before", "1")
        XCTAssertNoThrow(try engine.lock.withLock { try engine.setAppendOnly(true).get() })
        run(engine, client, "SET", "after", "1")
        let deadline = Clock.milliseconds() + 10_000
        while engine.lock.withLock({ engine.appendOnly.rewriteInProgress }) && Clock.milliseconds() < deadline { usleep(5000) }
        XCTAssertTrue(engine.lock.withLock { engine.appendOnly.enabled })
        engine.lock.withLock { _ = engine.setAppendOnly(false) }
        run(engine, client, "SET", "ignored", "1")
        let (second, secondClient) = makeEngine()
        _ = try second.loadAppendOnlyFiles()
        XCTAssertEqual(text(run(second, secondClient, "MGET", "before", "after", "ignored")), "[1,1,nil]")
    }

    func testGroupCommitAcknowledgesAfterFsync() throws {
        let (engine, client) = makeEngine(fsync: "always")
        try engine.loadPersistedDataAtStartup()
        let writer = engine.lock.withLock { engine.appendOnly.writer! }
        let done = DispatchSemaphoreBox()
        for index in 0..<200 {
            run(engine, client, "SET", "k\(index)", "v")
            let sequence = engine.lock.withLock { writer.lastSequence }
            writer.whenAcknowledged(sequence) { done.signal() }
        }
        for _ in 0..<200 { XCTAssertTrue(done.wait(seconds: 10)) }
        let status = writer.status
        XCTAssertEqual(status.synced, status.appended)
        engine.lock.withLock { engine.flushAppendOnlyForShutdown() }
    }

    /// Redis 7.0's directory loaded by Ember, and Ember's by Redis (skipped without redis-server).
    func testInteroperatesWithRedisServer() throws {
        guard access("/usr/bin/redis-server", X_OK) == 0 else { throw XCTSkip("no redis-server") }
        let port = 25731
        let redisDir = "\(directory)/redis"
        mkdir(redisDir, 0o755)
        XCTAssertEqual(system("redis-server --port \(port) --appendonly yes --dir \(redisDir) --save '' --daemonize yes --logfile \(redisDir)/log >/dev/null"), 0)
        defer { _ = system("redis-cli -p \(port) shutdown nosave >/dev/null 2>&1") }
        var ready = false
        for _ in 0..<50 where !ready {
            ready = system("redis-cli -p \(port) ping >/dev/null 2>&1") == 0
            if !ready { usleep(100_000) }
        }
        let script = "SET a 1 EX 1000\nRPUSH l x y z\nHSET h f v\nSADD s 1 2 3\nZADD z 1.5 m\nINCRBYFLOAT f 2.5\nBGREWRITEAOF\n"
        XCTAssertEqual(system("printf '\(script.replacingOccurrences(of: "\n", with: "\\n"))' | redis-cli -p \(port) >/dev/null"), 0)
        usleep(1_500_000)
        XCTAssertEqual(system("printf 'SET after 1\\nSELECT 2\\nSET other 2\\n' | redis-cli -p \(port) >/dev/null"), 0)
        _ = system("redis-cli -p \(port) shutdown nosave >/dev/null 2>&1")
        usleep(300_000)
        let (ember, client) = makeEngine(dir: "redis/appendonlydir")
        _ = try ember.loadAppendOnlyFiles()
        XCTAssertEqual(text(run(ember, client, "MGET", "a", "f", "after")), "[1,2.5,1]")
        XCTAssertEqual(text(run(ember, client, "LRANGE", "l", "0", "-1")), "[x,y,z]")
        run(ember, client, "SELECT", "2")
        XCTAssertEqual(run(ember, client, "GET", "other").bulkText, "2")

        // Ember's directory, rewritten and appended to, read by redis-server.
        let (writer, writerClient) = makeEngine(dir: "ember/appendonlydir")
        mkdir("\(directory)/ember", 0o755)
        try writer.loadPersistedDataAtStartup()
        run(writer, writerClient, "SET", "x", "1", "PX", "100000000")
        run(writer, writerClient, "ZADD", "z", "2.5", "m")
        run(writer, writerClient, "BGREWRITEAOF")
        let deadline = Clock.milliseconds() + 10_000
        while writer.lock.withLock({ writer.appendOnly.rewriteInProgress }) && Clock.milliseconds() < deadline { usleep(5000) }
        run(writer, writerClient, "RPUSH", "after", "a", "b")
        writer.lock.withLock { writer.flushAppendOnlyForShutdown() }
        XCTAssertEqual(system("redis-check-aof \(directory)/ember/appendonlydir/appendonly.aof.manifest >/dev/null"), 0)
        XCTAssertEqual(system("redis-server --port \(port) --appendonly yes --dir \(directory)/ember --save '' --daemonize yes --logfile \(directory)/ember/log >/dev/null"), 0)
        ready = false
        for _ in 0..<50 where !ready {
            ready = system("redis-cli -p \(port) ping >/dev/null 2>&1") == 0
            if !ready { usleep(100_000) }
        }
        XCTAssertEqual(system("test \"$(redis-cli -p \(port) get x)\" = 1 && test \"$(redis-cli -p \(port) zscore z m)\" = 2.5 && test \"$(redis-cli -p \(port) lrange after 0 -1 | tr '\\n' ,)\" = a,b,"), 0)
    }
}

final class DispatchSemaphoreBox: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func signal() { semaphore.signal() }
    func wait(seconds: Int) -> Bool { semaphore.wait(timeout: .now() + .seconds(seconds)) == .success }
}

extension Reply {
    var simpleText: String? { if case .simple(let text) = self { return text }; return nil }
    var bulkText: String? { if case .bulk(let bytes) = self { return bytes.string }; return nil }
}

func text(_ reply: Reply) -> String {
    switch reply {
    case .ok: return "OK"
    case .simple(let text): return text
    case .error(let message): return "ERR:" + message.string
    case .integer(let value): return String(value)
    case .bulk(let bytes): return bytes.string
    case .null, .nullArray: return "nil"
    case .array(let list): return "[" + list.map(text).joined(separator: ",") + "]"
    case .bulkArray(let list): return "[" + list.map(\.string).joined(separator: ",") + "]"
    default: return "\(reply)"
    }
}
