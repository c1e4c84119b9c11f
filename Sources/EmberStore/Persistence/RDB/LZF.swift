/// LZF, the compression Redis applies to RDB strings (`rdbcompression yes`), byte-compatible
/// with liblzf: a stream of literal runs (a control byte below 32 = run length - 1, then the
/// bytes) and back references (3 bits of length - 2, 7 meaning a length byte follows, and a
/// 13-bit distance - 1).
public enum LZF {
    static let maxLiteral = 32
    static let maxOffset = 1 << 13
    static let maxReference = 264  // 7 + 255 + 2
    static let hashBits = 14

    /// Compresses `input`; nil when the result would not fit in `limit` bytes (Redis passes
    /// the length minus 4, so that only a saving is kept) or the input is too short to try.
    public static func compress(_ input: UnsafeRawBufferPointer, limit: Int) -> [UInt8]? {
        var compressor = LZFCompressor()
        var output: [UInt8] = []
        guard compressor.compress(input, limit: limit, into: &output) else { return nil }
        return output
    }

    public static func compress(_ input: [UInt8], limit: Int) -> [UInt8]? {
        input.withUnsafeBytes { compress($0, limit: limit) }
    }

    /// Decompresses `input` to exactly `length` bytes; nil when the stream is malformed (a
    /// run or reference outside the input or output) or does not produce `length` bytes.
    public static func decompress(_ input: UnsafeRawBufferPointer, length: Int) -> [UInt8]? {
        guard length >= 0 else { return nil }
        if length == 0 { return input.isEmpty ? [] : nil }
        var output = [UInt8](repeating: 0, count: length)
        let produced = output.withUnsafeMutableBufferPointer { out -> Int? in
            var inPosition = 0
            var outPosition = 0
            let inCount = input.count
            while inPosition < inCount {
                let control = Int(input[inPosition])
                inPosition += 1
                if control < 32 {
                    let run = control + 1
                    guard inPosition + run <= inCount, outPosition + run <= length else { return nil }
                    for index in 0..<run { out[outPosition + index] = input[inPosition + index] }
                    inPosition += run
                    outPosition += run
                } else {
                    var run = control >> 5
                    if run == 7 {
                        guard inPosition < inCount else { return nil }
                        run += Int(input[inPosition])
                        inPosition += 1
                    }
                    run += 2
                    guard inPosition < inCount else { return nil }
                    let distance = ((control & 0x1F) << 8 | Int(input[inPosition])) + 1
                    inPosition += 1
                    guard distance <= outPosition, outPosition + run <= length else { return nil }
                    // Byte by byte: a reference may overlap the bytes it produces.
                    var from = outPosition - distance
                    for _ in 0..<run {
                        out[outPosition] = out[from]
                        outPosition += 1
                        from += 1
                    }
                }
            }
            return outPosition
        }
        guard produced == length else { return nil }
        return output
    }

    public static func decompress(_ input: [UInt8], length: Int) -> [UInt8]? {
        input.withUnsafeBytes { decompress($0, length: length) }
    }
}

/// LZF compression with its match table kept between calls, so that a save compressing
/// millions of strings neither allocates nor clears 64 KiB per string. Entries are positions
/// offset by a per-call base; one below the base is from an earlier input and ignored, so
/// each result is exactly what a freshly cleared table gives. One per writer (not shared
/// between threads).
public struct LZFCompressor {
    /// Allocated on first use: most DUMP payloads never compress anything.
    private var table: [UInt32] = []
    private var base: UInt32 = 0

    public init() {}

    /// Appends `input` compressed to `output`; false (and `output` as it was) when the result
    /// would not fit in `limit` bytes or the input is too short to try.
    public mutating func compress(_ input: UnsafeRawBufferPointer, limit: Int, into output: inout [UInt8]) -> Bool {
        let count = input.count
        guard count >= 4, limit > 0, let source = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        if table.isEmpty { table = [UInt32](repeating: 0, count: 1 << LZF.hashBits) }
        // Entries hold base + position + 1; a base that would wrap clears the table instead.
        if UInt64(base) + UInt64(count) + 2 >= UInt64(UInt32.max) {
            for index in table.indices { table[index] = 0 }
            base = 0
        }
        let callBase = base
        base += UInt32(count) + 1
        let outputStart = output.count
        var literalStart = 0
        var position = 0

        func hash(_ at: Int) -> Int {
            let value = UInt32(source[at]) << 16 | UInt32(source[at + 1]) << 8 | UInt32(source[at + 2])
            return Int((value &* 2_654_435_761) >> UInt32(32 - LZF.hashBits))
        }

        func flushLiterals(upTo end: Int) -> Bool {
            var start = literalStart
            while start < end {
                let run = min(LZF.maxLiteral, end - start)
                if output.count - outputStart + 1 + run > limit { return false }
                output.append(UInt8(run - 1))
                output.append(contentsOf: UnsafeBufferPointer(start: source + start, count: run))
                start += run
            }
            literalStart = end
            return true
        }

        let done = table.withUnsafeMutableBufferPointer { table -> Bool in
            while position + 2 < count {
                let slot = hash(position)
                let stored = table[slot]
                table[slot] = callBase &+ UInt32(truncatingIfNeeded: position) &+ 1
                let candidate = stored > callBase ? Int(stored - callBase - 1) : -1
                if candidate >= 0, position - candidate - 1 < LZF.maxOffset,
                   source[candidate] == source[position], source[candidate + 1] == source[position + 1],
                   source[candidate + 2] == source[position + 2] {
                    var length = 3
                    let maxLength = min(LZF.maxReference, count - position)
                    while length < maxLength && source[candidate + length] == source[position + length] { length += 1 }
                    guard flushLiterals(upTo: position) else { return false }
                    let distance = position - candidate - 1
                    let encoded = length - 2
                    if encoded < 7 {
                        if output.count - outputStart + 2 > limit { return false }
                        output.append(UInt8(encoded << 5 | distance >> 8))
                    } else {
                        if output.count - outputStart + 3 > limit { return false }
                        output.append(UInt8(7 << 5 | distance >> 8))
                        output.append(UInt8(encoded - 7))
                    }
                    output.append(UInt8(distance & 0xFF))
                    // Index the positions inside the match, so later data can refer to them.
                    let end = position + length
                    var next = position + 1
                    while next < end && next + 2 < count {
                        table[hash(next)] = callBase &+ UInt32(truncatingIfNeeded: next) &+ 1
                        next += 1
                    }
                    position = end
                    literalStart = end
                } else {
                    position += 1
                }
            }
            return flushLiterals(upTo: count)
        }
        if !done { output.removeLast(output.count - outputStart) }
        return done
    }
}
