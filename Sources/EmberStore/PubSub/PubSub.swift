import EmberRESP
import NIOCore
import OrderedCollections

/// A message on its way to subscribers: encoded once for each protocol, so a fan-out to
/// thousands of clients writes one shared buffer to each instead of encoding it for each.
public struct PubSubMessage: Sendable {
    public let reply: Reply
    public let resp2: ByteBuffer
    public let resp3: ByteBuffer

    init(_ reply: Reply) {
        self.reply = reply
        var resp2 = ByteBuffer(), resp3 = ByteBuffer()
        reply.encode(into: &resp2, .resp2)
        reply.encode(into: &resp3, .resp3)
        self.resp2 = resp2
        self.resp3 = resp3
    }

    public func encoded(_ version: RESPVersion) -> ByteBuffer { version == .resp3 ? resp3 : resp2 }
}

/// The three kinds of subscription Redis 7.0 has, each with its own commands, message type and
/// subscription count (Redis's `pubsubtype`).
public enum SubscriptionKind: Sendable {
    case channel
    case pattern
    case shardChannel

    var subscribeWord: Bytes {
        switch self {
        case .channel: return Bytes("subscribe")
        case .pattern: return Bytes("psubscribe")
        case .shardChannel: return Bytes("ssubscribe")
        }
    }

    var unsubscribeWord: Bytes {
        switch self {
        case .channel: return Bytes("unsubscribe")
        case .pattern: return Bytes("punsubscribe")
        case .shardChannel: return Bytes("sunsubscribe")
        }
    }
}

/// What one client is subscribed to, in subscription order.
public struct Subscriptions: Sendable {
    public internal(set) var channels: OrderedSet<Bytes> = []
    public internal(set) var patterns: OrderedSet<Bytes> = []
    public internal(set) var shardChannels: OrderedSet<Bytes> = []

    /// All of them: a RESP2 client with any is in the subscriber context.
    public var total: Int { channels.count + patterns.count + shardChannels.count }

    /// The count a (un)subscribe confirmation carries: channels and patterns together, shard
    /// channels on their own (Redis's `clientSubscriptionsCount` / `clientShardSubscriptionsCount`).
    func confirmationCount(_ kind: SubscriptionKind) -> Int {
        kind == .shardChannel ? shardChannels.count : channels.count + patterns.count
    }

    subscript(kind: SubscriptionKind) -> OrderedSet<Bytes> {
        get {
            switch kind {
            case .channel: return channels
            case .pattern: return patterns
            case .shardChannel: return shardChannels
            }
        }
        set {
            switch kind {
            case .channel: channels = newValue
            case .pattern: patterns = newValue
            case .shardChannel: shardChannels = newValue
            }
        }
    }
}

/// Pub/sub (Redis's `pubsub_channels`, `pubsub_patterns`, `pubsubshard_channels`): the
/// subscribers of every channel and pattern, in subscription order, and delivery of a message
/// to them through each client's `deliver` hand-off. State only: no I/O. Touched under the
/// engine lock.
public final class PubSub: @unchecked Sendable {
    @exclusivity(unchecked) private var channels: [Bytes: [ClientState]] = [:]
    @exclusivity(unchecked) private var shardChannels: [Bytes: [ClientState]] = [:]
    @exclusivity(unchecked) private var patterns: OrderedDictionary<Bytes, [ClientState]> = [:]

    public init() {}

    public var channelCount: Int { channels.count }
    public var patternCount: Int { patterns.count }
    public var shardChannelCount: Int { shardChannels.count }

    private func table(_ kind: SubscriptionKind) -> [Bytes: [ClientState]] {
        kind == .shardChannel ? shardChannels : channels
    }

    // MARK: - Subscribing

    /// Subscribes `client` to `name` (a channel, pattern or shard channel); returns the
    /// confirmation to send, which it gets whether or not it was subscribed already.
    func subscribe(_ client: ClientState, to name: Bytes, kind: SubscriptionKind) -> Reply {
        if client.subscriptions[kind].append(name).inserted {
            switch kind {
            case .channel: channels[name, default: []].append(client)
            case .shardChannel: shardChannels[name, default: []].append(client)
            case .pattern: patterns[name, default: []].append(client)
            }
        }
        return confirmation(kind.subscribeWord, name, client.subscriptions.confirmationCount(kind), client)
    }

