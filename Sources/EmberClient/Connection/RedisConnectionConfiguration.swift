import EmberRESP
import NIOCore
import NIOSSL

/// Where and how to connect: address, credentials, database, protocol and timeouts.
///
/// ```swift
/// var configuration = try RedisConnectionConfiguration(url: "redis://:s3cret@127.0.0.1:6379/2")
/// configuration.commandTimeout = .seconds(2)
/// ```
public struct RedisConnectionConfiguration: Sendable {
    /// The server's address.
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    /// ACL user for AUTH/HELLO AUTH; nil authenticates as `default` (when a password is set).
    public var username: String?
    /// Password; nil sends no AUTH.
    public var password: String?
    /// Database selected on connect (SELECT is sent only when it is not 0).
    public var database: Int
    /// Sent with HELLO SETNAME (or CLIENT SETNAME) on connect.
    public var clientName: String?
    /// The protocol to ask for. `.resp3` sends `HELLO 3` and falls back to RESP2 when the
    /// server has no HELLO or refuses version 3; `.resp2` sends no HELLO.
    public var protocolVersion: RESPVersion
    /// Time allowed for the TCP connection and the handshake together.
    public var connectTimeout: TimeAmount
    /// Time a command may wait for its reply before it fails with `.commandTimeout`; nil for
    /// none. The connection stays open and the late reply is discarded when it arrives, so a
    /// blocking command (BLPOP ... 10) needs a longer timeout than its own.
    public var commandTimeout: TimeAmount?
    /// Sent with CLIENT SETINFO LIB-NAME/LIB-VER on connect; errors are ignored (servers older
    /// than Redis 7.2 do not know the command). Nil sends nothing.
    public var libraryName: String?
    public var libraryVersion: String?
    /// TLS settings (swift-nio-ssl's): nil for a plain connection. `rediss://` sets the
    /// default client configuration (the system's trust roots, full certificate and hostname
    /// verification); set your own for a private CA (`trustRoots`), a client certificate
    /// (`certificateChain`, `privateKey`) or pinned versions.
    public var tls: TLSConfiguration?
    /// The name the server's certificate is verified against and sent as SNI; nil uses the
    /// endpoint's host (an IP address host is checked against the certificate's IP entries and
    /// sends no SNI).
    public var tlsServerName: String?
    /// Whether the connection uses TLS.
    public var usesTLS: Bool {
        get { tls != nil }
        set { tls = newValue ? (tls ?? .makeClientConfiguration()) : nil }
    }
    /// Sends READONLY on connect: a connection to a cluster replica that serves reads.
    public var readOnly: Bool = false
    /// Makes a swift-distributed-tracing client span for each command or pipeline (when a
    /// tracer is bootstrapped), with the OpenTelemetry database attributes.
    public var tracesCommands: Bool

    public init(
        endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379),
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        clientName: String? = nil,
        protocolVersion: RESPVersion = .resp3,
        connectTimeout: TimeAmount = .seconds(10),
        commandTimeout: TimeAmount? = .seconds(30),
        libraryName: String? = "ember-client",
        libraryVersion: String? = EmberClientVersion.current,
        tls: TLSConfiguration? = nil,
        tracesCommands: Bool = true
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.clientName = clientName
        self.protocolVersion = protocolVersion
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.libraryName = libraryName
        self.libraryVersion = libraryVersion
        self.tls = tls
        self.tracesCommands = tracesCommands
    }

    /// A TCP endpoint.
    public init(host: String, port: Int = 6379) {
        self.init(endpoint: .tcp(host: host, port: port))
    }

    /// Parses a connection URL:
    ///
    /// - `redis://[[user]:password@]host[:port][/db]` (port 6379 and database 0 by default;
    ///   an IPv6 host in brackets: `redis://[::1]:6379`)
    /// - `rediss://...`: the same, with TLS (`tls` set to the default client configuration)
    /// - `unix://[[user]:password@]/path/to/redis.sock`
    ///
    /// Query parameters, for both forms: `db`, `protocol` (2 or 3) and `name` (client name).
    /// User and password may be percent-encoded.
    public init(url: String) throws {
        self.init()
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw Self.invalid(url, "expected redis://, rediss:// or unix://")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(url[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let fragment = query.firstIndex(of: "#") { query = query[..<fragment] }

        // Userinfo: everything before the last '@' (a password may contain '@' percent-encoded
        // or not; the host never does).
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                let user = try Self.percentDecoded(userinfo[..<colon], url)
                username = user.isEmpty ? nil : user
                password = try Self.percentDecoded(userinfo[userinfo.index(after: colon)...], url)
            } else if !userinfo.isEmpty {
                // `redis://password@host` is how several clients spell a bare password.
                password = try Self.percentDecoded(userinfo, url)
            }
        }

        switch scheme {
        case "redis", "rediss":
            usesTLS = scheme == "rediss"
            var authority = rest
            var path: Substring = ""
            if let slash = rest.firstIndex(of: "/") {
                authority = rest[..<slash]
                path = rest[rest.index(after: slash)...]
            }
            var host: Substring
            var portText: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { throw Self.invalid(url, "unterminated IPv6 address") }
                host = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                    throw Self.invalid(url, "unexpected text after the IPv6 address")
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            if host.isEmpty { host = "127.0.0.1" }
            var port = 6379
            if let portText {
                guard let value = Int(portText), (1...65535).contains(value) else {
                    throw Self.invalid(url, "invalid port '\(portText)'")
                }
                port = value
            }
            endpoint = .tcp(host: String(host), port: port)
            if !path.isEmpty {
                guard let db = Int(path), db >= 0 else { throw Self.invalid(url, "invalid database '\(path)'") }
                database = db
            }
        case "unix":
            guard rest.hasPrefix("/"), rest.count > 1 else { throw Self.invalid(url, "expected unix:///path/to/socket") }
            endpoint = .unixSocket(path: try Self.percentDecoded(rest, url))
        default:
            throw Self.invalid(url, "unknown scheme '\(scheme)'")
        }

        for parameter in query.split(separator: "&") where !parameter.isEmpty {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].lowercased()
            let value = try Self.percentDecoded(parts.count > 1 ? parts[1] : "", url)
            switch name {
            case "db":
                guard let db = Int(value), db >= 0 else { throw Self.invalid(url, "invalid database '\(value)'") }
                database = db
            case "protocol":
                guard let number = Int(value), let version = RESPVersion(rawValue: number) else {
                    throw Self.invalid(url, "protocol must be 2 or 3")
                }
                protocolVersion = version
            case "name", "client_name", "clientname":
                clientName = value.isEmpty ? nil : value
            default:
                throw Self.invalid(url, "unknown parameter '\(name)'")
            }
        }
    }

    private static func invalid(_ url: String, _ reason: String) -> RedisClientError {
        // The URL may hold a password: it is not repeated in the message.
        RedisClientError(.invalidConfiguration, "invalid connection URL: \(reason)")
    }

    /// `%XX` escapes decoded as UTF-8.
    private static func percentDecoded(_ text: Substring, _ url: String) throws -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard utf8.count >= 2,
                  let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            else { throw invalid(url, "invalid percent escape") }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension RedisConnectionConfiguration.Endpoint: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path): return "unix:\(path)"
        }
    }
}

/// The client library's own version, sent with CLIENT SETINFO LIB-VER.
public enum EmberClientVersion {
    public static let current = "0.1.0"
}
