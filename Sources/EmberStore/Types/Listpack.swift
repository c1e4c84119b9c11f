import EmberRESP

/// Small collections' compact encoding, in the spirit of Redis's listpack: entries stored back
/// to back in one allocation, each a LEB128 length followed by its bytes. The object header,
/// the sizes and the bytes share that allocation, so a 5-field hash costs one malloc.
///
/// Positions are byte offsets of an entry's length prefix; lookups are linear, which is what
/// makes the encoding right only below the `*-max-listpack-*` thresholds. A value type with
/// copy-on-write, like the standard collections.
public struct Listpack: @unchecked Sendable {
    @usableFromInline final class Buffer: ManagedBuffer<Header, UInt8> {
        /// The header through its pointer: `header` is a stored class property, and each access
        /// to it would go through the runtime's dynamic exclusivity check.
        @inline(__always) var sizes: Header {
            get { withUnsafeMutablePointerToHeader { $0.pointee } }
            set { withUnsafeMutablePointerToHeader { $0.pointee = newValue } }
        }
    }

    /// 32-bit sizes keep the header to 8 bytes; `maxBytes` bounds a listpack well below them.
    @usableFromInline struct Header {
        var used: UInt32
        var count: UInt32
    }

    /// Collections convert to their scalable encoding before a listpack would pass this.
    public static let maxBytes = 1 << 30

    @usableFromInline var buffer: Buffer

    public init() { buffer = Self.allocate(capacity: 0) }

    /// An empty listpack with room for `byteCount` bytes of entries (length prefixes included,
    /// see `encodedSize(ofEntry:)`), for building one whose size is known up front: a loader
    /// fills it with `appendReserved` in one allocation.
    public init(reservingCapacity byteCount: Int) { buffer = Self.allocate(capacity: max(byteCount, 0)) }

    /// The bytes an entry of `length` bytes takes, its prefix included.
    public static func encodedSize(ofEntry length: Int) -> Int {
        var prefix = 1
        var rest = UInt(max(length, 0)) >> 7
        while rest != 0 {
            prefix += 1
            rest >>= 7
        }
        return prefix + length
    }

    private static func allocate(capacity: Int) -> Buffer {
        let created = Buffer.create(minimumCapacity: capacity) { _ in Header(used: 0, count: 0) }
        return unsafeDowncast(created, to: Buffer.self)
    }

    /// Number of entries.
    public var count: Int { Int(buffer.sizes.count) }
    public var isEmpty: Bool { count == 0 }
    public var startIndex: Int { 0 }
    /// Bytes in use; also the offset just past the last entry.
    public var endIndex: Int { Int(buffer.sizes.used) }

