import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the primitives of the RDB format from a byte array, checking every length against
/// the bytes that remain: hostile input ends in an `RDBError`, never a trap or a huge
/// allocation.
struct RDBReader {
    let bytes: [UInt8]
    var position: Int
    /// Where `bytes` starts in the outer input, for error offsets.
    let base: Int

    init(_ bytes: [UInt8], position: Int = 0, base: Int = 0) {
        self.bytes = bytes
        self.position = position
        self.base = base
    }

    var remaining: Int { bytes.count - position }
    var isAtEnd: Bool { position >= bytes.count }

    func error(_ reason: String, at offset: Int? = nil) -> RDBError {
        RDBError(offset: base + (offset ?? position), reason: reason)
    }

    mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw error("unexpected end of data") }
        defer { position += 1 }
        return bytes[position]
    }

    /// `count` raw bytes as a range of `bytes`.
    mutating func readRange(_ count: Int) throws -> Range<Int> {
        guard count >= 0, count <= remaining else {
            throw error("unexpected end of data (need \(count) bytes, \(remaining) left)")
        }
        defer { position += count }
        return position..<(position + count)
    }

    mutating func readArray(_ count: Int) throws -> [UInt8] {
        Array(bytes[try readRange(count)])
    }

    mutating func readLittleEndian(_ count: Int) throws -> UInt64 {
        let range = try readRange(count)
        var value: UInt64 = 0
        for (shift, index) in range.enumerated() { value |= UInt64(bytes[index]) << (8 * UInt64(shift)) }
        return value
    }

    mutating func readBigEndian(_ count: Int) throws -> UInt64 {
        let range = try readRange(count)
        var value: UInt64 = 0
        for index in range { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    /// A length, or (`encoded`) the number of a special string encoding.
    mutating func readLength() throws -> (value: UInt64, encoded: Bool) {
        let first = try readByte()
        switch first >> 6 {
        case RDBFormat.Length.bits6: return (UInt64(first & 0x3F), false)
        case RDBFormat.Length.bits14: return (UInt64(first & 0x3F) << 8 | UInt64(try readByte()), false)
        case RDBFormat.Length.encoded: return (UInt64(first & 0x3F), true)
        default:
            if first == RDBFormat.Length.bits32 { return (try readBigEndian(4), false) }
            if first == RDBFormat.Length.bits64 { return (try readBigEndian(8), false) }
            throw error("unknown length encoding \(first)", at: position - 1)
        }
    }

    /// A plain length as an `Int`, at most `limit`.
    mutating func readCount(limit: Int = Int.max, what: String = "length") throws -> Int {
        let start = position
        let (value, encoded) = try readLength()
        guard !encoded else { throw error("unexpected string encoding for a \(what)", at: start) }
        guard value <= UInt64(limit) else { throw error("\(what) \(value) out of range", at: start) }
        return Int(value)
    }

    /// A count of items that each take at least `minimumSize` bytes: checked against what is left.
    mutating func readItemCount(minimumSize: Int, what: String) throws -> Int {
        let start = position
        let count = try readCount(what: what)
        guard count <= remaining / max(1, minimumSize) else {
            throw error("\(what) \(count) larger than the remaining data", at: start)
        }
        return count
    }

    /// A string in any of its encodings (raw, integer, LZF), as bytes.
    mutating func readString() throws -> [UInt8] {
        let start = position
        let (value, encoded) = try readLength()
        if !encoded {
            guard value <= UInt64(remaining) else { throw error("string length \(value) past the end of data", at: start) }
            return try readArray(Int(value))
        }
        switch value {
        case RDBFormat.Length.int8:
            return Array(String(Int8(bitPattern: try readByte())).utf8)
        case RDBFormat.Length.int16:
            return Array(String(Int16(truncatingIfNeeded: try readLittleEndian(2))).utf8)
        case RDBFormat.Length.int32:
            return Array(String(Int32(truncatingIfNeeded: try readLittleEndian(4))).utf8)
        case RDBFormat.Length.lzf:
            let compressed = try readCount(what: "compressed length")
            let length = try readCount(what: "uncompressed length")
            // A back reference of 3 bytes yields at most 264: no stream expands more than that.
            guard compressed <= remaining else { throw error("compressed string past the end of data", at: start) }
            guard length <= compressed.multipliedReportingOverflow(by: 90).partialValue + 64 else {
                throw error("LZF length \(length) impossible for \(compressed) compressed bytes", at: start)
            }
            let range = try readRange(compressed)
            let output = bytes.withUnsafeBytes { raw in
                LZF.decompress(UnsafeRawBufferPointer(rebasing: raw[range]), length: length)
            }
            guard let output else { throw error("invalid LZF data", at: start) }
            return output
        default:
            throw error("unknown string encoding \(value)", at: start)
        }
    }

    mutating func readBytes() throws -> Bytes {
        let start = position
        let (value, encoded) = try readLength()
        if !encoded {
            guard value <= UInt64(remaining) else { throw error("string length \(value) past the end of data", at: start) }
            let range = try readRange(Int(value))
            return bytes.withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[range])) }
        }
        position = start
        return Bytes(try readString())
    }

    /// The binary double of ZSET_2 (8 bytes, little-endian IEEE 754).
    mutating func readBinaryDouble() throws -> Double {
        Double(bitPattern: try readLittleEndian(8))
    }

    /// The text double of the old ZSET type: a length byte (253 NaN, 254 +inf, 255 -inf),
    /// then that many characters of `%.17g`.
    mutating func readTextDouble() throws -> Double {
        let start = position
        let length = try readByte()
        switch length {
        case 253: return .nan
        case 254: return .infinity
        case 255: return -.infinity
        default:
            let text = try readArray(Int(length))
            guard let value = parseCDouble(text) else { throw error("invalid double text", at: start) }
            return value
        }
    }
}

/// `strtod` over `text` (a copy with a terminating NUL); nil when no number starts it
/// (the `sscanf("%lg")` check of Redis's loader).
/// The same for text shorter than 128 bytes, copied to the stack to be NUL-terminated.
func parseCDouble(_ text: UnsafeRawBufferPointer) -> Double? {
    guard text.count < 128 else { return parseCDouble(Array(text)) }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer -> Double? in
        let start = buffer.baseAddress!
        if text.count > 0 { UnsafeMutableRawPointer(start).copyMemory(from: text.baseAddress!, byteCount: text.count) }
        start[text.count] = 0
        var end: UnsafeMutablePointer<CChar>?
        let value = strtod(start, &end)
        guard let end, end != start else { return nil }
        return value
    }
}

func parseCDouble(_ text: [UInt8], requireWhole: Bool = false) -> Double? {
    var terminated = text
    terminated.append(0)
    return terminated.withUnsafeBufferPointer { buffer -> Double? in
        let start = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
        var end: UnsafeMutablePointer<CChar>?
        let value = strtod(start, &end)
        guard let end, end != UnsafeMutablePointer(mutating: start) else { return nil }
        if requireWhole && end - UnsafeMutablePointer(mutating: start) != text.count { return nil }
        return value
    }
}
