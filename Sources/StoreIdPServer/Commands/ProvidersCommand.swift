import ConsoleKit
import Foundation
import SignOn
import StoreIdPCore
import Vapor
import Yams

/// `storeidp providers apply|list|show|remove|preview`.
struct ProvidersCommand: AsyncCommandGroup {
    var help: String { "Register and inspect service providers." }
    var commands: [String: any AnyAsyncCommand] {
        ["apply": ProvidersApplyCommand(), "list": ProvidersListCommand(), "show": ProvidersShowCommand(),
         "remove": ProvidersRemoveCommand(), "preview": ProvidersPreviewCommand()]
    }
}

struct ProvidersApplyCommand: StoreIdPCommand {
    var help: String { "Create or update the service providers a YAML file lists." }
    var usage: String {
        """
        Usage: storeidp providers apply FILE.yml
        Creates or updates every provider and storefront the file lists (format: README, "Service providers").
        The whole file is validated before anything is written; applying the same file again changes nothing.
        Providers not in the file are left alone (remove them with `providers remove SLUG`).
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: [])
        guard parsed.positionals.count == 1 else { throw CommandArguments.UsageError(description: "name one providers file") }
        let app = context.application
        let providers: [ServiceProvider]
        let storefronts: [Storefront]
        do {
            (providers, storefronts) = try ProvidersFileLoader.loadAll(path: parsed.positionals[0], environment: app.storeIdP.environment)
        } catch let error as ProviderValidationError {
            context.console.error("error: \(error.description)")
            throw CommandFailure(message: error.description)
        }
        let now = app.storeIdP.timeSource.now
        let administration = ProviderAdministration(database: app.db, now: now, actor: "cli")
        let outcomes: [(String, ProviderDirectory.ApplyOutcome)]
        do {
            outcomes = try await administration.apply(providers)
        } catch let error as ProviderValidationError {
            context.console.error("error: \(error.description)")
            throw CommandFailure(message: error.description)
        }
        for (slug, outcome) in outcomes {
            context.console.output("\(outcome.rawValue) \(slug)".consoleText())
        }
        let audit = AuditLog(database: app.db)
        if !storefronts.isEmpty {
            try await StorefrontDirectory(database: app.db).apply(storefronts, now: now)
            for storefront in storefronts {
                try await audit.record(.storefrontApplied, at: now, detail: "storefront \(storefront.issuer.prefix(200))")
                context.console.output("applied storefront \(storefront.issuer)".consoleText())
            }
        }
    }
}

/// Reads and validates a providers file.
enum ProvidersFileLoader {
    static func load(path: String) throws -> [ServiceProvider] {
        try loadAll(path: path, environment: ProcessInfo.processInfo.environment).providers
    }

    /// The providers and the storefronts of a file, all validated.
    static func loadAll(path: String, environment: [String: String]) throws -> (providers: [ServiceProvider], storefronts: [Storefront]) {
        let url = URL(fileURLWithPath: path)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let size = (attributes[.size] as? NSNumber)?.intValue else {
            throw ProviderValidationError(path, "cannot read the file")
        }
        guard size <= ServiceProviderRegistration.maximumFileBytes else { throw ProviderValidationError(path, "larger than 1 MiB") }
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw ProviderValidationError(path, "not a UTF-8 text file")
        }
        let file: ProvidersFile
        do {
            // Deeply nested flow collections overflow the YAML parser's stack; refused first.
            try ProvidersFileNesting.check(text, path: path)
            file = try YAMLDecoder().decode(ProvidersFile.self, from: text)
        } catch let error as DecodingError {
            throw ProviderValidationError(path, describe(error))
        } catch {
            throw ProviderValidationError(path, "not valid YAML: \(error)")
        }
        let base = url.deletingLastPathComponent()
        let registration = ServiceProviderRegistration(baseDirectory: base, environment: environment, readMetadata: SAMLMetadataImport.reader)
        return (try registration.providers(from: file), try StorefrontRegistration(baseDirectory: base, environment: environment).storefronts(from: file))
    }

    static func describe(_ error: DecodingError) -> String {
        func location(_ path: [any CodingKey]) -> String {
            path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
                .replacingOccurrences(of: ".[", with: "[").trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case let .keyNotFound(key, context):
            return "\(location(context.codingPath + [key])): missing"
        case let .typeMismatch(type, context):
            return "\(location(context.codingPath)): expected \(type)"
        case let .valueNotFound(type, context):
            return "\(location(context.codingPath)): expected \(type), found nothing"
        case let .dataCorrupted(context):
            return "\(location(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

struct ProvidersListCommand: StoreIdPCommand {
    var help: String { "List registered service providers." }
    var usage: String { "Usage: storeidp providers list\nOne line each: slug, protocol, name, entity ID or audience." }

    func run(arguments: [String], context: CommandContext) async throws {
        _ = try CommandArguments(arguments, options: [])
        for provider in try await ProviderDirectory(database: context.application.db).all() {
            context.console.output("\(provider.slug)\t\(provider.protocolKind.rawValue)\t\(provider.name)\t\(provider.saml?.entityID ?? provider.audience ?? "")".consoleText())
        }
    }
}

struct ProvidersShowCommand: StoreIdPCommand {
    var help: String { "Show one service provider's registration as JSON." }
    var usage: String { "Usage: storeidp providers show SLUG" }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: [])
        guard parsed.positionals.count == 1 else { throw CommandArguments.UsageError(description: "name one provider slug") }
        guard let provider = try await ProviderDirectory(database: context.application.db).find(slug: parsed.positionals[0]) else {
            throw notFound(parsed.positionals[0], context)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        context.console.output(String(decoding: try encoder.encode(provider), as: UTF8.self).consoleText())
    }
}

struct ProvidersRemoveCommand: StoreIdPCommand {
    var help: String { "Remove a service provider." }
    var usage: String { "Usage: storeidp providers remove SLUG" }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: [])
        guard parsed.positionals.count == 1 else { throw CommandArguments.UsageError(description: "name one provider slug") }
        let app = context.application
        do {
            try await ProviderAdministration(database: app.db, now: app.storeIdP.timeSource.now, actor: "cli").remove(slug: parsed.positionals[0])
        } catch ProviderAdministration.Failure.missing {
            throw notFound(parsed.positionals[0], context)
        }
        context.console.output("removed \(parsed.positionals[0])".consoleText())
    }
}

struct ProvidersPreviewCommand: StoreIdPCommand {
    var help: String { "Print the exact payload a customer would send a service provider." }
    var usage: String {
        """
        Usage: storeidp providers preview SLUG --customer EMAIL
        Prints, as JSON, whether the access policy lets the customer in (and which rule decided), the
        subject (SAML NameID, JWT or OIDC sub) and every attribute with its values and NameFormat. For
        an OIDC client also the ID token's claims and the userinfo answer for every scope.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: ["customer"])
        guard parsed.positionals.count == 1 else { throw CommandArguments.UsageError(description: "name one provider slug") }
        let app = context.application
        guard let provider = try await ProviderDirectory(database: app.db).find(slug: parsed.positionals[0]) else {
            throw notFound(parsed.positionals[0], context)
        }
        let email = try parsed.required("customer")
        let directory = CustomerDirectory(database: app.db, hasher: app.storeIdP.hasher, threadPool: app.threadPool)
        guard let customer = try await directory.find(email: email) else {
            context.console.error("error: no customer with email \(email.displaySafePrefix)")
            throw CommandFailure(message: "no such customer")
        }
        let preview = try PayloadPreview(customer: customer, provider: provider, factory: PayloadFactory(keys: app.storeIdP.keyRing),
                                         now: app.storeIdP.timeSource.now, issuer: app.storeIdP.settings.issuer)
        context.console.output(try preview.json().consoleText())
    }
}

private func notFound(_ slug: String, _ context: CommandContext) -> CommandFailure {
    context.console.error("error: no service provider '\(slug.displaySafePrefix)'")
    return CommandFailure(message: "no such provider")
}
