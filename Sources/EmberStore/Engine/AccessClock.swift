/// The 24 access bits every key keeps for eviction, as Redis's `robj.lru`. Under an LRU
/// policy they hold the LRU clock (seconds); under an LFU policy, the minute of the last
/// decrement (16 bits) and a logarithmic access counter (8 bits), so that OBJECT FREQ and
/// eviction see the same numbers Redis computes.
public enum AccessClock {
    /// A new key's counter (`LFU_INIT_VAL`): new keys are not evicted before they had a chance.
    public static let lfuInitialCounter: UInt32 = 5

    /// Minutes, modulo 2^16 (`LFUGetTimeInMinutes`).
    @inlinable
    public static func lfuMinutes(_ milliseconds: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: (milliseconds / 60_000) & 0xFFFF)
    }

    /// The stamp of a key created at `milliseconds`.
    @inlinable
    public static func lfuStamp(creatingAt milliseconds: Int64) -> UInt32 {
        lfuMinutes(milliseconds) << 8 | lfuInitialCounter
    }

    /// The counter after decay: one less per `decayTime` minutes since the stamp (`LFUDecrAndReturn`).
    public static func lfuCounter(_ stamp: UInt32, now milliseconds: Int64, decayTime: Int) -> UInt32 {
        let minutes = stamp >> 8
        var counter = stamp & 0xFF
        let current = lfuMinutes(milliseconds)
        let elapsed = current >= minutes ? current - minutes : 0xFFFF - minutes + current
        if decayTime > 0 {
            let periods = Int(elapsed) / decayTime
            counter = periods > Int(counter) ? 0 : counter - UInt32(periods)
        }
        return counter
    }

    /// The stamp after an access: decay, then a probabilistic logarithmic increment
    /// (`updateLFU` with `LFULogIncr`).
    public static func lfuStamp<R: RandomNumberGenerator>(
        touching stamp: UInt32, now milliseconds: Int64, logFactor: Int, decayTime: Int, random: inout R
    ) -> UInt32 {
        var counter = lfuCounter(stamp, now: milliseconds, decayTime: decayTime)
        if counter < 255 {
            let base = Double(max(0, Int(counter) - Int(lfuInitialCounter)))
            let probability = 1.0 / (base * Double(logFactor) + 1.0)
            if Double.random(in: 0..<1, using: &random) < probability { counter += 1 }
        }
        return lfuMinutes(milliseconds) << 8 | counter
    }
}
