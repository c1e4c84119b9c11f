import EmberRESP

extension Engine {
    func registerDumpRestoreCommands() {
        register("dump", Engine.dump)
        register("restore", Engine.restore)
    }

    /// DUMP key: the value serialized as Redis 7.0 does, nil for a missing key.
    static func dump(_ context: CommandContext) -> Reply {
        let engine = context.engine
        guard let index = engine.lookupRead(context.args[1], context) else { return .null }
        let value = engine.databases[context.db].keys[index].value.value
        return .bulk(DumpPayload.create(value, encoding: RDBValueEncoding(configuration: engine.config)))
    }

    /// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], with
    /// Redis 7.0's checks in Redis's order.
    static func restore(_ context: CommandContext) -> Reply {
        let engine = context.engine
        let args = context.args
        var replace = false
        var absoluteTTL = false
        var idleSeconds: Int64 = -1
        var frequency: Int64 = -1
        var index = 4
        while index < args.count {
            let option = args[index]
            let additional = args.count - index - 1
            if option.equalsLowercased("replace") {
                replace = true
            } else if option.equalsLowercased("absttl") {
                absoluteTTL = true
            } else if option.equalsLowercased("idletime") && additional >= 1 && frequency == -1 {
                guard let value = args[index + 1].int64Value else { return Errors.notInteger }
                guard value >= 0 else { return .error("ERR Invalid IDLETIME value, must be >= 0") }
                idleSeconds = value
                index += 1
            } else if option.equalsLowercased("freq") && additional >= 1 && idleSeconds == -1 {
                guard let value = args[index + 1].int64Value else { return Errors.notInteger }
                guard value >= 0 && value <= 255 else { return .error("ERR Invalid FREQ value, must be >= 0 and <= 255") }
                frequency = value
                index += 1
            } else {
                return Errors.syntax
            }
            index += 1
        }

        let key = args[1]
        let existing = engine.lookupWrite(key, context)
        if !replace && existing != nil { return .error("BUSYKEY Target key name already exists.") }

        guard var ttl = args[2].int64Value else { return Errors.notInteger }
        guard ttl >= 0 else { return .error("ERR Invalid TTL value, must be >= 0") }

        let payload = args[3].array
        guard DumpPayload.verify(payload, skipChecksum: context.engine.config.debug.skipChecksumValidation) else { return .error("ERR DUMP payload version or checksum are wrong") }
        let sanitize = engine.config.persistence.sanitizeDumpPayload
        let decoding = RDBValueDecoding(limits: engine.config.limits, deepValidation: sanitize == "yes" || sanitize == "clients")
        let value: Value?
        do {
            value = try DumpPayload.decode(payload, decoding: decoding)
        } catch {
            // As Redis's rdbReportError in a RESTORE: the cause goes to the log at verbose level
            // (a packed blob that fails validation is named: "Zset ziplist integrity check failed").
            let corrupt = error as? RDBError
            engine.log(.verbose, "Internal error in RDB reading offset \(corrupt?.offset ?? 0), function at rdb.c:0 -> \(corrupt?.reason ?? "\(error)")")
            return .error("ERR Bad data format")
        }
        guard let value else { return .error("ERR Bad data format") }

        if let existing, replace { engine.removeEntry(at: existing, db: context.db, lazily: engine.config.lazyFreeServerDel) }

        if ttl != 0 && !absoluteTTL { ttl = ttl &+ context.now }
        // Already expired: the key is not created (and a replaced one stays deleted).
        if ttl != 0 && ttl <= context.now { return .ok }

        let access = RDBKeyAccess(idleSeconds: idleSeconds >= 0 ? UInt64(idleSeconds) : nil,
                                  frequency: frequency >= 0 ? UInt8(frequency) : nil)
        let bits = access.accessBits(usesLFU: engine.config.usesLFU, now: context.now) ?? context.lru
        let slot = engine.databases[context.db].add(key, value, lru: bits)
        if ttl != 0 { engine.databases[context.db].setExpire(at: slot, ttl) }
        return .ok
    }
}
