import EmberRESP

/// An entry of a Redis listpack or ziplist: an integer, or a string (a range of the blob).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum PackedEntry {
    case integer(Int64)
    case string(Range<Int>)

    func bytes(in blob: [UInt8]) -> Bytes {
        switch self {
        case .integer(let value): return Bytes(decimal: value)
        case .string(let range): return blob.withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[range])) }
        }
    }

    func length(in blob: [UInt8]) -> Int {
        switch self {
        case .integer(let value): return Bytes(decimal: value).count
        case .string(let range): return range.count
        }
    }

    /// The entry read as a sorted-set score, as Redis's `zzlGetScore` (`strtod` of the text).
    /// Nil for text Redis's 128-byte buffer could not hold.
    func score(in blob: [UInt8]) -> Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .string(let range):
            guard range.count < 128 else { return nil }
            return blob.withUnsafeBytes { parseCDouble(UnsafeRawBufferPointer(rebasing: $0[range])) } ?? 0
        }
    }

    /// Calls `body` with the entry's text: the blob's bytes for a string, the decimal digits
    /// for an integer (no allocation either way).
    func withText<R>(in blob: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .integer(let value): return try Bytes(decimal: value).withUnsafeBytes(body)
        case .string(let range): return try blob.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
        }
    }

    /// Whether two entries of `blob` have the same text (a hostile blob may hold "12" as a
    /// string and as an integer: they are the same member).
    func hasSameText(as other: PackedEntry, in blob: [UInt8]) -> Bool {
        switch (self, other) {
        case (.integer(let a), .integer(let b)): return a == b
        case (.string(let a), .string(let b)):
            guard a.count == b.count else { return false }
            return blob.withUnsafeBytes { raw in
                a.isEmpty || memcmp(raw.baseAddress! + a.lowerBound, raw.baseAddress! + b.lowerBound, a.count) == 0
            }
        default:
            return withText(in: blob) { a in other.withText(in: blob) { b in a.elementsEqual(b) } }
        }
    }
}

@inline(__always)
private func signExtend(_ value: UInt64, bits: UInt64) -> Int64 {
    let shift = 64 - bits
    return Int64(bitPattern: value << shift) >> Int64(shift)
}

private func littleEndian(_ blob: [UInt8], _ start: Int, _ count: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in 0..<count { value |= UInt64(blob[start + index]) << UInt64(8 * index) }
    return value
}

// MARK: - Listpack (Redis's format)

/// Redis's listpack as stored in RDB values: a 6-byte header (total bytes, u32 LE; entry count,
/// u16 LE, 65535 = unknown), entries (an encoding byte, the data, then the entry's size written
/// backwards in 7-bit groups), and 0xFF.
enum RedisListpack {
    static let headerSize = 6
    static let end: UInt8 = 0xFF
    static let unknownCount = 65535

    /// The bytes of the backwards length of an entry of `size` bytes.
    static func backlenSize(_ size: Int) -> Int {
        if size <= 127 { return 1 }
        if size < 16383 { return 2 }
        if size < 2_097_151 { return 3 }
        if size < 268_435_455 { return 4 }
        return 5
    }

    static func appendBacklen(_ size: Int, to out: inout [UInt8]) {
        let value = UInt64(size)
        switch backlenSize(size) {
        case 1: out.append(UInt8(value))
        case 2: out += [UInt8(value >> 7), UInt8(value & 127) | 128]
        case 3: out += [UInt8(value >> 14), UInt8((value >> 7) & 127) | 128, UInt8(value & 127) | 128]
        case 4:
            out += [UInt8(value >> 21), UInt8((value >> 14) & 127) | 128, UInt8((value >> 7) & 127) | 128,
                    UInt8(value & 127) | 128]
        default:
            out += [UInt8(value >> 28), UInt8((value >> 21) & 127) | 128, UInt8((value >> 14) & 127) | 128,
                    UInt8((value >> 7) & 127) | 128, UInt8(value & 127) | 128]
        }
    }

    /// Builds a listpack as Redis's `lpAppend` does: strings that are canonical integers get
    /// the narrowest integer encoding.
    struct Builder {
        var bytes: [UInt8] = [0, 0, 0, 0, 0, 0]
        var count = 0

        /// Bytes the finished listpack would have.
        var size: Int { bytes.count + 1 }

        mutating func append(_ element: Bytes) {
            let handled = element.withUnsafeBytes { raw -> Bool in
                if raw.count <= 20, let value = parseInt64(raw) {
                    append(integer: value)
                    return true
                }
                return false
            }
            if handled { return }
            element.withUnsafeBytes { appendString($0) }
        }

