import EmberRESP

/// Settings the engine itself reads. The server maps `CONFIG SET` and the config file onto these.
public struct EngineConfiguration: Sendable {
    public var databases = 16
    /// `client-output-buffer-limit`: applied by the connections (normal, pubsub) and by
    /// replication (replica).
    public var outputLimits = OutputBufferLimits()
    public var protoMaxBulkLength = 512 * 1024 * 1024
    public var maxMemory: Int64 = 0
    public var maxMemoryPolicy = "noeviction" {
        didSet { usesLFU = maxMemoryPolicy.hasSuffix("lfu") }
    }
    /// Whether keys' access bits count frequency (an LFU policy) rather than recency.
    public private(set) var usesLFU = false
    /// Thresholds of the compact collection encodings.
    public var limits = CollectionLimits()
    /// `lazyfree-lazy-user-del`/`-flush`: whether DEL and FLUSHALL/FLUSHDB hand large values to
    /// the background freer (UNLINK and ASYNC always do).
    public var lazyFreeUserDel = false
    public var lazyFreeUserFlush = false
    /// `lazyfree-lazy-expire`: expired keys' values are freed in the background and their
    /// deletions propagate as UNLINK; `lazyfree-lazy-server-del`: so are values a command
    /// deletes or overwrites as a side effect (see `LazyFreeHooks`).
    public var lazyFreeExpire = false
    public var lazyFreeServerDel = false
    public var lfuLogFactor = 10
    public var lfuDecayTime = 1
    public var hz = 10
    /// `repl-ping-replica-period`: seconds between the PINGs in the replication stream.
    public var replicationPingPeriod = 10
    public var activeExpireEnabled = true
    /// The default user's password (`requirepass`); nil means no password.
    public var requirePass: Bytes?
    /// `enable-debug-command`: `no`, `yes` or `local` (loopback and Unix-socket clients only).
    public var enableDebugCommand = "no"
    /// What DEBUG subcommands switch (Redis's debugging globals).
    public var debug = DebugSettings()
    /// RDB and AOF settings (`dir`, `dbfilename`, `save`, `appendonly`, ...).
    public var persistence = PersistenceConfiguration()
    public init() {}
}

/// A `save` point: snapshot when at least `changes` writes happened within `seconds`.
public struct SavePoint: Sendable, Equatable {
    public var seconds: Int
    public var changes: Int
    public init(seconds: Int, changes: Int) {
        self.seconds = seconds
        self.changes = changes
    }
}

/// Persistence settings, with Redis 7.0's defaults.
public struct PersistenceConfiguration: Sendable {
    /// Working directory of RDB and AOF files (`dir`); the server chdirs to it, as Redis.
    public var dir = "."
    public var dbFilename = "dump.rdb"
    /// `save 3600 1 300 100 60 10000` is Redis's default when no config file sets `save`.
    public var savePoints = [SavePoint(seconds: 3600, changes: 1), SavePoint(seconds: 300, changes: 100), SavePoint(seconds: 60, changes: 10000)]
    public var rdbCompression = true
    public var rdbChecksum = true
    public var stopWritesOnBgsaveError = true
    /// `sanitize-dump-payload`: `no`, `yes` or `clients`.
    public var sanitizeDumpPayload = "no"
    public var rdbDelSyncFiles = false
    public var appendOnly = false
    public var appendFilename = "appendonly.aof"
    public var appendDirname = "appendonlydir"
    /// `always`, `everysec` or `no`.
    public var appendFsync = "everysec"
    public var noAppendFsyncOnRewrite = false
    public var autoAOFRewritePercentage = 100
    public var autoAOFRewriteMinSize: Int64 = 64 * 1024 * 1024
    public var aofLoadTruncated = true
    public var aofUseRDBPreamble = true
    public var aofTimestampEnabled = false
    public var aofRewriteIncrementalFsync = true
    public var rdbSaveIncrementalFsync = true
    /// `rdb-key-save-delay`: microseconds a background save waits after each key (tests use it
    /// to keep a save running); the wait is outside the engine lock.
    public var rdbKeySaveDelay = 0
    /// `encryption-key-file` (Ember only): RDB and AOF files encrypted at rest when set (see
    /// `EncryptedFileFormat`, `EncryptionKeyRing`); start-up only, relative to `dir`.
    public var encryptionKeyFile = ""
    public init() {}
}
