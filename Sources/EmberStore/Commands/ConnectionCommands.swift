import EmberRESP

/// Version facts the server reports. `redisVersion` is the Redis release whose behaviour Ember
/// matches, so clients' feature checks pick the right code paths.
public enum EmberVersion {
    public static let redisVersion = "7.0.15"
    public static let ember = "0.1.0"
}

extension Engine {
    func registerConnectionCommands() {
        register("ping") { context in
            if context.args.count > 2 { return Errors.wrongArity("ping") }
            // In the RESP2 subscriber context PING answers as a message would: [pong, text].
            if context.client.subscriptions.total > 0 && context.client.protocolVersion == .resp2 {
                return .array([.bulk("pong"), .bulk(context.args.count == 2 ? context.args[1] : Bytes())])
            }
            return context.args.count == 2 ? .bulk(context.args[1]) : .simple("PONG")
        }
        register("echo") { .bulk($0.args[1]) }
        register("time") { _ in
            let micros = Clock.microseconds()
            return .array([.bulk(Bytes(String(micros / 1_000_000))), .bulk(Bytes(String(micros % 1_000_000)))])
        }
        register("lastsave") { .integer($0.engine.lastSave / 1000) }
        register("auth", Engine.auth)
        register("hello", Engine.hello)
        register("reset") { context in
            let client = context.client
            client.db = 0
            client.protocolVersion = .resp2
            client.name = nil
            // Redis's clearClientConnectionState: no-evict and a current SKIP stay.
            client.replyOff = false
            client.replySkipNext = false
            client.user = "default"
            client.isAuthenticated = context.engine.config.requirePass == nil
            client.endTransaction()
            context.engine.watchedKeys.unwatchAll(client)
            context.engine.pubSub.removeAll(client)
            return .simple("RESET")
        }
        register("quit") { context in
            context.client.closeAfterReply = true
            return .ok
        }
        register("client|id") { .integer($0.client.id) }
        register("client|getname") { .bulkOrNull($0.client.name) }
        register("client|setname") { context in
            if let error = Engine.validateName(context.args[2], what: "Client names") { return error }
            context.client.name = context.args[2].isEmpty ? nil : context.args[2]
            return .ok
        }
        register("client|no-evict") { context in
            let value = context.args[2]
            if value.equalsLowercased("on") { context.client.noEvict = true }
            else if value.equalsLowercased("off") { context.client.noEvict = false }
            else { return Errors.syntax }
            return .ok
        }
        register("client|reply") { context in
            let value = context.args[2]
            let client = context.client
            if value.equalsLowercased("on") {
                client.replyOff = false
                client.replySkip = false
                client.replySkipNext = false
                return .ok
            }
            if value.equalsLowercased("off") {
                client.replyOff = true
                return .none
            }
            if value.equalsLowercased("skip") {
                if !client.replyOff { client.replySkipNext = true }
                return .none
            }
            return Errors.syntax
        }
        register("client|info") { context in
            context.engine.resolveFileDescriptors([context.client])
            return .verbatim(context.engine.clientDescription(context.client, now: context.now) + "\n")
        }
        register("client|list", Engine.clientList)
        register("client|kill", Engine.clientKill)
        register("client|unblock", Engine.clientUnblock)
        register("client|help") { _ in
            // Redis 7.0's text word for word, subcommands Ember does not serve yet included.
            Engine.help("CLIENT", [
                "CACHING (YES|NO)",
                "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
                "GETREDIR",
                "    Return the client ID we are redirecting to when tracking is enabled.",
                "GETNAME",
                "    Return the name of the current connection.",
                "ID",
                "    Return the ID of the current connection.",
                "INFO",
                "    Return information about the current client connection.",
                "KILL <ip:port>",
                "    Kill connection made from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]",
                "    Kill connections. Options are:",
                "    * ADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made from the specified address",
                "    * LADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made to specified local address",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Kill connections by type.",
                "    * USER <username>",
                "      Kill connections authenticated by <username>.",
                "    * SKIPME (YES|NO)",
                "      Skip killing current connection (default: yes).",
                "LIST [options ...]",
                "    Return information about client connections. Options:",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Return clients of specified type.",
                "UNPAUSE",
                "    Stop the current client pause, resuming traffic.",
                "PAUSE <timeout> [WRITE|ALL]",
                "    Suspend all, or just write, clients for <timeout> milliseconds.",
                "REPLY (ON|OFF|SKIP)",
                "    Control the replies sent to the current connection.",
                "SETNAME <name>",
                "    Assign the name <name> to the current connection.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                "    Unblock the specified blocked client.",
                "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
                "         [OPTIN] [OPTOUT] [NOLOOP]",
                "    Control server assisted client side caching.",
                "TRACKINGINFO",
                "    Report tracking status for the current connection.",
                "NO-EVICT (ON|OFF)",
                "    Protect current client connection from eviction.",
            ])
        }
        registerClientSetInfo()
    }

