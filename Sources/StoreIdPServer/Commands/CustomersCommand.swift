import ConsoleKit
import Foundation
import StoreIdPCore
import Vapor

/// `storeidp customers add|import`.
struct CustomersCommand: AsyncCommandGroup {
    var help: String { "Add or import store customers." }
    var commands: [String: any AnyAsyncCommand] {
        ["add": CustomersAddCommand(), "import": CustomersImportCommand()]
    }
}

/// `storeidp customers add --email E --password P [--first-name F] …`
struct CustomersAddCommand: StoreIdPCommand {
    var help: String { "Create a customer, or update the one with that email." }
    var usage: String {
        """
        Usage: storeidp customers add --email EMAIL [--password PASSWORD] [--first-name F] [--last-name L]
                                      [--phone N] [--group G] [--segment S]… [--company NAME] [--company-vat V]
                                      [--company-role R] [--storefront-id ID] [--status active|disabled]
                                      [--attribute key=value]…
        Creates the customer, or updates the one with that email (emails compare case-insensitively).
        The password is stored as a bcrypt hash.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: [
            "email", "password", "first-name", "last-name", "phone", "group", "segment", "company",
            "company-vat", "company-role", "storefront-id", "status", "attribute",
        ])
        guard parsed.positionals.isEmpty else { throw CommandArguments.UsageError(description: "unexpected argument '\(parsed.positionals[0])'") }
        var profile = CustomerProfile(email: try parsed.required("email"))
        if let password = parsed.value("password") { profile.password = .plain(password) }
        profile.firstName = parsed.value("first-name")
        profile.lastName = parsed.value("last-name")
        profile.phone = parsed.value("phone")
        profile.group = parsed.value("group")
        if !parsed.values("segment").isEmpty { profile.segments = parsed.values("segment") }
        profile.companyName = parsed.value("company")
        profile.companyVAT = parsed.value("company-vat")
        profile.companyRole = parsed.value("company-role")
        profile.storefrontID = parsed.value("storefront-id")
        if let status = parsed.value("status") {
            guard let value = Customer.Status(rawValue: status) else { throw CommandArguments.UsageError(description: "--status is active or disabled") }
            profile.status = value
        }
        for pair in parsed.values("attribute") {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CommandArguments.UsageError(description: "--attribute takes key=value, not '\(pair.displaySafePrefix)'")
            }
            profile.attributes[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        let app = context.application
        let directory = CustomerDirectory(database: app.db, hasher: app.storeIdP.hasher, threadPool: app.threadPool)
        do {
            let (customer, outcome) = try await directory.save(profile, now: app.storeIdP.timeSource.now)
            context.console.output("\(outcome) customer \(customer.email) (\(customer.id.uuidString))".consoleText())
        } catch let error as CustomerValidationError {
            context.console.error("error: \(error.description)")
            throw CommandFailure(message: error.description)
        }
    }
}
