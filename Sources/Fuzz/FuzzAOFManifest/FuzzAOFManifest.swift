// libFuzzer target: the multi-part AOF manifest parser (AOFManifest.parse). Build and run with
// scripts/fuzz.
//
// Input: the manifest file's bytes. Checks, besides no trap/hang/leak under ASan: a manifest
// that parses serializes to text that parses back to the same manifest, and serializes the same.
#if EMBER_FUZZ
import FuzzSupport
import EmberStore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = Array(UnsafeBufferPointer(start: data, count: size))
    guard let manifest = try? AOFManifest.parse(text) else { return 0 }
    _ = manifest.loadOrder
    let serialized = manifest.serialized()
    // As in Redis: quoting can take a line past the 1024-byte limit that parsing enforces.
    if serialized.split(separator: 10).contains(where: { $0.count > 1024 }) { return 0 }
    let again: AOFManifest
    do {
        again = try AOFManifest.parse(serialized)
    } catch {
        preconditionFailure("a serialized manifest does not parse: \(error)")
    }
    precondition(again == manifest, "a manifest changed through serialized() and parse()")
    precondition(again.serialized() == serialized, "serialized() is not stable")
    return 0
}

// The entry point SwiftPM links (`--defsym main=FuzzAOFManifest_main`), handing over to libFuzzer.
@_cdecl("FuzzAOFManifest_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzDriver(argc, argv, fuzz)
}
#else
/// A plain build (no EMBER_FUZZ) makes this stub, so `swift build` and `swift test` work.
@main struct FuzzAOFManifestStub {
    static func main() { print("FuzzAOFManifest is a libFuzzer target: run scripts/fuzz FuzzAOFManifest") }
}
#endif
