import EmberRESP

/// DUMP's serialization: the value's type byte and RDB encoding, then the RDB version
/// (2 bytes, little-endian) and the CRC-64 of all that (8 bytes, little-endian), as Redis 7.0.
public enum DumpPayload {
    /// The payload of `value`.
    public static func create(_ value: Value, encoding: RDBValueEncoding) -> Bytes {
        var out = RDBEncoder(compression: encoding.compression)
        out.writeByte(RDBValueCodec.type(of: value))
        RDBValueCodec.encode(value, into: &out, encoding)
        out.writeLittleEndian(RDBFormat.version)
        out.writeLittleEndian(CRC64.checksum(out.bytes))
        return Bytes(out.bytes)
    }

    /// Whether the footer names a version this server reads and the checksum matches
    /// (`verifyDumpPayload`; a zero checksum is checked like any other). `skipChecksum`: DEBUG
    /// SET-SKIP-CHECKSUM-VALIDATION is on, so only the version is checked.
    public static func verify(_ payload: [UInt8], skipChecksum: Bool = false) -> Bool {
        guard payload.count >= 10 else { return false }
        let footer = payload.count - 10
        let version = UInt16(payload[footer]) | UInt16(payload[footer + 1]) << 8
        guard version <= RDBFormat.version else { return false }
        if skipChecksum { return true }
        var stored: UInt64 = 0
        for index in 0..<8 { stored |= UInt64(payload[footer + 2 + index]) << UInt64(8 * index) }
        return CRC64.update(0, payload[0..<(payload.count - 8)]) == stored
    }

    /// The value of a verified payload; nil for an empty collection, which RESTORE refuses.
    public static func decode(_ payload: [UInt8], decoding: RDBValueDecoding) throws -> Value? {
        guard payload.count >= 10 else { throw RDBError(offset: 0, reason: "payload too short") }
        var reader = RDBReader(Array(payload[0..<(payload.count - 10)]))
        let type = try reader.readByte()
        guard RDBFormat.ValueType.isKnown(type) else { throw reader.error("unknown RDB type \(type)", at: 0) }
        return try RDBValueCodec.decode(type: type, from: &reader, decoding)
    }
}
