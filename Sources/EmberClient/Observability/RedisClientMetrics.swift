import Metrics
import NIOCore

/// The client's swift-metrics instruments, created once per connection or pool (creating one
/// asks the bootstrapped factory; recording is then a direct call). Without a bootstrapped
/// `MetricsSystem` they are no-ops.
///
/// Every instrument carries the `server.address` dimension (`host:port` or the socket path).
///
/// | label | kind | what |
/// | --- | --- | --- |
/// | `redis_client_commands_total` | counter | commands sent |
/// | `redis_client_command_errors_total` | counter | commands answered with an error or failed |
/// | `redis_client_command_duration` | timer | from send to reply, per command or pipeline |
/// | `redis_client_connections_opened_total` | counter | connections a pool opened |
/// | `redis_client_connect_failures_total` | counter | connection attempts that failed |
/// | `redis_client_reconnects_total` | counter | connections opened after failed attempts |
/// | `redis_client_pool_waits_total` | counter | waits for a dedicated connection |
/// | `redis_client_health_check_failures_total` | counter | connections closed by a failed PING |
struct RedisClientMetrics: Sendable {
    /// False when the factory is the no-op one: the connection then skips reading the clock
    /// and recording, which would cost a few percent of its throughput for nothing.
    let enabled: Bool
    let commands: Counter
    let commandErrors: Counter
    let commandDuration: Timer
    let connectionsOpened: Counter
    let connectFailures: Counter
    let reconnects: Counter
    let poolWaits: Counter
    let healthCheckFailures: Counter

    init(configuration: RedisConnectionConfiguration) {
        self.init(server: configuration.endpoint.description)
    }

    init(server: String) {
        enabled = !(MetricsSystem.factory is NOOPMetricsHandler)
        let dimensions = [("server.address", server)]
        commands = Counter(label: "redis_client_commands_total", dimensions: dimensions)
        commandErrors = Counter(label: "redis_client_command_errors_total", dimensions: dimensions)
        commandDuration = Timer(label: "redis_client_command_duration", dimensions: dimensions)
        connectionsOpened = Counter(label: "redis_client_connections_opened_total", dimensions: dimensions)
        connectFailures = Counter(label: "redis_client_connect_failures_total", dimensions: dimensions)
        reconnects = Counter(label: "redis_client_reconnects_total", dimensions: dimensions)
        poolWaits = Counter(label: "redis_client_pool_waits_total", dimensions: dimensions)
        healthCheckFailures = Counter(label: "redis_client_health_check_failures_total", dimensions: dimensions)
    }
}
