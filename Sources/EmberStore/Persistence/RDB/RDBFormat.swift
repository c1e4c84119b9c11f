import EmberRESP

/// Numbers of the RDB format, version 10 (Redis 7.0).
public enum RDBFormat {
    public static let version: UInt16 = 10
    public static let magic: [UInt8] = Array("REDIS".utf8)

    /// Value types (the byte before a key).
    public enum ValueType {
        public static let string: UInt8 = 0
        public static let list: UInt8 = 1
        public static let set: UInt8 = 2
        public static let zset: UInt8 = 3
        public static let hash: UInt8 = 4
        public static let zset2: UInt8 = 5
        public static let modulePreGA: UInt8 = 6
        public static let module2: UInt8 = 7
        public static let hashZipmap: UInt8 = 9
        public static let listZiplist: UInt8 = 10
        public static let setIntset: UInt8 = 11
        public static let zsetZiplist: UInt8 = 12
        public static let hashZiplist: UInt8 = 13
        public static let listQuicklist: UInt8 = 14
        public static let streamListpacks: UInt8 = 15
        public static let hashListpack: UInt8 = 16
        public static let zsetListpack: UInt8 = 17
        public static let listQuicklist2: UInt8 = 18
        public static let streamListpacks2: UInt8 = 19

        /// Whether `type` names a value Redis 7.0 can load (6 and 7 are module values, 15 and
        /// 19 streams: known, not yet supported here).
        public static func isKnown(_ type: UInt8) -> Bool {
            (0...7).contains(type) || (9...19).contains(type)
        }
    }

    /// Opcodes of the file format, in the same byte as value types.
    public enum Opcode {
        public static let function2: UInt8 = 245
        public static let functionPreGA: UInt8 = 246
        public static let moduleAux: UInt8 = 247
        public static let idle: UInt8 = 248
        public static let freq: UInt8 = 249
        public static let aux: UInt8 = 250
        public static let resizeDB: UInt8 = 251
        public static let expireTimeMilliseconds: UInt8 = 252
        public static let expireTimeSeconds: UInt8 = 253
        public static let selectDB: UInt8 = 254
        public static let eof: UInt8 = 255
    }

    /// Quicklist 2 node containers.
    enum Container {
        static let plain: UInt64 = 1
        static let packed: UInt64 = 2
    }

    /// The two top bits of a length byte, and the special encodings under `encoded` (11).
    enum Length {
        static let bits6: UInt8 = 0
        static let bits14: UInt8 = 1
        static let bits32: UInt8 = 0x80
        static let bits64: UInt8 = 0x81
        static let encoded: UInt8 = 3
        static let int8: UInt64 = 0
        static let int16: UInt64 = 1
        static let int32: UInt64 = 2
        static let lzf: UInt64 = 3
    }
}

/// A malformed or unsupported RDB stream or DUMP payload: where (byte offset into the input)
/// and why.
public struct RDBError: Error, CustomStringConvertible, Sendable, Equatable {
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "RDB error at offset \(offset): \(reason)" }
}
