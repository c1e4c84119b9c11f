import Dispatch
import EmberRESP
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `appendfsync`: when the AOF is fsynced.
public enum AppendFsyncPolicy: String, Sendable {
    /// After every write, before the writes it holds are acknowledged.
    case always
    /// Once a second in the background.
    case everysec
    /// Never: the kernel flushes when it likes.
    case no

    public init(configValue: String) {
        self = AppendFsyncPolicy(rawValue: configValue.lowercased()) ?? .everysec
    }
}

/// The AOF's writer: changes are appended, under the engine lock, to a buffer in memory
/// (`propagate`), each getting a sequence number; a thread of its own writes the buffer to the
/// current incremental file and fsyncs it as `appendfsync` says, off the engine lock.
///
/// Acknowledgement (group commit): a client's write may be answered once its sequence number is
/// *acknowledged*: written and fsynced with `always`, written (in the kernel, so it survives the
/// process being killed) otherwise. `whenAcknowledged` runs a callback then; one write and one
/// fsync cover every change buffered since the last, however many clients made them.
///
/// With `everysec` and `no`, the event loop that ran a batch writes it itself (`writeInline`),
/// as Redis writes in `beforeSleep`: its replies need no hop to this thread and back. The
/// thread keeps the fsyncs, file switches, barriers and retries after a failed write; `io`
/// orders every write to the file, whoever makes it.
///
/// An encrypted file (`encryption-key-file`) gets each batch sealed as a chunk of its own, so
/// whatever was acknowledged is whole, authenticated chunks on disk, and a batch the process
/// died writing is a chunk cut short: the truncated tail a load drops.
public final class AOFWriter: PropagationConsumer, @unchecked Sendable {
    private enum Item {
        case bytes([UInt8])
        /// Close the current file (fsynced) and go on in this one.
        case switchFile(descriptor: Int32, path: String, sealer: ChunkSealer?)
        /// Everything before is written (and fsynced when `sync`): signal.
        case barrier(DispatchSemaphore, sync: Bool)
    }

    private let lock = NIOLock()
    private let wake = DispatchSemaphore(value: 0)
    // Guarded by `lock`.
    private var items: [Item] = []
    private var buffer: [UInt8] = []
    private var appended: UInt64 = 0
    private var written: UInt64 = 0
    private var synced: UInt64 = 0
    private var waiters: [(sequence: UInt64, callback: @Sendable () -> Void)] = []
    private var stopping = false
    private var selectedDB = -1
    private var lastTimestamp: Int64 = 0
    private var forceTimestamp = true
    private var _policy: AppendFsyncPolicy
    private var _timestamps: Bool
    private var _lastWriteError: String?
    private var _currentFileSize: Int64
    private var _pendingFsync = false
    private var _maxUnsyncedMilliseconds: Int64 = 0
    private var _delayedFsyncs: Int64 = 0
    private var _suspendFsync = false
    /// Held by whoever writes to the file (the thread, or an event loop in `writeInline`):
    /// the state below is guarded by it, and taking the buffer under it keeps writes in order.
    private let io = NIOLock()
    private var descriptor: Int32
    private var path: String
    /// Seals the batches of an encrypted file (nil: plaintext).
    private var sealer: ChunkSealer?
    private var lastFsync: UInt64 = Clock.monotonicNanoseconds()
    private var firstUnsynced: UInt64?
    private let finished = DispatchSemaphore(value: 0)
    private let log: @Sendable (String) -> Void

    /// Starts writing to the open file `descriptor` (`path`, appended to at `size`; its
    /// batches sealed by `sealer` when it is encrypted).
    init(descriptor: Int32, path: String, size: Int64, sealer: ChunkSealer? = nil, policy: AppendFsyncPolicy, timestamps: Bool,
         log: @escaping @Sendable (String) -> Void) {
        self.descriptor = descriptor
        self.path = path
        self.sealer = sealer
        self._currentFileSize = size
        self._policy = policy
        self._timestamps = timestamps
        self.log = log
        DispatchQueue(label: "ember.aof.writer").async { [self] in self.run() }
    }

    // MARK: - Engine side (under the engine lock)

