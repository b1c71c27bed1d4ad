import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// Fetches a service provider's SAML metadata from the URL an admin gives, without letting that
/// URL reach inside the network StoreIdP runs in (OWASP SSRF Prevention Cheat Sheet): https only;
/// every address the host resolves to must be public (no loopback, private, link-local, CGNAT,
/// unique-local or multicast range) unless the deployment allows private addresses; no redirect
/// is followed; the body is capped and the whole fetch has a deadline. The connection resolves
/// the name again: a name that changes its answer within those seconds (DNS rebinding) is not
/// covered here; an egress firewall is the complete answer.
struct MetadataFetcher {
    static let maximumBytes = 1 << 20
    static let timeout: TimeAmount = .seconds(5)

    struct Refusal: Error, Equatable, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// `STOREIDP_ADMIN_ALLOW_PRIVATE_METADATA=1`: private addresses allowed (a test network).
    let allowPrivateAddresses: Bool

    init(allowPrivateAddresses: Bool) {
        self.allowPrivateAddresses = allowPrivateAddresses
    }

    /// The fetcher the deployment allows (`STOREIDP_ADMIN_ALLOW_PRIVATE_METADATA`).
    init(environment: [String: String]) {
        self.init(allowPrivateAddresses: environment["STOREIDP_ADMIN_ALLOW_PRIVATE_METADATA"] == "1")
    }

    func fetch(_ text: String) async throws -> Data {
        guard text.utf8.count <= 2048, let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil else {
            throw Refusal(reason: "'\(text.displaySafePrefix)' is not an absolute URL")
        }
        guard scheme == "https" || (allowPrivateAddresses && scheme == "http") else { throw Refusal(reason: "the metadata URL must use https") }
        guard let vetted = url.url?.absoluteString else { throw Refusal(reason: "'\(text.displaySafePrefix)' is not an absolute URL") }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = try await Self.resolve(bareHost, port: port)
        guard !addresses.isEmpty else { throw Refusal(reason: "'\(host.displaySafePrefix)' does not resolve") }
        if !allowPrivateAddresses, let inside = addresses.first(where: { !Self.isPublic($0) }) {
            throw Refusal(reason: "'\(host.displaySafePrefix)' resolves to \(inside), which is not a public address")
        }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: Self.timeout, read: Self.timeout))
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            // The URL as vetted above, not the text: the client parses what was checked.
            var request = HTTPClientRequest(url: vetted)
            request.headers.add(name: "Accept", value: "application/samlmetadata+xml, application/xml, text/xml")
            let response = try await client.execute(request, deadline: .now() + Self.timeout)
            guard response.status == .ok else { throw Refusal(reason: "the metadata URL answered \(response.status.code)") }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > Self.maximumBytes {
                throw Refusal(reason: "the metadata is larger than 1 MiB")
            }
            var body = Data()
            for try await chunk in response.body {
                body.append(contentsOf: chunk.readableBytesView)
                if body.count > Self.maximumBytes { throw Refusal(reason: "the metadata is larger than 1 MiB") }
            }
            try await client.shutdown()
            return body
        } catch let refusal as Refusal {
            try? await client.shutdown()
            throw refusal
        } catch {
            try? await client.shutdown()
            throw Refusal(reason: "the metadata could not be fetched: \(String(describing: error).prefix(200))")
        }
    }

    /// The host's addresses (an IP literal is its own).
    static func resolve(_ host: String, port: Int) async throws -> [String] {
        if isIPv4(host) || host.contains(":") { return [host] }
        return try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                    addresses.append(String(cString: buffer))
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }

    static func isIPv4(_ text: String) -> Bool { ipv4Octets(text) != nil }

    static func ipv4Octets(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { $0.count <= 3 && $0.allSatisfy(\.isNumber) ? UInt8($0) : nil }
        return octets.count == 4 ? octets : nil
    }

    /// Whether an address is on the public internet (RFC 6890 special-purpose ranges refused).
    static func isPublic(_ address: String) -> Bool {
        if let o = ipv4Octets(address) { return isPublicIPv4(o) }
        let lower = address.lowercased()
        guard lower.contains(":") else { return false }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms: judge the IPv4 address.
        if let last = lower.split(separator: ":").last, let o = ipv4Octets(String(last)) { return isPublicIPv4(o) }
        if lower == "::1" || lower == "::" { return false }
        let first = lower.split(separator: ":", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard let head = UInt16(first.isEmpty ? "0" : first, radix: 16) else { return false }
        if head & 0xFE00 == 0xFC00 { return false }   // fc00::/7 unique local
        if head & 0xFFC0 == 0xFE80 { return false }   // fe80::/10 link local
        if head & 0xFF00 == 0xFF00 { return false }   // ff00::/8 multicast
        if head == 0 { return false }                 // ::/16 reserved and embedded forms
        if head == 0x2001 && lower.hasPrefix("2001:db8") { return false }
        // Forms that carry an IPv4 address a gateway reaches (which may be a private one):
        // NAT64 64:ff9b::/96 (RFC 6052), 6to4 2002::/16 (RFC 3056), Teredo 2001::/32 (RFC 4380).
        if lower.hasPrefix("64:ff9b:") || head == 0x2002 || lower.hasPrefix("2001:0:") || lower.hasPrefix("2001::") { return false }
        return true
    }

    static func isPublicIPv4(_ o: [UInt8]) -> Bool {
        switch (o[0], o[1]) {
        case (0, _), (10, _), (127, _): return false
        case (100, 64...127): return false           // CGNAT
        case (169, 254): return false                // link local, cloud metadata
        case (172, 16...31): return false
        case (192, 168): return false
        case (192, 0) where o[2] == 0 || o[2] == 2: return false
        case (198, 18...19): return false
        case (198, 51) where o[2] == 100: return false
        case (203, 0) where o[2] == 113: return false
        case (224...255, _): return false            // multicast, reserved, broadcast
        default: return true
        }
    }
}
