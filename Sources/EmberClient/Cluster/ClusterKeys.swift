import EmberRESP

/// Where a command's keys are, for routing it in a cluster. Commands not listed have no key
/// (or one the table does not know): they go to any primary, and a MOVED reply still routes
/// them to the right node.
enum ClusterKeySpec {
    /// One key, at argument 1.
    case first
    /// Every argument from 1 on is a key.
    case all
    /// Every argument from 1 up to the last one (exclusive): BLPOP key... timeout.
    case allButLast
    /// Keys at 1 and 2 (RENAME, SMOVE, LMOVE, COPY, ...).
    case firstTwo
    /// Key/value pairs from 1: MSET k v k v.
    case pairs
    /// A key count at argument `index`, the keys after it (EVAL script numkeys key...).
    case counted(index: Int)
    /// A destination key at 1, then a key count at 2 and the keys after it (ZUNIONSTORE).
    case destinationAndCounted
    /// XREAD/XREADGROUP: keys after STREAMS (first half of the rest).
    case streams

    static let table: [String: ClusterKeySpec] = {
        var table: [String: ClusterKeySpec] = [:]
        let first = """
            GET SET SETNX SETEX PSETEX GETEX GETDEL GETSET INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND \
            STRLEN GETRANGE SETRANGE SUBSTR SETBIT GETBIT BITCOUNT BITPOS BITFIELD BITFIELD_RO \
            TYPE EXPIRE PEXPIRE EXPIREAT PEXPIREAT EXPIRETIME PEXPIRETIME TTL PTTL PERSIST DUMP RESTORE OBJECT \
            HSET HSETNX HGET HMSET HMGET HGETALL HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HINCRBY \
            HINCRBYFLOAT HRANDFIELD HSCAN \
            LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LREM LTRIM LINSERT LPOS \
            SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SSCAN \
            ZADD ZREM ZCARD ZSCORE ZMSCORE ZINCRBY ZRANK ZREVRANK ZRANGE ZREVRANGE ZRANGEBYSCORE \
            ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZCOUNT ZLEXCOUNT ZREMRANGEBYRANK \
            ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZRANDMEMBER ZSCAN \
            PFADD XADD XLEN XRANGE XREVRANGE XDEL XTRIM XACK XCLAIM XAUTOCLAIM XPENDING XGROUP XINFO \
            GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH SORT SORT_RO SPUBLISH
            """
        for name in first.split(separator: " ") { table[String(name)] = .first }
        for name in ["MGET", "DEL", "EXISTS", "UNLINK", "TOUCH", "WATCH", "SUNION", "SINTER", "SDIFF",
                     "SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE", "PFCOUNT", "PFMERGE", "SSUBSCRIBE", "SUNSUBSCRIBE"] {
            table[name] = .all
        }
        for name in ["BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX"] { table[name] = .allButLast }
        for name in ["RENAME", "RENAMENX", "SMOVE", "LMOVE", "BLMOVE", "RPOPLPUSH", "BRPOPLPUSH", "COPY",
                     "LCS", "ZRANGESTORE", "GEOSEARCHSTORE"] {
            table[name] = .firstTwo
        }
        for name in ["MSET", "MSETNX"] { table[name] = .pairs }
        for name in ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"] { table[name] = .counted(index: 2) }
        for name in ["SINTERCARD", "ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD", "LMPOP", "ZMPOP"] { table[name] = .counted(index: 1) }
        for name in ["BLMPOP", "BZMPOP"] { table[name] = .counted(index: 2) }
        for name in ["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"] { table[name] = .destinationAndCounted }
        for name in ["XREAD", "XREADGROUP"] { table[name] = .streams }
        return table
    }()

    /// The keys of `command` (empty when it has none, or the table does not know it).
    static func keys(of command: RESPCommand) -> [Bytes] {
        let arguments = command.arguments
        guard let name = arguments.first, let spec = table[name.string.uppercased()] else { return [] }
        let count = arguments.count
        func counted(at index: Int) -> [Bytes] {
            guard index < count, let n = Int(arguments[index].string), n >= 0 else { return [] }
            let end = min(count, index + 1 + n)
            return index + 1 < end ? Array(arguments[(index + 1)..<end]) : []
        }
        switch spec {
        case .first:
            return count > 1 ? [arguments[1]] : []
        case .all:
            return count > 1 ? Array(arguments[1...]) : []
        case .allButLast:
            return count > 2 ? Array(arguments[1..<(count - 1)]) : []
        case .firstTwo:
            return Array(arguments.dropFirst().prefix(2))
        case .pairs:
            return stride(from: 1, to: count, by: 2).map { arguments[$0] }
        case .counted(let index):
            return counted(at: index)
        case .destinationAndCounted:
            guard count > 1 else { return [] }
            return [arguments[1]] + counted(at: 2)
        case .streams:
            guard let streams = arguments.firstIndex(where: { $0.string.uppercased() == "STREAMS" }) else { return [] }
            let rest = Array(arguments[(streams + 1)...])
            return Array(rest.prefix(rest.count / 2))
        }
    }
}
