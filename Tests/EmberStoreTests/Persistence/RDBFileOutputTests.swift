import Foundation
import XCTest

@testable import EmberStore

#if canImport(Glibc)
import Glibc
#endif

/// The file a snapshot is written to: incremental syncs (`rdb-save-incremental-fsync`,
/// `aof-rewrite-incremental-fsync`) every 4 MiB written, none when the setting is off.
final class RDBFileOutputTests: XCTestCase {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rdb-output-\(UUID().uuidString)").path
    }

    private func write(megabytes: Int, syncEvery: Int?) throws -> (syncs: Int, size: Int) {
        let path = temporaryPath()
        defer { unlink(path) }
        var output = try RDBFileOutput(creating: path, syncEvery: syncEvery)
        let chunk = [UInt8](repeating: 7, count: 256 * 1024)
        for _ in 0..<(megabytes * 4) { try chunk.withUnsafeBytes { try output.write($0) } }
        try output.commit()
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
        return (output.incrementalSyncs, size)
    }

    func testSyncsEveryFourMegabytesWhenIncremental() throws {
        let written = try write(megabytes: 10, syncEvery: RDBFileOutput.incrementalSyncBytes)
        XCTAssertEqual(written.syncs, 2)
        XCTAssertEqual(written.size, 10 * 1024 * 1024)
    }

    func testNoIncrementalSyncWhenOff() throws {
        XCTAssertEqual(try write(megabytes: 10, syncEvery: nil).syncs, 0)
    }

    func testAtomicWriteGoesOutInSyncedPieces() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let bytes = [UInt8](repeating: 1, count: 9 * 1024 * 1024 + 5)
        try PersistenceFiles.writeAtomically(path, bytes: bytes, syncEvery: RDBFileOutput.incrementalSyncBytes)
        XCTAssertEqual(try PersistenceFiles.read(path), bytes)
    }
}