    public func propagate(_ command: PropagatedCommand) {
        let wasEmpty: Bool = lock.withLock {
            let wasEmpty = buffer.isEmpty && items.isEmpty
            if _timestamps {
                let seconds = Clock.milliseconds() / 1000
                if forceTimestamp || seconds > lastTimestamp {
                    buffer += AOFFormat.timestampAnnotation(seconds)
                    lastTimestamp = seconds
                    forceTimestamp = false
                }
            }
            if command.db != selectedDB {
                AOFFormat.append([Bytes("SELECT"), Bytes(decimal: Int64(command.db))], to: &buffer)
                selectedDB = command.db
            }
            AOFFormat.append(command.args, to: &buffer)
            appended += 1
            // The event loops write (and with `always` fsync) what their batches changed
            // (`writeInline`, `syncInline`); the thread's 100 ms round picks up changes no
            // connection waits for (expiries from the cron), and `whenAcknowledged` wakes it.
            return false
        }
        if wasEmpty { wake.signal() }
    }

    /// The sequence number of the latest change appended: after running a client's commands,
    /// the connection waits for this one (read it under the engine lock).
    public var lastSequence: UInt64 { lock.withLock { appended } }

    /// Runs `callback` (on the writer's thread, or at once) when change `sequence` is
    /// acknowledged: fsynced with `always`, written otherwise. Keep it short: hand the reply
    /// to the connection's event loop.
    public func whenAcknowledged(_ sequence: UInt64, _ callback: @escaping @Sendable () -> Void) {
        let ready: Bool = lock.withLock {
            if sequence <= acknowledgedLocked { return true }
            waiters.append((sequence, callback))
            return false
        }
        if ready { callback() } else { wake.signal() }
    }

    /// Whether change `sequence` is acknowledged already.
    public func isAcknowledged(_ sequence: UInt64) -> Bool { lock.withLock { sequence <= acknowledgedLocked } }

    private var acknowledgedLocked: UInt64 { _policy == .always ? synced : written }

    /// Goes on in a new file: what was appended so far goes to the old one, which is then
    /// fsynced and closed; the next change starts with a SELECT (and a timestamp).
    func switchFile(descriptor: Int32, path: String, sealer: ChunkSealer? = nil) {
        lock.withLock {
            if !buffer.isEmpty {
                items.append(.bytes(buffer))
                buffer = []
            }
            items.append(.switchFile(descriptor: descriptor, path: path, sealer: sealer))
            selectedDB = -1
            forceTimestamp = true
        }
        wake.signal()
    }

    /// Blocks until everything appended so far is written, and fsynced when `sync` (SHUTDOWN,
    /// turning the AOF off). Do not call from the writer's callbacks.
    public func flush(sync: Bool) {
        let done = DispatchSemaphore(value: 0)
        lock.withLock {
            if !buffer.isEmpty {
                items.append(.bytes(buffer))
                buffer = []
            }
            items.append(.barrier(done, sync: sync))
        }
        wake.signal()
        done.wait()
    }

    /// Flushes, fsyncs, closes the file and ends the thread.
    func stop() {
        flush(sync: true)
        lock.withLock { stopping = true }
        wake.signal()
        finished.wait()
    }

    var policy: AppendFsyncPolicy {
        get { lock.withLock { _policy } }
        set {
            lock.withLock { _policy = newValue }
            wake.signal()
        }
    }

    var timestamps: Bool {
        get { lock.withLock { _timestamps } }
        set { lock.withLock { _timestamps = newValue; forceTimestamp = true } }
    }

    /// `no-appendfsync-on-rewrite`: fsyncs are skipped while a rewrite runs.
    var suspendFsync: Bool {
        get { lock.withLock { _suspendFsync } }
        set { lock.withLock { _suspendFsync = newValue } }
    }

    /// The last write's error, nil once a write succeeds again (checked before every write
    /// command: MISCONF).
    var lastWriteError: String? { lock.withLock { _lastWriteError } }

    /// Statistics for INFO persistence.
    struct Status {
        var lastWriteError: String?
        var currentFileSize: Int64
        var bufferLength: Int
        var pendingFsync: Bool
        var delayedFsyncs: Int64
        /// `everysec`: the longest time written data waited for its fsync, in ms (the loss window).
        var maxUnsyncedMilliseconds: Int64
        var appended: UInt64
        var written: UInt64
        var synced: UInt64
    }

    var status: Status {
        lock.withLock {
            var pending = buffer.count
            for item in items { if case .bytes(let bytes) = item { pending += bytes.count } }
            return Status(lastWriteError: _lastWriteError, currentFileSize: _currentFileSize, bufferLength: pending,
                          pendingFsync: _pendingFsync, delayedFsyncs: _delayedFsyncs,
                          maxUnsyncedMilliseconds: _maxUnsyncedMilliseconds, appended: appended, written: written, synced: synced)
        }
    }

    // MARK: - The writer thread