    /// Client and library names: printable ASCII without spaces (`validateClientName`).
    static func validateName(_ name: Bytes, what: String) -> Reply? {
        let valid = name.withUnsafeBytes { raw in raw.allSatisfy { $0 >= 33 && $0 <= 126 } }
        return valid ? nil : .error("ERR \(what) cannot contain spaces, newlines or special characters.")
    }

    /// CLIENT SETINFO arrived in Redis 7.2 and redis-py and other clients send it on connect;
    /// its spec is not in the 7.0 table, so it is declared here.
    private func registerClientSetInfo() {
        let spec = CommandSpec(
            name: "client|setinfo", arity: 4, flags: [.noscript, .loading, .stale],
            aclCategories: [.slow, .connection], firstKey: 0, lastKey: 0, keyStep: 0, keySpecs: [], tips: [],
            group: "connection", since: "7.2.0",
            arguments: [ArgumentSpec(name: "attr", type: "oneof", arguments: [
                ArgumentSpec(name: "libname", type: "string", token: "LIB-NAME"),
                ArgumentSpec(name: "libver", type: "string", token: "LIB-VER"),
            ])],
            subcommands: [])
        registerSubcommand(spec: spec) { context in
            let attribute = context.args[2], value = context.args[3]
            let isName = attribute.equalsLowercased("lib-name")
            guard isName || attribute.equalsLowercased("lib-ver") else {
                return .error("ERR Unrecognized option '", .bytes(attribute.cPrefix(128)), "'")
            }
            if let error = Engine.validateName(value, what: isName ? "lib-name" : "lib-ver") { return error }
            if isName { context.client.libraryName = value.isEmpty ? nil : value }
            else { context.client.libraryVersion = value.isEmpty ? nil : value }
            return .ok
        }
    }

    // MARK: - Authentication

    /// Checks a username/password pair against the default user (the only user until ACLs).
    func authenticate(_ user: Bytes, _ password: Bytes) -> Bool {
        guard user == Bytes("default") else { return false }
        guard let required = config.requirePass else { return true }
        return required == password
    }

    static func auth(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        if args.count > 3 { return Errors.syntax }
        let user: Bytes, password: Bytes
        if args.count == 2 {
            if engine.config.requirePass == nil {
                return .error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
            }
            (user, password) = (Bytes("default"), args[1])
        } else {
            (user, password) = (args[1], args[2])
        }
        guard engine.authenticate(user, password) else { return Errors.wrongPass }
        context.client.isAuthenticated = true
        context.client.user = user.string
        return .ok
    }

    static func hello(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        var version: RESPVersion?
        if args.count >= 2 {
            guard let requested = args[1].int64Value else {
                return .error("ERR Protocol version is not an integer or out of range")
            }
            guard requested == 2 || requested == 3 else { return .error("NOPROTO unsupported protocol version") }
            version = RESPVersion(rawValue: Int(requested))
        }
        var credentials: (Bytes, Bytes)?
        var name: Bytes?
        var index = 2
        while index < args.count {
            let option = args[index]
            let more = args.count - 1 - index
            if option.equalsLowercased("auth") && more >= 2 {
                credentials = (args[index + 1], args[index + 2])
                index += 2
            } else if option.equalsLowercased("setname") && more >= 1 {
                name = args[index + 1]
                if let error = Engine.validateName(name!, what: "Client names") { return error }
                index += 1
            } else {
                return .error("ERR Syntax error in HELLO option '", .bytes(option.cPrefix(128)), "'")
            }
            index += 1
        }
        if let (user, password) = credentials {
            guard engine.authenticate(user, password) else { return Errors.wrongPass }
            context.client.isAuthenticated = true
            context.client.user = user.string
        }
        guard context.client.isAuthenticated else {
            return .error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
        }
        if let name { context.client.name = name.isEmpty ? nil : name }
        if let version { context.client.protocolVersion = version }
        return .map([
            (.bulk("server"), .bulk("redis")),
            (.bulk("version"), .bulk(Bytes(EmberVersion.redisVersion))),
            (.bulk("proto"), .integer(Int64(context.client.protocolVersion.rawValue))),
            (.bulk("id"), .integer(context.client.id)),
            (.bulk("mode"), .bulk("standalone")),
            (.bulk("role"), .bulk("master")),
            (.bulk("modules"), .array([])),
            (.bulk("ember_version"), .bulk(Bytes(EmberVersion.ember))),
        ])
    }

    // MARK: - CLIENT LIST / KILL

    /// One CLIENT LIST line, in Redis 7's field order.
    public func clientDescription(_ client: ClientState, now: Int64) -> String {
        let age = (now - client.createdAt) / 1000
        let idle = (now - client.lastInteraction) / 1000
        var flags = ""
        if client.blocked != nil { flags += "b" }
        if client.transaction != nil { flags += "x" }
        if client.isReplica { flags += "S" }
        if client.noEvict { flags += "e" }
        if client.subscriptions.total > 0 { flags += "P" }
        if flags.isEmpty { flags = "N" }
        return "id=\(client.id) addr=\(client.peerAddress) laddr=\(client.localAddress) fd=\(client.fileDescriptor) "
            + "name=\(client.name?.string ?? "") age=\(age) idle=\(idle) flags=\(flags) db=\(client.db) sub=\(client.subscriptions.channels.count) psub=\(client.subscriptions.patterns.count) ssub=\(client.subscriptions.shardChannels.count) "
            + "multi=\(client.transaction.map { String($0.count) } ?? "-1") qbuf=\(client.queryBufferLength) qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=16384 "
            + "obl=0 oll=0 omem=\(client.outputBufferLength) tot-mem=\(client.queryBufferLength + client.outputBufferLength + 20000) "
            + "events=r cmd=\(client.lastCommand) user=\(client.user) redir=-1 resp=\(client.protocolVersion.rawValue) "
            + "lib-name=\(client.libraryName?.string ?? "") lib-ver=\(client.libraryVersion?.string ?? "")"
    }

