import Crypto

/// An encrypted file opened: the plaintext of every chunk that authenticates, and how the
/// file ended.
public struct OpenedEncryptedFile: Sendable {
    public var plaintext: [UInt8]
    public var header: [UInt8]
    public var key: EncryptionKey
    public var chunks: UInt64
    /// A final chunk ended the file (a snapshot is complete).
    public var finished: Bool
    /// Where a chunk cut short starts (the bytes before it are whole chunks), when the file
    /// ends inside one: a write the process died in.
    public var tornAt: Int?

    /// A sealer that appends further chunks to this file.
    public var sealerForAppending: ChunkSealer { ChunkSealer(header: header, key: key, nextIndex: chunks) }
}

/// Opens encrypted files. Lengths come from the file and are checked against what is there
/// before anything is read or allocated, so a hostile file is an error, never a trap.
public enum EncryptedFileReader {
    public static func open(_ bytes: [UInt8], keys: EncryptionKeyRing?) throws(EncryptedFileError) -> OpenedEncryptedFile {
        guard let keys else {
            throw EncryptedFileError("the file is encrypted (Ember's encryption at rest) but no encryption-key-file is configured")
        }
        guard EncryptedFileFormat.isEncrypted(bytes) else {
            throw EncryptedFileError("the file is not encrypted (no EMBERENC header)")
        }
        guard bytes.count >= EncryptedFileFormat.headerLength else {
            throw EncryptedFileError("the encryption header is cut short (\(bytes.count) of \(EncryptedFileFormat.headerLength) bytes)")
        }
        let version = bytes[8]
        guard version == EncryptedFileFormat.version else {
            throw EncryptedFileError("encryption format version \(version) is not supported (this server reads version \(EncryptedFileFormat.version))")
        }
        guard bytes[9] == 0 && bytes[10] == 0 && bytes[11] == 0 else {
            throw EncryptedFileError("the encryption header is corrupt")
        }
        let header = Array(bytes[0..<EncryptedFileFormat.headerLength])
        let keyID = header[EncryptedFileFormat.keyIDOffset..<EncryptedFileFormat.saltOffset]
        guard let key = keys.key(withID: keyID) else {
            let known = keys.keys.map(\.idHex).joined(separator: ", ")
            throw EncryptedFileError("the file is encrypted with key id \(EncryptedFileFormat.hex(keyID)), which is not in encryption-key-file \(keys.path) (its key ids: \(known))")
        }
        let chunkKey = EncryptedFileFormat.chunkKey(key, salt: header[EncryptedFileFormat.saltOffset...])
        var opened = OpenedEncryptedFile(plaintext: [], header: header, key: key, chunks: 0, finished: false, tornAt: nil)
        opened.plaintext.reserveCapacity(bytes.count)
        var offset = EncryptedFileFormat.headerLength
        while offset < bytes.count {
            if opened.finished {
                throw EncryptedFileError("\(bytes.count - offset) bytes follow the final chunk, at offset \(offset)")
            }
            guard bytes.count - offset >= EncryptedFileFormat.chunkOverhead else {
                opened.tornAt = offset
                break
            }
            var field: UInt32 = 0
            for position in offset..<offset + 4 { field = field << 8 | UInt32(bytes[position]) }
            let final = field & EncryptedFileFormat.finalFlag != 0
            let length = Int(field & ~EncryptedFileFormat.finalFlag)
            guard bytes.count - offset - EncryptedFileFormat.chunkOverhead >= length else {
                opened.tornAt = offset
                break
            }
            let index = opened.chunks
            let ciphertextStart = offset + 4
            let tagStart = ciphertextStart + length
            do {
                let box = try AES.GCM.SealedBox(nonce: EncryptedFileFormat.nonce(index),
                                                ciphertext: bytes[ciphertextStart..<tagStart],
                                                tag: bytes[tagStart..<tagStart + 16])
                let plaintext = try AES.GCM.open(box, using: chunkKey,
                                                 authenticating: EncryptedFileFormat.authenticatedData(header: header, index: index, final: final))
                opened.plaintext.append(contentsOf: plaintext)
            } catch {
                throw EncryptedFileError("chunk \(index) at offset \(offset) fails authentication: the file was changed or damaged")
            }
            opened.chunks += 1
            opened.finished = final
            offset = tagStart + 16
        }
        return opened
    }
}
