@testable import EmberStore
import EmberRESP
import XCTest
#if canImport(Glibc)
import Glibc
#endif

private func key(_ seed: UInt8) -> EncryptionKey { EncryptionKey([UInt8](repeating: seed, count: 32)) }

/// A file of `pieces` chunks (the last one final when `final`) sealed with `key`.
private func sealed(_ pieces: [[UInt8]], key: EncryptionKey, final: Bool = true) throws -> [UInt8] {
    var sealer = ChunkSealer(key: key)
    var file = sealer.header
    for (index, piece) in pieces.enumerated() {
        try piece.withUnsafeBytes { try sealer.seal($0, final: final && index == pieces.count - 1, into: &file) }
    }
    return file
}

/// The byte ranges of each chunk's frame in `file`.
private func frames(_ file: [UInt8]) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var offset = EncryptedFileFormat.headerLength
    while offset < file.count {
        let field = file[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let end = offset + 4 + Int(field & 0x7FFF_FFFF) + 16
        ranges.append(offset..<end)
        offset = end
    }
    return ranges
}

final class EncryptionKeyRingTests: XCTestCase {
    func testHexLinesRawBytesAndRotation() throws {
        let current = String(repeating: "ab", count: 32), previous = String(repeating: "01", count: 32)
        let ring = try EncryptionKeyRing.parse(Array("\(current)\n".utf8), path: "k")
        XCTAssertEqual(ring.keys.count, 1)
        XCTAssertEqual(ring.current.id, Array(EncryptionKey([UInt8](repeating: 0xAB, count: 32)).id))
        let rotated = try EncryptionKeyRing.parse(Array("# rotated today\n\(current.uppercased())\r\n\n  \(previous)\n".utf8), path: "k")
        XCTAssertEqual(rotated.keys.map(\.idHex), [key(0xAB).idHex, key(0x01).idHex])
        XCTAssertNotNil(rotated.key(withID: key(0x01).id))
        // 32 raw bytes, even ones that look like a newline.
        let raw = try EncryptionKeyRing.parse([UInt8](repeating: 0x0A, count: 32), path: "k")
        XCTAssertEqual(raw.current.id, key(0x0A).id)
    }

    func testMissingShortOrGarbledKeyFilesAreErrors() {
        for contents in ["", "\n", "abcd\n", String(repeating: "a", count: 63), String(repeating: "g", count: 64),
                         String(repeating: "a", count: 66), String(repeating: "ab", count: 32) + "\nnot a key\n"] {
            XCTAssertThrowsError(try EncryptionKeyRing.parse(Array(contents.utf8), path: "/etc/k"), contents.debugDescription) {
                XCTAssertTrue("\($0)".contains("/etc/k"), "\($0)")
            }
        }
        XCTAssertThrowsError(try EncryptionKeyRing.parse([UInt8](repeating: 1, count: 33), path: "k"))
        XCTAssertThrowsError(try EncryptionKeyRing.load(path: "/nonexistent/ember-key")) {
            XCTAssertTrue("\($0)".contains("/nonexistent/ember-key"), "\($0)")
        }
        // A device by mistake: refused after a bounded read, not read forever.
        XCTAssertThrowsError(try EncryptionKeyRing.load(path: "/dev/zero")) { XCTAssertTrue("\($0)".contains("not a key file"), "\($0)") }
    }
}

final class EncryptedFileTests: XCTestCase {
    let ring = EncryptionKeyRing(keys: [key(7)], path: "key")
    let pieces: [[UInt8]] = [Array("first chunk".utf8), [], Array(repeating: 0x5A, count: 70_000), Array("last".utf8)]

    func testRoundTrip() throws {
        let file = try sealed(pieces, key: key(7))
        XCTAssertTrue(EncryptedFileFormat.isEncrypted(file))
        XCTAssertEqual(Array(file.prefix(8)), Array("EMBERENC".utf8))
        XCTAssertEqual(Array(file[12..<20]), key(7).id)
        let opened = try EncryptedFileReader.open(file, keys: ring)
        XCTAssertEqual(opened.plaintext, pieces.flatMap { $0 })
        XCTAssertEqual(opened.chunks, 4)
        XCTAssertTrue(opened.finished)
        XCTAssertNil(opened.tornAt)
        // Two files of the same bytes and key share nothing past the magic: salts differ.
        let again = try sealed(pieces, key: key(7))
        XCTAssertNotEqual(Array(file[20...]), Array(again[20...]))
        XCTAssertNil(file.indices.dropLast(10).first { Array(file[$0..<$0 + 11]) == Array("first chunk".utf8) })
    }

    func testWrongKeyOrNoKeyIsAClearError() throws {
        let file = try sealed(pieces, key: key(7))
        XCTAssertThrowsError(try EncryptedFileReader.open(file, keys: EncryptionKeyRing(keys: [key(8)], path: "/keys/new"))) {
            XCTAssertTrue("\($0)".contains(key(7).idHex) && "\($0)".contains("/keys/new"), "\($0)")
        }
        XCTAssertThrowsError(try EncryptedFileReader.open(file, keys: nil)) {
            XCTAssertTrue("\($0)".contains("no encryption-key-file"), "\($0)")
        }
    }

