#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file operation failed, with the path and the system's words for it.
public struct PersistenceIOError: Error, CustomStringConvertible {
    public let description: String
    init(_ operation: String, _ path: String, errno code: Int32 = errno) {
        description = "\(operation) \(path): \(String(cString: strerror(code)))"
    }
    init(message: String) { description = message }
}

/// An RDB stream written to a file descriptor, sealed in chunks when given a key
/// (`encryption-key-file`, see `EncryptedFileFormat`).
public struct RDBFileOutput: RDBOutput {
    public let path: String
    let descriptor: Int32
    private var sealer: ChunkSealer?
    /// Plaintext not sealed yet (encrypted files only).
    private var pending: [UInt8] = []
    /// Plaintext per chunk of an encrypted file.
    static let sealedChunkLength = 64 * 1024
    /// `rdb-save-incremental-fsync` / `aof-rewrite-incremental-fsync`: the file is synced each
    /// time this many bytes were written since the last sync (Redis's REDIS_AUTOSYNC_BYTES),
    /// so the kernel never holds a snapshot's worth of dirty pages to flush at once at the end.
    public static let incrementalSyncBytes = 4 * 1024 * 1024
    private let syncEvery: Int?
    private var unsynced = 0
    /// How many incremental syncs were made (the final one in `commit` not counted).
    public private(set) var incrementalSyncs = 0

    /// Creates (truncates) `path` for writing, encrypted with `key` when one is given, synced
    /// every `syncEvery` bytes when given.
    public init(creating path: String, encryptingWith key: EncryptionKey? = nil, syncEvery: Int? = nil) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw PersistenceIOError("Failed opening the temp RDB file", path) }
        self.path = path
        self.descriptor = descriptor
        self.syncEvery = syncEvery
        if let key {
            let sealer = ChunkSealer(key: key)
            self.sealer = sealer
            do {
                try sealer.header.withUnsafeBytes { try writeToFile($0) }
            } catch {
                discard()
                throw error
            }
        }
    }

    public mutating func write(_ chunk: UnsafeRawBufferPointer) throws {
        guard sealer != nil else { return try writeToFile(chunk) }
        pending.append(contentsOf: chunk)
        // Whole chunks only; the rest waits for more bytes or for `finish`.
        let whole = pending.count - pending.count % Self.sealedChunkLength
        guard whole > 0 else { return }
        try seal(count: whole, final: false)
    }

    /// Seals what is pending as the final chunk: the encrypted file is complete.
    public mutating func finish() throws {
        guard sealer != nil else { return }
        try seal(count: pending.count, final: true)
    }

    /// Seals and writes the first `count` pending bytes.
    private mutating func seal(count: Int, final: Bool) throws {
        var frame: [UInt8] = []
        try pending.withUnsafeBytes {
            try sealer!.sealSplitting(UnsafeRawBufferPointer(rebasing: $0[0..<count]), chunkLength: Self.sealedChunkLength,
                                      final: final, into: &frame)
        }
        pending.removeFirst(count)
        try frame.withUnsafeBytes { try writeToFile($0) }
    }

    private mutating func writeToFile(_ chunk: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < chunk.count {
            let written = Glibc.write(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw PersistenceIOError("Write error saving DB on disk", path)
            }
            offset += written
        }
        guard let syncEvery else { return }
        unsynced += chunk.count
        if unsynced >= syncEvery {
            if fdatasync(descriptor) != 0 { throw PersistenceIOError("fsync", path) }
            unsynced = 0
            incrementalSyncs += 1
        }
    }

    /// fsync and close; the file is complete on disk when this returns. An encrypted file
    /// must be finished first (`RDBWriter.finish` does it).
    public func commit() throws {
        if let sealer, !sealer.isFinished {
            throw PersistenceIOError(message: "the encrypted file \(path) was committed before its final chunk")
        }
        if fsync(descriptor) != 0 {
            let code = errno
            close(descriptor)
            throw PersistenceIOError("fsync", path, errno: code)
        }
        if close(descriptor) != 0 { throw PersistenceIOError("close", path) }
    }

    /// Closes and removes a file that will not be used.
    public func discard() {
        close(descriptor)
        unlink(path)
    }
}

enum PersistenceFiles {
    /// Moves `from` over `to` atomically.
    static func rename(_ from: String, to: String) throws {
        if Glibc.rename(from, to) != 0 {
            let code = errno
            unlink(from)
            throw PersistenceIOError("Error moving temp DB file \(from) on the final destination \(to)", "", errno: code)
        }
    }

    /// The whole file, or nil when it does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw PersistenceIOError("Fatal error loading the DB, can't open", path)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var status = stat()
        if fstat(descriptor, &status) == 0 { bytes.reserveCapacity(Int(status.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PersistenceIOError("Error reading", path)
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}
