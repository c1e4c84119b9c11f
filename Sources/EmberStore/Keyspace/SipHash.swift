/// SipHash over a byte buffer in one call, keyed per process: the keyspace's hash function.
///
/// Keys are attacker-chosen, so the table needs a keyed hash (as Redis uses SipHash) to resist
/// collision flooding. The standard library's `Hasher` is SipHash-1-3 too, but its streaming
/// interface costs about twice as much for the short keys that dominate a keyspace.
public struct SipHash: Sendable {
    @usableFromInline let k0: UInt64
    @usableFromInline let k1: UInt64

    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// The process-wide key, random per run.
    public static let process: SipHash = {
        var generator = SystemRandomNumberGenerator()
        return SipHash(k0: generator.next(), k1: generator.next())
    }()

    /// SipHash-1-3 (one compression round, three finalization rounds).
    @inlinable
    public func hash13(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        hash(bytes, compressionRounds: 1, finalizationRounds: 3)
    }

    @inlinable @inline(__always)
    public func hash(_ bytes: UnsafeRawBufferPointer, compressionRounds: Int, finalizationRounds: Int) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1

        @inline(__always) func round() {
            v0 &+= v1; v1 = v1.rotatedLeft(13); v1 ^= v0; v0 = v0.rotatedLeft(32)
            v2 &+= v3; v3 = v3.rotatedLeft(16); v3 ^= v2
            v0 &+= v3; v3 = v3.rotatedLeft(21); v3 ^= v0
            v2 &+= v1; v1 = v1.rotatedLeft(17); v1 ^= v2; v2 = v2.rotatedLeft(32)
        }

        let count = bytes.count
        let wholeWords = count & ~7
        var offset = 0
        while offset < wholeWords {
            let m = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            v3 ^= m
            for _ in 0..<compressionRounds { round() }
            v0 ^= m
            offset += 8
        }
        var last = UInt64(truncatingIfNeeded: count) << 56
        var shift: UInt64 = 0
        while offset < count {
            last |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        v3 ^= last
        for _ in 0..<compressionRounds { round() }
        v0 ^= last
        v2 ^= 0xff
        for _ in 0..<finalizationRounds { round() }
        return v0 ^ v1 ^ v2 ^ v3
    }
}

extension UInt64 {
    @inlinable @inline(__always)
    func rotatedLeft(_ amount: UInt64) -> UInt64 { (self << amount) | (self >> (64 - amount)) }
}
