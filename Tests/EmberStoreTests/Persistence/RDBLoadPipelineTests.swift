import EmberRESP
import XCTest

@testable import EmberStore

/// The two-thread loader: the same keys as a plain load, errors from either side surface, and a
/// hostile RESIZEDB hint reserves no more than the file could hold.
final class RDBLoadPipelineTests: XCTestCase {
    private func file(resizeKeys: [UInt8], keys: [(String, String)]) -> [UInt8] {
        var bytes = Array("REDIS0010".utf8) + [RDBFormat.Opcode.selectDB, 0, RDBFormat.Opcode.resizeDB] + resizeKeys + [0]
        for (key, value) in keys {
            bytes += [0, UInt8(key.utf8.count)] + Array(key.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
        }
        return bytes + [RDBFormat.Opcode.eof] + Array(repeating: 0, count: 8)  // checksum 0: not checked
    }

    func testManyKeysAcrossBatchesLoadInOrder() throws {
        let engine = Engine()
        let source = Engine()
        let client = source.lock.withLock { source.makeClient() }
        for index in 0..<5_000 { _ = source.execute([Bytes("SET"), Bytes("k\(index)"), Bytes("v\(index)")], client: client) }
        let bytes = try source.lock.withLock { try source.rdbSnapshot(now: Clock.milliseconds()) }
        let summary = try engine.lock.withLock { try engine.loadRDB(bytes, now: Clock.milliseconds()) }
        XCTAssertEqual(summary.keysLoaded, 5_000)
        XCTAssertEqual(engine.lock.withLock { engine.databases[0].count }, 5_000)
        XCTAssertEqual(engine.lock.withLock { engine.datasetDigest() }, source.lock.withLock { source.datasetDigest() })
    }

    func testHugeResizeHintIsBoundedByTheFile() throws {
        // RESIZEDB claiming 2^40 keys (64-bit length encoding), then two keys.
        let hint: [UInt8] = [0x81, 0, 0, 1, 0, 0, 0, 0, 0]
        let engine = Engine()
        let summary = try engine.lock.withLock { try engine.loadRDB(file(resizeKeys: hint, keys: [("a", "1"), ("b", "2")]), now: 0) }
        XCTAssertEqual(summary.keysLoaded, 2)
        XCTAssertLessThan(engine.lock.withLock { engine.databases[0].keys.bucketCount }, 1024)
    }

    func testDuplicateKeyStopsTheDecoder() {
        let engine = Engine()
        let keys = (0..<3_000).map { ("k\($0)", "v") } + [("k7", "again")]
        XCTAssertThrowsError(try engine.lock.withLock { try engine.loadRDB(file(resizeKeys: [0], keys: keys), now: 0) }) { error in
            XCTAssertTrue("\(error)".contains("duplicated key 'k7'"), "\(error)")
        }
        // Stopped early, with batches still queued: the decoder is let go and the queue freed
        // cleanly (libdispatch traps on a semaphore released below its initial value).
        for _ in 0..<20 {
            let early = [("dup", "1"), ("dup", "2")] + (0..<40_000).map { ("e\($0)", "v") }
            let fresh = Engine()
            XCTAssertThrowsError(try fresh.lock.withLock { try fresh.loadRDB(file(resizeKeys: [0], keys: early), now: 0) })
        }
        usleep(200_000)
    }

    func testTruncatedFileIsAnErrorFromTheDecoderThread() {
        let engine = Engine()
        let bytes = file(resizeKeys: [0], keys: (0..<2_000).map { ("k\($0)", "v") })
        XCTAssertThrowsError(try engine.lock.withLock { try engine.loadRDB(Array(bytes.dropLast(20)), now: 0) })
    }
}
