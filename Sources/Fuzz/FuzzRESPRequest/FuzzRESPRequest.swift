// libFuzzer target: the client request parser (RESPRequestParser) driven as ConnectionHandler
// drives it, over arbitrary bytes in arbitrary chunkings. Build and run with scripts/fuzz.
//
// Input: byte 0 chooses the limits (bit 0: unauthenticated; bits 1-2: proto-max-bulk-len
// 512 MiB / 16 / 1 KiB / 64 KiB; bit 3: a 1 MiB query-buffer limit, the smallest
// client-query-buffer-limit allows, else the 1 GiB default), byte 1 seeds the chunking,
// the rest is what the client sends.
//
// Checks, besides no trap/hang/leak under ASan: the commands and the error are the same whether
// the bytes arrive at once or in chunks, and every consumed byte is accounted for.
#if EMBER_FUZZ
import FuzzSupport
import EmberRESP
import NIOCore

struct Outcome: Equatable {
    var commands: [[Bytes]] = []
    var error: RESPProtocolError?
    var closedForQueryBuffer = false
}

/// What ConnectionHandler.channelRead does with each read: append to the pending buffer, take
/// every complete command, close on a protocol error or when the pending bytes pass the limit,
/// discard read bytes past 64 KiB.
func drive(_ chunks: [ArraySlice<UInt8>], maxBulk: Int, unauthenticated: Bool, queryLimit: Int) -> Outcome {
    var parser = RESPRequestParser(maxBulkLength: maxBulk)
    parser.unauthenticated = unauthenticated
    var outcome = Outcome()
    var inbound: ByteBuffer?
    let allocator = ByteBufferAllocator()
    for chunk in chunks {
        var incoming = allocator.buffer(capacity: chunk.count)
        incoming.writeBytes(chunk)
        if inbound == nil || inbound!.readableBytes == 0 {
            inbound = incoming
        } else {
            inbound!.writeBuffer(&incoming)
        }
        do {
            while var command = try parser.next(&inbound!) {
                precondition(!command.isEmpty, "parser returned an empty command")
                outcome.commands.append(command)
                parser.recycle(&command)
            }
        } catch {
            outcome.error = error
            return outcome
        }
        if let pending = inbound, pending.readableBytes > queryLimit {
            outcome.closedForQueryBuffer = true
            return outcome
        }
        precondition(parser.pendingBulkBytes <= maxBulk, "pending bulk beyond proto-max-bulk-len")
        if inbound!.readableBytes == 0 { inbound = nil } else if inbound!.readerIndex > 64 * 1024 { inbound!.discardReadBytes() }
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let flags = data[0]
    var seed = UInt32(data[1]) &* 2_654_435_761 | 1
    let input = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    let unauthenticated = flags & 1 != 0
    let maxBulk = [512 * 1024 * 1024, 16, 1024, 64 * 1024][Int(flags >> 1) & 3]
    let queryLimit = flags & 8 != 0 ? 1024 * 1024 : 1024 * 1024 * 1024

    // Chunk sizes from a xorshift sequence: 1 byte at a time up to 2^7, and sometimes one big read.
    let maxChunk = 1 << Int(data[1] & 7)
    var chunks: [ArraySlice<UInt8>] = []
    var start = 0
    while start < input.count {
        seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5
        let length = min(input.count - start, 1 + Int(seed % UInt32(maxChunk)))
        chunks.append(input[start..<(start + length)])
        start += length
    }
    let chunked = drive(chunks, maxBulk: maxBulk, unauthenticated: unauthenticated, queryLimit: queryLimit)
    let whole = drive([input[...]], maxBulk: maxBulk, unauthenticated: unauthenticated, queryLimit: queryLimit)
    if !chunked.closedForQueryBuffer && !whole.closedForQueryBuffer {
        precondition(chunked.commands == whole.commands, "chunking changed the commands")
        precondition(chunked.error == whole.error, "chunking changed the error: \(String(describing: chunked.error)) vs \(String(describing: whole.error))")
    }
    return 0
}

// The entry point SwiftPM links (`--defsym main=FuzzRESPRequest_main`), handing over to libFuzzer.
@_cdecl("FuzzRESPRequest_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzDriver(argc, argv, fuzz)
}
#else
/// A plain build (no EMBER_FUZZ) makes this stub, so `swift build` and `swift test` work.
@main struct FuzzRESPRequestStub {
    static func main() { print("FuzzRESPRequest is a libFuzzer target: run scripts/fuzz FuzzRESPRequest") }
}
#endif
