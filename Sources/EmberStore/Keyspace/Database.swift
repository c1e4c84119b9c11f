import EmberRESP

/// One of the numbered databases: the key table and, as in Redis, a second table holding the
/// expiry time (Unix milliseconds) of the keys that have one, so keys without a TTL pay nothing.
public struct Database: Sendable {
    public var keys = HashTable<StoredValue>()
    public var expires = HashTable<Int64>()
    /// Running average TTL of sampled keys, for INFO keyspace (as Redis's `avg_ttl`).
    public internal(set) var averageTTL: Int64 = 0
    /// Keys that blocked clients wait on (BLPOP and friends), and those of them that have been
    /// created since the engine last served its waiters. They belong to the database number, not
    /// to the data: SWAPDB leaves them in place.
    public internal(set) var blockedKeys: Set<Bytes> = []
    public internal(set) var readyKeys: [Bytes] = []
    /// Counts changes to the data (keys written, deleted, expired, TTLs set or cleared,
    /// collections changed in place). One counter shared by all of an engine's databases: the
    /// engine's dirty counter is its value.
    @usableFromInline var changeCounter = ChangeCounter()
    /// The background snapshot walking this database, if one runs. It travels with the data
    /// (SWAPDB), as it must save the data as it was when the snapshot began.
    @usableFromInline var snapshot: SnapshotCursor?
    /// New entries are born with this parity; a snapshot flips it, so every entry that existed
    /// then is pending until the snapshot (or a write, first) saves it.
    @usableFromInline var savedParity = false
    /// This database's number (kept right across SWAPDB) and where its expirations are noted
    /// for propagation; set by the engine.
    @usableFromInline var number = 0
    @usableFromInline var expiryLog: ExpiryLog?
    @usableFromInline var lazyFree: LazyFreeHooks?
    /// WATCH: every change of a key is signalled here (set by the engine, shared by its databases).
    @usableFromInline var watchedKeys = WatchedKeys()

    public init() {}

    public var count: Int { keys.count }

    /// Bytes of table structure beyond the keys' own entries: both bucket arrays and the
    /// expires table (INFO's used_memory_overhead).
    public var tableOverhead: Int {
        keys.bucketCount * MemoryLayout<UInt32>.stride + expires.bucketCount * MemoryLayout<UInt32>.stride
            + expires.count * MemoryLayout<HashTable<Int64>.Entry>.stride
    }

    // MARK: - Lookup

    /// The expiry time of the entry at `index`, or nil.
    @inlinable
    public func expireTime(at index: Int) -> Int64? {
        let entry = keys[index]
        guard entry.value.metadata.hasExpire else { return nil }
        return expires.value(for: entry.key)
    }

    public func expireTime(of key: Bytes) -> Int64? {
        keys.find(key).flatMap { expireTime(at: $0) }
    }

    /// Finds `key`, deleting it first if it has expired (lazy expiry). Returns its entry index.
    @inlinable
    public mutating func find(_ key: Bytes, now: Int64, stats: inout EngineStats) -> Int? {
        guard let index = keys.find(key) else { return nil }
        if keys[index].value.metadata.hasExpire, let when = expires.value(for: key), when <= now {
            willChange(index)
            expires.remove(key)
            if let freer = lazyFree?.onExpire { freer.dispose(keys[index].value.value) }
            keys.remove(at: index)
            expiryLog?.record(db: number, key: key)
            stats.expiredKeys += 1
            changeCounter.value &+= 1
            signalModified(key)
            return nil
        }
        return index
    }

    // MARK: - Mutation

    /// Stores `value` under `key`, replacing any value. The TTL is cleared unless `keepTTL`.
    @discardableResult
    public mutating func set(_ key: Bytes, _ value: Value, lru: UInt32, keepTTL: Bool = false) -> Int {
        if let index = keys.find(key) {
            overwrite(at: index, value, lru: lru, keepTTL: keepTTL)
            return index
        }
        changeCounter.value &+= 1
        if !blockedKeys.isEmpty { noteAdded(key) }
        let index = keys.insertNew(key, StoredValue(value, lru: lru, savedParity: savedParity))
        signalModified(key)
        return index
    }

