import EmberStore
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The server log in Redis's line format, `<pid>:M <dd Mon yyyy HH:MM:SS.mmm> <c> <message>`,
/// where `c` is `.` debug, `-` verbose, `*` notice, `#` warning. Lines below `loglevel` are
/// dropped; they go to stdout when `logfile` is empty, else are appended to that file, which is
/// opened for each line as Redis does (log rotation needs no signal). Every line is flushed at
/// once: Redis's own test suite waits for lines in the log. Thread-safe; never on a hot path.
public final class RedisLogSink: ServerLogSink, @unchecked Sendable {
    private let lock = NIOLock()
    private var minimum: LogLevel
    private let path: String

    public init(level: String, file: String) {
        self.minimum = LogLevel(configName: level) ?? .notice
        self.path = file
    }

    /// `CONFIG SET loglevel`: applies from the next line.
    public func setLevel(_ name: String) {
        guard let level = LogLevel(configName: name) else { return }
        lock.withLock { minimum = level }
    }

    public func isLogged(_ level: LogLevel) -> Bool {
        lock.withLock { level >= minimum }
    }

    public func log(_ level: LogLevel, _ message: String) {
        lock.withLock {
            guard level >= minimum else { return }
            let line = Self.format(level, message, pid: getpid(), time: Self.now())
            if path.isEmpty {
                // Straight to the descriptor: unbuffered, so each line is out at once.
                var bytes = Array(line.utf8)[...]
                while !bytes.isEmpty {
                    let written = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                    if written <= 0 { break }
                    bytes = bytes.dropFirst(written)
                }
            } else if let file = fopen(path, "a") {
                fputs(line, file)
                fclose(file)
            }
        }
    }

    static func marker(_ level: LogLevel) -> String {
        switch level {
        case .debug: return "."
        case .verbose: return "-"
        case .notice: return "*"
        case .warning: return "#"
        }
    }

    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }

    /// One line, newline included, in local time as Redis.
    static func format(_ level: LogLevel, _ message: String, pid: Int32, time: timespec) -> String {
        var seconds = time.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%d %b %Y %H:%M:%S", &parts)
        let stamp = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let milliseconds = Int(time.tv_nsec / 1_000_000)
        let fraction = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(pid):M \(stamp).\(fraction) \(marker(level)) \(message)\n"
    }
}
