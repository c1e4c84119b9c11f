import CEmberSystem
import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis 7.0's dataset signature, computed the same way so
/// that one data set gives the same forty hex digits on Ember and on redis-server (tests compare
/// a server before and after a reload, or two servers, with it).
///
/// Two steps build every digest, both on a 20-byte running value `d`:
/// - *xor*: `d ^= SHA1(data)`. Commutative, so it adds elements whose order does not matter
///   (keys of a database, members of a set, fields of a hash, members of a sorted set).
/// - *mix*: `d = SHA1(d ^ SHA1(data))`. Order-sensitive: used for sequences (list elements,
///   a key followed by its value, a sorted-set member followed by its score).
///
/// One key's digest starts from zero: mix the key's name (dataset digest only), mix its type
/// as a big-endian 32-bit number (string 0, list 1, set 2, zset 3, hash 4), then the value:
/// - string: mix its bytes (an integer-encoded string as its decimal text);
/// - list: mix each element, head to tail;
/// - set: xor each member (intset members as decimal text);
/// - sorted set: for each member, a digest from zero mixing the member, then its score as
///   C's `%.17g` prints it (`inf`, `-inf`, `-0` included); that element digest is then
///   *xor*-ed in as data (the key's digest ^= SHA1(element digest));
/// - hash: for each field, a digest from zero mixing the field, then the value, xor-ed in the
///   same way.
/// Then, if the key has a TTL, xor the ten bytes `!!expire!!`: the expiry time itself is not
/// part of the digest, only whether there is one.
///
/// The dataset digest starts from zero and, for each non-empty database in order, mixes the
/// database number (big-endian 32-bit) and then *xor*s in each key's digest as data
/// (final ^= SHA1(key digest)). Keys that
/// have expired but are still in the table count, as in Redis (the digest reads the table).
/// An empty data set gives forty zeros.
enum RedisDigest {
    /// Redis's type numbers (`OBJ_STRING` ...).
    static func typeCode(_ value: Value) -> UInt32 {
        switch value {
        case .string, .integer: return 0
        case .list: return 1
        case .set: return 2
        case .zset: return 3
        case .hash: return 4
        }
    }

    @inline(__always)
    static func xor(_ digest: inout DigestBytes, _ data: UnsafeRawBufferPointer) {
        digest ^= SHA1.hash(data)
    }

    @inline(__always)
    static func mix(_ digest: inout DigestBytes, _ data: UnsafeRawBufferPointer) {
        xor(&digest, data)
        digest = digest.withBytes { SHA1.hash($0) }
    }

    static func xor(_ digest: inout DigestBytes, _ bytes: Bytes) {
        bytes.withUnsafeBytes { xor(&digest, $0) }
    }

    static func mix(_ digest: inout DigestBytes, _ bytes: Bytes) {
        bytes.withUnsafeBytes { mix(&digest, $0) }
    }

    static func mix(_ digest: inout DigestBytes, bigEndian value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { mix(&digest, $0) }
    }

    static func mix(_ digest: inout DigestBytes, decimal value: Int64) {
        mix(&digest, Bytes(decimal: value))
    }

    /// Mixes `score` as `snprintf("%.17g")` writes it, which is what Redis 7.0 digests (not
    /// the shortest round-trip text ZSCORE replies with).
    static func mix(_ digest: inout DigestBytes, score: Double) {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let written = cember_format_double(buffer.baseAddress!, 64, "%.17g", score)
            mix(&digest, UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(max(0, min(written, 63)))))
        }
    }

    /// The ten bytes xored into a key's digest when it has a TTL.
    /// Xors in the SHA-1 of another digest's twenty bytes (how element and key digests are
    /// added: hashed again, not xored raw).
    static func xor(_ digest: inout DigestBytes, _ other: DigestBytes) {
        other.withBytes { xor(&digest, $0) }
    }

    static func xorExpireMarker(_ digest: inout DigestBytes) {
        let marker: StaticString = "!!expire!!"
        xor(&digest, UnsafeRawBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount))
    }

    /// Adds a value (its type, contents and whether it has a TTL) to `digest`, Redis's
    /// `xorObjectDigest`.
    static func addValue(_ value: Value, hasExpire: Bool, to digest: inout DigestBytes) {
        mix(&digest, bigEndian: typeCode(value))
        switch value {
        case .string(let bytes):
            mix(&digest, bytes)
        case .integer(let integer):
            mix(&digest, decimal: integer)
        case .list(let list):
            for element in list.elements { mix(&digest, element) }
        case .set(let set):
            switch set.storage {
            case .intset(let integers):
                for integer in integers.elements { xor(&digest, Bytes(decimal: integer)) }
            case .listpack, .table:
                for member in set.members { xor(&digest, member) }
            }
        case .zset(let set):
            for entry in set.entries {
                var element = DigestBytes()
                mix(&element, entry.member)
                mix(&element, score: entry.score)
                xor(&digest, element)
            }
        case .hash(let hash):
            for pair in hash.pairs {
                var element = DigestBytes()
                mix(&element, pair.field)
                mix(&element, pair.value)
                xor(&digest, element)
            }
        }
        if hasExpire { xorExpireMarker(&digest) }
    }
}

extension Engine {
    /// DEBUG DIGEST: the digest of every database (see `RedisDigest`).
    func datasetDigest() -> DigestBytes {
        var final = DigestBytes()
        for number in databases.indices {
            let keys = databases[number].keys
            if keys.count == 0 { continue }
            RedisDigest.mix(&final, bigEndian: UInt32(truncatingIfNeeded: number))
            for index in keys.indices {
                let entry = keys[index]
                var digest = DigestBytes()
                RedisDigest.mix(&digest, entry.key)
                RedisDigest.addValue(entry.value.value, hasExpire: entry.value.metadata.hasExpire, to: &digest)
                RedisDigest.xor(&final, digest)
            }
        }
        return final
    }

    /// DEBUG DIGEST-VALUE's digest of one key's value (type, contents, TTL flag), zero when the
    /// key is not in the table. Like Redis it reads the table directly: a key that has expired
    /// but not yet been removed still has its digest.
    func valueDigest(db: Int, key: Bytes) -> DigestBytes {
        var digest = DigestBytes()
        guard let index = databases[db].keys.find(key) else { return digest }
        let stored = databases[db].keys[index].value
        RedisDigest.addValue(stored.value, hasExpire: stored.metadata.hasExpire, to: &digest)
        return digest
    }

    static func debugDigest(_ context: CommandContext) -> Reply {
        .simple(context.engine.datasetDigest().hex)
    }

    static func debugDigestValue(_ context: CommandContext) -> Reply {
        let engine = context.engine
        return .array(context.args.dropFirst(2).map { .simple(engine.valueDigest(db: context.db, key: $0).hex) })
    }
}
