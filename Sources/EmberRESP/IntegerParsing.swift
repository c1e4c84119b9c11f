/// Strict decimal integer parsing with Redis's `string2ll` rules: an optional `-`, no `+`,
/// no spaces, no leading zeros (except "0" itself), and no overflow.
@inlinable
public func parseInt64(_ raw: UnsafeRawBufferPointer) -> Int64? {
    let count = raw.count
    guard count > 0, count <= 20 else { return nil }
    if count == 1 && raw[0] == UInt8(ascii: "0") { return 0 }
    var index = 0
    var negative = false
    if raw[0] == UInt8(ascii: "-") {
        negative = true
        index = 1
        if count == 1 { return nil }
    }
    let first = raw[index]
    guard first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else { return nil }
    var magnitude = UInt64(first &- 48)
    index += 1
    while index < count {
        let byte = raw[index]
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- 48))
        if overflow1 || overflow2 { return nil }
        magnitude = sum
        index += 1
    }
    if negative {
        if magnitude > UInt64(Int64.max) + 1 { return nil }
        return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
    }
    if magnitude > UInt64(Int64.max) { return nil }
    return Int64(magnitude)
}

extension Bytes {
    /// The value as a strict decimal integer (Redis's `string2ll`), or nil.
    @inlinable
    public var int64Value: Int64? { withUnsafeBytes { parseInt64($0) } }
}
