import EmberRESP

/// The checks a command passes before it runs, in Redis's `processCommand` order. Each returns
/// the rejection reply or nil; later subsystems (ACL, OOM, scripts, pub/sub, read-only
/// replicas) add their case here, in their place in the order.
enum AdmissionCheck {
    case arity
    /// DEBUG and friends, gated by `enable-debug-command` (before authentication, as Redis).
    case protectedCommand
    case authentication
    /// Writes are refused while the last background save failed (`stop-writes-on-bgsave-error`).
    case diskError
    /// Commands MULTI cannot queue.
    case transactionQueue
    /// A RESP2 client with subscriptions runs only the subscribe family, PING, QUIT and RESET.
    case subscriberContext
}

extension Engine {
    /// The first rejection among the admission checks, or nil when `command` may run. A
    /// rejected command inside MULTI makes EXEC fail, as Redis's `rejectCommand`.
    @inline(__always)
    func admit(_ command: Command, _ args: [Bytes], client: ClientState) -> Reply? {
        // Spelled out, not a loop over an array: this runs for every command.
        guard let rejection = rejection(by: .arity, command, args, client: client)
            ?? rejection(by: .protectedCommand, command, args, client: client)
            ?? rejection(by: .authentication, command, args, client: client)
            ?? rejection(by: .diskError, command, args, client: client)
            ?? rejection(by: .transactionQueue, command, args, client: client)
            ?? rejection(by: .subscriberContext, command, args, client: client)
        else { return nil }
        if client.transaction != nil { client.transactionFailed = true }
        return rejection
    }

    @inline(__always)
    private func rejection(by check: AdmissionCheck, _ command: Command, _ args: [Bytes], client: ClientState) -> Reply? {
        let flags = command.spec.flags
        switch check {
        case .arity:
            let arity = command.spec.arity
            if (arity > 0 && args.count != arity) || (args.count < -arity) { return Errors.wrongArity(command.name) }
        case .protectedCommand:
            if flags.contains(.protected) && !allowsProtectedCommand(client) {
                return .error("ERR \(command.name.uppercased()) command not allowed. If the enable-\(command.name)-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
            }
        case .authentication:
            if !client.isAuthenticated && !flags.contains(.noAuth) { return Errors.noAuth }
        case .diskError:
            guard flags.contains(.write) || command.isPing else { return nil }
            if persistenceState.refusesWrites(stopWritesOnError: config.persistence.stopWritesOnBgsaveError) {
                return Errors.diskError
            }
            if appendOnly.writer != nil, let problem = appendOnlyWriteError {
                return .error("MISCONF Errors writing to the AOF file: \(problem)")
            }
        case .transactionQueue:
            if client.transaction != nil && flags.contains(.noMulti) { return .error("ERR Command not allowed inside a transaction") }
        case .subscriberContext:
            if client.subscriptions.total > 0 && client.protocolVersion == .resp2 && !Engine.runsInSubscriberContext(command) {
                return .error("ERR Can't execute '\(command.name)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
            }
        }
        return nil
    }

    /// `enable-debug-command`: `yes` for everyone, `local` for loopback and Unix-socket clients.
    func allowsProtectedCommand(_ client: ClientState) -> Bool {
        let setting = config.enableDebugCommand
        return setting == "yes" || (setting == "local" && client.isLocal)
    }
}
