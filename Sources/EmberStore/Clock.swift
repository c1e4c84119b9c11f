#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock and monotonic time without Foundation.
public enum Clock {
    /// Unix time in milliseconds.
    @inlinable
    public static func milliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Unix time in microseconds.
    @inlinable
    public static func microseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }

    /// Monotonic nanoseconds, for durations.
    @inlinable
    public static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

/// xoshiro256**: a fast, small PRNG for sampling (active expiry, RANDOMKEY, SCAN-free sampling).
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitmix = seed
        func next() -> UInt64 {
            splitmix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitmix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }
}

/// The time source for a batch of commands run in one critical section: the wall clock is read
/// once per batch and each command costs one monotonic read, which both ends the previous
/// command's duration (for `INFO commandstats`) and dates the next one.
public struct ExecutionClock {
    @usableFromInline let wallBase: Int64
    @usableFromInline let monotonicBase: UInt64
    /// The latest monotonic reading.
    @usableFromInline var last: UInt64

    public init() {
        wallBase = Clock.milliseconds()
        monotonicBase = Clock.monotonicNanoseconds()
        last = monotonicBase
    }

    /// Unix milliseconds at the latest reading.
    @inlinable public var milliseconds: Int64 { wallBase + Int64((last &- monotonicBase) / 1_000_000) }

    /// Reads the monotonic clock and returns the nanoseconds since the previous reading.
    @inlinable public mutating func advance() -> UInt64 {
        let previous = last
        last = Clock.monotonicNanoseconds()
        return last &- previous
    }
}
