// libFuzzer target: the reader of encrypted RDB and AOF files (EncryptedFileReader.open,
// `encryption-key-file`). Build and run with scripts/fuzz.
//
// The first input byte picks the mode:
// - even: the rest is a file as found on disk, opened with a two-key ring (hostile headers,
//   lengths, flags; a chunk can never authenticate, so this covers everything before GCM).
// - odd: the rest describes a real file: chunk lengths (byte 1), where to cut it (bytes 2-3),
//   which byte to flip (bytes 4-5, 0 for none), then the plaintext. The file is sealed with
//   ChunkSealer, damaged, and opened. Checks: the intact file gives the plaintext back, whole
//   and finished; a file cut short gives a prefix of it and is not finished; a flipped byte is
//   an error or a prefix, never different plaintext.
#if EMBER_FUZZ
import FuzzSupport
import EmberStore

let ring = EncryptionKeyRing(keys: [EncryptionKey([UInt8](repeating: 0x11, count: 32)),
                                    EncryptionKey([UInt8](repeating: 0x22, count: 32))], path: "fuzz")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = input.first else { return 0 }
    if mode & 1 == 0 {
        if let opened = try? EncryptedFileReader.open(Array(input.dropFirst()), keys: ring) {
            precondition(opened.chunks > 0 || opened.plaintext.isEmpty, "plaintext without a chunk")
        }
        return 0
    }
    guard input.count >= 6 else { return 0 }
    let chunkLength = Int(input[1]) + 1
    let cut = Int(input[2]) << 8 | Int(input[3])
    let flip = Int(input[4]) << 8 | Int(input[5])
    let plaintext = Array(input.dropFirst(6))
    var sealer = ChunkSealer(key: ring.keys[Int(mode >> 1) % 2])
    var file = sealer.header
    do {
        try plaintext.withUnsafeBytes { try sealer.sealSplitting($0, chunkLength: chunkLength, final: true, into: &file) }
    } catch {
        preconditionFailure("sealing failed: \(error)")
    }
    let intact = try? EncryptedFileReader.open(file, keys: ring)
    precondition(intact?.plaintext == plaintext && intact?.finished == true, "an intact file did not give its plaintext back")

    var damaged = file
    if cut > 0 && cut < damaged.count { damaged.removeLast(damaged.count - cut) }
    let wasCut = damaged.count < file.count
    if flip > 0 { damaged[flip % damaged.count] ^= 0x5A }
    guard let opened = try? EncryptedFileReader.open(damaged, keys: ring) else { return 0 }
    precondition(opened.plaintext.count <= plaintext.count && Array(plaintext.prefix(opened.plaintext.count)) == opened.plaintext,
                 "a damaged file opened to plaintext that was never written")
    if wasCut { precondition(!opened.finished, "a file cut short opened as finished") }
    return 0
}

// The entry point SwiftPM links (`--defsym main=FuzzEncryptedFile_main`), handing over to libFuzzer.
@_cdecl("FuzzEncryptedFile_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzDriver(argc, argv, fuzz)
}
#else
/// A plain build (no EMBER_FUZZ) makes this stub, so `swift build` and `swift test` work.
@main struct FuzzEncryptedFileStub {
    static func main() { print("FuzzEncryptedFile is a libFuzzer target: run scripts/fuzz FuzzEncryptedFile") }
}
#endif
