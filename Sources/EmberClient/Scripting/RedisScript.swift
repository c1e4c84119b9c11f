import Crypto
import EmberRESP

/// A Lua script, run by its SHA1 digest: EVALSHA first, and EVAL (which also loads it) only when
/// the server answers NOSCRIPT (after a restart, a failover or SCRIPT FLUSH). Callers never
/// see NOSCRIPT, and the script's text crosses the network once per server.
///
/// ```swift
/// let incrementCapped = RedisScript("""
///     local value = redis.call('INCR', KEYS[1])
///     if value > tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end
///     return value
///     """)
/// let value = try await client.run(incrementCapped, keys: ["hits"], arguments: [100], as: Int.self)
/// ```
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: Bytes
    /// The source's SHA1 in lowercase hex, as SCRIPT LOAD returns it.
    public let sha1: String
    /// Runs with EVALSHA_RO/EVAL_RO (allowed on replicas, refused if the script writes).
    public let readOnly: Bool

    public init(_ source: String, readOnly: Bool = false) {
        self.init(Bytes(source), readOnly: readOnly)
    }

    public init(_ source: Bytes, readOnly: Bool = false) {
        self.source = source
        self.readOnly = readOnly
        let digest = source.withUnsafeBytes { Insecure.SHA1.hash(data: $0) }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(40)
        for byte in digest {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0f)])
        }
        sha1 = String(decoding: text, as: UTF8.self)
    }
}

extension RedisCommandExecutor {
    /// Runs `script` with `keys` (KEYS[]) and `arguments` (ARGV[]): EVALSHA, then EVAL on
    /// NOSCRIPT. Errors the script raises come back as `RedisServerError`.
    @discardableResult
    public func run(
        _ script: RedisScript,
        keys: [any RESPArgumentConvertible] = [],
        arguments: [any RESPArgumentConvertible] = []
    ) async throws -> RESPValue {
        var command = RESPCommand([script.readOnly ? "EVALSHA_RO" : "EVALSHA", Bytes(script.sha1)])
        command.append(keys.count)
        for key in keys { command.append(key.respArgument) }
        for argument in arguments { command.append(argument.respArgument) }
        do {
            return try await execute(command)
        } catch let error as RedisServerError where error.code == .noScript {
            command.arguments[0] = script.readOnly ? "EVAL_RO" : "EVAL"
            command.arguments[1] = script.source
            return try await execute(command)
        }
    }

    /// Runs `script` and decodes its reply as `Value`.
    public func run<Value: RESPValueDecodable>(
        _ script: RedisScript,
        keys: [any RESPArgumentConvertible] = [],
        arguments: [any RESPArgumentConvertible] = [],
        as type: Value.Type
    ) async throws -> Value {
        try await run(script, keys: keys, arguments: arguments).decode(as: Value.self)
    }

    /// Loads `script` into the server's cache (SCRIPT LOAD) ahead of its first run.
    public func load(_ script: RedisScript) async throws {
        let sha1 = try await execute(["SCRIPT", "LOAD", script.source]).decode(as: String.self)
        guard sha1 == script.sha1 else {
            throw RedisClientError(.unexpectedReply, "SCRIPT LOAD answered \(sha1), expected \(script.sha1)")
        }
    }
}
