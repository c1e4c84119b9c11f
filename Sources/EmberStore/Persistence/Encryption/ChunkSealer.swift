import Crypto

/// Seals the chunks of one encrypted file, in order: each `seal` is the next chunk's frame.
/// A new file gets a random salt (so a key of its own); an incremental AOF file reopened after
/// a restart goes on from its header and chunk count.
///
/// Unchecked Sendable: the `SymmetricKey` it holds never changes once made (as `EncryptionKey`).
public struct ChunkSealer: @unchecked Sendable {
    /// The file's first bytes, written before any chunk.
    public let header: [UInt8]
    private let chunkKey: SymmetricKey
    /// The index the next chunk gets.
    public private(set) var nextIndex: UInt64
    public private(set) var isFinished = false

    /// A new file sealed with `key`.
    public init(key: EncryptionKey) {
        var generator = SystemRandomNumberGenerator()
        var salt: [UInt8] = []
        salt.reserveCapacity(EncryptedFileFormat.saltLength)
        while salt.count < EncryptedFileFormat.saltLength {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { salt.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        self.init(header: EncryptedFileFormat.header(keyID: key.id, salt: salt), key: key, nextIndex: 0)
    }

    /// Goes on with a file whose `header` was sealed with `key` and that holds `nextIndex` chunks.
    public init(header: [UInt8], key: EncryptionKey, nextIndex: UInt64) {
        self.header = header
        self.chunkKey = EncryptedFileFormat.chunkKey(key, salt: header[EncryptedFileFormat.saltOffset...])
        self.nextIndex = nextIndex
    }

    /// Appends the frame of the next chunk, holding `plaintext` (at most
    /// `maximumChunkLength` bytes), to `frame`. Nothing may follow a final chunk.
    public mutating func seal(_ plaintext: UnsafeRawBufferPointer, final: Bool, into frame: inout [UInt8]) throws {
        guard !isFinished else { throw EncryptedFileError("a chunk after the final one") }
        guard plaintext.count <= EncryptedFileFormat.maximumChunkLength else { throw EncryptedFileError("a chunk too long to seal") }
        let index = nextIndex
        let box = try AES.GCM.seal(plaintext, using: chunkKey, nonce: EncryptedFileFormat.nonce(index),
                                   authenticating: EncryptedFileFormat.authenticatedData(header: header, index: index, final: final))
        let length = UInt32(plaintext.count) | (final ? EncryptedFileFormat.finalFlag : 0)
        frame.reserveCapacity(frame.count + plaintext.count + EncryptedFileFormat.chunkOverhead)
        for shift in stride(from: 24, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        frame.append(contentsOf: box.ciphertext)
        frame.append(contentsOf: box.tag)
        nextIndex += 1
        isFinished = final
    }

    /// `seal` for bytes of any length: as many chunks as it takes (the last one final when `final`).
    public mutating func sealSplitting(_ plaintext: UnsafeRawBufferPointer, chunkLength: Int, final: Bool, into frame: inout [UInt8]) throws {
        let length = max(1, min(chunkLength, EncryptedFileFormat.maximumChunkLength))
        var start = 0
        repeat {
            let end = min(plaintext.count, start + length)
            try seal(UnsafeRawBufferPointer(rebasing: plaintext[start..<end]), final: final && end == plaintext.count, into: &frame)
            start = end
        } while start < plaintext.count
    }
}

/// Why an encrypted file could not be written or read.
public struct EncryptedFileError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
