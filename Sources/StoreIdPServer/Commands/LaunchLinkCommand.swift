import ConsoleKit
import Foundation
import JWTKit
import JWTSSO
import StoreIdPCore
import Vapor

/// `storeidp launch-link SLUG --customer EMAIL`: a one-time launch URL, minted exactly as a
/// storefront backend would (HS256 with `STOREIDP_LAUNCH_SECRET`, 60 seconds).
struct LaunchLinkCommand: StoreIdPCommand {
    var help: String { "Print a one-time launch URL for a customer, as a storefront backend would mint it." }
    var usage: String {
        """
        Usage: storeidp launch-link SLUG --customer EMAIL [--issuer NAME]
        Prints STOREIDP_BASE_URL/launch/SLUG?token=… signed with STOREIDP_LAUNCH_SECRET, valid for 60 seconds
        and usable once. The customer's names, phone, group, segments and company go into the token.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: ["customer", "issuer"])
        guard parsed.positionals.count == 1 else { throw CommandArguments.UsageError(description: "name one provider slug") }
        let app = context.application
        let services = app.storeIdP
        guard let secret = services.settings.launchSecret, let storefront = services.settings.launchStorefront else {
            context.console.error("error: STOREIDP_LAUNCH_SECRET and STOREIDP_LAUNCH_ISSUER are not set")
            throw CommandFailure(message: "no launch secret")
        }
        let slug = parsed.positionals[0]
        guard try await ProviderDirectory(database: app.db).find(slug: slug) != nil else {
            context.console.error("error: no service provider '\(slug.displaySafePrefix)'")
            throw CommandFailure(message: "no such provider")
        }
        let email = try parsed.required("customer")
        let directory = CustomerDirectory(database: app.db, hasher: services.hasher, threadPool: app.threadPool)
        guard let customer = try await directory.find(email: email) else {
            context.console.error("error: no customer with email \(email.displaySafePrefix)")
            throw CommandFailure(message: "no such customer")
        }
        let token = try await LaunchTokenMinter(secret: Data(secret.utf8)).mint(
            customer: customer, issuer: parsed.value("issuer") ?? storefront.issuer, audience: services.settings.issuer,
            now: services.timeSource.now)
        context.console.output("\(services.settings.issuer)/launch/\(slug)?token=\(token)".consoleText())
    }
}

/// Mints launch tokens (the storefront side of `LaunchToken`), for the CLI and for tests.
struct LaunchTokenMinter {
    let secret: Data
    static let lifetime = 60

    func mint(customer: Customer, issuer: String, audience: String, now: Date) async throws -> String {
        var claims = ClaimSet([
            ("iss", .string(issuer)), ("aud", .string(audience)),
            ("sub", .string(customer.storefrontID ?? customer.id.uuidString.lowercased())),
            ("email", .string(customer.email.value)),
        ])
        if let first = customer.firstName { claims.set("given_name", .string(first)) }
        if let last = customer.lastName { claims.set("family_name", .string(last)) }
        if let phone = customer.phone { claims.set("phone_number", .string(phone)) }
        if let group = customer.group { claims.set("group", .string(group)) }
        if !customer.segments.isEmpty { claims.set("segments", .strings(customer.segments)) }
        if let company = customer.company.name { claims.set("company", .string(company)) }
        let issuedAt = Int(now.timeIntervalSince1970)
        claims.set("iat", .integer(issuedAt))
        claims.set("exp", .integer(issuedAt + Self.lifetime))
        claims.set("jti", .string(IdentifierGenerator.secret(byteCount: 16)))
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        var header = JWTHeader()
        header.typ = "JWT"
        return try await keys.sign(claims, header: header)
    }
}
