import EmberClient
import EmberRESP
import NIOCore
import XCTest

final class ConfigurationTests: XCTestCase {
    func testRedisURLs() throws {
        var configuration = try RedisConnectionConfiguration(url: "redis://localhost")
        XCTAssertEqual(configuration.endpoint, .tcp(host: "localhost", port: 6379))
        XCTAssertNil(configuration.username)
        XCTAssertNil(configuration.password)
        XCTAssertEqual(configuration.database, 0)
        XCTAssertFalse(configuration.usesTLS)
        XCTAssertEqual(configuration.protocolVersion, .resp3)

        configuration = try RedisConnectionConfiguration(url: "redis://alice:p%40ss%3Aword@cache.internal:7000/5")
        XCTAssertEqual(configuration.endpoint, .tcp(host: "cache.internal", port: 7000))
        XCTAssertEqual(configuration.username, "alice")
        XCTAssertEqual(configuration.password, "p@ss:word")
        XCTAssertEqual(configuration.database, 5)

        configuration = try RedisConnectionConfiguration(url: "redis://:secret@127.0.0.1:6380")
        XCTAssertNil(configuration.username)
        XCTAssertEqual(configuration.password, "secret")
        XCTAssertEqual(configuration.endpoint, .tcp(host: "127.0.0.1", port: 6380))

        configuration = try RedisConnectionConfiguration(url: "redis://secret@host")
        XCTAssertEqual(configuration.password, "secret")

        configuration = try RedisConnectionConfiguration(url: "redis://[::1]:6390/2?protocol=2&name=worker")
        XCTAssertEqual(configuration.endpoint, .tcp(host: "::1", port: 6390))
        XCTAssertEqual(configuration.endpoint.description, "[::1]:6390")
        XCTAssertEqual(configuration.database, 2)
        XCTAssertEqual(configuration.protocolVersion, .resp2)
        XCTAssertEqual(configuration.clientName, "worker")

        configuration = try RedisConnectionConfiguration(url: "REDIS://host/?db=4")
        XCTAssertEqual(configuration.database, 4)
    }

    func testTLSAndUnixURLs() throws {
        var configuration = try RedisConnectionConfiguration(url: "rediss://user:pw@secure.example.com:6380/1")
        XCTAssertTrue(configuration.usesTLS)
        XCTAssertEqual(configuration.endpoint, .tcp(host: "secure.example.com", port: 6380))
        XCTAssertEqual(configuration.username, "user")
        XCTAssertEqual(configuration.database, 1)

        configuration = try RedisConnectionConfiguration(url: "unix:///var/run/redis/redis.sock")
        XCTAssertEqual(configuration.endpoint, .unixSocket(path: "/var/run/redis/redis.sock"))
        XCTAssertEqual(configuration.endpoint.description, "unix:/var/run/redis/redis.sock")

        configuration = try RedisConnectionConfiguration(url: "unix://:pw@/tmp/redis.sock?db=3")
        XCTAssertEqual(configuration.endpoint, .unixSocket(path: "/tmp/redis.sock"))
        XCTAssertEqual(configuration.password, "pw")
        XCTAssertEqual(configuration.database, 3)
    }

    func testInvalidURLs() {
        for url in [
            "localhost:6379", "http://localhost", "redis://host:0", "redis://host:99999", "redis://host:port",
            "redis://host/db", "redis://host/-1", "redis://[::1", "unix://relative/path", "unix://",
            "redis://host?protocol=4", "redis://host?color=blue", "redis://u:%zz@host",
        ] {
            XCTAssertThrowsError(try RedisConnectionConfiguration(url: url), url) { error in
                XCTAssertEqual((error as? RedisClientError)?.code, .invalidConfiguration, url)
                XCTAssertFalse("\(error)".contains("%zz"), "the message repeats the URL")
            }
        }
    }

    func testCommandsAndArguments() {
        let command = RESPCommand("SET", "k", 42, 1.5, Bytes([0, 1]), -7)
        XCTAssertEqual(command.arguments, [Bytes("SET"), Bytes("k"), Bytes("42"), Bytes("1.5"), Bytes([0, 1]), Bytes("-7")])
        XCTAssertEqual(RESPCommand(["GET", "k"]).name, Bytes("GET"))
        let literal: RESPCommand = ["PING"]
        var buffer = ByteBuffer()
        literal.encode(into: &buffer)
        XCTAssertEqual(String(buffer: buffer), "*1\r\n$4\r\nPING\r\n")
        XCTAssertEqual(Double.infinity.respArgument, Bytes("inf"))
        XCTAssertEqual((-Double.infinity).respArgument, Bytes("-inf"))
        XCTAssertEqual(0.1.respArgument, Bytes("0.1"))
        XCTAssertEqual(3.0.respArgument, Bytes("3"))
    }

    func testServerErrorParts() {
        let error = RedisServerError(message: "MOVED 3999 127.0.0.1:6381")
        XCTAssertEqual(error.code, .moved)
        XCTAssertEqual(error.details, "3999 127.0.0.1:6381")
        XCTAssertEqual(RedisServerError(message: "BUSYGROUP Consumer Group name already exists").code, RedisErrorCode("BUSYGROUP"))
        XCTAssertEqual(RedisServerError(message: "ERR").details, "")
    }

    func testDecoding() throws {
        XCTAssertEqual(try RESPValue.bulkString("12").decode(as: Int.self), 12)
        XCTAssertEqual(try RESPValue.double(2.5).decode(as: Double.self), 2.5)
        XCTAssertEqual(try RESPValue.bulkString("-inf").decode(as: Double.self), -.infinity)
        XCTAssertEqual(try RESPValue.null.decode(as: String?.self), nil)
        XCTAssertEqual(try RESPValue.boolean(true).decode(as: Bool.self), true)
        XCTAssertEqual(try RESPValue.integer(0).decode(as: Bool.self), false)
        XCTAssertEqual(try RESPValue.array([.bulkString("a"), .integer(1)]).decode(as: [String: Int].self), ["a": 1])
        XCTAssertEqual(try RESPValue.map([.bulkString("a"): .integer(1)]).decode(as: [String: Int].self), ["a": 1])
        XCTAssertEqual(try RESPValue.set([.bulkString("x")]).decode(as: Set<String>.self), ["x"])
        XCTAssertThrowsError(try RESPValue.simpleString("PONG").decode(as: Int.self)) { error in
            XCTAssertEqual((error as? RedisClientError)?.code, .unexpectedReply)
        }
        XCTAssertThrowsError(try RESPValue.error("ERR x").throwingServerError()) { error in
            XCTAssertEqual(error as? RedisServerError, RedisServerError(message: "ERR x"))
        }
    }
}