    /// Unsubscribes `client` from `name`; the confirmation is sent also when it was not
    /// subscribed (`notify` false: a silent clean-up, as on disconnect).
    @discardableResult
    func unsubscribe(_ client: ClientState, from name: Bytes, kind: SubscriptionKind, notify: Bool = true) -> Reply? {
        if client.subscriptions[kind].remove(name) != nil {
            switch kind {
            case .channel: Self.remove(client, from: &channels, name)
            case .shardChannel: Self.remove(client, from: &shardChannels, name)
            case .pattern:
                if var clients = patterns[name] {
                    clients.removeAll { $0 === client }
                    patterns[name] = clients.isEmpty ? nil : clients
                }
            }
        }
        guard notify else { return nil }
        return confirmation(kind.unsubscribeWord, name, client.subscriptions.confirmationCount(kind), client)
    }

    /// UNSUBSCRIBE (and friends) without arguments: from every subscription of `kind`, in
    /// subscription order; one confirmation with a null name when there was none.
    func unsubscribeAll(_ client: ClientState, kind: SubscriptionKind, notify: Bool = true) -> [Reply] {
        let names = client.subscriptions[kind]
        if names.isEmpty {
            return notify ? [confirmation(kind.unsubscribeWord, nil, client.subscriptions.confirmationCount(kind), client)] : []
        }
        var replies: [Reply] = []
        for name in names {
            if let reply = unsubscribe(client, from: name, kind: kind, notify: notify) { replies.append(reply) }
        }
        return replies
    }

    /// Forgets every subscription of `client` (disconnect, RESET).
    func removeAll(_ client: ClientState) {
        guard client.subscriptions.total > 0 else { return }
        for kind in [SubscriptionKind.channel, .pattern, .shardChannel] {
            _ = unsubscribeAll(client, kind: kind, notify: false)
        }
    }

    private static func remove(_ client: ClientState, from table: inout [Bytes: [ClientState]], _ name: Bytes) {
        guard var clients = table[name] else { return }
        clients.removeAll { $0 === client }
        table[name] = clients.isEmpty ? nil : clients
    }

    /// `[kind, name, count]`: a push in RESP3, an array in RESP2 (the encoder decides).
    private func confirmation(_ word: Bytes, _ name: Bytes?, _ count: Int, _ client: ClientState) -> Reply {
        .push([.bulk(word), name.map(Reply.bulk) ?? .null, .integer(Int64(count))])
    }

    // MARK: - Publishing

    /// PUBLISH: hands `message` to the channel's subscribers, then to those of every matching
    /// pattern, in subscription order; returns how many deliveries were made.
    func publish(_ message: Bytes, to channel: Bytes) -> Int {
        var deliveries = 0
        if let subscribers = channels[channel] {
            let push = PubSubMessage(.push([.bulk(Self.messageWord), .bulk(channel), .bulk(message)]))
            for client in subscribers { client.deliver?(push) }
            deliveries += subscribers.count
        }
        if !patterns.isEmpty {
            for (pattern, subscribers) in patterns where globMatch(pattern, channel) {
                let push = PubSubMessage(.push([.bulk(Self.patternMessageWord), .bulk(pattern), .bulk(channel), .bulk(message)]))
                for client in subscribers { client.deliver?(push) }
                deliveries += subscribers.count
            }
        }
        return deliveries
    }

    /// SPUBLISH: to the shard channel's subscribers only.
    func publishToShard(_ message: Bytes, to channel: Bytes) -> Int {
        guard let subscribers = shardChannels[channel] else { return 0 }
        let push = PubSubMessage(.push([.bulk(Self.shardMessageWord), .bulk(channel), .bulk(message)]))
        for client in subscribers { client.deliver?(push) }
        return subscribers.count
    }

    static let messageWord = Bytes("message")
    static let patternMessageWord = Bytes("pmessage")
    static let shardMessageWord = Bytes("smessage")

    // MARK: - PUBSUB

    /// Active channels (with subscribers), optionally those matching `pattern`.
    func activeChannels(kind: SubscriptionKind, matching pattern: Bytes?) -> [Bytes] {
        table(kind).keys.filter { pattern == nil || globMatch(pattern!, $0) }
    }

    func subscriberCount(of channel: Bytes, kind: SubscriptionKind) -> Int {
        table(kind)[channel]?.count ?? 0
    }
}
