
/// One class of `client-output-buffer-limit`: a client whose pending output reaches `hard`
/// bytes, or stays above `soft` for more than `softSeconds`, is disconnected (0: no limit).
public struct OutputBufferLimit: Sendable, Equatable {
    public var hard = 0
    public var soft = 0
    public var softSeconds = 0

    public init(hard: Int = 0, soft: Int = 0, softSeconds: Int = 0) {
        self.hard = hard
        self.soft = soft
        self.softSeconds = softSeconds
    }

    /// From the three numbers of a class as the config table keeps them.
    public init(_ words: ArraySlice<String>) {
        let numbers = words.map { Int($0) ?? 0 }
        self.init(hard: numbers[0], soft: numbers[1], softSeconds: numbers[2])
    }

    public var isUnlimited: Bool { hard == 0 && soft == 0 }

    /// Redis's `checkClientOutputBufferLimits`: whether `pending` bytes break the limit, given
    /// when the soft limit was first seen reached (updated here; nil when under it).
    public func isBroken(pending: Int, now: Int64, softReachedAt: inout Int64?) -> Bool {
        if hard > 0 && pending >= hard { return true }
        guard soft > 0 && pending >= soft else {
            softReachedAt = nil
            return false
        }
        guard let since = softReachedAt else {
            softReachedAt = now
            return false
        }
        return (now - since) / 1000 > Int64(softSeconds)
    }
}

/// `client-output-buffer-limit`, per client class.
public struct OutputBufferLimits: Sendable, Equatable {
    public var normal = OutputBufferLimit()
    public var replica = OutputBufferLimit(hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60)
    public var pubsub = OutputBufferLimit(hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60)
    public init() {}
}
