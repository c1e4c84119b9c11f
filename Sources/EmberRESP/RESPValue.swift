import NIOCore

/// One RESP2 or RESP3 frame, as a client reads it.
public indirect enum RESPValue: Sendable, Hashable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    case bulkString(Bytes)
    /// RESP2's null bulk string and null array, and RESP3's null.
    case null
    case array([RESPValue])
    case double(Double)
    case boolean(Bool)
    case map([RESPValue: RESPValue])
    case set([RESPValue])
    case push([RESPValue])
    case verbatimString(format: String, text: Bytes)
    case bigNumber(String)

    /// Encodes the value as a request or reply frame in RESP3 syntax (RESP2 for the RESP2 subset).
    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .simpleString(let text): buffer.writeRESPSimpleString(text)
        case .error(let text): buffer.writeRESPError(text)
        case .integer(let value): buffer.writeRESPInteger(value)
        case .bulkString(let bytes): buffer.writeRESPBulk(bytes)
        case .null: buffer.writeStaticString("_\r\n")
        case .array(let elements):
            buffer.writeRESPArrayHeader(elements.count)
            for element in elements { element.encode(into: &buffer) }
        case .double(let value): buffer.writeRESPDouble(value, .resp3)
        case .boolean(let value): buffer.writeRESPBoolean(value, .resp3)
        case .map(let pairs):
            buffer.writeRESPMapHeader(pairs.count, .resp3)
            for (key, value) in pairs {
                key.encode(into: &buffer)
                value.encode(into: &buffer)
            }
        case .set(let elements):
            buffer.writeRESPSetHeader(elements.count, .resp3)
            for element in elements { element.encode(into: &buffer) }
        case .push(let elements):
            buffer.writeRESPPushHeader(elements.count, .resp3)
            for element in elements { element.encode(into: &buffer) }
        case .verbatimString(let format, let text):
            buffer.writeRESPVerbatim(text.string, format: format, .resp3)
        case .bigNumber(let digits): buffer.writeRESPBigNumber(digits, .resp3)
        }
    }
}

/// Incremental parser for any RESP2/RESP3 frame (replies, or requests from a RESP3-speaking peer).
/// Nesting is bounded so hostile input cannot exhaust the stack.
public struct RESPValueParser: Sendable {
    public var maxBulkLength: Int
    public var maxDepth: Int

    public init(maxBulkLength: Int = 512 * 1024 * 1024, maxDepth: Int = 64) {
        self.maxBulkLength = maxBulkLength
        self.maxDepth = maxDepth
    }

