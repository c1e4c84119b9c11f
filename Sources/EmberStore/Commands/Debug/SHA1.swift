/// SHA-1 (FIPS 180-4), for DEBUG DIGEST only: Redis's dataset digest is built from it, so Ember
/// needs the same function bit for bit. Not for anything that needs a secure hash.
///
/// A value type with no heap state, so the digest loops (two hashes per element) allocate
/// nothing.
struct SHA1 {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
    /// The partial block not yet compressed.
    private var block = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    private var blockUsed = 0
    private var totalBytes: UInt64 = 0

    init() {}

    /// The SHA-1 of `bytes`.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> DigestBytes {
        var sha = SHA1()
        sha.update(bytes)
        return sha.finish()
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        totalBytes &+= UInt64(bytes.count)
        var offset = 0
        var used = blockUsed
        defer { blockUsed = used }
        withUnsafeMutableBytes(of: &block) { blockBytes in
            while offset < bytes.count {
                let take = min(64 - used, bytes.count - offset)
                blockBytes.baseAddress!.advanced(by: used).copyMemory(from: bytes.baseAddress!.advanced(by: offset), byteCount: take)
                used += take
                offset += take
                if used == 64 {
                    SHA1.compress(&state, UnsafeRawBufferPointer(blockBytes))
                    used = 0
                }
            }
        }
    }

    mutating func finish() -> DigestBytes {
        let bitLength = totalBytes &* 8
        let used = blockUsed
        withUnsafeMutableBytes(of: &block) { blockBytes in
            blockBytes[used] = 0x80
            for index in (used + 1)..<64 { blockBytes[index] = 0 }
            if used >= 56 {
                SHA1.compress(&state, UnsafeRawBufferPointer(blockBytes))
                for index in 0..<56 { blockBytes[index] = 0 }
            }
            for index in 0..<8 { blockBytes[56 + index] = UInt8(truncatingIfNeeded: bitLength >> UInt64(56 - index * 8)) }
            SHA1.compress(&state, UnsafeRawBufferPointer(blockBytes))
        }
        blockUsed = 0
        var result = DigestBytes()
        let words = state
        for index in 0..<5 {
            let word = Swift.withUnsafeBytes(of: words) { $0.load(fromByteOffset: index * 4, as: UInt32.self) }
            result[index * 4] = UInt8(truncatingIfNeeded: word >> 24)
            result[index * 4 + 1] = UInt8(truncatingIfNeeded: word >> 16)
            result[index * 4 + 2] = UInt8(truncatingIfNeeded: word >> 8)
            result[index * 4 + 3] = UInt8(truncatingIfNeeded: word)
        }
        return result
    }

    private static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32), _ chunk: UnsafeRawBufferPointer) {
        var w = (
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0)
        )
        withUnsafeMutableBytes(of: &w) { raw in
            let words = raw.bindMemory(to: UInt32.self)
            for i in 0..<16 {
                let b = chunk.baseAddress!.advanced(by: i * 4).assumingMemoryBound(to: UInt8.self)
                words[i] = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            }
            var a = state.0, b = state.1, c = state.2, d = state.3, e = state.4
            for i in 0..<80 {
                let word: UInt32
                if i < 16 {
                    word = words[i]
                } else {
                    let mixed = words[(i - 3) & 15] ^ words[(i - 8) & 15] ^ words[(i - 14) & 15] ^ words[i & 15]
                    word = (mixed << 1) | (mixed >> 31)
                    words[i & 15] = word
                }
                let f: UInt32, k: UInt32
                switch i {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                default: f = b ^ c ^ d; k = 0xCA62_C1D6
                }
                let temp = ((a << 5) | (a >> 27)) &+ f &+ e &+ k &+ word
                e = d
                d = c
                c = (b << 30) | (b >> 2)
                b = a
                a = temp
            }
            state.0 &+= a
            state.1 &+= b
            state.2 &+= c
            state.3 &+= d
            state.4 &+= e
        }
    }
}

/// Twenty bytes: a SHA-1 result, or one of Redis's running digests built from them.
struct DigestBytes: Equatable {
    private var bytes = (UInt64(0), UInt64(0), UInt32(0))

    init() {}

    subscript(index: Int) -> UInt8 {
        get { Swift.withUnsafeBytes(of: bytes) { $0[index] } }
        set { Swift.withUnsafeMutableBytes(of: &bytes) { $0[index] = newValue } }
    }

    var isZero: Bool { bytes.0 == 0 && bytes.1 == 0 && bytes.2 == 0 }

    static func ^= (lhs: inout DigestBytes, rhs: DigestBytes) {
        lhs.bytes.0 ^= rhs.bytes.0
        lhs.bytes.1 ^= rhs.bytes.1
        lhs.bytes.2 ^= rhs.bytes.2
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        Swift.withUnsafeBytes(of: bytes) { body(UnsafeRawBufferPointer(rebasing: $0[0..<20])) }
    }

    static func == (lhs: DigestBytes, rhs: DigestBytes) -> Bool {
        lhs.bytes.0 == rhs.bytes.0 && lhs.bytes.1 == rhs.bytes.1 && lhs.bytes.2 == rhs.bytes.2
    }

    /// Forty lowercase hex digits, as DEBUG DIGEST prints it.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(40)
        for index in 0..<20 {
            let byte = self[index]
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
