import CEmberSystem
import NIOCore

/// The protocol a connection speaks, chosen with HELLO.
public enum RESPVersion: Int, Sendable {
    case resp2 = 2
    case resp3 = 3
}

/// Writers for every RESP2 and RESP3 frame. Aggregates are written as a header followed by
/// their elements, so replies stream into the output buffer without intermediate values.
extension ByteBuffer {
    @inlinable
    public mutating func writeRESPSimpleString(_ text: String) {
        writeInteger(UInt8(ascii: "+"))
        writeString(text)
        writeCRLF()
    }

    /// `message` starts with the error code, e.g. `ERR syntax error` or `WRONGTYPE ...`.
    @inlinable
    public mutating func writeRESPError(_ message: String) {
        var message = message
        message.withUTF8 { writeRESPError(UnsafeRawBufferPointer($0)) }
    }

    @inlinable
    public mutating func writeRESPError(_ message: Bytes) {
        message.withUnsafeBytes { writeRESPError($0) }
    }

    /// An error line cannot hold CR or LF (they would end the frame). As Redis's
    /// `addReplyErrorFormat`: CR and LF at the ends are trimmed, those inside become spaces.
    @inlinable
    public mutating func writeRESPError(_ message: UnsafeRawBufferPointer) {
        var start = 0
        var end = message.count
        while start < end && (message[start] == 13 || message[start] == 10) { start += 1 }
        while end > start && (message[end - 1] == 13 || message[end - 1] == 10) { end -= 1 }
        writeInteger(UInt8(ascii: "-"))
        for index in start..<end {
            let byte = message[index]
            writeInteger(byte == 13 || byte == 10 ? 32 : byte)
        }
        writeCRLF()
    }

    @inlinable
    public mutating func writeRESPInteger(_ value: Int64) {
        writeLengthLine(UInt8(ascii: ":"), value)
    }

    @inlinable
    public mutating func writeRESPBulk(_ bytes: Bytes) {
        bytes.withUnsafeBytes { writeRESPBulk($0) }
    }

