import EmberRESP

/// A parameter's value as the table stores it. Numbers keep Redis's 64-bit pattern: unsigned
/// parameters (maxmemory) report it as unsigned, percent parameters store a percentage negated.
public enum ConfigValue: Sendable, Equatable {
    case bool(Bool)
    case number(Int64)
    case text(String)
    /// Multi-argument parameters (`save`, `client-output-buffer-limit`, ...), already validated.
    case words([String])

    var bool: Bool { if case .bool(let value) = self { return value }; return false }
    var number: Int64 { if case .number(let value) = self { return value }; return 0 }
    var text: String {
        switch self {
        case .text(let value): return value
        case .words(let words): return words.joined(separator: " ")
        case .bool(let value): return value ? "yes" : "no"
        case .number(let value): return String(value)
        }
    }
    var words: [String] { if case .words(let value) = self { return value }; return [] }
}

/// How a parameter's arguments are parsed and its value reported, as Redis 7.0's config types.
public enum ConfigType: Sendable {
    /// `yes`/`no`, case-insensitive.
    case bool
    /// An integer (`string2ll`), or with `memory` a `memtoull` value (`1k`, `5mb`, `1gb`), with
    /// `percent` also `N%`. `unsigned` types judge and report the 64-bit pattern as unsigned.
    case number(lower: Int64, upper: Int64, unsigned: Bool = false, memory: Bool = false, percent: Bool = false, octal: Bool = false)
    /// One of `names`, case-insensitive; reported with its declared spelling.
    case enumeration([String])
    /// A free string; `validate` returns Redis's complaint or nil.
    case string(validate: (@Sendable (String) -> String?)? = nil)
    /// Own parsing of the arguments (one or several; the current value given, for the settings
    /// that update part of it) and formatting of the value.
    case special(parse: @Sendable (_ arguments: [String], _ current: ConfigValue) -> Result<ConfigValue, ConfigProblem>, format: @Sendable (ConfigValue) -> String)
}

public struct ConfigFlags: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Settable only at start-up (config file, `--flags`).
    public static let immutable = ConfigFlags(rawValue: 1 << 0)
    /// CONFIG SET needs `enable-protected-configs` (`yes`, or `local` for a local client).
    public static let protected = ConfigFlags(rawValue: 1 << 1)
    /// Its value is a secret (requirepass, masterauth): never logged.
    public static let sensitive = ConfigFlags(rawValue: 1 << 2)
    /// Refused while a data set loads.
    public static let denyLoading = ConfigFlags(rawValue: 1 << 3)
    /// Not listed by `CONFIG GET *`, only by its exact name (Redis's debug settings).
    public static let hidden = ConfigFlags(rawValue: 1 << 4)
    /// Takes several arguments: CONFIG SET splits its value on spaces, a config line may carry many.
    public static let multiArgument = ConfigFlags(rawValue: 1 << 5)
    /// Ember accepts, validates and reports it, and it changes nothing (README lists these).
    public static let noEffect = ConfigFlags(rawValue: 1 << 6)
}

/// Why an argument was refused: Redis's text after the dash of CONFIG SET's error (and the
/// last line of its fatal config-file error).
public struct ConfigProblem: Error, Sendable {
    public let text: String
    public init(_ text: String) { self.text = text }
}

/// One parameter, declared once: its name and aliases, type, flags, default, and how the
/// value reaches the live setting. `apply` writes it through (nil: the table's storage is all
/// there is); it may refuse (`dir` must exist) or adjust what is reported (`hz` is kept within
/// 1...500, `dir` reported as the absolute working directory).
public struct ConfigParameter: @unchecked Sendable {
    public let name: String
    public let aliases: [String]
    public let type: ConfigType
    public let flags: ConfigFlags
    public let defaultValue: ConfigValue
    let apply: ((inout ServerConfiguration, inout ConfigValue, _ startup: Bool) throws(ConfigProblem) -> Void)?

    init(_ name: String, aliases: [String] = [], _ type: ConfigType, _ flags: ConfigFlags = [], default defaultValue: ConfigValue,
         apply: ((inout ServerConfiguration, inout ConfigValue, _ startup: Bool) throws(ConfigProblem) -> Void)? = nil) {
        self.name = name
        self.aliases = aliases
        self.type = type
        self.flags = flags
        self.defaultValue = defaultValue
        self.apply = apply
    }

    // MARK: Declaration helpers

    static func bool(_ name: String, aliases: [String] = [], _ flags: ConfigFlags = [], _ value: Bool,
                     _ binding: WritableKeyPath<ServerConfiguration, Bool>? = nil) -> ConfigParameter {
        ConfigParameter(name, aliases: aliases, .bool, binding == nil ? flags.union(.noEffect) : flags, default: .bool(value),
                        apply: binding.map { path in { configuration, value, _ in configuration[keyPath: path] = value.bool } })
    }

