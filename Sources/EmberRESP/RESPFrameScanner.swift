import NIOCore

/// Tells whether a buffer holds a whole RESP2/RESP3 frame yet, without building it, and
/// remembers how far it got: a large reply that arrives over many reads is scanned once in
/// total rather than parsed from its start on every read (which made reading an N-element
/// reply cost O(N²) element allocations).
///
/// The scanner keeps its place relative to the buffer's reader index: call `reset()` after
/// the frame it reported complete has been consumed.
///
/// ```swift
/// while try scanner.isComplete(buffer) {
///     let value = try parser.next(&buffer)!   // a complete frame always parses (or throws)
///     scanner.reset()
/// }
/// ```
public struct RESPFrameScanner: Sendable {
    public var maxBulkLength: Int
    public var maxDepth: Int
    /// Where the next element's header starts, from the reader index.
    private var offset = 0
    /// For each open aggregate (outermost first), how many elements it still expects; the
    /// bottom entry is the frame itself.
    private var remaining: [Int] = [1]

    public init(maxBulkLength: Int = 512 * 1024 * 1024, maxDepth: Int = 64) {
        self.maxBulkLength = maxBulkLength
        self.maxDepth = maxDepth
    }

    /// Forgets the frame scanned so far: the next call starts at the reader index.
    public mutating func reset() {
        offset = 0
        remaining.removeAll(keepingCapacity: true)
        remaining.append(1)
    }

    /// Whether a whole frame starts at the buffer's reader index. Throws on bytes that cannot
    /// be RESP (an unknown type byte, a malformed length), so that the caller fails the
    /// connection instead of waiting for more forever.
    public mutating func isComplete(_ buffer: ByteBuffer) throws(RESPProtocolError) -> Bool {
        if remaining.isEmpty { return true }
        return try buffer.withUnsafeReadableBytes { bytes throws(RESPProtocolError) -> Bool in
            while !remaining.isEmpty {
                guard offset < bytes.count else { return false }
                let marker = bytes[offset]
                // The header line: from after the marker to CRLF.
                guard let lineEnd = Self.lineEnd(bytes, from: offset + 1) else { return false }
                let headerStart = offset + 1
                let afterHeader = lineEnd + 2
                switch marker {
                case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "_"),
                     UInt8(ascii: ","), UInt8(ascii: "#"), UInt8(ascii: "("):
                    offset = afterHeader
                    elementDone()
                case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
                    let length = try Self.length(bytes, headerStart, lineEnd)
                    if length == -1, marker == UInt8(ascii: "$") {
                        offset = afterHeader
                        elementDone()
                        continue
                    }
                    guard length >= 0, length <= maxBulkLength else { throw RESPProtocolError("Protocol error: invalid bulk length") }
                    // Wait at the header until the payload and its CRLF are all here.
                    guard bytes.count - afterHeader >= length + 2 else { return false }
                    offset = afterHeader + length + 2
                    elementDone()
                case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
                    var count = try Self.length(bytes, headerStart, lineEnd)
                    offset = afterHeader
                    if count == -1, marker == UInt8(ascii: "*") {
                        elementDone()
                        continue
                    }
                    guard count >= 0, count <= Int(Int32.max) else { throw RESPProtocolError("Protocol error: invalid multibulk length") }
                    if marker == UInt8(ascii: "%") || marker == UInt8(ascii: "|") { count *= 2 }
                    if marker == UInt8(ascii: "|") {
                        // An attribute: its pairs and then the element it annotates count as one
                        // element of the enclosing aggregate.
                        try open(count + 1)
                        continue
                    }
                    if count == 0 {
                        elementDone()
                    } else {
                        try open(count)
                    }
                default:
                    throw RESPProtocolError("Protocol error: unexpected reply type byte '\(Character(Unicode.Scalar(marker)))'")
                }
            }
            return true
        }
    }

    private mutating func open(_ count: Int) throws(RESPProtocolError) {
        guard remaining.count <= maxDepth else { throw RESPProtocolError("Protocol error: nesting too deep") }
        remaining.append(count)
    }

    /// One element is whole: count it, and close every aggregate it completes.
    private mutating func elementDone() {
        while let last = remaining.last {
            if last > 1 {
                remaining[remaining.count - 1] = last - 1
                return
            }
            remaining.removeLast()
        }
    }

    /// The index of the CR of the first CRLF at or after `start`.
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "\r") {
                if bytes[index + 1] == UInt8(ascii: "\n") { return index }
            }
            index += 1
        }
        return nil
    }

    /// A length or count header: an optional minus sign and decimal digits.
    private static func length(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(RESPProtocolError) -> Int {
        guard let value = parseInt64(UnsafeRawBufferPointer(rebasing: bytes[start..<end])), value >= -1, value <= Int64(Int32.max) * 2 else {
            throw RESPProtocolError("Protocol error: invalid length")
        }
        return Int(value)
    }
}
