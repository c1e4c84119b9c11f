@testable import EmberStore
import EmberRESP
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `encryption-key-file` through the engine: SAVE and its load, the AOF's files, their
/// rewrite, a torn tail, rotation and refusals.
final class EncryptedPersistenceTests: XCTestCase {
    private var directory = ""
    private let firstKey = String(repeating: "3c", count: 32)
    private let secondKey = String(repeating: "d1", count: 32)

    override func setUp() {
        var template = Array("/tmp/ember-enc-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    override func tearDown() {
        _ = system("rm -rf '\(directory)'")
    }

    private func writeKeys(_ lines: String...) throws {
        try PersistenceFiles.writeAtomically("\(directory)/key", bytes: Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func makeEngine(appendOnly: Bool = false, preamble: Bool = true, truncated: Bool = true, encrypted: Bool = true) -> (Engine, ClientState) {
        var config = EngineConfiguration()
        config.persistence.appendOnly = appendOnly
        config.persistence.appendDirname = "\(directory)/appendonlydir"
        config.persistence.dbFilename = "\(directory)/dump.rdb"
        config.persistence.appendFsync = "always"
        config.persistence.aofUseRDBPreamble = preamble
        config.persistence.aofLoadTruncated = truncated
        config.persistence.encryptionKeyFile = encrypted ? "\(directory)/key" : ""
        let engine = Engine(configuration: config)
        engine.registerAppendOnlyCommands()
        let client = engine.lock.withLock { engine.makeClient() }
        return (engine, client)
    }

    @discardableResult
    private func run(_ engine: Engine, _ client: ClientState, _ words: String...) -> Reply {
        engine.execute(words.map { Bytes($0) }, client: client)
    }

    private func read(_ name: String) throws -> [UInt8] { try PersistenceFiles.read("\(directory)/\(name)") ?? [] }

    private func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        return bytes.count >= needle.count && (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<$0 + needle.count]) == needle }
    }

    private func waitForRewrite(_ engine: Engine) {
        let deadline = Clock.milliseconds() + 20_000
        while engine.lock.withLock({ engine.appendOnly.rewriteInProgress }) && Clock.milliseconds() < deadline { usleep(5000) }
    }

    func testSaveIsEncryptedAndLoadsWithTheKeyOnly() throws {
        try writeKeys(firstKey)
        let (engine, client) = makeEngine()
        try engine.loadPersistedDataAtStartup()
        run(engine, client, "SET", "secret", "plaintext-marker-value")
        run(engine, client, "RPUSH", "list", "a", "b")
        XCTAssertNoThrow(try engine.lock.withLock { try engine.saveSynchronously(now: Clock.milliseconds()).get() })
        let file = try read("dump.rdb")
        XCTAssertEqual(Array(file.prefix(8)), Array("EMBERENC".utf8))
        XCTAssertFalse(contains(file, "plaintext-marker-value"))
        XCTAssertFalse(contains(file, "REDIS"))

        let (second, secondClient) = makeEngine()
        XCTAssertEqual(try second.loadPersistedDataAtStartup(), 2)
        XCTAssertEqual(run(second, secondClient, "GET", "secret").bulkText, "plaintext-marker-value")

        try writeKeys(secondKey)
        XCTAssertThrowsError(try makeEngine().0.loadPersistedDataAtStartup()) {
            XCTAssertTrue("\($0)".contains("dump.rdb") && "\($0)".contains("not in encryption-key-file"), "\($0)")
        }
        XCTAssertThrowsError(try makeEngine(encrypted: false).0.loadPersistedDataAtStartup()) {
            XCTAssertTrue("\($0)".contains("no encryption-key-file is configured"), "\($0)")
        }
        // Cut short: the final chunk is missing.
        try PersistenceFiles.writeAtomically("\(directory)/dump.rdb", bytes: Array(file.dropLast(3)))
        try writeKeys(firstKey)
        XCTAssertThrowsError(try makeEngine().0.loadPersistedDataAtStartup()) { XCTAssertTrue("\($0)".contains("cut short"), "\($0)") }
    }

    func testFileOutputStreamsWholeChunksAndEndsWithTheFinalOne() throws {
        let key = EncryptionKey([UInt8](repeating: 9, count: 32))
        let path = "\(directory)/stream"
        var output = try RDBFileOutput(creating: path, encryptingWith: key)
        var written: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        for size in [10, 70_000, 0, 1, 200_000, 65_535, 3] {
            let piece = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try piece.withUnsafeBytes { try output.write($0) }
            written += piece
        }
        XCTAssertThrowsError(try output.commit(), "committed before its final chunk")
        try output.finish()
        try output.commit()
        let file = try read("stream")
        let opened = try EncryptedFileReader.open(file, keys: EncryptionKeyRing(keys: [key], path: "k"))
        XCTAssertEqual(opened.plaintext, written)
        XCTAssertTrue(opened.finished)
        XCTAssertEqual(opened.chunks, UInt64(written.count / RDBFileOutput.sealedChunkLength + 1))
        XCTAssertEqual(file.count, EncryptedFileFormat.headerLength + written.count + Int(opened.chunks) * EncryptedFileFormat.chunkOverhead)
    }

