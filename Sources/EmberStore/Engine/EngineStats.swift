import EmberRESP

public struct EngineStats: Sendable {
    public var expiredKeys: Int64 = 0
    public var evictedKeys: Int64 = 0
    public var keyspaceHits: Int64 = 0
    public var keyspaceMisses: Int64 = 0
    public var commandsProcessed: Int64 = 0
    public var rejectedCalls: Int64 = 0
    public var expiredTimeCapReachedCount: Int64 = 0
    /// Every error reply, and per error code (the first word) for INFO errorstats.
    public var totalErrorReplies: Int64 = 0
    public var errorReplies: [String: Int64] = [:]
    /// Traffic, reported by the transport.
    public var netInputBytes: Int64 = 0
    public var netOutputBytes: Int64 = 0
    public var readsProcessed: Int64 = 0
    public var writesProcessed: Int64 = 0
    /// Clients disconnected for breaking `client-output-buffer-limit`.
    public var outputBufferLimitDisconnections: Int64 = 0
    public init() {}

    /// Redis tracks at most this many distinct error codes (errorstats).
    static let maxErrorCodes = 128

    mutating func recordError(_ message: Bytes) {
        totalErrorReplies += 1
        let code = String(decoding: message.array.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
        if errorReplies[code] != nil || errorReplies.count < Self.maxErrorCodes {
            errorReplies[code, default: 0] += 1
        }
    }
}
