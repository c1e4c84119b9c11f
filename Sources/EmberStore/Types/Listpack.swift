import EmberRESP

/// Small collections' compact encoding, in the spirit of Redis's listpack: entries stored back
/// to back in one byte array, each a LEB128 length followed by its bytes. One allocation holds
/// the whole collection, so a 5-field hash costs tens of bytes of overhead, not hundreds.
///
/// Positions are byte offsets of an entry's length prefix; lookups are linear, which is what
/// makes the encoding right only below the `*-max-listpack-*` thresholds.
public struct Listpack: Sendable {
    public private(set) var storage: [UInt8] = []
    /// Number of entries.
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }
    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    /// The entry at `offset`: where its bytes start, how many there are, and the next entry's offset.
    func entry(at offset: Int) -> (start: Int, length: Int, next: Int) {
        var length = 0
        var shift = 0
        var position = offset
        while true {
            let byte = storage[position]
            length |= Int(byte & 0x7F) << shift
            position += 1
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return (position, length, position + length)
    }

    /// The offset after the entry at `offset`.
    public func offset(after offset: Int) -> Int { entry(at: offset).next }

    /// The bytes of the entry at `offset`.
    public func bytes(at offset: Int) -> Bytes {
        let (start, length, _) = entry(at: offset)
        return storage.withUnsafeBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }
    }

    /// Whether the entry at `offset` equals `bytes`.
    public func entry(at offset: Int, equals bytes: Bytes) -> Bool {
        let (start, length, _) = entry(at: offset)
        guard length == bytes.count else { return false }
        return storage.withUnsafeBytes { raw in
            bytes.withUnsafeBytes { other in
                length == 0 || memcmp(raw.baseAddress! + start, other.baseAddress!, length) == 0
            }
        }
    }

    /// The length of the entry at `offset`.
    public func length(at offset: Int) -> Int { entry(at: offset).length }

    public mutating func append(_ bytes: Bytes) {
        Self.appendPrefix(bytes.count, to: &storage)
        bytes.withUnsafeBytes { storage.append(contentsOf: $0) }
        count += 1
    }

    /// Replaces the entry at `offset` with `bytes`.
    public mutating func replace(at offset: Int, with bytes: Bytes) {
        let next = entry(at: offset).next
        var encoded: [UInt8] = []
        Self.appendPrefix(bytes.count, to: &encoded)
        bytes.withUnsafeBytes { encoded.append(contentsOf: $0) }
        storage.replaceSubrange(offset..<next, with: encoded)
    }

    /// Removes `entries` consecutive entries starting at `offset`.
    public mutating func remove(at offset: Int, entries: Int = 1) {
        var end = offset
        for _ in 0..<entries { end = entry(at: end).next }
        storage.removeSubrange(offset..<end)
        count -= entries
    }

    /// Drops spare capacity once it is a sizeable share of the storage: array growth doubles,
    /// and across a million small collections the slack would cost more than the data.
    public mutating func shrinkIfSparse() {
        let spare = storage.capacity - storage.count
        guard spare > 16 && spare * 4 > storage.count else { return }
        storage = storage.withUnsafeBufferPointer { Array($0) }  // a copy sized to fit
    }

    /// Every entry's bytes, in order.
    public var elements: [Bytes] {
        var result: [Bytes] = []
        result.reserveCapacity(count)
        var offset = 0
        while offset < storage.count {
            result.append(bytes(at: offset))
            offset = self.offset(after: offset)
        }
        return result
    }

    /// Heap bytes held (for MEMORY USAGE-style estimates).
    public var allocatedBytes: Int { storage.capacity }

    private static func appendPrefix(_ length: Int, to bytes: inout [UInt8]) {
        var rest = UInt(length)
        repeat {
            var byte = UInt8(rest & 0x7F)
            rest >>= 7
            if rest != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while rest != 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
