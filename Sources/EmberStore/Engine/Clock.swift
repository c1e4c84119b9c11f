#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

import CEmberSystem

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

/// The monotonic source for command durations: the CPU's invariant time-stamp counter where
/// there is one (Redis's monotonic clock does the same), calibrated once against
/// CLOCK_MONOTONIC; `clock_gettime` elsewhere. A counter read costs a fraction of a vDSO call,
/// and one runs per command.
public enum Ticks {
    /// Nanoseconds per tick; nil when ticks are `clock_gettime` nanoseconds.
    public static let nanosecondsPerTick: Double? = calibrate()

    /// How INFO's `monotonic_clock` describes the source, in Redis's words.
    public static var description: String {
        guard let scale = nanosecondsPerTick else { return "POSIX clock_gettime" }
        return "X86 TSC @ \(Int((1000 / scale).rounded())) ticks/us"
    }

    @inlinable
    public static func now() -> UInt64 {
        nanosecondsPerTick == nil ? Clock.monotonicNanoseconds() : UInt64(cember_tsc())
    }

    /// Ticks against the monotonic clock over 10 ms.
    private static func calibrate() -> Double? {
        guard cember_tsc_is_invariant() != 0 else { return nil }
        let startTicks = cember_tsc()
        let start = Clock.monotonicNanoseconds()
        var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
        nanosleep(&pause, nil)
        let elapsedTicks = cember_tsc() &- startTicks
        let elapsed = Clock.monotonicNanoseconds() &- start
        guard elapsedTicks > 0 else { return nil }
        return Double(elapsed) / Double(elapsedTicks)
    }
}

/// The time source for a batch of commands run in one critical section: the wall clock is read
/// once per batch and each command costs one monotonic reading (`Ticks`), which both ends the
/// previous command's duration (for `INFO commandstats`) and advances the batch's notion of now
/// (each command's time snapshot, in Unix milliseconds).
public struct ExecutionClock {
    @usableFromInline let nanosecondsPerTick: Double?
    @usableFromInline var lastTicks: UInt64
    /// Unix milliseconds at the latest reading.
    public var milliseconds: Int64 { wholeMilliseconds }
    @usableFromInline var wholeMilliseconds: Int64
    /// Nanoseconds past `milliseconds` at the latest reading.
    @usableFromInline var pastMillisecond: UInt64 = 0

    public init() {
        wholeMilliseconds = Clock.milliseconds()
        nanosecondsPerTick = Ticks.nanosecondsPerTick
        lastTicks = Ticks.now()
    }

    /// Takes a reading and returns the nanoseconds since the previous one.
    @inlinable public mutating func advance() -> UInt64 {
        let elapsed: UInt64
        if let scale = nanosecondsPerTick {
            let now = UInt64(cember_tsc())
            // A reading from a core whose counter lags would make a huge difference: no trap.
            let nanoseconds = Double(now &- lastTicks) * scale
            elapsed = nanoseconds < 1.8e19 ? UInt64(nanoseconds) : 0
            lastTicks = now
        } else {
            let now = Clock.monotonicNanoseconds()
            elapsed = now &- lastTicks
            lastTicks = now
        }
        pastMillisecond &+= elapsed
        if pastMillisecond >= 1_000_000 {
            wholeMilliseconds &+= Int64(truncatingIfNeeded: pastMillisecond / 1_000_000)
            pastMillisecond %= 1_000_000
        }
        return elapsed
    }
}
