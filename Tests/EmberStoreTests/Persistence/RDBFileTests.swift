import EmberRESP
import Foundation
import XCTest

@testable import EmberStore

final class RDBFileTests: XCTestCase {
    /// Past every expiry the fixtures' generation created, before their 2100 ones.
    private let now: Int64 = 4_000_000_000_000

    private func load(_ bytes: [UInt8], configuration: EngineConfiguration = EngineConfiguration(),
                      dropExpired: Bool = true) throws -> Engine {
        let engine = Engine(configuration: configuration)
        try engine.loadRDB(bytes, now: now, dropExpired: dropExpired)
        return engine
    }

    private func fixture(_ name: String) throws -> [UInt8] {
        try RDBTestSupport.bytes(RDBTestSupport.fixtures.appendingPathComponent(name))
    }

    private func expected(_ name: String) throws -> [String: Any] {
        try RDBTestSupport.loadJSON(RDBTestSupport.fixtures.appendingPathComponent(name)) as! [String: Any]
    }

    // MARK: - Files written by redis-server 7.0

    func testLoadsTheRedisFixtureWithTheSameContent() throws {
        let bytes = try fixture("dump.rdb")
        let engine = try load(bytes)
        try RDBTestSupport.assertSameContent(RDBTestSupport.describe(engine), try expected("dump.json"), "dump.rdb")
        // The key that had expired when Redis saved is in the file; the caller decides.
        var expired: [String] = []
        let summary = try RDBLoader.load(bytes) { key in
            if let at = key.expireAt, at <= self.now { expired.append(key.key.string) }
        }
        XCTAssertEqual(expired, ["expired"])
        XCTAssertEqual(summary.version, 10)
        XCTAssertEqual(summary.bytesConsumed, bytes.count)
        XCTAssertEqual(summary.aux.first { $0.key.string == "redis-ver" }?.value.string, "7.0.15")
        XCTAssertEqual(summary.resizeHints[1]?.expires, 3)
        XCTAssertEqual(try load(bytes, dropExpired: false).databases[2].keys.find(Bytes("expired")) != nil, true)
    }

    func testLoadsIdleAndFrequencyOpcodes() throws {
        var idle: [UInt64?] = []
        _ = try RDBLoader.load(try fixture("dump-lru.rdb")) { idle.append($0.access.idleSeconds) }
        XCTAssertEqual(idle.count, 2)
        XCTAssertTrue(idle.allSatisfy { $0 != nil })
        var frequencies: [String: UInt8] = [:]
        _ = try RDBLoader.load(try fixture("dump-lfu.rdb")) { frequencies[$0.key.string] = $0.access.frequency }
        XCTAssertGreaterThan(frequencies["a"] ?? 0, frequencies["b"] ?? 255)

        var lfu = EngineConfiguration()
        lfu.maxMemoryPolicy = "allkeys-lfu"
        let engine = try load(try fixture("dump-lfu.rdb"), configuration: lfu)
        let index = try XCTUnwrap(engine.databases[0].keys.find(Bytes("a")))
        XCTAssertEqual(engine.databases[0].keys[index].value.metadata.lru & 0xFF, UInt32(frequencies["a"]!))
        try RDBTestSupport.assertSameContent(RDBTestSupport.describe(engine), try expected("dump-lfu.json"), "dump-lfu.rdb")
    }

    func testLoadsAnUncompressedFileWithAZeroChecksum() throws {
        let bytes = try fixture("nocompress.rdb")
        XCTAssertEqual(Array(bytes.suffix(8)), [UInt8](repeating: 0, count: 8))
        try RDBTestSupport.assertSameContent(RDBTestSupport.describe(try load(bytes)), try expected("nocompress.json"), "nocompress.rdb")
    }