    /// A signed integer within `range` (Redis's int/long/long long configs).
    static func integer<T: FixedWidthInteger>(_ name: String, aliases: [String] = [], _ flags: ConfigFlags = [], _ range: ClosedRange<Int64>, _ value: Int64,
                        memory: Bool = false, _ binding: WritableKeyPath<ServerConfiguration, T>?) -> ConfigParameter {
        ConfigParameter(name, aliases: aliases, .number(lower: range.lowerBound, upper: range.upperBound, memory: memory),
                        binding == nil ? flags.union(.noEffect) : flags, default: .number(value),
                        apply: binding.map { path in { configuration, value, _ in configuration[keyPath: path] = T(clamping: value.number) } })
    }

    static func integer(_ name: String, aliases: [String] = [], _ flags: ConfigFlags = [], _ range: ClosedRange<Int64>, _ value: Int64,
                        memory: Bool = false) -> ConfigParameter {
        integer(name, aliases: aliases, flags, range, value, memory: memory, Optional<WritableKeyPath<ServerConfiguration, Int>>.none)
    }

    /// A memory value (`memtoull`) kept in a signed type: at most LLONG_MAX.
    static func memory<T: FixedWidthInteger>(_ name: String, aliases: [String] = [], _ flags: ConfigFlags = [], _ range: ClosedRange<Int64>, _ value: Int64,
                       _ binding: WritableKeyPath<ServerConfiguration, T>) -> ConfigParameter {
        integer(name, aliases: aliases, flags, range, value, memory: true, binding)
    }

    static func memory(_ name: String, aliases: [String] = [], _ flags: ConfigFlags = [], _ range: ClosedRange<Int64>, _ value: Int64) -> ConfigParameter {
        integer(name, aliases: aliases, flags, range, value, memory: true)
    }

    /// An unsigned integer (uint, unsigned long long, size_t), bounds given unsigned.
    static func unsigned(_ name: String, aliases: [String] = [], _ flags: ConfigFlags = [], _ lower: UInt64, _ upper: UInt64, _ value: UInt64,
                         memory: Bool = false, octal: Bool = false) -> ConfigParameter {
        ConfigParameter(name, aliases: aliases, .number(lower: Int64(bitPattern: lower), upper: Int64(bitPattern: upper), unsigned: true, memory: memory, octal: octal),
                        flags.union(.noEffect), default: .number(Int64(bitPattern: value)))
    }

    static func enumeration(_ name: String, aliases: [String] = [], _ flags: ConfigFlags = [], _ names: [String], _ value: String,
                            _ binding: WritableKeyPath<ServerConfiguration, String>? = nil) -> ConfigParameter {
        ConfigParameter(name, aliases: aliases, .enumeration(names), binding == nil ? flags.union(.noEffect) : flags, default: .text(value),
                        apply: binding.map { path in { configuration, value, _ in configuration[keyPath: path] = value.text } })
    }

    static func string(_ name: String, aliases: [String] = [], _ flags: ConfigFlags = [], _ value: String,
                       validate: (@Sendable (String) -> String?)? = nil,
                       _ binding: WritableKeyPath<ServerConfiguration, String>? = nil) -> ConfigParameter {
        ConfigParameter(name, aliases: aliases, .string(validate: validate), binding == nil ? flags.union(.noEffect) : flags, default: .text(value),
                        apply: binding.map { path in { configuration, value, _ in configuration[keyPath: path] = value.text } })
    }

    // MARK: Parsing and formatting

    /// Parses the arguments of one setting (one argument unless multi-argument).
    func parse(_ arguments: [String], current: ConfigValue) -> Result<ConfigValue, ConfigProblem> {
        let argument = arguments.first ?? ""
        switch type {
        case .bool:
            switch argument.lowercased() {
            case "yes": return .success(.bool(true))
            case "no": return .success(.bool(false))
            default: return .failure(ConfigProblem("argument must be 'yes' or 'no'"))
            }
        case .number(let lower, let upper, let unsigned, let memory, let percent, let octal):
            return ConfigParsing.number(argument, lower: lower, upper: upper, unsigned: unsigned, memory: memory, percent: percent, octal: octal).map { .number($0) }
        case .enumeration(let names):
            if let match = names.first(where: { $0.caseInsensitiveEquals(argument) }) { return .success(.text(match)) }
            return .failure(ConfigProblem("argument(s) must be one of the following: " + names.joined(separator: ", ")))
        case .string(let validate):
            if let validate, let problem = validate(argument) { return .failure(ConfigProblem(problem)) }
            return .success(.text(argument))
        case .special(let parse, _):
            return parse(arguments, current)
        }
    }