        mutating func appendString(_ raw: UnsafeRawBufferPointer) {
            let length = raw.count
            let start = bytes.count
            if length < 64 {
                bytes.append(0x80 | UInt8(length))
            } else if length < 4096 {
                bytes.append(0xE0 | UInt8(length >> 8))
                bytes.append(UInt8(length & 0xFF))
            } else {
                bytes.append(0xF0)
                withUnsafeBytes(of: UInt32(truncatingIfNeeded: length).littleEndian) { bytes.append(contentsOf: $0) }
            }
            bytes.append(contentsOf: raw)
            appendBacklen(bytes.count - start, to: &bytes)
            count += 1
        }

        mutating func append(integer value: Int64) {
            let start = bytes.count
            if value >= 0 && value <= 127 {
                bytes.append(UInt8(value))
            } else if value >= -4096 && value <= 4095 {
                let bits = UInt16(bitPattern: Int16(value)) & 0x1FFF
                bytes.append(0xC0 | UInt8(bits >> 8))
                bytes.append(UInt8(bits & 0xFF))
            } else if value >= Int64(Int16.min) && value <= Int64(Int16.max) {
                bytes.append(0xF1)
                withUnsafeBytes(of: Int16(value).littleEndian) { bytes.append(contentsOf: $0) }
            } else if value >= -(1 << 23) && value < (1 << 23) {
                bytes.append(0xF2)
                let bits = UInt32(bitPattern: Int32(value))
                bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF)]
            } else if value >= Int64(Int32.min) && value <= Int64(Int32.max) {
                bytes.append(0xF3)
                withUnsafeBytes(of: Int32(value).littleEndian) { bytes.append(contentsOf: $0) }
            } else {
                bytes.append(0xF4)
                withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
            }
            appendBacklen(bytes.count - start, to: &bytes)
            count += 1
        }

        /// The finished blob: header filled in, end byte appended.
        func finish() -> [UInt8] {
            var out = bytes
            out.append(RedisListpack.end)
            let total = UInt32(truncatingIfNeeded: out.count)
            out[0] = UInt8(total & 0xFF)
            out[1] = UInt8((total >> 8) & 0xFF)
            out[2] = UInt8((total >> 16) & 0xFF)
            out[3] = UInt8(total >> 24)
            let stored = UInt16(min(count, RedisListpack.unknownCount))
            out[4] = UInt8(stored & 0xFF)
            out[5] = UInt8(stored >> 8)
            return out
        }
    }

    /// Validates `blob` and calls `body` with each entry. The header's size and end byte, and
    /// every entry's bounds, are always checked; `deep` also checks each entry's backwards
    /// length and the header's count. Returns the number of entries.
    @discardableResult
    static func forEach(_ blob: [UInt8], deep: Bool, _ body: (PackedEntry) throws -> Void) throws -> Int {
        func corrupt(_ reason: String) -> RDBError { RDBError(offset: 0, reason: "listpack: \(reason)") }
        guard blob.count >= headerSize + 1 else { throw corrupt("shorter than its header") }
        let total = Int(littleEndian(blob, 0, 4))
        guard total == blob.count else { throw corrupt("header size \(total) != blob size \(blob.count)") }
        guard blob[blob.count - 1] == end else { throw corrupt("no end byte") }
        let headerCount = Int(littleEndian(blob, 4, 2))
        let last = blob.count - 1
        var position = headerSize
        var count = 0
        while position < last {
            let start = position
            let first = blob[position]
            let entry: PackedEntry
            var dataEnd: Int
            func need(_ bytes: Int) throws {
                guard bytes <= last - start else { throw corrupt("entry at \(start) past the end") }
            }
            if first & 0x80 == 0 {
                entry = .integer(Int64(first & 0x7F))
                dataEnd = start + 1
            } else if first & 0xC0 == 0x80 {
                let length = Int(first & 0x3F)
                try need(1 + length)
                entry = .string((start + 1)..<(start + 1 + length))
                dataEnd = start + 1 + length
            } else if first & 0xE0 == 0xC0 {
                try need(2)
                let bits = UInt64(first & 0x1F) << 8 | UInt64(blob[start + 1])
                entry = .integer(signExtend(bits, bits: 13))
                dataEnd = start + 2
            } else if first & 0xF0 == 0xE0 {
                try need(2)
                let length = Int(first & 0x0F) << 8 | Int(blob[start + 1])
                try need(2 + length)
                entry = .string((start + 2)..<(start + 2 + length))
                dataEnd = start + 2 + length
            } else {
                switch first {
                case 0xF0:
                    try need(5)
                    let length = Int(littleEndian(blob, start + 1, 4))
                    try need(5 + length)
                    entry = .string((start + 5)..<(start + 5 + length))
                    dataEnd = start + 5 + length
                case 0xF1:
                    try need(3)
                    entry = .integer(signExtend(littleEndian(blob, start + 1, 2), bits: 16))
                    dataEnd = start + 3
                case 0xF2:
                    try need(4)
                    entry = .integer(signExtend(littleEndian(blob, start + 1, 3), bits: 24))
                    dataEnd = start + 4
                case 0xF3:
                    try need(5)
                    entry = .integer(signExtend(littleEndian(blob, start + 1, 4), bits: 32))
                    dataEnd = start + 5
                case 0xF4:
                    try need(9)
                    entry = .integer(Int64(bitPattern: littleEndian(blob, start + 1, 8)))
                    dataEnd = start + 9
                default:
                    throw corrupt("invalid entry encoding \(first) at \(start)")
                }
            }
            let size = dataEnd - start
            let backlen = backlenSize(size)
            try need(size + backlen)
            if deep {
                var expected: [UInt8] = []
                appendBacklen(size, to: &expected)
                guard blob[dataEnd..<(dataEnd + backlen)].elementsEqual(expected) else {
                    throw corrupt("bad back length at \(dataEnd)")
                }
            }
            position = dataEnd + backlen
            count += 1
            try body(entry)
        }
        guard position == last else { throw corrupt("entries overrun the end byte") }
        if deep && headerCount != unknownCount && headerCount != count {
            throw corrupt("header count \(headerCount) != \(count) entries")
        }
        return count
    }
}

