// libFuzzer target: DUMP payloads (DumpPayload.verify/decode and RESTORE), then the restored
// key exercised through commands. Build and run with scripts/fuzz.
//
// Input: byte 0 chooses the settings (bit 0: sanitize-dump-payload yes, i.e. deep validation;
// bit 2: small collection limits; bit 3: an LFU policy; bit 4: keep the input's own 10-byte
// footer, else the footer is replaced by a valid version and CRC-64), the rest is the payload.
// With a valid footer the value decoder is reached every time, as a client reaches it with
// `DEBUG SET-SKIP-CHECKSUM-VALIDATION 1` or by computing the CRC itself; the value decoder
// is also called directly (DumpPayload.decode without verify).
//
// Checks, besides no trap/hang/leak under ASan: DumpPayload.decode and RESTORE agree on what
// they accept, and an accepted value answers its commands and survives DUMP/RESTORE and SAVE.
#if EMBER_FUZZ
import FuzzSupport
import EmberRESP
import EmberStore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    defer { finishRun() }
    let flags = data[0] & 0x1f  // bit 7 marks the engines the snapshot check reloads into
    var payload = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    _ = DumpPayload.verify(payload)
    if flags & 16 == 0 {
        payload.append(UInt8(RDBFormat.version & 0xff))
        payload.append(UInt8(RDBFormat.version >> 8))
        let crc = CRC64.checksum(payload)
        for index in 0..<8 { payload.append(UInt8(truncatingIfNeeded: crc >> UInt64(8 * index))) }
        precondition(DumpPayload.verify(payload), "a payload with a computed footer failed verify")
    }
    let engine = makeEngine(flags & ~2)
    let decoding = RDBValueDecoding(limits: engine.config.limits, deepValidation: flags & 1 != 0)
    let decoded = (try? DumpPayload.decode(payload, decoding: decoding)) ?? nil

    let client = engine.makeClient()
    let restored = run(engine, client, ["RESTORE", "key", "0", Bytes(payload)])
    engine.removeClient(client)
    if DumpPayload.verify(payload) {
        precondition((decoded != nil) == !isError(restored), "DumpPayload.decode and RESTORE disagree: \(restored)")
    }
    if !isError(restored) {
        exerciseKeyspace(engine, flags: flags)
        checkSnapshotRoundTrip(engine, flags: flags)
    }
    return 0
}

// The entry point SwiftPM links (`--defsym main=FuzzDumpPayload_main`), handing over to libFuzzer.
@_cdecl("FuzzDumpPayload_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzDriver(argc, argv, fuzz)
}
#else
/// A plain build (no EMBER_FUZZ) makes this stub, so `swift build` and `swift test` work.
@main struct FuzzDumpPayloadStub {
    static func main() { print("FuzzDumpPayload is a libFuzzer target: run scripts/fuzz FuzzDumpPayload") }
}
#endif
