import CEmberSystem
import Dispatch
import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a BGSAVE request was answered.
public enum BackgroundSaveStart: Equatable, Sendable {
    case started
    case alreadyRunning
}

extension Engine {
    /// The path SAVE and BGSAVE write (`dbfilename` in the working directory, which is `dir`).
    var rdbPath: String { config.persistence.dbFilename }

    /// A temporary file beside `dbfilename` (renamed over it once complete).
    func temporaryRDBPath(_ name: String) -> String {
        let path = rdbPath
        guard let slash = path.lastIndex(of: "/") else { return name }
        return String(path[...slash]) + name
    }

    /// SAVE: writes the whole keyspace to `dbfilename` now, blocking every client (as Redis).
    /// The caller holds the lock.
    public func saveSynchronously(now: Int64) -> Result<Void, PersistenceIOError> {
        let temporary = temporaryRDBPath("temp-\(getpid()).rdb")
        let dirtyAtStart = dirty
        persistenceState.lastSaveAttempt = now / 1000
        do {
            let output = try RDBFileOutput(creating: temporary, encryptingWith: try sealingKey(),
                                           syncEvery: config.persistence.rdbSaveIncrementalFsync ? RDBFileOutput.incrementalSyncBytes : nil)
            var writer = RDBWriter(output: output, options: RDBWriteOptions(configuration: config))
            do {
                try writeRDB(to: &writer, now: now, usedMemory: Int64(cember_heap_allocated()))
                try writer.output.commit()
            } catch {
                writer.output.discard()
                throw error
            }
            try PersistenceFiles.rename(temporary, to: rdbPath)
        } catch {
            let problem = error as? PersistenceIOError ?? PersistenceIOError(message: "\(error)")
            log(.warning, "\(problem)")
            persistenceState.lastBackgroundSaveOK = false
            return .failure(problem)
        }
        log(.notice, "DB saved on disk")
        persistenceState.dirtyAtLastSave = dirtyAtStart
        persistenceState.lastBackgroundSaveOK = true
        persistenceState.savesCompleted += 1
        lastSave = now
        return .success(())
    }

    /// Abandons the running background save, if any (the caller holds the lock).
    public func cancelBackgroundSave() {
        guard persistenceState.backgroundSaveInProgress, !persistenceState.backgroundSaveCancelled else { return }
        persistenceState.backgroundSaveCancelled = true
        log(.warning, "Background saving terminated by request")
    }

    /// BGSAVE: starts a point-in-time snapshot written by a background thread while clients
    /// go on (see `SnapshotCursor`). The caller holds the lock.
    public func startBackgroundSave(now: Int64) -> BackgroundSaveStart {
        if persistenceState.backgroundSaveInProgress { return .alreadyRunning }
        // One snapshot at a time: a BGSAVE asked for during an AOF rewrite waits for its end.
        if aofRewriteInProgress {
            persistenceState.backgroundSaveScheduled = true
            return .alreadyRunning
        }
        let options = RDBWriteOptions(configuration: config)
        var cursors: [SnapshotCursor] = []
        for index in databases.indices where databases[index].count > 0 {
            let cursor = SnapshotCursor(databaseNumber: index, keyCount: databases[index].count,
                                        expireCount: databases[index].expires.count, options: options, now: now)
            // Every entry there now becomes pending: its parity differs from the flipped one.
            databases[index].savedParity.toggle()
            databases[index].snapshot = cursor
            cursors.append(cursor)
        }
        let job = BackgroundSaveJob(engine: self, cursors: cursors, options: options, now: now, dirtyAtStart: dirty,
                                    temporaryPath: temporaryRDBPath("temp-bgsave-\(getpid()).rdb"), sealingKey: Result { try sealingKey() })
        persistenceState.backgroundSaveInProgress = true
        persistenceState.backgroundSaveCancelled = false
        persistenceState.backgroundSaveStarted = now
        persistenceState.lastSaveAttempt = now / 1000
        log(.notice, "Background saving started")
        DispatchQueue(label: "ember.bgsave").async { job.run() }
        return .started
    }
}

