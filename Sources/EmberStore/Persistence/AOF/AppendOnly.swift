import Dispatch
import EmberRESP
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The AOF's state beside an engine: the manifest, the writer, the rewrite in progress and
/// the figures INFO persistence reports. Touched under the engine lock.
public final class AppendOnlyState: @unchecked Sendable {
    public internal(set) var manifest = AOFManifest()
    /// The writer of the current incremental file, while the AOF is on (or waits for its
    /// first rewrite).
    @exclusivity(unchecked) public internal(set) var writer: AOFWriter?
    /// `aof_state`: on, off, or on and waiting for the rewrite that makes its first base.
    public internal(set) var enabled = false
    public internal(set) var waitingForRewrite = false
    public internal(set) var rewriteInProgress = false
    public internal(set) var rewriteScheduled = false
    var rewriteStarted: UInt64 = 0
    var rewriteGeneration = 0
    /// The incremental file opened when the running rewrite began (nil: the AOF was off).
    var rewriteIncremental: String?
    public internal(set) var lastRewriteSeconds: Int64 = -1
    public internal(set) var lastRewriteOK = true
    public internal(set) var rewrites: Int64 = 0
    public internal(set) var consecutiveFailures: Int64 = 0
    var lastFailureTime: Int64 = 0
    /// The AOF's size after the last rewrite or load: auto-rewrite measures growth from it.
    var rewriteBaseSize: Int64 = 0
    init() {}
}

/// How BGREWRITEAOF was answered.
public enum AOFRewriteStart: Equatable, Sendable {
    case started
    case scheduled
    case alreadyRunning
    case failed(String)

    /// The reply Redis 7.0 gives.
    public var reply: Reply {
        switch self {
        case .started: return .simple("Background append only file rewriting started")
        case .scheduled: return .simple("Background append only file rewriting scheduled")
        case .alreadyRunning: return .error("ERR Background append only file rewriting already in progress")
        case .failed(let message): return .error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information. (\(message))")
        }
    }
}

extension Engine {
    /// Whether a BGREWRITEAOF's snapshot runs (a BGSAVE then waits).
    var aofRewriteInProgress: Bool { appendOnly.rewriteInProgress }

    // MARK: - Paths

    var aofDirectory: String { config.persistence.appendDirname }
    func aofPath(_ name: String) -> String { aofDirectory + "/" + name }
    var aofManifestPath: String { aofPath(AOFManifest.manifestName(config.persistence.appendFilename)) }

    // MARK: - Commands

    /// Registers BGREWRITEAOF (call once, with the other commands).
    public func registerAppendOnlyCommands() {
        register("bgrewriteaof") { context in
            let engine = context.engine
            if engine.appendOnly.rewriteInProgress { return AOFRewriteStart.alreadyRunning.reply }
            // Inside MULTI, or while a BGSAVE runs, the rewrite waits (Redis schedules it).
            if context.client.executingTransaction || engine.persistenceState.backgroundSaveInProgress {
                engine.appendOnly.rewriteScheduled = true
                return AOFRewriteStart.scheduled.reply
            }
            return engine.startAOFRewrite(now: context.now).reply
        }
    }

    // MARK: - Turning the AOF on and off

    /// CONFIG SET appendonly: on starts a rewrite that writes the first base, logging changes
    /// from its start on; off flushes, fsyncs and stops writing (the files stay). The caller
    /// holds the lock. Also sets `config.persistence.appendOnly`.
    @discardableResult
    public func setAppendOnly(_ on: Bool, now: Int64 = Clock.milliseconds()) -> Result<Void, PersistenceIOError> {
        let state = appendOnly
        if !on {
            config.persistence.appendOnly = false
            guard state.enabled || state.waitingForRewrite else { return .success(()) }
            state.enabled = false
            state.waitingForRewrite = false
            if state.rewriteInProgress { state.rewriteGeneration += 1 }
            state.rewriteScheduled = false
            if let writer = state.writer {
                propagation.remove(writer)
                writer.stop()
                state.writer = nil
            }
            log(.notice, "AOF turned off")
            return .success(())
        }
        guard !state.enabled && !state.waitingForRewrite else {
            config.persistence.appendOnly = true
            return .success(())
        }
        if state.manifest.base == nil && state.manifest.incrementals.isEmpty, let read = try? PersistenceFiles.read(aofManifestPath),
           let parsed = try? AOFManifest.parse(read) {
            state.manifest = parsed
        }
        state.waitingForRewrite = true
        if state.rewriteInProgress {
            // A rewrite of the AOF-off kind runs: its result is dropped, a new one follows it.
            state.rewriteGeneration += 1
            state.rewriteScheduled = true
            config.persistence.appendOnly = true
            return .success(())
        }
        switch startAOFRewrite(now: now) {
        case .started, .scheduled, .alreadyRunning:
            config.persistence.appendOnly = true
            return .success(())
        case .failed(let message):
            state.waitingForRewrite = false
            return .failure(PersistenceIOError(message: "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. (\(message))"))
        }
    }

