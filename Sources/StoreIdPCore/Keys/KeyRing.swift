import Foundation

/// The IdP's signing keys and the rules of rotation. A value: the store that persists it is
/// `KeyRingStore`.
public struct KeyRing: Sendable, Hashable {
    /// How long a retired key stays published. Partners that cache metadata or JWKS for up to a
    /// day, and tokens that live minutes, are both well inside it.
    public static let retiredGracePeriod: TimeInterval = 14 * 24 * 3600

    public private(set) var keys: [SigningKey]

    public init(keys: [SigningKey]) {
        self.keys = keys.sorted { $0.state != $1.state ? $0.state < $1.state : $0.createdAt > $1.createdAt }
    }

    /// The RSA key that signs now (SAML signs with RSA).
    public var active: SigningKey? { active(.rs256) }
    public var next: SigningKey? { next(.rs256) }

    /// The key of that algorithm that signs now.
    public func active(_ algorithm: SigningKey.Algorithm) -> SigningKey? {
        keys.first { $0.state == .active && $0.algorithm == algorithm }
    }

    public func next(_ algorithm: SigningKey.Algorithm) -> SigningKey? {
        keys.first { $0.state == .next && $0.algorithm == algorithm }
    }

    /// Every key partners should accept: not expired, and not retired for longer than the grace
    /// period. Metadata and JWKS publish exactly these.
    public func published(at now: Date) -> [SigningKey] {
        keys.filter { key in
            guard key.notAfter > now else { return false }
            if key.state == .retired, let retiredAt = key.retiredAt {
                return now.timeIntervalSince(retiredAt) < Self.retiredGracePeriod
            }
            return true
        }
    }

    public func key(kid: String) -> SigningKey? { keys.first { $0.kid == kid } }

    /// One rotation step of `freshNext`'s algorithm: the active key retires, the `next` key (or
    /// `replacement`, when there is no `next` key) becomes active, and `freshNext` becomes the new
    /// `next` key. Keys of other algorithms are untouched.
    public func rotated(freshNext: SigningKey, replacement: SigningKey?, at now: Date) -> KeyRing {
        let algorithm = freshNext.algorithm
        var keys = self.keys.map { key -> SigningKey in
            var key = key
            guard key.algorithm == algorithm else { return key }
            if key.state == .active {
                key.state = .retired
                key.retiredAt = now
            } else if key.state == .next {
                key.state = .active
                key.activatedAt = now
            }
            return key
        }
        if self.next(algorithm) == nil, var replacement {
            replacement.state = .active
            replacement.activatedAt = now
            keys.append(replacement)
        }
        var upcoming = freshNext
        upcoming.state = .next
        keys.append(upcoming)
        return KeyRing(keys: keys)
    }

    /// Keys for one rotation of every algorithm, made ahead (RSA key generation takes a while):
    /// per algorithm a fresh `next` key, and a spare that becomes active only on a ring without
    /// a `next` key (a first rotation).
    public static func rotationKeys(factory: SigningKeyFactory, now: Date) throws -> [(fresh: SigningKey, spare: SigningKey)] {
        try SigningKey.Algorithm.allCases.map { algorithm in
            (fresh: try factory.makeKey(algorithm: algorithm, state: .next, now: now),
             spare: try factory.makeKey(algorithm: algorithm, state: .active, now: now))
        }
    }

    /// One rotation of every algorithm (`rotated`) with keys from `rotationKeys`; also returns
    /// the keys it added (the fresh ones, and a spare where it was used).
    public func rotatedAll(with keys: [(fresh: SigningKey, spare: SigningKey)], at now: Date) -> (ring: KeyRing, added: [SigningKey]) {
        var ring = self
        var added: [SigningKey] = []
        for (fresh, spare) in keys {
            let replacement = ring.next(fresh.algorithm) == nil ? spare : nil
            ring = ring.rotated(freshNext: fresh, replacement: replacement, at: now)
            added += [replacement, fresh].compactMap { $0 }
        }
        return (ring, added)
    }

    /// An active key for every algorithm that has none (a first start); empty when each has one.
    public func missingActiveKeys(factory: SigningKeyFactory, now: Date) throws -> [SigningKey] {
        try SigningKey.Algorithm.allCases.filter { active($0) == nil }.map {
            try factory.makeKey(algorithm: $0, state: .active, now: now)
        }
    }
}