/// The background half of BGSAVE: walks each database's pending entries in short slices under
/// the engine lock, and writes what it encoded to the file outside the lock.
final class BackgroundSaveJob: @unchecked Sendable {
    private let engine: Engine
    private let cursors: [SnapshotCursor]
    private let options: RDBWriteOptions
    private let now: Int64
    private let dirtyAtStart: Int64
    private let temporaryPath: String
    /// The key the file is encrypted with (nil: plaintext), or why the key file can't be read.
    private let sealingKey: Result<EncryptionKey?, any Error>
    /// Where the finished file goes (`dbfilename` when nil) and whether it is an AOF base
    /// (`aof-base 1` in its header).
    private let destination: String?
    private let aofBase: Bool
    /// Called instead of the BGSAVE bookkeeping when set (an AOF rewrite's base): nil on success.
    private let completion: (@Sendable ((any Error)?) -> Void)?
    /// `rdb-save-incremental-fsync` or, for an AOF base, `aof-rewrite-incremental-fsync`.
    private let syncEvery: Int?
    /// Longest time one slice holds the engine lock.
    static let sliceNanoseconds: UInt64 = 500_000

    init(engine: Engine, cursors: [SnapshotCursor], options: RDBWriteOptions, now: Int64, dirtyAtStart: Int64, temporaryPath: String,
         sealingKey: Result<EncryptionKey?, any Error>, destination: String? = nil, aofBase: Bool = false,
         completion: (@Sendable ((any Error)?) -> Void)? = nil) {
        self.sealingKey = sealingKey
        self.destination = destination
        self.aofBase = aofBase
        self.completion = completion
        self.engine = engine
        self.cursors = cursors
        self.options = options
        self.now = now
        self.dirtyAtStart = dirtyAtStart
        self.temporaryPath = temporaryPath
        let persistence = engine.config.persistence
        let incremental = aofBase ? persistence.aofRewriteIncrementalFsync : persistence.rdbSaveIncrementalFsync
        self.syncEvery = incremental ? RDBFileOutput.incrementalSyncBytes : nil
    }

    /// The first error; after it the walk goes on without writing.
    private var failure: (any Error)?

    func run() {
        let started = Clock.monotonicNanoseconds()
        var writer: RDBWriter<RDBFileOutput>?
        do {
            writer = RDBWriter(output: try RDBFileOutput(creating: temporaryPath, encryptingWith: try sealingKey.get(), syncEvery: syncEvery),
                               options: options)
            // `used-mem`: the heap in use as the save starts (Redis's zmalloc_used_memory).
            try writer!.writeHeader(RDBHeader(creationTime: now / 1000, usedMemory: Int64(cember_heap_allocated()), aofBase: aofBase))
        } catch {
            failure = error
        }
        for cursor in cursors {
            do {
                if failure == nil { try writer!.beginDatabase(cursor.databaseNumber, keyCount: cursor.keyCount, expireCount: cursor.expireCount) }
            } catch {
                failure = error
            }
            // After a failure the walk goes on without writing, so every entry ends saved and
            // the next snapshot starts from a consistent parity.
            walk(cursor) { bytes in
                guard failure == nil, !bytes.isEmpty else { return }
                do { try writer!.writeEncoded(bytes) } catch { failure = error }
            }
        }
        let cancelled = engine.lock.withLock { engine.persistenceState.backgroundSaveCancelled }
        if cancelled && failure == nil { failure = PersistenceIOError(message: "cancelled") }
        do {
            if failure == nil {
                try writer!.finish()
                try writer!.output.commit()
                try PersistenceFiles.rename(temporaryPath, to: destination ?? engine.lock.withLock { engine.rdbPath })
            }
        } catch {
            failure = error
        }
        if failure != nil { writer?.output.discard() }
        if let completion {
            completion(failure)
            return
        }
        let seconds = Int64((Clock.monotonicNanoseconds() - started) / 1_000_000_000)
        engine.lock.withLock {
            var state = engine.persistenceState
            state.backgroundSaveInProgress = false
            state.lastBackgroundSaveSeconds = seconds
            if cancelled {
                // Abandoned on request: not a failure (Redis's SIGUSR1 to its child).
                state.backgroundSaveCancelled = false
            } else if let failure {
                state.lastBackgroundSaveOK = false
                engine.log(.warning, "Background saving error: \(failure)")
            } else {
                state.lastBackgroundSaveOK = true
                state.dirtyAtLastSave = dirtyAtStart
                state.savesCompleted += 1
                engine.lastSave = now
                engine.log(.notice, "Background saving terminated with success")
            }
            engine.persistenceState = state
            engine.replicaSnapshotEnded(succeeded: failure == nil && !cancelled, now: Clock.milliseconds())
        }
    }

