import EmberRESP

extension Engine {
    /// The RDB half of INFO persistence, as Redis 7.0 reports it (the caller holds the lock).
    public func rdbInfoLines(now: Int64) -> [String] {
        let state = persistenceState
        let running = state.backgroundSaveInProgress
        return [
            "loading:\(state.loading ? 1 : 0)", "async_loading:0",
            // No fork: nothing is copied on write, so the copy-on-write figures stay zero.
            "current_cow_peak:0", "current_cow_size:0", "current_cow_size_age:0", "current_fork_perc:0.00",
            "current_save_keys_processed:0", "current_save_keys_total:0",
            "rdb_changes_since_last_save:\(dirty - state.dirtyAtLastSave)",
            "rdb_bgsave_in_progress:\(running ? 1 : 0)",
            "rdb_last_save_time:\(lastSave / 1000)",
            "rdb_last_bgsave_status:\(state.lastBackgroundSaveOK ? "ok" : "err")",
            "rdb_last_bgsave_time_sec:\(state.lastBackgroundSaveSeconds)",
            "rdb_current_bgsave_time_sec:\(running ? (now - state.backgroundSaveStarted) / 1000 : -1)",
            "rdb_saves:\(state.savesCompleted)", "rdb_last_cow_size:0",
            "rdb_last_load_keys_expired:\(state.loadedExpires)", "rdb_last_load_keys_loaded:\(state.loadedKeys)",
        ]
    }

    /// SHUTDOWN's persistence step: save when asked (`save` true), or by default when save
    /// points exist, unless NOSAVE (`save` false). Returns false when the save failed and the
    /// shutdown must not go on (without FORCE), as Redis.
    public func persistBeforeShutdown(save: Bool?, force: Bool, now: Int64) -> Bool {
        let wantsSave = save ?? !config.persistence.savePoints.isEmpty
        if wantsSave {
            // A background save in progress is abandoned: its temporary file never replaces the data.
            cancelBackgroundSave()
            log(.notice, "Saving the final RDB snapshot before exiting.")
            if case .failure = saveSynchronously(now: now) {
                log(.warning, "Error trying to save the DB, can't exit.")
                guard force else { return false }
            }
        }
        // Everything appended to the AOF is written and fsynced, and the writer stops.
        flushAppendOnlyForShutdown()
        return true
    }
}

extension Engine {
    /// The bytes the RDB encoding of `value` takes with this server's settings (Redis's
    /// `rdbSavedObjectLen`, DEBUG OBJECT's `serializedlength`).
    func rdbSerializedLength(_ value: Value) -> Int {
        let encoding = RDBValueEncoding(configuration: config)
        var encoder = RDBEncoder(compression: encoding.compression)
        RDBValueCodec.encode(value, into: &encoder, encoding)
        return encoder.bytes.count
    }
}
