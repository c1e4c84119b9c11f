import EmberRESP

extension Bytes {
    /// Up to `length` bytes, as C's `%.*s` copies them into an error message: up to a NUL.
    public func cPrefix(_ length: Int) -> Bytes {
        withUnsafeBytes { raw in
            var end = min(raw.count, max(0, length))
            if let nul = raw[0..<end].firstIndex(of: 0) { end = nul }
            return Bytes(UnsafeRawBufferPointer(rebasing: raw[0..<end]))
        }
    }

    /// The bytes with ASCII letters uppercased.
    public func asciiUppercased() -> Bytes {
        Bytes(array.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
    }

    /// `cPrefix` as text, for messages that are text anyway.
    public func prefix(_ length: Int) -> String {
        withUnsafeBytes { raw in
            var end = min(raw.count, max(0, length))
            if let nul = raw[0..<end].firstIndex(of: 0) { end = nul }
            return String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<end]), as: UTF8.self)
        }
    }
}
