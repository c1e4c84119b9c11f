import EmberRESP
import XCTest

@testable import EmberStore

final class RDBValueCodecTests: XCTestCase {
    typealias T = RDBFormat.ValueType
    let limits = CollectionLimits()

    /// DUMP and back; the same content, and (`sameEncoding`) the same encoding when loaded
    /// under `limits`.
    private func roundTrip(_ value: Value, encoding: RDBValueEncoding = RDBValueEncoding(), limits: CollectionLimits? = nil,
                           sameEncoding: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> Value {
        let limits = limits ?? self.limits
        let payload = DumpPayload.create(value, encoding: encoding).array
        XCTAssertTrue(DumpPayload.verify(payload), file: file, line: line)
        let decoded = try XCTUnwrap(try DumpPayload.decode(payload, decoding: RDBValueDecoding(limits: limits, deepValidation: true)),
                                    file: file, line: line)
        var original = RDBTestSupport.describe(StoredValue(value, lru: 0), expireAt: nil)
        var again = RDBTestSupport.describe(StoredValue(decoded, lru: 0), expireAt: nil)
        if !sameEncoding {
            original["encoding"] = nil
            again["encoding"] = nil
        }
        XCTAssertEqual(try RDBTestSupport.canonicalJSON(again), try RDBTestSupport.canonicalJSON(original), file: file, line: line)
        return decoded
    }

    private func strings(_ count: Int, _ prefix: String = "m") -> [Bytes] { (0..<count).map { Bytes("\(prefix)\($0)") } }

    func testStrings() throws {
        for text in ["", "a", "hello", "12", "-128", "32767", "2147483647", "2147483648", "9223372036854775807",
                     "-9223372036854775808", "007", "1.5", String(repeating: "z", count: 1000)] {
            _ = try roundTrip(.string(encoding: Bytes(text)))
            // Loading picks the encoding again (an integer-like string becomes an integer).
            _ = try roundTrip(.string(Bytes(text)), encoding: RDBValueEncoding(compression: false), sameEncoding: false)
        }
        _ = try roundTrip(.string(Bytes((0...255).map { UInt8($0) })))
        for integer: Int64 in [0, -1, 127, 128, -32769, 1 << 31, .max, .min] {
            let decoded = try roundTrip(.integer(integer))
            guard case .integer(let back) = decoded else { return XCTFail("\(integer) did not load as an integer") }
            XCTAssertEqual(back, integer)
        }
    }

    func testListsInEveryNodeShape() throws {
        let mixed = [Bytes("a"), Bytes("1"), Bytes("-2"), Bytes("70000"), Bytes(""), Bytes(String(repeating: "q", count: 5000))]
        _ = try roundTrip(.list(ListValue(mixed)))
        let many = ListValue(strings(5000, "element-"))
        for fill in [-1, -2, -3, -4, -5, 1, 2, 128, 1000] {
            _ = try roundTrip(.list(many), encoding: RDBValueEncoding(listMaxListpackSize: fill))
        }
        for depth in [1, 2, 5] {
            _ = try roundTrip(.list(many), encoding: RDBValueEncoding(listMaxListpackSize: 16, listCompressDepth: depth))
        }
        _ = try roundTrip(.list(many), encoding: RDBValueEncoding(compression: false))
    }

    func testListNodesCutAsRedisCutsThem() throws {
        // 1200 elements "element-<i>" at -2 (8 KB): redis-server 7.0 writes these in 2 nodes.
        var out = RDBEncoder(compression: false)
        RDBValueCodec.encodeList(ListValue(strings(1200, "element-")), into: &out, RDBValueEncoding())
        var reader = RDBReader(out.bytes)
        XCTAssertEqual(try reader.readCount(), 2)
        // Positive fill: entries per node.
        var counted = RDBEncoder(compression: false)
        RDBValueCodec.encodeList(ListValue(strings(10)), into: &counted, RDBValueEncoding(listMaxListpackSize: 4))
        var countedReader = RDBReader(counted.bytes)
        XCTAssertEqual(try countedReader.readCount(), 3)
    }

    func testSetsInEveryEncoding() throws {
        let intset = try roundTrip(.set(SetValue([Bytes("1"), Bytes("-5"), Bytes("70000"), Bytes("5000000000")], limits: limits)))
        guard case .set(let loadedIntset) = intset else { return XCTFail() }
        XCTAssertEqual(loadedIntset.encodingName, "intset")
        let small = try roundTrip(.set(SetValue([Bytes("a"), Bytes("b"), Bytes("1")], limits: limits)))
        guard case .set(let loadedSmall) = small else { return XCTFail() }
        XCTAssertEqual(loadedSmall.encodingName, "hashtable")
        _ = try roundTrip(.set(SetValue(strings(1000), limits: limits)))
        let bigInts = try roundTrip(.set(SetValue((0..<1000).map { Bytes(decimal: Int64($0)) }, limits: limits)))
        guard case .set(let loadedBig) = bigInts else { return XCTFail() }
        XCTAssertEqual(loadedBig.encodingName, "hashtable")
    }

    func testHashesInBothEncodings() throws {
        var small = HashValue()
        for (field, value) in [("a", "1"), ("b", "hello"), ("num", "-77"), ("", "")] { small.set(Bytes(field), Bytes(value), limits: limits) }
        let loaded = try roundTrip(.hash(small))
        guard case .hash(let hash) = loaded else { return XCTFail() }
        XCTAssertEqual(hash.encodingName, "listpack")
        var big = HashValue()
        for index in 0..<600 { big.set(Bytes("f\(index)"), Bytes("v\(index)"), limits: limits) }
        let loadedBig = try roundTrip(.hash(big))
        guard case .hash(let table) = loadedBig else { return XCTFail() }
        XCTAssertEqual(table.encodingName, "hashtable")
        var long = HashValue()
        long.set(Bytes("a"), Bytes(String(repeating: "y", count: 100)), limits: limits)
        _ = try roundTrip(.hash(long))
    }

    func testSortedSetsInBothEncodings() throws {
        let scores: [Double] = [1.5, 2, -3, 0, 1e100, 3.141592653589793, .infinity, -.infinity, 1e17, 123456789012345678, 0.1, -0.0]
        let entries = scores.enumerated().map { ScoredMember(score: $0.element, member: Bytes("m\($0.offset)")) }
            .sorted { $0.precedes($1) }
        let compact = try roundTrip(.zset(SortedSetValue(sortedEntries: entries, limits: limits)))
        guard case .zset(let loadedCompact) = compact else { return XCTFail() }
        XCTAssertEqual(loadedCompact.encodingName, "listpack")
        let many = (0..<300).map { ScoredMember(score: Double($0) / 7, member: Bytes("member:\($0)")) }
        let skiplist = try roundTrip(.zset(SortedSetValue(sortedEntries: many, limits: limits)))
        guard case .zset(let loadedSkiplist) = skiplist else { return XCTFail() }
        XCTAssertEqual(loadedSkiplist.encodingName, "skiplist")
        // In the skiplist, -0 stays -0.
        _ = try roundTrip(.zset(SortedSetValue(sortedEntries: entries, limits: .tiny)), limits: .tiny)
    }

    func testLoadingFollowsTheConfiguredThresholds() throws {
        var hash = HashValue()
        for index in 0..<10 { hash.set(Bytes("f\(index)"), Bytes("v"), limits: limits) }
        let payload = DumpPayload.create(.hash(hash), encoding: RDBValueEncoding()).array
        let loaded = try DumpPayload.decode(payload, decoding: RDBValueDecoding(limits: .tiny))
        guard case .hash(let converted) = loaded else { return XCTFail() }
        XCTAssertEqual(converted.encodingName, "hashtable")
        let set = DumpPayload.create(.set(SetValue((0..<10).map { Bytes(decimal: Int64($0)) }, limits: limits)), encoding: RDBValueEncoding()).array
        guard case .set(let loadedSet) = try DumpPayload.decode(set, decoding: RDBValueDecoding(limits: .tiny)) else { return XCTFail() }
        XCTAssertEqual(loadedSet.encodingName, "hashtable")
    }

    // MARK: - Legacy encodings

    func testOldLinkedListSetZsetAndHash() throws {
        let list = try RDBTestSupport.decode(type: T.list, body: RDBTestSupport.rdbLength(3) + [0xC0, 0x05] + RDBTestSupport.rdbString(Array("ab".utf8)) + [0x00])
        guard case .list(let loadedList) = list else { return XCTFail() }
        XCTAssertEqual(loadedList.elements.map(\.string), ["5", "ab", ""])

        let set = try RDBTestSupport.decode(type: T.set, body: [2, 0xC0, 7, 0xC1, 0x10, 0x27])
        guard case .set(let loadedSet) = set else { return XCTFail() }
        XCTAssertEqual(loadedSet.encodingName, "intset")
        XCTAssertEqual(Set(loadedSet.members.map(\.string)), ["7", "10000"])

        let textZset = try RDBTestSupport.decode(type: T.zset, body: [3] + RDBTestSupport.rdbString(Array("a".utf8)) + [3] + Array("1.5".utf8)
            + RDBTestSupport.rdbString(Array("b".utf8)) + [254] + RDBTestSupport.rdbString(Array("c".utf8)) + [255])
        guard case .zset(let zset) = textZset else { return XCTFail() }
        XCTAssertEqual(zset.entries.map(\.member.string), ["c", "a", "b"])
        XCTAssertEqual(zset.entries.map(\.score), [-.infinity, 1.5, .infinity])
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.zset, body: [1] + RDBTestSupport.rdbString([0x61]) + [253]))  // NaN