    /// `appendfsync`, `aof-timestamp-enabled`: apply changed settings to the running writer.
    public func applyAppendOnlySettings() {
        guard let writer = appendOnly.writer else { return }
        writer.policy = AppendFsyncPolicy(configValue: config.persistence.appendFsync)
        writer.timestamps = config.persistence.aofTimestampEnabled
    }

    /// SHUTDOWN: everything written and fsynced, the writer stopped. The caller holds the lock.
    public func flushAppendOnlyForShutdown() {
        let state = appendOnly
        guard let writer = state.writer else { return }
        propagation.remove(writer)
        writer.stop()
        state.writer = nil
        log(.notice, "Calling fsync() on the AOF file.")
    }

    /// `MISCONF`-style refusal: the last write to the AOF failed (Redis refuses writes then).
    public var appendOnlyWriteError: String? { appendOnly.writer?.lastWriteError }

    // MARK: - Opening at start-up

    /// After `loadAppendOnlyFiles`, with `appendonly yes`: creates the first base when there is
    /// none, opens the last incremental file (or a new one) for appending, deletes history
    /// files and starts the writer (Redis's `aofOpenIfNeededOnServerStart`).
    public func openAppendOnlyAfterLoad(now: Int64 = Clock.milliseconds()) throws {
        try lock.withLock {
            let state = appendOnly
            guard state.writer == nil else { return }
            try PersistenceFiles.makeDirectory(aofDirectory)
            var manifest = state.manifest
            let key = try sealingKey()
            if manifest.base == nil && manifest.incrementals.isEmpty {
                let name = AOFManifest.baseName(config.persistence.appendFilename, sequence: 1, rdb: config.persistence.aofUseRDBPreamble)
                try PersistenceFiles.writeAtomically(aofPath(name), bytes: try baseBytes(now: now), encryptingWith: key)
                manifest.base = AOFManifest.Entry(name: name, sequence: 1, type: .base)
            }
            let descriptor: Int32
            let path: String
            var sealer: ChunkSealer?
            // An encrypted file is never appended to after a restart: a chunk lost in a crash
            // would have its nonce used again. It gets a new file, with a salt of its own
            // (the last one again when it holds nothing).
            if let last = manifest.incrementals.last, key == nil || PersistenceFiles.holdsNoChunk(aofPath(last.name)) {
                path = aofPath(last.name)
                if let key {
                    (descriptor, sealer) = try PersistenceFiles.createAppendFile(path, encryptingWith: key)
                } else {
                    descriptor = try PersistenceFiles.openForAppend(path, truncate: false)
                }
            } else {
                let sequence = manifest.currentIncrementalSequence + 1
                let name = AOFManifest.incrementalName(config.persistence.appendFilename, sequence: sequence)
                path = aofPath(name)
                (descriptor, sealer) = try PersistenceFiles.createAppendFile(path, encryptingWith: key)
                manifest.incrementals.append(AOFManifest.Entry(name: name, sequence: sequence, type: .incremental))
            }
            deleteHistoryFiles(&manifest)
            do {
                try persistManifest(manifest)
            } catch {
                close(descriptor)
                throw error
            }
            state.manifest = manifest
            startWriter(descriptor: descriptor, path: path, sealer: sealer)
            state.enabled = true
            state.rewriteBaseSize = aofSizes().current
            config.persistence.appendOnly = true
        }
    }

