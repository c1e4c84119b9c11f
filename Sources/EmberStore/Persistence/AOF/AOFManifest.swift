import EmberRESP

/// The multi-part AOF's manifest (`<appendfilename>.manifest` in `appenddirname`), as Redis 7.0
/// writes it: one line per file, `file <name> seq <n> type <b|h|i>`, the base first, then the
/// history files (left by a rewrite, to delete), then the incremental files in order.
public struct AOFManifest: Equatable, Sendable {
    public enum FileType: String, Sendable {
        case base = "b"
        case history = "h"
        case incremental = "i"
    }

    public struct Entry: Equatable, Sendable {
        public var name: String
        public var sequence: Int64
        public var type: FileType
        public init(name: String, sequence: Int64, type: FileType) {
            self.name = name
            self.sequence = sequence
            self.type = type
        }
    }

    public var base: Entry?
    public var history: [Entry] = []
    public var incrementals: [Entry] = []

    public init() {}

    /// The sequence numbers the next base and incremental files take.
    public var currentBaseSequence: Int64 { base?.sequence ?? 0 }
    public var currentIncrementalSequence: Int64 { incrementals.last?.sequence ?? 0 }

    /// The files to load, in order.
    public var loadOrder: [Entry] { (base.map { [$0] } ?? []) + incrementals }

    // MARK: - Names

    public static func baseName(_ appendFilename: String, sequence: Int64, rdb: Bool) -> String {
        "\(appendFilename).\(sequence).base.\(rdb ? "rdb" : "aof")"
    }

    public static func incrementalName(_ appendFilename: String, sequence: Int64) -> String {
        "\(appendFilename).\(sequence).incr.aof"
    }

    public static func manifestName(_ appendFilename: String) -> String { "\(appendFilename).manifest" }

    // MARK: - Text

    /// The manifest's text, with names quoted when they hold spaces or unprintable bytes.
    public func serialized() -> [UInt8] {
        var text: [UInt8] = []
        for entry in (base.map { [$0] } ?? []) + history + incrementals {
            text += Array("file ".utf8) + Self.quoteIfNeeded(entry.name)
            text += Array(" seq \(entry.sequence) type \(entry.type.rawValue)\n".utf8)
        }
        return text
    }

