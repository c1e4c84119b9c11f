import NIOConcurrencyHelpers

/// The switches DEBUG subcommands set, which Redis keeps as server globals. They live here,
/// process-wide, because an extension cannot add stored properties to `Engine` or
/// `EngineConfiguration`; the subsystems that honour them read `DebugSettings.current`.
/// TODO(wiring): move these onto `EngineConfiguration` (per engine) and read them there.
public struct DebugSettings: Sendable {
    /// Redis's default `packed_threshold`: elements of at least this many bytes get a quicklist
    /// node of their own ("plain" nodes).
    public static let defaultQuicklistPackedThreshold = 1 << 30
    /// Redis's `REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME`, milliseconds.
    public static let defaultReplyBufferPeakResetTime: Int64 = 5000

    /// DEBUG QUICKLIST-PACKED-THRESHOLD: DEBUG OBJECT's quicklist figures count list elements of
    /// at least this size as nodes of their own.
    public var quicklistPackedThreshold = DebugSettings.defaultQuicklistPackedThreshold
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE and RDB loading should not verify the
    /// CRC64 trailer. TODO(wiring): RESTORE / the RDB loader to honour it.
    public var skipChecksumValidation = false
    /// DEBUG PAUSE-CRON: the periodic cron (active expiry, rehashing, ...) should do nothing.
    /// TODO(wiring): `Engine.cron()` to return early while set.
    public var cronPaused = false
    /// DEBUG AOF-FLUSH-SLEEP: microseconds the AOF writer sleeps before each flush (a test hook).
    /// TODO(wiring): the AOF writer to honour it.
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

    private static let box = NIOLockedValueBox(DebugSettings())

    /// The settings now in force.
    public static var current: DebugSettings {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }

    static func update(_ body: (inout DebugSettings) -> Void) {
        box.withLockedValue { body(&$0) }
    }
}

/// Places the persistence code plugs into, so DEBUG can use it without depending on it.
public enum DebugHooks {
    private static let serializedLengthBox = NIOLockedValueBox<(@Sendable (Value, EngineConfiguration) -> Int)?>(nil)

    /// The bytes RDB would write for a value (Redis's `rdbSavedObjectLen`, LZF compression
    /// included), for DEBUG OBJECT's `serializedlength`. TODO(wiring): the RDB encoder under
    /// `Sources/EmberStore/Persistence/` to install it; until then DEBUG OBJECT shows an
    /// uncompressed estimate.
    public static var serializedLength: (@Sendable (Value, EngineConfiguration) -> Int)? {
        get { serializedLengthBox.withLockedValue { $0 } }
        set { serializedLengthBox.withLockedValue { $0 = newValue } }
    }
}
