// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ember",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "EmberRESP", targets: ["EmberRESP"]),
        .library(name: "EmberStore", targets: ["EmberStore"]),
        .library(name: "EmberServer", targets: ["EmberServer"]),
        .library(name: "EmberClient", targets: ["EmberClient"]),
        .executable(name: "ember-server", targets: ["ember-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
    ],
    targets: [
        .target(
            name: "EmberRESP",
            dependencies: ["CEmberSystem", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // System facts Swift's Glibc module does not import: mallinfo2, the time-stamp counter, snprintf of a double.
        .target(name: "CEmberSystem"),
        .target(
            name: "EmberStore",
            dependencies: [
                "EmberRESP", "CEmberSystem",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                // `encryption-key-file`: AES-256-GCM for RDB and AOF files at rest.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "EmberServer",
            dependencies: [
                "EmberRESP", "EmberStore", "CEmberSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The async client: one protocol over the in-process engine, a connection and a pool.
        .target(
            name: "EmberClient",
            dependencies: [
                "EmberRESP", "EmberStore",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // Client calls run on their caller's executor instead of hopping to the global one
            // at every nonisolated async function: no executor switch per command.
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        // Load generator for bench/client (the client against redis-benchmark).
        .executableTarget(
            name: "ember-client-bench",
            dependencies: [
                "EmberClient", "EmberRESP", "EmberStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        .executableTarget(
            name: "ember-server",
            dependencies: ["EmberServer", .product(name: "Logging", package: "swift-log")]
        ),
        // libFuzzer targets (Sources/Fuzz, tests/fuzz/README.md): built and run by scripts/fuzz with
        // -sanitize=fuzzer,address -parse-as-library -D EMBER_FUZZ; a plain build makes stubs.
        .target(name: "FuzzSupport", path: "Sources/Fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzRESPRequest", dependencies: ["FuzzSupport", "EmberRESP", .product(name: "NIOCore", package: "swift-nio")],
                          path: "Sources/Fuzz/FuzzRESPRequest"),
        .executableTarget(name: "FuzzRDBLoad", dependencies: ["FuzzSupport", "EmberStore", "EmberRESP"], path: "Sources/Fuzz/FuzzRDBLoad"),
        .executableTarget(name: "FuzzDumpPayload", dependencies: ["FuzzSupport", "EmberStore", "EmberRESP"], path: "Sources/Fuzz/FuzzDumpPayload"),
        .executableTarget(name: "FuzzAOFManifest", dependencies: ["FuzzSupport", "EmberStore"], path: "Sources/Fuzz/FuzzAOFManifest"),
        .executableTarget(name: "FuzzEncryptedFile", dependencies: ["FuzzSupport", "EmberStore"], path: "Sources/Fuzz/FuzzEncryptedFile"),
        // @testable import EmberStore (Engine.replayAOFCommands): fuzz builds are debug builds.
        .executableTarget(name: "FuzzAOFReplay", dependencies: ["FuzzSupport", "EmberStore", "EmberRESP"], path: "Sources/Fuzz/FuzzAOFReplay"),
        .testTarget(name: "EmberRESPTests", dependencies: ["EmberRESP", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "EmberStoreTests", dependencies: ["EmberStore", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "EmberClientTests",
            dependencies: [
                "EmberClient", "EmberRESP", "EmberStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
    ]
)