    /// One capacity check and one copy for the whole frame: the pieces written one by one
    /// cost a uniqueness and capacity check each, which showed in a pipelined GET's profile.
    @inlinable
    public mutating func writeRESPBulk(_ raw: UnsafeRawBufferPointer) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: raw.count + Self.maxLengthLine + 2) { out in
            var position = Self.storeLengthLine(UInt8(ascii: "$"), Int64(raw.count), into: out)
            if let source = raw.baseAddress, raw.count > 0 {
                (out.baseAddress! + position).copyMemory(from: source, byteCount: raw.count)
            }
            position += raw.count
            out[position] = 13
            out[position + 1] = 10
            return position + 2
        }
    }

    @inlinable
    public mutating func writeRESPBulk(_ text: String) {
        var text = text
        text.withUTF8 { writeRESPBulk(UnsafeRawBufferPointer($0)) }
    }

    /// A null bulk string in RESP2, the null type in RESP3.
    @inlinable
    public mutating func writeRESPNull(_ version: RESPVersion) {
        if version == .resp3 { writeStaticString("_\r\n") } else { writeStaticString("$-1\r\n") }
    }

    /// A null array in RESP2, the null type in RESP3.
    @inlinable
    public mutating func writeRESPNullArray(_ version: RESPVersion) {
        if version == .resp3 { writeStaticString("_\r\n") } else { writeStaticString("*-1\r\n") }
    }

    @inlinable
    public mutating func writeRESPArrayHeader(_ count: Int) {
        writeAggregateHeader(UInt8(ascii: "*"), count)
    }

    /// A map of `count` pairs; a flat array of `2 * count` elements in RESP2.
    @inlinable
    public mutating func writeRESPMapHeader(_ count: Int, _ version: RESPVersion) {
        if version == .resp3 { writeAggregateHeader(UInt8(ascii: "%"), count) } else { writeAggregateHeader(UInt8(ascii: "*"), count * 2) }
    }

    /// A set; an array in RESP2.
    @inlinable
    public mutating func writeRESPSetHeader(_ count: Int, _ version: RESPVersion) {
        writeAggregateHeader(version == .resp3 ? UInt8(ascii: "~") : UInt8(ascii: "*"), count)
    }

    /// An out-of-band push; an array in RESP2 (as pub/sub messages are).
    @inlinable
    public mutating func writeRESPPushHeader(_ count: Int, _ version: RESPVersion) {
        writeAggregateHeader(version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"), count)
    }

    /// RESP3 attributes of `count` pairs (callers skip them in RESP2).
    @inlinable
    public mutating func writeRESPAttributeHeader(_ count: Int) {
        writeAggregateHeader(UInt8(ascii: "|"), count)
    }

    /// A double; a bulk string in RESP2. Formatted as Redis does (`%.17g`, `inf`, `-inf`, `nan`).
    public mutating func writeRESPDouble(_ value: Double, _ version: RESPVersion) {
        let text = formatDouble(value)
        if version == .resp3 {
            writeInteger(UInt8(ascii: ","))
            writeString(text)
            writeCRLF()
        } else {
            writeRESPBulk(text)
        }
    }

    /// A boolean; the integer 1 or 0 in RESP2.
    @inlinable
    public mutating func writeRESPBoolean(_ value: Bool, _ version: RESPVersion) {
        if version == .resp3 {
            writeStaticString(value ? "#t\r\n" : "#f\r\n")
        } else {
            writeStaticString(value ? ":1\r\n" : ":0\r\n")
        }
    }

    /// A verbatim string with a three-letter format (`txt`, `mkd`); a bulk string in RESP2.
    public mutating func writeRESPVerbatim(_ text: String, format: String = "txt", _ version: RESPVersion) {
        if version == .resp3 {
            let utf8Count = text.utf8.count
            writeLengthLine(UInt8(ascii: "="), Int64(utf8Count + 4))
            writeString(format)
            writeInteger(UInt8(ascii: ":"))
            writeString(text)
            writeCRLF()
        } else {
            writeRESPBulk(text)
        }
    }

    /// A big number given as decimal digits; a bulk string in RESP2.
    public mutating func writeRESPBigNumber(_ digits: String, _ version: RESPVersion) {
        if version == .resp3 {
            writeInteger(UInt8(ascii: "("))
            writeString(digits)
            writeCRLF()
        } else {
            writeRESPBulk(digits)
        }
    }

    // MARK: - Pieces

    @inlinable
    mutating func writeAggregateHeader(_ marker: UInt8, _ count: Int) {
        writeLengthLine(marker, Int64(count))
    }

    /// A marker, a 64-bit decimal and CRLF: at most 1 + 20 + 2 bytes.
    @usableFromInline static let maxLengthLine = 23

    /// Writes `<marker><value>\r\n` (`:42`, `$5`, `*3`) in one step.
    @inlinable
    mutating func writeLengthLine(_ marker: UInt8, _ value: Int64) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maxLengthLine) { out in
            Self.storeLengthLine(marker, value, into: out)
        }
    }

    /// Stores `<marker><value>\r\n` at the start of `out` (at least `maxLengthLine` bytes) and
    /// returns its length.
    @inlinable
    static func storeLengthLine(_ marker: UInt8, _ value: Int64, into out: UnsafeMutableRawBufferPointer) -> Int {
        // The line is built backwards in scratch space, then copied once.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return Swift.withUnsafeMutableBytes(of: &scratch) { line in
            line[line.count - 2] = 13
            line[line.count - 1] = 10
            let start = storeDecimal(value, endingAt: line.count - 2, in: line) - 1
            line[start] = marker
            let length = line.count - start
            out.baseAddress!.copyMemory(from: line.baseAddress! + start, byteCount: length)
            return length
        }
    }

    @inlinable
    mutating func writeCRLF() {
        writeInteger(UInt16(0x0D0A), endianness: .big)
    }
}

/// Redis's text for a double: `%.17g` (shortest round-trip for integral values), `inf`, `-inf`, `nan`.
public func formatDouble(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    if value == 0 { return value.sign == .minus ? "-0" : "0" }
    // Integral values that fit exactly print as integers, like "%.17g" does.
    if value == value.rounded(), abs(value) < 1e17 {
        return String(Int64(value))
    }
    return formatCDouble(value, format: "%.17g")
}

/// Formats through the C library so the digits match Redis's `snprintf` exactly.
public func formatCDouble(_ value: Double, format: String) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
        let written = cember_format_double(buffer.baseAddress!, 64, format, value)
        return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(max(0, min(written, 63)))), as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