    private func run() {
        while true {
            let policy = lock.withLock { _policy }
            // everysec wakes often enough to keep its promise even when idle after a write.
            _ = wake.wait(timeout: .now() + .milliseconds(policy == .no ? 1000 : 100))
            io.lock()
            let (work, sequence, stop): ([Item], UInt64, Bool) = lock.withLock {
                var work = items
                items = []
                if !buffer.isEmpty {
                    work.append(.bytes(buffer))
                    buffer = []
                }
                return (work, appended, stopping)
            }
            var failedAt: Int?
            for (position, item) in work.enumerated() {
                switch item {
                case .bytes(let bytes):
                    if let error = writeBatch(bytes) {
                        lock.withLock { _lastWriteError = error }
                        failedAt = position
                    }
                case .switchFile(let newDescriptor, let newPath, let newSealer):
                    _ = fsyncNow(force: true)
                    close(descriptor)
                    descriptor = newDescriptor
                    path = newPath
                    sealer = newSealer
                    lock.withLock { _currentFileSize = Self.size(of: newDescriptor) }
                case .barrier(let semaphore, let sync):
                    if sync { _ = fsyncNow(force: true) }
                    semaphore.signal()
                }
                if failedAt != nil { break }
            }
            if let failedAt {
                // Retried on the next round, before anything newer: nothing is acknowledged past it.
                lock.withLock { items = Array(work[failedAt...]) + items }
                io.unlock()
                usleep(100_000)
                continue
            }
            lock.withLock {
                written = max(written, sequence)
                if _lastWriteError != nil {
                    _lastWriteError = nil
                }
            }
            if !work.isEmpty && firstUnsynced == nil { firstUnsynced = Clock.monotonicNanoseconds() }
            if stop {
                _ = fsyncNow(force: true)
                close(descriptor)
                io.unlock()
                fireWaiters()
                finished.signal()
                return
            }
            let (currentPolicy, suspended) = lock.withLock { (_policy, _suspendFsync) }
            let due: Bool
            switch currentPolicy {
            case .always: due = true
            case .everysec:
                due = firstUnsynced != nil && Clock.monotonicNanoseconds() - lastFsync >= 1_000_000_000
                if due && suspended { lock.withLock { _delayedFsyncs += 1 } }
            case .no: due = false
            }
            if due && !(currentPolicy == .everysec && suspended) {
                fsyncOutsideWrites()
            } else {
                io.unlock()
            }
            fireWaiters()
        }
    }

    private func fireWaiters() {
        let ready: [@Sendable () -> Void] = lock.withLock {
            let acknowledged = acknowledgedLocked
            guard waiters.contains(where: { $0.sequence <= acknowledged }) else { return [] }
            let ready = waiters.filter { $0.sequence <= acknowledged }.map(\.callback)
            waiters.removeAll { $0.sequence <= acknowledged }
            return ready
        }
        for callback in ready { callback() }
    }

    /// The periodic fsync (`always` after each write, `everysec` once a second), entered with
    /// `io` held and leaving it released: the fdatasync runs without it, so event loops go on
    /// writing meanwhile (their writes after it are covered by the next one).
    private func fsyncOutsideWrites() {
        guard let first = firstUnsynced else {
            io.unlock()
            return
        }
        let file = descriptor, filePath = path
        let covered = lock.withLock { () -> UInt64 in
            _pendingFsync = true
            return written
        }
        firstUnsynced = nil
        io.unlock()
        let result = fdatasync(file)
        let failure = result == 0 ? nil : String(cString: strerror(errno))
        let now = Clock.monotonicNanoseconds()
        io.withLock {
            if failure == nil {
                lastFsync = now
            } else {
                // Still unsynced since the first write before this attempt.
                firstUnsynced = min(firstUnsynced ?? first, first)
            }
        }
        lock.withLock {
            _pendingFsync = false
            if failure == nil {
                synced = max(synced, covered)
                _maxUnsyncedMilliseconds = max(_maxUnsyncedMilliseconds, Int64((now - first) / 1_000_000))
            }
        }
        if let failure { log("Can't persist the append only file (fsync of \(filePath)): \(failure)") }
    }

    // MARK: - Written by the event loops

    /// `everysec` and `no`: writes what is buffered, up to change `sequence` at least, from the
    /// caller's thread (an event loop after its batch, outside the engine lock). Returns
    /// whether `sequence` is acknowledged (written) now; false leaves it to the thread
    /// (`always`, a file switch or a barrier pending, a failed write to retry).
    public func writeInline(through sequence: UInt64) -> Bool {
        io.withLock {
            let (bytes, upTo, proceed) = lock.withLock { () -> ([UInt8], UInt64, Bool) in
                guard _policy != .always, items.isEmpty else { return ([], 0, false) }
                if written >= sequence { return ([], 0, true) }
                let bytes = buffer
                buffer = []
                return (bytes, appended, true)
            }
            guard proceed else { return false }
            if bytes.isEmpty { return lock.withLock { written >= sequence } }
            if let error = writeBatch(bytes) {
                lock.withLock {
                    items.insert(.bytes(bytes), at: 0)
                    _lastWriteError = error
                }
                wake.signal()
                return false
            }
            lock.withLock {
                written = max(written, upTo)
                _lastWriteError = nil
            }
            return true
        }
    }

