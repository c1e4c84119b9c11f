import EmberRESP

/// The engine-side state of one client connection (or of an in-process session).
///
/// Fields are read and written only inside the engine's critical section, which is what makes
/// `CLIENT LIST` from another connection see a consistent picture.
public final class ClientState: @unchecked Sendable {
    public enum ReplyMode: Sendable { case on, off, skipNext }

    public let id: Int64
    public let createdAt: Int64
    public var db = 0
    public var protocolVersion: RESPVersion = .resp2
    public var name: Bytes?
    public var libraryName: Bytes?
    public var libraryVersion: Bytes?
    public var isAuthenticated: Bool
    public var user = "default"
    public var noEvict = false
    public var replyMode = ReplyMode.on
    public var lastInteraction: Int64
    public var lastCommand = "NULL"
    /// Set by the transport: peer and local address as `ip:port`, and the socket's fd.
    public var peerAddress = ""
    public var localAddress = ""
    public var fileDescriptor: Int32 = -1
    /// Connected over loopback or a Unix socket (for `enable-debug-command local`).
    public var isLocal = true
    /// Set when another client asked this one to go (CLIENT KILL); the transport closes it.
    public var killRequested = false
    /// Set by QUIT and protocol errors: close once the pending replies are written.
    public var closeAfterReply = false
    /// Bytes waiting in the input and output buffers, reported by CLIENT LIST.
    public var queryBufferLength = 0
    public var outputBufferLength = 0

    public init(id: Int64, now: Int64, authenticated: Bool) {
        self.id = id
        self.createdAt = now
        self.lastInteraction = now
        self.isAuthenticated = authenticated
    }
}