// MARK: - Ziplist (loaded only)

/// Redis's ziplist (RDB versions before 10): a 10-byte header (total bytes u32 LE, offset of
/// the last entry u32 LE, count u16 LE), entries (previous entry's size in 1 or 5 bytes, an
/// encoding, the data) and 0xFF.
enum RedisZiplist {
    static let headerSize = 10

    @discardableResult
    static func forEach(_ blob: [UInt8], deep: Bool, _ body: (PackedEntry) throws -> Void) throws -> Int {
        func corrupt(_ reason: String) -> RDBError { RDBError(offset: 0, reason: "ziplist: \(reason)") }
        guard blob.count >= headerSize + 1 else { throw corrupt("shorter than its header") }
        let total = Int(littleEndian(blob, 0, 4))
        guard total == blob.count else { throw corrupt("header size \(total) != blob size \(blob.count)") }
        guard blob[blob.count - 1] == 0xFF else { throw corrupt("no end byte") }
        let tail = Int(littleEndian(blob, 4, 4))
        let headerCount = Int(littleEndian(blob, 8, 2))
        let last = blob.count - 1
        guard tail <= last else { throw corrupt("tail offset past the end") }
        var position = headerSize
        var count = 0
        var previousSize = 0
        var lastEntry = headerSize
        while position < last {
            let start = position
            func need(_ bytes: Int) throws {
                guard bytes <= last - start else { throw corrupt("entry at \(start) past the end") }
            }
            var cursor = start
            let prevlen: Int
            if blob[cursor] < 254 {
                prevlen = Int(blob[cursor])
                cursor += 1
            } else if blob[cursor] == 254 {
                try need(5)
                prevlen = Int(littleEndian(blob, cursor + 1, 4))
                cursor += 5
            } else {
                throw corrupt("end byte inside the entries at \(start)")
            }
            try need(cursor - start + 1)
            let encoding = blob[cursor]
            let entry: PackedEntry
            var dataEnd: Int
            switch encoding >> 6 {
            case 0:
                let length = Int(encoding & 0x3F)
                try need(cursor - start + 1 + length)
                entry = .string((cursor + 1)..<(cursor + 1 + length))
                dataEnd = cursor + 1 + length
            case 1:
                try need(cursor - start + 2)
                let length = Int(encoding & 0x3F) << 8 | Int(blob[cursor + 1])
                try need(cursor - start + 2 + length)
                entry = .string((cursor + 2)..<(cursor + 2 + length))
                dataEnd = cursor + 2 + length
            case 2:
                try need(cursor - start + 5)
                var length = 0
                for index in 1...4 { length = length << 8 | Int(blob[cursor + index]) }
                try need(cursor - start + 5 + length)
                entry = .string((cursor + 5)..<(cursor + 5 + length))
                dataEnd = cursor + 5 + length
            default:
                let width: Int
                switch encoding {
                case 0xC0: width = 2
                case 0xD0: width = 4
                case 0xE0: width = 8
                case 0xF0: width = 3
                case 0xFE: width = 1
                case 0xF1...0xFD: width = 0
                default: throw corrupt("invalid entry encoding \(encoding) at \(start)")
                }
                try need(cursor - start + 1 + width)
                if width == 0 {
                    entry = .integer(Int64(encoding & 0x0F) - 1)
                } else {
                    entry = .integer(signExtend(littleEndian(blob, cursor + 1, width), bits: UInt64(width * 8)))
                }
                dataEnd = cursor + 1 + width
            }
            if deep && prevlen != previousSize { throw corrupt("bad previous length at \(start)") }
            previousSize = dataEnd - start
            lastEntry = start
            position = dataEnd
            count += 1
            try body(entry)
        }
        guard position == last else { throw corrupt("entries overrun the end byte") }
        if deep {
            guard tail == lastEntry else { throw corrupt("tail offset \(tail) != last entry \(lastEntry)") }
            if headerCount != 65535 && headerCount != count {
                throw corrupt("header count \(headerCount) != \(count) entries")
            }
        }
        return count
    }
}

