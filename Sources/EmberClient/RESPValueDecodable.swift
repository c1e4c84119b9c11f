import EmberRESP

/// A Swift type a reply can decode into. Decoding accepts both protocols' shapes of the same
/// answer: a RESP3 map or a RESP2 flat array, a RESP3 double or a RESP2 bulk string, a RESP3
/// set or a RESP2 array, a RESP3 boolean or a RESP2 integer.
public protocol RESPValueDecodable: Sendable {
    init(fromRESP value: RESPValue) throws
}

extension RESPValue {
    /// The reply decoded as `type`; a mismatch throws `RedisClientError` (`.unexpectedReply`).
    @inlinable
    public func decode<Value: RESPValueDecodable>(as type: Value.Type = Value.self) throws -> Value {
        try Value(fromRESP: self)
    }

    /// An error reply as a thrown `RedisServerError`; any other reply unchanged.
    @inlinable
    public func throwingServerError() throws(RedisServerError) -> RESPValue {
        if case .error(let message) = self { throw RedisServerError(message: message) }
        return self
    }

    /// The elements of an array, set or push reply; nil for anything else.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let elements), .set(let elements), .push(let elements): return elements
        default: return nil
        }
    }

    /// The bytes of a string-like reply (bulk, simple, verbatim), nil otherwise.
    public var bytes: Bytes? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let text): return Bytes(text)
        case .verbatimString(_, let text): return text
        default: return nil
        }
    }

    /// Key/value pairs of a RESP3 map or of a RESP2 flat array of alternating keys and values.
    public var pairs: [(RESPValue, RESPValue)]? {
        switch self {
        case .map(let map): return map.map { ($0.key, $0.value) }
        case .array(let elements) where elements.count % 2 == 0:
            var pairs: [(RESPValue, RESPValue)] = []
            pairs.reserveCapacity(elements.count / 2)
            var index = 0
            while index < elements.count {
                pairs.append((elements[index], elements[index + 1]))
                index += 2
            }
            return pairs
        default: return nil
        }
    }
}

extension RESPValue: RESPValueDecodable {
    @inlinable
    public init(fromRESP value: RESPValue) { self = value }
}

extension Bytes: RESPValueDecodable {
    public init(fromRESP value: RESPValue) throws {
        switch value {
        case .bulkString(let bytes): self = bytes
        case .simpleString(let text): self = Bytes(text)
        case .verbatimString(_, let text): self = text
        case .integer(let integer): self = Bytes(decimal: integer)
        case .double(let double): self = Bytes(formatDouble(double))
        case .bigNumber(let digits): self = Bytes(digits)
        default: throw RedisClientError.unexpectedReply(value, expected: "a string")
        }
    }
}

extension String: RESPValueDecodable {
    /// Bytes are decoded as UTF-8; invalid sequences become U+FFFD (decode as `Bytes` to keep
    /// binary values exact).
    public init(fromRESP value: RESPValue) throws {
        switch value {
        case .simpleString(let text): self = text
        case .bigNumber(let digits): self = digits
        default: self = try Bytes(fromRESP: value).string
        }
    }
}

extension Int64: RESPValueDecodable {
    public init(fromRESP value: RESPValue) throws {
        switch value {
        case .integer(let integer): self = integer
        case .boolean(let bool): self = bool ? 1 : 0
        case .bulkString(let bytes):
            guard let integer = bytes.int64Value else { throw RedisClientError.unexpectedReply(value, expected: "an integer") }
            self = integer
        case .simpleString(let text), .bigNumber(let text):
            guard let integer = Int64(text) else { throw RedisClientError.unexpectedReply(value, expected: "an integer") }
            self = integer
        default: throw RedisClientError.unexpectedReply(value, expected: "an integer")
        }
    }
}

extension Int: RESPValueDecodable {
    public init(fromRESP value: RESPValue) throws {
        self = Int(try Int64(fromRESP: value))
    }
}

extension Double: RESPValueDecodable {
    public init(fromRESP value: RESPValue) throws {
        switch value {
        case .double(let double): self = double
        case .integer(let integer): self = Double(integer)
        case .bulkString, .simpleString, .verbatimString, .bigNumber:
            let text = try String(fromRESP: value)
            switch text {
            case "inf", "+inf": self = .infinity
            case "-inf": self = -.infinity
            default:
                guard let double = Double(text) else { throw RedisClientError.unexpectedReply(value, expected: "a double") }
                self = double
            }
        default: throw RedisClientError.unexpectedReply(value, expected: "a double")
        }
    }
}

extension Bool: RESPValueDecodable {
    /// A RESP3 boolean, or RESP2's integer 1/0; `OK` counts as true.
    public init(fromRESP value: RESPValue) throws {
        switch value {
        case .boolean(let bool): self = bool
        case .integer(let integer): self = integer != 0
        case .simpleString("OK"): self = true
        case .null: self = false
        default: throw RedisClientError.unexpectedReply(value, expected: "a boolean")
        }
    }
}

extension Optional: RESPValueDecodable where Wrapped: RESPValueDecodable {
    /// Null (RESP2's null bulk string or null array, RESP3's null) is nil.
    public init(fromRESP value: RESPValue) throws {
        if case .null = value { self = nil } else { self = try Wrapped(fromRESP: value) }
    }
}

extension Array: RESPValueDecodable where Element: RESPValueDecodable {
    /// An array, set or push reply, element by element; a RESP2 null array is empty.
    public init(fromRESP value: RESPValue) throws {
        if case .null = value { self = []; return }
        guard let elements = value.elements else { throw RedisClientError.unexpectedReply(value, expected: "an array") }
        self = try elements.map { try Element(fromRESP: $0) }
    }
}

extension Set: RESPValueDecodable where Element: RESPValueDecodable {
    /// A RESP3 set or a RESP2 array.
    public init(fromRESP value: RESPValue) throws {
        self = Set(try [Element](fromRESP: value))
    }
}

extension Dictionary: RESPValueDecodable where Key: RESPValueDecodable, Value: RESPValueDecodable {
    /// A RESP3 map or a RESP2 flat array of alternating keys and values.
    public init(fromRESP value: RESPValue) throws {
        if case .null = value { self = [:]; return }
        guard let pairs = value.pairs else { throw RedisClientError.unexpectedReply(value, expected: "a map") }
        var dictionary: [Key: Value] = [:]
        dictionary.reserveCapacity(pairs.count)
        for (key, value) in pairs { dictionary[try Key(fromRESP: key)] = try Value(fromRESP: value) }
        self = dictionary
    }
}