    func testTheRedisTestSuiteAssets() throws {
        let assets = RDBTestSupport.sharedAssets
        guard FileManager.default.fileExists(atPath: assets.path) else {
            throw XCTSkip("\(assets.path) is absent")
        }
        var checked = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: assets.path).sorted() where name.hasSuffix(".rdb") {
            let bytes = try RDBTestSupport.bytes(assets.appendingPathComponent(name))
            let stem = String(name.dropLast(4))
            let json = RDBTestSupport.fixtures.appendingPathComponent("assets/\(stem).json")
            guard FileManager.default.fileExists(atPath: json.path) else { continue }
            let expectation = try RDBTestSupport.loadJSON(json) as! [String: Any]
            if expectation["load_fails"] != nil {
                XCTAssertThrowsError(try load(bytes), name)
            } else {
                var configuration = EngineConfiguration()
                configuration.persistence.sanitizeDumpPayload = "yes"
                for config in [EngineConfiguration(), configuration] {
                    try RDBTestSupport.assertSameContent(RDBTestSupport.describe(try load(bytes, configuration: config)), expectation, name)
                }
            }
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 8)
    }

    // MARK: - Files written by Ember

    private func snapshot(_ engine: Engine) throws -> [UInt8] { try engine.rdbSnapshot(now: now) }

    func testWritesWhatItReads() throws {
        let original = try load(try fixture("dump.rdb"), dropExpired: false)
        for compression in [true, false] {
            for checksum in [true, false] {
                original.config.persistence.rdbCompression = compression
                original.config.persistence.rdbChecksum = checksum
                let written = try snapshot(original)
                XCTAssertEqual(Array(written.prefix(9)), Array("REDIS0010".utf8))
                if !checksum { XCTAssertEqual(Array(written.suffix(8)), [UInt8](repeating: 0, count: 8)) }
                let reloaded = try load(written, dropExpired: false)
                XCTAssertEqual(try RDBTestSupport.canonicalJSON(RDBTestSupport.describe(reloaded)),
                               try RDBTestSupport.canonicalJSON(RDBTestSupport.describe(original)))
            }
        }
    }

    func testWriterStreamsInChunksWithTheSameBytes() throws {
        struct Chunks: RDBOutput {
            var chunks: [[UInt8]] = []
            mutating func write(_ chunk: UnsafeRawBufferPointer) throws { chunks.append(Array(chunk)) }
        }
        let engine = try load(try fixture("dump.rdb"))
        var options = RDBWriteOptions(configuration: engine.config)
        options.chunkSize = 512
        var writer = RDBWriter(output: Chunks(), options: options)
        try engine.writeRDB(to: &writer, now: now)
        XCTAssertGreaterThan(writer.output.chunks.count, 5)
        XCTAssertEqual(writer.output.chunks.flatMap { $0 }, try snapshot(engine))
        XCTAssertEqual(writer.bytesWritten, writer.output.chunks.reduce(0) { $0 + $1.count })
    }

    func testAccessOpcodesFollowThePolicy() throws {
        for (policy, expectIdle, expectFrequency) in [("noeviction", false, false), ("allkeys-lru", true, false),
                                                       ("volatile-lfu", false, true), ("allkeys-random", false, false)] {
            var configuration = EngineConfiguration()
            configuration.maxMemoryPolicy = policy
            let engine = Engine(configuration: configuration)
            engine.databases[0].add(Bytes("k"), .string(Bytes("v")), lru: configuration.usesLFU ? AccessClock.lfuStamp(creatingAt: now) : Engine.lruClock(now - 30_000))
            var access: [RDBKeyAccess] = []
            _ = try RDBLoader.load(try snapshot(engine)) { access.append($0.access) }
            XCTAssertEqual(access.count, 1)
            XCTAssertEqual(access[0].idleSeconds != nil, expectIdle, policy)
            XCTAssertEqual(access[0].frequency != nil, expectFrequency, policy)
            if expectIdle { XCTAssertEqual(access[0].idleSeconds, 30) }
            if expectFrequency { XCTAssertEqual(access[0].frequency, UInt8(AccessClock.lfuInitialCounter)) }
        }
    }

    // MARK: - Errors

    func testFileLevelErrors() throws {
        let bytes = try fixture("dump.rdb")
        XCTAssertThrowsError(try RDBLoader.load(Array("RADIS0010".utf8) + bytes.dropFirst(9)) { _ in })
        XCTAssertThrowsError(try RDBLoader.load(Array("REDIS0011".utf8) + bytes.dropFirst(9)) { _ in }) { error in
            XCTAssertEqual((error as? RDBError)?.reason, "can't handle RDB format version 11")
        }
        var corrupt = bytes
        corrupt[corrupt.count - 3] ^= 0x55
        XCTAssertThrowsError(try RDBLoader.load(corrupt) { _ in }) { error in
            XCTAssertTrue((error as? RDBError)?.reason.hasPrefix("wrong RDB checksum") == true, "\(error)")
        }
        // With rdbchecksum no, the trailer is not checked.
        var wrongTrailer = bytes
        wrongTrailer[wrongTrailer.count - 1] ^= 1
        XCTAssertNoThrow(try RDBLoader.load(wrongTrailer, options: RDBLoadOptions(verifyChecksum: false)) { _ in })
        // SELECTDB past the configured databases.
        XCTAssertThrowsError(try RDBLoader.load(bytes, options: RDBLoadOptions(databases: 4)) { _ in })
        // A key twice in a database.
        let header = Array("REDIS0010".utf8)
        let twice = header + [0xFE, 0, 0, 1, 0x6B, 1, 0x76, 0, 1, 0x6B, 1, 0x77, 0xFF] + [UInt8](repeating: 0, count: 8)
        XCTAssertThrowsError(try load(twice))
        // Opcodes not supported yet.
        for opcode in [RDBFormat.Opcode.moduleAux, RDBFormat.Opcode.function2] {
            XCTAssertThrowsError(try RDBLoader.load(header + [opcode, 0, 0, 0, 0]) { _ in })
        }
        // Unknown aux fields are skipped; old second-based expiries load.
        let aux = header + [0xFA, 3, 0x66, 0x6F, 0x6F, 3, 0x62, 0x61, 0x72, 0xFD] + RDBTestSupport.le(UInt32(2_000_000_000), 4)
            + [0, 1, 0x6B, 1, 0x76, 0xFF] + [UInt8](repeating: 0, count: 8)
        var loaded: [RDBLoadedKey] = []
        let summary = try RDBLoader.load(aux) { loaded.append($0) }
        XCTAssertEqual(summary.aux.map { $0.key.string }, ["foo"])
        XCTAssertEqual(loaded.first?.expireAt, 2_000_000_000_000)
    }

    func testEmptyKeysAreSkipped() throws {
        let header = Array("REDIS0010".utf8)
        let empty = header + [0xFE, 0, RDBFormat.ValueType.set, 1, 0x61, 0, 0xFC] + RDBTestSupport.le(UInt64(1), 8)
            + [RDBFormat.ValueType.list, 1, 0x62, 0, RDBFormat.ValueType.string, 1, 0x63, 1, 0x76, 0xFF] + [UInt8](repeating: 0, count: 8)
        var keys: [RDBLoadedKey] = []
        let summary = try RDBLoader.load(empty) { keys.append($0) }
        XCTAssertEqual(summary.emptyKeysSkipped, 2)
        XCTAssertEqual(keys.map { $0.key.string }, ["c"])
        XCTAssertNil(keys[0].expireAt)  // the expiry went with the skipped key
    }

    func testTruncatedFilesThrowAndFlippedBytesNeverTrap() throws {
        let bytes = try fixture("dump.rdb")
        for length in stride(from: 0, to: bytes.count, by: 37) {
            XCTAssertThrowsError(try RDBLoader.load(Array(bytes.prefix(length))) { _ in }, "cut at \(length)")
        }
        XCTAssertThrowsError(try RDBLoader.load(Array(bytes.dropLast())) { _ in })
        var random = SystemRandomNumberGenerator()
        let options = RDBLoadOptions(verifyChecksum: false)
        for round in 0..<150 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let index = Int.random(in: 9..<mutated.count, using: &random)
                mutated[index] = UInt8.random(in: 0...255, using: &random)
            }
            var deep = options
            deep.values.deepValidation = round % 2 == 0
            _ = try? RDBLoader.load(mutated, options: deep) { _ in }
        }
    }

    // MARK: - redis-server reads what Ember writes

    private static let redisServer = "/usr/bin/redis-server"
    private static let redisCheckRDB = "/usr/bin/redis-check-rdb"
    private static let redisCLI = "/usr/bin/redis-cli"

    private func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// DEBUG DIGEST of the data redis-server loads from `file` (keys, values, expiries).
    private func redisDigest(of file: URL, port: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.redisServer)
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", file.deletingLastPathComponent().path, "--dbfilename", file.lastPathComponent,
                             "--enable-debug-command", "yes"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        for _ in 0..<200 {
            let (status, output) = try run(Self.redisCLI, ["-p", "\(port)", "DEBUG", "DIGEST"])
            if status == 0 && output.count >= 40 && !output.contains("LOADING") && !output.contains("refused") {
                return output.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            usleep(50_000)
        }
        XCTFail("redis-server did not answer on \(port)")
        return ""
    }

    func testRedisServerLoadsWhatEmberWrites() throws {
        for tool in [Self.redisServer, Self.redisCheckRDB, Self.redisCLI] where !FileManager.default.fileExists(atPath: tool) {
            throw XCTSkip("\(tool) is absent")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-rdb-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let source = directory.appendingPathComponent("redis.rdb")
        try Data(try fixture("dump.rdb")).write(to: source)
        let expectedDigest = try redisDigest(of: source, port: 22_400 + Int(getpid() % 50))

        let original = try load(try fixture("dump.rdb"), dropExpired: false)
        for (index, (compression, depth, fill)) in [(true, 0, -2), (false, 0, -2), (true, 1, -1), (true, 2, 16)].enumerated() {
            original.config.persistence.rdbCompression = compression
            original.config.limits.listCompressDepth = depth
            original.config.limits.listMaxListpackSize = fill
            let written = directory.appendingPathComponent("ember-\(index).rdb")
            try Data(try snapshot(original)).write(to: written)
            let check = try run(Self.redisCheckRDB, [written.path])
            XCTAssertEqual(check.status, 0, check.output)
            XCTAssertTrue(check.output.contains("RDB looks OK"), check.output)
            XCTAssertEqual(try redisDigest(of: written, port: 22_450 + Int(getpid() % 50)), expectedDigest,
                           "compression \(compression) depth \(depth) fill \(fill)")
        }
    }
}
