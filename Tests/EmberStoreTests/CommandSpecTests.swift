import EmberRESP
import Foundation
import XCTest

@testable import EmberStore

final class CommandSpecTests: XCTestCase {
    private func spec(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> CommandSpec {
        try XCTUnwrap(CommandSpec.lookup(name), "no spec for \(name)", file: file, line: line)
    }

    func testGet() throws {
        let get = try spec("get")
        XCTAssertEqual(get.arity, 2)
        XCTAssertEqual(get.flags, [.readonly, .fast])
        XCTAssertEqual(get.aclCategories, [.read, .string, .fast])
        XCTAssertEqual([get.firstKey, get.lastKey, get.keyStep], [1, 1, 1])
    }

    func testSetLegacyRange() throws {
        let set = try spec("set")
        XCTAssertEqual(set.arity, -3)
        XCTAssertEqual([set.firstKey, set.lastKey, set.keyStep], [1, 1, 1])
        XCTAssertFalse(set.flags.contains(.movableKeys), "Redis 7.0 does not report SET as movablekeys")
    }

    func testMset() throws {
        let mset = try spec("mset")
        XCTAssertEqual(mset.arity, -3)
        XCTAssertEqual([mset.firstKey, mset.lastKey, mset.keyStep], [1, -1, 2])
    }

    func testMovableKeysAndImplicitCategories() throws {
        XCTAssertTrue(try spec("zunionstore").flags.contains(.movableKeys))
        XCTAssertEqual(try spec("zunionstore").firstKey, 1)
        XCTAssertEqual(try spec("zunionstore").lastKey, 1)
        XCTAssertTrue(try spec("xread").flags.contains(.movableKeys))
        XCTAssertEqual(try spec("xread").firstKey, 0)
        // READONLY scripting commands do not get @read.
        XCTAssertFalse(try spec("eval_ro").aclCategories.contains(.read))
        XCTAssertTrue(try spec("flushall").aclCategories.contains(.dangerous))
    }

    func testSubcommands() throws {
        let config = try spec("config")
        XCTAssertTrue(config.subcommands.contains { $0.name == "config|get" })
        let get = try spec("CONFIG|GET")
        XCTAssertEqual(get.name, "config|get")
        XCTAssertEqual(get.arity, -3)
        XCTAssertEqual(try spec("object|encoding").firstKey, 2)
        XCTAssertNil(CommandSpec.lookup("get|foo"))
        XCTAssertNil(CommandSpec.lookup("config|get|x"))
        XCTAssertNil(CommandSpec.lookup("config|nosuch"))
    }

    func testSortedAndComplete() throws {
        let names = CommandSpec.all.map(\.name)
        XCTAssertEqual(names, names.sorted())
        XCTAssertFalse(names.contains("sentinel"), "sentinel-only commands do not exist in a normal server")

        // One spec per top-level JSON file, except those only sentinel mode has.
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/reference/redis-7.0.15-commands").standardized
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw XCTSkip("reference commands not found at \(directory.path)")
        }
        var topLevel = 0
        for file in files where file.hasSuffix(".json") {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
            let command = try XCTUnwrap(object.values.first)
            let flags = command["command_flags"] as? [String] ?? []
            if command["container"] == nil && !flags.contains("ONLY_SENTINEL") { topLevel += 1 }
        }
        XCTAssertEqual(CommandSpec.all.count, topLevel)
        XCTAssertEqual(CommandSpec.all.count, 240)  // COMMAND COUNT on redis-server 7.0.15
    }

    private func keys(_ words: String...) -> Reply {
        CommandSpec.getKeysReply(words.map { Bytes($0) })
    }

    private func assertKeys(_ reply: Reply, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        guard case .array(let elements) = reply else {
            return XCTFail("not an array: \(reply)", file: file, line: line)
        }
        let names = elements.compactMap { element -> String? in
            if case .bulk(let bytes) = element { return bytes.string }
            return nil
        }
        XCTAssertEqual(names, expected, file: file, line: line)
    }

    private func assertError(_ reply: Reply, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        guard case .error(let message) = reply else {
            return XCTFail("not an error: \(reply)", file: file, line: line)
        }
        XCTAssertEqual(message.string, expected, file: file, line: line)
    }

    func testGetKeys() {
        assertKeys(keys("get", "k"), ["k"])
        assertKeys(keys("mset", "a", "1", "b", "2"), ["a", "b"])
        assertKeys(keys("zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"), ["d", "a", "b"])
        assertKeys(keys("xread", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"), ["s1", "s2"])
        assertKeys(keys("lmpop", "2", "a", "b", "LEFT"), ["a", "b"])
        assertKeys(keys("object", "encoding", "k"), ["k"])
        assertKeys(keys("sort", "k", "BY", "x", "STORE", "d"), ["k", "d"])
        assertKeys(keys("migrate", "h", "1", "", "0", "5", "KEYS", "a", "b"), ["a", "b"])
        assertKeys(keys("eval", "return 1", "0"), [])
        assertKeys(keys("sort", "k", "STORE"), ["k"])
        assertKeys(keys("georadius", "k", "1", "2", "3", "m", "STORE"), ["k"])
        // Redis falls back to its atoi-based key procedure, which lists the store key last.
        assertKeys(keys("zunionstore", "d", "2abc", "a", "b"), ["a", "b", "d"])
        assertError(keys("nosuchcommand", "x"), "ERR Invalid command specified")
        assertError(keys("ping", "x"), "ERR The command has no key arguments")
        assertError(keys("config", "nosuch"), "ERR Invalid command specified")
        assertError(keys("get", "a", "b"), "ERR Invalid number of arguments specified for command")
        assertError(keys("zunionstore", "d", "x", "a"), "ERR Invalid arguments specified for command")
    }

    func testInfoReplyShape() throws {
        guard case .array(let fields) = try spec("get").infoReply else { return XCTFail("not an array") }
        XCTAssertEqual(fields.count, 10)
        guard case .set(let flags) = fields[2] else { return XCTFail("flags not a set") }
        XCTAssertEqual(flags.count, 2)
    }
}
