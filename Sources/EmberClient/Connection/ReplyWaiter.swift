import EmberRESP
import Synchronization

/// Where one command's reply goes: completed once (by the reply, a timeout, cancellation or
/// the connection closing; later completions are ignored), awaited once.
///
/// It replaces an `EventLoopPromise` on the hot path: awaiting a promise's future from outside
/// the event loop registers its callback through `EventLoop.execute` — a lock and often a
/// wake-up of the loop for every command. Here the awaiting task parks its continuation in the
/// waiter directly, and the event loop resumes it.
final class ReplyWaiter: Sendable {
    private enum State {
        case pending
        case awaiting(UnsafeContinuation<RESPValue, any Error>)
        case completed(Result<RESPValue, any Error>)
        case consumed
    }

    private let state = Mutex(State.pending)

    init() {}

    func succeed(_ value: RESPValue) {
        complete(.success(value))
    }

    func fail(_ error: any Error) {
        complete(.failure(error))
    }

    private func complete(_ result: Result<RESPValue, any Error>) {
        let continuation = state.withLock { state -> UnsafeContinuation<RESPValue, any Error>? in
            switch state {
            case .pending:
                state = .completed(result)
                return nil
            case .awaiting(let continuation):
                state = .consumed
                return continuation
            case .completed, .consumed:
                return nil
            }
        }
        continuation?.resume(with: result)
    }

    /// The reply, waiting for it if need be. Cancelling the task fails it with
    /// `CancellationError` (the reply, when it comes, is dropped).
    func value() async throws -> RESPValue {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<RESPValue, any Error>) in
                let ready = state.withLock { state -> Result<RESPValue, any Error>? in
                    switch state {
                    case .pending:
                        state = .awaiting(continuation)
                        return nil
                    case .completed(let result):
                        state = .consumed
                        return result
                    case .awaiting, .consumed:
                        return .failure(RedisClientError(.protocolError, "a reply was awaited twice"))
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            fail(CancellationError())
        }
    }
}
