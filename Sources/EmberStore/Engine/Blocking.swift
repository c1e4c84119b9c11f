import DequeModule
import EmberRESP

/// What a blocked client does once one of its keys has data: the served half of BLPOP, BRPOP,
/// BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX and BZMPOP.
public enum BlockedOperation: Sendable {
    /// BLPOP/BRPOP (`count` nil: one element, replied as `[key, element]`) and BLMPOP.
    case listPop(end: ListValue.End, count: Int?)
    /// BLMOVE and BRPOPLPUSH.
    case listMove(from: ListValue.End, to: ListValue.End, destination: Bytes)
    /// BZPOPMIN/BZPOPMAX (`count` nil) and BZMPOP.
    case sortedSetPop(max: Bool, count: Int?)

    var waitsForList: Bool {
        if case .sortedSetPop = self { return false }
        return true
    }
}

/// A client parked on keys: what it waits for, and until when.
public final class BlockedState: @unchecked Sendable {
    public let db: Int
    public let keys: [Bytes]
    public let operation: BlockedOperation
    /// Unix milliseconds; 0 waits forever.
    public let deadline: Int64

    init(db: Int, keys: [Bytes], operation: BlockedOperation, deadline: Int64) {
        self.db = db
        self.keys = keys
        self.operation = operation
        self.deadline = deadline
    }
}

/// A database number and a key: where blocked clients queue.
struct WaitKey: Hashable {
    let db: Int
    let key: Bytes
}

/// Clients blocked on keys, in arrival order per key (Redis's `blocking_keys`).
struct WaiterQueues {
    var queues: [WaitKey: Deque<ClientState>] = [:]
    var blockedCount = 0
}

extension Engine {
    /// Clients currently blocked (INFO's `blocked_clients`).
    public var blockedClientCount: Int { waiters.blockedCount }

    /// Parses a blocking timeout in seconds (Redis's `getTimeoutFromObjectOrReply`) into an
    /// absolute deadline in Unix ms, 0 for none. As there, the milliseconds are rounded up in
    /// long-double precision (`0.0001` waits 1 ms, `-0.0001` rounds to 0 and waits forever),
    /// and values that do not fit a 64-bit count of milliseconds (inf, 1e400) are "negative".
    static func blockingDeadline(_ argument: Bytes, now: Int64) -> Result<Int64, ReplyError> {
        guard let seconds = parseLongDouble(argument) else {
            return .failure(ReplyError(.error("ERR timeout is not a float or out of range")))
        }
        // Rounded up: a sub-millisecond timeout must not truncate to 0, which means forever.
        let milliseconds = (seconds * 1000).rounded(.up)
        // Out of a 64-bit integer's range, C's conversion yields LLONG_MIN: "negative".
        guard milliseconds.isFinite, milliseconds >= -0x1p63, milliseconds < 0x1p63 else {
            return .failure(ReplyError(.error("ERR timeout is negative")))
        }
        let whole = Int64(milliseconds)
        if whole < 0 { return .failure(ReplyError(.error("ERR timeout is negative"))) }
        if whole == 0 { return .success(0) }
        let (deadline, overflow) = now.addingReportingOverflow(whole)
        return .success(overflow ? Int64.max : deadline)
    }

    /// The deadline of a blocking command's timeout argument at `index`; nil when the command
    /// does not block (no index).
    static func blockingDeadline(at index: Int?, _ context: CommandContext) -> Result<Int64?, ReplyError> {
        guard let index else { return .success(nil) }
        return blockingDeadline(context.args[index], now: context.now).map { $0 }
    }

    /// The multi-key pops' shared step: `pop` the first of `keys` that holds a `C` (WRONGTYPE if
    /// another type comes first). With none, a non-blocking form answers a null array and a
    /// blocking one (a `deadline`) parks the client for `operation`.
    func popFirst<C: CollectionValue>(
        of keys: [Bytes], as type: C.Type, _ context: CommandContext, blockingUntil deadline: Int64?,
        operation: BlockedOperation, timeoutReply: Reply = .nullArray, pop: (Bytes) -> Reply
    ) -> Reply {
        for key in keys {
            switch writeCollection(key, context, as: C.self, create: false) {
            case .wrongType: return Errors.wrongType
            case .missing: continue
            case .found: return pop(key)
            }
        }
        guard let deadline else { return .nullArray }
        return block(context, keys: keys, operation: operation, deadline: deadline, timeoutReply: timeoutReply)
    }

    /// Parks the calling client on `keys` (all missing or empty). Inside MULTI, or for a caller
    /// that cannot wait, the command answers at once as if it had timed out.
    func block(_ context: CommandContext, keys: [Bytes], operation: BlockedOperation, deadline: Int64, timeoutReply: Reply) -> Reply {
        let client = context.client
        guard client.canBlock else { return timeoutReply }
        let state = BlockedState(db: context.db, keys: keys, operation: operation, deadline: deadline)
        client.blocked = state
        var seen = Set<Bytes>()
        for key in keys where seen.insert(key).inserted {
            waiters.queues[WaitKey(db: context.db, key: key), default: []].append(client)
            databases[context.db].blockedKeys.insert(key)
        }
        waiters.blockedCount += 1
        return .none
    }

