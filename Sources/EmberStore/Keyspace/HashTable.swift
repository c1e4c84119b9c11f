import EmberRESP

/// A hash table from byte-string keys to values, shaped like Redis's `dict` where it matters:
///
/// - It grows and shrinks by *incremental rehashing*: a resize allocates the new bucket array and
///   then moves a few buckets per operation (and more from the periodic cron), so no single
///   command pays for moving the whole table.
/// - `scan(cursor:)` is Redis's reverse-binary cursor scan: a key present for the whole scan is
///   returned at least once, however often the table resizes between calls.
///
/// Entries live densely in fixed-size segments and are never moved by a resize (only bucket
/// links change); a removal moves the last entry into the hole. That keeps memory per entry
/// small, makes `randomIndex()` O(1) and uniform, and a resize copies 4 bytes per bucket.
public struct HashTable<Value> {
    public struct Entry {
        public var key: Bytes
        public var value: Value
        @usableFromInline var hash: UInt32
        /// Index + 1 of the next entry in the bucket chain; 0 ends the chain.
        @usableFromInline var next: UInt32
    }

    /// Bucket array: each holds index + 1 of its chain's first entry, 0 when empty.
    @usableFromInline struct Buckets {
        @usableFromInline var heads: [UInt32]
        @usableFromInline var mask: Int { heads.count - 1 }
        init(size: Int) { heads = Array(repeating: 0, count: size) }
    }

    @usableFromInline static var segmentShift: Int { 12 }
    @usableFromInline static var segmentSize: Int { 1 << segmentShift }
    @usableFromInline static var minimumSize: Int { 4 }

