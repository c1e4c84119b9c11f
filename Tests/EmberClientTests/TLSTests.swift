import EmberClient
import Foundation
import NIOSSL
import XCTest

/// TLS against Debian's redis-server with `--tls-port`: certificates made for the test by the
/// openssl command (a private CA, a server certificate for 127.0.0.1 and localhost, a client
/// certificate).
final class TLSTests: XCTestCase {
    private var server: ServerProcess?
    private var directory: String!
    private var tlsPort = 0

    override func setUp() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            throw XCTSkip("openssl is not installed")
        }
        directory = NSTemporaryDirectory() + "ember-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try makeCertificates()
    }

    override func tearDown() async throws {
        server?.kill()
        server = nil
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    private func openssl(_ arguments: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "cd '\(directory!)' && openssl \(arguments) 2>/dev/null"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw XCTSkip("openssl \(arguments) failed") }
    }

    private func makeCertificates() throws {
        try openssl("req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=ember-test-ca")
        // The server's certificate names localhost only (no IP entry), so that name checks bite.
        for (name, alternativeNames) in [("server", "DNS:localhost"), ("client", "DNS:ember-client")] {
            try openssl("req -newkey rsa:2048 -nodes -keyout \(name).key -out \(name).csr -subj /CN=\(name)")
            _ = FileManager.default.createFile(
                atPath: directory + "/\(name).ext",
                contents: Data("subjectAltName=\(alternativeNames)\n".utf8))
            try openssl("x509 -req -in \(name).csr -CA ca.crt -CAkey ca.key -CAcreateserial -out \(name).crt -days 2 -extfile \(name).ext")
        }
    }

    private func startServer(authClients: Bool) async throws {
        tlsPort = try ServerProcess.freePort()
        server = try await ServerProcess.start(.redis, arguments: [
            "--tls-port", String(tlsPort),
            "--tls-cert-file", directory + "/server.crt",
            "--tls-key-file", directory + "/server.key",
            "--tls-ca-cert-file", directory + "/ca.crt",
            "--tls-auth-clients", authClients ? "yes" : "no",
        ])
    }

    /// A TLS configuration for the test server at 127.0.0.1, verified as `localhost`.
    private func configuration(trustingTestCA: Bool = true, serverName: String? = "localhost") throws -> RedisConnectionConfiguration {
        var configuration = try RedisConnectionConfiguration(url: "rediss://127.0.0.1:\(tlsPort)")
        configuration.tlsServerName = serverName
        configuration.connectTimeout = .seconds(5)
        if trustingTestCA {
            configuration.tls!.trustRoots = .file(directory + "/ca.crt")
        }
        return configuration
    }

    func testCommandsOverTLS() async throws {
        try await startServer(authClients: false)
        do {
            let connection = try await RedisConnection.connect(configuration: try configuration())
            try await connection.set("over", to: "tls")
            try await assertEqual(await connection.get("over", as: String.self), "tls")
            // Automatic pipelining works the same through the TLS handler.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask { _ = try await connection.incr("tls-counter:\(index % 3)") }
                }
                try await group.waitForAll()
            }
            let large = Bytes([UInt8](repeating: 97, count: 300_000))
            try await connection.set("large", to: large)
            try await assertEqual(await connection.get("large"), large)
            try await connection.close()
        }
        let pool = RedisConnectionPool(configuration: try configuration(), maximumConnections: 2, healthCheckInterval: nil)
        try await assertEqual(await pool.get("over", as: String.self), "tls")
        // Pub/sub over TLS, with the subscriber's own connection.
        let subscriber = RedisSubscriber(configuration: try configuration())
        let news = try await subscriber.subscribe(to: ["news"])
        try await assertEqual(await pool.publish("news", "sealed"), 1)
        let message = try await withTimeLimit(.seconds(5)) {
            var iterator = news.makeAsyncIterator()
            return try await iterator.next()
        }
        XCTAssertEqual(message?.payload, "sealed")
        try await subscriber.close()
        try await pool.close()
    }

    func testUntrustedCertificateIsRefused() async throws {
        try await startServer(authClients: false)
        do {
            _ = try await RedisConnection.connect(configuration: try configuration(trustingTestCA: false))
            XCTFail("trusted a certificate from an unknown CA")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .connectFailed)
            XCTAssert(error.message.contains("handshake") || error.message.contains("certificate"), error.message)
        }
    }

    func testNameMismatchIsRefused() async throws {
        try await startServer(authClients: false)
        // Neither another name nor the bare IP address (absent from the certificate) passes.
        for serverName in ["redis.example.com", nil] {
            do {
                _ = try await RedisConnection.connect(configuration: try configuration(serverName: serverName))
                XCTFail("accepted a certificate for another name (\(serverName ?? "no name"))")
            } catch let error as RedisClientError {
                XCTAssertEqual(error.code, .connectFailed)
                XCTAssert(error.message.contains("Hostname") || error.message.contains("hostname"), error.message)
            }
        }
    }

    func testMutualTLS() async throws {
        try await startServer(authClients: true)
        do {
            _ = try await RedisConnection.connect(configuration: try configuration())
            XCTFail("the server accepted a client without a certificate")
        } catch let error as RedisClientError {
            XCTAssertEqual(error.code, .connectFailed)
        }
        var configuration = try configuration()
        configuration.tls!.certificateChain = try NIOSSLCertificate.fromPEMFile(directory + "/client.crt").map { .certificate($0) }
        configuration.tls!.privateKey = .privateKey(try NIOSSLPrivateKey(file: directory + "/client.key", format: .pem))
        let connection = try await RedisConnection.connect(configuration: configuration)
        try await assertEqual(await connection.ping(), "PONG")
        try await connection.close()
    }
}
