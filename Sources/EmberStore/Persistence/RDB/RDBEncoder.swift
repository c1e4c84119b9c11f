import EmberRESP

/// Appends the primitives of the RDB format to a byte array, as Redis 7.0 writes them.
struct RDBEncoder {
    var bytes: [UInt8] = []
    /// `rdbcompression`: strings longer than 20 bytes are LZF-compressed when that saves space.
    var compression: Bool
    /// Kept for the whole save: its table and scratch output are reused for every string.
    var compressor = LZFCompressor()
    private var compressed: [UInt8] = []

    init(compression: Bool, capacity: Int = 0) {
        self.compression = compression
        bytes.reserveCapacity(capacity)
    }

    mutating func writeByte(_ byte: UInt8) { bytes.append(byte) }

    mutating func writeLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func writeBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// 6, 14, 32 or 64 bits, the narrowest that holds `length`.
    mutating func writeLength(_ length: UInt64) {
        if length < 1 << 6 {
            bytes.append(UInt8(length))
        } else if length < 1 << 14 {
            bytes.append(UInt8(length >> 8) | RDBFormat.Length.bits14 << 6)
            bytes.append(UInt8(length & 0xFF))
        } else if length <= UInt64(UInt32.max) {
            bytes.append(RDBFormat.Length.bits32)
            writeBigEndian(UInt32(length))
        } else {
            bytes.append(RDBFormat.Length.bits64)
            writeBigEndian(length)
        }
    }

    mutating func writeLength(_ length: Int) { writeLength(UInt64(max(0, length))) }

    /// An integer in the special int8/16/32 string encodings; false when it does not fit 32 bits.
    mutating func writeEncodedInteger(_ value: Int64) -> Bool {
        let special = RDBFormat.Length.encoded << 6
        if value >= Int64(Int8.min) && value <= Int64(Int8.max) {
            bytes.append(special | UInt8(RDBFormat.Length.int8))
            bytes.append(UInt8(bitPattern: Int8(value)))
        } else if value >= Int64(Int16.min) && value <= Int64(Int16.max) {
            bytes.append(special | UInt8(RDBFormat.Length.int16))
            writeLittleEndian(Int16(value))
        } else if value >= Int64(Int32.min) && value <= Int64(Int32.max) {
            bytes.append(special | UInt8(RDBFormat.Length.int32))
            writeLittleEndian(Int32(value))
        } else {
            return false
        }
        return true
    }

    /// A string as `rdbSaveRawString` writes it: short canonical integers in an integer
    /// encoding, long strings LZF-compressed when enabled and smaller, raw otherwise.
    mutating func writeString(_ raw: UnsafeRawBufferPointer) {
        let count = raw.count
        if count <= 11, count > 0, let value = parseInt64(raw), writeEncodedInteger(value) { return }
        if compression && count > 20 {
            compressed.removeAll(keepingCapacity: true)
            if compressor.compress(raw, limit: count - 4, into: &compressed) {
                writeLZFBlob(compressed, originalLength: count)
                return
            }
        }
        writeLength(count)
        bytes.append(contentsOf: raw)
    }

    mutating func writeString(_ value: Bytes) { value.withUnsafeBytes { writeString($0) } }
    mutating func writeString(_ value: [UInt8]) { value.withUnsafeBytes { writeString($0) } }

    /// An integer string value (Redis's `int` encoding): an integer encoding when it fits
    /// 32 bits, its decimal text otherwise.
    mutating func writeInteger(_ value: Int64) {
        if writeEncodedInteger(value) { return }
        let text = Bytes(decimal: value)
        writeLength(text.count)
        text.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// A quicklist node already compressed: always the LZF encoding (`rdbSaveLzfBlob`).
    mutating func writeLZFBlob(_ compressed: [UInt8], originalLength: Int) {
        bytes.append(RDBFormat.Length.encoded << 6 | UInt8(RDBFormat.Length.lzf))
        writeLength(compressed.count)
        writeLength(originalLength)
        bytes.append(contentsOf: compressed)
    }

    mutating func writeBinaryDouble(_ value: Double) { writeLittleEndian(value.bitPattern) }
}