    /// What an event loop does at the end of its tick for the changes of its connections:
    /// `syncInline` with `always`, `writeInline` otherwise. Returns whether `sequence` is
    /// acknowledged now; false leaves it to the thread.
    public func completeInline(through sequence: UInt64) -> Bool {
        let always = lock.withLock { _policy == .always }
        return always ? syncInline(through: sequence) : writeInline(through: sequence)
    }

    /// `always`: writes and fsyncs what is buffered, up to change `sequence` at least, from the
    /// caller's thread: an event loop at the end of its tick, once for every connection that
    /// ran commands in it (Redis's `beforeSleep`: one fsync per loop iteration, however many
    /// clients wrote). Returns whether `sequence` is acknowledged (fsynced) now; false leaves
    /// it to the thread.
    public func syncInline(through sequence: UInt64) -> Bool {
        let done: Bool = io.withLock {
            let (bytes, upTo, proceed) = lock.withLock { () -> ([UInt8], UInt64, Bool) in
                guard _policy == .always, items.isEmpty else { return ([], 0, false) }
                if synced >= sequence { return ([], 0, true) }
                let bytes = buffer
                buffer = []
                return (bytes, appended, true)
            }
            guard proceed else { return false }
            if !bytes.isEmpty, let error = writeBatch(bytes) {
                lock.withLock {
                    items.insert(.bytes(bytes), at: 0)
                    _lastWriteError = error
                }
                wake.signal()
                return false
            }
            lock.withLock {
                written = max(written, upTo)
                _lastWriteError = nil
            }
            guard fsyncNow(force: false) else { return false }
            return lock.withLock {
                synced = max(synced, upTo)
                return synced >= sequence
            }
        }
        fireWaiters()
        return done
    }

    /// fsyncs the current file; returns whether it succeeded (or there was nothing to do).
    private func fsyncNow(force: Bool) -> Bool {
        guard let first = firstUnsynced else { return true }
        lock.withLock { _pendingFsync = true }
        let result = fdatasync(descriptor)
        let now = Clock.monotonicNanoseconds()
        lock.withLock {
            _pendingFsync = false
            if result == 0 {
                _maxUnsyncedMilliseconds = max(_maxUnsyncedMilliseconds, Int64((now - first) / 1_000_000))
            }
        }
        if result != 0 {
            log("Can't persist the append only file (fsync of \(path)): \(String(cString: strerror(errno)))")
            return false
        }
        lastFsync = now
        firstUnsynced = nil
        if force { lock.withLock { synced = max(synced, written) } }
        return true
    }

    /// Writes a batch: as is, or sealed as the next chunk of an encrypted file. The chunk index
    /// advances only once the chunk is written: a retry after a failed write seals the same
    /// bytes under the same nonce, which repeats the same ciphertext and reveals nothing.
    private func writeBatch(_ bytes: [UInt8]) -> String? {
        guard var next = sealer, !bytes.isEmpty else { return writeAll(bytes) }
        var frame: [UInt8] = []
        do {
            try bytes.withUnsafeBytes {
                try next.sealSplitting($0, chunkLength: EncryptedFileFormat.maximumChunkLength, final: false, into: &frame)
            }
        } catch {
            log("Error encrypting the AOF file \(path): \(error)")
            return "\(error)"
        }
        if let error = writeAll(frame) { return error }
        sealer = next
        return nil
    }

    /// Writes `bytes` whole, or undoes a partial write (truncating back) and reports why.
    private func writeAll(_ bytes: [UInt8]) -> String? {
        var offset = 0
        let start = lock.withLock { _currentFileSize }
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                let message = String(cString: strerror(errno))
                if offset > 0 && ftruncate(descriptor, off_t(start)) == 0 { _ = lseek(descriptor, off_t(start), SEEK_SET) }
                log("Error writing to the AOF file \(path): \(message)")
                return message
            }
            offset += count
        }
        if firstUnsynced == nil { firstUnsynced = Clock.monotonicNanoseconds() }
        lock.withLock { _currentFileSize = start + Int64(bytes.count) }
        return nil
    }

    static func size(of descriptor: Int32) -> Int64 {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int64(status.st_size) : 0
    }
}
