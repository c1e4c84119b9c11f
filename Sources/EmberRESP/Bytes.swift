/// An immutable byte string: a Redis key, argument or string value.
///
/// Strings of up to `Bytes.inlineCapacity` bytes live inside the value itself, so most keys and
/// small values cost no allocation and no reference counting; longer strings share one array.
/// Equality, hashing and ordering are by bytes (memcmp order), never Unicode-aware.
public struct Bytes: Sendable {
    /// 22 payload bytes and a length byte: with the enum tag the whole value is 24 bytes.
    @usableFromInline
    struct Inline: Sendable {
        @usableFromInline var storage: (UInt64, UInt64, UInt32, UInt16) = (0, 0, 0, 0)
        @usableFromInline var count: UInt8 = 0

        @inlinable init() {}
    }

    @usableFromInline
    enum Storage: Sendable {
        case inline(Inline)
        case heap([UInt8])
    }

    @usableFromInline var storage: Storage

    public static let inlineCapacity = 22

    /// Heap bytes behind this string: none when inline, else the array's header and storage.
    public var heapBytes: Int {
        if case .heap(let array) = storage { return 32 + array.capacity }
        return 0
    }

    @inlinable
    public init() { storage = .inline(Inline()) }

    @inlinable
    init(storage: Storage) { self.storage = storage }

    /// Copies the bytes of `buffer`.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) {
        if buffer.count <= Bytes.inlineCapacity {
            var inline = Inline()
            inline.count = UInt8(truncatingIfNeeded: buffer.count)
            withUnsafeMutableBytes(of: &inline.storage) { dst in
                if let base = buffer.baseAddress, buffer.count > 0 {
                    dst.baseAddress!.copyMemory(from: base, byteCount: buffer.count)
                }
            }
            storage = .inline(inline)
        } else {
            storage = .heap(Array(buffer))
        }
    }

    @inlinable
    public init(_ array: [UInt8]) {
        if array.count <= Bytes.inlineCapacity {
            self = array.withUnsafeBytes { Bytes($0) }
        } else {
            storage = .heap(array)
        }
    }

    @inlinable
    public init<S: Sequence>(_ sequence: S) where S.Element == UInt8 {
        self.init(Array(sequence))
    }

    @inlinable
    public init(_ string: String) {
        var string = string
        self = string.withUTF8 { Bytes(UnsafeRawBufferPointer($0)) }
    }

    /// The decimal representation of `value`, built without an intermediate `String`.
    @inlinable
    public init(decimal value: Int64) {
        var digits = Inline()
        withUnsafeMutableBytes(of: &digits.storage) { dst in
            var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
            let length = Swift.withUnsafeMutableBytes(of: &scratch) { line -> Int in
                let start = storeDecimal(value, endingAt: line.count, in: line)
                let length = line.count - start
                dst.baseAddress!.copyMemory(from: line.baseAddress! + start, byteCount: length)
                return length
            }
            digits.count = UInt8(length)
        }
        storage = .inline(digits)
    }

    @inlinable
    public var count: Int {
        switch storage {
        case .inline(let inline): return Int(inline.count)
        case .heap(let array): return array.count
        }
    }

    @inlinable
    public var isEmpty: Bool { count == 0 }

    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .inline(var inline):
            let count = Int(inline.count)
            return try Swift.withUnsafeBytes(of: &inline.storage) { raw in
                try body(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
            }
        case .heap(let array):
            return try array.withUnsafeBytes(body)
        }
    }

    @inlinable
    public subscript(index: Int) -> UInt8 {
        withUnsafeBytes { $0[index] }
    }

    public var array: [UInt8] {
        switch storage {
        case .inline: return withUnsafeBytes { Array($0) }
        case .heap(let array): return array
        }
    }

    /// A sub-range of the bytes (copied).
    public func slice(_ range: Range<Int>) -> Bytes {
        withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Lossy UTF-8 decoding, for messages and logs only.
    public var string: String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// ASCII case-insensitive comparison with a lowercase literal, for option names.
    @inlinable
    public func equalsLowercased(_ lowercase: StaticString) -> Bool {
        guard lowercase.utf8CodeUnitCount == count else { return false }
        return withUnsafeBytes { raw in
            let expected = lowercase.utf8Start
            for i in 0..<raw.count {
                var byte = raw[i]
                if byte >= 65 && byte <= 90 { byte |= 0x20 }
                if byte != expected[i] { return false }
            }
            return true
        }
    }

    /// The bytes with ASCII letters lowercased.
    public func lowercased() -> Bytes {
        withUnsafeBytes { raw in
            var copy = Array(raw)
            for i in copy.indices where copy[i] >= 65 && copy[i] <= 90 { copy[i] |= 0x20 }
            return Bytes(copy)
        }
    }

    /// ASCII-lowercased copy; allocation-free for inline strings (command names).
    @inlinable
    public func asciiLowercased() -> Bytes {
        switch storage {
        case .inline(var inline):
            let count = Int(inline.count)
            withUnsafeMutableBytes(of: &inline.storage) { raw in
                for i in 0..<count where raw[i] >= 65 && raw[i] <= 90 { raw[i] |= 0x20 }
            }
            return Bytes(storage: .inline(inline))
        case .heap:
            return lowercased()
        }
    }

    /// Concatenation.
    public static func + (lhs: Bytes, rhs: Bytes) -> Bytes {
        var array = lhs.array
        rhs.withUnsafeBytes { array.append(contentsOf: $0) }
        return Bytes(array)
    }
}

extension Bytes: Hashable {
    @inlinable
    public static func == (lhs: Bytes, rhs: Bytes) -> Bool {
        lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in Bytes.equal(a, b) } }
    }

    @inlinable
    public static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0 else { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension Bytes: Comparable {
    /// memcmp order, shorter prefix first: the order Redis uses for keys and members.
    @inlinable
    public static func < (lhs: Bytes, rhs: Bytes) -> Bool {
        lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in Bytes.compare(a, b) < 0 } }
    }

    @inlinable
    public static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0 {
            let result = memcmp(a.baseAddress!, b.baseAddress!, common)
            if result != 0 { return Int(result) }
        }
        return a.count - b.count
    }
}

extension Bytes: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}

extension Bytes: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { string }
    public var debugDescription: String { "Bytes(\(string.debugDescription))" }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `value` in decimal so that it ends just before `end` in `buffer` (at least 20 bytes
/// before `end` must be free) and returns where it starts: digits come out backwards, so
/// writing them from the end needs no length computed first.
@inlinable
func storeDecimal(_ value: Int64, endingAt end: Int, in buffer: UnsafeMutableRawBufferPointer) -> Int {
    var position = end
    var rest = value.magnitude
    repeat {
        position -= 1
        buffer[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
        rest /= 10
    } while rest != 0
    if value < 0 {
        position -= 1
        buffer[position] = UInt8(ascii: "-")
    }
    return position
}
