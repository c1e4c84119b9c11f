import EmberRESP
import NIOConcurrencyHelpers

/// The store: databases, the command table and the statistics, behind one lock.
///
/// Commands run one at a time (each is atomic with respect to the keyspace, as in Redis); a
/// connection runs a whole pipeline batch per lock acquisition, and parses and encodes outside.
public final class Engine: @unchecked Sendable {
    public let lock = NIOLock()
    // The hot state is only touched under `lock`, so runtime exclusivity checks (a call
    // into the Swift runtime per access) buy nothing here.
    @exclusivity(unchecked) public var databases: [Database]
    @exclusivity(unchecked) public var config: EngineConfiguration {
        didSet { applyLazyFreeSettings() }
    }
    @exclusivity(unchecked) public var stats = EngineStats()
    /// Top-level commands by name.
    @exclusivity(unchecked) public private(set) var commands = CommandTable()
    @exclusivity(unchecked) public var random = Xoshiro256(seed: UInt64.random(in: .min ... .max))
    /// Clients registered with the engine, by id (for CLIENT LIST/KILL and INFO).
    @exclusivity(unchecked) public var clients: [Int64: ClientState] = [:]
    /// Frees large values in the background (UNLINK, FLUSH* ASYNC, `lazyfree-lazy-*`).
    public let lazyFreer = LazyFreer()
    /// Clients blocked on keys (BLPOP and friends), FIFO per key.
    @exclusivity(unchecked) var waiters = WaiterQueues()
    /// The server log (`loglevel`, `logfile`), installed by the server.
    public var logSink: (any ServerLogSink)?
    /// Installed by the transport: closes a client's connection (CLIENT KILL).
    public var clientCloser: (@Sendable (ClientState) -> Void)?
    /// Installed by the transport: fills in the socket descriptors of clients that lack one,
    /// looked up only when CLIENT INFO or LIST shows them.
    public var fileDescriptorResolver: (@Sendable ([ClientState]) -> Void)?

