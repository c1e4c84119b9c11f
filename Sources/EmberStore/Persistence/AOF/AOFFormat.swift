import EmberRESP

/// The AOF's command encoding: each command a RESP array of bulk strings, as Redis writes it;
/// lines starting with `#` are annotations (`#TS:<unix seconds>`), skipped on load.
public enum AOFFormat {
    /// Appends `args` as `*<n>\r\n` then `$<len>\r\n<bytes>\r\n` each.
    public static func append(_ args: [Bytes], to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        appendDecimal(args.count, to: &buffer)
        buffer.append(13)
        buffer.append(10)
        for arg in args {
            buffer.append(UInt8(ascii: "$"))
            appendDecimal(arg.count, to: &buffer)
            buffer.append(13)
            buffer.append(10)
            arg.withUnsafeBytes { buffer.append(contentsOf: $0) }
            buffer.append(13)
            buffer.append(10)
        }
    }

    public static func encode(_ args: [Bytes]) -> [UInt8] {
        var buffer: [UInt8] = []
        append(args, to: &buffer)
        return buffer
    }

    /// `#TS:<seconds>\r\n`, the annotation `aof-timestamp-enabled` writes.
    public static func timestampAnnotation(_ seconds: Int64) -> [UInt8] {
        Array("#TS:\(seconds)\r\n".utf8)
    }

    /// A count or length (never negative) in decimal, without a String on the way.
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(truncatingIfNeeded: 48 + max(value, 0)))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var rest = UInt(value)
            var start = raw.count
            while rest > 0 {
                start -= 1
                raw[start] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                rest /= 10
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[start...]))
        }
    }
}

/// What reading the commands of an AOF found wrong.
public enum AOFParseProblem: Equatable, Sendable {
    /// The input ends inside a command: a write cut short (a crash), which `aof-load-truncated`
    /// may drop.
    case truncated
    /// Bytes that are not the AOF format, at `offset`.
    case corrupt(String)
}

/// Reads commands from an AOF's bytes one at a time, from `position`.
public struct AOFCommandReader {
    public let bytes: [UInt8]
    /// Offset of the next command; everything before it was whole.
    public private(set) var position: Int
    /// The largest element count accepted in one command (a hostile count fails early).
    public var maxArguments = 1 << 31

    public init(_ bytes: [UInt8], from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// The next command, nil at a clean end; throws where the input stops being a command.
    /// On a throw `position` stays at the start of the bad command.
    public mutating func next() throws(AOFReadError) -> [Bytes]? {
        while position < bytes.count && bytes[position] == UInt8(ascii: "#") {
            // An annotation: skipped to its end of line.
            guard let end = lineEnd(from: position) else { throw AOFReadError(offset: position, problem: .truncated) }
            position = end + 2
        }
        guard position < bytes.count else { return nil }
        let start = position
        var cursor = position
        guard bytes[cursor] == UInt8(ascii: "*") else {
            throw AOFReadError(offset: start, problem: .corrupt("Bad file format reading the append only file"))
        }
        let count = try readNumber(&cursor, start: start)
        guard count >= 1, count <= maxArguments else {
            throw AOFReadError(offset: start, problem: .corrupt("Bad file format reading the append only file (invalid argument count)"))
        }
        var args: [Bytes] = []
        args.reserveCapacity(min(count, 1024))
        for _ in 0..<count {
            guard cursor < bytes.count else { throw AOFReadError(offset: start, problem: .truncated) }
            guard bytes[cursor] == UInt8(ascii: "$") else {
                throw AOFReadError(offset: cursor, problem: .corrupt("Bad file format reading the append only file (expected '$')"))
            }
            let bulkStart = cursor
            let length = try readNumber(&cursor, start: start)
            guard length >= 0 else {
                throw AOFReadError(offset: bulkStart, problem: .corrupt("Bad file format reading the append only file (invalid bulk length)"))
            }
            guard bytes.count - cursor >= length + 2 else { throw AOFReadError(offset: start, problem: .truncated) }
            guard bytes[cursor + length] == 13, bytes[cursor + length + 1] == 10 else {
                throw AOFReadError(offset: cursor + length, problem: .corrupt("Bad file format reading the append only file (bulk not terminated by CRLF)"))
            }
            args.append(Bytes(bytes[cursor..<(cursor + length)]))
            cursor += length + 2
        }
        position = cursor
        return args
    }

    /// Reads `<c><digits>\r\n` at `cursor` (the type byte is already checked).
    private func readNumber(_ cursor: inout Int, start: Int) throws(AOFReadError) -> Int {
        let lineStart = cursor
        guard let end = lineEnd(from: cursor) else {
            // No end of line: cut short, unless what is there already cannot be a number.
            var index = cursor + 1
            while index < bytes.count {
                let byte = bytes[index]
                if !(byte >= 48 && byte <= 57) && !(byte == 45 && index == cursor + 1) && byte != 13 {
                    throw AOFReadError(offset: lineStart, problem: .corrupt("Bad file format reading the append only file (invalid number)"))
                }
                index += 1
            }
            throw AOFReadError(offset: start, problem: .truncated)
        }
        var value = 0
        var negative = false
        var index = cursor + 1
        if index < end && bytes[index] == 45 {
            negative = true
            index += 1
        }
        guard index < end, end - index <= 18 else {
            throw AOFReadError(offset: lineStart, problem: .corrupt("Bad file format reading the append only file (invalid number)"))
        }
        while index < end {
            let byte = bytes[index]
            guard byte >= 48 && byte <= 57 else {
                throw AOFReadError(offset: lineStart, problem: .corrupt("Bad file format reading the append only file (invalid number)"))
            }
            value = value * 10 + Int(byte - 48)
            index += 1
        }
        cursor = end + 2
        return negative ? -value : value
    }

    /// The index of the `\r` of the next `\r\n` from `from`, nil when the input ends first.
    private func lineEnd(from: Int) -> Int? {
        var index = from
        // Lines are short; a runaway one (no newline in 4 KB) is cut at the scan limit.
        let limit = min(bytes.count - 1, from + 4096)
        while index < limit {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }
}

public struct AOFReadError: Error, Equatable, Sendable {
    public let offset: Int
    public let problem: AOFParseProblem
}
