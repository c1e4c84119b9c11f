// Shared by FuzzRDBLoad and FuzzDumpPayload: FuzzDumpPayload/Exercise.swift is a symlink to
// this file (SwiftPM targets cannot share a source file).
#if EMBER_FUZZ
import EmberRESP
import EmberStore

/// An engine with the settings byte's choices (the bits are described in each target), empty.
/// Building an engine (its command table) costs far more than a run, so every combination of
/// settings gets one engine, built in LLVMFuzzerInitialize, and each run empties the engines it
/// used (`finishRun`). Nothing a run allocates outlives it, so libFuzzer's per-input leak
/// check stays meaningful (LeakSanitizer cannot follow Swift's tagged enum payload pointers,
/// so data held across runs would be reported as leaked).
nonisolated(unsafe) var engines: [UInt8: Engine] = [:]
nonisolated(unsafe) var usedEngines: Set<UInt8> = []

func makeEngine(_ flags: UInt8) -> Engine {
    let settings = flags & 0x8f
    usedEngines.insert(settings)
    if let engine = engines[settings] { return engine }
    let engine = Engine(configuration: configuration(settings & 0x0f))
    engines[settings] = engine
    return engine
}

/// Empties the engines this run used.
func finishRun() {
    for settings in usedEngines {
        guard let engine = engines[settings] else { continue }
        let client = engine.makeClient()
        _ = engine.execute(["FLUSHALL", "SYNC"], client: client)
        engine.removeClient(client)
    }
    usedEngines.removeAll(keepingCapacity: true)
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    engines.reserveCapacity(32)
    usedEngines.reserveCapacity(32)
    for settings in UInt8(0)..<16 {
        _ = makeEngine(settings)
        _ = makeEngine(0x80 | settings | 1)
    }
    // One run of the exercise, so one-time allocations (caches, statistics) happen here.
    let engine = makeEngine(0)
    let client = engine.makeClient()
    _ = engine.execute(["RPUSH", "warm-up", "a"], client: client)
    engine.removeClient(client)
    exerciseKeyspace(engine, flags: 0)
    checkSnapshotRoundTrip(engine, flags: 0)
    finishRun()
    return 0
}

func configuration(_ flags: UInt8) -> EngineConfiguration {
    var configuration = EngineConfiguration()
    configuration.enableDebugCommand = "yes"
    // No save points: FLUSHALL would otherwise write dump.rdb into the working directory.
    configuration.persistence.savePoints = []
    configuration.persistence.sanitizeDumpPayload = flags & 1 != 0 ? "yes" : "no"
    configuration.persistence.rdbChecksum = flags & 2 != 0
    if flags & 4 != 0 {
        configuration.limits.hashMaxListpackEntries = 2
        configuration.limits.hashMaxListpackValue = 4
        configuration.limits.setMaxIntsetEntries = 2
        configuration.limits.zsetMaxListpackEntries = 2
        configuration.limits.zsetMaxListpackValue = 4
        configuration.limits.listMaxListpackSize = 2
        configuration.limits.listCompressDepth = 1
    }
    if flags & 8 != 0 { configuration.maxMemoryPolicy = "allkeys-lfu" }
    return configuration
}

func run(_ engine: Engine, _ client: ClientState, _ words: [Bytes]) -> Reply {
    engine.execute(words, client: client)
}

func bulk(_ reply: Reply) -> Bytes? {
    if case .bulk(let bytes) = reply { return bytes }
    return nil
}

func isError(_ reply: Reply) -> Bool {
    if case .error = reply { return true }
    return false
}

/// Every key of every database: the read commands of its type, DUMP/RESTORE with the same
/// digest, and a few writes that make collections grow and shrink (encoding conversions).
func exerciseKeyspace(_ engine: Engine, flags: UInt8) {
    let client = engine.makeClient()
    defer { engine.removeClient(client) }
    for db in 0..<16 {
        guard !isError(run(engine, client, ["SELECT", Bytes(String(db))])) else { break }
        guard case .array(let scan) = run(engine, client, ["SCAN", "0", "COUNT", "1000"]),
              scan.count == 2, case .array(let keyReplies) = scan[1] else { continue }
        var keys: [Bytes] = []
        for reply in keyReplies { if let key = bulk(reply) { keys.append(key) } }
        for key in keys.prefix(64) { exerciseKey(engine, client, key) }
    }
}

