/// The CRC-64 Redis stores at the end of RDB files and DUMP payloads: the Jones polynomial
/// (0xad93d23594c935a9), reflected input and output, initial value and final xor as given by
/// the caller (Redis starts from 0 and applies no final xor). `crc64(0, "123456789")` is
/// 0xe9c6d914c4b8d9ca.
///
/// Table-driven, eight bytes a step (slicing-by-8).
public enum CRC64 {
    /// The polynomial, bit-reversed (the reflected algorithm shifts right).
    static let reflectedPolynomial: UInt64 = 0x95AC_9329_AC4B_C9B5

    /// 8 tables of 256 entries, flattened: `tables[k * 256 + byte]`.
    static let tables: [UInt64] = {
        var tables = [UInt64](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt64(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ reflectedPolynomial : crc >> 1
            }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// Continues `crc` over `bytes`.
    public static func update(_ crc: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return tables.withUnsafeBufferPointer { table in
            var crc = crc
            var position = 0
            let count = bytes.count
            while count - position >= 8 {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let value = crc ^ word
                crc = table[7 * 256 + Int(value & 0xFF)]
                    ^ table[6 * 256 + Int((value >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((value >> 16) & 0xFF)]
                    ^ table[4 * 256 + Int((value >> 24) & 0xFF)]
                    ^ table[3 * 256 + Int((value >> 32) & 0xFF)]
                    ^ table[2 * 256 + Int((value >> 40) & 0xFF)]
                    ^ table[1 * 256 + Int((value >> 48) & 0xFF)]
                    ^ table[Int(value >> 56)]
                position += 8
            }
            while position < count {
                let byte = base.load(fromByteOffset: position, as: UInt8.self)
                crc = table[Int((crc ^ UInt64(byte)) & 0xFF)] ^ (crc >> 8)
                position += 1
            }
            return crc
        }
    }

    public static func update(_ crc: UInt64, _ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { update(crc, $0) }
    }

    public static func update(_ crc: UInt64, _ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.withUnsafeBytes { update(crc, $0) }
    }

    /// The checksum of `bytes` from 0, as Redis computes it.
    public static func checksum(_ bytes: [UInt8]) -> UInt64 { update(0, bytes) }
}
