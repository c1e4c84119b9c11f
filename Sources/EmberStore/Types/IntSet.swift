import EmberRESP

/// Redis's intset: sorted distinct integers stored at the narrowest width (2, 4 or 8 bytes)
/// that fits them all, widened on demand. The bytes live in a `Bytes`, whose inline storage
/// holds a small set (up to ten 16-bit members) inside the key's entry with no allocation.
///
/// Layout: one byte of width, then the members in ascending order, little-endian.
public struct IntSet: Sendable, Equatable {
    @usableFromInline var storage: Bytes

    public init() { storage = Bytes([2]) }

    @inlinable var width: Int { storage.withUnsafeBytes { Int($0[0]) } }

    public var count: Int { (storage.count - 1) / width }
    public var isEmpty: Bool { count == 0 }

    public subscript(index: Int) -> Int64 {
        storage.withUnsafeBytes { raw in Self.load(raw, index, width: Int(raw[0])) }
    }

    @inline(__always)
    static func load(_ raw: UnsafeRawBufferPointer, _ index: Int, width: Int) -> Int64 {
        let offset = 1 + index * width
        switch width {
        case 2: return Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
        case 4: return Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
        default: return Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self))
        }
    }

    /// Binary search: whether `value` is present, and where it is or would go.
    public func position(of value: Int64) -> (found: Bool, index: Int) {
        storage.withUnsafeBytes { raw in
            let width = Int(raw[0])
            var low = 0
            var high = (raw.count - 1) / width
            while low < high {
                let middle = (low + high) / 2
                if Self.load(raw, middle, width: width) < value { low = middle + 1 } else { high = middle }
            }
            let found = low < (raw.count - 1) / width && Self.load(raw, low, width: width) == value
            return (found, low)
        }
    }

    public func contains(_ value: Int64) -> Bool { position(of: value).found }

    /// Every member, ascending.
    public var elements: [Int64] {
        storage.withUnsafeBytes { raw in
            let width = Int(raw[0])
            return (0..<((raw.count - 1) / width)).map { Self.load(raw, $0, width: width) }
        }
    }

    /// Inserts `value`; returns whether it was new.
    @discardableResult
    public mutating func insert(_ value: Int64) -> Bool {
        let (found, index) = position(of: value)
        if found { return false }
        rebuild(inserting: value, at: index, removing: nil)
        return true
    }

    /// Removes `value`; returns whether it was there.
    @discardableResult
    public mutating func remove(_ value: Int64) -> Bool {
        let (found, index) = position(of: value)
        guard found else { return false }
        rebuild(inserting: nil, at: index, removing: index)
        return true
    }

    static func width(for value: Int64) -> Int {
        if value >= Int64(Int16.min) && value <= Int64(Int16.max) { return 2 }
        if value >= Int64(Int32.min) && value <= Int64(Int32.max) { return 4 }
        return 8
    }

    /// Writes the set again with one member added or removed, at the width its members need
    /// (widening never reverts on removal, as in Redis).
    private mutating func rebuild(inserting value: Int64?, at position: Int, removing: Int?) {
        let oldWidth = width
        let oldCount = count
        let newWidth = value.map { max(oldWidth, Self.width(for: $0)) } ?? oldWidth
        let newCount = oldCount + (value == nil ? 0 : 1) - (removing == nil ? 0 : 1)
        let length = 1 + newCount * newWidth
        storage = storage.withUnsafeBytes { old in
            withUnsafeTemporaryAllocation(byteCount: length, alignment: 8) { buffer -> Bytes in
                buffer[0] = UInt8(newWidth)
                var target = 0
                func store(_ member: Int64) {
                    let offset = 1 + target * newWidth
                    switch newWidth {
                    case 2: buffer.storeBytes(of: Int16(truncatingIfNeeded: member).littleEndian, toByteOffset: offset, as: Int16.self)
                    case 4: buffer.storeBytes(of: Int32(truncatingIfNeeded: member).littleEndian, toByteOffset: offset, as: Int32.self)
                    default: buffer.storeBytes(of: member.littleEndian, toByteOffset: offset, as: Int64.self)
                    }
                    target += 1
                }
                for source in 0..<oldCount {
                    if source == position, let value { store(value) }
                    if source == removing { continue }
                    store(Self.load(old, source, width: oldWidth))
                }
                if position == oldCount, let value { store(value) }
                return Bytes(UnsafeRawBufferPointer(buffer))
            }
        }
    }

    /// Heap bytes behind the set (none while inline).
    public var heapBytes: Int { storage.heapBytes }
}
