import EmberRESP

// MARK: - Shared pieces

/// Where a writer's bytes go, in order, a chunk at a time (a file descriptor, a buffer, a
/// replica's socket).
public protocol RDBOutput {
    mutating func write(_ chunk: UnsafeRawBufferPointer) throws
    /// The stream is complete (after the trailer): an encrypted file seals its final chunk.
    mutating func finish() throws
}

extension RDBOutput {
    public mutating func finish() throws {}
}

/// Collects the stream in memory (DEBUG RELOAD, tests, small snapshots).
public struct RDBByteArrayOutput: RDBOutput, Sendable {
    public var bytes: [UInt8] = []
    public init() {}
    public mutating func write(_ chunk: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: chunk) }
}

/// The access information a file keeps for a key: idle seconds (IDLE opcode, written under an
/// LRU maxmemory policy) and the LFU counter (FREQ opcode, under an LFU policy).
public struct RDBKeyAccess: Sendable, Equatable {
    public var idleSeconds: UInt64?
    public var frequency: UInt8?

    public init(idleSeconds: UInt64? = nil, frequency: UInt8? = nil) {
        self.idleSeconds = idleSeconds
        self.frequency = frequency
    }

    public static let none = RDBKeyAccess()

    /// What Redis would record for a key with access bits `bits` at `now` (Unix ms).
    public static func forSaving(_ bits: UInt32, tracking: RDBAccessTracking, now: Int64) -> RDBKeyAccess {
        switch tracking {
        case .none: return .none
        case .lru:
            return RDBKeyAccess(idleSeconds: UInt64(Engine.idleSeconds(bits & KeyMetadata.lruMask, now: Engine.lruClock(now))))
        case .lfu(let decayTime):
            return RDBKeyAccess(frequency: UInt8(truncatingIfNeeded: AccessClock.lfuCounter(bits, now: now, decayTime: decayTime)))
        }
    }

    /// The access bits a loaded or restored key gets (Redis's `objectSetLRUOrLFU`): under an
    /// LFU policy the frequency with the current minute, otherwise the LRU clock moved back
    /// by the idle time. Nil when the relevant number is absent (the caller's default applies).
    public func accessBits(usesLFU: Bool, now: Int64) -> UInt32? {
        if usesLFU {
            guard let frequency else { return nil }
            return AccessClock.lfuMinutes(now) << 8 | UInt32(frequency)
        }
        guard let idleSeconds else { return nil }
        let clock = UInt64(Engine.lruClock(now))
        let maximum = UInt64(KeyMetadata.lruMask)
        if idleSeconds > clock { return UInt32((clock + maximum / 2) % maximum) }
        return UInt32(clock - idleSeconds)
    }
}

/// Which access opcode a saving server writes: IDLE under `allkeys-lru`/`volatile-lru`, FREQ
/// under `allkeys-lfu`/`volatile-lfu` (with its decay time), none otherwise.
public enum RDBAccessTracking: Sendable, Equatable {
    case none
    case lru
    case lfu(decayTime: Int)

    public init(configuration: EngineConfiguration) {
        let policy = configuration.maxMemoryPolicy
        if policy.hasSuffix("lfu") {
            self = .lfu(decayTime: configuration.lfuDecayTime)
        } else if policy.hasSuffix("lru") {
            self = .lru
        } else {
            self = .none
        }
    }
}

// MARK: - Writing

public struct RDBWriteOptions: Sendable {
    public var values: RDBValueEncoding
    /// `rdbchecksum`: the trailer is the CRC-64 of the stream, or zero when off.
    public var checksum: Bool
    public var accessTracking: RDBAccessTracking
    /// Bytes gathered before they are handed to the output.
    public var chunkSize: Int

    public init(values: RDBValueEncoding = RDBValueEncoding(), checksum: Bool = true,
                accessTracking: RDBAccessTracking = .none, chunkSize: Int = 64 * 1024) {
        self.values = values
        self.checksum = checksum
        self.accessTracking = accessTracking
        self.chunkSize = chunkSize
    }

    /// The settings of a server configured as `configuration`.
    public init(configuration: EngineConfiguration) {
        self.init(values: RDBValueEncoding(configuration: configuration),
                  checksum: configuration.persistence.rdbChecksum,
                  accessTracking: RDBAccessTracking(configuration: configuration))
    }
}

