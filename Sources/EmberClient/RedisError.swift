import EmberRESP

/// An error reply from the server: `-WRONGTYPE Operation against a key holding the wrong kind
/// of value`, `-MOVED 3999 127.0.0.1:6381`, `-ERR syntax error`.
///
/// The full text is kept as the server sent it; `code` is its first word, the part clients
/// branch on.
///
/// ```swift
/// do { _ = try await client.incr("greeting") }
/// catch let error as RedisServerError where error.code == .wrongType { ... }
/// ```
public struct RedisServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error line without the leading `-` (RESP2) or the blob error's payload (RESP3).
    public let message: String

    public init(message: String) {
        self.message = message
    }

    /// The first word of the message: `ERR`, `WRONGTYPE`, `MOVED`, `NOAUTH`, ...
    public var code: RedisErrorCode {
        RedisErrorCode(String(message.prefix { $0 != " " }))
    }

    /// The message after the code (`Operation against a key holding the wrong kind of value`).
    public var details: String {
        guard let space = message.firstIndex(of: " ") else { return "" }
        return String(message[message.index(after: space)...])
    }

    public var description: String { message }
}

/// The code that starts a server error. Compared by value, so codes not listed here work too:
/// `RedisErrorCode("BUSYGROUP")`.
public struct RedisErrorCode: Sendable, Hashable, RawRepresentable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static let err: RedisErrorCode = "ERR"
    public static let wrongType: RedisErrorCode = "WRONGTYPE"
    public static let moved: RedisErrorCode = "MOVED"
    public static let ask: RedisErrorCode = "ASK"
    public static let tryAgain: RedisErrorCode = "TRYAGAIN"
    public static let clusterDown: RedisErrorCode = "CLUSTERDOWN"
    public static let crossSlot: RedisErrorCode = "CROSSSLOT"
    public static let noAuth: RedisErrorCode = "NOAUTH"
    public static let wrongPass: RedisErrorCode = "WRONGPASS"
    public static let noPerm: RedisErrorCode = "NOPERM"
    public static let noProto: RedisErrorCode = "NOPROTO"
    public static let noScript: RedisErrorCode = "NOSCRIPT"
    public static let busy: RedisErrorCode = "BUSY"
    public static let execAbort: RedisErrorCode = "EXECABORT"
    public static let readOnly: RedisErrorCode = "READONLY"
    public static let loading: RedisErrorCode = "LOADING"
    public static let outOfMemory: RedisErrorCode = "OOM"
    public static let unblocked: RedisErrorCode = "UNBLOCKED"
}

/// A failure on the client's side: the connection, a timeout, a reply of an unexpected shape,
/// a bad configuration. Server error replies are `RedisServerError` instead.
public struct RedisClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The connection closed (by either side, or it failed) before the reply arrived, or
        /// the command was sent on a connection that had already closed.
        case connectionClosed
        /// No reply within the configured command timeout.
        case commandTimeout
        /// The connection could not be established or set up (HELLO, AUTH, SELECT).
        case connectFailed
        /// The server sent bytes that are not RESP.
        case protocolError
        /// The reply does not have the shape the typed command expects.
        case unexpectedReply
        /// A connection URL or configuration that cannot be used.
        case invalidConfiguration
        /// The command cannot run on this transport (an empty command, CLIENT REPLY OFF,
        /// SUBSCRIBE and other commands that break request/reply matching).
        case unsupportedCommand
        /// The pool or client was closed by the application.
        case closed
        /// Redis Cluster: the command's keys hash to different slots and it cannot be split
        /// (the client refuses it before sending, as the server would with CROSSSLOT).
        case crossSlot
        /// Redis Cluster: more MOVED/ASK redirects (or TRYAGAIN/CLUSTERDOWN retries) than allowed,
        /// or no node could give a slot map.
        case clusterUnavailable
        /// A WATCH-based transaction lost the race on every attempt: a watched key kept changing.
        case transactionConflict
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static let connectionClosed = RedisClientError(.connectionClosed, "the connection closed before the reply arrived")
    static let commandTimeout = RedisClientError(.commandTimeout, "no reply within the command timeout")

    static func unexpectedReply(_ value: RESPValue, expected: String) -> RedisClientError {
        var text = String(describing: value)
        if text.count > 200 { text = String(text.prefix(200)) + "..." }
        return RedisClientError(.unexpectedReply, "expected \(expected), got \(text)")
    }
}
