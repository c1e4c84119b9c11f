import EmberRESP

/// The primary side of replication: the replication id and offset, the attached replicas, and
/// the stream they are fed from the one propagation point.
///
/// A replica attaches with SYNC or PSYNC (always a full resynchronisation: there is no backlog
/// yet). It is sent the RDB of a background save that began after it attached, as
/// `$<length>\r\n<file>`, then every change made since that save began, in the form the AOF
/// gets, with SELECT whenever the database changes and a PING every
/// `repl-ping-replica-period` seconds. Touched only under the engine lock; the bytes go out
/// through each replica's `ReplicaTransport`.
public final class ReplicationState: PropagationConsumer, @unchecked Sendable {
    /// `master_replid` and `master_replid2` (40 hex digits; the second all zeros until a
    /// DEBUG CHANGE-REPL-ID moves the first there), and the offset where the second ended.
    public private(set) var replicationID: String
    public private(set) var previousReplicationID = String(repeating: "0", count: 40)
    public private(set) var previousIDEndOffset: Int64 = -1
    /// Bytes of stream produced since start-up (`master_repl_offset`).
    public private(set) var offset: Int64 = 0
    public private(set) var replicas: [ReplicaLink] = []
    /// The file at `dbfilename` was written to feed replicas (Redis's RDBGeneratedByReplication),
    /// so `rdb-del-sync-files` may remove it.
    var snapshotMadeForReplicas = false
    /// The database the stream last selected; -1 makes the next change select its own.
    private var streamDB = -1
    /// Seconds the replication cron has run (Redis's `replication_cron_loops`), and the last.
    /// (From 1: a replica attached in the first second is not pinged at once.)
    private var cronLoops: Int64 = 1
    private var lastCronSecond: Int64 = 0

    init() {
        replicationID = Self.randomID()
    }

    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<40).map { _ in "0123456789abcdef".randomElement(using: &generator)! })
    }

    /// DEBUG CHANGE-REPL-ID: a new id, the old one kept as the second, as Redis's
    /// `shiftReplicationId` followed by `changeReplicationId`.
    public func changeReplicationID() {
        previousReplicationID = replicationID
        previousIDEndOffset = offset + 1
        replicationID = Self.randomID()
    }

    public func link(forClient id: Int64) -> ReplicaLink? { replicas.first { $0.clientID == id } }

    // MARK: - The stream

    public func propagate(_ command: PropagatedCommand) {
        var bytes: [UInt8] = []
        if command.db != streamDB {
            AOFFormat.append([Bytes("SELECT"), Bytes(decimal: Int64(command.db))], to: &bytes)
            streamDB = command.db
        }
        AOFFormat.append(command.args, to: &bytes)
        feed(bytes)
    }

    /// Appends stream bytes for every replica whose snapshot began before them.
    private func feed(_ bytes: [UInt8]) {
        offset += Int64(bytes.count)
        for link in replicas where link.state != .waitingForSnapshot {
            link.pending += bytes
            if link.state == .online { scheduleWrite(link) }
        }
        // `client-output-buffer-limit replica`: a replica that cannot keep up is disconnected
        // instead of growing memory.
        guard let limit = engine?.config.outputLimits.replica, !limit.isUnlimited else { return }
        let now = Clock.milliseconds()
        for link in replicas where limit.isBroken(pending: link.pending.count, now: now, softReachedAt: &link.softLimitReachedAt) {
            link.transport.close()
        }
    }

    private func scheduleWrite(_ link: ReplicaLink) {
        guard !link.writeScheduled, !link.pending.isEmpty else { return }
        link.writeScheduled = true
        link.transport.write { [weak self, link] in
            guard let self, let engine = self.engine else { return [] }
            return engine.lock.withLock { link.takePending() }
        }
    }

    /// Set by the engine that owns this state: the writes above take its lock.
    weak var engine: Engine?

    // MARK: - Attaching and detaching

    /// Adds a replica; it waits for a snapshot to begin (see `Engine.startReplicaSnapshots`).
    func attach(_ link: ReplicaLink, propagation: Propagation) {
        replicas.append(link)
        propagation.add(self)
    }

    /// Forgets the replica of client `id` (its connection closed).
    func detach(clientID id: Int64, propagation: Propagation) {
        replicas.removeAll { $0.clientID == id }
        if replicas.isEmpty {
            propagation.remove(self)
            streamDB = -1
        }
    }

    var waitingForSnapshot: [ReplicaLink] { replicas.filter { $0.state == .waitingForSnapshot } }
    var waitingForSnapshotEnd: [ReplicaLink] { replicas.filter { $0.state == .waitingForSnapshotEnd } }

    /// A snapshot begins now for `links`: the stream they get starts here, with a SELECT.
    func snapshotBegins(for links: [ReplicaLink]) {
        guard !links.isEmpty else { return }
        for link in links {
            link.state = .waitingForSnapshotEnd
            link.pending = []
            link.snapshotOffset = offset
        }
        streamDB = -1
    }

    /// A replica's snapshot has been sent: from now on it gets the stream as it is made.
    func snapshotSent(to link: ReplicaLink) {
        guard replicas.contains(where: { $0 === link }) else { return }
        link.state = .online
        scheduleWrite(link)
    }

    // MARK: - Cron

    /// Once a second: a PING into the stream every `period` seconds of Redis's replication
    /// cron loop (seconds since start-up, so a period set just before attaching does not ping at
    /// once), and a newline to replicas still waiting for their snapshot, so that their reads
    /// do not time out while a large save runs.
    func cron(nowSeconds: Int64, pingPeriod: Int) {
        guard nowSeconds != lastCronSecond else { return }
        lastCronSecond = nowSeconds
        defer { cronLoops += 1 }
        guard !replicas.isEmpty else { return }
        if cronLoops % Int64(max(1, pingPeriod)) == 0 {
            // In the database the stream has selected: a PING needs none.
            feed(AOFFormat.encode([Bytes("PING")]))
        }
        for link in replicas where link.state == .waitingForSnapshot || link.state == .waitingForSnapshotEnd {
            link.transport.write { [10] }
        }
    }

    /// REPLCONF ACK <offset> from a replica.
    func acknowledge(clientID id: Int64, offset acknowledged: Int64, now: Int64) {
        guard let link = link(forClient: id) else { return }
        link.acknowledgedOffset = max(link.acknowledgedOffset, acknowledged)
        link.lastAcknowledgement = now
    }

    /// The lines of INFO's replication section.
    public func infoLines(nowMilliseconds now: Int64) -> [String] {
        var lines = ["role:master", "connected_slaves:\(replicas.count)"]
        for (index, link) in replicas.enumerated() {
            let lag = max(0, (now - link.lastAcknowledgement) / 1000)
            lines.append("slave\(index):ip=\(link.ip),port=\(link.listeningPort),state=\(link.state.infoName),offset=\(link.acknowledgedOffset),lag=\(lag)")
        }
        lines += [
            "master_failover_state:no-failover", "master_replid:\(replicationID)", "master_replid2:\(previousReplicationID)",
            "master_repl_offset:\(offset)", "second_repl_offset:\(previousIDEndOffset)",
        ]
        return lines
    }
}
