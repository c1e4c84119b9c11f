import EmberRESP
import NIOCore

/// One command as it goes on the wire: the command name followed by its arguments, each a
/// byte string (a RESP multibulk of bulk strings).
///
/// ```swift
/// let command: RESPCommand = ["SET", "greeting", "hello", "EX", "60"]
/// let other = RESPCommand("INCRBY", "counter", 10)
/// ```
public struct RESPCommand: Sendable, Hashable {
    /// The command name first, then its arguments.
    public var arguments: [Bytes]

    @inlinable
    public init(_ arguments: [Bytes]) {
        self.arguments = arguments
    }

    /// A command from any mix of argument types: `RESPCommand("EXPIRE", key, 60)`.
    @inlinable
    public init(_ name: some RESPArgumentConvertible, _ arguments: any RESPArgumentConvertible...) {
        var all: [Bytes] = []
        all.reserveCapacity(arguments.count + 1)
        all.append(name.respArgument)
        for argument in arguments { all.append(argument.respArgument) }
        self.arguments = all
    }

    /// A command from a heterogeneous array: `RESPCommand(["SET", key, 42])`.
    @inlinable
    public init(_ arguments: [any RESPArgumentConvertible]) {
        self.arguments = arguments.map(\.respArgument)
    }

    /// The command name (empty for an empty command, which transports reject).
    public var name: Bytes { arguments.first ?? Bytes() }

    /// Writes the command as a RESP multibulk of bulk strings.
    @inlinable
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeRESPArrayHeader(arguments.count)
        for argument in arguments { buffer.writeRESPBulk(argument) }
    }

    /// Appends an argument.
    @inlinable
    public mutating func append(_ argument: some RESPArgumentConvertible) {
        arguments.append(argument.respArgument)
    }

    /// Appends several arguments.
    @inlinable
    public mutating func append<S: Sequence>(contentsOf arguments: S) where S.Element: RESPArgumentConvertible {
        for argument in arguments { self.arguments.append(argument.respArgument) }
    }
}

extension RESPCommand: ExpressibleByArrayLiteral {
    @inlinable
    public init(arrayLiteral elements: Bytes...) {
        self.arguments = elements
    }
}

extension RESPCommand: CustomStringConvertible {
    public var description: String {
        arguments.map { $0.string.debugDescription }.joined(separator: " ")
    }
}

// MARK: - Arguments

/// A value that can be sent as a command argument: its bytes on the wire.
///
/// Numbers are sent in the decimal text Redis parses (`42`, `-1`, `1.5`, `inf`).
public protocol RESPArgumentConvertible: Sendable {
    var respArgument: Bytes { get }
}

extension Bytes: RESPArgumentConvertible {
    @inlinable public var respArgument: Bytes { self }
}

extension String: RESPArgumentConvertible {
    @inlinable public var respArgument: Bytes { Bytes(self) }
}

extension Substring: RESPArgumentConvertible {
    @inlinable public var respArgument: Bytes { Bytes(String(self)) }
}

extension Array: RESPArgumentConvertible where Element == UInt8 {
    @inlinable public var respArgument: Bytes { Bytes(self) }
}

extension Int: RESPArgumentConvertible {
    @inlinable public var respArgument: Bytes { Bytes(decimal: Int64(self)) }
}

extension Int64: RESPArgumentConvertible {
    @inlinable public var respArgument: Bytes { Bytes(decimal: self) }
}

extension Int32: RESPArgumentConvertible {
    @inlinable public var respArgument: Bytes { Bytes(decimal: Int64(self)) }
}

extension UInt32: RESPArgumentConvertible {
    @inlinable public var respArgument: Bytes { Bytes(decimal: Int64(self)) }
}

extension Double: RESPArgumentConvertible {
    /// The shortest text that parses back to the same value (`0.1`, `1e+20`), or `inf`/`-inf`.
    public var respArgument: Bytes {
        if isInfinite { return self < 0 ? "-inf" : "inf" }
        if self == rounded(), abs(self) < 1e15 { return Bytes(decimal: Int64(self)) }
        return Bytes(description)
    }
}
