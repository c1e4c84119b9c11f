// libFuzzer target: replaying an AOF file into an engine, as start-up does for each file of the
// manifest (Engine.loadAOFFile: an RDB preamble through loadRDB, then the command stream through
// replayAOFCommands), then the keyspace exercised as FuzzRDBLoad does. Build and run with
// scripts/fuzz.
//
// Input: byte 0 chooses the settings (bits 0-3 as in FuzzRDBLoad), the rest is the file.
// The replay runs whatever commands the file holds, as Redis's does, so a file naming a command
// that acts outside the keyspace (DEBUG, SAVE, CONFIG, SHUTDOWN, blocking commands...), or
// a SETRANGE/SETBIT/BITFIELD offset or *RANDMEMBER/HRANDFIELD count beyond 100000 (slow or big
// by design rather than by a bug), is skipped before anything runs.
//
// Checks, besides no trap/hang/leak under ASan: the loaded keyspace answers its commands, keys
// survive DUMP/RESTORE and the whole keyspace SAVE and reload with the same digests.
#if EMBER_FUZZ
import FuzzSupport
import EmberRESP
@testable import EmberStore

/// Command groups whose commands only touch the keyspace.
let dataGroups: Set<String> = ["string", "list", "set", "sorted-set", "hash", "generic", "bitmap", "hyperloglog", "geo", "transactions"]
let allowedOthers: Set<String> = ["select", "flushall", "flushdb", "swapdb", "ping", "echo"]
let denied: Set<String> = ["migrate", "wait", "waitaof", "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin",
                            "bzpopmax", "bzmpop", "watch", "object"]

/// Commands whose integer arguments size what they build or return.
let sizedByArguments: Set<String> = ["setrange", "setbit", "bitfield", "srandmember", "zrandmember", "hrandfield"]

/// Whether every whole command of the stream is one the harness may run.
func acceptable(_ engine: Engine, _ bytes: [UInt8], from offset: Int) -> Bool {
    var reader = AOFCommandReader(bytes, from: offset)
    while true {
        guard let args = try? reader.next() else { return true }  // the end, or where the replay stops
        guard let command = engine.command(for: args) else { return true }  // the replay stops there
        let name = command.spec.name.lowercased()
        let top = String(name.split(separator: "|").first ?? "")
        guard !denied.contains(top), dataGroups.contains(command.spec.group) || allowedOthers.contains(top) else { return false }
        if sizedByArguments.contains(top) {
            for argument in args.dropFirst() {
                if let number = argument.int64Value, number > 100_000 || number < -100_000 { return false }
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    defer { finishRun() }
    let flags = data[0] & 0x0f
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let engine = makeEngine(flags)
    var offset = 0
    if bytes.count >= 5 && Array(bytes[0..<5]) == Array("REDIS".utf8) {
        do {
            offset = try engine.lock.withLock { try engine.loadRDB(bytes, now: Clock.milliseconds(), dropExpired: false).bytesConsumed }
        } catch {
            return 0  // start-up refuses the file here
        }
    }
    guard acceptable(engine, bytes, from: offset) else { return 0 }
    _ = engine.lock.withLock { engine.replayAOFCommands(bytes, from: offset, name: "fuzz.aof") }
    exerciseKeyspace(engine, flags: flags)
    checkSnapshotRoundTrip(engine, flags: flags)
    return 0
}

// The entry point SwiftPM links (`--defsym main=FuzzAOFReplay_main`), handing over to libFuzzer.
@_cdecl("FuzzAOFReplay_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzDriver(argc, argv, fuzz)
}
#else
/// A plain build (no EMBER_FUZZ) makes this stub, so `swift build` and `swift test` work.
@main struct FuzzAOFReplayStub {
    static func main() { print("FuzzAOFReplay is a libFuzzer target: run scripts/fuzz FuzzAOFReplay") }
}
#endif
