import EmberRESP

/// Everything a command handler needs: the engine, the calling client, the arguments (the
/// command name first) and the time the command started, in Unix milliseconds. Every command
/// sees one clock value, as Redis's command time snapshot.
public struct CommandContext {
    public let engine: Engine
    public let client: ClientState
    public let args: [Bytes]
    public let now: Int64

    @inlinable public var db: Int { client.db }
    /// The access bits of a key this command creates (LRU clock, or LFU's initial stamp).
    @inlinable public var lru: UInt32 {
        engine.config.usesLFU ? AccessClock.lfuStamp(creatingAt: now) : Engine.lruClock(now)
    }
}

public typealias CommandHandler = (CommandContext) -> Reply
