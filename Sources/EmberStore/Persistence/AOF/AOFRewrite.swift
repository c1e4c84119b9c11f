import Dispatch
import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Engine {
    /// BGREWRITEAOF without fork, as Redis 7.0's multi-part rewrite: a new incremental file
    /// opens now (new changes go there; the manifest lists it, so a crash meanwhile loses
    /// nothing), the new base is the point-in-time snapshot of now, written by the background
    /// snapshot job; once it is complete the manifest swaps atomically to the new base and the
    /// new incremental file, and the old files become history and are deleted. The caller holds
    /// the lock.
    public func startAOFRewrite(now: Int64) -> AOFRewriteStart {
        let state = appendOnly
        if state.rewriteInProgress { return .alreadyRunning }
        if persistenceState.backgroundSaveInProgress {
            state.rewriteScheduled = true
            return .scheduled
        }
        state.rewriteScheduled = false
        do {
            try PersistenceFiles.makeDirectory(aofDirectory)
        } catch {
            return rewriteFailedToStart("\(error)", now: now)
        }
        var incremental: String?
        if state.enabled || state.waitingForRewrite {
            var manifest = state.manifest
            let sequence = manifest.currentIncrementalSequence + 1
            let name = AOFManifest.incrementalName(config.persistence.appendFilename, sequence: sequence)
            let path = aofPath(name)
            let descriptor: Int32
            let sealer: ChunkSealer?
            do {
                (descriptor, sealer) = try PersistenceFiles.createAppendFile(path, encryptingWith: try sealingKey())
                manifest.incrementals.append(AOFManifest.Entry(name: name, sequence: sequence, type: .incremental))
                try persistManifest(manifest)
            } catch {
                unlink(path)
                return rewriteFailedToStart("\(error)", now: now)
            }
            state.manifest = manifest
            if let writer = state.writer {
                writer.switchFile(descriptor: descriptor, path: path, sealer: sealer)
            } else {
                startWriter(descriptor: descriptor, path: path, sealer: sealer)
            }
            incremental = name
        }
        // The snapshot: every entry pending from now on, as BGSAVE's.
        let options = RDBWriteOptions(configuration: config)
        var cursors: [SnapshotCursor] = []
        for index in databases.indices where databases[index].count > 0 {
            let cursor = SnapshotCursor(databaseNumber: index, keyCount: databases[index].count,
                                        expireCount: databases[index].expires.count, options: options, now: now)
            databases[index].savedParity.toggle()
            databases[index].snapshot = cursor
            cursors.append(cursor)
        }
        state.rewriteGeneration += 1
        let generation = state.rewriteGeneration
        state.rewriteInProgress = true
        state.rewriteIncremental = incremental
        state.rewriteStarted = Clock.monotonicNanoseconds()
        if config.persistence.noAppendFsyncOnRewrite { state.writer?.suspendFsync = true }
        let temporary = aofPath("temp-rewriteaof-bg-\(getpid()).aof")
        let finished = aofPath("temp-rewriteaof-bg-\(getpid()).done")
        let preamble = config.persistence.aofUseRDBPreamble
        let databaseCount = config.databases
        let syncEvery = config.persistence.aofRewriteIncrementalFsync ? RDBFileOutput.incrementalSyncBytes : nil
        let timestamp = config.persistence.aofTimestampEnabled ? now / 1000 : nil
        let keys = Result<EncryptionKeyRing?, any Error> { try encryptionKeys() }
        let job = BackgroundSaveJob(engine: self, cursors: cursors, options: options, now: now, dirtyAtStart: dirty,
                                    temporaryPath: temporary, sealingKey: keys.map { $0?.current }, destination: finished,
                                    aofBase: true) { [self] failure in
            var failure = failure
            if failure == nil && !preamble {
                // Without the preamble the base is commands: converted from the snapshot, off the lock.
                do { try Self.convertRDBToCommands(finished, databases: databaseCount, keys: keys.get(),
                                                   timestamp: timestamp, syncEvery: syncEvery) } catch { failure = error }
            }
            lock.withLock { finishAOFRewrite(generation: generation, file: finished, preamble: preamble, failure: failure) }
        }
        log(.notice, "Background append only file rewriting started")
        DispatchQueue(label: "ember.aofrewrite").async { job.run() }
        return .started
    }

    private func rewriteFailedToStart(_ message: String, now: Int64) -> AOFRewriteStart {
        log(.warning, "Can't rewrite append only file in background: \(message)")
        appendOnly.lastRewriteOK = false
        appendOnly.consecutiveFailures += 1
        appendOnly.lastFailureTime = now
        return .failed(message)
    }

    /// The rewrite's base is complete (or failed): install it. The caller holds the lock.
    func finishAOFRewrite(generation: Int, file: String, preamble: Bool, failure: (any Error)?) {
        let state = appendOnly
        state.rewriteInProgress = false
        state.writer?.suspendFsync = false
        let seconds = Int64((Clock.monotonicNanoseconds() - state.rewriteStarted) / 1_000_000_000)
        state.lastRewriteSeconds = seconds
        guard generation == state.rewriteGeneration else {
            // The AOF was turned off or on meanwhile: this base is not wanted.
            unlink(file)
            log(.notice, "Background AOF rewrite result discarded")
            return
        }
        func fail(_ message: String) {
            unlink(file)
            state.lastRewriteOK = false
            state.consecutiveFailures += 1
            state.lastFailureTime = Clock.milliseconds()
            log(.warning, "Background AOF rewrite failed: \(message)")
        }
        if let failure { return fail("\(failure)") }
        var manifest = state.manifest
        let sequence = manifest.currentBaseSequence + 1
        let name = AOFManifest.baseName(config.persistence.appendFilename, sequence: sequence, rdb: preamble)
        if Glibc.rename(file, aofPath(name)) != 0 {
            return fail("can't rename the new base to \(name): \(String(cString: strerror(errno)))")
        }
        if var old = manifest.base {
            old.type = .history
            manifest.history.append(old)
        }
        manifest.base = AOFManifest.Entry(name: name, sequence: sequence, type: .base)
        // The incremental files the new base covers: all before the one opened at the start
        // (all of them when the AOF is off).
        let keepFrom = state.rewriteIncremental.flatMap { kept in manifest.incrementals.firstIndex { $0.name == kept } } ?? manifest.incrementals.count
        for var entry in manifest.incrementals[..<keepFrom] {
            entry.type = .history
            manifest.history.append(entry)
        }
        manifest.incrementals.removeFirst(keepFrom)
        do {
            try persistManifest(manifest)
        } catch {
            unlink(aofPath(name))
            return fail("\(error)")
        }
        state.manifest = manifest
        deleteHistoryFiles(&state.manifest)
        try? persistManifest(state.manifest)
        state.rewrites += 1
        state.lastRewriteOK = true
        state.consecutiveFailures = 0
        state.rewriteBaseSize = aofSizes().current
        if state.waitingForRewrite {
            state.waitingForRewrite = false
            state.enabled = true
        }
        log(.notice, "Background AOF rewrite finished successfully")
    }

    /// Rewrites an RDB file as the commands that rebuild it (an AOF base without RDB preamble),
    /// decrypted and encrypted again with `keys` when encryption is on. With `timestamp`
    /// (`aof-timestamp-enabled`, the rewrite's start in seconds) it begins with that `#TS:`
    /// annotation, as Redis's rewrite does.
    static func convertRDBToCommands(_ path: String, databases: Int, keys: EncryptionKeyRing?, timestamp: Int64?,
                                     syncEvery: Int?) throws {
        guard var bytes = try PersistenceFiles.read(path) else { throw PersistenceIOError(message: "the rewritten base \(path) vanished") }
        if EncryptedFileFormat.isEncrypted(bytes) {
            let opened = try EncryptedFileReader.open(bytes, keys: keys)
            guard opened.finished else { throw PersistenceIOError(message: "the rewritten base \(path) is cut short") }
            bytes = opened.plaintext
        }
        var output: [UInt8] = timestamp.map(AOFFormat.timestampAnnotation) ?? []
        var selected = -1
        _ = try RDBLoader.load(bytes, options: RDBLoadOptions(verifyChecksum: false, databases: databases)) { loaded in
            if loaded.db != selected {
                AOFFormat.append([Bytes("SELECT"), Bytes(decimal: Int64(loaded.db))], to: &output)
                selected = loaded.db
            }
            for command in AOFValueCommands.commands(key: loaded.key, value: loaded.value, expireAt: loaded.expireAt) {
                AOFFormat.append(command, to: &output)
            }
        }
        try PersistenceFiles.writeAtomically(path, bytes: output, temporary: path + ".tmp", encryptingWith: keys?.current, syncEvery: syncEvery)
    }
}
