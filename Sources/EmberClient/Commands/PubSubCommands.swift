import EmberRESP

/// Publishing and pub/sub introspection. Subscribing needs a connection of its own:
/// `RedisSubscriber` (or `RedisClusterClient.subscribe(toShardChannels:)`).
extension RedisCommandExecutor {
    /// PUBLISH: sends `message` to `channel`; returns how many subscribers received it.
    @discardableResult
    public func publish(_ channel: some RESPArgumentConvertible, _ message: some RESPArgumentConvertible) async throws -> Int {
        try await execute(RESPCommand("PUBLISH", channel, message), as: Int.self)
    }

    /// SPUBLISH: publishes to a sharded channel (routed by the channel's slot in a cluster).
    @discardableResult
    public func spublish(_ channel: some RESPArgumentConvertible, _ message: some RESPArgumentConvertible) async throws -> Int {
        try await execute(RESPCommand("SPUBLISH", channel, message), as: Int.self)
    }

    /// PUBSUB CHANNELS: active channels, optionally matching a glob pattern.
    public func pubsubChannels(matching pattern: (some RESPArgumentConvertible)? = String?.none) async throws -> [Bytes] {
        var command: RESPCommand = ["PUBSUB", "CHANNELS"]
        if let pattern { command.append(pattern.respArgument) }
        return try await execute(command, as: [Bytes].self)
    }

    /// PUBSUB NUMSUB: subscribers (not counting pattern subscribers) of each channel.
    public func pubsubSubscriberCounts(_ channels: [some RESPArgumentConvertible]) async throws -> [Bytes: Int] {
        var command: RESPCommand = ["PUBSUB", "NUMSUB"]
        command.append(contentsOf: channels)
        let reply = try await execute(command)
        guard let pairs = reply.pairs else { throw RedisClientError.unexpectedReply(reply, expected: "channel/count pairs") }
        var counts: [Bytes: Int] = [:]
        for (channel, count) in pairs {
            counts[try channel.decode(as: Bytes.self)] = try count.decode(as: Int.self)
        }
        return counts
    }

    /// PUBSUB NUMPAT: the number of pattern subscriptions.
    public func pubsubPatternCount() async throws -> Int {
        try await execute(["PUBSUB", "NUMPAT"], as: Int.self)
    }
}
