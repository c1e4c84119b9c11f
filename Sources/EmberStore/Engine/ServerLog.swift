/// Redis's log levels, in increasing severity (`loglevel`).
public enum LogLevel: Int, Sendable, Comparable {
    case debug, verbose, notice, warning

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    /// The level named by `loglevel` (`nothing` silences everything: nil).
    public init?(configName: String) {
        switch configName.lowercased() {
        case "debug": self = .debug
        case "verbose": self = .verbose
        case "notice": self = .notice
        case "warning": self = .warning
        default: return nil
        }
    }
}

/// Where the engine's log lines go. The server installs one that honours `loglevel` and
/// `logfile`; an embedded engine logs nothing unless one is set.
public protocol ServerLogSink: AnyObject, Sendable {
    func log(_ level: LogLevel, _ message: String)
}

extension Engine {
    /// Writes `message` to the server log at `level` (DEBUG LOG, persistence, start-up).
    public func log(_ level: LogLevel, _ message: String) {
        logSink?.log(level, message)
    }
}
