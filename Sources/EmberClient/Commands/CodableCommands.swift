#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EmberRESP

/// `Codable` values stored as JSON: strings and hash fields that hold whole Swift values.
///
/// ```swift
/// struct Session: Codable { var user: String; var roles: [String] }
/// try await client.set("session:42", json: Session(user: "ada", roles: ["admin"]), options: .init(expiration: .seconds(3600)))
/// let session = try await client.get("session:42", json: Session.self)
/// ```
///
/// The JSON coders run outside the client's hot path (only these calls use Foundation).
extension RedisCommandExecutor {
    /// SET of `value` encoded as JSON.
    @discardableResult
    public func set<Value: Encodable>(
        _ key: some RESPArgumentConvertible, json value: Value, options: SetOptions = SetOptions(),
        encoder: JSONEncoder = JSONEncoder()
    ) async throws -> Bool {
        try await set(key, to: try Self.encodeJSON(value, encoder), options: options)
    }

    /// GET decoded from JSON; nil when the key does not exist.
    public func get<Value: Decodable>(
        _ key: some RESPArgumentConvertible, json type: Value.Type, decoder: JSONDecoder = JSONDecoder()
    ) async throws -> Value? {
        guard let bytes = try await get(key) else { return nil }
        return try Self.decodeJSON(Value.self, bytes, decoder)
    }

    /// HSET of one field holding `value` as JSON; returns 1 when the field is new.
    @discardableResult
    public func hset<Value: Encodable>(
        _ key: some RESPArgumentConvertible, field: some RESPArgumentConvertible, json value: Value,
        encoder: JSONEncoder = JSONEncoder()
    ) async throws -> Int {
        try await execute(RESPCommand("HSET", key, field, try Self.encodeJSON(value, encoder)), as: Int.self)
    }

    /// HGET decoded from JSON; nil when the field (or key) does not exist.
    public func hget<Value: Decodable>(
        _ key: some RESPArgumentConvertible, field: some RESPArgumentConvertible, json type: Value.Type,
        decoder: JSONDecoder = JSONDecoder()
    ) async throws -> Value? {
        guard let bytes = try await execute(RESPCommand("HGET", key, field), as: Bytes?.self) else { return nil }
        return try Self.decodeJSON(Value.self, bytes, decoder)
    }

    /// PUBLISH of `message` encoded as JSON; returns how many subscribers received it.
    @discardableResult
    public func publish<Value: Encodable>(
        _ channel: some RESPArgumentConvertible, json message: Value, encoder: JSONEncoder = JSONEncoder()
    ) async throws -> Int {
        try await publish(channel, try Self.encodeJSON(message, encoder))
    }

    static func encodeJSON<Value: Encodable>(_ value: Value, _ encoder: JSONEncoder) throws -> Bytes {
        Bytes(try encoder.encode(value))
    }

    static func decodeJSON<Value: Decodable>(_ type: Value.Type, _ bytes: Bytes, _ decoder: JSONDecoder) throws -> Value {
        do {
            return try bytes.withUnsafeBytes { try decoder.decode(Value.self, from: Data($0)) }
        } catch {
            throw RedisClientError(.unexpectedReply, "the value is not JSON for \(Value.self): \(error)")
        }
    }
}

extension RedisPubSubMessage {
    /// The payload decoded from JSON.
    public func decode<Value: Decodable>(json type: Value.Type, decoder: JSONDecoder = JSONDecoder()) throws -> Value {
        do {
            return try payload.withUnsafeBytes { try decoder.decode(Value.self, from: Data($0)) }
        } catch {
            throw RedisClientError(.unexpectedReply, "the message is not JSON for \(Value.self): \(error)")
        }
    }
}