    func testBadKeyFileStopsStartUpEvenWithNothingToLoad() throws {
        XCTAssertThrowsError(try makeEngine().0.loadPersistedDataAtStartup()) { XCTAssertTrue("\($0)".contains("\(directory)/key"), "\($0)") }
        try PersistenceFiles.writeAtomically("\(directory)/key", bytes: Array("0123\n".utf8))
        XCTAssertThrowsError(try makeEngine().0.loadPersistedDataAtStartup())
    }

    func testPlaintextFilesLoadAndAreEncryptedWhenNextWritten() throws {
        let (plain, client) = makeEngine(encrypted: false)
        run(plain, client, "SET", "k", "migrated-value")
        XCTAssertNoThrow(try plain.lock.withLock { try plain.saveSynchronously(now: Clock.milliseconds()).get() })
        XCTAssertEqual(Array(try read("dump.rdb").prefix(5)), Array("REDIS".utf8))
        try writeKeys(firstKey)
        let (engine, engineClient) = makeEngine()
        XCTAssertEqual(try engine.loadPersistedDataAtStartup(), 1)
        XCTAssertEqual(run(engine, engineClient, "BGSAVE").simpleText, "Background saving started")
        while engine.lock.withLock({ engine.persistenceState.backgroundSaveInProgress }) { usleep(1000) }
        XCTAssertTrue(engine.lock.withLock { engine.persistenceState.lastBackgroundSaveOK })
        let file = try read("dump.rdb")
        XCTAssertTrue(EncryptedFileFormat.isEncrypted(file))
        XCTAssertFalse(contains(file, "migrated-value"))
    }

    func testRotationLoadsOldFilesAndRewritesWithTheNewKey() throws {
        try writeKeys(firstKey)
        let (engine, client) = makeEngine()
        run(engine, client, "SET", "k", "v")
        XCTAssertNoThrow(try engine.lock.withLock { try engine.saveSynchronously(now: Clock.milliseconds()).get() })
        let oldID = EncryptionKey(EncryptionKeyRing.decodeHex(ArraySlice(firstKey.utf8))!).id
        let newID = EncryptionKey(EncryptionKeyRing.decodeHex(ArraySlice(secondKey.utf8))!).id
        XCTAssertEqual(Array(try read("dump.rdb")[12..<20]), oldID)

        try writeKeys(secondKey, firstKey)
        let (rotated, rotatedClient) = makeEngine()
        XCTAssertEqual(try rotated.loadPersistedDataAtStartup(), 1)
        XCTAssertNoThrow(try rotated.lock.withLock { try rotated.saveSynchronously(now: Clock.milliseconds()).get() })
        XCTAssertEqual(Array(try read("dump.rdb")[12..<20]), newID)
        _ = rotatedClient

        try writeKeys(secondKey)
        let (third, thirdClient) = makeEngine()
        XCTAssertEqual(try third.loadPersistedDataAtStartup(), 1)
        XCTAssertEqual(run(third, thirdClient, "GET", "k").bulkText, "v")
    }