    func startWriter(descriptor: Int32, path: String, sealer: ChunkSealer?) {
        let writer = AOFWriter(descriptor: descriptor, path: path, size: AOFWriter.size(of: descriptor), sealer: sealer,
                               policy: AppendFsyncPolicy(configValue: config.persistence.appendFsync),
                               timestamps: config.persistence.aofTimestampEnabled,
                               log: { [weak self] message in self?.log(.warning, message) })
        appendOnly.writer = writer
        propagation.add(writer)
    }

    /// The whole keyspace as an AOF base: an RDB (`aof-base 1`) or, without the preamble, commands.
    func baseBytes(now: Int64) throws -> [UInt8] {
        if config.persistence.aofUseRDBPreamble { return try rdbSnapshot(now: now, aofBase: true) }
        var bytes: [UInt8] = []
        for db in databases.indices where databases[db].count > 0 {
            AOFFormat.append([Bytes("SELECT"), Bytes(decimal: Int64(db))], to: &bytes)
            for index in 0..<databases[db].keys.count {
                let entry = databases[db].keys[index]
                for command in AOFValueCommands.commands(key: entry.key, value: entry.value.value, expireAt: databases[db].expireTime(at: index)) {
                    AOFFormat.append(command, to: &bytes)
                }
            }
        }
        return bytes
    }

    // MARK: - Manifest files

    func persistManifest(_ manifest: AOFManifest) throws {
        let temporary = aofPath("temp-" + AOFManifest.manifestName(config.persistence.appendFilename))
        try PersistenceFiles.writeAtomically(aofManifestPath, bytes: manifest.serialized(), temporary: temporary)
    }

    /// Deletes the history files a rewrite left and drops them from `manifest`.
    func deleteHistoryFiles(_ manifest: inout AOFManifest) {
        for entry in manifest.history {
            if unlink(aofPath(entry.name)) == 0 { log(.notice, "Removing the history file \(entry.name) in the background") }
        }
        manifest.history = []
    }

    /// Sizes on disk: the base, and the base plus every incremental file.
    func aofSizes() -> (base: Int64, current: Int64) {
        let manifest = appendOnly.manifest
        let base = manifest.base.map { PersistenceFiles.size(aofPath($0.name)) } ?? 0
        var total = base
        for entry in manifest.incrementals { total += PersistenceFiles.size(aofPath(entry.name)) }
        return (base, total)
    }

    // MARK: - Cron

    /// From the cron (`hz` times a second, under the lock): starts a scheduled rewrite once no
    /// BGSAVE runs, and the automatic one when the AOF grew by `auto-aof-rewrite-percentage`
    /// past `auto-aof-rewrite-min-size`.
    public func appendOnlyCron(now: Int64 = Clock.milliseconds()) {
        let state = appendOnly
        guard !state.rewriteInProgress, !persistenceState.backgroundSaveInProgress else { return }
        if state.rewriteScheduled || (state.waitingForRewrite && now - state.lastFailureTime > 5000) {
            _ = startAOFRewrite(now: now)
            return
        }
        let percentage = Int64(config.persistence.autoAOFRewritePercentage)
        guard state.enabled, percentage > 0 else { return }
        // After a failure, wait before trying again (as Redis's back-off).
        if !state.lastRewriteOK && now - state.lastFailureTime < 60_000 { return }
        let current = aofSizes().current
        guard current > config.persistence.autoAOFRewriteMinSize else { return }
        let base = max(1, state.rewriteBaseSize)
        let growth = current * 100 / base - 100
        if growth >= percentage {
            log(.notice, "Starting automatic rewriting of AOF on \(growth)% growth")
            _ = startAOFRewrite(now: now)
        }
    }

    // MARK: - INFO