    static func quoteIfNeeded(_ name: String) -> [UInt8] {
        let bytes = Array(name.utf8)
        let plain = !bytes.isEmpty && bytes.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "\\") }
        if plain { return bytes }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): quoted += [UInt8(ascii: "\\"), byte]
            case 10: quoted += Array("\\n".utf8)
            case 13: quoted += Array("\\r".utf8)
            case 9: quoted += Array("\\t".utf8)
            case 32..<127: quoted.append(byte)
            default:
                let hex = Array("0123456789abcdef".utf8)
                quoted += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        quoted.append(UInt8(ascii: "\""))
        return quoted
    }

    /// Parses a manifest; a malformed one is an error saying what is wrong and on which line
    /// (Redis refuses to start on it too).
    public static func parse(_ text: [UInt8]) throws(AOFManifestError) -> AOFManifest {
        var manifest = AOFManifest()
        guard !text.isEmpty else { throw AOFManifestError("Found an empty AOF manifest") }
        guard text.last == 10 else { throw AOFManifestError("The AOF manifest file is invalid format (no newline at its end)") }
        var lineNumber = 0
        var maxIncrementalSequence: Int64 = 0
        var names = Set<String>()
        for line in text.split(separator: 10, omittingEmptySubsequences: false).dropLast() {
            lineNumber += 1
            var line = Array(line)
            if line.last == 13 { line.removeLast() }
            guard line.count <= 1024 else { throw AOFManifestError("The AOF manifest file contains too long line (line \(lineNumber))") }
            let trimmed = line.drop { $0 == 32 || $0 == 9 }
            // Comments are skipped; a blank line is malformed, as Redis judges it.
            if trimmed.first == UInt8(ascii: "#") { continue }
            guard let words = splitArguments(Array(trimmed)), words.count % 2 == 0, !words.isEmpty else {
                throw AOFManifestError("Invalid AOF manifest file format (line \(lineNumber))")
            }
            var name: String?
            var sequence: Int64?
            var type: FileType?
            for pair in stride(from: 0, to: words.count, by: 2) {
                let key = String(decoding: words[pair], as: UTF8.self)
                let value = words[pair + 1]
                switch key {
                case "file":
                    // Names are kept as text: bytes that are not UTF-8 would change in decoding,
                    // and the loader would look for a file that is not there.
                    guard let text = String(validating: value, as: UTF8.self) else {
                        throw AOFManifestError("Invalid AOF manifest file format: file name is not UTF-8 (line \(lineNumber))")
                    }
                    name = text
                case "seq":
                    let digits = String(decoding: value, as: UTF8.self)
                    guard let number = Int64(digits), number > 0, value.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                        throw AOFManifestError("Invalid AOF manifest file format: bad sequence number (line \(lineNumber))")
                    }
                    sequence = number
                case "type":
                    guard value.count == 1, let parsed = FileType(rawValue: String(decoding: value, as: UTF8.self)) else {
                        throw AOFManifestError("Unknown AOF file type (line \(lineNumber))")
                    }
                    type = parsed
                default: continue // Unknown keys are kept out, as Redis ignores them.
                }
            }
            guard let name, let sequence, let type else {
                throw AOFManifestError("Invalid AOF manifest file format: missing file, seq or type (line \(lineNumber))")
            }
            // A manifest names files in the AOF directory only: no paths, nothing hidden above it.
            guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.utf8.contains(0) else {
                throw AOFManifestError("Invalid AOF manifest file format: file name '\(name)' is not a plain file name (line \(lineNumber))")
            }
            guard names.insert(name).inserted else { throw AOFManifestError("Found duplicate AOF file name '\(name)' (line \(lineNumber))") }
            let entry = Entry(name: name, sequence: sequence, type: type)
            switch type {
            case .base:
                guard manifest.base == nil else { throw AOFManifestError("Found duplicate base file information (line \(lineNumber))") }
                manifest.base = entry
            case .history: manifest.history.append(entry)
            case .incremental:
                guard sequence > maxIncrementalSequence else {
                    throw AOFManifestError("Found a non-monotonic sequence number (line \(lineNumber))")
                }
                maxIncrementalSequence = sequence
                manifest.incrementals.append(entry)
            }
        }
        guard manifest.base != nil || !manifest.incrementals.isEmpty else {
            throw AOFManifestError("Invalid AOF manifest file format: no base and no incremental file")
        }
        return manifest
    }

    /// Splits a line into words as Redis's `sdssplitargs`: spaces separate, `"..."` with
    /// escapes (`\n`, `\xHH`...) and `'...'` quote. Nil on unbalanced quotes.
    static func splitArguments(_ line: [UInt8]) -> [[UInt8]]? {
        var words: [[UInt8]] = []
        var index = 0
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == 11 || byte == 12 }
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: return byte - 48
            case 97...102: return byte - 87
            case 65...70: return byte - 55
            default: return nil
            }
        }
        while true {
            while index < line.count && isSpace(line[index]) { index += 1 }
            guard index < line.count else { return words }
            var word: [UInt8] = []
            if line[index] == UInt8(ascii: "\"") {
                index += 1
                while true {
                    guard index < line.count else { return nil }
                    let byte = line[index]
                    if byte == UInt8(ascii: "\\") && index + 3 < line.count && line[index + 1] == UInt8(ascii: "x"),
                       let high = hexValue(line[index + 2]), let low = hexValue(line[index + 3]) {
                        word.append(high << 4 | low)
                        index += 4
                    } else if byte == UInt8(ascii: "\\") && index + 1 < line.count {
                        let escaped = line[index + 1]
                        switch escaped {
                        case UInt8(ascii: "n"): word.append(10)
                        case UInt8(ascii: "r"): word.append(13)
                        case UInt8(ascii: "t"): word.append(9)
                        case UInt8(ascii: "b"): word.append(8)
                        case UInt8(ascii: "a"): word.append(7)
                        default: word.append(escaped)
                        }
                        index += 2
                    } else if byte == UInt8(ascii: "\"") {
                        index += 1
                        // The closing quote must be followed by a space or the end.
                        if index < line.count && !isSpace(line[index]) { return nil }
                        break
                    } else {
                        word.append(byte)
                        index += 1
                    }
                }
            } else if line[index] == UInt8(ascii: "'") {
                index += 1
                while true {
                    guard index < line.count else { return nil }
                    let byte = line[index]
                    if byte == UInt8(ascii: "\\") && index + 1 < line.count && line[index + 1] == UInt8(ascii: "'") {
                        word.append(UInt8(ascii: "'"))
                        index += 2
                    } else if byte == UInt8(ascii: "'") {
                        index += 1
                        if index < line.count && !isSpace(line[index]) { return nil }
                        break
                    } else {
                        word.append(byte)
                        index += 1
                    }
                }
            } else {
                while index < line.count && !isSpace(line[index]) {
                    word.append(line[index])
                    index += 1
                }
            }
            words.append(word)
        }
    }
}

public struct AOFManifestError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