    /// Replaces the value of the entry at `index` (found by the caller in this command), so a
    /// write to an existing key costs one lookup. The TTL is cleared unless `keepTTL`.
    public mutating func overwrite(at index: Int, _ value: Value, lru: UInt32, keepTTL: Bool = false) {
        willChange(index)
        changeCounter.value &+= 1
        signalModified(at: index)
        if let freer = lazyFree?.onServerDelete { freer.dispose(keys[index].value.value) }
        let hadExpire = keys[index].value.metadata.hasExpire
        keys[index].value.value = value
        keys[index].value.metadata.isRaw = false
        keys[index].value.metadata.lru = lru
        if hadExpire && !keepTTL {
            keys[index].value.metadata.hasExpire = false
            expires.remove(keys[index].key)
        }
    }

    /// Adds a key unless it is present (a loader's duplicate check and insertion, with one
    /// hash of the key); returns its index, or nil for a duplicate.
    public mutating func addIfAbsent(_ key: Bytes, _ value: Value, lru: UInt32) -> Int? {
        let hash = HashTable<StoredValue>.hash(key)
        if keys.find(key, hash: hash) != nil { return nil }
        changeCounter.value &+= 1
        if !blockedKeys.isEmpty { noteAdded(key) }
        let index = keys.insertNew(key, StoredValue(value, lru: lru, savedParity: savedParity), hash: hash)
        signalModified(key)
        return index
    }

    /// Sizes the empty tables for a load (RESIZEDB's hints).
    public mutating func reserve(keys keyCount: Int, expires expireCount: Int) {
        keys.reserve(keyCount)
        expires.reserve(expireCount)
    }

    /// Adds a key known to be absent.
    @discardableResult
    public mutating func add(_ key: Bytes, _ value: Value, lru: UInt32) -> Int {
        changeCounter.value &+= 1
        if !blockedKeys.isEmpty { noteAdded(key) }
        let index = keys.insertNew(key, StoredValue(value, lru: lru, savedParity: savedParity))
        signalModified(key)
        return index
    }

    /// Saves the entry at `index` into the running background snapshot first if that still
    /// needs it: called before anything changes or removes an entry.
    @inlinable
    public mutating func willChange(_ index: Int) {
        // A nil test, not a binding: no reference counting on the path without a snapshot.
        if _slowPath(snapshot != nil) { saveBeforeChange(index) }
    }

    @usableFromInline
    mutating func saveBeforeChange(_ index: Int) {
        guard let snapshot, keys[index].value.metadata.savedParity != savedParity else { return }
        let entry = keys[index]
        let expire = entry.value.metadata.hasExpire ? expires.value(for: entry.key) : nil
        snapshot.saveEarly(key: entry.key, value: entry.value, expire: expire)
        keys[index].value.metadata.savedParity = savedParity
    }

    /// Counts a change made in place to the value of the entry at `index` (a collection or
    /// string edited without replacing it), `count` changes for the dirty counter.
    @inlinable
    public mutating func noteChanged(at index: Int, _ count: Int64 = 1) {
        changeCounter.value &+= count
        signalModified(at: index)
    }

    /// `noteChanged(at:)` by key, for a caller whose entry index may have moved since its
    /// lookup (a later lookup deleted an expired key).
    public mutating func noteChanged(of key: Bytes, _ count: Int64 = 1) {
        changeCounter.value &+= count
        signalModified(key)
    }

    /// Redis's `signalModifiedKey`: `key` changed (written, deleted, expired, its TTL set or
    /// cleared). WATCH attaches here; keyspace tracking will too.
    @usableFromInline @inline(__always)
    func signalModified(_ key: Bytes) {
        if _slowPath(watchedKeys.count > 0) { touchWatched(key) }
    }

    /// `signalModified` for the entry at `index`, reading its key only when someone watches.
    @usableFromInline @inline(__always)
    func signalModified(at index: Int) {
        if _slowPath(watchedKeys.count > 0) { touchWatched(keys[index].key) }
    }

    @usableFromInline
    func touchWatched(_ key: Bytes) {
        watchedKeys.touch(key, db: number) { keys.find(key) != nil }
    }

    /// Whether `key` is in the table with an expiry time that has passed (Redis's
    /// `keyIsExpired`: the key is not deleted here).
    func isLogicallyExpired(_ key: Bytes, now: Int64) -> Bool {
        guard let index = keys.find(key), keys[index].value.metadata.hasExpire,
              let when = expires.value(for: key) else { return false }
        return when <= now
    }

    /// A key someone waits on was created: the engine serves its waiters after this command.
    @usableFromInline
    mutating func noteAdded(_ key: Bytes) {
        if blockedKeys.contains(key) { readyKeys.append(key) }
    }

