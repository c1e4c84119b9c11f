/// The switches DEBUG subcommands set, which Redis keeps as server globals: part of the
/// engine's configuration (`EngineConfiguration.debug`), read by the subsystems they steer.
public struct DebugSettings: Sendable {
    /// Redis's default `packed_threshold`: elements of at least this many bytes get a quicklist
    /// node of their own ("plain" nodes).
    public static let defaultQuicklistPackedThreshold = 1 << 30
    /// Redis's `REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME`, milliseconds.
    public static let defaultReplyBufferPeakResetTime: Int64 = 5000

    /// DEBUG QUICKLIST-PACKED-THRESHOLD: DEBUG OBJECT's quicklist figures count list elements of
    /// at least this size as nodes of their own.
    public var quicklistPackedThreshold = DebugSettings.defaultQuicklistPackedThreshold
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE does not verify the payload's CRC64.
    public var skipChecksumValidation = false
    /// DEBUG PAUSE-CRON: the periodic cron (active expiry, rehashing, save points) does nothing.
    public var cronPaused = false
    /// DEBUG AOF-FLUSH-SLEEP: microseconds the AOF writer sleeps before each flush (a test hook).
    public var aofFlushSleepMicroseconds: Int64 = 0
    /// DEBUG REPLYBUFFER PEAK-RESET-TIME (-1: never) and RESIZING: reply buffer tuning. Ember's
    /// output buffers are NIO's; they are kept only so the settings read back consistently.
    public var replyBufferPeakResetTime = DebugSettings.defaultReplyBufferPeakResetTime
    public var replyBufferResizing = true
    /// DEBUG SET-DISABLE-DENY-SCRIPTS: let scripts run commands flagged no-script.
    public var disableDenyScripts = false
    /// DEBUG DROP-CLUSTER-PACKET-FILTER (-1: none). Ember has no cluster bus.
    public var clusterPacketFilter: Int64 = -1

    public init() {}
}
