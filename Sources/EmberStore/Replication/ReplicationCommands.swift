import EmberRESP

extension Engine {
    func registerReplicationCommands() {
        register("sync") { context in
            context.engine.attachReplica(context.client, announcesFullResync: false, now: context.now)
        }
        // PSYNC <replid> <offset>: there is no backlog to continue from, so every request is
        // answered with a full resynchronisation, as Redis answers an unknown id.
        register("psync") { context in
            guard context.args[2].int64Value != nil else { return Errors.notInteger }
            return context.engine.attachReplica(context.client, announcesFullResync: true, now: context.now)
        }
        register("replconf") { context in
            let args = context.args
            if args.count % 2 == 0 { return Errors.syntax }
            var index = 1
            while index < args.count {
                let option = args[index]
                let value = args[index + 1]
                if option.equalsLowercased("listening-port") {
                    guard let port = value.int64Value else { return Errors.notInteger }
                    context.client.replicaListeningPort = Int(truncatingIfNeeded: port)
                } else if option.equalsLowercased("ack") {
                    // A replica's acknowledgement gets no reply.
                    guard let offset = value.int64Value else { return .none }
                    context.engine.replication.acknowledge(clientID: context.client.id, offset: offset, now: context.now)
                    return .none
                } else if option.equalsLowercased("getack") {
                    // Sent by a primary to its replicas; Ember is never a replica.
                    return .none
                } else if !(option.equalsLowercased("ip-address") || option.equalsLowercased("capa")
                    || option.equalsLowercased("rdb-only") || option.equalsLowercased("rdb-filter-only")) {
                    return .error("ERR Unrecognized REPLCONF option: \(option.string)")
                }
                index += 2
            }
            return .ok
        }
        register("role") { context in
            let replication = context.engine.replication
            let replicas = replication.replicas.filter { $0.state == .online }.map { link -> Reply in
                .array([.bulk(Bytes(link.ip)), .bulk(Bytes(String(link.listeningPort))), .bulk(Bytes(String(link.acknowledgedOffset)))])
            }
            return .array([.bulk("master"), .integer(replication.offset), .array(replicas)])
        }
    }
}
