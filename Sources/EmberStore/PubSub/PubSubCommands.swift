import EmberRESP

/// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBE forms, PUBLISH, SPUBLISH and PUBSUB.
/// Confirmations and messages are pushes: arrays for a RESP2 client, `>` frames for RESP3.
extension Engine {
    func registerPubSubCommands() {
        register("subscribe") { $0.engine.subscribe($0, kind: .channel) }
        register("psubscribe") { $0.engine.subscribe($0, kind: .pattern) }
        register("ssubscribe") { $0.engine.subscribe($0, kind: .shardChannel) }
        register("unsubscribe") { $0.engine.unsubscribe($0, kind: .channel) }
        register("punsubscribe") { $0.engine.unsubscribe($0, kind: .pattern) }
        register("sunsubscribe") { $0.engine.unsubscribe($0, kind: .shardChannel) }
        register("publish") { context in
            .integer(Int64(context.engine.pubSub.publish(context.args[2], to: context.args[1])))
        }
        register("spublish") { context in
            .integer(Int64(context.engine.pubSub.publishToShard(context.args[2], to: context.args[1])))
        }
        register("pubsub|channels") { context in
            let pattern = context.args.count > 2 ? context.args[2] : nil
            return .bulkArray(context.engine.pubSub.activeChannels(kind: .channel, matching: pattern))
        }
        register("pubsub|shardchannels") { context in
            let pattern = context.args.count > 2 ? context.args[2] : nil
            return .bulkArray(context.engine.pubSub.activeChannels(kind: .shardChannel, matching: pattern))
        }
        // A flat array of name and count in both protocols, as Redis replies.
        register("pubsub|numsub") { context in
            .array(context.args.dropFirst(2).flatMap { channel in
                [.bulk(channel), .integer(Int64(context.engine.pubSub.subscriberCount(of: channel, kind: .channel)))]
            })
        }
        register("pubsub|shardnumsub") { context in
            .array(context.args.dropFirst(2).flatMap { channel in
                [.bulk(channel), .integer(Int64(context.engine.pubSub.subscriberCount(of: channel, kind: .shardChannel)))]
            })
        }
        register("pubsub|numpat") { .integer(Int64($0.engine.pubSub.patternCount)) }
        register("pubsub|help") { _ in
            Engine.help("PUBSUB", [
                "CHANNELS [<pattern>]",
                "    Return the currently active channels matching a <pattern> (default: '*').",
                "NUMPAT",
                "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]",
                "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).",
                "SHARDCHANNELS [<pattern>]",
                "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                "SHARDNUMSUB [<shardchannel> ...]",
                "    Return the number of subscribers for the specified shard level channel(s)",
            ])
        }
    }

    private func subscribe(_ context: CommandContext, kind: SubscriptionKind) -> Reply {
        let client = context.client
        // A client that expects one reply per command (inside EXEC) cannot enter the
        // subscriber context; SUBSCRIBE and PSUBSCRIBE are let through in MULTI, as Redis
        // keeps them for backward compatibility.
        if client.executingTransaction && kind == .shardChannel {
            return .error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
        }
        return .sequence(context.args.dropFirst().map { pubSub.subscribe(client, to: $0, kind: kind) })
    }

    private func unsubscribe(_ context: CommandContext, kind: SubscriptionKind) -> Reply {
        let client = context.client
        if context.args.count == 1 { return .sequence(pubSub.unsubscribeAll(client, kind: kind)) }
        return .sequence(context.args.dropFirst().compactMap { pubSub.unsubscribe(client, from: $0, kind: kind) })
    }

    /// Commands a RESP2 client in the subscriber context may run.
    static func runsInSubscriberContext(_ command: Command) -> Bool {
        switch command.name {
        case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset":
            return true
        default:
            return false
        }
    }
}
