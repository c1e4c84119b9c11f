import EmberRESP

/// Redis Cluster's key-to-slot mapping: CRC16 (XMODEM) of the key, or of its `{hash tag}`,
/// modulo 16384, exactly as Redis's `keyHashSlot`.
public enum RedisClusterHashSlot {
    /// The number of hash slots in a Redis Cluster.
    public static let count = 16384

    private static let table: [UInt16] = (0..<256).map { byte -> UInt16 in
        var crc = UInt16(byte) << 8
        for _ in 0..<8 {
            crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }

    /// CRC16 as in Redis's crc16.c (XMODEM: polynomial 0x1021, initial value 0).
    public static func crc16(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    public static func crc16(_ bytes: Bytes) -> UInt16 {
        bytes.withUnsafeBytes { crc16($0) }
    }

    public static func crc16(_ string: String) -> UInt16 {
        crc16(Bytes(string))
    }

    /// The slot of `key`. When the key has a `{`, then a `}` after it with at least one byte
    /// between them, only the bytes between the first `{` and the first `}` after it are hashed.
    public static func slot(for key: Bytes) -> Int {
        key.withUnsafeBytes { bytes -> Int in
            if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
               let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
               close > open + 1 {
                return Int(crc16(UnsafeRawBufferPointer(rebasing: bytes[(open + 1)..<close]))) & (count - 1)
            }
            return Int(crc16(bytes)) & (count - 1)
        }
    }

    public static func slot(for key: String) -> Int {
        slot(for: Bytes(key))
    }
}