    /// Takes `client` off every queue it waits in; returns whether it was blocked.
    @discardableResult
    public func unblock(_ client: ClientState) -> Bool {
        guard let state = client.blocked else { return false }
        client.blocked = nil
        waiters.blockedCount -= 1
        for key in Set(state.keys) {
            let waitKey = WaitKey(db: state.db, key: key)
            guard var queue = waiters.queues[waitKey] else { continue }
            queue.removeAll { $0 === client }
            if queue.isEmpty {
                waiters.queues[waitKey] = nil
                databases[state.db].blockedKeys.remove(key)
            } else {
                waiters.queues[waitKey] = queue
            }
        }
        return true
    }

    /// The deadline of a blocked client passed: unblocks it and returns its timeout reply, nil
    /// when it was served or unblocked meanwhile.
    public func timeOutBlockedClient(_ client: ClientState, deadline: Int64) -> Reply? {
        guard let state = client.blocked, state.deadline == deadline else { return nil }
        unblock(client)
        return .nullArray
    }

    /// CLIENT UNBLOCK: a blocked client gets its timeout reply, or an UNBLOCKED error.
    func clientUnblock(_ client: ClientState, withError: Bool) -> Bool {
        guard unblock(client) else { return false }
        client.wake?(withError ? .error("UNBLOCKED client unblocked via CLIENT UNBLOCK") : .nullArray)
        return true
    }

    /// SWAPDB: the waiters stay with the database numbers, and each of their keys may now hold
    /// data (Redis's `scanDatabaseForReadyKeys`).
    func keepWaitersAfterSwapping(_ first: Int, _ second: Int) {
        let firstKeys = databases[first].blockedKeys
        databases[first].blockedKeys = databases[second].blockedKeys
        databases[second].blockedKeys = firstKeys
        for db in [first, second] {
            databases[db].readyKeys = Array(databases[db].blockedKeys)
        }
    }

    /// After each top-level command: serves the clients blocked on keys that got data, in
    /// arrival order per key, until no key is left ready (a served BLMOVE may fill another).
    func serveReadyKeys(now: Int64) {
        // Each client served leaves every queue, so this ends once the waiters or the ready
        // keys run out, chains of BLMOVE included.
        while waiters.blockedCount > 0 {
            var ready: [(Int, Bytes)] = []
            for db in databases.indices where !databases[db].readyKeys.isEmpty {
                for key in databases[db].readyKeys { ready.append((db, key)) }
                databases[db].readyKeys.removeAll()
            }
            if ready.isEmpty { return }
            for (db, key) in ready { serveWaiters(on: key, db: db, now: now) }
            // A ready key found expired is deleted: its DEL leaves now, after the command that
            // readied it (Redis's handleClientsBlockedOnKeys), not before the next one.
            if !expiryLog.isEmpty { propagateExpirations() }
        }
        for db in databases.indices where !databases[db].readyKeys.isEmpty { databases[db].readyKeys.removeAll() }
    }

    /// Serves the clients waiting on `key`, oldest first, while it holds data. A key holds a
    /// list or a sorted set; the waiters for the other type are skipped, as in Redis.
    private func serveWaiters(on key: Bytes, db: Int, now: Int64) {
        let waitKey = WaitKey(db: db, key: key)
        while let queue = waiters.queues[waitKey], let index = databases[db].find(key, now: now, stats: &stats) {
            let wantsList: Bool
            switch databases[db].keys[index].value.value {
            case .list: wantsList = true
            case .zset: wantsList = false
            default: return
            }
            guard let client = queue.first(where: { $0.blocked?.operation.waitsForList == wantsList }),
                  let state = client.blocked else { return }
            let dirtyBefore = dirty
            let reply = serve(client, key: key, state: state, now: now)
            if dirty != dirtyBefore {
                if !expiryLog.isEmpty { propagateExpirations() }
                propagation.blockedClientServed(db: db, key: key, operation: state.operation, reply: reply)
            }
            unblock(client)
            client.wake?(reply)
        }
    }

    /// Runs the served half of a blocked command for `client` on `key`, which holds data.
    private func serve(_ client: ClientState, key: Bytes, state: BlockedState, now: Int64) -> Reply {
        let context = CommandContext(engine: self, client: client, args: [], now: now)
        switch state.operation {
        case .listPop(let end, let count):
            return popListReply(key, context, end: end, count: count, multi: count != nil)
        case .listMove(let from, let to, let destination):
            return moveListElement(from: key, to: destination, context, from: from, to: to)
        case .sortedSetPop(let max, let count):
            return popSortedSetReply(key, context, max: max, count: count, multi: count != nil)
        }
    }
}