    @usableFromInline var segments: [[Entry]] = []
    @usableFromInline var primary = Buckets(size: HashTable.minimumSize)
    /// The bucket array being rehashed into, while a resize is in progress.
    @usableFromInline var target: Buckets?
    /// Buckets of `primary` below this index have been moved to `target`.
    @usableFromInline var rehashIndex = 0

    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }
    public var isRehashing: Bool { target != nil }
    /// Total bucket slots, for memory accounting and INFO.
    public var bucketCount: Int { primary.heads.count + (target?.heads.count ?? 0) }
    /// Bytes of the entry segments and bucket arrays (keys' own heap storage not included).
    public var allocatedBytes: Int {
        segments.reduce(0) { $0 + $1.capacity * MemoryLayout<Entry>.stride } + bucketCount * MemoryLayout<UInt32>.stride
    }

    @inlinable
    public static func hash(_ key: Bytes) -> UInt32 {
        let full = key.withUnsafeBytes { SipHash.process.hash13($0) }
        return UInt32(truncatingIfNeeded: full ^ (full >> 32))
    }

    // MARK: - Entry access

    @inlinable
    public subscript(index: Int) -> Entry {
        get { segments[index >> Self.segmentShift][index & (Self.segmentSize - 1)] }
        _modify { yield &segments[index >> Self.segmentShift][index & (Self.segmentSize - 1)] }
    }

    /// The bucket array holding keys with `hash`: rehashed buckets live in `target`.
    @inlinable
    func bucketLocation(_ hash: UInt32) -> (inTarget: Bool, bucket: Int) {
        let bucket = Int(hash) & primary.mask
        if let target, bucket < rehashIndex {
            return (true, Int(hash) & target.mask)
        }
        return (false, bucket)
    }

    @inlinable
    func head(_ location: (inTarget: Bool, bucket: Int)) -> UInt32 {
        location.inTarget ? target!.heads[location.bucket] : primary.heads[location.bucket]
    }

    @inlinable
    mutating func setHead(_ location: (inTarget: Bool, bucket: Int), _ value: UInt32) {
        if location.inTarget { target!.heads[location.bucket] = value } else { primary.heads[location.bucket] = value }
    }

    /// The index of `key`'s entry, or nil.
    @inlinable
    public func find(_ key: Bytes) -> Int? {
        find(key, hash: Self.hash(key))
    }

    @inlinable
    public func find(_ key: Bytes, hash: UInt32) -> Int? {
        if count == 0 { return nil }
        var link = head(bucketLocation(hash))
        return key.withUnsafeBytes { wanted in
            while link != 0 {
                let index = Int(link) - 1
                let entry = self[index]
                if entry.hash == hash && entry.key.withUnsafeBytes({ Bytes.equal($0, wanted) }) {
                    return index
                }
                link = entry.next
            }
            return nil
        }
    }

    @inlinable
    public func value(for key: Bytes) -> Value? {
        find(key).map { self[$0].value }
    }

    // MARK: - Mutation

    /// Adds a key that is not in the table; returns its entry index.
    @discardableResult
    public mutating func insertNew(_ key: Bytes, _ value: Value) -> Int {
        insertNew(key, value, hash: Self.hash(key))
    }

    /// Adds a key that is not in the table, its hash already computed (a loader that looked
    /// for a duplicate first hashes once).
    @discardableResult
    public mutating func insertNew(_ key: Bytes, _ value: Value, hash: UInt32) -> Int {
        rehashStep()
        let location = bucketLocation(hash)
        let index = count
        let entry = Entry(key: key, value: value, hash: hash, next: head(location))
        if index >> Self.segmentShift == segments.count {
            // The first segment grows as the standard library grows arrays, so a small table
            // (a set of five members) costs a few entries; later ones are allocated whole.
            var segment: [Entry] = []
            segment.reserveCapacity(segments.isEmpty ? Self.minimumSize : Self.segmentSize)
            segments.append(segment)
        }
        segments[index >> Self.segmentShift].append(entry)
        count += 1
        setHead(location, UInt32(index + 1))
        growIfNeeded()
        return index
    }

    /// Sets `key` to `value`, adding it if needed; returns the entry index.
    @discardableResult
    public mutating func set(_ key: Bytes, _ value: Value) -> Int {
        if let index = find(key) {
            self[index].value = value
            return index
        }
        return insertNew(key, value)
    }

    /// Removes `key`; returns its value if it was there.
    @discardableResult
    public mutating func remove(_ key: Bytes) -> Value? {
        guard let index = find(key) else { return nil }
        return remove(at: index)
    }

    /// Removes the entry at `index`, moving the last entry into its place.
    @discardableResult
    public mutating func remove(at index: Int) -> Value {
        rehashStep()
        let removed = self[index]
        unlink(index, hash: removed.hash)
        let last = count - 1
        if index != last {
            let moved = self[last]
            // Point whatever linked to `last` at its new home.
            relink(from: last, to: index, hash: moved.hash)
            self[index] = moved
        }
        segments[last >> Self.segmentShift].removeLast()
        if segments[last >> Self.segmentShift].isEmpty { segments.removeLast() }
        count -= 1
        shrinkIfNeeded()
        return removed.value
    }

    public mutating func removeAll() {
        segments = []
        primary = Buckets(size: Self.minimumSize)
        target = nil
        rehashIndex = 0
        count = 0
    }

    /// Drops `index` from its bucket chain.
    private mutating func unlink(_ index: Int, hash: UInt32) {
        let location = bucketLocation(hash)
        let link = UInt32(index + 1)
        var current = head(location)
        if current == link {
            setHead(location, self[index].next)
            return
        }
        while current != 0 {
            let position = Int(current) - 1
            if self[position].next == link {
                self[position].next = self[index].next
                return
            }
            current = self[position].next
        }
    }

    /// Replaces the reference to entry `old` in its chain with `new`.
    private mutating func relink(from old: Int, to new: Int, hash: UInt32) {
        let location = bucketLocation(hash)
        let oldLink = UInt32(old + 1), newLink = UInt32(new + 1)
        var current = head(location)
        if current == oldLink {
            setHead(location, newLink)
            return
        }
        while current != 0 {
            let position = Int(current) - 1
            if self[position].next == oldLink {
                self[position].next = newLink
                return
            }
            current = self[position].next
        }
    }

    /// Sizes an empty table for `expected` entries, as Redis's `dictExpand` on RESIZEDB: a
    /// loader then adds them without a resize (and its rehashing) on the way.
    public mutating func reserve(_ expected: Int) {
        guard count == 0, target == nil, expected > primary.heads.count else { return }
        var size = Self.minimumSize
        while size < expected { size <<= 1 }
        primary = Buckets(size: size)
        segments.reserveCapacity((expected + Self.segmentSize - 1) >> Self.segmentShift)
    }

    // MARK: - Incremental rehash

    private mutating func growIfNeeded() {
        guard target == nil, count > primary.heads.count else { return }
        startResize(to: count * 2)
    }

    private mutating func shrinkIfNeeded() {
        guard target == nil, primary.heads.count > Self.minimumSize, count * 10 < primary.heads.count else { return }
        startResize(to: count)
    }

    private mutating func startResize(to wanted: Int) {
        var size = Self.minimumSize
        while size < wanted { size <<= 1 }
        guard size != primary.heads.count else { return }
        target = Buckets(size: size)
        rehashIndex = 0
    }

    /// Moves up to `buckets` buckets (visiting at most 10x as many empty ones) into the new array.
    /// Returns true while a resize is still in progress.
    @discardableResult
    public mutating func rehashStep(buckets: Int = 1) -> Bool {
        guard target != nil else { return false }
        var remaining = buckets
        var emptyVisits = buckets * 10
        while remaining > 0 && rehashIndex < primary.heads.count {
            var link = primary.heads[rehashIndex]
            if link == 0 {
                rehashIndex += 1
                emptyVisits -= 1
                if emptyVisits == 0 { break }
                continue
            }
            while link != 0 {
                let index = Int(link) - 1
                let next = self[index].next
                let bucket = Int(self[index].hash) & target!.mask
                self[index].next = target!.heads[bucket]
                target!.heads[bucket] = link
                link = next
            }
            primary.heads[rehashIndex] = 0
            rehashIndex += 1
            remaining -= 1
        }
        if rehashIndex >= primary.heads.count {
            primary = target!
            target = nil
            rehashIndex = 0
            // The count may have moved on during the resize: start the next one if needed.
            growIfNeeded()
            shrinkIfNeeded()
            return target != nil
        }
        return true
    }

    // MARK: - Iteration

    /// Calls `body` with every entry, in storage order.
    public func forEachEntry(_ body: (Entry) -> Void) {
        for index in 0..<count { body(self[index]) }
    }

    /// A uniformly random entry index, or nil when empty.
    public func randomIndex<G: RandomNumberGenerator>(using generator: inout G) -> Int? {
        count == 0 ? nil : Int.random(in: 0..<count, using: &generator)
    }

    /// Calls `body` with the entry index of every key in one step of a scan and returns the next
    /// cursor (0 when the scan is complete). Redis's `dictScan` algorithm: the cursor's bits are
    /// incremented from the most significant end, so buckets that split or merge in a resize
    /// are visited consistently.
    public func scan(cursor: UInt64, _ body: (Int) -> Void) -> UInt64 {
        guard count > 0 else { return 0 }
        var v = cursor
        func emitChain(_ first: UInt32) {
            var link = first
            while link != 0 {
                let index = Int(link) - 1
                let next = self[index].next
                body(index)
                link = next
            }
        }
        guard let target else {
            let mask = UInt64(primary.mask)
            emitChain(primary.heads[Int(v & mask)])
            v |= ~mask
            v = v.bitReversed &+ 1
            return v.bitReversed
        }
        // During a resize, visit the smaller table's bucket and all its expansions in the larger.
        var small = primary.heads, large = target.heads
        if small.count > large.count { swap(&small, &large) }
        let m0 = UInt64(small.count - 1), m1 = UInt64(large.count - 1)
        emitChain(small[Int(v & m0)])
        repeat {
            emitChain(large[Int(v & m1)])
            // Increment the reversed cursor over the larger table's bits only.
            v |= ~m1
            v = (v.bitReversed &+ 1).bitReversed
        } while v & (m0 ^ m1) != 0
        return v
    }

    /// All entry indexes, in storage order.
    public var indices: Range<Int> { 0..<count }
}

extension HashTable: Sendable where Value: Sendable {}
extension HashTable.Entry: Sendable where Value: Sendable {}
extension HashTable.Buckets: Sendable {}

extension UInt64 {
    @usableFromInline var bitReversed: UInt64 {
        var v = self
        v = ((v >> 1) & 0x5555_5555_5555_5555) | ((v & 0x5555_5555_5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333_3333_3333) | ((v & 0x3333_3333_3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((v & 0x0F0F_0F0F_0F0F_0F0F) << 4)
        return v.byteSwapped
    }
}
