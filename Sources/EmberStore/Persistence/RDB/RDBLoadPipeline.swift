import Dispatch
import NIOConcurrencyHelpers

/// Loads an RDB file on two threads: one parses and decodes (the larger part of the work:
/// reading lengths, decompressing, building listpacks and tables), the caller's stores the
/// decoded keys in the keyspace. They meet in a short bounded queue of batches, so memory
/// stays flat whatever the file's size.
///
/// The decoder never touches the engine: `RDBLoader` reports keys to a callback, and the
/// callback here only queues them.
enum RDBLoadPipeline {
    enum Event {
        case resize(db: Int, keys: Int, expires: Int)
        case keys([RDBLoadedKey])
    }

    /// Runs `RDBLoader.load` on `bytes` in the background and hands its events to `apply`, in
    /// order, on the calling thread. An error from either side ends both; the decoder's
    /// summary is returned once `apply` has seen everything.
    static func load(_ bytes: [UInt8], options: RDBLoadOptions, apply: (Event) throws -> Void) throws -> RDBLoadSummary {
        let queue = HandOff()
        let input = UncheckedBox(bytes)
        DispatchQueue(label: "ember.rdb.decode").async {
            var batch: [RDBLoadedKey] = []
            batch.reserveCapacity(HandOff.batchSize)
            do {
                let summary = try RDBLoader.load(input.value, options: options, onResize: { db, keys, expires in
                    if !batch.isEmpty {
                        try? queue.put(.events([.keys(batch)]))
                        batch = []
                    }
                    try? queue.put(.events([.resize(db: db, keys: keys, expires: expires)]))
                }) { loaded in
                    batch.append(loaded)
                    if batch.count == HandOff.batchSize {
                        try queue.put(.events([.keys(batch)]))
                        batch = []
                        batch.reserveCapacity(HandOff.batchSize)
                    }
                }
                if !batch.isEmpty { try queue.put(.events([.keys(batch)])) }
                try queue.put(.finished(summary))
            } catch is HandOff.Abandoned {
                // The storing side stopped first; it reports its own error.
            } catch {
                try? queue.put(.failed(error))
            }
        }
        do {
            while true {
                switch queue.take() {
                case .events(let events):
                    for event in events { try apply(event) }
                case .finished(let summary):
                    return summary
                case .failed(let error):
                    throw error
                }
            }
        } catch {
            queue.abandon()
            throw error
        }
    }

    /// What the decoder thread sends.
    enum Message {
        case events([Event])
        case finished(RDBLoadSummary)
        case failed(any Error)
    }

    /// A bounded single-producer, single-consumer queue of messages.
    final class HandOff: @unchecked Sendable {
        static let batchSize = 512
        static let capacity = 16
        struct Abandoned: Error {}

        private let lock = NIOLock()
        private var messages: [Message] = []
        private var abandoned = false
        // Both start at 0 (the room is signalled in `init`): libdispatch traps when a semaphore
        // is released with a value below the one it was created with, which `free` would be
        // after a load the consumer abandoned (a fuzzer finding).
        private let free = DispatchSemaphore(value: 0)
        private let ready = DispatchSemaphore(value: 0)

        init() {
            for _ in 0..<HandOff.capacity { free.signal() }
        }

        func put(_ message: Message) throws {
            free.wait()
            try lock.withLock {
                if abandoned { throw Abandoned() }
                messages.append(message)
            }
            ready.signal()
        }

        func take() -> Message {
            ready.wait()
            let message = lock.withLock { messages.removeFirst() }
            free.signal()
            return message
        }

        /// The consumer gives up: a producer waiting for room is let through, and throws.
        func abandon() {
            lock.withLock { abandoned = true }
            free.signal()
        }
    }

    /// Moves a value to the decoder thread (the array is only read there).
    struct UncheckedBox<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }
}