    func format(_ value: ConfigValue) -> String {
        switch type {
        case .bool: return value.bool ? "yes" : "no"
        case .number(_, _, let unsigned, _, let percent, let octal):
            let number = value.number
            if percent && number < 0 { return "\(-number)%" }
            if octal { return String(UInt64(bitPattern: number), radix: 8) }
            return unsigned ? String(UInt64(bitPattern: number)) : String(number)
        case .enumeration, .string: return value.text
        case .special(_, let format): return format(value)
        }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}

/// Redis's argument parsers, byte for byte (7.0 `string2ll`, `memtoull`, `numericParseString`
/// and the bounds check with its two wordings).
enum ConfigParsing {
    /// `string2ll`: optional `-`, digits without a leading zero (a lone `0` aside), no spaces,
    /// no `+`, within 64 bits.
    static func string2ll(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty || bytes.count > 20 && !(bytes.first == UInt8(ascii: "-") && bytes.count == 21) { return nil }
        if bytes == [UInt8(ascii: "0")] { return 0 }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
            if bytes.count == 1 { return nil }
        }
        guard bytes[index] >= UInt8(ascii: "1"), bytes[index] <= UInt8(ascii: "9") else { return nil }
        var value: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = plus
            index += 1
        }
        if negative {
            if value > UInt64(Int64.max) + 1 { return nil }
            return value == UInt64(Int64.max) + 1 ? Int64.min : -Int64(value)
        }
        return value > UInt64(Int64.max) ? nil : Int64(value)
    }

    /// `memtoull` of Redis 7.0: digits then an optional unit (b, k, kb, m, mb, g, gb, any case).
    /// No digits reads as 0; too many saturate (strtoull), and the unit multiplies with wrap-around.
    static func memtoull(_ text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        if bytes.first == UInt8(ascii: "-") { return nil }
        let digits = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let unit = String(decoding: bytes[digits.count...], as: UTF8.self).lowercased()
        let multiplier: UInt64
        switch unit {
        case "", "b": multiplier = 1
        case "k": multiplier = 1000
        case "kb": multiplier = 1024
        case "m": multiplier = 1000 * 1000
        case "mb": multiplier = 1024 * 1024
        case "g": multiplier = 1000 * 1000 * 1000
        case "gb": multiplier = 1024 * 1024 * 1024
        default: return nil
        }
        if digits.count >= 128 { return nil }
        var value: UInt64 = 0
        for digit in digits {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            if overflow1 || overflow2 { value = .max; break }
            value = plus
        }
        return value &* multiplier
    }

    static func number(_ text: String, lower: Int64, upper: Int64, unsigned: Bool, memory: Bool, percent: Bool, octal: Bool) -> Result<Int64, ConfigProblem> {
        var parsed: Int64?
        if memory, let value = memtoull(text) { parsed = Int64(bitPattern: value) }
        if parsed == nil, percent, text.utf8.count > 1, text.hasSuffix("%"), let value = string2ll(text.dropLast()), value >= 0 {
            parsed = -value
        }
        if parsed == nil, !memory, !percent {
            parsed = octal ? octalValue(text) : string2ll(text[...])
        }
        guard let value = parsed else {
            if memory && percent { return .failure(ConfigProblem("argument must be a memory or percent value")) }
            if memory { return .failure(ConfigProblem("argument must be a memory value")) }
            return .failure(ConfigProblem("argument couldn't be parsed into an integer"))
        }
        if unsigned {
            let (bits, low, high) = (UInt64(bitPattern: value), UInt64(bitPattern: lower), UInt64(bitPattern: upper))
            if bits < low || bits > high {
                let range = octal ? "\(String(low, radix: 8)) and \(String(high, radix: 8))" : "\(low) and \(high)"
                return .failure(ConfigProblem("argument must be between \(range) inclusive"))
            }
        } else if percent && value < 0 {
            if value < lower { return .failure(ConfigProblem("percentage argument must be less or equal to \(-lower)")) }
        } else if value < lower || value > upper {
            return .failure(ConfigProblem("argument must be between \(lower) and \(upper) inclusive"))
        }
        return .success(value)
    }

    /// strtoll(…, 8) with the whole string consumed, as Redis's octal configs.
    static func octalValue(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) else { return nil }
        return Int64(text, radix: 8)
    }

    /// C's `strtoll(text, &end, 10)` with `*end == 0` required: leading spaces and a sign
    /// allowed, saturating on overflow (Redis's `save` parsing).
    static func strtoll(_ text: String) -> Int64? {
        var bytes = Substring(text).utf8[...]
        while let first = bytes.first, first == 32 || (first >= 9 && first <= 13) { bytes = bytes.dropFirst() }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            // "" and a bare sign parse as 0 with nothing consumed: *end is then the whole text,
            // which is only empty for "".
            return text.isEmpty ? 0 : nil
        }
        var value: UInt64 = 0
        for digit in bytes {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return negative ? Int64.min : Int64.max }
            value = plus
        }
        if negative { return value > UInt64(Int64.max) ? Int64.min : -Int64(value) }
        return value > UInt64(Int64.max) ? Int64.max : Int64(value)
    }
}
