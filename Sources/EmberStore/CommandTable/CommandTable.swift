import EmberRESP

/// Commands by name, matched ignoring ASCII case as Redis does, without allocating: a request's
/// name is hashed and compared in place instead of being lowercased into a new key and run
/// through SipHash, which showed up as a few percent of a pipelined GET.
///
/// Open addressing with linear probing over a power-of-two table kept at most a quarter full.
/// Command names are fixed at startup and not attacker-chosen, so a simple hash is enough.
public struct CommandTable {
    private struct Slot {
        let name: Bytes  // lowercase
        let command: Command
    }

    private var slots: [Slot?] = Array(repeating: nil, count: 16)
    public private(set) var count = 0

    public init() {}

    /// The command named `name`, in any ASCII case.
    @inlinable
    public subscript(name: Bytes) -> Command? {
        name.withUnsafeBytes { lookup($0) }
    }

    @usableFromInline
    func lookup(_ name: UnsafeRawBufferPointer) -> Command? {
        let mask = slots.count - 1
        var index = Self.hash(name) & mask
        while let slot = slots[index] {
            if Self.matches(name, lowercase: slot.name) { return slot.command }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Adds or replaces the command registered as `name`.
    public mutating func insert(_ command: Command, named name: Bytes) {
        let key = name.asciiLowercased()
        if (count + 1) * 4 > slots.count { grow() }
        let mask = slots.count - 1
        var index = key.withUnsafeBytes { Self.hash($0) } & mask
        while let slot = slots[index] {
            if slot.name == key {
                slots[index] = Slot(name: key, command: command)
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(name: key, command: command)
        count += 1
    }

    public var isEmpty: Bool { count == 0 }

    /// Every command, in no particular order.
    public var commands: [Command] { slots.compactMap { $0?.command } }

    private mutating func grow() {
        let old = slots.compactMap { $0 }
        slots = Array(repeating: nil, count: slots.count * 2)
        count = 0
        for slot in old { insert(slot.command, named: slot.name) }
    }

    /// FNV-1a over the bytes with bit 5 set, so that both cases of a letter hash alike.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte | 0x20)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32))
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, lowercase: Bytes) -> Bool {
        lowercase.withUnsafeBytes { expected in
            guard expected.count == bytes.count else { return false }
            for i in 0..<bytes.count {
                var byte = bytes[i]
                if byte >= 65 && byte <= 90 { byte |= 0x20 }
                if byte != expected[i] { return false }
            }
            return true
        }
    }
}