    /// Removes `key` and its TTL; returns whether it existed.
    @discardableResult
    public mutating func remove(_ key: Bytes) -> Bool {
        guard let index = keys.find(key) else { return false }
        remove(at: index)
        return true
    }

    /// Removes the entry at `index` as a side effect of a command (Redis's `dbDelete`): its
    /// value goes to the background freer with `lazyfree-lazy-server-del`.
    public mutating func delete(at index: Int) {
        if let freer = lazyFree?.onServerDelete { freer.dispose(keys[index].value.value) }
        remove(at: index)
    }

    /// `delete(at:)` by key; returns whether it existed.
    @discardableResult
    public mutating func delete(_ key: Bytes) -> Bool {
        guard let index = keys.find(key) else { return false }
        delete(at: index)
        return true
    }

    /// Removes the entry at `index`, freeing its value here.
    public mutating func remove(at index: Int) {
        willChange(index)
        changeCounter.value &+= 1
        let key = keys[index].key
        if keys[index].value.metadata.hasExpire {
            expires.remove(key)
        }
        keys.remove(at: index)
        signalModified(key)
    }

    /// Sets the expiry time of the (existing) entry at `index`.
    public mutating func setExpire(at index: Int, _ when: Int64) {
        willChange(index)
        changeCounter.value &+= 1
        let key = keys[index].key
        keys[index].value.metadata.hasExpire = true
        expires.set(key, when)
        signalModified(key)
    }

    /// Clears the TTL of the entry at `index`; returns whether it had one.
    @discardableResult
    public mutating func persist(at index: Int) -> Bool {
        guard keys[index].value.metadata.hasExpire else { return false }
        willChange(index)
        changeCounter.value &+= 1
        keys[index].value.metadata.hasExpire = false
        expires.remove(keys[index].key)
        signalModified(at: index)
        return true
    }

    public mutating func removeAll() {
        // WATCH: the keys that exist now are touched (Redis's signalFlushedDb, before emptying).
        if watchedKeys.count > 0 {
            watchedKeys.touchAll(db: number, existsInEmptied: { keys.find($0) != nil }, replacement: nil)
        }
        // A running snapshot keeps the old tables and walks them on its own.
        snapshot?.adopt(keys: keys, expires: expires, pendingParity: !savedParity)
        changeCounter.value &+= Int64(keys.count)
        keys.removeAll()
        expires.removeAll()
        averageTTL = 0
    }

    // MARK: - Background work

    /// One round of Redis's active expiry on this database: sample up to `sampleSize` keys that
    /// have a TTL, delete the expired ones, and go on while more than a quarter of a sample had
    /// expired and `deadline` (monotonic ns) has not passed. Returns the number deleted.
    public mutating func activeExpire<G: RandomNumberGenerator>(
        now: Int64, sampleSize: Int, deadline: UInt64, clock: () -> UInt64, random: inout G
    ) -> Int {
        var deleted = 0
        var ttlSum: Double = 0, ttlSamples: Int64 = 0
        while expires.count > 0 {
            var expiredInRound = 0
            let samples = min(sampleSize, expires.count)
            for _ in 0..<samples {
                guard let index = expires.randomIndex(using: &random) else { break }
                let entry = expires[index]
                if entry.value <= now {
                    let key = entry.key
                    expires.remove(at: index)
                    if let keyIndex = keys.find(key) {
                        willChange(keyIndex)
                        if let freer = lazyFree?.onExpire { freer.dispose(keys[keyIndex].value.value) }
                        keys.remove(at: keyIndex)
                        expiryLog?.record(db: number, key: key)
                        signalModified(key)
                    }
                    changeCounter.value &+= 1
                    expiredInRound += 1
                } else {
                    ttlSum += Double(entry.value - now)
                    ttlSamples += 1
                }
            }
            deleted += expiredInRound
            if ttlSamples > 0 {
                let average = Int64(min(ttlSum / Double(ttlSamples), Double(Int64.max / 2)))
                // Redis folds each round's average into the running one with a small weight.
                averageTTL = averageTTL == 0 ? average : (averageTTL / 50) * 49 + average / 50
            }
            if expiredInRound * 4 <= samples || clock() >= deadline { break }
        }
        if expires.count == 0 { averageTTL = 0 }
        return deleted
    }

    /// Advances any in-progress resize of this database's tables by up to `buckets` buckets.
    @discardableResult
    public mutating func rehash(buckets: Int) -> Bool {
        let a = keys.rehashStep(buckets: buckets)
        let b = expires.rehashStep(buckets: buckets)
        return a || b
    }
}