    func testAppendOnlyFilesAreEncryptedAndRewritesToo() throws {
        try writeKeys(firstKey)
        for preamble in [true, false] {
            tearDown(); setUp()
            try writeKeys(firstKey)
            let (engine, client) = makeEngine(appendOnly: true, preamble: preamble)
            try engine.loadPersistedDataAtStartup()
            for index in 0..<50 { run(engine, client, "SET", "key\(index)", "secret-\(index)") }
            run(engine, client, "HSET", "h", "field", "secret-hash")
            engine.lock.withLock { engine.appendOnly.writer }?.flush(sync: true)
            let manifest = engine.lock.withLock { engine.appendOnly.manifest }
            // The manifest stays plaintext (Redis tools read it); the files it names do not.
            XCTAssertTrue(contains(try read("appendonlydir/appendonly.aof.manifest"), "appendonly.aof.1.incr.aof"))
            for name in [manifest.base!.name] + manifest.incrementals.map(\.name) {
                let bytes = try read("appendonlydir/\(name)")
                XCTAssertTrue(EncryptedFileFormat.isEncrypted(bytes), name)
                XCTAssertFalse(contains(bytes, "secret-"), name)
                XCTAssertFalse(contains(bytes, "SET"), name)
            }
            XCTAssertEqual(run(engine, client, "BGREWRITEAOF").simpleText, "Background append only file rewriting started")
            waitForRewrite(engine)
            run(engine, client, "SET", "after", "secret-after")
            engine.lock.withLock { engine.flushAppendOnlyForShutdown() }
            let rewritten = engine.lock.withLock { engine.appendOnly.manifest }
            XCTAssertEqual(rewritten.base?.name, "appendonly.aof.2.base.\(preamble ? "rdb" : "aof")")
            for name in [rewritten.base!.name] + rewritten.incrementals.map(\.name) {
                let bytes = try read("appendonlydir/\(name)")
                XCTAssertTrue(EncryptedFileFormat.isEncrypted(bytes), name)
                XCTAssertFalse(contains(bytes, "secret-"), name)
            }
            let (second, secondClient) = makeEngine(appendOnly: true, preamble: preamble)
            try second.loadPersistedDataAtStartup()
            XCTAssertEqual(text(run(second, secondClient, "MGET", "key0", "key49", "after")), "[secret-0,secret-49,secret-after]")
            XCTAssertEqual(run(second, secondClient, "HGET", "h", "field").bulkText, "secret-hash")
            // A restart goes on in a new incremental file: an encrypted one is never appended to again.
            let reopened = second.lock.withLock { second.appendOnly.manifest }
            XCTAssertEqual(reopened.incrementals.count, rewritten.incrementals.count + 1)
            second.lock.withLock { second.flushAppendOnlyForShutdown() }
        }
    }

    func testTornLastChunkIsATruncatedTail() throws {
        try writeKeys(firstKey)
        let (engine, client) = makeEngine(appendOnly: true)
        try engine.loadPersistedDataAtStartup()
        let writer = engine.lock.withLock { engine.appendOnly.writer! }
        // One acknowledged (fsynced) batch per SET: each is a chunk of its own.
        for index in 0..<3 {
            run(engine, client, "SET", "k\(index)", "v\(index)")
            let done = DispatchSemaphoreBox()
            writer.whenAcknowledged(engine.lock.withLock { writer.lastSequence }) { done.signal() }
            XCTAssertTrue(done.wait(seconds: 10))
        }
        engine.lock.withLock { engine.flushAppendOnlyForShutdown() }
        let path = "\(directory)/appendonlydir/appendonly.aof.1.incr.aof"
        let whole = try read("appendonlydir/appendonly.aof.1.incr.aof")
        XCTAssertEqual(try EncryptedFileReader.open(whole, keys: EncryptionKeyRing.load(path: "\(directory)/key")).chunks, 3)
        // The process died writing the third chunk.
        try PersistenceFiles.writeAtomically(path, bytes: Array(whole.dropLast(7)))
        XCTAssertThrowsError(try makeEngine(appendOnly: true, truncated: false).0.loadAppendOnlyFiles()) {
            XCTAssertTrue("\($0)".contains("appendonly.aof.1.incr.aof") && "\($0)".contains("aof-load-truncated"), "\($0)")
        }
        let (lenient, lenientClient) = makeEngine(appendOnly: true)
        let summary = try lenient.loadAppendOnlyFiles()
        XCTAssertEqual(summary.truncatedAt?.file, "appendonly.aof.1.incr.aof")
        XCTAssertEqual(text(run(lenient, lenientClient, "MGET", "k0", "k1", "k2")), "[v0,v1,nil]")
        // The kept part was sealed again, whole: it loads without complaint, still encrypted.
        let resealed = try read("appendonlydir/appendonly.aof.1.incr.aof")
        XCTAssertTrue(EncryptedFileFormat.isEncrypted(resealed))
        XCTAssertNotEqual(Array(resealed[20..<52]), Array(whole[20..<52]), "a new salt")
        let (third, thirdClient) = makeEngine(appendOnly: true, truncated: false)
        XCTAssertNil(try third.loadAppendOnlyFiles().truncatedAt)
        XCTAssertEqual(text(run(third, thirdClient, "MGET", "k0", "k1")), "[v0,v1]")
        // A whole chunk changed is corruption, not a truncation.
        var flipped = whole
        flipped[60] ^= 1
        try PersistenceFiles.writeAtomically(path, bytes: flipped)
        XCTAssertThrowsError(try makeEngine(appendOnly: true).0.loadAppendOnlyFiles()) {
            XCTAssertTrue("\($0)".contains("fails authentication"), "\($0)")
        }
    }
}
