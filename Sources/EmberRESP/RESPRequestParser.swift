import NIOCore

/// A request that broke the protocol. The message is Redis's wording (without the `ERR ` prefix);
/// the connection answers it and closes.
public struct RESPProtocolError: Error, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// Incremental parser for client requests: RESP multibulk arrays of bulk strings, and inline
/// commands (a line of space-separated, optionally quoted words, as typed into telnet).
///
/// It keeps a partly read multibulk between calls, so a large request arriving in many reads is
/// scanned once. Limits follow Redis: `proto-max-bulk-len` for each argument, 64 KiB for an
/// inline line or a length line, and the tighter limits for clients that have not authenticated.
public struct RESPRequestParser: Sendable {
    public var maxBulkLength: Int
    /// Set while the connection needs AUTH: then a request may have at most 10 arguments of
    /// at most 16 KiB each, as in Redis, so an unauthenticated peer cannot make us buffer much.
    public var unauthenticated = false

    public static let maxInlineLength = 64 * 1024

    private var expectedArguments = 0
    private var arguments: [Bytes] = []
    private var pendingBulkLength = -1
    /// Emptied argument arrays handed back by the caller: reusing their storage saves an
    /// allocation and a free per command.
    private var spareArrays: [[Bytes]] = []

    public init(maxBulkLength: Int = 512 * 1024 * 1024) {
        self.maxBulkLength = maxBulkLength
    }

    /// Returns a command's argument array once the caller is done with it, for reuse.
    public mutating func recycle(_ arguments: inout [Bytes]) {
        guard spareArrays.count < 64, arguments.capacity > 0, arguments.capacity <= 64 else { return }
        arguments.removeAll(keepingCapacity: true)
        spareArrays.append(arguments)
        arguments = []
    }

    /// Bytes the parser still needs for the bulk string it is reading (to size reads), or 0.
    public var pendingBulkBytes: Int { max(pendingBulkLength, 0) }