    static func clientList(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        var selected = engine.clients.values.sorted { $0.id < $1.id }
        var index = 2
        if index < args.count {
            if args[index].equalsLowercased("type") && args.count == 4 {
                let type = args[3]
                guard let wanted = Engine.clientKind(named: type) else {
                    return .error("ERR Unknown client type '", .bytes(type.cPrefix(128)), "'")
                }
                selected = selected.filter { wanted == $0.kind }
            } else if args[index].equalsLowercased("id") && args.count >= 4 {
                var ids = Set<Int64>()
                index += 1
                while index < args.count {
                    guard let id = args[index].int64Value else { return .error("ERR Invalid client ID") }
                    ids.insert(id)
                    index += 1
                }
                selected = selected.filter { ids.contains($0.id) }
            } else {
                return Errors.syntax
            }
        }
        engine.resolveFileDescriptors(selected)
        let text = selected.map { engine.clientDescription($0, now: context.now) + "\n" }.joined()
        return .verbatim(text)
    }

    /// CLIENT UNBLOCK id [TIMEOUT|ERROR]: a client blocked on keys answers at once.
    static func clientUnblock(_ context: CommandContext) -> Reply {
        let args = context.args
        guard args.count <= 4 else {
            return .error("ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.")
        }
        var withError = false
        if args.count == 4 {
            if args[3].equalsLowercased("error") {
                withError = true
            } else if !args[3].equalsLowercased("timeout") {
                return .error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
            }
        }
        guard let id = args[2].int64Value else { return Errors.notInteger }
        guard let target = context.engine.clients[id] else { return .integer(0) }
        return .integer(context.engine.clientUnblock(target, withError: withError) ? 1 : 0)
    }

    static func clientKill(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        if args.count == 3 {
            // Old form: CLIENT KILL ip:port.
            let address = args[2].string
            guard let target = engine.clients.values.first(where: { $0.peerAddress == address }) else {
                return .error("ERR No such client")
            }
            engine.kill(target)
            return .ok
        }
        var id: Int64?, address: String?, localAddress: String?, user: String?
        var skipMe = true
        var kind: ClientState.Kind?
        var index = 2
        while index < args.count {
            guard index + 1 < args.count else { return Errors.syntax }
            let option = args[index], value = args[index + 1]
            if option.equalsLowercased("id") {
                guard let parsed = value.int64Value, parsed > 0 else { return .error("ERR client-id should be greater than 0") }
                id = parsed
            } else if option.equalsLowercased("addr") {
                address = value.string
            } else if option.equalsLowercased("laddr") {
                localAddress = value.string
            } else if option.equalsLowercased("user") {
                // Only the default user exists until ACL users do.
                guard value.string == "default" else { return .error("ERR No such user '", .bytes(value.cPrefix(Int.max)), "'") }
                user = value.string
            } else if option.equalsLowercased("type") {
                guard let wanted = Engine.clientKind(named: value) else {
                    return .error("ERR Unknown client type '", .bytes(value.cPrefix(128)), "'")
                }
                kind = wanted
            } else if option.equalsLowercased("skipme") {
                if value.equalsLowercased("yes") { skipMe = true }
                else if value.equalsLowercased("no") { skipMe = false }
                else { return Errors.syntax }
            } else {
                return Errors.syntax
            }
            index += 2
        }
        var killed: Int64 = 0
        for client in engine.clients.values {
            if let id, client.id != id { continue }
            if let address, client.peerAddress != address { continue }
            if let localAddress, client.localAddress != localAddress { continue }
            if let user, client.user != user { continue }
            if skipMe && client === context.client { continue }
            if let kind, client.kind != kind { continue }
            engine.kill(client)
            killed += 1
        }
        return .integer(killed)
    }

    /// A CLIENT LIST/KILL TYPE name; nil for an unknown one.
    static func clientKind(named name: Bytes) -> ClientState.Kind? {
        if name.equalsLowercased("normal") { return .normal }
        if name.equalsLowercased("replica") || name.equalsLowercased("slave") { return .replica }
        if name.equalsLowercased("pubsub") { return .pubsub }
        if name.equalsLowercased("master") { return .master }
        return nil
    }

    /// Marks a client for disconnection and asks its transport to close it.
    func kill(_ client: ClientState) {
        client.killRequested = true
        client.closeAfterReply = true
        clientCloser?(client)
    }
}
