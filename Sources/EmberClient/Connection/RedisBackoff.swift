import NIOCore

/// How long to wait before the next connection attempt after failures: exponential growth from
/// `initialDelay` by `multiplier` up to `maximumDelay`, with random jitter so that many clients
/// cut off together do not all come back at the same instant.
///
/// Failure `n` (1-based) waits `min(maximumDelay, initialDelay × multiplierⁿ⁻¹)`, scaled by a
/// random factor in `1 - jitter ... 1 + jitter`.
public struct RedisBackoff: Sendable, Hashable {
    public var initialDelay: TimeAmount
    public var maximumDelay: TimeAmount
    public var multiplier: Double
    /// The relative spread of each delay, 0 to 1.
    public var jitter: Double

    public init(
        initialDelay: TimeAmount = .milliseconds(50),
        maximumDelay: TimeAmount = .seconds(5),
        multiplier: Double = 2,
        jitter: Double = 0.2
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = max(1, multiplier)
        self.jitter = min(1, max(0, jitter))
    }

    /// The delay after `failures` consecutive failures (0 for none).
    public func delay<Generator: RandomNumberGenerator>(afterFailures failures: Int, using generator: inout Generator) -> TimeAmount {
        guard failures > 0 else { return .zero }
        let exponent = Double(min(failures - 1, 62))
        let base = min(Double(maximumDelay.nanoseconds), Double(initialDelay.nanoseconds) * Self.power(multiplier, exponent))
        let factor = jitter == 0 ? 1 : Double.random(in: (1 - jitter)...(1 + jitter), using: &generator)
        return .nanoseconds(Int64(min(Double(Int64.max / 2), max(0, base * factor))))
    }

    public func delay(afterFailures failures: Int) -> TimeAmount {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }

    /// `base` raised to a whole `exponent` (Foundation's `pow` is kept out of the client).
    private static func power(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0, result < 1e18 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
