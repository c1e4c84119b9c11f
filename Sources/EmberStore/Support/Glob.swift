import EmberRESP

/// Glob-style matching with Redis's `stringmatchlen` rules: `*`, `?`, `[abc]`, `[^a-z]`, and `\`
/// escapes. Recursion on `*` is bounded (as Redis does) so hostile patterns cannot blow the stack.
public func globMatch(_ pattern: Bytes, _ string: Bytes, noCase: Bool = false) -> Bool {
    pattern.withUnsafeBytes { p in
        string.withUnsafeBytes { s in
            var skipLongerMatches = false
            return globMatch(p, 0, s, 0, noCase: noCase, skipLongerMatches: &skipLongerMatches, nesting: 0)
        }
    }
}

private func globMatch(
    _ p: UnsafeRawBufferPointer, _ pStart: Int, _ s: UnsafeRawBufferPointer, _ sStart: Int,
    noCase: Bool, skipLongerMatches: inout Bool, nesting: Int
) -> Bool {
    // Redis gives up on deeply nested stars.
    if nesting > 1000 { return false }
    func lower(_ c: UInt8) -> UInt8 { noCase && c >= 65 && c <= 90 ? c | 0x20 : c }
    var pi = pStart, si = sStart
    while pi < p.count && si < s.count {
        switch p[pi] {
        case UInt8(ascii: "*"):
            while pi + 1 < p.count && p[pi + 1] == UInt8(ascii: "*") { pi += 1 }
            if pi + 1 == p.count { return true }
            while si < s.count {
                if globMatch(p, pi + 1, s, si, noCase: noCase, skipLongerMatches: &skipLongerMatches, nesting: nesting + 1) {
                    return true
                }
                if skipLongerMatches { return false }
                si += 1
            }
            skipLongerMatches = true
            return false
        case UInt8(ascii: "?"):
            si += 1
        case UInt8(ascii: "["):
            pi += 1
            let negate = pi < p.count && p[pi] == UInt8(ascii: "^")
            if negate { pi += 1 }
            var matched = false
            while true {
                if pi < p.count && p[pi] == UInt8(ascii: "\\") && pi + 1 < p.count {
                    pi += 1
                    if p[pi] == s[si] { matched = true }
                } else if pi >= p.count || p[pi] == UInt8(ascii: "]") {
                    break
                } else if pi + 2 < p.count && p[pi + 1] == UInt8(ascii: "-") {
                    var start = lower(p[pi]), end = lower(p[pi + 2])
                    let c = lower(s[si])
                    if start > end { swap(&start, &end) }
                    pi += 2
                    if c >= start && c <= end { matched = true }
                } else if lower(p[pi]) == lower(s[si]) {
                    matched = true
                }
                pi += 1
            }
            // An unterminated class: Redis treats the end of the pattern as the closing bracket.
            if pi >= p.count { pi = p.count - 1 }
            if negate { matched.toggle() }
            if !matched { return false }
            si += 1
        case UInt8(ascii: "\\"):
            if pi + 1 < p.count { pi += 1 }
            if lower(p[pi]) != lower(s[si]) { return false }
            si += 1
        default:
            if lower(p[pi]) != lower(s[si]) { return false }
            si += 1
        }
        pi += 1
        if si == s.count {
            while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
            break
        }
    }
    return pi == p.count && si == s.count
}
