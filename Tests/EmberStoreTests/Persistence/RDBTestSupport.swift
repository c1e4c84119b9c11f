import EmberRESP
import Foundation
import XCTest

@testable import EmberStore

/// Shared helpers of the RDB tests: locations of fixtures, canonical descriptions of values
/// (the form `tests/fixtures/rdb/generate.py` records Redis's view in), a ziplist builder.
enum RDBTestSupport {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("tests/fixtures/rdb")
    static let sharedAssets = repository.deletingLastPathComponent()
        .appendingPathComponent("shared/redis-7.0.15-tests/tests/assets")

    static func hex(_ bytes: Bytes) -> String { bytes.array.map { String(format: "%02x", $0) }.joined() }

    static func scoreHex(_ score: Double) -> String {
        withUnsafeBytes(of: score.bitPattern.littleEndian) { $0.map { String(format: "%02x", $0) }.joined() }
    }

    /// The JSON-ready description of a stored value, as generate.py describes Redis's.
    static func describe(_ stored: StoredValue, expireAt: Int64?) -> [String: Any] {
        let value = stored.value
        var body: Any
        switch value {
        case .string, .integer: body = hex(value.stringBytes!)
        case .list(let list): body = list.elements.map(hex)
        case .set(let set): body = set.members.map(hex).sorted()
        case .hash(let hash):
            body = hash.pairs.map { [hex($0.field), hex($0.value)] }.sorted { $0.lexicographicallyPrecedes($1) }
        case .zset(let zset): body = zset.entries.map { [hex($0.member), scoreHex($0.score)] }
        }
        return ["type": value.typeName, "encoding": Engine.encodingName(stored), "value": body,
                "expireat": expireAt.map { NSNumber(value: $0) } ?? NSNull()]
    }

    /// db -> key hex -> description, for every non-empty database.
    static func describe(_ engine: Engine) -> [String: Any] {
        var result: [String: Any] = [:]
        for index in engine.databases.indices where engine.databases[index].count > 0 {
            var keys: [String: Any] = [:]
            let database = engine.databases[index]
            for slot in database.keys.indices {
                let entry = database.keys[slot]
                keys[hex(entry.key)] = describe(entry.value, expireAt: database.expireTime(at: slot))
            }
            result[String(index)] = keys
        }
        return result
    }

    static func canonicalJSON(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func loadJSON(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// Compares per key, so a failure names the key rather than dumping two huge strings.
    static func assertSameContent(_ actual: [String: Any], _ expected: [String: Any], _ label: String,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(Set(actual.keys), Set(expected.keys), "\(label): databases", file: file, line: line)
        for (db, expectedKeys) in expected {
            let expectedKeys = expectedKeys as! [String: Any]
            let actualKeys = actual[db] as? [String: Any] ?? [:]
            XCTAssertEqual(Set(actualKeys.keys), Set(expectedKeys.keys), "\(label): keys of db \(db)", file: file, line: line)
            for (key, description) in expectedKeys {
                guard let mine = actualKeys[key] else { continue }
                XCTAssertEqual(try canonicalJSON(mine), try canonicalJSON(description),
                               "\(label): db \(db) key \(String(decoding: hexDecode(key), as: UTF8.self))", file: file, line: line)
            }
        }
    }

    static func hexDecode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    // MARK: - Legacy blobs, built by hand

    enum ZiplistItem {
        case string([UInt8])
        case int(Int64)
    }

    /// A ziplist as Redis before 7.0 wrote them (prevlen, narrowest encoding, tail, count).
    static func ziplist(_ items: [ZiplistItem]) -> [UInt8] {
        var entries: [UInt8] = []
        var previous = 0
        var tail = 10
        for item in items {
            var entry: [UInt8] = previous < 254 ? [UInt8(previous)] : [254] + le(UInt32(previous), 4)
            switch item {
            case .string(let bytes):
                if bytes.count < 64 {
                    entry.append(UInt8(bytes.count))
                } else if bytes.count < 16384 {
                    entry += [0x40 | UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)]
                } else {
                    entry += [0x80] + be(UInt32(bytes.count))
                }
                entry += bytes
            case .int(let value):
                if value >= 0 && value <= 12 {
                    entry.append(0xF1 + UInt8(value))
                } else if value >= -128 && value <= 127 {
                    entry += [0xFE] + le(UInt64(bitPattern: value), 1)
                } else if value >= -32768 && value <= 32767 {
                    entry += [0xC0] + le(UInt64(bitPattern: value), 2)
                } else if value >= -(1 << 23) && value < (1 << 23) {
                    entry += [0xF0] + le(UInt64(bitPattern: value), 3)
                } else if value >= Int64(Int32.min) && value <= Int64(Int32.max) {
                    entry += [0xD0] + le(UInt64(bitPattern: value), 4)
                } else {
                    entry += [0xE0] + le(UInt64(bitPattern: value), 8)
                }
            }
            tail = 10 + entries.count
            previous = entry.count
            entries += entry
        }
        let total = 10 + entries.count + 1
        return le(UInt32(total), 4) + le(UInt32(tail), 4) + le(UInt16(min(items.count, 65535)), 2) + entries + [0xFF]
    }

    /// A zipmap (hashes before RDB version 4).
    static func zipmap(_ pairs: [([UInt8], [UInt8])], free: Int = 0) -> [UInt8] {
        func length(_ count: Int) -> [UInt8] { count < 254 ? [UInt8(count)] : [254] + le(UInt32(count), 4) }
        var out: [UInt8] = [UInt8(min(pairs.count, 254))]
        for (field, value) in pairs {
            out += length(field.count) + field + length(value.count) + [UInt8(free)] + value
            out += [UInt8](repeating: 0, count: free)
        }
        return out + [0xFF]
    }

    static func le<T: FixedWidthInteger>(_ value: T, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: UInt64(truncatingIfNeeded: value) >> (8 * UInt64($0))) }
    }

    static func be(_ value: UInt32) -> [UInt8] { le(value.byteSwapped, 4) }

    /// An RDB string (raw, length-prefixed).
    static func rdbString(_ bytes: [UInt8]) -> [UInt8] {
        var encoder = RDBEncoder(compression: false)
        encoder.writeLength(bytes.count)
        return encoder.bytes + bytes
    }

    static func rdbLength(_ value: Int) -> [UInt8] {
        var encoder = RDBEncoder(compression: false)
        encoder.writeLength(value)
        return encoder.bytes
    }

    /// A DUMP payload around a type byte and body (version 10, a valid checksum).
    static func payload(type: UInt8, body: [UInt8]) -> [UInt8] {
        var bytes = [type] + body + [10, 0]
        bytes += le(CRC64.checksum(bytes), 8)
        return bytes
    }

    static func decode(type: UInt8, body: [UInt8], limits: CollectionLimits = CollectionLimits(), deep: Bool = false) throws -> Value? {
        try DumpPayload.decode(payload(type: type, body: body), decoding: RDBValueDecoding(limits: limits, deepValidation: deep))
    }
}