        let hash = try RDBTestSupport.decode(type: T.hash, body: [1] + RDBTestSupport.rdbString(Array("f".utf8)) + RDBTestSupport.rdbString(Array("v".utf8)))
        guard case .hash(let loadedHash) = hash else { return XCTFail() }
        XCTAssertEqual(loadedHash.value(for: Bytes("f"))?.string, "v")
    }

    func testZiplistEncodings() throws {
        let items: [RDBTestSupport.ZiplistItem] = [
            .string(Array("hello".utf8)), .int(0), .int(12), .int(13), .int(-100), .int(30000), .int(-8_000_000),
            .int(2_000_000_000), .int(.max), .string(Array(repeating: 0x41, count: 300)), .string(Array(repeating: 0x42, count: 20000)),
        ]
        let blob = RDBTestSupport.ziplist(items)
        let expected = ["hello", "0", "12", "13", "-100", "30000", "-8000000", "2000000000", String(Int64.max),
                        String(repeating: "A", count: 300), String(repeating: "B", count: 20000)]
        let list = try RDBTestSupport.decode(type: T.listZiplist, body: RDBTestSupport.rdbString(blob), deep: true)
        guard case .list(let loaded) = list else { return XCTFail() }
        XCTAssertEqual(loaded.elements.map(\.string), expected)

        // Quicklist (version 1): ziplist nodes; an empty one is skipped.
        let empty = RDBTestSupport.ziplist([])
        let quicklist = try RDBTestSupport.decode(type: T.listQuicklist,
            body: [3] + RDBTestSupport.rdbString(blob) + RDBTestSupport.rdbString(empty) + RDBTestSupport.rdbString(RDBTestSupport.ziplist([.int(1)])), deep: true)
        guard case .list(let loadedQuicklist) = quicklist else { return XCTFail() }
        XCTAssertEqual(loadedQuicklist.elements.map(\.string), expected + ["1"])

        let hash = try RDBTestSupport.decode(type: T.hashZiplist, body: RDBTestSupport.rdbString(RDBTestSupport.ziplist(
            [.string(Array("f1".utf8)), .int(1), .string(Array("f2".utf8)), .string(Array("v2".utf8))])), deep: true)
        guard case .hash(let loadedHash) = hash else { return XCTFail() }
        XCTAssertEqual(loadedHash.encodingName, "listpack")
        XCTAssertEqual(loadedHash.value(for: Bytes("f1"))?.string, "1")
        XCTAssertEqual(loadedHash.value(for: Bytes("f2"))?.string, "v2")

        let zset = try RDBTestSupport.decode(type: T.zsetZiplist, body: RDBTestSupport.rdbString(RDBTestSupport.ziplist(
            [.string(Array("a".utf8)), .int(2), .string(Array("b".utf8)), .string(Array("1.5".utf8))])), deep: true)
        guard case .zset(let loadedZset) = zset else { return XCTFail() }
        XCTAssertEqual(loadedZset.entries.map(\.member.string), ["b", "a"])
        XCTAssertEqual(loadedZset.entries.map(\.score), [1.5, 2])

        // Duplicates are corruption; so is an odd number of entries.
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.hashZiplist, body: RDBTestSupport.rdbString(RDBTestSupport.ziplist(
            [.string([0x61]), .int(1), .string([0x61]), .int(2)]))))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.zsetZiplist, body: RDBTestSupport.rdbString(RDBTestSupport.ziplist(
            [.string([0x61]), .int(1), .string([0x61]), .int(2)]))))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.hashZiplist, body: RDBTestSupport.rdbString(RDBTestSupport.ziplist([.int(1)]))))
        // A hash ziplist past the thresholds becomes a table.
        let wide = try RDBTestSupport.decode(type: T.hashZiplist, body: RDBTestSupport.rdbString(RDBTestSupport.ziplist(
            [.string([0x61]), .string(Array(repeating: 0x7A, count: 100))])))
        guard case .hash(let wideHash) = wide else { return XCTFail() }
        XCTAssertEqual(wideHash.encodingName, "hashtable")
    }

    func testZipmapAndIntset() throws {
        let zipmap = RDBTestSupport.zipmap([(Array("a".utf8), Array("1".utf8)), (Array("bb".utf8), Array(repeating: 0x78, count: 300))], free: 2)
        let hash = try RDBTestSupport.decode(type: T.hashZipmap, body: RDBTestSupport.rdbString(zipmap))
        guard case .hash(let loaded) = hash else { return XCTFail() }
        XCTAssertEqual(loaded.count, 2)
        XCTAssertEqual(loaded.value(for: Bytes("bb"))?.count, 300)
        XCTAssertEqual(loaded.encodingName, "hashtable")  // a 300-byte value is past hash-max-listpack-value
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.hashZipmap, body: RDBTestSupport.rdbString(
            RDBTestSupport.zipmap([([0x61], [0x31]), ([0x61], [0x32])]))))

        for width in [2, 4, 8] {
            let blob = RedisIntset.blob([-3, 1, 2, 1000], width: width)
            let set = try RDBTestSupport.decode(type: T.setIntset, body: RDBTestSupport.rdbString(blob))
            guard case .set(let loadedSet) = set else { return XCTFail() }
            XCTAssertEqual(loadedSet.encodingName, "intset")
            XCTAssertEqual(loadedSet.members.map(\.string), ["-3", "1", "2", "1000"])
        }
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.setIntset, body: RDBTestSupport.rdbString(RedisIntset.blob([2, 1], width: 2))))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.setIntset, body: RDBTestSupport.rdbString(RedisIntset.blob([1, 1], width: 2))))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.setIntset, body: RDBTestSupport.rdbString(RedisIntset.blob([1], width: 3))))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.setIntset, body: RDBTestSupport.rdbString(Array(RedisIntset.blob([1, 2], width: 4).dropLast()))))
        // More members than set-max-intset-entries: a table.
        let big = try RDBTestSupport.decode(type: T.setIntset, body: RDBTestSupport.rdbString(RedisIntset.blob(Array(0..<600), width: 2)))
        guard case .set(let bigSet) = big else { return XCTFail() }
        XCTAssertEqual(bigSet.encodingName, "hashtable")
    }

    func testQuicklist2PlainNodesAndEmptyCollections() throws {
        var pack = RedisListpack.Builder()
        pack.append(Bytes("x"))
        let body = [2, 1] + RDBTestSupport.rdbString(Array("plain element".utf8)) + [2] + RDBTestSupport.rdbString(pack.finish())
        let list = try RDBTestSupport.decode(type: T.listQuicklist2, body: body)
        guard case .list(let loaded) = list else { return XCTFail() }
        XCTAssertEqual(loaded.elements.map(\.string), ["plain element", "x"])
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.listQuicklist2, body: [1, 3] + RDBTestSupport.rdbString(pack.finish())))

        // Empty collections load as nothing.
        let emptyPack = RedisListpack.Builder().finish()
        XCTAssertNil(try RDBTestSupport.decode(type: T.listQuicklist2, body: [1, 2] + RDBTestSupport.rdbString(emptyPack)))
        XCTAssertNil(try RDBTestSupport.decode(type: T.hashListpack, body: RDBTestSupport.rdbString(emptyPack)))
        XCTAssertNil(try RDBTestSupport.decode(type: T.zsetListpack, body: RDBTestSupport.rdbString(emptyPack)))
        XCTAssertNil(try RDBTestSupport.decode(type: T.set, body: [0]))
        XCTAssertNil(try RDBTestSupport.decode(type: T.hash, body: [0]))
        XCTAssertNil(try RDBTestSupport.decode(type: T.list, body: [0]))
        XCTAssertNil(try RDBTestSupport.decode(type: T.zset2, body: [0]))
        XCTAssertNil(try RDBTestSupport.decode(type: T.setIntset, body: RDBTestSupport.rdbString(RedisIntset.blob([], width: 2))))
    }

    func testUnsupportedAndUnknownTypes() {
        for type in [T.streamListpacks, T.streamListpacks2, T.module2, T.modulePreGA] {
            XCTAssertThrowsError(try RDBTestSupport.decode(type: type, body: [0])) { error in
                XCTAssertEqual((error as? RDBError)?.reason, "unsupported type \(type)")
            }
        }
        for type: UInt8 in [8, 20, 100, 200] {
            XCTAssertThrowsError(try RDBTestSupport.decode(type: type, body: [0]))
        }
    }

    func testDuplicatesAreCorruption() {
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.set, body: [2, 0xC0, 1, 0xC0, 1]))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.set, body: [2] + RDBTestSupport.rdbString([0x61]) + RDBTestSupport.rdbString([0x61])))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.hash, body: [2] + RDBTestSupport.rdbString([0x61]) + [0] + RDBTestSupport.rdbString([0x61]) + [0]))
        var zset = RDBEncoder(compression: false)
        zset.writeLength(2)
        for score in [1.0, 2.0] {
            zset.writeString(Bytes("a"))
            zset.writeBinaryDouble(score)
        }
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.zset2, body: zset.bytes))
        var pack = RedisListpack.Builder()
        for text in ["a", "1", "a", "2"] { pack.append(Bytes(text)) }
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.hashListpack, body: RDBTestSupport.rdbString(pack.finish())))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.zsetListpack, body: RDBTestSupport.rdbString(pack.finish())))
        // Integer fields, and a hash past 16 fields (found through a set, not pairwise).
        var integers = RedisListpack.Builder()
        for text in ["7", "a", "8", "b", "7", "c"] { integers.append(Bytes(text)) }
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.hashListpack, body: RDBTestSupport.rdbString(integers.finish())))
        var wide = RedisListpack.Builder()
        for index in 0..<40 { wide.append(Bytes("f\(index % 39)")); wide.append(Bytes("v")) }
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.hashListpack, body: RDBTestSupport.rdbString(wide.finish())))
        // A hostile listpack holding 12 as an integer and "12" as a string: the same field.
        let mixed: [UInt8] = [19, 0, 0, 0, 4, 0, 0x0C, 0x01, 0x81, 0x78, 0x02, 0x82, 0x31, 0x32, 0x03, 0x81, 0x79, 0x02, 0xFF]
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.hashListpack, body: RDBTestSupport.rdbString(mixed)))
    }

    func testPackedHashesLoadCompactFromTheBlob() throws {
        var pack = RedisListpack.Builder()
        let pairs = [("n", "-12345"), ("big", "9223372036854775807"), ("", "empty"), ("t", String(repeating: "z", count: 64))]
        for (field, value) in pairs {
            pack.append(Bytes(field))
            pack.append(Bytes(value))
        }
        let value = try RDBTestSupport.decode(type: T.hashListpack, body: RDBTestSupport.rdbString(pack.finish()))
        guard case .hash(let hash)? = value else { return XCTFail("\(String(describing: value))") }
        XCTAssertEqual(hash.encodingName, "listpack")
        for (field, expected) in pairs { XCTAssertEqual(hash.value(for: Bytes(field)), Bytes(expected)) }
        // A value past hash-max-listpack-value (64) makes it a table.
        var long = RedisListpack.Builder()
        long.append(Bytes("f"))
        long.append(Bytes(String(repeating: "z", count: 65)))
        guard case .hash(let table)? = try RDBTestSupport.decode(type: T.hashListpack, body: RDBTestSupport.rdbString(long.finish())) else {
            return XCTFail()
        }
        XCTAssertEqual(table.encodingName, "hashtable")
    }

    func testDeepValidationCatchesWhatTheShallowCheckLets_through() throws {
        var pack = RedisListpack.Builder()
        pack.append(Bytes("a"))
        pack.append(Bytes("b"))
        var badCount = pack.finish()
        badCount[4] = 5
        XCTAssertNotNil(try RDBTestSupport.decode(type: T.listQuicklist2, body: [1, 2] + RDBTestSupport.rdbString(badCount)))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.listQuicklist2, body: [1, 2] + RDBTestSupport.rdbString(badCount), deep: true))
        var badBacklen = pack.finish()
        badBacklen[8] = 9
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.listQuicklist2, body: [1, 2] + RDBTestSupport.rdbString(badBacklen), deep: true))
        // Ziplists are converted as they load, and validated whole either way (as Redis does).
        var badTail = RDBTestSupport.ziplist([.int(1), .int(2)])
        badTail[4] = 10
        for deep in [false, true] {
            XCTAssertThrowsError(try RDBTestSupport.decode(type: T.listZiplist, body: RDBTestSupport.rdbString(badTail), deep: deep)) { error in
                XCTAssertTrue("\(error)".contains("List ziplist integrity check failed"), "\(error)")
            }
        }
    }

    func testEmptyZipmapAndEmptyQuicklistNodesAreCorrupt() {
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.hashZipmap, body: RDBTestSupport.rdbString([0x00, 0xFF]))) { error in
            XCTAssertTrue("\(error)".contains("Zipmap integrity check failed"), "\(error)")
        }
        // One plain node of zero bytes (what Redis's "quicklist encoded_len is 0" finding sends).
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.listQuicklist2, body: [1, 1, 0]))
        XCTAssertThrowsError(try RDBTestSupport.decode(type: T.listQuicklist2, body: [1, 2, 0]))
    }

    // MARK: - Hostile input

    /// Payloads of every type and encoding.
    private func samplePayloads() -> [[UInt8]] {
        var values: [Value] = [
            .string(Bytes("hello")), .integer(123456), .string(Bytes(String(repeating: "abc", count: 100))),
            .list(ListValue(strings(50))), .list(ListValue(strings(1500, "element-"))),
            .set(SetValue([Bytes("1"), Bytes("2"), Bytes("300000")], limits: limits)),
            .set(SetValue(strings(20), limits: limits)),
            .zset(SortedSetValue(sortedEntries: (0..<10).map { ScoredMember(score: Double($0), member: Bytes("m\($0)")) }, limits: limits)),
            .zset(SortedSetValue(sortedEntries: (0..<200).map { ScoredMember(score: Double($0) / 3, member: Bytes("m\($0)")) }, limits: limits)),
        ]
        var small = HashValue()
        var big = HashValue()
        for index in 0..<10 { small.set(Bytes("f\(index)"), Bytes("v\(index)"), limits: limits) }
        for index in 0..<600 { big.set(Bytes("f\(index)"), Bytes("v\(index)"), limits: limits) }
        values += [.hash(small), .hash(big)]
        var payloads = values.map { DumpPayload.create($0, encoding: RDBValueEncoding(compression: false)).array }
        payloads += values.map { DumpPayload.create($0, encoding: RDBValueEncoding(compression: true, listMaxListpackSize: 8, listCompressDepth: 1)).array }
        // Legacy blobs too.
        payloads.append(RDBTestSupport.payload(type: T.listZiplist, body: RDBTestSupport.rdbString(RDBTestSupport.ziplist(
            [.string(Array("hello".utf8)), .int(5), .int(-70000), .string(Array(repeating: 0x61, count: 300))]))))
        payloads.append(RDBTestSupport.payload(type: T.hashZipmap, body: RDBTestSupport.rdbString(RDBTestSupport.zipmap(
            [([0x61], [0x62]), ([0x63, 0x64], [0x65])], free: 1))))
        payloads.append(RDBTestSupport.payload(type: T.setIntset, body: RDBTestSupport.rdbString(RedisIntset.blob([1, 5, 9], width: 4))))
        return payloads
    }

    func testTruncatedPayloadsThrow() {
        for payload in samplePayloads() {
            let body = Array(payload.dropLast(10))
            for length in Set((0..<body.count).filter { $0 < 64 || $0 % 7 == 0 } + [body.count - 1]) {
                let truncated = RDBTestSupport.payload(type: body.first ?? 0, body: Array(body[min(1, length)..<length]))
                XCTAssertThrowsError(try DumpPayload.decode(truncated, decoding: RDBValueDecoding()), "type \(body[0]) cut at \(length)")
            }
        }
    }

    func testRandomByteFlipsNeverTrap() {
        var random = SystemRandomNumberGenerator()
        for payload in samplePayloads() {
            let body = Array(payload.dropLast(10))
            for _ in 0..<150 {
                var mutated = body
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let index = Int.random(in: 0..<mutated.count, using: &random)
                    mutated[index] = Bool.random(using: &random) ? UInt8.random(in: 0...255, using: &random) : mutated[index] ^ (1 << UInt8.random(in: 0...7, using: &random))
                }
                let wrapped = RDBTestSupport.payload(type: mutated[0], body: Array(mutated.dropFirst()))
                for deep in [false, true] {
                    _ = try? DumpPayload.decode(wrapped, decoding: RDBValueDecoding(deepValidation: deep))
                }
            }
        }
    }

    func testHugeDeclaredLengthsDoNotAllocate() {
        let huge: [[UInt8]] = [
            [0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            [0x80, 0xFF, 0xFF, 0xFF, 0xFF],
            [0xC3, 0x05, 0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 5],
            [0xC3, 0x02, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x41],
        ]
        for type in [T.string, T.list, T.set, T.zset, T.zset2, T.hash, T.listQuicklist, T.listQuicklist2, T.hashListpack] {
            for body in huge {
                XCTAssertThrowsError(try RDBTestSupport.decode(type: type, body: body), "type \(type)")
            }
        }
    }
}

extension CollectionLimits {
    static var tiny: CollectionLimits {
        var limits = CollectionLimits()
        limits.hashMaxListpackEntries = 2
        limits.setMaxIntsetEntries = 2
        limits.zsetMaxListpackEntries = 2
        return limits
    }
}
