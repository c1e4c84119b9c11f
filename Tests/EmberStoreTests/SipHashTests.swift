import EmberStore
import XCTest

final class SipHashTests: XCTestCase {
    /// The reference vectors of the SipHash paper (SipHash-2-4, key 00..0f, message 00..n-1):
    /// the same code runs SipHash-1-3 with other round counts.
    func testReferenceVectors() {
        let key = SipHash(k0: 0x0706_0504_0302_0100, k1: 0x0f0e_0d0c_0b0a_0908)
        let message = (0..<64).map { UInt8($0) }
        let expected: [Int: UInt64] = [0: 0x726f_db47_dd0e_0e31, 1: 0x74f8_39c5_93dc_67fd, 15: 0xa129_ca61_49be_45e5]
        for (length, value) in expected {
            let hash = message.withUnsafeBytes {
                key.hash(UnsafeRawBufferPointer(rebasing: $0[0..<length]), compressionRounds: 2, finalizationRounds: 4)
            }
            XCTAssertEqual(hash, value, "length \(length)")
        }
    }

    func testHash13SpreadsSimilarKeys() {
        let key = SipHash.process
        var seen = Set<UInt64>()
        for i in 0..<10_000 {
            let text = Array("key:\(i)".utf8)
            seen.insert(text.withUnsafeBytes { key.hash13($0) })
        }
        XCTAssertEqual(seen.count, 10_000)
    }
}
