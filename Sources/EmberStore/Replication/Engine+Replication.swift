import Dispatch
import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Full synchronisation of replicas: a background save whose file is sent, then the stream of
/// changes made since it began (disk-based, as Redis does for a replica without `capa eof`).
extension Engine {
    /// SYNC and PSYNC: attaches `client` as a replica. The caller holds the lock.
    func attachReplica(_ client: ClientState, announcesFullResync: Bool, now: Int64) -> Reply {
        if replication.link(forClient: client.id) != nil { return .none }
        guard let transport = replicaTransportFactory?(client) else {
            return .error("ERR SYNC needs a network connection")
        }
        let link = ReplicaLink(clientID: client.id, address: client.peerAddress, transport: transport,
                               announcesFullResync: announcesFullResync, now: now)
        link.listeningPort = client.replicaListeningPort
        client.isReplica = true
        log(.notice, "Replica \(client.peerAddress) asks for synchronization")
        log(.notice, "Full resync requested by replica \(client.peerAddress)")
        replication.attach(link, propagation: propagation)
        // A save already running for other replicas: share it, and the stream since it began.
        if persistenceState.backgroundSaveInProgress, let sharing = replication.waitingForSnapshotEnd.first {
            link.state = .waitingForSnapshotEnd
            link.pending = sharing.pending
            link.snapshotOffset = sharing.snapshotOffset
            announceFullResync(link)
            log(.notice, "Waiting for end of BGSAVE for SYNC")
            return .none
        }
        startReplicaSnapshotIfPossible(now: now)
        if link.state == .waitingForSnapshot { log(.notice, "Waiting for next BGSAVE for SYNC") }
        return .none
    }

    /// Starts the background save the waiting replicas need, unless a save or a rewrite runs
    /// (its end calls this again). The caller holds the lock.
    func startReplicaSnapshotIfPossible(now: Int64) {
        let waiting = replication.waitingForSnapshot
        guard !waiting.isEmpty, !persistenceState.backgroundSaveInProgress, !aofRewriteInProgress else { return }
        log(.notice, "Starting BGSAVE for SYNC with target: disk")
        // The stream starts at the instant the snapshot is taken, both under this lock.
        replication.snapshotBegins(for: waiting)
        for link in waiting { announceFullResync(link) }
        if startBackgroundSave(now: now) != .started {
            for link in waiting { link.transport.close() }
        } else {
            replication.snapshotMadeForReplicas = true
        }
    }

    private func announceFullResync(_ link: ReplicaLink) {
        guard link.announcesFullResync else { return }
        let line = Array("+FULLRESYNC \(replication.replicationID) \(link.snapshotOffset)\r\n".utf8)
        link.transport.write { line }
    }

    /// A background save ended (under the lock): its file goes to the replicas that waited for
    /// it, read and sent off the lock; then they get the stream. Replicas that arrived too late
    /// for it get a save of their own.
    func replicaSnapshotEnded(succeeded: Bool, now: Int64) {
        let links = replication.waitingForSnapshotEnd
        if !links.isEmpty {
            let descriptor = succeeded ? open(rdbPath, O_RDONLY | O_CLOEXEC) : -1
            if descriptor < 0 {
                log(.warning, "SYNC failed. BGSAVE child returned an error")
                for link in links { link.transport.close() }
            } else {
                log(.notice, "Background RDB transfer started")
                for link in links { link.state = .sendingSnapshot }
                // An encrypted file (encryption at rest) is for Ember's disk only: a replica
                // gets the plain RDB.
                let keys = try? encryptionKeys()
                DispatchQueue(label: "ember.replica-snapshot").async { [self] in
                    sendSnapshot(descriptor, keys: keys, to: links)
                }
            }
        }
        startReplicaSnapshotIfPossible(now: now)
    }

    /// Off the lock: `$<size>\r\n` and the file, in 1 MiB reads, then the stream.
    private func sendSnapshot(_ descriptor: Int32, keys: EncryptionKeyRing?, to links: [ReplicaLink]) {
        defer { close(descriptor) }
        var status = stat()
        let size = fstat(descriptor, &status) == 0 ? Int(status.st_size) : -1
        var failed = size < 0
        var magic = [UInt8](repeating: 0, count: 8)
        let magicCount = magic.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 8, 0) }
        if !failed && magicCount == 8 && EncryptedFileFormat.isEncrypted(magic) {
            if let plaintext = decryptedSnapshot(descriptor, size: size, keys: keys) {
                let header = Array("$\(plaintext.count)\r\n".utf8)
                for link in links { link.transport.write { header } }
                var start = 0
                while start < plaintext.count {
                    let piece = Array(plaintext[start..<min(plaintext.count, start + (1 << 20))])
                    for link in links { link.transport.write { piece } }
                    start += piece.count
                }
            } else {
                failed = true
            }
        } else if !failed {
            let header = Array("$\(size)\r\n".utf8)
            for link in links { link.transport.write { header } }
            var sent = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while sent < size {
                let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, min($0.count, size - sent), off_t(sent)) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    failed = true
                    break
                }
                let piece = Array(chunk[0..<count])
                for link in links { link.transport.write { piece } }
                sent += count
            }
        }
        lock.withLock {
            if failed {
                log(.warning, "SYNC failed: could not read the snapshot file \(rdbPath)")
                for link in links { link.transport.close() }
                return
            }
            for link in links {
                replication.snapshotSent(to: link)
                log(.notice, "Synchronization with replica \(link.address) succeeded")
            }
            removeSnapshotUsedOnlyForReplicas()
        }
    }

    /// `rdb-del-sync-files`: on a server with neither save points nor the AOF, the file written
    /// only to feed replicas is removed once no replica waits for it or reads it, so no copy of
    /// the data stays on disk (Redis's removeRDBUsedToSyncReplicas). The caller holds the lock.
    func removeSnapshotUsedOnlyForReplicas() {
        guard config.persistence.rdbDelSyncFiles else {
            replication.snapshotMadeForReplicas = false
            return
        }
        guard replication.snapshotMadeForReplicas, config.persistence.savePoints.isEmpty, !appendOnly.enabled, !appendOnly.waitingForRewrite,
              !persistenceState.backgroundSaveInProgress,
              replication.replicas.allSatisfy({ $0.state == .online }) else { return }
        var status = stat()
        guard lstat(rdbPath, &status) == 0 else { return }
        replication.snapshotMadeForReplicas = false
        log(.notice, "Removing the RDB file used to feed replicas in a persistence-less instance")
        unlink(rdbPath)
    }

    /// The whole encrypted snapshot, read and decrypted; nil when either fails.
    private func decryptedSnapshot(_ descriptor: Int32, size: Int, keys: EncryptionKeyRing?) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, size - done, off_t(done)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            done += count
        }
        guard let opened = try? EncryptedFileReader.open(bytes, keys: keys), opened.finished else { return nil }
        return opened.plaintext
    }

    /// Called when a client goes away (the caller holds the lock).
    func detachReplica(_ client: ClientState) {
        guard client.isReplica else { return }
        replication.detach(clientID: client.id, propagation: propagation)
        log(.notice, "Connection with replica \(client.peerAddress) lost.")
    }

    /// From the cron, once a second.
    func replicationCron(now: Int64) {
        replication.cron(nowSeconds: now / 1000, pingPeriod: config.replicationPingPeriod)
        startReplicaSnapshotIfPossible(now: now)
        removeSnapshotUsedOnlyForReplicas()
    }
}