    private func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        buffer.withUnsafeMutablePointerToElements { body(UnsafeRawBufferPointer(start: $0, count: Int(buffer.sizes.used))) }
    }

    /// The entry at `offset`: where its bytes start, how many there are, and the next entry's offset.
    func entry(at offset: Int) -> (start: Int, length: Int, next: Int) {
        withBytes { raw in
            var length = 0
            var shift = 0
            var position = offset
            while true {
                let byte = raw[position]
                length |= Int(byte & 0x7F) << shift
                position += 1
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            return (position, length, position + length)
        }
    }

    /// The offset after the entry at `offset`.
    public func offset(after offset: Int) -> Int { entry(at: offset).next }

    /// The bytes of the entry at `offset`.
    public func bytes(at offset: Int) -> Bytes {
        let (start, length, _) = entry(at: offset)
        return withBytes { Bytes(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }
    }

    /// Whether the entry at `offset` equals `bytes`.
    public func entry(at offset: Int, equals bytes: Bytes) -> Bool {
        let (start, length, _) = entry(at: offset)
        guard length == bytes.count else { return false }
        return withBytes { raw in
            bytes.withUnsafeBytes { other in
                length == 0 || memcmp(raw.baseAddress! + start, other.baseAddress!, length) == 0
            }
        }
    }

    /// The length of the entry at `offset`.
    public func length(at offset: Int) -> Int { entry(at: offset).length }

    public mutating func append(_ bytes: Bytes) {
        replaceBytes(endIndex..<endIndex, with: bytes)
        buffer.sizes.count += 1
    }

    /// Appends an entry into the room `init(reservingCapacity:)` made, without the
    /// shrink-to-fit `append` does; grows (doubling) when the room is used up.
    public mutating func appendReserved(_ entry: UnsafeRawBufferPointer) {
        var prefix: (UInt64, UInt16) = (0, 0)
        let prefixLength = Self.encodePrefix(entry.count, into: &prefix)
        let used = endIndex
        let newUsed = used + prefixLength + entry.count
        if !isKnownUniquelyReferenced(&buffer) || newUsed > buffer.capacity {
            let target = Self.allocate(capacity: max(newUsed, buffer.capacity * 2))
            buffer.withUnsafeMutablePointerToElements { old in
                target.withUnsafeMutablePointerToElements { new in new.update(from: old, count: used) }
            }
            target.sizes = buffer.sizes
            buffer = target
        }
        buffer.withUnsafeMutablePointerToElements { bytes in
            withUnsafeBytes(of: &prefix) { encoded in
                UnsafeMutableRawPointer(bytes + used).copyMemory(from: encoded.baseAddress!, byteCount: prefixLength)
            }
            if let base = entry.baseAddress, entry.count > 0 {
                UnsafeMutableRawPointer(bytes + used + prefixLength).copyMemory(from: base, byteCount: entry.count)
            }
        }
        buffer.sizes = Header(used: UInt32(truncatingIfNeeded: newUsed), count: buffer.sizes.count + 1)
    }

    /// Replaces the entry at `offset` with `bytes`.
    public mutating func replace(at offset: Int, with bytes: Bytes) {
        let (start, length, next) = entry(at: offset)
        // Same length (HSET of a same-sized value): overwrite the bytes where they are.
        if length == bytes.count && isKnownUniquelyReferenced(&buffer) {
            buffer.withUnsafeMutablePointerToElements { elements in
                bytes.withUnsafeBytes { payload in
                    if let base = payload.baseAddress, length > 0 {
                        UnsafeMutableRawPointer(elements + start).copyMemory(from: base, byteCount: length)
                    }
                }
            }
            return
        }
        replaceBytes(offset..<next, with: bytes)
    }

    /// Removes `entries` consecutive entries starting at `offset`.
    public mutating func remove(at offset: Int, entries: Int = 1) {
        var end = offset
        for _ in 0..<entries { end = entry(at: end).next }
        replaceBytes(offset..<end, with: nil)
        buffer.sizes.count -= UInt32(truncatingIfNeeded: entries)
    }

    /// Every entry's bytes, in order.
    public var elements: [Bytes] {
        var result: [Bytes] = []
        result.reserveCapacity(count)
        var offset = startIndex
        while offset < endIndex {
            result.append(bytes(at: offset))
            offset = self.offset(after: offset)
        }
        return result
    }

    /// Bytes allocated for the entries.
    public var capacity: Int { buffer.capacity }

    // MARK: - Storage

    /// Replaces the bytes in `range` with `entry` encoded (length prefix and bytes), or with
    /// nothing. The buffer is copied when shared, and reallocated to fit when it must grow or
    /// when most of it would be spare (as Redis reallocates its listpacks to size).
    private mutating func replaceBytes(_ range: Range<Int>, with entry: Bytes?) {
        var prefix: (UInt64, UInt16) = (0, 0)
        let prefixLength = entry.map { Self.encodePrefix($0.count, into: &prefix) } ?? 0
        let entryLength = prefixLength + (entry?.count ?? 0)
        let used = endIndex
        let newUsed = used - range.count + entryLength
        let unique = isKnownUniquelyReferenced(&buffer)
        if !unique || newUsed > buffer.capacity || (buffer.capacity > 64 && newUsed * 2 < buffer.capacity) {
            let target = Self.allocate(capacity: newUsed)
            let count = buffer.sizes.count
            buffer.withUnsafeMutablePointerToElements { old in
                target.withUnsafeMutablePointerToElements { new in
                    new.update(from: old, count: range.lowerBound)
                    (new + range.lowerBound + entryLength).update(from: old + range.upperBound, count: used - range.upperBound)
                }
            }
            target.sizes = Header(used: UInt32(truncatingIfNeeded: newUsed), count: count)
            buffer = target
        } else {
            buffer.withUnsafeMutablePointerToElements { bytes in
                (bytes + range.lowerBound + entryLength).update(from: bytes + range.upperBound, count: used - range.upperBound)
            }
            buffer.sizes.used = UInt32(truncatingIfNeeded: newUsed)
        }
        guard let entry else { return }
        buffer.withUnsafeMutablePointerToElements { bytes in
            withUnsafeBytes(of: &prefix) { encoded in
                UnsafeMutableRawPointer(bytes + range.lowerBound).copyMemory(from: encoded.baseAddress!, byteCount: prefixLength)
            }
            entry.withUnsafeBytes { payload in
                if let base = payload.baseAddress, payload.count > 0 {
                    UnsafeMutableRawPointer(bytes + range.lowerBound + prefixLength).copyMemory(from: base, byteCount: payload.count)
                }
            }
        }
    }

    /// LEB128: seven bits a byte, high bit set on all but the last. Returns the byte count.
    private static func encodePrefix(_ length: Int, into storage: inout (UInt64, UInt16)) -> Int {
        withUnsafeMutableBytes(of: &storage) { out in
            var rest = UInt(length)
            var index = 0
            repeat {
                var byte = UInt8(rest & 0x7F)
                rest >>= 7
                if rest != 0 { byte |= 0x80 }
                out[index] = byte
                index += 1
            } while rest != 0
            return index
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