    /// The next whole frame, or nil if `buffer` does not hold one yet (nothing is consumed then).
    public func next(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> RESPValue? {
        // Parsed straight from the readable bytes, offsets from the reader index: no slices,
        // so no reference counting per header.
        let parsed = try buffer.withUnsafeReadableBytes { bytes throws(RESPProtocolError) -> (RESPValue, Int)? in
            var cursor = 0
            guard let value = try parse(bytes, &cursor, depth: 0) else { return nil }
            return (value, cursor)
        }
        guard let (value, consumed) = parsed else { return nil }
        buffer.moveReaderIndex(forwardBy: consumed)
        return value
    }

    /// The header line after a type byte: the bytes up to CRLF (moving `cursor` past it).
    private func line(_ bytes: UnsafeRawBufferPointer, _ cursor: inout Int) -> Range<Int>? {
        let start = cursor
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "\r") && bytes[index + 1] == UInt8(ascii: "\n") {
                cursor = index + 2
                return start..<index
            }
            index += 1
        }
        return nil
    }

    private func parse(_ bytes: UnsafeRawBufferPointer, _ cursor: inout Int, depth: Int) throws(RESPProtocolError) -> RESPValue? {
        guard depth <= maxDepth else { throw RESPProtocolError("Protocol error: nesting too deep") }
        guard cursor < bytes.count else { return nil }
        let marker = bytes[cursor]
        var position = cursor + 1
        guard let header = line(bytes, &position) else { return nil }
        // The header as text, made only for the types that carry text (not for the length of
        // every bulk string and array).
        var text: String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[header]), as: UTF8.self) }
        func integer() throws(RESPProtocolError) -> Int64 {
            guard let value = parseInt64(UnsafeRawBufferPointer(rebasing: bytes[header])) else {
                throw RESPProtocolError("Protocol error: invalid integer '\(text)'")
            }
            return value
        }
        func aggregate(_ count: Int64) throws(RESPProtocolError) -> [RESPValue]? {
            guard count >= 0, count <= Int64(Int32.max) else { throw RESPProtocolError("Protocol error: invalid multibulk length") }
            var elements: [RESPValue] = []
            elements.reserveCapacity(Int(min(count, 1024)))
            for _ in 0..<count {
                guard let element = try parse(bytes, &position, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return elements
        }
        func blob(_ length: Int64) throws(RESPProtocolError) -> Bytes? {
            guard length >= 0, length <= Int64(maxBulkLength) else { throw RESPProtocolError("Protocol error: invalid bulk length") }
            let length = Int(length)
            guard bytes.count - position >= length + 2 else { return nil }
            let value = Bytes(UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)]))
            position += length + 2
            return value
        }
        let value: RESPValue
        switch marker {
        case UInt8(ascii: "+"): value = .simpleString(text)
        case UInt8(ascii: "-"): value = .error(text)
        case UInt8(ascii: ":"): value = .integer(try integer())
        case UInt8(ascii: "$"):
            let length = try integer()
            if length == -1 { value = .null; break }
            guard let bytes = try blob(length) else { return nil }
            value = .bulkString(bytes)
        case UInt8(ascii: "*"):
            let count = try integer()
            if count == -1 { value = .null; break }
            guard let elements = try aggregate(count) else { return nil }
            value = .array(elements)
        case UInt8(ascii: "_"): value = .null
        case UInt8(ascii: ","):
            let text = text
            switch text {
            case "inf": value = .double(.infinity)
            case "-inf": value = .double(-.infinity)
            case "nan": value = .double(.nan)
            default:
                guard let double = Double(text) else { throw RESPProtocolError("Protocol error: invalid double '\(text)'") }
                value = .double(double)
            }
        case UInt8(ascii: "#"):
            let text = text
            guard text == "t" || text == "f" else { throw RESPProtocolError("Protocol error: invalid boolean '\(text)'") }
            value = .boolean(text == "t")
        case UInt8(ascii: "%"), UInt8(ascii: "|"):
            guard let elements = try aggregate(try integer() * 2) else { return nil }
            var map: [RESPValue: RESPValue] = [:]
            var index = 0
            while index < elements.count {
                map[elements[index]] = elements[index + 1]
                index += 2
            }
            if marker == UInt8(ascii: "|") {
                // An attribute annotates the frame that follows; the frame is what callers want.
                guard let next = try parse(bytes, &position, depth: depth + 1) else { return nil }
                cursor = position
                return next
            }
            value = .map(map)
        case UInt8(ascii: "~"):
            guard let elements = try aggregate(try integer()) else { return nil }
            value = .set(elements)
        case UInt8(ascii: ">"):
            guard let elements = try aggregate(try integer()) else { return nil }
            value = .push(elements)
        case UInt8(ascii: "="):
            guard let bytes = try blob(try integer()) else { return nil }
            guard bytes.count >= 4 else { throw RESPProtocolError("Protocol error: invalid verbatim string") }
            value = .verbatimString(format: bytes.slice(0..<3).string, text: bytes.slice(4..<bytes.count))
        case UInt8(ascii: "("): value = .bigNumber(text)
        case UInt8(ascii: "!"):
            guard let bytes = try blob(try integer()) else { return nil }
            value = .error(bytes.string)
        default:
            throw RESPProtocolError("Protocol error: unexpected reply type byte '\(Character(Unicode.Scalar(marker)))'")
        }
        cursor = position
        return value
    }
}
