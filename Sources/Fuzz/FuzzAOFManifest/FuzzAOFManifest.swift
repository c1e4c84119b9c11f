// libFuzzer target: the multi-part AOF manifest parser (AOFManifest.parse). Build and run with
// scripts/fuzz.
//
// Input: the manifest file's bytes. Checks, besides no trap/hang/leak under ASan: a manifest
// that parses serializes to text that parses back to the same manifest, and serializes the same.
#if EMBER_FUZZ
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

// SwiftPM links an executable with `--defsym main=<Module>_main`: the entry point hands over to
// libFuzzer's driver (whichever `main` the linker keeps, libFuzzer runs `fuzz`).
typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: FuzzCallback) -> CInt
@_cdecl("FuzzAOFManifest_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzz)
}
#else
/// A plain build (no EMBER_FUZZ) makes this stub, so `swift build` and `swift test` work.
@main struct FuzzAOFManifestStub {
    static func main() { print("FuzzAOFManifest is a libFuzzer target: run scripts/fuzz FuzzAOFManifest") }
}
#endif