/// The aux fields at the start of a file, as Redis 7.0 writes them.
public struct RDBHeader: Sendable {
    public var redisVersion: String
    /// `ctime`: Unix seconds of the save.
    public var creationTime: Int64
    public var usedMemory: Int64
    /// 1 in an AOF's RDB preamble.
    public var aofBase: Bool
    /// Written after `used-mem` (replication's `repl-stream-db`, `repl-id`, `repl-offset`).
    public var extraAux: [(key: Bytes, value: Bytes)]

    public init(redisVersion: String = "7.0.15", creationTime: Int64, usedMemory: Int64 = 0,
                aofBase: Bool = false, extraAux: [(key: Bytes, value: Bytes)] = []) {
        self.redisVersion = redisVersion
        self.creationTime = creationTime
        self.usedMemory = usedMemory
        self.aofBase = aofBase
        self.extraAux = extraAux
    }
}

/// Writes an RDB file one piece at a time: the header, then per database a SELECTDB and
/// RESIZEDB and its keys (one `writeEntry` each), then `finish` (EOF and checksum). Bytes are
/// gathered to `chunkSize` and handed to the output, which can stream them anywhere, so a
/// background save can interleave entries with other work.
public struct RDBWriter<Output: RDBOutput> {
    public private(set) var output: Output
    public let options: RDBWriteOptions
    var pending: RDBEncoder
    public private(set) var checksum: UInt64 = 0
    /// Bytes handed to the output so far.
    public private(set) var bytesWritten = 0
    public private(set) var keysWritten = 0
    public private(set) var isFinished = false

    public init(output: Output, options: RDBWriteOptions) {
        self.output = output
        self.options = options
        self.pending = RDBEncoder(compression: options.values.compression, capacity: min(options.chunkSize, 1 << 20) + 1024)
    }

    /// `REDIS0010` and the aux fields.
    public mutating func writeHeader(_ header: RDBHeader) throws {
        pending.bytes += RDBFormat.magic
        pending.bytes += Array(rdbVersionDigits(Int(RDBFormat.version)).utf8)
        writeAux(Bytes("redis-ver"), Bytes(header.redisVersion))
        writeAux(Bytes("redis-bits"), Bytes(decimal: Int64(Int.bitWidth)))
        writeAux(Bytes("ctime"), Bytes(decimal: header.creationTime))
        writeAux(Bytes("used-mem"), Bytes(decimal: header.usedMemory))
        for (key, value) in header.extraAux { writeAux(key, value) }
        writeAux(Bytes("aof-base"), Bytes(decimal: header.aofBase ? 1 : 0))
        try flushIfFull()
    }

    public mutating func writeAux(_ key: Bytes, _ value: Bytes) {
        pending.writeByte(RDBFormat.Opcode.aux)
        pending.writeString(key)
        pending.writeString(value)
    }

    /// SELECTDB and RESIZEDB for the keys that follow.
    public mutating func beginDatabase(_ index: Int, keyCount: Int, expireCount: Int) throws {
        pending.writeByte(RDBFormat.Opcode.selectDB)
        pending.writeLength(index)
        pending.writeByte(RDBFormat.Opcode.resizeDB)
        pending.writeLength(keyCount)
        pending.writeLength(expireCount)
        try flushIfFull()
    }

    /// One key: its expiry (Unix ms), access opcode, type, name and value.
    public mutating func writeEntry(key: Bytes, value: Value, expireAt: Int64?, access: RDBKeyAccess = .none) throws {
        if let expireAt {
            pending.writeByte(RDBFormat.Opcode.expireTimeMilliseconds)
            pending.writeLittleEndian(expireAt)
        }
        if let idle = access.idleSeconds {
            pending.writeByte(RDBFormat.Opcode.idle)
            pending.writeLength(idle)
        }
        if let frequency = access.frequency {
            pending.writeByte(RDBFormat.Opcode.freq)
            pending.writeByte(frequency)
        }
        pending.writeByte(RDBValueCodec.type(of: value))
        pending.writeString(key)
        RDBValueCodec.encode(value, into: &pending, options.values)
        keysWritten += 1
        try flushIfFull()
    }

