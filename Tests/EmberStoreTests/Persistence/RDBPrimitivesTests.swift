import EmberRESP
import XCTest

@testable import EmberStore

final class RDBPrimitivesTests: XCTestCase {
    /// Bit by bit, the definition: reflected Jones polynomial, no final xor.
    private func referenceCRC64(_ bytes: [UInt8]) -> UInt64 {
        var crc: UInt64 = 0
        for byte in bytes {
            crc ^= UInt64(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x95AC_9329_AC4B_C9B5 : crc >> 1 }
        }
        return crc
    }

    func testCRC64CheckValue() {
        XCTAssertEqual(CRC64.checksum(Array("123456789".utf8)), 0xE9C6_D914_C4B8_D9CA)
        XCTAssertEqual(CRC64.checksum([]), 0)
    }

    func testCRC64SlicingMatchesBitwiseAtEveryLengthAndAlignment() {
        var random = SystemRandomNumberGenerator()
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &random) }
        for start in 0..<9 {
            for length in stride(from: 0, to: data.count - start, by: 7) {
                let slice = Array(data[start..<(start + length)])
                XCTAssertEqual(CRC64.checksum(slice), referenceCRC64(slice), "start \(start) length \(length)")
            }
        }
        // Continuing over pieces equals one pass.
        let whole = CRC64.checksum(data)
        XCTAssertEqual(CRC64.update(CRC64.update(0, Array(data[0..<123])), Array(data[123...])), whole)
    }

    func testDumpPayloadsOfRedisAreByteIdentical() throws {
        // DUMP of SET k hello and HSET h a 1 on redis-server 7.0.15.
        let string = RDBTestSupport.hexDecode("000568656c6c6f0a006372df766534200a")
        let hash = RDBTestSupport.hexDecode("100c0c00000002008161020101ff0a0084a693e8aa17e4db")
        XCTAssertTrue(DumpPayload.verify(string))
        XCTAssertTrue(DumpPayload.verify(hash))
        XCTAssertEqual(DumpPayload.create(.string(Bytes("hello")), encoding: RDBValueEncoding()).array, string)
        var value = HashValue()
        value.set(Bytes("a"), Bytes("1"), limits: CollectionLimits())
        XCTAssertEqual(DumpPayload.create(.hash(value), encoding: RDBValueEncoding()).array, hash)
        var flipped = string
        flipped[2] ^= 1
        XCTAssertFalse(DumpPayload.verify(flipped))
        var newer = string
        newer[newer.count - 10] = 11
        XCTAssertFalse(DumpPayload.verify(newer))
    }

    func testLZFDecompressesRedisOutput() throws {
        // The LZF bodies redis-server 7.0 wrote for "x" * 100 and a 50-byte string.
        let xs: [UInt8] = [0x01, 0x78, 0x78, 0xE0, 0x57, 0x00, 0x01, 0x78, 0x78]
        XCTAssertEqual(LZF.decompress(xs, length: 100), Array(repeating: UInt8(ascii: "x"), count: 100))
        let mixed = RDBTestSupport.hexDecode("0a6162636465666768696a61e00a090930313233343536373839c01d01696a")
        XCTAssertEqual(LZF.decompress(mixed, length: 50).map { String(decoding: $0, as: UTF8.self) },
                       "abcdefghijabcdefghijabcdefghij0123456789abcdefghij")
    }

    func testLZFRoundTrips() {
        var random = SystemRandomNumberGenerator()
        let samples: [[UInt8]] = [
            Array("abc".utf8) + Array(repeating: UInt8(ascii: "a"), count: 10_000),
            Array(String(repeating: "hello world ", count: 500).utf8),
            (0..<5000).map { UInt8($0 % 251) },
            (0..<70_000).map { _ in UInt8.random(in: 0...3, using: &random) },
            (0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) },
        ]
        for sample in samples {
            if let compressed = LZF.compress(sample, limit: sample.count + 64) {
                XCTAssertEqual(LZF.decompress(compressed, length: sample.count), sample)
                XCTAssertNil(LZF.decompress(compressed, length: sample.count + 1))
                if sample.count > 1 { XCTAssertNil(LZF.decompress(compressed, length: sample.count - 1)) }
            } else {
                XCTFail("compressing \(sample.count) bytes with room failed")
            }
        }
        // Incompressible data does not fit a budget below its size.
        let noise = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) }
        XCTAssertNil(LZF.compress(noise, limit: noise.count - 4))
    }

    func testReusedCompressorGivesWhatAFreshTableGives() {
        // One compressor for a whole save: entries left by earlier inputs must not change the
        // output (a fresh table per input is the reference), nor leak matches into it.
        var random = SystemRandomNumberGenerator()
        var compressor = LZFCompressor()
        for round in 0..<300 {
            let length = Int.random(in: 0..<3000, using: &random)
            let alphabet = UInt8(round % 3 == 0 ? 255 : 4)
            let sample = (0..<length).map { _ in UInt8.random(in: 0...alphabet, using: &random) }
            var reused: [UInt8] = [9, 9]  // appended after what is there
            let fitted = sample.withUnsafeBytes { compressor.compress($0, limit: max(length - 4, 0), into: &reused) }
            let fresh = LZF.compress(sample, limit: max(length - 4, 0))
            XCTAssertEqual(fitted, fresh != nil)
            XCTAssertEqual(Array(reused.dropFirst(2)), fresh ?? [])
            XCTAssertEqual(Array(reused.prefix(2)), [9, 9])
            if let fresh { XCTAssertEqual(LZF.decompress(fresh, length: length), sample) }
        }
    }

    func testLZFRejectsMalformedStreams() {
        XCTAssertNil(LZF.decompress([0x05, 1, 2], length: 6))  // literal run past the input
        XCTAssertNil(LZF.decompress([0x20, 0x00], length: 3))  // reference before any output
        XCTAssertNil(LZF.decompress([0x00, 0x41, 0x20, 0x05], length: 4))  // distance past the start
        XCTAssertNil(LZF.decompress([0x00, 0x41, 0xE0], length: 10))  // truncated long reference
        XCTAssertNil(LZF.decompress([0x01, 0x41, 0x41], length: 1))  // output too small
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let garbage = (0..<Int.random(in: 0..<40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = LZF.decompress(garbage, length: Int.random(in: 0..<200, using: &random))
        }
    }

    func testLengthEncodingBoundaries() throws {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0x00]), (63, [0x3F]), (64, [0x40, 0x40]), (16383, [0x7F, 0xFF]),
            (16384, [0x80, 0x00, 0x00, 0x40, 0x00]), (UInt64(UInt32.max), [0x80, 0xFF, 0xFF, 0xFF, 0xFF]),
            (UInt64(UInt32.max) + 1, [0x81, 0, 0, 0, 1, 0, 0, 0, 0]),
        ]
        for (value, expected) in cases {
            var encoder = RDBEncoder(compression: false)
            encoder.writeLength(value)
            XCTAssertEqual(encoder.bytes, expected, "\(value)")
            var reader = RDBReader(expected)
            let (read, encoded) = try reader.readLength()
            XCTAssertEqual(read, value)
            XCTAssertFalse(encoded)
            XCTAssertTrue(reader.isAtEnd)
        }
        var reader = RDBReader([0x82])
        XCTAssertThrowsError(try reader.readLength())
    }

    func testStringEncodingsAsRedisWritesThem() throws {
        func encoded(_ text: String, compression: Bool = true) -> [UInt8] {
            var encoder = RDBEncoder(compression: compression)
            encoder.writeString(Bytes(text))
            return encoder.bytes
        }
        XCTAssertEqual(encoded("64"), [0xC0, 0x40])
        XCTAssertEqual(encoded("-1"), [0xC0, 0xFF])
        XCTAssertEqual(encoded("300"), [0xC1, 0x2C, 0x01])
        XCTAssertEqual(encoded("-30000"), [0xC1] + RDBTestSupport.le(UInt16(bitPattern: -30000), 2))
        XCTAssertEqual(encoded("2000000000"), [0xC2] + RDBTestSupport.le(UInt32(2_000_000_000), 4))
        XCTAssertEqual(encoded("3000000000"), [0x0A] + Array("3000000000".utf8))  // past 32 bits: raw
        XCTAssertEqual(encoded("007"), [0x03] + Array("007".utf8))  // not canonical: raw
        XCTAssertEqual(encoded(""), [0x00])
        XCTAssertEqual(encoded(String(repeating: "a", count: 30))[0], 0xC3)
        XCTAssertEqual(encoded(String(repeating: "a", count: 30), compression: false)[0], 30)
        XCTAssertEqual(encoded(String(repeating: "a", count: 20))[0], 20)  // 20 bytes: never compressed

        var integer = RDBEncoder(compression: true)
        integer.writeInteger(5_000_000_000)
        XCTAssertEqual(integer.bytes, [0x0A] + Array("5000000000".utf8))

        for text in ["64", "-1", "300", "-30000", "2000000000", "007", "", String(repeating: "xyz", count: 50)] {
            var reader = RDBReader(encoded(text))
            XCTAssertEqual(String(decoding: try reader.readString(), as: UTF8.self), text)
            XCTAssertTrue(reader.isAtEnd)
        }
    }

    func testDoubles() throws {
        var encoder = RDBEncoder(compression: false)
        encoder.writeBinaryDouble(1.5)
        var reader = RDBReader(encoder.bytes)
        XCTAssertEqual(try reader.readBinaryDouble(), 1.5)
        for (bytes, expected) in [([253], Double.nan), ([254], .infinity), ([255], -.infinity),
                                  ([4] + Array("3.25".utf8), 3.25), ([5] + Array("-1e10".utf8), -1e10)] as [([UInt8], Double)] {
            var reader = RDBReader(bytes)
            let value = try reader.readTextDouble()
            if expected.isNaN { XCTAssertTrue(value.isNaN) } else { XCTAssertEqual(value, expected) }
        }
        var bad = RDBReader([3] + Array("abc".utf8))
        XCTAssertThrowsError(try bad.readTextDouble())
        var short = RDBReader([9, 0x31])
        XCTAssertThrowsError(try short.readTextDouble())
    }

    func testListpackBuilderEncodings() throws {
        var builder = RedisListpack.Builder()
        let values: [Int64] = [0, 127, 128, -1, -4096, 4095, 4096, -32768, 32767, 32768, -(1 << 23), (1 << 23) - 1,
                               1 << 23, Int64(Int32.min), Int64(Int32.max), Int64(Int32.max) + 1, .min, .max]
        for value in values { builder.append(Bytes(decimal: value)) }
        let strings = ["", "a", String(repeating: "b", count: 63), String(repeating: "c", count: 64),
                       String(repeating: "d", count: 4095), String(repeating: "e", count: 4096), "007", "-0", "1.5"]
        for text in strings { builder.append(Bytes(text)) }
        let blob = builder.finish()
        XCTAssertEqual(Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24, blob.count)
        XCTAssertEqual(Int(blob[4]) | Int(blob[5]) << 8, values.count + strings.count)
        var decoded: [String] = []
        try RedisListpack.forEach(blob, deep: true) { decoded.append($0.bytes(in: blob).string) }
        XCTAssertEqual(decoded, values.map { String($0) } + strings)
        // Encoding bytes Redis uses for the small cases.
        var small = RedisListpack.Builder()
        small.append(Bytes("5"))
        small.append(Bytes("-5"))
        small.append(Bytes("hi"))
        XCTAssertEqual(small.finish(), [16, 0, 0, 0, 3, 0, 0x05, 0x01, 0xDF, 0xFB, 0x02, 0x82, 0x68, 0x69, 0x03, 0xFF])
    }
}
