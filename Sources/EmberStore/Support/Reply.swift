import EmberRESP
import NIOCore

/// What a command answers. Commands build a `Reply` inside the keyspace's critical section;
/// the connection encodes it for the client's protocol version after the lock is released.
public enum Reply: Sendable {
    case ok
    case simple(String)
    /// An error line starting with its code: `ERR syntax error`, `WRONGTYPE ...`. Bytes, as
    /// Redis echoes argument bytes (not necessarily UTF-8) into some messages.
    case error(Bytes)
    case integer(Int64)
    case bulk(Bytes)
    /// A null bulk string (RESP2 `$-1`), RESP3 null.
    case null
    /// A null array (RESP2 `*-1`), RESP3 null.
    case nullArray
    case array([Reply])
    /// An array of bulk strings (LRANGE): encoded in one loop, with no `Reply` per element.
    case bulkArray([Bytes])
    /// A map; a flat array of keys and values in RESP2.
    case map([(Reply, Reply)])
    /// A set; an array in RESP2.
    case set([Reply])
    /// A double; a bulk string in RESP2.
    case double(Double)
    /// A boolean; 1 or 0 in RESP2.
    case bool(Bool)
    /// A verbatim text (`txt`); a bulk string in RESP2.
    case verbatim(String)
    case bigNumber(String)
    /// An out-of-band push (RESP3); an array in RESP2.
    case push([Reply])
    /// RESP3 attributes (a map that precedes and describes the next reply); nothing in RESP2.
    case attributes([(Reply, Reply)])
    /// Several frames sent in order for one command (e.g. a push, then the command's reply).
    case sequence([Reply])
    /// Nothing is sent (CLIENT REPLY OFF/SKIP, QUIT handled by the connection).
    case none

    @inlinable
    public static func bulk(_ text: String) -> Reply { .bulk(Bytes(text)) }

    @inlinable
    public static func error(_ message: String) -> Reply { .error(Bytes(message)) }

    /// An error whose text mixes fixed words and raw argument bytes.
    public static func error(_ parts: ErrorText...) -> Reply {
        var message: [UInt8] = []
        for part in parts {
            switch part {
            case .text(let text): message += Array(text.utf8)
            case .bytes(let bytes): message += bytes.array
            }
        }
        return .error(Bytes(message))
    }

    /// Only push frames (pub/sub confirmations and messages): sent even to a client whose
    /// replies are off (CLIENT REPLY OFF/SKIP), as Redis's CLIENT_PUSHING.
    public var isPush: Bool {
        switch self {
        case .push: return true
        case .sequence(let frames): return !frames.isEmpty && frames.allSatisfy(\.isPush)
        default: return false
        }
    }

    /// The message of an error reply, nil for any other reply.
    public var errorMessage: Bytes? {
        if case .error(let message) = self { return message }
        return nil
    }

    @inlinable
    public static func bulkOrNull(_ bytes: Bytes?) -> Reply { bytes.map(Reply.bulk) ?? .null }

    public var isError: Bool {
        if case .error = self { return true }
        return false
    }

    public func encode(into buffer: inout ByteBuffer, _ version: RESPVersion) {
        switch self {
        case .ok: buffer.writeStaticString("+OK\r\n")
        case .simple(let text): buffer.writeRESPSimpleString(text)
        case .error(let message): buffer.writeRESPError(message)
        case .integer(let value): buffer.writeRESPInteger(value)
        case .bulk(let bytes): buffer.writeRESPBulk(bytes)
        case .null: buffer.writeRESPNull(version)
        case .nullArray: buffer.writeRESPNullArray(version)
        case .array(let elements):
            buffer.writeRESPArrayHeader(elements.count)
            for element in elements { element.encode(into: &buffer, version) }
        case .bulkArray(let elements):
            buffer.writeRESPArrayHeader(elements.count)
            for element in elements { buffer.writeRESPBulk(element) }
        case .map(let pairs):
            buffer.writeRESPMapHeader(pairs.count, version)
            for (key, value) in pairs {
                key.encode(into: &buffer, version)
                value.encode(into: &buffer, version)
            }
        case .set(let elements):
            buffer.writeRESPSetHeader(elements.count, version)
            for element in elements { element.encode(into: &buffer, version) }
        case .double(let value): buffer.writeRESPDouble(value, version)
        case .bool(let value): buffer.writeRESPBoolean(value, version)
        case .verbatim(let text): buffer.writeRESPVerbatim(text, version)
        case .bigNumber(let digits): buffer.writeRESPBigNumber(digits, version)
        case .push(let elements):
            buffer.writeRESPPushHeader(elements.count, version)
            for element in elements { element.encode(into: &buffer, version) }
        case .attributes(let pairs):
            guard version == .resp3 else { break }
            buffer.writeRESPAttributeHeader(pairs.count)
            for (key, value) in pairs {
                key.encode(into: &buffer, version)
                value.encode(into: &buffer, version)
            }
        case .sequence(let frames):
            for frame in frames { frame.encode(into: &buffer, version) }
        case .none: break
        }
    }
}

/// A piece of an error message: fixed text or argument bytes (see `Reply.error(_:...)`).
public enum ErrorText: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    case text(String)
    case bytes(Bytes)

    public init(stringLiteral value: String) { self = .text(value) }
}

/// Redis's shared error replies, word for word.
public enum Errors {
    public static let syntax = Reply.error("ERR syntax error")
    public static let diskError = Reply.error("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.")
    public static let wrongType = Reply.error("WRONGTYPE Operation against a key holding the wrong kind of value")
    public static let notInteger = Reply.error("ERR value is not an integer or out of range")
    public static let notFloat = Reply.error("ERR value is not a valid float")
    public static let noSuchKey = Reply.error("ERR no such key")
    public static let overflow = Reply.error("ERR increment or decrement would overflow")
    public static let dbIndexOutOfRange = Reply.error("ERR DB index is out of range")
    public static let invalidDBIndex = Reply.error("ERR invalid DB index")
    public static let sameObject = Reply.error("ERR source and destination objects are the same")
    public static let stringTooLong = Reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    public static let outOfRange = Reply.error("ERR value is out of range, must be positive")
    public static let noAuth = Reply.error("NOAUTH Authentication required.")
    public static let wrongPass = Reply.error("WRONGPASS invalid username-password pair or user is disabled.")

    public static func wrongArity(_ name: String) -> Reply {
        .error("ERR wrong number of arguments for '\(name)' command")
    }

    public static func invalidExpireTime(_ command: String) -> Reply {
        .error("ERR invalid expire time in '\(command)' command")
    }
}
