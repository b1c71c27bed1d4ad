import Foundation
import JWTSSO
import StoreIdPCore

/// The scopes StoreIdP grants and which claims each releases (OpenID Connect Core 1.0 §5.4).
public enum OpenIDScope {
    public static let openid = "openid"
    /// OpenID Connect Core 1.0 §11: asks for a refresh token.
    public static let offlineAccess = "offline_access"
    public static let supported = ["openid", "profile", "email", "phone", "offline_access"]

    /// OpenID Connect Core 1.0 §5.4: the standard claims each scope asks for. A mapped claim that
    /// is not listed here is released with `profile`.
    static let claimScopes: [String: String] = [
        "name": "profile", "family_name": "profile", "given_name": "profile", "middle_name": "profile", "nickname": "profile",
        "preferred_username": "profile", "profile": "profile", "picture": "profile", "website": "profile", "gender": "profile",
        "birthdate": "profile", "zoneinfo": "profile", "locale": "profile", "updated_at": "profile",
        "email": "email", "email_verified": "email",
        "address": "address",
        "phone_number": "phone", "phone_number_verified": "phone",
    ]

    /// Claims a mapping can never set: the token's own (OpenID Connect Core 1.0 §2; RFC 9068 §2.2).
    public static let reservedClaims: Set<String> = [
        "iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "at_hash", "c_hash", "azp", "acr", "amr", "sid",
        "client_id", "scope", "gid",
    ]

    /// The scope that releases `claim`.
    public static func scope(of claim: String) -> String { claimScopes[claim] ?? "profile" }

    /// What is granted of `requested`: the scopes StoreIdP knows, in the order asked, without
    /// `offline_access` unless the client may have refresh tokens.
    public static func granted(_ requested: [String], refreshTokens: Bool) -> [String] {
        var seen: Set<String> = []
        return requested.filter { scope in
            guard supported.contains(scope), seen.insert(scope).inserted else { return false }
            return scope != offlineAccess || refreshTokens
        }
    }

    /// The payload's claims that `scopes` release (every one, under a layout that releases all).
    public static func releasedClaims(_ payload: ProvisioningPayload, scopes: [String], everyMappedClaim: Bool) -> [(String, ClaimSet.Value)] {
        payload.values.compactMap { value in
            guard !reservedClaims.contains(value.name), everyMappedClaim || scopes.contains(scope(of: value.name)) else { return nil }
            return (value.name, value.values.count == 1 ? .string(value.values[0]) : .strings(value.values))
        }
    }
}
