import EmberRESP
import NIOCore
import EmberStore

/// The server's settings, read from a redis.conf-style file and redis-server-style flags
/// (`ember-server [file] --port 7000 --maxmemory 100mb`), with the same names as Redis.
public struct ServerConfiguration: Sendable {
    // The live settings the server reads; the table (`ServerConfiguration.table`, in
    // Config/ConfigParameters.swift) writes them and is where every parameter is declared.
    public var port = 6379
    public var bind = ["127.0.0.1", "-::1"]
    public var protectedMode = true
    public var queryBufferLimit = 1024 * 1024 * 1024
    public var tcpKeepalive = 300
    public var logLevel = "notice"
    public var logFile = ""
    /// `always-show-logo`: the start-up banner (with the port and PID lines) even in a log file.
    public var alwaysShowLogo = false
    public var enableProtectedConfigs = "no"
    /// Half the cores: commands run one at a time under the engine lock, so further threads
    /// only parse and encode, and they compete with the kernel's network stack and with
    /// clients on the same host (on 2 cores, 1 thread serves redis-benchmark 15-30% faster).
    public var ioThreads = max(1, System.coreCount / 2)
    public var configFile: String?
    public var engine = EngineConfiguration()
    /// Every parameter's value by its canonical name, as CONFIG GET reports it.
    var values: [String: ConfigValue] = [:]
    /// Whether a `save` line was read yet: the first replaces the default points, later ones add.
    private var saveLoaded = false

    /// Redis's defaults, written through to the live settings.
    public init() {
        for parameter in Self.table {
            var value = parameter.defaultValue
            // Defaults never fail (`dir` "." exists); a failure keeps the value unapplied.
            try? parameter.apply?(&self, &value, true)
            values[parameter.name] = value
        }
    }

    /// `timeout`: accepted and reported; idle clients are not closed yet.
    public var timeout: Int { Int(values["timeout"]?.number ?? 0) }

    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Parses command-line arguments the way redis-server does: an optional config file first,
    /// then `--name value...` pairs that act as extra config lines.
    public static func parse(arguments: [String], readFile: (String) throws -> String) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        var arguments = arguments[...]
        var text = ""
        if let first = arguments.first, !first.hasPrefix("--") {
            configuration.configFile = first
            text = try readFile(first)
            arguments = arguments.dropFirst()
        }
        var line: [String] = []
        for argument in arguments {
            if argument.hasPrefix("--") {
                if !line.isEmpty { text += "\n" + line.joined(separator: " ") }
                line = [String(argument.dropFirst(2))]
            } else {
                guard !line.isEmpty else { throw Error(description: "Invalid argument '\(argument)'") }
                line.append(quoted(argument))
            }
        }
        if !line.isEmpty { text += "\n" + line.joined(separator: " ") }
        try configuration.apply(configText: text)
        return configuration
    }

    private static func quoted(_ value: String) -> String {
        var escaped = "\""
        for character in value {
            if character == "\"" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "\""
    }

    /// Applies redis.conf lines: `name value...`, `#` comments, quoted values. Errors read as
    /// Redis's fatal config error: the line number, the line, and the reason.
    public mutating func apply(configText: String) throws {
        for (number, rawLine) in configText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = rawLine.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            var lineBytes = Array(trimmed.utf8)
            guard let words = lineBytes.withUnsafeMutableBytes({ splitInlineArguments(UnsafeRawBufferPointer($0)) }), let name = words.first else {
                throw Error(description: "Reading the configuration file, at line \(number + 1)\n>>> '\(trimmed)'\nUnbalanced quotes in configuration line")
            }
            let values = words.dropFirst().map(\.string)
            if let problem = setFromFile(name.string.lowercased(), values) {
                let shown = ([name.string] + values.map { "\"\($0)\"" }).joined(separator: " ")
                throw Error(description: "Reading the configuration file, at line \(number + 1)\n>>> '\(shown)'\n\(problem)")
            }
        }
    }

    /// A config-file line: one argument unless the parameter takes several.
    mutating func setFromFile(_ name: String, _ arguments: [String]) -> String? {
        if Self.ignoredDirectives.contains(name) { return nil }
        guard let parameter = Self.byName[name] else { return "Bad directive or wrong number of arguments" }
        // A bare `save` line clears the save points, as `save ""` does (Redis's test suite
        // writes it that way).
        var arguments = parameter.name == "save" && arguments.isEmpty ? [""] : arguments
        guard !arguments.isEmpty else { return "Bad directive or wrong number of arguments" }
        if !parameter.flags.contains(.multiArgument) && arguments.count != 1 { return "wrong number of arguments" }
        if parameter.name == "save" {
            // The first `save` line replaces the default points; later lines add theirs.
            if saveLoaded && arguments != [""] { arguments = (values["save"]?.words ?? []) + arguments }
            saveLoaded = true
        }
        return set(parameter, arguments, startup: true)
    }

    /// Parses, applies and stores one parameter; returns Redis's complaint, or nil.
    mutating func set(_ parameter: ConfigParameter, _ arguments: [String], startup: Bool) -> String? {
        let current = values[parameter.name] ?? parameter.defaultValue
        switch parameter.parse(arguments, current: current) {
        case .failure(let problem): return problem.text
        case .success(var value):
            do {
                try parameter.apply?(&self, &value, startup)
            } catch {
                return error.text
            }
            values[parameter.name] = value
            return nil
        }
    }

    /// Sets a parameter by name (CONFIG SET's checks included when not at start-up); returns a
    /// problem description (Redis's wording after the dash) or nil.
    public mutating func set(_ name: String, _ arguments: [String], startup: Bool) -> String? {
        guard let parameter = Self.byName[name] else { return "Bad directive or wrong number of arguments" }
        if !startup && parameter.flags.contains(.immutable) { return "can't set immutable config" }
        return set(parameter, arguments, startup: startup)
    }

    /// The value CONFIG GET reports for `name` (an alias reads its parameter).
    public func get(_ name: String) -> String? {
        guard let parameter = Self.byName[name] else { return nil }
        return parameter.format(values[parameter.name] ?? parameter.defaultValue)
    }

    /// The parameter `name` names, aliases included.
    public static func parameter(named name: String) -> ConfigParameter? { byName[name] }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
