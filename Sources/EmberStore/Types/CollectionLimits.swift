/// The `*-max-listpack-*` / `*-max-intset-*` thresholds, as CONFIG sets them.
public struct CollectionLimits: Sendable {
    public var hashMaxListpackEntries = 512
    public var hashMaxListpackValue = 64
    public var setMaxIntsetEntries = 512
    public var zsetMaxListpackEntries = 128
    public var zsetMaxListpackValue = 64
    /// Quicklist node size (`list-max-listpack-size`) and compression depth; DEBUG OBJECT reports
    /// lists' nodes by them.
    public var listMaxListpackSize = -2
    public var listCompressDepth = 0
    public init() {}
}
