extension Engine {
    /// The keys of `encryption-key-file`, read on first use (start-up reads them before
    /// loading, so a bad key file stops the server there); nil when encryption is off. The
    /// caller holds the lock.
    public func encryptionKeys() throws(EncryptionKeyFileError) -> EncryptionKeyRing? {
        let path = config.persistence.encryptionKeyFile
        guard !path.isEmpty else { return nil }
        if let keys = persistenceState.encryptionKeys, keys.path == path { return keys }
        let keys = try EncryptionKeyRing.load(path: path)
        persistenceState.encryptionKeys = keys
        log(.notice, "Encryption at rest on: files are written with key id \(keys.current.idHex) (\(keys.keys.count) key(s) in \(path))")
        if EncryptionKeyRing.isReadableByOthers(path) {
            log(.warning, "encryption-key-file \(path) can be read by group or others: chmod 600 it")
        }
        return keys
    }

    /// The key new files are sealed with (the key file's first); nil when encryption is off.
    func sealingKey() throws -> EncryptionKey? { try encryptionKeys()?.current }

    /// Turns a persistence file's `bytes` into what the loaders read: decrypted in place when
    /// encrypted (the ciphertext is let go at once), left as is otherwise. `complete`: the file
    /// is a snapshot (RDB file, AOF base) and must end with its final chunk. A plaintext file
    /// while encryption is on loads (a migration: it is sealed when next written), and the log
    /// says so. Returns how an encrypted file ended (its plaintext moved into `bytes`). The
    /// caller holds the lock.
    func decryptPersistenceFile(_ bytes: inout [UInt8], name: String, complete: Bool) throws -> OpenedEncryptedFile? {
        guard EncryptedFileFormat.isEncrypted(bytes) else {
            if !config.persistence.encryptionKeyFile.isEmpty && !bytes.isEmpty {
                log(.warning, "\(name) is not encrypted: loaded as is, and encrypted when next written (SAVE, BGSAVE, BGREWRITEAOF)")
            }
            return nil
        }
        var opened: OpenedEncryptedFile
        do {
            opened = try EncryptedFileReader.open(bytes, keys: try encryptionKeys())
        } catch {
            throw PersistenceIOError(message: "Can't decrypt \(name): \(error)")
        }
        if complete && !opened.finished {
            throw PersistenceIOError(message: "Can't decrypt \(name): the file is cut short (its final chunk is missing after \(opened.chunks) chunks)")
        }
        bytes = opened.plaintext
        opened.plaintext = []
        return opened
    }
}
