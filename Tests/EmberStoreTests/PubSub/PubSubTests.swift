@testable import EmberStore
import EmberRESP
import NIOConcurrencyHelpers
import XCTest

/// Pub/sub state through the engine: confirmations, delivery order and counts, and clean-up,
/// with each client's `deliver` hand-off recording what it would send.
final class PubSubTests: XCTestCase {
    private var engine: Engine!

    override func setUp() {
        engine = Engine()
    }

    private func run(_ client: ClientState, _ words: String...) -> Reply {
        engine.execute(words.map { Bytes($0) }, client: client)
    }

    private func words(_ reply: Reply) -> [String] {
        guard case .push(let items) = reply else { return ["not a push"] }
        return items.map { item in
            switch item {
            case .bulk(let bytes): return bytes.string
            case .integer(let value): return String(value)
            case .null: return "nil"
            default: return "?"
            }
        }
    }

    func testConfirmationsCountChannelsAndPatternsTogether() {
        let client = engine.lock.withLock { engine.makeClient() }
        guard case .sequence(let frames) = run(client, "SUBSCRIBE", "a", "b", "a") else { return XCTFail() }
        XCTAssertEqual(frames.map(words), [["subscribe", "a", "1"], ["subscribe", "b", "2"], ["subscribe", "a", "2"]])
        guard case .sequence(let more) = run(client, "PSUBSCRIBE", "x*") else { return XCTFail() }
        XCTAssertEqual(more.map(words), [["psubscribe", "x*", "3"]])
        guard case .sequence(let shard) = run(client, "SSUBSCRIBE", "s") else { return XCTFail() }
        XCTAssertEqual(shard.map(words), [["ssubscribe", "s", "1"]])
        XCTAssertEqual(client.kind, .pubsub)
        guard case .sequence(let gone) = run(client, "UNSUBSCRIBE") else { return XCTFail() }
        XCTAssertEqual(gone.map(words), [["unsubscribe", "a", "2"], ["unsubscribe", "b", "1"]])
        guard case .sequence(let none) = run(client, "UNSUBSCRIBE") else { return XCTFail() }
        XCTAssertEqual(none.map(words), [["unsubscribe", "nil", "1"]])
    }

    func testPublishDeliversToChannelThenPatternsAndCounts() {
        let subscriber = engine.lock.withLock { engine.makeClient() }
        let inbox = NIOLockedValueBox<[Reply]>([])
        subscriber.deliver = { message in inbox.withLockedValue { $0.append(message.reply) } }
        let publisher = engine.lock.withLock { engine.makeClient() }
        _ = run(subscriber, "SUBSCRIBE", "news.tech")
        _ = run(subscriber, "PSUBSCRIBE", "news.*", "*")
        guard case .integer(3) = run(publisher, "PUBLISH", "news.tech", "hi") else { return XCTFail() }
        XCTAssertEqual(inbox.withLockedValue { $0 }.map(words), [
            ["message", "news.tech", "hi"], ["pmessage", "news.*", "news.tech", "hi"], ["pmessage", "*", "news.tech", "hi"],
        ])
        guard case .integer(0) = run(publisher, "SPUBLISH", "news.tech", "hi") else { return XCTFail() }
    }

    func testDisconnectAndResetForgetSubscriptions() {
        let client = engine.lock.withLock { engine.makeClient() }
        _ = run(client, "SUBSCRIBE", "a")
        _ = run(client, "PSUBSCRIBE", "p*")
        XCTAssertEqual(engine.pubSub.channelCount, 1)
        _ = run(client, "RESET")
        XCTAssertEqual(engine.pubSub.channelCount + engine.pubSub.patternCount, 0)
        XCTAssertEqual(client.kind, .normal)
        _ = run(client, "SSUBSCRIBE", "s")
        engine.lock.withLock { engine.removeClient(client) }
        XCTAssertEqual(engine.pubSub.shardChannelCount, 0)
    }

    func testSubscriberContextRefusesOtherCommandsInRESP2Only() {
        let client = engine.lock.withLock { engine.makeClient() }
        _ = run(client, "SUBSCRIBE", "a")
        guard case .error(let message) = run(client, "GET", "k") else { return XCTFail() }
        XCTAssertTrue(message.string.hasPrefix("ERR Can't execute 'get'"))
        guard case .array(let pong) = run(client, "PING") else { return XCTFail() }
        XCTAssertEqual(pong.count, 2)
        // HELLO is refused in the context too; a RESP3 client is never in it.
        guard case .error = run(client, "HELLO", "3") else { return XCTFail() }
        engine.lock.withLock { client.protocolVersion = .resp3 }
        guard case .null = run(client, "GET", "k") else { return XCTFail("RESP3 runs any command") }
    }
}
