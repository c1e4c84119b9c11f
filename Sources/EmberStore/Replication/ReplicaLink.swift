/// How the engine reaches a replica's connection. Installed by the transport; the engine never
/// does I/O itself.
public struct ReplicaTransport: Sendable {
    /// Runs `produce` on the connection's own thread and writes (and flushes) the bytes it
    /// returns. Calls are carried out in the order they were made.
    public var write: @Sendable (@escaping @Sendable () -> [UInt8]) -> Void
    /// Closes the connection (a failed snapshot, an overflowing stream).
    public var close: @Sendable () -> Void

    public init(write: @escaping @Sendable (@escaping @Sendable () -> [UInt8]) -> Void, close: @escaping @Sendable () -> Void) {
        self.write = write
        self.close = close
    }
}

/// One replica (or a tool that asked for the stream, such as `redis-cli --replica`): where it
/// is in the synchronisation, and the part of the stream it has not been sent yet.
/// Touched only under the engine lock.
public final class ReplicaLink: @unchecked Sendable {
    /// Redis's replica states, named as INFO replication reports them.
    public enum State: Equatable, Sendable {
        /// Waits for a snapshot to begin (another background save or rewrite runs).
        case waitingForSnapshot
        /// Its snapshot is being written; the stream since its start accumulates.
        case waitingForSnapshotEnd
        /// The snapshot file is being sent.
        case sendingSnapshot
        /// Receives the stream as it is made.
        case online

        var infoName: String {
            switch self {
            case .waitingForSnapshot, .waitingForSnapshotEnd: return "wait_bgsave"
            case .sendingSnapshot: return "send_bulk"
            case .online: return "online"
            }
        }
    }

    public let clientID: Int64
    public let address: String
    let transport: ReplicaTransport
    public internal(set) var state: State = .waitingForSnapshot
    /// Asked with PSYNC: the snapshot is preceded by `+FULLRESYNC <id> <offset>`.
    let announcesFullResync: Bool
    /// `REPLCONF listening-port`, and the offset the replica last acknowledged (`REPLCONF ACK`).
    public internal(set) var listeningPort = 0
    public internal(set) var acknowledgedOffset: Int64 = 0
    public internal(set) var lastAcknowledgement: Int64
    /// The stream offset at which its snapshot began (PSYNC's `+FULLRESYNC <id> <offset>`).
    var snapshotOffset: Int64 = 0
    /// Stream bytes not handed to the transport yet, and whether a write that takes them is queued.
    var pending: [UInt8] = []
    /// When its pending stream first reached the soft output limit (nil: under it).
    var softLimitReachedAt: Int64?
    var writeScheduled = false

    init(clientID: Int64, address: String, transport: ReplicaTransport, announcesFullResync: Bool, now: Int64) {
        self.clientID = clientID
        self.address = address
        self.transport = transport
        self.announcesFullResync = announcesFullResync
        self.lastAcknowledgement = now
    }

    /// The host part of the peer address, as INFO's `slaveN:ip=` shows it.
    var ip: String {
        guard let colon = address.lastIndex(of: ":") else { return address }
        return String(address[..<colon])
    }

    func takePending() -> [UInt8] {
        writeScheduled = false
        defer { pending = [] }
        return pending
    }
}