    /// One key of the keyspace, with the access opcode the options' policy calls for.
    public mutating func writeEntry(key: Bytes, stored: StoredValue, expireAt: Int64?, now: Int64) throws {
        let access = RDBKeyAccess.forSaving(stored.metadata.lru, tracking: options.accessTracking, now: now)
        try writeEntry(key: key, value: stored.value, expireAt: expireAt, access: access)
    }

    /// A whole database (nothing when it is empty), as a synchronous SAVE writes it.
    public mutating func writeDatabase(_ database: Database, index: Int, now: Int64) throws {
        guard database.count > 0 else { return }
        try beginDatabase(index, keyCount: database.count, expireCount: database.expires.count)
        for slot in database.keys.indices {
            let entry = database.keys[slot]
            let expireAt = entry.value.metadata.hasExpire ? database.expires.value(for: entry.key) : nil
            try writeEntry(key: entry.key, stored: entry.value, expireAt: expireAt, now: now)
        }
    }

    /// EOF and the checksum; everything reaches the output.
    public mutating func finish() throws {
        precondition(!isFinished, "RDBWriter.finish called twice")
        pending.writeByte(RDBFormat.Opcode.eof)
        try flush()
        var trailer = RDBEncoder(compression: false)
        trailer.writeLittleEndian(options.checksum ? checksum : 0)
        try trailer.bytes.withUnsafeBytes { try output.write($0) }
        try output.finish()
        bytesWritten += 8
        isFinished = true
    }

    /// Hands the gathered bytes to the output.
    public mutating func flush() throws {
        guard !pending.bytes.isEmpty else { return }
        if options.checksum { checksum = CRC64.update(checksum, pending.bytes) }
        try pending.bytes.withUnsafeBytes { try output.write($0) }
        bytesWritten += pending.bytes.count
        pending.bytes.removeAll(keepingCapacity: pending.bytes.capacity <= 4 << 20)
    }

    mutating func flushIfFull() throws {
        if pending.bytes.count >= options.chunkSize { try flush() }
    }
}

