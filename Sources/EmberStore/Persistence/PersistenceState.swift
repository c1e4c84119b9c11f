/// The state INFO persistence reports and the save logic reads: when the data was last saved,
/// whether a background save runs, and how the last one ended.
public struct PersistenceState: Sendable {
    /// The dirty counter when the last save began: changes since are `dirty - dirtyAtLastSave`.
    public var dirtyAtLastSave: Int64 = 0
    public var lastBackgroundSaveOK = true
    /// Unix seconds of the last attempt to save, successful or not (save points retry after a failure).
    public var lastSaveAttempt: Int64 = 0
    public var backgroundSaveInProgress = false
    public var backgroundSaveStarted: Int64 = 0
    public var lastBackgroundSaveSeconds: Int64 = -1
    public var backgroundSaveScheduled = false
    /// FLUSHALL or SHUTDOWN abandoned the running background save: it writes no more and its
    /// file never replaces `dbfilename` (Redis kills its child).
    public var backgroundSaveCancelled = false
    public var savesCompleted: Int64 = 0
    public var loading = false
    public var loadedKeys: Int64 = 0
    public var loadedExpires: Int64 = 0
    public var lastLoadSeconds: Double = 0
    /// `encryption-key-file`'s keys, once read (the setting is start-up only).
    public var encryptionKeys: EncryptionKeyRing?
    public init() {}

    /// Writes are refused after a failed background save when `stop-writes-on-bgsave-error` is on.
    @inlinable
    public func refusesWrites(stopWritesOnError: Bool) -> Bool {
        !lastBackgroundSaveOK && stopWritesOnError
    }
}
