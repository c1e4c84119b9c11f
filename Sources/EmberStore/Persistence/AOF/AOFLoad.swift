import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What loading the AOF found.
public struct AOFLoadSummary: Sendable {
    /// False when there was no AOF at all (nothing loaded).
    public var existed = false
    public var filesLoaded = 0
    public var commandsReplayed = 0
    public var keysFromBase = 0
    /// A truncated tail dropped (`aof-load-truncated yes`): the file and the offset it was cut at.
    public var truncatedAt: (file: String, offset: Int)?
    /// The single-file AOF of Redis before 7.0 was moved into the directory.
    public var upgraded = false
}

extension Engine {
    /// Start-up's choice, as Redis: with `appendonly yes` the AOF is the data set (the RDB file
    /// is not read), then it is opened for appending; otherwise `dbfilename` is loaded.
    /// Returns the number of keys loaded. Throws, with the file and offset, when the server
    /// must not start.
    @discardableResult
    public func loadPersistedDataAtStartup() throws -> Int {
        // A missing or bad key file stops the server even when there is nothing to load yet.
        _ = try lock.withLock { try encryptionKeys() }
        guard config.persistence.appendOnly else { return try loadDataAtStartup() }
        _ = try loadAppendOnlyFiles()
        try openAppendOnlyAfterLoad()
        return lock.withLock { databases.reduce(0) { $0 + $1.count } }
    }

    /// Loads the multi-part AOF: the manifest in `appenddirname`, then its base (an RDB, or
    /// commands), then each incremental file replayed through the engine. An old single-file
    /// `appendfilename` in the working directory (no manifest) is first moved into the
    /// directory with a manifest naming it the base, as Redis 7 upgrades it.
    ///
    /// A command cut short at the end of the last file (a crash mid-write) is dropped, and the
    /// file truncated there, when `aof-load-truncated yes` (an error otherwise); anything else
    /// malformed is an error naming the file and the offset.
    public func loadAppendOnlyFiles() throws -> AOFLoadSummary {
        let started = Clock.monotonicNanoseconds()
        let result = try lock.withLock { try loadAppendOnlyFilesLocked() }
        let seconds = Double(Clock.monotonicNanoseconds() - started) / 1e9
        lock.withLock { persistenceState.lastLoadSeconds = seconds }
        if result.existed {
            log(.notice, "DB loaded from append only file: \(String(format3: seconds)) seconds")
        }
        return result
    }

    /// `loadAppendOnlyFiles` for a caller that holds the lock (DEBUG LOADAOF).
    func loadAppendOnlyFilesLocked() throws -> AOFLoadSummary {
        var summary = AOFLoadSummary()
        do {
            persistenceState.loading = true
            defer { persistenceState.loading = false }
            var found: AOFManifest?
            if let text = try PersistenceFiles.read(aofManifestPath) {
                do {
                    found = try AOFManifest.parse(text)
                } catch {
                    throw PersistenceIOError(message: "Bad AOF manifest \(aofManifestPath): \(error)")
                }
            }
            if needsUpgradeFromSingleFile(found) {
                found = try upgradeSingleFileAOF()
                summary.upgraded = true
            }
            guard let manifest = found else {
                appendOnly.manifest = AOFManifest()
                return summary
            }
            appendOnly.manifest = manifest
            summary.existed = true
            let files = manifest.loadOrder
            for (position, entry) in files.enumerated() {
                try loadAOFFile(entry, last: position == files.count - 1, summary: &summary)
                summary.filesLoaded += 1
            }
            if summary.commandsReplayed > 0 { refreshAccessBits() }
            persistenceState.dirtyAtLastSave = dirty
            persistenceState.loadedKeys = Int64(databases.reduce(0) { $0 + $1.count })
            return summary
        }
    }

    /// Whether an old single-file AOF (`appendfilename` in `dir`) is to be moved into the AOF
    /// directory, in Redis's three cases: no AOF directory; no manifest (or an empty one); or
    /// an upgrade interrupted between writing the manifest and moving the file (the manifest
    /// names only that file, as the base, and the directory does not have it).
    private func needsUpgradeFromSingleFile(_ manifest: AOFManifest?) -> Bool {
        let name = config.persistence.appendFilename
        guard PersistenceFiles.exists(name) else { return false }
        guard PersistenceFiles.exists(aofDirectory), let manifest else { return true }
        if manifest.base == nil && manifest.incrementals.isEmpty { return true }
        return manifest.base?.name == name && manifest.incrementals.isEmpty && !PersistenceFiles.exists(aofPath(name))
    }

    /// Moves `appendfilename` into the AOF directory and writes a manifest naming it the base.
    private func upgradeSingleFileAOF() throws -> AOFManifest {
        let name = config.persistence.appendFilename
        try PersistenceFiles.makeDirectory(aofDirectory)
        var manifest = AOFManifest()
        manifest.base = AOFManifest.Entry(name: name, sequence: 1, type: .base)
        try persistManifest(manifest)
        if Glibc.rename(name, aofPath(name)) != 0 {
            throw PersistenceIOError("Error moving the old AOF file \(name) into", aofDirectory)
        }
        PersistenceFiles.syncDirectory(".")
        log(.notice, "Successfully migrated an old-style AOF into the AOF directory \(aofDirectory).")
        return manifest
    }

