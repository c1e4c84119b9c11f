import EmberRESP

/// Who serves which slot: read from `CLUSTER SHARDS` or `CLUSTER SLOTS`, in either protocol.
struct ClusterTopology {
    typealias NodeAddress = RedisClusterClient.NodeAddress

    /// The primary that owns each slot (nil where no node does).
    var slots = [NodeAddress?](repeating: nil, count: RedisClusterHashSlot.count)
    var primaries: [NodeAddress] = []
    /// Each primary's replicas.
    var replicas: [NodeAddress: [NodeAddress]] = [:]

    /// `CLUSTER SLOTS`: `[[start, end, [host, port, id, ...], replica..., ...], ...]`.
    init(slots reply: RESPValue, askedNode: NodeAddress) throws {
        guard let ranges = reply.elements else { throw RedisClientError.unexpectedReply(reply, expected: "a CLUSTER SLOTS array") }
        for range in ranges {
            guard let fields = range.elements, fields.count >= 3,
                  let start = Self.integer(fields[0]), let end = Self.integer(fields[1]),
                  0 <= start, start <= end, end < RedisClusterHashSlot.count,
                  let primary = Self.address(fields[2], askedNode: askedNode)
            else { throw RedisClientError.unexpectedReply(range, expected: "a CLUSTER SLOTS range") }
            add(primary: primary, replicas: fields.dropFirst(3).compactMap { Self.address($0, askedNode: askedNode) },
                ranges: [(start, end)])
        }
        if primaries.isEmpty { throw RedisClientError(.clusterUnavailable, "CLUSTER SLOTS lists no slots") }
    }

    /// `CLUSTER SHARDS`: one map (a flat array in RESP2) per shard, with `slots` (start/end
    /// pairs) and `nodes` (maps with `ip`/`endpoint`, `port`, `role`, `health`). Failed
    /// replicas are left out.
    init(shards reply: RESPValue, askedNode: NodeAddress) throws {
        guard let shards = reply.elements else { throw RedisClientError.unexpectedReply(reply, expected: "a CLUSTER SHARDS array") }
        for shard in shards {
            guard let fields = Self.fields(shard), let slotList = fields["slots"]?.elements,
                  let nodes = fields["nodes"]?.elements
            else { throw RedisClientError.unexpectedReply(shard, expected: "a CLUSTER SHARDS entry") }
            var ranges: [(Int, Int)] = []
            var index = 0
            while index + 1 < slotList.count {
                guard let start = Self.integer(slotList[index]), let end = Self.integer(slotList[index + 1]),
                      0 <= start, start <= end, end < RedisClusterHashSlot.count
                else { throw RedisClientError.unexpectedReply(shard, expected: "slot ranges") }
                ranges.append((start, end))
                index += 2
            }
            var primary: NodeAddress?
            var replicas: [NodeAddress] = []
            for node in nodes {
                guard let node = Self.fields(node), let port = node["port"].flatMap(Self.integer) else { continue }
                var host = node["endpoint"].flatMap(Self.text) ?? node["ip"].flatMap(Self.text) ?? ""
                if host.isEmpty || host == "?" { host = node["ip"].flatMap(Self.text) ?? askedNode.host }
                if host.isEmpty || host == "?" { host = askedNode.host }
                let address = NodeAddress(host: host, port: port)
                let role = node["role"].flatMap(Self.text) ?? ""
                let health = node["health"].flatMap(Self.text) ?? "online"
                if role == "master" || role == "primary" {
                    primary = address
                } else if health != "failed" {
                    // Redis 7.0 reports an in-sync replica as "loading" while the replication
                    // offset is still 0 (no writes yet); one really loading answers -LOADING,
                    // and the read then goes to the primary.
                    replicas.append(address)
                }
            }
            // A shard with no slots (a primary being added) or no primary serves nothing yet.
            if let primary, !ranges.isEmpty { add(primary: primary, replicas: replicas, ranges: ranges) }
        }
        if primaries.isEmpty { throw RedisClientError(.clusterUnavailable, "CLUSTER SHARDS lists no slots") }
    }

    private mutating func add(primary: NodeAddress, replicas: [NodeAddress], ranges: [(Int, Int)]) {
        if !primaries.contains(primary) { primaries.append(primary) }
        for replica in replicas where !(self.replicas[primary]?.contains(replica) ?? false) {
            self.replicas[primary, default: []].append(replica)
        }
        for (start, end) in ranges {
            for slot in start...end { slots[slot] = primary }
        }
    }

    /// `[host, port, ...]` of CLUSTER SLOTS; an empty host (or "?") means the node asked.
    private static func address(_ value: RESPValue, askedNode: NodeAddress) -> NodeAddress? {
        guard let node = value.elements, node.count >= 2, var host = text(node[0]), let port = integer(node[1]) else { return nil }
        if host.isEmpty || host == "?" { host = askedNode.host }
        return NodeAddress(host: host, port: port)
    }

    /// A RESP3 map or RESP2 flat array of name/value pairs, by name.
    private static func fields(_ value: RESPValue) -> [String: RESPValue]? {
        guard let pairs = value.pairs else { return nil }
        var fields: [String: RESPValue] = [:]
        for (name, value) in pairs {
            if let name = text(name) { fields[name] = value }
        }
        return fields
    }

    /// A number, whether sent as an integer or as text.
    private static func integer(_ value: RESPValue) -> Int? {
        try? value.decode(as: Int.self)
    }

    private static func text(_ value: RESPValue) -> String? {
        value.bytes?.string
    }
}