    func testRotationReadsWithAnOlderKeyOfTheRing() throws {
        let file = try sealed(pieces, key: key(7))
        let rotated = EncryptionKeyRing(keys: [key(9), key(7)], path: "key")
        XCTAssertEqual(try EncryptedFileReader.open(file, keys: rotated).plaintext, pieces.flatMap { $0 })
        XCTAssertEqual(rotated.current.id, key(9).id)
    }

    func testEveryTruncationIsSeenNeverTakenForWhole() throws {
        let file = try sealed([Array("abc".utf8), Array("defgh".utf8), Array("ij".utf8)], key: key(7))
        let whole = Array("abcdefghij".utf8)
        for cut in 0..<file.count {
            let prefix = Array(file[0..<cut])
            guard let opened = try? EncryptedFileReader.open(prefix, keys: ring) else {
                XCTAssertLessThan(cut, EncryptedFileFormat.headerLength, "cut at \(cut)")
                continue
            }
            XCTAssertFalse(opened.finished, "cut at \(cut)")
            XCTAssertTrue(whole.starts(with: opened.plaintext), "cut at \(cut)")
            let boundaries = [EncryptedFileFormat.headerLength] + frames(file).map(\.upperBound)
            XCTAssertEqual(opened.tornAt == nil, boundaries.contains(cut), "cut at \(cut)")
        }
    }

    func testEveryFlippedByteIsAnErrorOrAnIncompleteFile() throws {
        let file = try sealed([Array("abc".utf8), Array("defgh".utf8)], key: key(7))
        for position in file.indices {
            for bit in [0, 7] {
                var changed = file
                changed[position] ^= 1 << bit
                if let opened = try? EncryptedFileReader.open(changed, keys: ring) {
                    // A longer length field reads as a chunk cut short: never as a whole file.
                    XCTAssertFalse(opened.finished, "flip at \(position) bit \(bit)")
                    XCTAssertNotNil(opened.tornAt, "flip at \(position) bit \(bit)")
                }
            }
        }
    }

    func testReorderedDroppedRepeatedAndTrailingChunksFail() throws {
        let file = try sealed([Array("one".utf8), Array("two".utf8), Array("six".utf8), Array("end".utf8)], key: key(7))
        let parts = frames(file).map { Array(file[$0]) }
        let header = Array(file[0..<EncryptedFileFormat.headerLength])
        let reordered = header + parts[0] + parts[2] + parts[1] + parts[3]
        let dropped = header + parts[0] + parts[2] + parts[3]
        let repeated = header + parts[0] + parts[0] + parts[1] + parts[2] + parts[3]
        let trailing = file + parts[1]
        let otherFile = try sealed([Array("one".utf8), Array("two".utf8), Array("six".utf8), Array("end".utf8)], key: key(7))
        let spliced = header + parts[0] + Array(otherFile[frames(otherFile)[1]]) + parts[2] + parts[3]
        for (name, bytes) in [("reordered", reordered), ("dropped", dropped), ("repeated", repeated), ("trailing", trailing), ("spliced", spliced)] {
            XCTAssertThrowsError(try EncryptedFileReader.open(bytes, keys: ring), name)
        }
        // Dropping the final chunk leaves a file that is not finished.
        XCTAssertFalse(try EncryptedFileReader.open(header + parts[0] + parts[1], keys: ring).finished)
    }

    func testHostileHeadersAndLengthsAreErrorsNotTraps() throws {
        let header = try sealed([], key: key(7))
        var badVersion = header
        badVersion[8] = 2
        XCTAssertThrowsError(try EncryptedFileReader.open(badVersion, keys: ring)) { XCTAssertTrue("\($0)".contains("version 2"), "\($0)") }
        var reserved = header
        reserved[10] = 1
        XCTAssertThrowsError(try EncryptedFileReader.open(reserved, keys: ring))
        XCTAssertThrowsError(try EncryptedFileReader.open(Array("EMBERE".utf8), keys: ring))
        // Huge lengths: a torn tail, nothing allocated for them.
        for field: [UInt8] in [[0x7F, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 0]] {
            let opened = try? EncryptedFileReader.open(header + field + [UInt8](repeating: 0, count: 40), keys: ring)
            if let opened { XCTAssertEqual(opened.tornAt, EncryptedFileFormat.headerLength) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let noise = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? EncryptedFileReader.open(header + noise, keys: ring)
        }
    }

    func testSealingAfterTheFinalChunkIsRefused() throws {
        var sealer = ChunkSealer(key: key(7))
        var file = sealer.header
        try [UInt8]().withUnsafeBytes { try sealer.seal($0, final: true, into: &file) }
        XCTAssertThrowsError(try [UInt8]([1]).withUnsafeBytes { try sealer.seal($0, final: false, into: &file) })
    }
}