    func resolveFileDescriptors(_ clients: [ClientState]) {
        let unresolved = clients.filter { $0.fileDescriptor < 0 && !$0.peerAddress.isEmpty }
        if !unresolved.isEmpty { fileDescriptorResolver?(unresolved) }
    }
    private var nextClientID: Int64 = 0
    /// Changes to the data since start-up (Redis's `server.dirty`): save points, INFO
    /// persistence and propagation read it. Each database counts its own.
    @inlinable public var dirty: Int64 { changeCounter.value }
    @usableFromInline let changeCounter = ChangeCounter()
    /// Persistence state: last save, background save in progress, its outcome (INFO persistence).
    @exclusivity(unchecked) public var persistenceState = PersistenceState()
    /// The one place every change leaves the engine in its deterministic form (the AOF now,
    /// replicas later).
    public let propagation = Propagation()
    /// Keys expired since the last propagation, to leave as DELs before what follows them.
    let expiryLog = ExpiryLog()
    /// Set by a command that propagates even when it changed nothing (Redis's
    /// forceCommandPropagation: FLUSHDB and FLUSHALL on empty databases); reset by `call`.
    @exclusivity(unchecked) var propagationForced = false
    /// Channels and patterns with their subscribers.
    public let pubSub = PubSub()
    /// WATCH: who watches which key; the databases signal their changes to it.
    public let watchedKeys = WatchedKeys()
    /// `lazyfree-lazy-expire` and `-server-del` as the databases apply them.
    let lazyFreeHooks = LazyFreeHooks()
    /// The append-only file: its writer, manifest and rewrite state.
    public let appendOnly = AppendOnlyState()
    /// The primary side of replication: replicas attached with SYNC/PSYNC and their stream.
    public let replication = ReplicationState()
    /// Installed by the transport: how the engine writes to a client that became a replica.
    public var replicaTransportFactory: (@Sendable (ClientState) -> ReplicaTransport?)?
    /// Unix ms of the last successful save (LASTSAVE); start time until persistence exists.
    public var lastSave: Int64
    public let startTime: Int64
    public init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.config = configuration
        self.databases = Array(repeating: Database(), count: max(1, configuration.databases))
        for index in databases.indices {
            databases[index].number = index
            databases[index].expiryLog = expiryLog
            databases[index].changeCounter = changeCounter
            databases[index].lazyFree = lazyFreeHooks
            databases[index].watchedKeys = watchedKeys
        }
        self.startTime = Clock.milliseconds()
        self.lastSave = startTime
        applyLazyFreeSettings()
        registerBuiltinCommands()
    }

    private func applyLazyFreeSettings() {
        lazyFreeHooks.onExpire = config.lazyFreeExpire ? lazyFreer : nil
        lazyFreeHooks.onServerDelete = config.lazyFreeServerDel ? lazyFreer : nil
    }

    private func registerBuiltinCommands() {
        replication.engine = self
        registerStringCommands()
        registerKeyCommands()
        registerHashCommands()
        registerSetCommands()
        registerListCommands()
        registerSortedSetCommands()
        registerSortCommands()
        registerMemoryCommands()
        registerTransactionCommands()
        registerPubSubCommands()
        registerDebugCommand()
        registerConnectionCommands()
        registerCommandCommands()
        registerDumpRestoreCommands()
        registerPersistenceCommands()
        registerAppendOnlyCommands()
        registerReplicationCommands()
    }

    // MARK: - Clock

    @inlinable
    public static func lruClock(_ milliseconds: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: milliseconds / 1000) & KeyMetadata.lruMask
    }

    // MARK: - Clients

    /// Registers a new client and returns its state (call under the lock).
    public func makeClient() -> ClientState {
        nextClientID += 1
        let client = ClientState(id: nextClientID, now: Clock.milliseconds(), authenticated: config.requirePass == nil)
        clients[client.id] = client
        return client
    }

    public func removeClient(_ client: ClientState) {
        unblock(client)
        watchedKeys.unwatchAll(client)
        pubSub.removeAll(client)
        client.deliver = nil
        detachReplica(client)
        client.wake = nil
        clients[client.id] = nil
    }

    // MARK: - Command table

    /// Installs `handler` for the command `name` (`config|get` for a subcommand). The spec comes
    /// from the generated Redis 7.0 table; a name not in it is a programming error.
    public func register(_ name: String, _ handler: @escaping CommandHandler) {
        let parts = name.split(separator: "|").map(String.init)
        if parts.count == 1 {
            guard let spec = CommandSpec.all.first(where: { $0.name == name }) else {
                preconditionFailure("no spec for command \(name)")
            }
            let command = Command(spec: spec, handler: handler)
            if let previous = commands[Bytes(name)] { command.adoptSubcommands(of: previous) }
            commands.insert(command, named: Bytes(name))
        } else {
            let containerName = parts[0]
            guard let containerSpec = CommandSpec.all.first(where: { $0.name == containerName }),
                  let spec = containerSpec.subcommands.first(where: { $0.name == name })
            else { preconditionFailure("no spec for command \(name)") }
            let container = commands[Bytes(containerName)] ?? Command(spec: containerSpec, handler: nil)
            container.addSubcommand(Command(spec: spec, handler: handler), named: Bytes(parts[1]))
            commands.insert(container, named: Bytes(containerName))
        }
    }

    /// Installs a subcommand whose spec is declared in code (one newer than the 7.0 table).
    public func registerSubcommand(spec: CommandSpec, _ handler: @escaping CommandHandler) {
        let parts = spec.name.split(separator: "|").map(String.init)
        guard parts.count == 2, let container = commands[Bytes(parts[0])] else {
            preconditionFailure("no container for \(spec.name)")
        }
        container.addSubcommand(Command(spec: spec, handler: handler), named: Bytes(parts[1]))
    }

    /// The command for a request, with subcommand resolution as Redis's `lookupCommand`.
    public func command(for args: [Bytes]) -> Command? {
        guard let first = args.first, let command = commands[first] else { return nil }
        if command.subcommands.isEmpty || args.count == 1 { return command }
        return command.subcommands[args[1]]
    }

    /// All served commands, top-level first then subcommands, for COMMAND replies.
    public var allCommands: [Command] { commands.commands.sorted { $0.name < $1.name } }

    // MARK: - Execution

    /// Runs one command under the lock.
    public func execute(_ args: [Bytes], client: ClientState) -> Reply {
        lock.withLock {
            var clock = ExecutionClock()
            return executeLocked(args, client: client, clock: &clock)
        }
    }

    /// Runs one command; the caller holds the lock. `clock` is shared by the commands of a batch.
    public func executeLocked(_ args: [Bytes], client: ClientState, clock: inout ExecutionClock) -> Reply {
        let reply = dispatch(args, client: client, clock: &clock)
        if case .error(let message) = reply { stats.recordError(message) }
        // Keys that got data wake their blocked clients once the command (a whole EXEC) is done.
        if waiters.blockedCount > 0 { serveReadyKeys(now: clock.milliseconds) }
        return reply
    }

    /// Runs one command of an EXEC: as a top-level command, but waiters wait for the whole.
    func executeQueued(_ args: [Bytes], client: ClientState, clock: inout ExecutionClock) -> Reply {
        let reply = dispatch(args, client: client, clock: &clock)
        if case .error(let message) = reply { stats.recordError(message) }
        return reply
    }

    /// Redis's `processCommand`: look the command up, run the admission checks in order, queue
    /// it inside MULTI, else execute it.
    private func dispatch(_ args: [Bytes], client: ClientState, clock: inout ExecutionClock) -> Reply {
        client.lastInteraction = clock.milliseconds
        let command = command(for: args)
        // Set before any check, as Redis's lastcmd, so CLIENT INFO names the running command.
        client.lastCommand = command?.name ?? "NULL"
        guard let command else {
            stats.rejectedCalls += 1
            client.transactionFailed = client.transaction != nil
            return unknownCommandError(args)
        }
        if let rejection = admit(command, args, client: client) {
            command.rejectedCalls += 1
            stats.rejectedCalls += 1
            return rejection
        }
        if client.transaction != nil && !Engine.runsInsideTransaction(command) {
            client.transaction!.append(args)
            return .simple("QUEUED")
        }
        guard command.handler != nil else { return unknownCommandError(args) }
        return call(command, args, client: client, clock: &clock)
    }

    /// Redis's `call`: runs an admitted command. The only place that updates the command
    /// statistics, the dirty counter and propagation.
    func call(_ command: Command, _ args: [Bytes], client: ClientState, clock: inout ExecutionClock) -> Reply {
        let dirtyBefore = dirty
        let forcedBefore = propagationForced
        propagationForced = false
        let context = CommandContext(engine: self, client: client, args: args, now: clock.milliseconds)
        let reply = command.handler!(context)
        // Kept for an enclosing call (EXEC), which propagates when any of its commands forced it.
        let forced = propagationForced
        propagationForced = forcedBefore || forced
        // Since the previous reading: this command plus the few lookups before it.
        let elapsed = clock.advance()
        command.calls += 1
        command.nanoseconds &+= Int64(truncatingIfNeeded: elapsed)
        if case .error = reply { command.failedCalls += 1 }
        stats.commandsProcessed += 1
        if dirty != dirtyBefore || forced {
            if !expiryLog.isEmpty { propagateExpirations() }
            if propagation.isActive { propagation.commandChangedData(command, context, reply: reply) }
        }
        return reply
    }

    /// Expired keys leave through the propagation point as DELs, in the order they expired.
    func propagateExpirations() {
        let expired = expiryLog.take()
        guard propagation.isActive else { return }
        for (db, key) in expired { propagation.keyRemoved(db: db, key: key, lazily: config.lazyFreeExpire) }
    }

    private func unknownCommandError(_ args: [Bytes]) -> Reply {
        guard let name = args.first else { return .error("ERR unknown command ''") }
        if args.count > 1, let container = commands[name], !container.subcommands.isEmpty {
            return .error("ERR unknown subcommand '", .bytes(args[1].cPrefix(128)), "'. Try ",
                          .bytes(name.cPrefix(128).asciiUppercased()), " HELP.")
        }
        // As Redis: the arguments are quoted one by one until their text reaches 128 bytes.
        var rest: [UInt8] = []
        var index = 1
        while index < args.count && rest.count < 128 {
            rest.append(UInt8(ascii: "'"))
            rest += args[index].cPrefix(128 - rest.count + 1).array
            rest += Array("' ".utf8)
            index += 1
        }
        return .error("ERR unknown command '", .bytes(name.cPrefix(128)), "', with args beginning with: ", .bytes(Bytes(rest)))
    }

    // MARK: - Keyspace helpers for commands

    /// Finds `key` for reading: lazy expiry, LRU update, and hit/miss statistics.
    @inlinable
    public func lookupRead(_ key: Bytes, _ context: CommandContext) -> Int? {
        let index = databases[context.db].find(key, now: context.now, stats: &stats)
        if let index {
            stats.keyspaceHits += 1
            touch(index, context)
        } else {
            stats.keyspaceMisses += 1
        }
        return index
    }

    /// Records an access to the entry at `index` in its LRU or LFU bits.
    @inlinable
    public func touch(_ index: Int, _ context: CommandContext) {
        if config.usesLFU {
            let stamp = databases[context.db].keys[index].value.metadata.lru
            databases[context.db].keys[index].value.metadata.lru = AccessClock.lfuStamp(
                touching: stamp, now: context.now, logFactor: config.lfuLogFactor,
                decayTime: config.lfuDecayTime, random: &random)
        } else {
            databases[context.db].keys[index].value.metadata.lru = Engine.lruClock(context.now)
        }
    }

    /// Finds `key` for writing: lazy expiry only.
    @inlinable
    public func lookupWrite(_ key: Bytes, _ context: CommandContext) -> Int? {
        let index = databases[context.db].find(key, now: context.now, stats: &stats)
        // A background snapshot that still needs this entry saves it before the write.
        if let index { databases[context.db].willChange(index) }
        return index
    }

    /// Deletes the entry at `index`, handing a large value to the background freer when
    /// `lazily` (Redis's `dbAsyncDelete`).
    public func removeEntry(at index: Int, db: Int, lazily: Bool) {
        if lazily { lazyFreer.dispose(databases[db].keys[index].value.value) }
        databases[db].remove(at: index)
    }

    /// Empties database `db` (all when nil); `lazily` frees the old tables in the background.
    public func flush(db: Int?, lazily: Bool) {
        let indexes = db.map { [$0] } ?? Array(databases.indices)
        guard lazily else {
            for index in indexes { databases[index].removeAll() }
            return
        }
        var old: [Database] = []
        for index in indexes where databases[index].count > 0 {
            old.append(databases[index])
            databases[index].removeAll()
        }
        if !old.isEmpty { lazyFreer.release(old) }
    }

    // MARK: - Cron

    /// Periodic housekeeping, called `hz` times per second: active expiry (a quarter of the
    /// period at most, as Redis's slow cycle) and incremental rehashing (1 ms at most per db).
    public func cron() {
        lock.withLock {
            if config.debug.cronPaused { return }
            let now = Clock.milliseconds()
            if config.activeExpireEnabled {
                let budget = UInt64(1_000_000_000 / max(1, config.hz)) / 4
                let deadline = Clock.monotonicNanoseconds() + budget
                for index in databases.indices where databases[index].expires.count > 0 {
                    stats.expiredKeys += Int64(databases[index].activeExpire(
                        now: now, sampleSize: 20, deadline: deadline, clock: Clock.monotonicNanoseconds, random: &random))
                    if Clock.monotonicNanoseconds() >= deadline {
                        stats.expiredTimeCapReachedCount += 1
                        break
                    }
                }
            }
            if !expiryLog.isEmpty { propagateExpirations() }
            backgroundSaveIfDue(now: now)
            appendOnlyCron(now: now)
            replicationCron(now: now)
            for index in databases.indices {
                let deadline = Clock.monotonicNanoseconds() + 1_000_000
                while databases[index].rehash(buckets: 100) && Clock.monotonicNanoseconds() < deadline {}
            }
        }
    }
}
