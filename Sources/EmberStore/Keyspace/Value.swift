import EmberRESP

/// A value in the keyspace.
public enum Value: Sendable {
    /// A string stored as bytes (Redis's `embstr`/`raw` encodings).
    case string(Bytes)
    /// A string holding a canonical 64-bit integer (Redis's `int` encoding): INCR needs no parse.
    case integer(Int64)
    case hash(HashValue)
    case set(SetValue)
    case list(ListValue)
    case zset(SortedSetValue)

    /// The Redis type name, as TYPE reports it.
    public var typeName: String {
        switch self {
        case .string, .integer: return "string"
        case .hash: return "hash"
        case .set: return "set"
        case .list: return "list"
        case .zset: return "zset"
        }
    }

    /// Whether this is a string (either encoding).
    @inlinable
    public var isString: Bool {
        switch self {
        case .string, .integer: return true
        default: return false
        }
    }

    /// A copy that shares no mutable state with this value (COPY): collections are objects.
    public func copied() -> Value {
        switch self {
        case .hash(let hash): return .hash(hash.copy())
        case .set(let set): return .set(set.copy())
        case .list(let list): return .list(list.copy())
        case .zset(let set): return .zset(set.copy())
        case .string, .integer: return self
        }
    }

    /// The string form of a string value, nil for other types.
    @inlinable
    public var stringBytes: Bytes? {
        switch self {
        case .string(let bytes): return bytes
        case .integer(let value): return Bytes(decimal: value)
        default: return nil
        }
    }

    /// A string value with the encoding Redis would choose (`tryObjectEncoding`): integers up to
    /// 20 characters that parse as a 64-bit integer are kept as integers.
    @inlinable
    public static func string(encoding bytes: Bytes) -> Value {
        if bytes.count <= 20, let integer = bytes.int64Value { return .integer(integer) }
        return .string(bytes)
    }
}

/// Per-key bookkeeping stored next to the value.
public struct KeyMetadata: Sendable {
    /// Bits 0-23: LRU clock in seconds (Redis's 24-bit LRU clock). Bits 24+: flags.
    @usableFromInline var bits: UInt32

    @usableFromInline static let lruMask: UInt32 = (1 << 24) - 1
    @usableFromInline static let hasExpireFlag: UInt32 = 1 << 24
    /// The string was modified in place (APPEND, SETRANGE): Redis reports `raw`, not `embstr`.
    @usableFromInline static let rawFlag: UInt32 = 1 << 25
    /// Which background snapshot generation has this entry: it is still to be saved by the
    /// running one while this differs from its database's `savedParity`.
    @usableFromInline static let savedParityFlag: UInt32 = 1 << 26

    @inlinable init(lru: UInt32) { bits = lru & Self.lruMask }

    @inlinable public var lru: UInt32 {
        get { bits & Self.lruMask }
        set { bits = (bits & ~Self.lruMask) | (newValue & Self.lruMask) }
    }

    @inlinable public var hasExpire: Bool {
        get { bits & Self.hasExpireFlag != 0 }
        set { if newValue { bits |= Self.hasExpireFlag } else { bits &= ~Self.hasExpireFlag } }
    }

    @inlinable public var savedParity: Bool {
        get { bits & Self.savedParityFlag != 0 }
        set { if newValue { bits |= Self.savedParityFlag } else { bits &= ~Self.savedParityFlag } }
    }

    @inlinable public var isRaw: Bool {
        get { bits & Self.rawFlag != 0 }
        set { if newValue { bits |= Self.rawFlag } else { bits &= ~Self.rawFlag } }
    }
}

/// What the main table stores for each key.
public struct StoredValue: Sendable {
    public var value: Value
    public var metadata: KeyMetadata

    @inlinable init(_ value: Value, lru: UInt32, savedParity: Bool = false) {
        self.value = value
        self.metadata = KeyMetadata(lru: lru)
        self.metadata.savedParity = savedParity
    }
}
