import EmberRESP

/// One database's part of a running background snapshot.
///
/// The snapshot saves the database as it was when the snapshot began, without copying it and
/// without fork: every entry that existed then is *pending* (its parity bit differs from the
/// database's `savedParity`) until it is saved, either by the snapshot's walker, which visits
/// the table in slices under the engine lock from the last entry down, or, if a command is about
/// to change or delete it first, by that command (`Database.willChange`), which saves the old
/// entry here before the change. Entries created later are born saved. Walking downwards is
/// what makes this exact: a removal moves the table's last entry into the hole, so an entry
/// only ever moves from the walked part into the unwalked part, already saved, never the other way.
///
/// Touched only under the engine lock, but for the adopted tables, which nobody else holds.
public final class SnapshotCursor: @unchecked Sendable {
    /// The database number when the snapshot began (SWAPDB moves the data, and this with it).
    public let databaseNumber: Int
    public let keyCount: Int
    public let expireCount: Int
    /// The next entry index the walker looks at; it walks down to 0.
    var nextIndex: Int
    /// Entries saved by commands ahead of the walker, encoded, in arrival order.
    private var early: RDBWriter<RDBByteArrayOutput>
    private let options: RDBWriteOptions
    private let now: Int64
    /// Tables emptied by FLUSHDB/FLUSHALL while pending entries remained, handed over whole.
    private(set) var adopted: [(keys: HashTable<StoredValue>, expires: HashTable<Int64>, pendingParity: Bool)] = []

    init(databaseNumber: Int, keyCount: Int, expireCount: Int, options: RDBWriteOptions, now: Int64) {
        self.databaseNumber = databaseNumber
        self.keyCount = keyCount
        self.expireCount = expireCount
        self.nextIndex = keyCount - 1
        self.options = options
        self.now = now
        self.early = Self.makeEarlyWriter(options)
    }

    private static func makeEarlyWriter(_ options: RDBWriteOptions) -> RDBWriter<RDBByteArrayOutput> {
        var earlyOptions = options
        earlyOptions.checksum = false
        return RDBWriter(output: RDBByteArrayOutput(), options: earlyOptions)
    }

    /// A command is about to change this entry: keep it as it is now.
    func saveEarly(key: Bytes, value: StoredValue, expire: Int64?) {
        // Encoding into memory cannot fail.
        try? early.writeEntry(key: key, stored: value, expireAt: expire, now: now)
    }

    /// The entries commands saved since the last call, encoded.
    func takeEarlyEntries() -> [UInt8] {
        try? early.flush()
        guard !early.output.bytes.isEmpty else { return [] }
        let bytes = early.output.bytes
        early = Self.makeEarlyWriter(options)
        return bytes
    }

    /// FLUSHDB/FLUSHALL emptied the database: the snapshot keeps the old tables.
    func adopt(keys: HashTable<StoredValue>, expires: HashTable<Int64>, pendingParity: Bool) {
        guard !keys.isEmpty else { return }
        adopted.append((keys, expires, pendingParity))
    }

    func takeAdopted() -> [(keys: HashTable<StoredValue>, expires: HashTable<Int64>, pendingParity: Bool)] {
        defer { adopted = [] }
        return adopted
    }
}