/// Four digits, zero-padded (the version in `REDIS0010`).
func rdbVersionDigits(_ value: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

// MARK: - Loading

public struct RDBLoadOptions: Sendable {
    public var values: RDBValueDecoding
    /// `rdbchecksum`: verify the trailer (a zero trailer is never verified, as in Redis).
    public var verifyChecksum: Bool
    /// SELECTDB beyond this is an error.
    public var databases: Int

    public init(values: RDBValueDecoding = RDBValueDecoding(), verifyChecksum: Bool = true, databases: Int = 16) {
        self.values = values
        self.verifyChecksum = verifyChecksum
        self.databases = databases
    }

    /// The settings of a server configured as `configuration`: deep checks when
    /// `sanitize-dump-payload yes`.
    public init(configuration: EngineConfiguration) {
        self.init(values: RDBValueDecoding(limits: configuration.limits,
                                           deepValidation: configuration.persistence.sanitizeDumpPayload == "yes"),
                  verifyChecksum: configuration.persistence.rdbChecksum,
                  databases: configuration.databases)
    }
}

/// A key read from a file, as the loader reports it. The expiry is passed through even when
/// already past: dropping such keys is the caller's choice.
public struct RDBLoadedKey {
    public var db: Int
    public var key: Bytes
    public var value: Value
    /// Unix milliseconds.
    public var expireAt: Int64?
    public var access: RDBKeyAccess
}

public struct RDBLoadSummary: Sendable {
    public var version: Int = 0
    public var keysLoaded = 0
    /// Empty collections in the file (skipped, as Redis 7.0 does).
    public var emptyKeysSkipped = 0
    /// The first ten of them, by name (Redis logs those).
    public var emptyKeysSkippedNames: [Bytes] = []
    /// Keys whose expiry had passed, dropped by `Engine.loadRDB` (not counted in `keysLoaded`).
    public var expiredKeysDropped = 0
    public var aux: [(key: Bytes, value: Bytes)] = []
    /// The RESIZEDB hints, by database.
    public var resizeHints: [Int: (keys: Int, expires: Int)] = [:]
    /// Bytes of the input the RDB stream took, trailer included (an AOF tail may follow).
    public var bytesConsumed = 0
    public var checksum: UInt64 = 0
}

/// Reads an RDB stream and reports each key to a callback; the engine stays on the caller's side.
public enum RDBLoader {
    /// `onResize` gets RESIZEDB's hints (keys, keys with an expiry) for the database that
    /// follows, bounded by what the rest of the file could hold, so a hostile hint cannot make
    /// the caller reserve more than the file's size in entries.
    public static func load(_ bytes: [UInt8], options: RDBLoadOptions = RDBLoadOptions(),
                            onResize: (_ db: Int, _ keys: Int, _ expires: Int) -> Void = { _, _, _ in },
                            onKey: (RDBLoadedKey) throws -> Void) throws -> RDBLoadSummary {
        var reader = RDBReader(bytes)
        var summary = RDBLoadSummary()
        guard bytes.count >= 9, Array(bytes[0..<5]) == RDBFormat.magic else {
            throw RDBError(offset: 0, reason: "wrong signature trying to load DB from file")
        }
        let digits = bytes[5..<9]
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw RDBError(offset: 5, reason: "invalid RDB version")
        }
        let version = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard version >= 1 && version <= Int(RDBFormat.version) else {
            throw RDBError(offset: 5, reason: "can't handle RDB format version \(version)")
        }
        summary.version = version
        reader.position = 9

        var db = 0
        var expireAt: Int64?
        var access = RDBKeyAccess()
        while true {
            let opcodeStart = reader.position
            let type = try reader.readByte()
            switch type {
            case RDBFormat.Opcode.expireTimeSeconds:
                let seconds = Int32(truncatingIfNeeded: try reader.readLittleEndian(4))
                expireAt = Int64(seconds) * 1000
            case RDBFormat.Opcode.expireTimeMilliseconds:
                expireAt = Int64(bitPattern: try reader.readLittleEndian(8))
            case RDBFormat.Opcode.freq:
                access.frequency = try reader.readByte()
            case RDBFormat.Opcode.idle:
                let (idle, encoded) = try reader.readLength()
                guard !encoded else { throw reader.error("invalid IDLE value", at: opcodeStart) }
                access.idleSeconds = idle
            case RDBFormat.Opcode.eof:
                let end = reader.position
                if version >= 5 {
                    let stored = try reader.readLittleEndian(8)
                    summary.checksum = stored
                    if options.verifyChecksum && stored != 0 {
                        let computed = CRC64.update(0, bytes[0..<end])
                        guard computed == stored else {
                            throw RDBError(offset: end, reason: "wrong RDB checksum expected: \(hex(stored)) got: \(hex(computed))")
                        }
                    }
                }
                summary.bytesConsumed = reader.position
                return summary
            case RDBFormat.Opcode.selectDB:
                let index = try reader.readCount(what: "database number")
                guard index < options.databases else {
                    throw reader.error("data file was created with a server configured to handle more than \(options.databases) databases", at: opcodeStart)
                }
                db = index
            case RDBFormat.Opcode.resizeDB:
                let keys = try reader.readCount(what: "RESIZEDB size")
                let expires = try reader.readCount(what: "RESIZEDB size")
                summary.resizeHints[db] = (keys, expires)
                // Each key takes three bytes of the file at least (type, key length, value).
                let room = (bytes.count - reader.position) / 3
                onResize(db, min(keys, room), min(expires, room))
            case RDBFormat.Opcode.aux:
                let key = try reader.readBytes()
                let value = try reader.readBytes()
                summary.aux.append((key, value))
            case RDBFormat.Opcode.moduleAux:
                throw reader.error("module aux data is not supported", at: opcodeStart)
            case RDBFormat.Opcode.function2, RDBFormat.Opcode.functionPreGA:
                throw reader.error("function libraries in RDB files are not supported", at: opcodeStart)
            default:
                guard RDBFormat.ValueType.isKnown(type) else {
                    throw reader.error("unknown RDB type \(type)", at: opcodeStart)
                }
                let key = try reader.readBytes()
                let value = try RDBValueCodec.decode(type: type, from: &reader, options.values)
                if let value {
                    summary.keysLoaded += 1
                    try onKey(RDBLoadedKey(db: db, key: key, value: value, expireAt: expireAt, access: access))
                } else {
                    summary.emptyKeysSkipped += 1
                    if summary.emptyKeysSkippedNames.count < 10 { summary.emptyKeysSkippedNames.append(key) }
                }
                expireAt = nil
                access = RDBKeyAccess()
            }
        }
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