func exerciseKey(_ engine: Engine, _ client: ClientState, _ key: Bytes) {
    let reads: [[Bytes]] = [
        ["TYPE", key], ["OBJECT", "ENCODING", key], ["DEBUG", "OBJECT", key], ["MEMORY", "USAGE", key],
        ["GET", key], ["STRLEN", key], ["GETRANGE", key, "-3", "-1"],
        ["HGETALL", key], ["HLEN", key], ["HSCAN", key, "0", "COUNT", "5"], ["HRANDFIELD", key, "-3", "WITHVALUES"],
        ["LRANGE", key, "0", "-1"], ["LLEN", key], ["LINDEX", key, "-1"], ["LPOS", key, "a"],
        ["SMEMBERS", key], ["SCARD", key], ["SISMEMBER", key, "1"], ["SSCAN", key, "0"], ["SRANDMEMBER", key, "-3"],
        ["ZRANGE", key, "0", "-1", "WITHSCORES"], ["ZRANGE", key, "-inf", "+inf", "BYSCORE", "REV"],
        ["ZRANGE", key, "-", "+", "BYLEX"], ["ZCARD", key], ["ZSCAN", key, "0"], ["ZRANK", key, "a"],
        ["ZRANDMEMBER", key, "-3", "WITHSCORES"],
        ["SORT", key, "ALPHA", "LIMIT", "0", "10"],
    ]
    for words in reads { _ = run(engine, client, words) }

    // DUMP, RESTORE under another name: the same value, by DEBUG DIGEST-VALUE.
    let before = bulkOrArray(run(engine, client, ["DEBUG", "DIGEST-VALUE", key]))
    if let payload = bulk(run(engine, client, ["DUMP", key])) {
        let copy = Bytes("fuzz-copy:") + key
        let restored = run(engine, client, ["RESTORE", copy, "0", payload, "REPLACE"])
        precondition(!isError(restored), "RESTORE refused the DUMP of a loaded key: \(restored)")
        let after = bulkOrArray(run(engine, client, ["DEBUG", "DIGEST-VALUE", copy]))
        precondition(before == after, "DUMP/RESTORE changed the value's digest")
        _ = run(engine, client, ["DEL", copy])
    }

    // Writes that grow the value past its encoding's limits, then shrink it.
    let writes: [[Bytes]] = [
        ["APPEND", key, "x"], ["INCR", key],
        ["HSET", key, "fuzz-field", "a-long-enough-value-to-convert-listpack"], ["HDEL", key, "fuzz-field"],
        ["RPUSH", key, "fuzz-element"], ["LPUSH", key, "1"], ["LINSERT", key, "BEFORE", "1", "x"], ["LPOP", key], ["RPOP", key],
        ["SADD", key, "fuzz-member", "12345"], ["SREM", key, "fuzz-member"], ["SPOP", key],
        ["ZADD", key, "1.5", "fuzz-member"], ["ZINCRBY", key, "2", "fuzz-member"], ["ZREM", key, "fuzz-member"], ["ZPOPMIN", key],
    ]
    for words in writes { _ = run(engine, client, words) }
    _ = run(engine, client, ["DEBUG", "DIGEST-VALUE", key])
}

func bulkOrArray(_ reply: Reply) -> [Bytes] {
    switch reply {
    case .bulk(let bytes): return [bytes]
    case .array(let items): return items.compactMap(bulk)
    case .bulkArray(let items): return items
    default: return []
    }
}

/// The keyspace, saved and loaded into a fresh engine, has the same DEBUG DIGEST.
func checkSnapshotRoundTrip(_ engine: Engine, flags: UInt8) {
    let client = engine.makeClient()
    defer { engine.removeClient(client) }
    let digest = bulkOrArray(run(engine, client, ["DEBUG", "DIGEST"]))
    let now = Clock.milliseconds()
    let snapshot: [UInt8]
    do {
        snapshot = try engine.lock.withLock { try engine.rdbSnapshot(now: now) }
    } catch {
        preconditionFailure("SAVE of a loaded keyspace failed: \(error)")
    }
    // Another engine (bit 7), same settings, deep validation: Ember's own file must pass it.
    let reloaded = makeEngine(0x80 | (flags & 0x0f) | 1)
    do {
        try reloaded.lock.withLock { _ = try reloaded.loadRDB(snapshot, now: now, dropExpired: false) }
    } catch {
        preconditionFailure("Ember refused its own snapshot: \(error)")
    }
    let reloadedClient = reloaded.makeClient()
    let reloadedDigest = bulkOrArray(run(reloaded, reloadedClient, ["DEBUG", "DIGEST"]))
    reloaded.removeClient(reloadedClient)
    precondition(digest == reloadedDigest, "SAVE and reload changed DEBUG DIGEST")
}
#endif