    /// The AOF lines of INFO persistence, in Redis 7.0's order (the caller holds the lock).
    public func aofInfoLines(now: Int64 = Clock.milliseconds()) -> [String] {
        let state = appendOnly
        let on = state.enabled || state.waitingForRewrite
        var lines = [
            "aof_enabled:\(on ? 1 : 0)",
            "aof_rewrite_in_progress:\(state.rewriteInProgress ? 1 : 0)",
            "aof_rewrite_scheduled:\(state.rewriteScheduled ? 1 : 0)",
            "aof_last_rewrite_time_sec:\(state.lastRewriteSeconds)",
            "aof_current_rewrite_time_sec:\(state.rewriteInProgress ? Int64((Clock.monotonicNanoseconds() - state.rewriteStarted) / 1_000_000_000) : -1)",
            "aof_last_bgrewrite_status:\(state.lastRewriteOK ? "ok" : "err")",
            "aof_rewrites:\(state.rewrites)",
            "aof_rewrites_consecutive_failures:\(state.consecutiveFailures)",
            "aof_last_write_status:\(appendOnlyWriteError == nil ? "ok" : "err")",
            "aof_last_cow_size:0",
            "module_fork_in_progress:0",
            "module_fork_last_cow_size:0",
        ]
        if on {
            let sizes = aofSizes()
            let status = state.writer?.status
            lines += [
                "aof_current_size:\(sizes.current)",
                "aof_base_size:\(sizes.base)",
                "aof_pending_rewrite:\(state.rewriteScheduled ? 1 : 0)",
                "aof_buffer_length:\(status?.bufferLength ?? 0)",
                "aof_pending_bio_fsync:\(status?.pendingFsync == true ? 1 : 0)",
                "aof_delayed_fsync:\(status?.delayedFsyncs ?? 0)",
                // Ember's: the longest any acknowledged write waited for its fsync, the window
                // a power loss could take with `everysec` (kill -9 takes none: the kernel has it).
                "aof_max_fsync_lag_ms:\(status?.maxUnsyncedMilliseconds ?? 0)",
            ]
        }
        return lines
    }
}

extension PersistenceFiles {
    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw PersistenceIOError("Can't create the AOF directory", path)
        }
    }

    /// Opens `path` for appending (created when missing; emptied when `truncate`).
    static func openForAppend(_ path: String, truncate: Bool) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        guard descriptor >= 0 else { throw PersistenceIOError("Can't open the append-only file", path) }
        return descriptor
    }

    /// Creates (empties) an incremental AOF file to append to: an encrypted one starts with
    /// its header, and its chunks are sealed by the sealer returned.
    static func createAppendFile(_ path: String, encryptingWith key: EncryptionKey?) throws -> (descriptor: Int32, sealer: ChunkSealer?) {
        let descriptor = try openForAppend(path, truncate: true)
        guard let key else { return (descriptor, nil) }
        let sealer = ChunkSealer(key: key)
        let written = sealer.header.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress!, $0.count) }
        guard written == sealer.header.count else {
            let code = written < 0 ? errno : EIO
            close(descriptor)
            throw PersistenceIOError("Can't write the encryption header of the append-only file", path, errno: code)
        }
        return (descriptor, sealer)
    }

    /// Whether an AOF file holds nothing: empty, or an encryption header alone.
    static func holdsNoChunk(_ path: String) -> Bool {
        let size = size(path)
        if size == 0 { return true }
        guard size == Int64(EncryptedFileFormat.headerLength), let bytes = try? read(path) else { return false }
        return EncryptedFileFormat.isEncrypted(bytes)
    }

    /// Writes `bytes` (encrypted with `key` when given) to a temporary file, fsyncs it, renames
    /// it over `path` and fsyncs the directory.
    /// With `syncEvery` the bytes go out in pieces of that size, each synced.
    static func writeAtomically(_ path: String, bytes: [UInt8], temporary: String? = nil, encryptingWith key: EncryptionKey? = nil,
                                syncEvery: Int? = nil) throws {
        let temporary = temporary ?? directory(of: path) + "/temp-" + String(path.split(separator: "/").last ?? "file")
        var output = try RDBFileOutput(creating: temporary, encryptingWith: key, syncEvery: syncEvery)
        do {
            try bytes.withUnsafeBytes { all in
                let piece = syncEvery ?? max(all.count, 1)
                for start in stride(from: 0, to: all.count, by: piece) {
                    try output.write(UnsafeRawBufferPointer(rebasing: all[start..<min(start + piece, all.count)]))
                }
            }
            try output.finish()
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        if Glibc.rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw PersistenceIOError("Can't rename \(temporary) to", path, errno: code)
        }
        syncDirectory(directory(of: path))
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    static func size(_ path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }

    static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }
}
