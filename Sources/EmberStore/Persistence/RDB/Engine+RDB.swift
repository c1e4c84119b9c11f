import EmberRESP

extension Engine {
    /// Writes every database to `writer` (header to EOF and checksum), as SAVE does. The
    /// caller holds the lock, or owns a snapshot of `databases`.
    public func writeRDB<Output: RDBOutput>(to writer: inout RDBWriter<Output>, now: Int64, usedMemory: Int64 = 0,
                                            aofBase: Bool = false) throws {
        try writer.writeHeader(RDBHeader(creationTime: now / 1000, usedMemory: usedMemory, aofBase: aofBase))
        for index in databases.indices {
            try writer.writeDatabase(databases[index], index: index, now: now)
        }
        try writer.finish()
    }

    /// The whole keyspace as an RDB file in memory, with this server's settings.
    public func rdbSnapshot(now: Int64, usedMemory: Int64 = 0, aofBase: Bool = false) throws -> [UInt8] {
        var writer = RDBWriter(output: RDBByteArrayOutput(), options: RDBWriteOptions(configuration: config))
        try writeRDB(to: &writer, now: now, usedMemory: usedMemory, aofBase: aofBase)
        return writer.output.bytes
    }

    /// Stores a key the loader read: its access bits from the file's IDLE/FREQ (a new key's
    /// otherwise), its expiry as given. Returns false when the database already holds the key
    /// (Redis refuses such a file). The caller holds the lock.
    @discardableResult
    /// RESIZEDB: an empty database is sized for the keys that follow.
    func reserveForLoad(db: Int, keys: Int, expires: Int) {
        guard db >= 0 && db < databases.count, databases[db].count == 0 else { return }
        databases[db].reserve(keys: keys, expires: expires)
    }

    public func storeLoadedKey(_ loaded: RDBLoadedKey, now: Int64) -> Bool {
        guard loaded.db >= 0 && loaded.db < databases.count else { return false }
        let defaultBits = config.usesLFU ? AccessClock.lfuStamp(creatingAt: now) : Engine.lruClock(now)
        let bits = loaded.access.accessBits(usesLFU: config.usesLFU, now: now) ?? defaultBits
        guard let index = databases[loaded.db].addIfAbsent(loaded.key, loaded.value, lru: bits) else { return false }
        if let expireAt = loaded.expireAt { databases[loaded.db].setExpire(at: index, expireAt) }
        return true
    }

    /// Loads an RDB file into the (empty, or merged-into) keyspace with this server's settings.
    /// Keys already expired at `now` are dropped when `dropExpired` (a primary's load), kept
    /// otherwise (a replica's). A key present twice is an error, as in Redis. The caller
    /// holds the lock.
    @discardableResult
    public func loadRDB(_ bytes: [UInt8], now: Int64, dropExpired: Bool = true) throws -> RDBLoadSummary {
        var expired = 0
        // Decoding runs on a thread of its own; this one (holding the lock) stores.
        var summary = try RDBLoadPipeline.load(bytes, options: RDBLoadOptions(configuration: config)) { event in
            switch event {
            case .resize(let db, let keys, let expires):
                reserveForLoad(db: db, keys: keys, expires: expires)
            case .keys(let batch):
                for loaded in batch {
                    if dropExpired, let expireAt = loaded.expireAt, expireAt <= now {
                        expired += 1
                        continue
                    }
                    guard storeLoadedKey(loaded, now: now) else {
                        throw RDBError(offset: 0, reason: "RDB has duplicated key '\(loaded.key.string)' in DB \(loaded.db)")
                    }
                }
            }
        }
        summary.keysLoaded -= expired
        summary.expiredKeysDropped = expired
        return summary
    }
}