    /// Loads one file of the AOF (the caller holds the lock). An encrypted file is decrypted
    /// first; a chunk cut short at its end is a truncated tail, as a command cut short is.
    private func loadAOFFile(_ entry: AOFManifest.Entry, last: Bool, summary: inout AOFLoadSummary) throws {
        let path = aofPath(entry.name)
        guard var bytes = try PersistenceFiles.read(path) else {
            throw PersistenceIOError(message: "The append log file \(entry.name) doesn't exist: No such file or directory")
        }
        let encrypted = try decryptPersistenceFile(&bytes, name: entry.name, complete: entry.type == .base)
        // Offsets of an encrypted file are of its decrypted contents.
        let decrypted = encrypted == nil ? "" : " (decrypted)"
        var offset = 0
        if bytes.count >= 5 && Array(bytes[0..<5]) == Array("REDIS".utf8) {
            do {
                let loaded = try loadRDB(bytes, now: Clock.milliseconds(), dropExpired: false)
                summary.keysFromBase += loaded.keysLoaded
                offset = loaded.bytesConsumed
            } catch {
                throw PersistenceIOError(message: "Bad file format reading the append only file \(entry.name): the RDB preamble is not valid (\(error))")
            }
        }
        let result = replayAOFCommands(bytes, from: offset, name: entry.name)
        summary.commandsReplayed += result.commands
        var outcome = result.outcome
        if let torn = encrypted?.tornAt, outcome == .complete {
            log(.warning, "The last chunk of the encrypted append only file \(entry.name) is cut short at offset \(torn)")
            outcome = .truncated(validUpTo: bytes.count, revertedTransaction: false)
        }
        switch outcome {
        case .complete: break
        case .corrupt(let offset, let reason):
            throw PersistenceIOError(message: "\(reason) \(entry.name) at offset \(offset)\(decrypted). Make a backup of the AOF, then use redis-check-aof --fix <manifest>")
        case .truncated(let validUpTo, let revertedTransaction):
            guard last else {
                throw PersistenceIOError(message: "Unexpected end of file reading the append only file \(entry.name) (offset \(validUpTo)\(decrypted)), which is not the last one")
            }
            guard config.persistence.aofLoadTruncated else {
                throw PersistenceIOError(message: "Unexpected end of file reading the append only file \(entry.name) at offset \(validUpTo)\(decrypted). You can: 1) Make a backup of your AOF file, then use redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.")
            }
            if revertedTransaction { log(.warning, "Revert incomplete MULTI/EXEC transaction in AOF file \(entry.name)") }
            log(.warning, "!!! Warning: short read while loading the AOF file \(entry.name)!!!")
            log(.warning, "!!! Truncating the AOF \(entry.name) at offset \(validUpTo)\(decrypted) !!!")
            if let encrypted {
                // Cut by sealing what is kept again, in a new file with a salt of its own: the
                // chunk the cut drops must not be followed by another under its nonce.
                let kept = Array(bytes[0..<validUpTo])
                try PersistenceFiles.writeAtomically(path, bytes: kept, temporary: path + ".truncate.tmp",
                                                     encryptingWith: try sealingKey() ?? encrypted.key)
            } else if truncate(path, off_t(validUpTo)) != 0 {
                throw PersistenceIOError("Error truncating the AOF file \(entry.name)", path)
            }
            log(.warning, "AOF \(entry.name) loaded anyway because aof-load-truncated is enabled")
            summary.truncatedAt = (entry.name, validUpTo)
        }
    }

    enum AOFReplayOutcome: Equatable {
        case complete
        /// Cut short: whole commands end at `validUpTo` (before an unfinished MULTI, if one).
        case truncated(validUpTo: Int, revertedTransaction: Bool)
        case corrupt(offset: Int, reason: String)
    }

    /// Replays the commands of `bytes` from `offset` through the engine, as a client of its own
    /// for which nothing expires (the log's own DELs do that, as when Redis loads), and whose
    /// errors are ignored, as Redis's loading client's. The caller holds the lock.
    func replayAOFCommands(_ bytes: [UInt8], from offset: Int, name: String) -> (commands: Int, outcome: AOFReplayOutcome) {
        var reader = AOFCommandReader(bytes, from: offset)
        let client = ClientState(id: -1, now: Clock.milliseconds(), authenticated: true)
        var commands = 0
        var beforeTransaction = offset
        while true {
            let start = reader.position
            let args: [Bytes]
            do {
                guard let next = try reader.next() else { break }
                args = next
            } catch {
                let inTransaction = client.transaction != nil
                client.transaction = nil
                switch error.problem {
                case .truncated:
                    return (commands, .truncated(validUpTo: inTransaction ? beforeTransaction : error.offset, revertedTransaction: inTransaction))
                case .corrupt(let reason):
                    return (commands, .corrupt(offset: error.offset, reason: reason))
                }
            }
            guard command(for: args) != nil else {
                return (commands, .corrupt(offset: start, reason: "Unknown command '\(args[0].cPrefix(128).string)' reading the append only file"))
            }
            if args[0].equalsLowercased("multi") { beforeTransaction = start }
            var clock = ExecutionClock()
            // Time stands at the epoch: no key expires during the replay and no expiry time
            // is in the past, as while Redis loads.
            clock.wholeMilliseconds = 0
            _ = executeLocked(args, client: client, clock: &clock)
            commands += 1
        }
        if client.transaction != nil {
            client.transaction = nil
            return (commands, .truncated(validUpTo: beforeTransaction, revertedTransaction: true))
        }
        return (commands, .complete)
    }

    /// Keys created by the replay carry the epoch's access bits: give them today's.
    private func refreshAccessBits() {
        let now = Clock.milliseconds()
        let bits = config.usesLFU ? AccessClock.lfuStamp(creatingAt: now) : Engine.lruClock(now)
        for db in databases.indices {
            for index in 0..<databases[db].keys.count { databases[db].keys[index].value.metadata.lru = bits }
        }
    }
}

extension String {
    init(format3 seconds: Double) {
        let milliseconds = Int((seconds * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        self = "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