    /// Saves every pending entry of one database, handing encoded bytes to `emit` outside the lock.
    private func walk(_ cursor: SnapshotCursor, emit: ([UInt8]) -> Void) {
        var sliceOptions = options
        sliceOptions.checksum = false
        sliceOptions.chunkSize = Int.max
        var finished = false
        while !finished {
            var slice = RDBWriter(output: RDBByteArrayOutput(), options: sliceOptions)
            var early: [UInt8] = []
            var delay = 0
            engine.lock.withLock {
                guard let position = engine.databases.indices.first(where: { engine.databases[$0].snapshot === cursor }) else {
                    finished = true
                    return
                }
                early = cursor.takeEarlyEntries()
                // Abandoned or failed: entries are only marked saved, quickly, with no waits.
                let discarding = failure != nil || engine.persistenceState.backgroundSaveCancelled
                if discarding { early = [] }
                let deadline = Clock.monotonicNanoseconds() + Self.sliceNanoseconds
                let keyDelay = discarding ? 0 : engine.config.persistence.rdbKeySaveDelay
                delay = keyDelay
                var visited = 0
                var index = min(cursor.nextIndex, engine.databases[position].keys.count - 1)
                let parity = engine.databases[position].savedParity
                while index >= 0 {
                    let entry = engine.databases[position].keys[index]
                    if entry.value.metadata.savedParity != parity && discarding {
                        engine.databases[position].keys[index].value.metadata.savedParity = parity
                    } else if entry.value.metadata.savedParity != parity {
                        let expire = entry.value.metadata.hasExpire ? engine.databases[position].expires.value(for: entry.key) : nil
                        try? slice.writeEntry(key: entry.key, stored: entry.value, expireAt: expire, now: now)
                        engine.databases[position].keys[index].value.metadata.savedParity = parity
                        // `rdb-key-save-delay`: one key per slice, then the wait, outside the lock.
                        if keyDelay > 0 { index -= 1; break }
                    }
                    index -= 1
                    visited += 1
                    if visited & 63 == 0 && Clock.monotonicNanoseconds() >= deadline { break }
                }
                cursor.nextIndex = index
                if index < 0 {
                    // Nothing pending is left: commands stop saving early, and what they saved goes last.
                    early += cursor.takeEarlyEntries()
                    engine.databases[position].snapshot = nil
                    finished = true
                }
            }
            try? slice.flush()
            emit(early)
            emit(slice.output.bytes)
            if !finished {
                if delay > 0 { usleep(UInt32(min(delay, 1_000_000))) } else { sched_yield() }
            }
        }
        // Tables FLUSHDB emptied meanwhile: nobody else holds them now.
        for table in engine.lock.withLock({ cursor.takeAdopted() }) {
            var slice = RDBWriter(output: RDBByteArrayOutput(), options: sliceOptions)
            for index in table.keys.indices {
                let entry = table.keys[index]
                guard entry.value.metadata.savedParity == table.pendingParity else { continue }
                let expire = entry.value.metadata.hasExpire ? table.expires.value(for: entry.key) : nil
                try? slice.writeEntry(key: entry.key, stored: entry.value, expireAt: expire, now: now)
                if index & 1023 == 1023 {
                    try? slice.flush()
                    emit(slice.output.bytes)
                    slice = RDBWriter(output: RDBByteArrayOutput(), options: sliceOptions)
                }
            }
            try? slice.flush()
            emit(slice.output.bytes)
        }
    }
}

extension RDBWriter {
    /// Appends entries another writer encoded (with the same options) to this stream.
    mutating func writeEncoded(_ bytes: [UInt8]) throws {
        pending.bytes += bytes
        try flushIfFull()
    }
}
