import EmberRESP

/// WATCH (Redis's `watched_keys`): the clients watching each key, by database number. The
/// keyspace signals every change of a key here (`Database.signalModified`); a change marks the
/// transactions of the key's watchers to fail at EXEC. Touched only under the engine lock.
public final class WatchedKeys: @unchecked Sendable {
    struct Location: Hashable {
        let db: Int
        let key: Bytes
    }

    @exclusivity(unchecked) private var watchers: [Location: [ClientState]] = [:]
    /// Keys watched by anyone: what the keyspace tests before it signals a change.
    @exclusivity(unchecked) @usableFromInline var count = 0

    public init() {}

    /// Adds `key` of database `db` to what `client` watches (once). `expired`: the key is
    /// there but logically expired, so its deletion will not count as a change.
    func watch(_ key: Bytes, db: Int, client: ClientState, expired: Bool) {
        guard !client.watching.contains(where: { $0.db == db && $0.key == key }) else { return }
        client.watching.append(WatchedKey(db: db, key: key, expiredWhenWatched: expired))
        let location = Location(db: db, key: key)
        if watchers[location] == nil { count += 1 }
        watchers[location, default: []].append(client)
    }

    /// UNWATCH, and after EXEC or DISCARD: forgets every key `client` watches; the flag of a
    /// touched key goes with them.
    func unwatchAll(_ client: ClientState) {
        for watched in client.watching {
            let location = Location(db: watched.db, key: watched.key)
            guard var clients = watchers[location] else { continue }
            clients.removeAll { $0 === client }
            if clients.isEmpty {
                watchers[location] = nil
                count -= 1
            } else {
                watchers[location] = clients
            }
        }
        client.watching.removeAll()
        client.watchTouched = false
    }

    /// Redis's `touchWatchedKey`: `key` of `db` changed (`existsNow`: whether it is still in
    /// the table). Deleting a key that was already expired when it was watched changes nothing.
    func touch(_ key: Bytes, db: Int, existsNow: () -> Bool) {
        guard let clients = watchers[Location(db: db, key: key)] else { return }
        var touched: [ClientState] = []
        for client in clients {
            if let position = client.watching.firstIndex(where: { $0.db == db && $0.key == key }),
               client.watching[position].expiredWhenWatched {
                if !existsNow() {
                    client.watching[position].expiredWhenWatched = false
                    continue
                }
            }
            touched.append(client)
        }
        // A touched client fails at EXEC whatever else happens: it need not watch anything more.
        for client in touched {
            unwatchAll(client)
            client.watchTouched = true
        }
    }

    /// Redis's `touchAllWatchedKeysInDb`: database `db` is emptied (FLUSHDB, FLUSHALL) or, with
    /// `replacement`, takes another's data (SWAPDB). A watched key is touched when it exists in
    /// either, except that an expired key giving way to nothing, or to another expired key,
    /// changes nothing (and a missing key replaced by an expired one becomes an expired watch).
    func touchAll(db: Int, existsInEmptied: (Bytes) -> Bool, replacement: KeyPresence?) {
        var touched: [ClientState] = []
        for (location, clients) in watchers where location.db == db {
            let key = location.key
            let existedBefore = existsInEmptied(key)
            let existsAfter = replacement?.exists(key) ?? false
            guard existedBefore || existsAfter else { continue }
            for client in clients {
                guard let position = client.watching.firstIndex(where: { $0.db == db && $0.key == key }) else { continue }
                if client.watching[position].expiredWhenWatched {
                    if !existsAfter {
                        client.watching[position].expiredWhenWatched = false
                        continue
                    }
                    if replacement?.isExpired(key) == true { continue }
                } else if !existedBefore, replacement?.isExpired(key) == true {
                    client.watching[position].expiredWhenWatched = true
                    continue
                }
                touched.append(client)
            }
        }
        for client in touched where !client.watching.isEmpty {
            unwatchAll(client)
            client.watchTouched = true
        }
    }

    /// Whether one of the keys `client` watches has expired since (Redis's
    /// `isWatchedKeyExpired`, checked by EXEC).
    func anyExpired(of client: ClientState, isExpired: (Int, Bytes) -> Bool) -> Bool {
        client.watching.contains { !$0.expiredWhenWatched && isExpired($0.db, $0.key) }
    }
}

/// A key one client watches.
public struct WatchedKey: Sendable {
    public let db: Int
    public let key: Bytes
    /// The key was there but logically expired at WATCH: its deletion is no change.
    public var expiredWhenWatched: Bool
}

/// How `WatchedKeys.touchAll` sees the data that replaces an emptied database.
struct KeyPresence {
    let exists: (Bytes) -> Bool
    let isExpired: (Bytes) -> Bool
}
