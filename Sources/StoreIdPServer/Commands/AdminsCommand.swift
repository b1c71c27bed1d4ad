import ConsoleKit
import Foundation
import StoreIdPCore
import Vapor

/// `storeidp admins add|token`: admin accounts, separate from customers.
struct AdminsCommand: AsyncCommandGroup {
    var help: String { "Manage admin accounts and their API tokens." }
    var commands: [String: any AnyAsyncCommand] { ["add": AdminsAddCommand(), "token": AdminsTokenCommand()] }
}

struct AdminsAddCommand: StoreIdPCommand {
    var help: String { "Create an admin account, or set its password." }
    var usage: String {
        """
        Usage: storeidp admins add --email EMAIL --password PASSWORD
        Admin accounts are not customers: they sign in to the console (/admin) and create API tokens.
        The password (at least 12 characters) is stored as a bcrypt hash.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: ["email", "password"])
        let email = try parsed.required("email")
        let password = try parsed.required("password")
        guard password.count >= 12, password.utf8.count <= 72 else {
            throw CommandArguments.UsageError(description: "the password must be 12 to 72 bytes long")
        }
        let app = context.application
        let hash = try await app.threadPool.runIfActive { try BcryptPasswordHasher().hash(password) }
        let now = app.storeIdP.timeSource.now
        do {
            let (account, created) = try await AdminAccounts(database: app.db).save(email: email, passwordHash: hash, now: now)
            try await AuditLog(database: app.db).record(.adminAccountSaved, at: now, subjectID: "admin:\(account.email)", detail: created ? "created" : "password set")
            context.console.output("\(created ? "created" : "updated") admin \(account.email)".consoleText())
        } catch let error as CustomerValidationError {
            context.console.error("error: \(error.description)")
            throw CommandFailure(message: error.description)
        }
    }
}

struct AdminsTokenCommand: StoreIdPCommand {
    var help: String { "Create an API token for an admin account (shown once)." }
    var usage: String {
        """
        Usage: storeidp admins token --email EMAIL [--name NAME]
        Prints a new token for /admin/api/v1 (Authorization: Bearer TOKEN). Only its digest is stored:
        keep it, it cannot be shown again. Changes made with it are audited under the admin's email.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: ["email", "name"])
        let app = context.application
        let accounts = AdminAccounts(database: app.db)
        guard let account = try await accounts.account(email: try parsed.required("email")) else {
            context.console.error("error: no admin account with that email (storeidp admins add first)")
            throw CommandFailure(message: "no such admin")
        }
        let now = app.storeIdP.timeSource.now
        let token = try await accounts.createToken(for: account, name: parsed.value("name") ?? "cli", now: now)
        try await AuditLog(database: app.db).record(.adminTokenCreated, at: now, subjectID: "admin:\(account.email)", detail: parsed.value("name"))
        context.console.output(token.consoleText())
    }
}
