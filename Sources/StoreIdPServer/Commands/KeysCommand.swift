import ConsoleKit
import Foundation
import StoreIdPCore
import Vapor

/// `storeidp keys list|rotate|import|export`.
struct KeysCommand: AsyncCommandGroup {
    var help: String { "List, rotate, import or export the IdP's signing keys." }
    var commands: [String: any AnyAsyncCommand] {
        ["list": KeysListCommand(), "rotate": KeysRotateCommand(), "import": KeysImportCommand(), "export": KeysExportCommand()]
    }
}

struct KeysListCommand: StoreIdPCommand {
    var help: String { "Show every signing key: kid, algorithm, state, not-after, published or not." }
    var usage: String {
        """
        Usage: storeidp keys list
        Shows kid, algorithm, state (next, active, retired), the certificate's not-after date and whether
        the key is published in metadata and JWKS.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        _ = try CommandArguments(arguments, options: [])
        let services = context.application.storeIdP
        let ring = try services.keyRing.current()
        let now = services.timeSource.now
        let published = Set(ring.published(at: now).map(\.kid))
        let formatter = ISO8601DateFormatter()
        context.console.output("KID                                          ALG    STATE    NOT AFTER             PUBLISHED".consoleText())
        for key in ring.keys {
            let kid = key.kid.padding(toLength: 44, withPad: " ", startingAt: 0)
            let alg = key.algorithm.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
            let state = key.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            context.console.output("\(kid) \(alg) \(state) \(formatter.string(from: key.notAfter))  \(published.contains(key.kid) ? "yes" : "no")".consoleText())
        }
    }
}

struct KeysRotateCommand: StoreIdPCommand {
    var help: String { "Rotate: next becomes active, active retires, a new next key is made." }
    var usage: String {
        """
        Usage: storeidp keys rotate
        The key marked next becomes active (it has been published since it was made, so partners already
        trust it), the active key retires (still published for 14 days), and a new next key is made.
        A ring without a next key (a first rotation) gets a new active key at once, which partners do not
        know yet: rotate once early, let partners refresh metadata/JWKS, and the next rotation is seamless.
        Every running node signs with the new active key within about a second, with no restart.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        _ = try CommandArguments(arguments, options: [])
        let services = context.application.storeIdP
        let now = services.timeSource.now
        let ring = try await services.keyRing.rotate(now: now, on: context.application.db, audit: AuditLog(database: context.application.db), actor: "cli")
        for algorithm in SigningKey.Algorithm.allCases {
            context.console.output("\(algorithm.rawValue): active \(ring.active(algorithm)?.kid ?? "none"), next \(ring.next(algorithm)?.kid ?? "none")".consoleText())
        }
    }
}

struct KeysImportCommand: StoreIdPCommand {
    var help: String { "Move a key folder (keyring.json, *.key.pem, *.crt.pem, pairwise.secret) into the database." }
    var usage: String {
        """
        Usage: storeidp keys import DIR [--replace-pairwise-secret]
        Reads the key ring kept in DIR by an earlier StoreIdP (keyring.json, <kid>.key.pem, <kid>.crt.pem and
        pairwise.secret) and stores it in the database, private keys encrypted with the key-encryption key.
        Keys already in the database are left alone. Where DIR has an active key of an algorithm, that key
        signs from now on and the database's active and next keys of the algorithm retire (still published
        for 14 days). When DIR's pairwise.secret differs from the database's, the import stops unless
        --replace-pairwise-secret is given: then persistent NameIDs and pairwise subjects derive from DIR's
        secret (what partners of DIR's StoreIdP know), and those issued from the database's change. A folder in STOREIDP_KEYS_DIR is moved in by itself on
        the first start with an empty database. Once the database and the key-encryption key are backed up,
        remove the private key files from DIR.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: [], flags: ["replace-pairwise-secret"])
        guard parsed.positionals.count == 1 else { throw CommandArguments.UsageError(description: "give one folder: storeidp keys import DIR") }
        let folder = KeyRingStore(directory: URL(fileURLWithPath: parsed.positionals[0]), factory: SigningKeyFactory(commonName: "storeidp"))
        guard folder.hasRing else { throw CommandArguments.UsageError(description: "\(folder.directory.path) holds no keyring.json") }
        let services = context.application.storeIdP
        let now = services.timeSource.now
        let report = try await services.keyRing.importRing(try folder.current(), pairwiseSecret: try folder.existingPairwiseSecret(),
                                                         replacePairwiseSecret: parsed.flags.contains("replace-pairwise-secret"),
                                                         now: now, on: context.application.db)
        if !report.imported.isEmpty || report.pairwiseSecretReplaced {
            let detail = "imported \(report.imported.count) key(s), retired \(report.retired.count)"
                + (report.pairwiseSecretReplaced ? ", pairwise secret replaced" : "")
            try await AuditLog(database: context.application.db, buffer: nil).record(.keysImported, at: now, subjectID: "cli", detail: detail)
        }
        context.console.output("imported: \(report.imported.isEmpty ? "none" : report.imported.joined(separator: " "))".consoleText())
        if !report.alreadyPresent.isEmpty {
            context.console.output("already in the database: \(report.alreadyPresent.joined(separator: " "))".consoleText())
        }
        if !report.retired.isEmpty {
            context.console.output("retired (imported keys sign now): \(report.retired.joined(separator: " "))".consoleText())
        }
        if report.pairwiseSecretReplaced {
            context.console.output("pairwise secret: replaced by the folder's; persistent NameIDs and pairwise subjects now derive from it".consoleText())
        }
    }
}

struct KeysExportCommand: StoreIdPCommand {
    var help: String { "Write every key's certificate and a manifest to a folder; never a private key." }
    var usage: String {
        """
        Usage: storeidp keys export DIR
        Writes <kid>.crt.pem (the X.509 certificate partners pin) for every key in the ring and keys.json
        (kid, algorithm, state, not-after, published) into DIR, which is made if needed. Private keys and the
        pairwise secret are never written.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        let parsed = try CommandArguments(arguments, options: [])
        guard parsed.positionals.count == 1 else { throw CommandArguments.UsageError(description: "give one folder: storeidp keys export DIR") }
        let folder = URL(fileURLWithPath: parsed.positionals[0])
        let services = context.application.storeIdP
        let ring = try services.keyRing.current()
        let now = services.timeSource.now
        let published = Set(ring.published(at: now).map(\.kid))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        struct Entry: Encodable {
            let kid: String, algorithm: String, state: String, not_after: String, published: Bool
        }
        let formatter = ISO8601DateFormatter()
        for key in ring.keys {
            try Data(key.certificatePEM.utf8).write(to: folder.appendingPathComponent("\(key.kid).crt.pem"))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let manifest = ring.keys.map {
            Entry(kid: $0.kid, algorithm: $0.algorithm.rawValue, state: $0.state.rawValue, not_after: formatter.string(from: $0.notAfter),
                  published: published.contains($0.kid))
        }
        try encoder.encode(["keys": manifest]).write(to: folder.appendingPathComponent("keys.json"))
        context.console.output("wrote \(ring.keys.count) certificates and keys.json to \(folder.path)".consoleText())
    }
}
