import EmberRESP
import EmberStore

extension Reply {
    /// The frames a client would read for this reply over a socket speaking `version`, without
    /// the bytes in between: what `Reply.encode(into:_:)` writes, parsed back by a RESP client.
    ///
    /// - RESP3: maps, sets, doubles, booleans, verbatim strings, big numbers and pushes keep
    ///   their types; both null kinds are `.null`.
    /// - RESP2: maps become flat arrays, sets and pushes arrays, doubles bulk strings (Redis's
    ///   `%.17g` text), booleans 1/0, verbatim strings and big numbers bulk strings.
    /// - Attributes are dropped (as `RESPValueParser` drops them); `.none` sends no frame.
    func frames(_ version: RESPVersion) -> [RESPValue] {
        switch self {
        case .sequence(let replies):
            return replies.flatMap { $0.frames(version) }
        case .attributes, .none:
            return []
        default:
            return [value(version)]
        }
    }

    /// One frame (`frames` for replies that are exactly one frame). Nested sequences,
    /// attributes and `.none`, which no command nests, become null.
    func value(_ version: RESPVersion) -> RESPValue {
        let resp3 = version == .resp3
        switch self {
        case .ok: return .simpleString("OK")
        case .simple(let text): return .simpleString(text)
        case .error(let message): return .error(Reply.errorLine(message))
        case .integer(let value): return .integer(value)
        case .bulk(let bytes): return .bulkString(bytes)
        case .null, .nullArray: return .null
        case .array(let elements): return .array(elements.map { $0.value(version) })
        case .bulkArray(let elements): return .array(elements.map(RESPValue.bulkString))
        case .map(let pairs):
            if resp3 {
                var map: [RESPValue: RESPValue] = [:]
                map.reserveCapacity(pairs.count)
                for (key, value) in pairs { map[key.value(version)] = value.value(version) }
                return .map(map)
            }
            var flat: [RESPValue] = []
            flat.reserveCapacity(pairs.count * 2)
            for (key, value) in pairs {
                flat.append(key.value(version))
                flat.append(value.value(version))
            }
            return .array(flat)
        case .set(let elements):
            let values = elements.map { $0.value(version) }
            return resp3 ? .set(values) : .array(values)
        case .double(let value):
            return resp3 ? .double(value) : .bulkString(Bytes(formatDouble(value)))
        case .bool(let value):
            return resp3 ? .boolean(value) : .integer(value ? 1 : 0)
        case .verbatim(let text):
            return resp3 ? .verbatimString(format: "txt", text: Bytes(text)) : .bulkString(Bytes(text))
        case .bigNumber(let digits):
            return resp3 ? .bigNumber(digits) : .bulkString(Bytes(digits))
        case .push(let elements):
            let values = elements.map { $0.value(version) }
            return resp3 ? .push(values) : .array(values)
        case .sequence, .attributes, .none:
            return .null
        }
    }

    /// An error message as a client reads it: the line the server writes holds no CR or LF
    /// (trimmed at the ends, spaces inside), decoded as UTF-8 as `RESPValueParser` does.
    static func errorLine(_ message: Bytes) -> String {
        message.withUnsafeBytes { raw in
            var start = 0
            var end = raw.count
            while start < end && (raw[start] == 13 || raw[start] == 10) { start += 1 }
            while end > start && (raw[end - 1] == 13 || raw[end - 1] == 10) { end -= 1 }
            let line = raw[start..<end].map { $0 == 13 || $0 == 10 ? 32 : $0 }
            return String(decoding: line, as: UTF8.self)
        }
    }
}
