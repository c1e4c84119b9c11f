// libFuzzer target: the RDB file loader (RDBLoader.load through Engine.loadRDB), then every
// loaded key exercised through commands. Build and run with scripts/fuzz.
//
// Input: byte 0 chooses the settings (bit 0: sanitize-dump-payload yes, i.e. deep validation;
// bit 1: rdbchecksum yes; bit 2: small collection limits, so loaded values convert sooner;
// bit 3: an LFU maxmemory policy, so FREQ applies), the rest is the file.
//
// Checks, besides no trap/hang/leak under ASan: every key the loader accepted answers the read
// commands of its type, survives DUMP and RESTORE with the same DEBUG DIGEST-VALUE, and the
// whole keyspace survives SAVE (rdbSnapshot) and a reload with the same DEBUG DIGEST.
#if EMBER_FUZZ
import FuzzSupport
import EmberRESP
import EmberStore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    defer { finishRun() }
    let flags = data[0] & 0x1f  // bit 7 marks the engines the snapshot check reloads into
    let file = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let engine = makeEngine(flags)
    let now = Clock.milliseconds()
    let loaded: Bool
    do {
        try engine.lock.withLock { _ = try engine.loadRDB(file, now: now) }
        loaded = true
    } catch {
        // Refused (possibly after some keys): whatever got in must still be sound.
        loaded = false
    }
    exerciseKeyspace(engine, flags: flags)
    if loaded { checkSnapshotRoundTrip(engine, flags: flags) }
    return 0
}

// The entry point SwiftPM links (`--defsym main=FuzzRDBLoad_main`), handing over to libFuzzer.
@_cdecl("FuzzRDBLoad_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzDriver(argc, argv, fuzz)
}
#else
/// A plain build (no EMBER_FUZZ) makes this stub, so `swift build` and `swift test` work.
@main struct FuzzRDBLoadStub {
    static func main() { print("FuzzRDBLoad is a libFuzzer target: run scripts/fuzz FuzzRDBLoad") }
}
#endif