// MARK: - Zipmap (loaded only)

/// Redis's zipmap (hashes in RDB versions before 4): a count byte (254 = unknown), then
/// field length, field, value length, a free-space byte, value and free bytes, then 0xFF.
/// Lengths are one byte below 254, else 254 and a 32-bit little-endian length.
enum RedisZipmap {
    static func pairs(_ blob: [UInt8]) throws -> [(Bytes, Bytes)] {
        func corrupt(_ reason: String) -> RDBError { RDBError(offset: 0, reason: "zipmap: \(reason)") }
        guard blob.count >= 2 else { throw corrupt("too short") }
        let declared = Int(blob[0])
        let last = blob.count - 1
        guard blob[last] == 0xFF else { throw corrupt("no end byte") }
        var position = 1
        var result: [(Bytes, Bytes)] = []
        func readLength() throws -> Int? {
            guard position < last || (position == last && blob[position] == 0xFF) else { throw corrupt("length past the end") }
            let first = blob[position]
            if first == 0xFF { return nil }
            if first < 254 {
                position += 1
                return Int(first)
            }
            guard position + 5 <= last else { throw corrupt("length past the end") }
            let value = Int(littleEndian(blob, position + 1, 4))
            position += 5
            return value
        }
        func take(_ count: Int) throws -> Bytes {
            guard count <= last - position else { throw corrupt("entry past the end") }
            defer { position += count }
            return blob.withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[position..<(position + count)])) }
        }
        while true {
            guard let fieldLength = try readLength() else { break }
            let field = try take(fieldLength)
            guard let valueLength = try readLength() else { throw corrupt("field without a value") }
            guard position < last else { throw corrupt("free byte past the end") }
            let free = Int(blob[position])
            position += 1
            let value = try take(valueLength)
            guard free <= last - position else { throw corrupt("free space past the end") }
            position += free
            result.append((field, value))
        }
        guard position == last else { throw corrupt("data after the end byte") }
        if declared < 254 && declared != result.count { throw corrupt("count \(declared) != \(result.count) entries") }
        // Redis's zipmapValidateIntegrity refuses an empty zipmap (no writer ever made one).
        if result.isEmpty { throw corrupt("empty") }
        return result
    }
}

// MARK: - Intset (Redis's format)

/// Redis's intset: width (u32 LE: 2, 4 or 8), count (u32 LE), then the members ascending,
/// little-endian.
enum RedisIntset {
    static func members(_ blob: [UInt8]) throws -> [Int64] { try decode(blob).members }

    /// The members and the width they are stored at.
    static func decode(_ blob: [UInt8]) throws -> (members: [Int64], width: Int) {
        func corrupt(_ reason: String) -> RDBError { RDBError(offset: 0, reason: "intset: \(reason)") }
        guard blob.count >= 8 else { throw corrupt("shorter than its header") }
        let width = Int(littleEndian(blob, 0, 4))
        guard width == 2 || width == 4 || width == 8 else { throw corrupt("invalid width \(width)") }
        let count = Int(littleEndian(blob, 4, 4))
        guard count.multipliedReportingOverflow(by: width).partialValue + 8 == blob.count, count <= blob.count else {
            throw corrupt("count \(count) does not match the size \(blob.count)")
        }
        var members: [Int64] = []
        members.reserveCapacity(count)
        for index in 0..<count {
            let value = signExtend(littleEndian(blob, 8 + index * width, width), bits: UInt64(width * 8))
            if let previous = members.last, previous >= value { throw corrupt("members not ascending or repeated") }
            members.append(value)
        }
        return (members, width)
    }

    static func blob(_ members: [Int64], width: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + members.count * width)
        withUnsafeBytes(of: UInt32(width).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: members.count).littleEndian) { out.append(contentsOf: $0) }
        for member in members {
            withUnsafeBytes(of: member.littleEndian) { out.append(contentsOf: $0.prefix(width)) }
        }
        return out
    }
}
