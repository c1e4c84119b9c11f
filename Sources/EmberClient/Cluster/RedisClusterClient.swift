import EmberRESP
import EmberStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A client for a Redis Cluster: routes each command to the primary that owns its keys' hash
/// slot, with one connection pool per node.
///
/// ```swift
/// let cluster = try await RedisClusterClient.connect(seeds: [("127.0.0.1", 7000)])
/// try await cluster.set("user:{42}:name", to: "Ada")
/// ```
///
/// - The slot map comes from `CLUSTER SLOTS` on any known node, and is refreshed after MOVED.
/// - MOVED: the slot's owner is updated, the map refreshed and the command retried on the new
///   owner. ASK: `ASKING` then the command go to the named node, the map is left as it is.
///   TRYAGAIN and CLUSTERDOWN: retried after a short backoff. Both are bounded.
/// - MGET, DEL, EXISTS, UNLINK, TOUCH and MSET whose keys span slots are split per slot and the
///   replies merged (MGET in key order, counts summed). Other commands whose keys span slots
///   throw `RedisClientError` with code `.crossSlot` before anything is sent.
/// - `pipeline` groups its commands by node: one write per node, the nodes concurrently, so
///   order holds among commands to the same node only (as on any cluster); keyless commands,
///   split multi-slot commands and commands answered with a redirect run on their own
///   afterwards. A pipeline that is a transaction (MULTI ... EXEC, as `multi` sends) goes
///   whole to the node of its keys' slot.
/// - `watch` runs a WATCH-based transaction on a dedicated connection to the keys' node.
/// - Sharded pub/sub: `subscribe(toShardChannels:)` subscribes on the node that owns the
///   channels' slot; SPUBLISH is routed like any keyed command.
public final class RedisClusterClient: RedisCommandExecutor {
    /// A node's address, as the cluster names it.
    public struct NodeAddress: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { "\(host):\(port)" }
    }

    public struct Configuration: Sendable {
        /// Nodes to ask for the slot map first.
        public var seeds: [NodeAddress]
        /// Settings for every node's connections (its endpoint is replaced by the node's address;
        /// `database` must stay 0 in a cluster).
        public var connection: RedisConnectionConfiguration
        public var maximumConnectionsPerNode: Int = 2
        /// Sends read-only commands (GET, HGETALL, ZRANGE, ... as Redis flags them) with a
        /// single slot to an online replica of the slot's primary, over connections that sent
        /// READONLY; writes still go to the primary. Replicas lag slightly behind: a read may
        /// not see a write just acknowledged. A replica that cannot be reached or redirects
        /// sends the read to the primary.
        public var readsFromReplicas: Bool = false
        /// MOVED/ASK redirects followed for one command before it fails.
        public var maximumRedirects: Int = 5
        /// TRYAGAIN/CLUSTERDOWN (and failed connects) retried for one command before it fails.
        public var maximumRetries: Int = 5
        /// The first retry's delay; each further retry waits one more of it.
        public var retryDelay: Duration = .milliseconds(100)

        public init(seeds: [NodeAddress], connection: RedisConnectionConfiguration = RedisConnectionConfiguration()) {
            self.seeds = seeds
            self.connection = connection
        }
    }

    public let configuration: Configuration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    private struct State {
        /// The primary that owns each slot (nil while unknown).
        var slots: [NodeAddress?] = Array(repeating: nil, count: RedisClusterHashSlot.count)
        var primaries: [NodeAddress] = []
        var pools: [NodeAddress: RedisConnectionPool] = [:]
        /// Sharded pub/sub: one subscriber per node that owns subscribed channels.
        var subscribers: [NodeAddress: RedisSubscriber] = [:]
        /// Each primary's replicas that are online (for reads from replicas).
        var replicas: [NodeAddress: [NodeAddress]] = [:]
        /// Pools to replicas, whose connections send READONLY.
        var replicaPools: [NodeAddress: RedisConnectionPool] = [:]
        var closed = false
        var rotation = 0
    }

    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = RedisConnection.disabledLogger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.state = NIOLockedValueBox(State())
    }

    /// A client for the cluster `seeds` belong to, with its slot map loaded.
    public static func connect(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = RedisConnection.disabledLogger
    ) async throws -> RedisClusterClient {
        let client = RedisClusterClient(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        do {
            try await client.refreshSlotMap()
        } catch {
            try? await client.close()
            throw error
        }
        return client
    }

    public static func connect(seeds: [(host: String, port: Int)]) async throws -> RedisClusterClient {
        try await connect(configuration: Configuration(seeds: seeds.map { NodeAddress(host: $0.host, port: $0.port) }))
    }

    deinit {
        let pools = state.withLockedValue { Array($0.pools.values) }
        for pool in pools {
            for connection in pool.openConnections { connection.channel.close(promise: nil) }
        }
    }

    /// Closes every node's connections; later commands fail with `.closed`.
    public func close() async throws {
        let (pools, subscribers) = state.withLockedValue { state in
            state.closed = true
            defer {
                state.pools = [:]
                state.replicaPools = [:]
                state.subscribers = [:]
            }
            return (Array(state.pools.values) + Array(state.replicaPools.values), Array(state.subscribers.values))
        }
        for subscriber in subscribers { try? await subscriber.close() }
        for pool in pools { try? await pool.close() }
    }

    // MARK: - Slot map

    /// The primary that owns `slot` in the current map.
    public func primary(forSlot slot: Int) -> NodeAddress? {
        state.withLockedValue { $0.slots[slot] }
    }

    /// The replicas of `primary` in the current map (those not marked failed).
    public func replicas(of primary: NodeAddress) -> [NodeAddress] {
        state.withLockedValue { $0.replicas[primary] ?? [] }
    }

    /// The primaries in the current map.
    public var primaries: [NodeAddress] {
        state.withLockedValue { $0.primaries }
    }

    /// The pool for one node (created on first use).
    public func pool(for node: NodeAddress) throws -> RedisConnectionPool {
        try pool(for: node, readOnly: false)
    }

    /// The pool for `node` in the primaries' or the replica reads' table, made on first use.
    private func pool(for node: NodeAddress, readOnly: Bool) throws -> RedisConnectionPool {
        let table: WritableKeyPath<State, [NodeAddress: RedisConnectionPool]> = readOnly ? \.replicaPools : \.pools
        return try state.withLockedValue { state in
            if state.closed { throw RedisClientError(.closed, "the cluster client is closed") }
            if let pool = state[keyPath: table][node] { return pool }
            var connection = configuration.connection
            connection.endpoint = .tcp(host: node.host, port: node.port)
            connection.readOnly = readOnly
            let pool = RedisConnectionPool(
                configuration: connection, maximumConnections: configuration.maximumConnectionsPerNode,
                eventLoopGroup: eventLoopGroup, logger: logger)
            state[keyPath: table][node] = pool
            return pool
        }
    }

    /// Loads the slot map from the first known node (primaries of the current map, then the
    /// seeds) that answers: `CLUSTER SHARDS` (Redis 7), or `CLUSTER SLOTS` where SHARDS is
    /// unknown. Replicas marked failed are left out.
    public func refreshSlotMap() async throws {
        let candidates = state.withLockedValue { state -> [NodeAddress] in
            var seen = Set<NodeAddress>()
            return (state.primaries + configuration.seeds).filter { seen.insert($0).inserted }
        }
        var lastError: (any Error)?
        for node in candidates {
            do {
                let pool = try pool(for: node)
                let topology: ClusterTopology
                do {
                    topology = try ClusterTopology(shards: try await pool.execute(["CLUSTER", "SHARDS"]), askedNode: node)
                } catch let error as RedisServerError where error.code == .err {
                    topology = try ClusterTopology(slots: try await pool.execute(["CLUSTER", "SLOTS"]), askedNode: node)
                }
                state.withLockedValue { state in
                    state.slots = topology.slots
                    state.primaries = topology.primaries
                    state.replicas = topology.replicas
                }
                return
            } catch let error as RedisClientError where error.code == .closed {
                throw error
            } catch {
                logger.debug("slot map refresh failed", metadata: ["node": "\(node)", "error": "\(error)"])
                lastError = error
            }
        }
        throw RedisClientError(.clusterUnavailable, "no node gave a slot map (last error: \(lastError.map { "\($0)" } ?? "no nodes"))")
    }


    // MARK: - Commands

    public func execute(_ command: RESPCommand) async throws -> RESPValue {
        guard !command.arguments.isEmpty else { throw RedisClientError(.unsupportedCommand, "empty command") }
        switch try Self.route(of: command) {
        case .anyPrimary: return try await executeRouted(command, slot: nil)
        case .slot(let slot): return try await executeRouted(command, slot: slot)
        case .split(let name): return try await executeSplit(command, name: name)
        }
    }

    /// Where a command goes, from its keys.
    private enum Route {
        /// No keys: any primary.
        case anyPrimary
        /// Every key hashes to this slot.
        case slot(Int)
        /// MGET/DEL/EXISTS/UNLINK/TOUCH/MSET (the uppercased name) over several slots: split.
        case split(String)
    }

    /// Throws `.crossSlot` for any other command whose keys span slots, before anything is sent.
    private static func route(of command: RESPCommand) throws -> Route {
        let keys = ClusterKeySpec.keys(of: command)
        guard let first = keys.first else { return .anyPrimary }
        let slot = RedisClusterHashSlot.slot(for: first)
        if keys.count == 1 || keys.allSatisfy({ RedisClusterHashSlot.slot(for: $0) == slot }) { return .slot(slot) }
        let name = command.name.string.uppercased()
        switch name {
        case "MGET", "DEL", "EXISTS", "UNLINK", "TOUCH", "MSET":
            return .split(name)
        default:
            throw RedisClientError(.crossSlot, "CROSSSLOT: the keys of \(name) hash to different slots; use {hash tags} to keep them in one slot")
        }
    }

    /// MGET/DEL/EXISTS/UNLINK/TOUCH/MSET over several slots: one command per slot, run
    /// concurrently, replies merged.
    private func executeSplit(_ command: RESPCommand, name: String) async throws -> RESPValue {
        let stride = name == "MSET" ? 2 : 1
        let arguments = command.arguments
        guard (arguments.count - 1) % stride == 0 else {
            throw RedisServerError(message: "ERR wrong number of arguments for '\(name.lowercased())' command")
        }
        // Per slot, in order of first appearance: the positions (in key order) of its keys.
        var order: [Int] = []
        var groups: [Int: [Int]] = [:]
        let keyCount = (arguments.count - 1) / stride
        for position in 0..<keyCount {
            let slot = RedisClusterHashSlot.slot(for: arguments[1 + position * stride])
            if groups[slot] == nil { order.append(slot) }
            groups[slot, default: []].append(position)
        }
        let replies = try await withThrowingTaskGroup(of: (Int, RESPValue).self) { group in
            for (index, slot) in order.enumerated() {
                var part = RESPCommand([command.name])
                for position in groups[slot]! {
                    for offset in 0..<stride { part.arguments.append(arguments[1 + position * stride + offset]) }
                }
                group.addTask { (index, try await self.executeRouted(part, slot: slot)) }
            }
            var replies = [RESPValue?](repeating: nil, count: order.count)
            for try await (index, reply) in group { replies[index] = reply }
            return replies.map { $0! }
        }
        switch name {
        case "MGET":
            var values = [RESPValue](repeating: .null, count: keyCount)
            for (index, slot) in order.enumerated() {
                guard case .array(let part) = replies[index], part.count == groups[slot]!.count else {
                    throw RedisClientError.unexpectedReply(replies[index], expected: "an MGET array")
                }
                for (position, value) in zip(groups[slot]!, part) { values[position] = value }
            }
            return .array(values)
        case "MSET":
            return .simpleString("OK")
        default:
            var total: Int64 = 0
            for reply in replies {
                guard case .integer(let count) = reply else { throw RedisClientError.unexpectedReply(reply, expected: "an integer") }
                total += count
            }
            return .integer(total)
        }
    }

    private func anyPrimary() async throws -> NodeAddress {
        if let node = state.withLockedValue({ state -> NodeAddress? in
            guard !state.primaries.isEmpty else { return nil }
            state.rotation &+= 1
            return state.primaries[state.rotation % state.primaries.count]
        }) {
            return node
        }
        try await refreshSlotMap()
        guard let node = state.withLockedValue({ $0.primaries.first }) else {
            throw RedisClientError(.clusterUnavailable, "the cluster has no primaries")
        }
        return node
    }

    private func target(forSlot slot: Int?) async throws -> NodeAddress {
        guard let slot else { return try await anyPrimary() }
        if let node = primary(forSlot: slot) { return node }
        try await refreshSlotMap()
        if let node = primary(forSlot: slot) { return node }
        throw RedisClientError(.clusterUnavailable, "no node serves slot \(slot)")
    }

    /// Parses `MOVED 3999 127.0.0.1:6381` / `ASK 3999 127.0.0.1:6381` (`:6381` alone means the
    /// host of the node that answered).
    private static func redirect(_ error: RedisServerError, from node: NodeAddress) -> (slot: Int, node: NodeAddress)? {
        let parts = error.details.split(separator: " ")
        guard parts.count >= 2, let slot = Int(parts[0]), let colon = parts[1].lastIndex(of: ":"),
              let port = Int(parts[1][parts[1].index(after: colon)...]) else { return nil }
        var host = String(parts[1][..<colon])
        if host.isEmpty { host = node.host }
        return (slot, NodeAddress(host: host, port: port))
    }

    // MARK: - Pipelines, transactions, sharded pub/sub

    public func pipeline(_ commands: [RESPCommand]) async throws -> [Result<RESPValue, RedisServerError>] {
        guard !commands.isEmpty else { return [] }
        if commands.first?.name.equalsLowercased("multi") == true {
            return try await transactionPipeline(commands)
        }
        // Commands with all their keys in one slot are grouped by that slot's node; keyless and
        // split commands run on their own. A multi-slot command that cannot be split refuses
        // the whole pipeline before anything is sent.
        var groups: [NodeAddress: [Int]] = [:]
        var alone: [Int] = []
        for (index, command) in commands.enumerated() {
            guard case .slot(let slot) = try Self.route(of: command), let node = primary(forSlot: slot) else {
                alone.append(index)
                continue
            }
            groups[node, default: []].append(index)
        }
        var results = [Result<RESPValue, RedisServerError>?](repeating: nil, count: commands.count)
        try await withThrowingTaskGroup(of: [(Int, Result<RESPValue, RedisServerError>)].self) { group in
            for (node, indices) in groups {
                group.addTask {
                    let replies: [Result<RESPValue, RedisServerError>]
                    do {
                        replies = try await self.pool(for: node).pipeline(indices.map { commands[$0] })
                    } catch let error as RedisClientError where error.code == .connectFailed {
                        // The node is gone: route each command afresh.
                        return try await self.runAlone(indices, of: commands)
                    }
                    var outcome: [(Int, Result<RESPValue, RedisServerError>)] = []
                    var retry: [Int] = []
                    for (index, reply) in zip(indices, replies) {
                        if case .failure(let error) = reply,
                           [.moved, .ask, .tryAgain, .clusterDown].contains(error.code) {
                            retry.append(index)
                        } else {
                            outcome.append((index, reply))
                        }
                    }
                    return outcome + (try await self.runAlone(retry, of: commands))
                }
            }
            for try await part in group {
                for (index, result) in part { results[index] = result }
            }
        }
        for (index, result) in try await runAlone(alone, of: commands) { results[index] = result }
        return results.map { $0! }
    }

    /// Runs the commands at `indices` one by one with full routing (redirects, splitting).
    private func runAlone(_ indices: [Int], of commands: [RESPCommand]) async throws -> [(Int, Result<RESPValue, RedisServerError>)] {
        var outcome: [(Int, Result<RESPValue, RedisServerError>)] = []
        for index in indices {
            do {
                outcome.append((index, .success(try await execute(commands[index]))))
            } catch let error as RedisServerError {
                outcome.append((index, .failure(error)))
            }
        }
        return outcome
    }

    /// The slot shared by every key of `commands`, nil if they have none; throws `.crossSlot`
    /// when their keys span slots (a transaction, a WATCH or a sharded subscription cannot
    /// be split).
    private static func commonSlot(of commands: some Sequence<RESPCommand>) throws -> Int? {
        let spansSlots = RedisClientError(.crossSlot, "CROSSSLOT: the keys must all hash to one slot; use {hash tags}")
        var common: Int?
        for command in commands {
            switch try route(of: command) {
            case .anyPrimary:
                continue
            case .split:
                throw spansSlots
            case .slot(let slot):
                if let common, common != slot { throw spansSlots }
                common = slot
            }
        }
        return common
    }

    /// MULTI ... EXEC: sent whole to the node of its keys' slot, again after a MOVED
    /// (the queued commands were refused with MOVED, so EXEC aborted and nothing ran).
    private func transactionPipeline(_ commands: [RESPCommand]) async throws -> [Result<RESPValue, RedisServerError>] {
        let slot = try Self.commonSlot(of: commands)
        var attempts = 0
        while true {
            attempts += 1
            let node = try await target(forSlot: slot)
            let replies = try await pool(for: node).pipeline(commands)
            let redirected = replies.contains { reply in
                if case .failure(let error) = reply { return error.code == .moved || error.code == .ask }
                return false
            }
            guard redirected, attempts <= configuration.maximumRedirects else { return replies }
            try? await refreshSlotMap()
        }
    }

    /// `RedisConnection.watch` on a dedicated connection to the node of `keys`' slot (every
    /// key must hash to one slot).
    public func watch(
        _ keys: [any RESPArgumentConvertible],
        maximumAttempts: Int = 16,
        _ body: (RedisConnection) async throws -> RedisTransaction?
    ) async throws -> RedisTransactionResult? {
        let slot = try Self.commonSlot(of: [RESPCommand(["WATCH"] + keys)])
        let node = try await target(forSlot: slot)
        return try await pool(for: node).watch(keys, maximumAttempts: maximumAttempts, body)
    }

    /// Subscribes to sharded channels (SSUBSCRIBE) on the node that owns their slot (all of
    /// them must hash to one slot). A subscription whose slot later moves ends with an error,
    /// as the server unsubscribes it; subscribe again to follow the slot.
    public func subscribe(toShardChannels channels: [any RESPArgumentConvertible]) async throws -> RedisSubscription {
        let names = channels.map(\.respArgument)
        let slot = try Self.commonSlot(of: [RESPCommand(["SSUBSCRIBE"] + names)])
        let node = try await target(forSlot: slot)
        let subscriber = try state.withLockedValue { state throws -> RedisSubscriber in
            if state.closed { throw RedisClientError(.closed, "the cluster client is closed") }
            if let subscriber = state.subscribers[node] { return subscriber }
            var connection = configuration.connection
            connection.endpoint = .tcp(host: node.host, port: node.port)
            let subscriber = RedisSubscriber(configuration: connection, eventLoopGroup: eventLoopGroup, logger: logger)
            state.subscribers[node] = subscriber
            return subscriber
        }
        return try await subscriber.subscribe(.shard, names)
    }

    // MARK: - Replica reads

    /// Commands Redis flags read-only, from the engine's command table.
    private static let readOnlyCommands: Set<String> = Set(
        CommandSpec.all.filter { $0.flags.contains(.readonly) }.map { $0.name.lowercased() })

    static func isReadOnly(_ command: RESPCommand) -> Bool {
        readOnlyCommands.contains(command.name.string.lowercased())
    }

    /// An online replica of `primary`, chosen in turn; nil when it has none.
    private func replica(of primary: NodeAddress) -> NodeAddress? {
        state.withLockedValue { state in
            guard let replicas = state.replicas[primary], !replicas.isEmpty else { return nil }
            state.rotation &+= 1
            return replicas[state.rotation % replicas.count]
        }
    }

    /// The pool for reads from one replica (its connections send READONLY).
    private func replicaPool(for node: NodeAddress) throws -> RedisConnectionPool {
        try pool(for: node, readOnly: true)
    }

    /// Sends `command` to the owner of `slot` (any primary when nil), following redirects.
    private func executeRouted(_ command: RESPCommand, slot: Int?) async throws -> RESPValue {
        var node = try await target(forSlot: slot)
        if configuration.readsFromReplicas, slot != nil, Self.isReadOnly(command), let replica = replica(of: node) {
            do {
                return try await replicaPool(for: replica).execute(command)
            } catch let error as RedisServerError where [.moved, .ask, .tryAgain, .clusterDown, .loading].contains(error.code) {
                // The replica no longer serves the slot (or is syncing): ask the primary.
            } catch let error as RedisClientError where error.code == .connectFailed || error.code == .connectionClosed {
                // The replica is gone: the primary answers instead.
            }
        }
        var asking = false
        var redirects = 0
        var retries = 0
        while true {
            do {
                let pool = try pool(for: node)
                if asking {
                    asking = false
                    let results = try await pool.withConnection { try await $0.pipeline([["ASKING"], command]) }
                    guard results.count == 2 else { throw RedisClientError(.unexpectedReply, "ASKING pipeline returned \(results.count) replies") }
                    return try results[1].get()
                }
                return try await pool.execute(command)
            } catch let error as RedisServerError {
                switch error.code {
                case .moved, .ask:
                    redirects += 1
                    guard redirects <= configuration.maximumRedirects,
                          let (movedSlot, destination) = Self.redirect(error, from: node)
                    else {
                        throw RedisClientError(.clusterUnavailable, "\(command.name.string): gave up after \(redirects) redirects (last: \(error.message))")
                    }
                    if error.code == .moved {
                        state.withLockedValue { state in
                            state.slots[movedSlot] = destination
                            if !state.primaries.contains(destination) { state.primaries.append(destination) }
                        }
                        // The rest of the map has probably changed too.
                        try? await refreshSlotMap()
                        // A stale answer from a node that has not caught up must not undo the redirect.
                        state.withLockedValue { $0.slots[movedSlot] = destination }
                    } else {
                        asking = true
                    }
                    node = destination
                case .tryAgain, .clusterDown:
                    retries += 1
                    guard retries <= configuration.maximumRetries else { throw error }
                    try await Task.sleep(for: configuration.retryDelay * retries)
                    if error.code == .clusterDown { try? await refreshSlotMap() }
                    node = try await target(forSlot: slot)
                default:
                    throw error
                }
            } catch let error as RedisClientError where error.code == .connectFailed {
                // The node is gone (failover, resharding away): ask the others for the map.
                retries += 1
                guard retries <= configuration.maximumRetries else { throw error }
                try await Task.sleep(for: configuration.retryDelay * retries)
                try? await refreshSlotMap()
                node = try await target(forSlot: slot)
            }
        }
    }
}
