import EmberRESP

extension Engine {
    func registerPersistenceCommands() {
        register("save") { context in
            let engine = context.engine
            if engine.persistenceState.backgroundSaveInProgress { return .error("ERR Background save already in progress") }
            switch engine.saveSynchronously(now: context.now) {
            case .success: return .ok
            case .failure: return .error("ERR")
            }
        }
        register("bgsave") { context in
            let engine = context.engine
            // SCHEDULE matters only while another background job (an AOF rewrite) runs; with
            // none, the save starts at once either way, as in Redis.
            if context.args.count > 2 || (context.args.count == 2 && !context.args[1].equalsLowercased("schedule")) {
                return Errors.syntax
            }
            if engine.persistenceState.backgroundSaveInProgress { return .error("ERR Background save already in progress") }
            // A rewrite's snapshot runs: the save can only wait for it, and only when asked to.
            if engine.aofRewriteInProgress {
                guard context.args.count == 2 else {
                    return .error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
                }
                engine.persistenceState.backgroundSaveScheduled = true
                return .simple("Background saving scheduled")
            }
            // Inside MULTI the save waits for the transaction's end, as Redis schedules it.
            if context.client.executingTransaction {
                engine.persistenceState.backgroundSaveScheduled = true
                return .simple("Background saving scheduled")
            }
            switch engine.startBackgroundSave(now: context.now) {
            case .started: return .simple("Background saving started")
            case .alreadyRunning: return .error("ERR Background save already in progress")
            }
        }
    }

    /// Save points and scheduled saves, from the cron: starts a BGSAVE when one is due.
    func backgroundSaveIfDue(now: Int64) {
        guard !persistenceState.backgroundSaveInProgress else { return }
        if persistenceState.backgroundSaveScheduled {
            persistenceState.backgroundSaveScheduled = false
            _ = startBackgroundSave(now: now)
            return
        }
        let changes = dirty - persistenceState.dirtyAtLastSave
        guard changes > 0 else { return }
        let seconds = now / 1000
        // After a failed save, retry no sooner than 5 s later (Redis's CONFIG_BGSAVE_RETRY_DELAY).
        if !persistenceState.lastBackgroundSaveOK && seconds - persistenceState.lastSaveAttempt <= 5 { return }
        for point in config.persistence.savePoints
        where changes >= Int64(point.changes) && seconds - lastSave / 1000 >= Int64(point.seconds) {
            log(.notice, "\(point.changes) changes in \(point.seconds) seconds. Saving...")
            _ = startBackgroundSave(now: now)
            return
        }
    }
}
