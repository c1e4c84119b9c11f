// What every libFuzzer target shares (scripts/fuzz, tests/fuzz/README.md).
#if EMBER_FUZZ
/// libFuzzer's per-input entry point, as the targets define it.
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: FuzzCallback) -> CInt

/// Hands the process over to libFuzzer's driver. SwiftPM links an executable with
/// `--defsym main=<Module>_main`, so each target defines `<Module>_main` and calls this
/// (whichever `main` the linker keeps, libFuzzer runs the target's callback).
public func runFuzzDriver(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ callback: FuzzCallback) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}
#endif
