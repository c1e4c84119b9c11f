#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the descriptors of connected sockets by their addresses, for the `fd=` field of
/// CLIENT LIST: SwiftNIO does not expose a channel's descriptor, so the process's open sockets
/// are matched by local and peer address (`ip:port`, as the client's fields are written).
enum SocketDescriptors {
    /// Open descriptors of this process whose (local, peer) address pair is in `wanted`.
    static func find(_ wanted: Set<AddressPair>) -> [AddressPair: Int32] {
        var found: [AddressPair: Int32] = [:]
        guard let directory = opendir("/proc/self/fd") else { return found }
        defer { closedir(directory) }
        while found.count < wanted.count, let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let descriptor = Int32(name),
                  let local = address(of: descriptor, peer: false),
                  let peer = address(of: descriptor, peer: true)
            else { continue }
            let pair = AddressPair(local: local, peer: peer)
            if wanted.contains(pair) { found[pair] = descriptor }
        }
        return found
    }

    struct AddressPair: Hashable {
        let local: String
        let peer: String
    }

    /// `ip:port` of a TCP socket's local or peer end; nil for anything else.
    private static func address(of descriptor: Int32, peer: Bool) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                peer ? getpeername(descriptor, address, &length) : getsockname(descriptor, address, &length)
            }
        }
        guard result == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var ip = address.pointee.sin_addr
                    guard inet_ntop(AF_INET, &ip, &text, socklen_t(text.count)) != nil else { return nil }
                    return "\(String(cString: text)):\(UInt16(bigEndian: address.pointee.sin_port))"
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var ip = address.pointee.sin6_addr
                    guard inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count)) != nil else { return nil }
                    return "\(String(cString: text)):\(UInt16(bigEndian: address.pointee.sin6_port))"
                }
            }
        default:
            return nil
        }
    }
}