    /// The next complete command, or nil when `buffer` holds no complete command yet.
    /// Consumed bytes are read from `buffer`; empty commands are skipped.
    public mutating func next(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> [Bytes]? {
        while true {
            if expectedArguments == 0 {
                guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
                if first == UInt8(ascii: "*") {
                    if !unauthenticated, let command = parseCompleteMultibulk(&buffer) { return command }
                    guard let count = try readMultibulkCount(&buffer) else { return nil }
                    if count <= 0 { continue }
                    expectedArguments = count
                    arguments = spareArrays.popLast() ?? []
                    arguments.reserveCapacity(min(count, 1024))
                } else {
                    guard let command = try readInline(&buffer) else { return nil }
                    if command.isEmpty { continue }
                    return command
                }
            }
            while arguments.count < expectedArguments {
                guard let argument = try readBulk(&buffer) else { return nil }
                arguments.append(argument)
            }
            expectedArguments = 0
            let command = arguments
            arguments = []
            return command
        }
    }

    // MARK: - Multibulk

    /// The common case in one pass: a well-formed multibulk that has fully arrived. Nil when
    /// it is incomplete or unusual in any way (large, malformed, leading zeros); the general
    /// path below then parses it incrementally and words its errors exactly as Redis.
    @inline(__always)
    private mutating func parseCompleteMultibulk(_ buffer: inout ByteBuffer) -> [Bytes]? {
        var consumed = 0
        let maxBulkLength = self.maxBulkLength
        var arguments = spareArrays.popLast() ?? []
        let complete: Bool = buffer.withUnsafeReadableBytes { raw in
            var position = 1
            // Each argument needs at least "$0\r\n\r\n".
            guard let count = Self.shortDecimalLine(raw, &position), count > 0, count <= 1024,
                  raw.count - position >= count * 6
            else { return false }
            arguments.reserveCapacity(count)
            for _ in 0..<count {
                guard position < raw.count, raw[position] == UInt8(ascii: "$") else { return false }
                position += 1
                guard let length = Self.shortDecimalLine(raw, &position), length <= maxBulkLength,
                      raw.count - position >= length + 2
                else { return false }
                arguments.append(Bytes(UnsafeRawBufferPointer(rebasing: raw[position..<(position + length)])))
                position += length + 2
            }
            consumed = position
            return true
        }
        guard complete else {
            recycle(&arguments)
            return nil
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        return arguments
    }

    /// Reads 1 to 9 decimal digits (no sign, no leading zero) and the CRLF after them, from
    /// `position`; on success moves `position` past the CRLF.
    @inline(__always)
    private static func shortDecimalLine(_ raw: UnsafeRawBufferPointer, _ position: inout Int) -> Int? {
        var index = position
        var value = 0
        // Stops at 10 digits, so the value cannot overflow.
        while index < raw.count, index - position < 10, raw[index] >= 48, raw[index] <= 57 {
            value = value * 10 + Int(raw[index] - 48)
            index += 1
        }
        let digits = index - position
        guard digits > 0, digits <= 9, digits == 1 || raw[position] != 48,
              index + 1 < raw.count, raw[index] == 13, raw[index + 1] == 10
        else { return nil }
        position = index + 2
        return value
    }

    private mutating func readMultibulkCount(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> Int? {
        guard let line = try lengthLine(buffer, tooBig: "too big mbulk count string") else { return nil }
        let value = buffer.withUnsafeReadableBytes { raw in
            parseInt64(UnsafeRawBufferPointer(rebasing: raw[1..<line]))
        }
        guard let value, value <= Int64(Int32.max) else {
            throw RESPProtocolError("Protocol error: invalid multibulk length")
        }
        if value > 10 && unauthenticated {
            throw RESPProtocolError("Protocol error: unauthenticated multibulk length")
        }
        buffer.moveReaderIndex(forwardBy: line + 2)
        return Int(value)
    }

    private mutating func readBulk(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> Bytes? {
        if pendingBulkLength < 0 {
            guard let line = try lengthLine(buffer, tooBig: "too big bulk count string") else { return nil }
            // `line` is 0 when the line is empty ("\r\n"): then the marker is the '\r' itself.
            let (marker, value) = buffer.withUnsafeReadableBytes { raw in
                (raw[0], line > 0 ? parseInt64(UnsafeRawBufferPointer(rebasing: raw[1..<line])) : nil)
            }
            guard marker == UInt8(ascii: "$") else {
                throw RESPProtocolError("Protocol error: expected '$', got '\(Character(Unicode.Scalar(marker)))'")
            }
            guard let value, value >= 0, value <= Int64(maxBulkLength) else {
                throw RESPProtocolError("Protocol error: invalid bulk length")
            }
            if value > 16384 && unauthenticated {
                throw RESPProtocolError("Protocol error: unauthenticated bulk length")
            }
            buffer.moveReaderIndex(forwardBy: line + 2)
            pendingBulkLength = Int(value)
        }
        // Like Redis, the two bytes after the payload are skipped, not checked.
        guard buffer.readableBytes >= pendingBulkLength + 2 else { return nil }
        let bytes = buffer.withUnsafeReadableBytes { raw in
            Bytes(UnsafeRawBufferPointer(rebasing: raw[0..<pendingBulkLength]))
        }
        buffer.moveReaderIndex(forwardBy: pendingBulkLength + 2)
        pendingBulkLength = -1
        return bytes
    }

    /// The offset of the `\r` ending a `*N` or `$N` line, nil if it has not fully arrived.
    private func lengthLine(_ buffer: ByteBuffer, tooBig: String) throws(RESPProtocolError) -> Int? {
        let found: Int? = buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0,
                  let hit = memchr(base, Int32(UInt8(ascii: "\r")), raw.count)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
        guard let found else {
            if buffer.readableBytes > Self.maxInlineLength { throw RESPProtocolError("Protocol error: \(tooBig)") }
            return nil
        }
        if found > Self.maxInlineLength { throw RESPProtocolError("Protocol error: \(tooBig)") }
        // The '\n' must be there too before the line counts.
        guard buffer.readableBytes > found + 1 else { return nil }
        return found
    }

    // MARK: - Inline

    private mutating func readInline(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> [Bytes]? {
        let newline: Int? = buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0,
                  let hit = memchr(base, Int32(UInt8(ascii: "\n")), raw.count)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
        guard let newline else {
            if buffer.readableBytes > Self.maxInlineLength {
                throw RESPProtocolError("Protocol error: too big inline request")
            }
            return nil
        }
        if newline > Self.maxInlineLength { throw RESPProtocolError("Protocol error: too big inline request") }
        let words = buffer.withUnsafeReadableBytes { raw -> [Bytes]? in
            var end = newline
            if end > 0 && raw[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            return splitInlineArguments(UnsafeRawBufferPointer(rebasing: raw[0..<end]))
        }
        buffer.moveReaderIndex(forwardBy: newline + 1)
        guard let words else { throw RESPProtocolError("Protocol error: unbalanced quotes in request") }
        return words
    }
}

/// Splits a line into arguments the way redis-cli and Redis's inline protocol do (`sdssplitargs`):
/// words separated by white space, `"double quoted"` with C escapes and `\xHH`, `'single quoted'`
/// with only `\'`. A closing quote must be followed by white space or the end. Nil if unbalanced.
public func splitInlineArguments(_ line: UnsafeRawBufferPointer) -> [Bytes]? {
    func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
    func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
    var words: [Bytes] = []
    var i = 0
    let n = line.count
    while true {
        while i < n && isSpace(line[i]) { i += 1 }
        if i >= n { return words }
        var current: [UInt8] = []
        var inDouble = false
        var inSingle = false
        var done = false
        while !done {
            if inDouble {
                guard i < n else { return nil }
                let c = line[i]
                if c == UInt8(ascii: "\\") && i + 3 < n && line[i + 1] == UInt8(ascii: "x"),
                   let hi = hexValue(line[i + 2]), let lo = hexValue(line[i + 3]) {
                    current.append(hi << 4 | lo)
                    i += 3
                } else if c == UInt8(ascii: "\\") && i + 1 < n {
                    i += 1
                    switch line[i] {
                    case UInt8(ascii: "n"): current.append(10)
                    case UInt8(ascii: "r"): current.append(13)
                    case UInt8(ascii: "t"): current.append(9)
                    case UInt8(ascii: "b"): current.append(8)
                    case UInt8(ascii: "a"): current.append(7)
                    default: current.append(line[i])
                    }
                } else if c == UInt8(ascii: "\"") {
                    if i + 1 < n && !isSpace(line[i + 1]) { return nil }
                    done = true
                } else {
                    current.append(c)
                }
            } else if inSingle {
                guard i < n else { return nil }
                let c = line[i]
                if c == UInt8(ascii: "\\") && i + 1 < n && line[i + 1] == UInt8(ascii: "'") {
                    i += 1
                    current.append(UInt8(ascii: "'"))
                } else if c == UInt8(ascii: "'") {
                    if i + 1 < n && !isSpace(line[i + 1]) { return nil }
                    done = true
                } else {
                    current.append(c)
                }
            } else {
                if i >= n { done = true; break }
                let c = line[i]
                switch c {
                case 32, 9, 10, 11, 12, 13:
                    done = true
                case UInt8(ascii: "\""):
                    inDouble = true
                case UInt8(ascii: "'"):
                    inSingle = true
                default:
                    current.append(c)
                }
            }
            if i < n { i += 1 }
        }
        words.append(Bytes(current))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
