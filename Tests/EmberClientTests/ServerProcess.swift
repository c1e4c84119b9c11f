import EmberClient
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real server for a test: Debian's `redis-server`, or this repo's `ember-server` when it has
/// been built, started on a free loopback port and killed when the test ends.
final class ServerProcess: @unchecked Sendable {
    enum Kind: Sendable {
        case redis
        case ember

        var executable: String? {
            switch self {
            case .redis:
                return ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first {
                    FileManager.default.isExecutableFile(atPath: $0)
                }
            case .ember:
                let path = ServerProcess.packageRoot + "/.build/debug/ember-server"
                return FileManager.default.isExecutableFile(atPath: path) ? path : nil
            }
        }
    }

    let kind: Kind
    let port: Int
    let unixSocket: String?
    private let executable: String
    private let arguments: [String]
    private let lock = NSLock()
    private var _process: Process
    private var process: Process { lock.withLock { _process } }

    /// The repository root, found from this file's path.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    private init(kind: Kind, port: Int, unixSocket: String?, executable: String, arguments: [String], process: Process) {
        self.kind = kind
        self.port = port
        self.unixSocket = unixSocket
        self.executable = executable
        self.arguments = arguments
        self._process = process
    }

    /// Starts a server and waits until it answers PING. Skips the test when the binary is missing.
    static func start(_ kind: Kind, arguments extra: [String] = [], unixSocket: Bool = false) async throws -> ServerProcess {
        guard let executable = kind.executable else {
            switch kind {
            case .redis: throw XCTSkip("redis-server is not installed")
            case .ember: throw XCTSkip("ember-server is not built at .build/debug/ember-server")
            }
        }
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try freePort()
            let socketPath = unixSocket ? "/tmp/ember-client-test-\(getpid())-\(port).sock" : nil
            var arguments = ["--port", String(port), "--bind", "127.0.0.1"]
            // No save points: a test's server neither writes dump.rdb on shutdown nor finds one.
            arguments += ["--save", ""]
            if kind == .redis { arguments += ["--appendonly", "no"] }
            if let socketPath { arguments += ["--unixsocket", socketPath] }
            arguments += extra
            let process = try launch(executable, arguments)
            let server = ServerProcess(
                kind: kind, port: port, unixSocket: socketPath, executable: executable, arguments: arguments, process: process)
            do {
                try await server.waitUntilReady()
                return server
            } catch {
                lastError = error
                server.kill()
            }
        }
        throw lastError ?? RedisClientError(.connectFailed, "the server did not start")
    }

    private static func launch(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts the server again on the same port with the same arguments (after `kill()`), and
    /// waits until it answers.
    func restart() async throws {
        kill()
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let process = try Self.launch(executable, arguments)
            lock.withLock { _process = process }
            do {
                try await waitUntilReady()
                return
            } catch {
                // The port may linger for a moment after the kill: try again.
                kill()
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// The configuration for this server (RESP3, no library info, short timeouts).
    func configuration(protocolVersion: RESPVersion = .resp3) -> RedisConnectionConfiguration {
        var configuration = RedisConnectionConfiguration(host: "127.0.0.1", port: port)
        configuration.protocolVersion = protocolVersion
        configuration.connectTimeout = .seconds(5)
        configuration.commandTimeout = .seconds(10)
        return configuration
    }

    var url: String { "redis://127.0.0.1:\(port)" }

    var isRunning: Bool { process.isRunning }

    private func waitUntilReady() async throws {
        var configuration = configuration(protocolVersion: .resp2)
        configuration.connectTimeout = .milliseconds(500)
        configuration.libraryName = nil
        configuration.libraryVersion = nil
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            guard process.isRunning else { throw RedisClientError(.connectFailed, "the server exited at start") }
            let connection: RedisConnection
            do {
                connection = try await RedisConnection.connect(configuration: configuration)
            } catch {
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            do {
                _ = try await connection.ping()
            } catch let error as RedisServerError where error.code == .noAuth {
                // Up: it answered, though the test's own settings (requirepass) refuse us.
            }
            try? await connection.close()
            return
        }
    }

    /// Kills the server at once (SIGKILL) and waits for it to exit.
    func kill() {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        if let unixSocket { unlink(unixSocket) }
    }

    /// Stops the server without closing its sockets (SIGSTOP): the kernel still accepts
    /// connections, nothing answers. `resume()` continues it.
    func pause() {
        _ = Glibc.kill(process.processIdentifier, SIGSTOP)
    }

    func resume() {
        _ = Glibc.kill(process.processIdentifier, SIGCONT)
    }

    deinit {
        kill()
    }

    /// A loopback port nothing listens on right now (the kernel's choice for port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RedisClientError(.connectFailed, "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw RedisClientError(.connectFailed, "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Fails the test if `body` takes longer than `limit` (cancelling it), instead of hanging.
func withTimeLimit<T: Sendable>(
    _ limit: Duration, file: StaticString = #filePath, line: UInt = #line,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            XCTFail("timed out after \(limit)", file: file, line: line)
            throw CancellationError()
        }
        group.cancelAll()
        return value
    }
}

// MARK: - Assertions on async expressions (XCTAssert's autoclosures cannot await)

func assertEqual<T: Equatable>(
    _ expression: @autoclosure () async throws -> T, _ expected: @autoclosure () throws -> T,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) async throws {
    let value = try await expression()
    XCTAssertEqual(value, try expected(), message, file: file, line: line)
}

func assertNil<T>(
    _ expression: @autoclosure () async throws -> T?, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) async throws {
    let value = try await expression()
    XCTAssertNil(value, message, file: file, line: line)
}

func assertTrue(
    _ expression: @autoclosure () async throws -> Bool, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) async throws {
    let value = try await expression()
    XCTAssertTrue(value, message, file: file, line: line)
}

func assertFalse(
    _ expression: @autoclosure () async throws -> Bool, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) async throws {
    let value = try await expression()
    XCTAssertFalse(value, message, file: file, line: line)
}

/// A test case that starts real servers and kills them when each test ends.
class ServerTestCase: XCTestCase {
    private var servers: [ServerProcess] = []

    override func tearDown() async throws {
        for server in servers { server.kill() }
        servers = []
        try await super.tearDown()
    }

    /// Starts a server for this test (skipping the test when its binary is missing).
    func startServer(_ kind: ServerProcess.Kind = .redis, arguments: [String] = [], unixSocket: Bool = false) async throws -> ServerProcess {
        let server = try await ServerProcess.start(kind, arguments: arguments, unixSocket: unixSocket)
        servers.append(server)
        return server
    }
}
