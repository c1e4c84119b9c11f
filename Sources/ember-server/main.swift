import Dispatch
import EmberServer
import EmberStore
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardOutput(label: label)
    handler.logLevel = .info
    return handler
}
let logger = Logger(label: "ember-server")

func readFile(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else {
        throw ServerConfiguration.Error(description: "can't open config file '\(path)'")
    }
    defer { fclose(file) }
    var contents: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let read = fread(&chunk, 1, chunk.count, file)
        if read <= 0 { break }
        contents.append(contentsOf: chunk[0..<read])
    }
    return String(decoding: contents, as: UTF8.self)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--version" || arguments.first == "-v" {
    print("Ember server v=\(EmberVersion.ember) (Redis \(EmberVersion.redisVersion) compatible)")
    exit(0)
}

let configuration: ServerConfiguration
do {
    configuration = try ServerConfiguration.parse(arguments: arguments, readFile: readFile)
} catch {
    // As redis-server: on stderr, then exit 1.
    let text = Array("\n*** FATAL CONFIG FILE ERROR (Ember \(EmberVersion.ember), Redis \(EmberVersion.redisVersion) compatible) ***\n\(error)\n".utf8)
    _ = text.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(1)
}

let server = EmberServer(configuration: configuration, logger: logger)
let log = server.logSink
log.log(.notice, "oO0OoO0OoO0Oo Ember is starting oO0OoO0OoO0Oo")
log.log(.notice, "Ember version=\(EmberVersion.ember) (Redis \(EmberVersion.redisVersion) compatible), bits=64, pid=\(getpid()), just started")
// Redis's banner names the port and the PID; tools (Redis's own test suite among them) read
// the PID from it. Shown when asked for or on a terminal, as Redis.
if configuration.alwaysShowLogo || (configuration.logFile.isEmpty && isatty(STDOUT_FILENO) != 0) {
    for line in [
        "Ember \(EmberVersion.ember) (Redis \(EmberVersion.redisVersion) compatible) 64 bit",
        "Running in standalone mode",
        "Port: \(configuration.port)",
        "PID: \(getpid())",
    ] {
        log.log(.notice, "    " + line)
    }
}
if configuration.configFile == nil {
    log.log(.warning, "Warning: no config file specified, using the default config. In order to specify a config file use \(CommandLine.arguments.first ?? "ember-server") /path/to/ember.conf")
} else {
    log.log(.notice, "Configuration loaded")
}
do {
    let addresses = try server.start()
    log.log(.verbose, "Listening on \(addresses.map { "\($0)" }.joined(separator: ", "))")
} catch {
    // A file that cannot be loaded is named by its own message, as Redis logs it.
    log.log(.warning, error is PersistenceIOError ? "\(error)" : "Could not start: \(error)")
    exit(1)
}

// Graceful shutdown on SIGTERM and SIGINT: stop accepting, close connections, exit 0.
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let signalQueue = DispatchQueue(label: "ember.signals")
let signalSources = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
    let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
    // The handler runs on the signal queue, not the main actor that top-level code belongs
    // to: it must not inherit that isolation (Swift 6 traps on the wrong executor).
    let (server, log) = (server, log)
    source.setEventHandler { @Sendable in
        let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
        log.log(.warning, "Received \(name) scheduling shutdown...")
        server.shutdownOnSignal(name)
    }
    source.resume()
    return source
}

do {
    try server.waitUntilClosed()
} catch {
    log.log(.warning, "Shutdown error: \(error)")
}
log.log(.warning, "Ember is now ready to exit, bye bye...")
exit(0)
