import EmberRESP

/// The engine-side state of one client connection (or of an in-process session).
///
/// Fields are read and written only inside the engine's critical section, which is what makes
/// `CLIENT LIST` from another connection see a consistent picture. That lock is also why the
/// fields skip runtime exclusivity checks.
public final class ClientState: @unchecked Sendable {
    public let id: Int64
    public let createdAt: Int64
    @exclusivity(unchecked) public var db = 0
    @exclusivity(unchecked) public var protocolVersion: RESPVersion = .resp2
    @exclusivity(unchecked) public var name: Bytes?
    @exclusivity(unchecked) public var libraryName: Bytes?
    @exclusivity(unchecked) public var libraryVersion: Bytes?
    @exclusivity(unchecked) public var isAuthenticated: Bool
    @exclusivity(unchecked) public var user = "default"
    @exclusivity(unchecked) public var noEvict = false
    /// CLIENT REPLY, as Redis's flags: OFF until ON; SKIP_NEXT set by SKIP becomes SKIP (this
    /// command's reply dropped) once the SKIP command completes.
    @exclusivity(unchecked) public var replyOff = false
    @exclusivity(unchecked) public var replySkip = false
    @exclusivity(unchecked) public var replySkipNext = false
    @exclusivity(unchecked) public var lastInteraction: Int64
    @exclusivity(unchecked) public var lastCommand = "NULL"
    /// Set by the transport: peer and local address as `ip:port`, and the socket's fd.
    @exclusivity(unchecked) public var peerAddress = ""
    @exclusivity(unchecked) public var localAddress = ""
    @exclusivity(unchecked) public var fileDescriptor: Int32 = -1
    /// Connected over loopback or a Unix socket (for `enable-debug-command local`).
    @exclusivity(unchecked) public var isLocal = true
    /// Set when another client asked this one to go (CLIENT KILL); the transport closes it.
    @exclusivity(unchecked) public var killRequested = false
    /// Set by QUIT and protocol errors: close once the pending replies are written.
    @exclusivity(unchecked) public var closeAfterReply = false
    /// Bytes waiting in the input and output buffers, reported by CLIENT LIST.
    @exclusivity(unchecked) public var queryBufferLength = 0
    @exclusivity(unchecked) public var outputBufferLength = 0

    /// Commands queued since MULTI; nil outside a transaction.
    @exclusivity(unchecked) public var transaction: [[Bytes]]?
    /// A command was rejected while queuing: EXEC aborts (EXECABORT).
    @exclusivity(unchecked) public var transactionFailed = false
    /// The keys this client WATCHes, and whether one of them changed since (EXEC then fails).
    @exclusivity(unchecked) public internal(set) var watching: [WatchedKey] = []
    @exclusivity(unchecked) public internal(set) var watchTouched = false
    /// EXEC is running the queue: blocking commands answer at once.
    @exclusivity(unchecked) public var executingTransaction = false
    /// Set while the client waits in BLPOP and friends.
    @exclusivity(unchecked) public var blocked: BlockedState?
    /// Installed by the transport: delivers the reply of a blocked command once it is served,
    /// timed out or unblocked. Called under the engine lock, so it must only hand off.
    @exclusivity(unchecked) public var wake: (@Sendable (Reply) -> Void)?

    /// Whether a blocking command may park this client (not inside EXEC, and only with a
    /// transport that can deliver the later reply).
    public var canBlock: Bool { wake != nil && !executingTransaction }

    /// Channels, patterns and shard channels subscribed to. A RESP2 client with any is in the
    /// subscriber context (only the subscribe family, PING, QUIT and RESET).
    @exclusivity(unchecked) public internal(set) var subscriptions = Subscriptions()
    /// Installed by the transport: hands a pub/sub message (a push) to the connection, in order
    /// with its replies. Called under the engine lock, so it must only hand off.
    @exclusivity(unchecked) public var deliver: (@Sendable (PubSubMessage) -> Void)?

    /// Attached as a replica (SYNC, PSYNC): what it is sent is the replication stream, and
    /// replies to what it sends (REPLCONF ACK) are dropped, as Redis never answers a replica.
    @exclusivity(unchecked) public var isReplica = false
    /// `REPLCONF listening-port`, announced before SYNC.
    @exclusivity(unchecked) public var replicaListeningPort = 0

    /// Redis's client classes (`getClientType`), for CLIENT LIST/KILL TYPE and the output
    /// buffer limits: a replica, a client with subscriptions (pubsub), or normal (`master`,
    /// a primary's link on a replica, is none of this server's clients).
    public enum Kind: Sendable { case normal, replica, pubsub, master }

    public var kind: Kind {
        if isReplica { return .replica }
        return subscriptions.total > 0 ? .pubsub : .normal
    }

    /// Whether the reply of the command that just ran is dropped.
    public var suppressesReply: Bool { replyOff || replySkip || isReplica }

    /// After each command: a pending SKIP applies to the next one (Redis's `resetClient`).
    public func commandCompleted() {
        replySkip = replySkipNext
        replySkipNext = false
    }

    public init(id: Int64, now: Int64, authenticated: Bool) {
        self.id = id
        self.createdAt = now
        self.lastInteraction = now
        self.isAuthenticated = authenticated
    }
}
