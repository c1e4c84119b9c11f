import EmberRESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SORT and SORT_RO (Redis's `sortCommandGeneric`): sort a list, set or sorted set by its
/// elements or by external keys (`BY weight_*`, `BY hash_*->field`), with LIMIT, GET
/// patterns, ALPHA, ASC/DESC, and STORE into a list.
extension Engine {
    func registerSortCommands() {
        register("sort") { $0.engine.sort($0, readOnly: false) }
        register("sort_ro") { $0.engine.sort($0, readOnly: true) }
    }

    /// One element being sorted: its bytes and what it sorts by.
    private struct SortItem {
        var element: Bytes
        var score: Double = 0
        var comparable: Bytes?
    }

    func sort(_ context: CommandContext, readOnly: Bool) -> Reply {
        let args = context.args
        var descending = false, alpha = false, dontSort = false
        var limitStart: Int64 = 0, limitCount: Int64 = -1
        var sortBy: Bytes?, storeKey: Bytes?
        var getPatterns: [Bytes] = []
        var index = 2
        while index < args.count {
            let option = args[index]
            let left = args.count - index - 1
            if option.equalsLowercased("asc") {
                descending = false
            } else if option.equalsLowercased("desc") {
                descending = true
            } else if option.equalsLowercased("alpha") {
                alpha = true
            } else if option.equalsLowercased("limit") && left >= 2 {
                guard let start = args[index + 1].int64Value, let count = args[index + 2].int64Value else { return Errors.notInteger }
                (limitStart, limitCount) = (start, count)
                index += 2
            } else if !readOnly && option.equalsLowercased("store") && left >= 1 {
                storeKey = args[index + 1]
                index += 1
            } else if option.equalsLowercased("by") && left >= 1 {
                sortBy = args[index + 1]
                // A pattern without `*` names no per-element key: keep the stored order.
                dontSort = !Engine.cString(args[index + 1]).contains(UInt8(ascii: "*"))
                index += 1
            } else if option.equalsLowercased("get") && left >= 1 {
                getPatterns.append(args[index + 1])
                index += 1
            } else {
                return Errors.syntax
            }
            index += 1
        }

        var source = Value.list(ListValue())
        if let slot = lookupRead(args[1], context) {
            source = databases[context.db].keys[slot].value.value
            switch source {
            case .list, .set, .zset: break
            default: return Errors.wrongType
            }
        }
        // A set has no order of its own: stored results are sorted so they are reproducible.
        if dontSort, case .set = source, storeKey != nil {
            dontSort = false
            alpha = true
            sortBy = nil
        }
        // Redis converts a compact sorted set for SORT, for good.
        if case .zset(let set) = source { set.convertToScalable() }

        var length: Int
        switch source {
        case .list(let list): length = list.count
        case .set(let set): length = set.count
        case .zset(let set): length = set.count
        default: length = 0
        }
        var start = limitStart < 0 ? 0 : Int(clamping: limitStart)
        var end = limitCount < 0 ? length - 1 : Int(clamping: Int64(start).addingReportingOverflow(limitCount).partialValue &- 1)
        if limitCount >= 0 && Int64(start) > Int64.max - limitCount { end = Int.max }
        if start >= length {
            start = length - 1
            end = length - 2
        }
        if end >= length { end = length - 1 }

        // Load the elements; a list or sorted set kept in its order loads just the LIMIT range.
        var items: [SortItem] = []
        switch source {
        case .list(let list):
            if dontSort {
                if end >= start {
                    for offset in 0...(end - start) {
                        let position = descending ? list.count - start - 1 - offset : start + offset
                        items.append(SortItem(element: list.elements[position]))
                    }
                    end -= start
                    start = 0
                }
            } else {
                items = list.elements.map { SortItem(element: $0) }
            }
        case .set(let set):
            items = set.members.map { SortItem(element: $0) }
        case .zset(let set):
            if dontSort {
                if end >= start {
                    let count = end - start + 1
                    set.forEach(from: descending ? set.count - 1 - start : start, reverse: descending) { entry in
                        items.append(SortItem(element: entry.member))
                        return items.count < count
                    }
                    end -= start
                    start = 0
                }
            } else {
                items = set.entries.map { SortItem(element: $0.member) }
            }
        default: break
        }

        var conversionFailed = false
        if !dontSort {
            for position in items.indices {
                let by: Bytes
                if let sortBy {
                    guard let found = lookupByPattern(sortBy, items[position].element, context) else { continue }
                    by = found
                } else {
                    by = items[position].element
                }
                if alpha {
                    if sortBy != nil { items[position].comparable = by }
                } else if let score = Engine.sortScore(by) {
                    items[position].score = score
                } else {
                    conversionFailed = true
                }
            }
            let byPattern = sortBy != nil
            let storing = storeKey != nil
            // Stable, as glibc's merge-sorting qsort is for ties that compare equal.
            let ordered = items.enumerated().sorted { lhs, rhs in
                var comparison = Engine.sortCompare(lhs.element, rhs.element, alpha: alpha, byPattern: byPattern, storing: storing)
                if descending { comparison = -comparison }
                return comparison != 0 ? comparison < 0 : lhs.offset < rhs.offset
            }
            items = ordered.map(\.element)
        }
        if conversionFailed { return .error("ERR One or more scores can't be converted into double") }

        let selected = end >= start ? items[start...end] : []
        guard let storeKey else {
            var replies: [Reply] = []
            replies.reserveCapacity(selected.count * max(1, getPatterns.count))
            for item in selected {
                if getPatterns.isEmpty { replies.append(.bulk(item.element)) }
                for pattern in getPatterns {
                    replies.append(.bulkOrNull(lookupByPattern(pattern, item.element, context)))
                }
            }
            return .array(replies)
        }
        var stored: [Bytes] = []
        for item in selected {
            if getPatterns.isEmpty { stored.append(item.element) }
            for pattern in getPatterns { stored.append(lookupByPattern(pattern, item.element, context) ?? Bytes()) }
        }
        if stored.isEmpty {
            if let slot = lookupWrite(storeKey, context) { databases[context.db].delete(at: slot) }
        } else {
            databases[context.db].set(storeKey, .list(ListValue(stored)), lru: context.lru)
        }
        return .integer(Int64(stored.count))
    }

    /// Redis's `sortCompare`: numbers by score then bytes; ALPHA by the BY values (missing ones
    /// first) or by the elements.
    private static func sortCompare(_ a: SortItem, _ b: SortItem, alpha: Bool, byPattern: Bool, storing: Bool) -> Int {
        if !alpha {
            if a.score > b.score { return 1 }
            if a.score < b.score { return -1 }
            return compareBytes(a.element, b.element)
        }
        if byPattern {
            switch (a.comparable, b.comparable) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?): return storing ? compareBytes(x, y) : collate(x, y)
            }
        }
        return storing ? compareBytes(a.element, b.element) : collate(a.element, b.element)
    }

    private static func compareBytes(_ a: Bytes, _ b: Bytes) -> Int {
        a == b ? 0 : (a < b ? -1 : 1)
    }

    /// `strcoll` in the C locale, Ember's only one: a byte comparison up to the first NUL.
    private static func collate(_ a: Bytes, _ b: Bytes) -> Int {
        compareBytes(Bytes(cString(a)), Bytes(cString(b)))
    }

    /// The bytes up to the first NUL, as C string functions see them.
    static func cString(_ bytes: Bytes) -> [UInt8] {
        let array = bytes.array
        guard let nul = array.firstIndex(of: 0) else { return array }
        return Array(array[..<nul])
    }

    /// A BY value as a number: `strtod` over the whole text (up to a NUL), no NaN or overflow.
    static func sortScore(_ bytes: Bytes) -> Double? {
        var text = cString(bytes)
        text.append(0)
        return text.withUnsafeBufferPointer { pointer -> Double? in
            let start = UnsafeRawPointer(pointer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtod(start, &end)
            guard let end, end.pointee == 0, errno != ERANGE, !value.isNaN else { return nil }
            return value
        }
    }

    /// Redis's `lookupKeyByPattern`: `#` is the element itself; otherwise the first `*` is
    /// replaced by the element and the key read as a string, or with `->field` as a hash field.
    func lookupByPattern(_ pattern: Bytes, _ element: Bytes, _ context: CommandContext) -> Bytes? {
        let text = Engine.cString(pattern)
        if text == [UInt8(ascii: "#")] { return element }
        let full = pattern.array
        guard let star = text.firstIndex(of: UInt8(ascii: "*")) else { return nil }
        var field: [UInt8]?
        var keyEnd = full.count
        var search = star + 1
        while search + 1 < text.count {
            if text[search] == UInt8(ascii: "-") && text[search + 1] == UInt8(ascii: ">") {
                if search + 2 < text.count {
                    field = Array(full[(search + 2)...])
                    keyEnd = search
                }
                break
            }
            search += 1
        }
        var key = Array(full[..<star])
        key += element.array
        key += full[(star + 1)..<keyEnd]
        guard let slot = lookupRead(Bytes(key), context) else { return nil }
        let value = databases[context.db].keys[slot].value.value
        if let field {
            guard case .hash(let hash) = value else { return nil }
            return hash.value(for: Bytes(field))
        }
        return value.stringBytes
    }
}
