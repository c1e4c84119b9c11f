import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A 256-bit key of `encryption-key-file` and the id files name it by. Unchecked: swift-crypto
/// does not mark `SymmetricKey` Sendable, though its bytes never change once made.
public struct EncryptionKey: @unchecked Sendable {
    public let key: SymmetricKey
    /// The first 8 bytes of the key's SHA-256: which key sealed a file, without revealing it.
    public let id: [UInt8]

    public init(_ bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
        id = Array(SHA256.hash(data: bytes).prefix(EncryptedFileFormat.keyIDLength))
    }

    /// The id as 16 hex digits, for messages.
    public var idHex: String { EncryptedFileFormat.hex(id) }
}

/// The keys of `encryption-key-file`: the first writes, every one of them reads. Rotation is a
/// new key put first with the old ones after it: old files still load, and each file is sealed
/// with the new key when next written (SAVE, BGSAVE, BGREWRITEAOF, a new incremental AOF file).
public struct EncryptionKeyRing: Sendable {
    public let keys: [EncryptionKey]
    /// Where the keys came from, for messages.
    public let path: String

    public var current: EncryptionKey { keys[0] }

    public init(keys: [EncryptionKey], path: String) {
        precondition(!keys.isEmpty, "a key ring holds at least one key")
        self.keys = keys
        self.path = path
    }

    public func key(withID id: some Collection<UInt8>) -> EncryptionKey? {
        keys.first { $0.id.elementsEqual(id) }
    }

    /// Reads the key file: exactly 32 raw bytes (one key), or lines of 64 hex digits (blank
    /// lines and `#` comments skipped), current key first.
    public static func load(path: String) throws(EncryptionKeyFileError) -> EncryptionKeyRing {
        try parse(try readKeyFile(path), path: path)
    }

    /// Longest key file read: a path naming a device or a large file by mistake is refused
    /// instead of read without end.
    static let maximumFileLength = 64 * 1024

    private static func readKeyFile(_ path: String) throws(EncryptionKeyFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw EncryptionKeyFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw EncryptionKeyFileError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return contents }
            contents += chunk[0..<count]
            guard contents.count <= maximumFileLength else {
                throw EncryptionKeyFileError(path: path, reason: "longer than \(maximumFileLength) bytes: not a key file")
            }
        }
    }

    /// Whether group or others may read the key file (worth a warning).
    public static func isReadableByOthers(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & 0o077 != 0
    }

    public static func parse(_ contents: [UInt8], path: String) throws(EncryptionKeyFileError) -> EncryptionKeyRing {
        if contents.count == EncryptedFileFormat.keyLength {
            return EncryptionKeyRing(keys: [EncryptionKey(contents)], path: path)
        }
        var keys: [EncryptionKey] = []
        var lineNumber = 0
        for rawLine in contents.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine[...]
            while let last = line.last, last == 0x0D || last == 0x20 || last == 0x09 { line = line.dropLast() }
            while let first = line.first, first == 0x20 || first == 0x09 { line = line.dropFirst() }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            guard let key = decodeHex(line), key.count == EncryptedFileFormat.keyLength else {
                throw EncryptionKeyFileError(path: path, reason: "line \(lineNumber) is not a key: expected 64 hex digits (32 bytes), or the whole file 32 raw bytes")
            }
            let parsed = EncryptionKey(key)
            if !keys.contains(where: { $0.id == parsed.id }) { keys.append(parsed) }
        }
        guard !keys.isEmpty else {
            throw EncryptionKeyFileError(path: path, reason: "no key found: expected 64 hex digits (32 bytes) per line, or the whole file 32 raw bytes")
        }
        return EncryptionKeyRing(keys: keys, path: path)
    }

    static func decodeHex(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case 0x30...0x39: return digit - 0x30
            case 0x41...0x46: return digit - 0x41 + 10
            case 0x61...0x66: return digit - 0x61 + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

/// The key file is missing or does not hold keys: the server must not start.
public struct EncryptionKeyFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "Can't read encryption-key-file \(path): \(reason)" }
}
