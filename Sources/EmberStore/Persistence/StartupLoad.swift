import EmberRESP

extension Engine {
    /// Loads `dbfilename` from the working directory, as Redis does at start-up (the AOF, when
    /// `appendonly` is on, arrives with the AOF). A missing file is an empty data set; an
    /// unreadable or corrupt one is an error naming the file and what is wrong, and the server
    /// must not start. Returns the keys loaded.
    @discardableResult
    public func loadDataAtStartup() throws -> Int {
        let path = rdbPath
        let started = Clock.monotonicNanoseconds()
        guard var bytes = try PersistenceFiles.read(path) else { return 0 }
        let summary: RDBLoadSummary
        do {
            summary = try lock.withLock {
                persistenceState.loading = true
                defer { persistenceState.loading = false }
                _ = try decryptPersistenceFile(&bytes, name: path, complete: true)
                return try loadRDB(bytes, now: Clock.milliseconds())
            }
        } catch let error as RDBError {
            // Redis's rdbReportError while loading a file: what went wrong and where, then why it stops.
            if error.reason.contains("past the end") { log(.warning, "Short read or OOM loading DB. Unrecoverable error, aborting now.") }
            log(.warning, "Internal error in RDB reading offset \(error.offset), function at rdb.c:0 -> \(error.reason)")
            log(.warning, "Terminating server after rdb file reading failure.")
            throw PersistenceIOError(message: "Fatal error loading the DB (\(path)): \(error)")
        }
        let seconds = Double(Clock.monotonicNanoseconds() - started) / 1e9
        lock.withLock {
            persistenceState.loadedKeys = Int64(summary.keysLoaded)
            persistenceState.loadedExpires = Int64(summary.expiredKeysDropped)
            persistenceState.lastLoadSeconds = seconds
            persistenceState.dirtyAtLastSave = dirty
        }
        // As Redis: the first ten empty keys by name, then the count in the summary line.
        for key in summary.emptyKeysSkippedNames { log(.notice, "rdbLoadObject skipping empty key: \(key.string)") }
        if summary.emptyKeysSkipped > 0 {
            log(.notice, "Done loading RDB, keys loaded: \(summary.keysLoaded), keys expired: \(summary.expiredKeysDropped), empty keys skipped: \(summary.emptyKeysSkipped).")
        } else {
            log(.notice, "Done loading RDB, keys loaded: \(summary.keysLoaded), keys expired: \(summary.expiredKeysDropped).")
        }
        log(.notice, "DB loaded from disk: \(formatSeconds(seconds)) seconds")
        return summary.keysLoaded
    }

    /// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the keyspace and load the file back
    /// (the caller holds the lock). NOFLUSH loads over the current keys, where a key in both is
    /// an error unless MERGE, which lets the file's value win.
    public func debugReload(_ context: CommandContext) -> Reply {
        var save = true, flush = true, merge = false
        for option in context.args.dropFirst(2) {
            if option.equalsLowercased("merge") { merge = true }
            else if option.equalsLowercased("noflush") { flush = false }
            else if option.equalsLowercased("nosave") { save = false }
            else { return .error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.") }
        }
        let now = context.now
        if save {
            if persistenceState.backgroundSaveInProgress { cancelBackgroundSave() }
            if case .failure = saveSynchronously(now: now) { return .error("ERR Error trying to save the DB") }
        }
        let failed = Reply.error("ERR Error trying to load the RDB dump, check server logs.")
        var bytes: [UInt8]
        do {
            guard let read = try PersistenceFiles.read(rdbPath) else { return failed }
            bytes = read
            _ = try decryptPersistenceFile(&bytes, name: rdbPath, complete: true)
        } catch {
            log(.warning, "Error loading the RDB dump: \(error)")
            return failed
        }
        if flush { self.flush(db: nil, lazily: false) }
        do {
            try RDBLoader.load(bytes, options: RDBLoadOptions(configuration: config), onResize: reserveForLoad) { loaded in
                if let expireAt = loaded.expireAt, expireAt <= now { return }
                if merge, loaded.db < databases.count, let index = databases[loaded.db].keys.find(loaded.key) {
                    databases[loaded.db].remove(at: index)
                }
                guard storeLoadedKey(loaded, now: now) else {
                    throw RDBError(offset: 0, reason: "RDB has duplicated key '\(loaded.key.string)' in DB \(loaded.db)")
                }
            }
        } catch {
            log(.warning, "Error loading the RDB dump: \(error)")
            return failed
        }
        persistenceState.dirtyAtLastSave = dirty
        log(.notice, "DB reloaded by DEBUG RELOAD")
        return .ok
    }

    private func formatSeconds(_ seconds: Double) -> String {
        let milliseconds = Int((seconds * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

extension Engine {
    /// DEBUG LOADAOF: the AOF written and fsynced, the keyspace emptied and loaded back from
    /// the AOF files (the caller holds the lock). Replayed commands are not appended again.
    public func debugLoadAppendOnly() -> Reply {
        let writer = appendOnly.writer
        if let writer {
            writer.flush(sync: true)
            propagation.remove(writer)
        }
        defer { if let writer { propagation.add(writer) } }
        flush(db: nil, lazily: false)
        do {
            _ = try loadAppendOnlyFilesLocked()
        } catch {
            log(.warning, "Error loading the AOF by DEBUG LOADAOF: \(error)")
            return .error("ERR Error loading the append only file, check server logs.")
        }
        _ = expiryLog.take()
        persistenceState.dirtyAtLastSave = dirty
        log(.warning, "Append Only File loaded by DEBUG LOADAOF")
        return .ok
    }
}
