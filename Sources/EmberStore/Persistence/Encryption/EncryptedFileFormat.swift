import Crypto

/// Ember's encrypted file (`encryption-key-file`): RDB files, AOF base and incremental files.
/// Redis cannot read it, and DUMP payloads are never in it.
///
///     header   "EMBERENC" | version 1 | 3 zero bytes | key id (8) | salt (32)          52 bytes
///     chunk    length (UInt32 big-endian; top bit: final chunk) | ciphertext | tag (16)
///
/// Each file seals its chunks with its own key, HKDF-SHA256(key, salt), so counters never
/// repeat a nonce under one AES key however many files a key writes; the nonce is
/// 4 zero bytes ‖ the chunk index (UInt64 big-endian). Each chunk authenticates the header, its
/// index and its final flag: a changed header, a reordered, dropped or repeated chunk, or bytes
/// after the final chunk fail. A snapshot ends with a final chunk, so a missing tail is seen;
/// an incremental AOF file is a log of non-final chunks (one per write), where a chunk cut
/// short is the truncated tail `aof-load-truncated` is about.
public enum EncryptedFileFormat {
    public static let magic: [UInt8] = Array("EMBERENC".utf8)
    public static let version: UInt8 = 1
    public static let keyLength = 32
    public static let keyIDLength = 8
    public static let saltLength = 32
    public static let headerLength = 8 + 1 + 3 + keyIDLength + saltLength
    static let keyIDOffset = 12
    static let saltOffset = keyIDOffset + keyIDLength
    /// The length field, then the tag.
    public static let chunkOverhead = 4 + 16
    static let finalFlag: UInt32 = 0x8000_0000
    /// Longest plaintext of one chunk (the length field's 31 bits).
    public static let maximumChunkLength = Int(finalFlag - 1)
    static let chunkKeyInfo: [UInt8] = Array("EMBERENC v1 chunk key".utf8)

    /// Whether `bytes` start like an encrypted file (a header's first bytes count too: a
    /// header cut short is an encrypted file to refuse, not a plaintext one).
    public static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return false }
        let count = min(bytes.count, magic.count)
        return bytes[0..<count].elementsEqual(magic[0..<count])
    }

    static func header(keyID: [UInt8], salt: [UInt8]) -> [UInt8] {
        var header = magic
        header.reserveCapacity(headerLength)
        header += [version, 0, 0, 0]
        header += keyID
        header += salt
        return header
    }

    /// The key that seals the chunks of the file whose header holds `salt`.
    static func chunkKey(_ key: EncryptionKey, salt: some Collection<UInt8>) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key.key, salt: Array(salt), info: chunkKeyInfo, outputByteCount: keyLength)
    }

    static func nonce(_ index: UInt64) -> AES.GCM.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        for shift in 0..<8 { bytes[4 + shift] = UInt8(truncatingIfNeeded: index >> (56 - 8 * UInt64(shift))) }
        return try! AES.GCM.Nonce(data: bytes)  // 12 bytes: always a valid GCM nonce
    }

    static func authenticatedData(header: some Collection<UInt8>, index: UInt64, final: Bool) -> [UInt8] {
        var data = Array(header)
        data.reserveCapacity(headerLength + 9)
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: index >> UInt64(shift))) }
        data.append(final ? 1 : 0)
        return data
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return text
    }
}
