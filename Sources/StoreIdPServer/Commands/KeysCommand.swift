import ConsoleKit
import Foundation
import StoreIdPCore
import Vapor

/// `storeidp keys list|rotate`.
struct KeysCommand: AsyncCommandGroup {
    var help: String { "List or rotate the IdP's signing keys." }
    var commands: [String: any AnyAsyncCommand] {
        ["list": KeysListCommand(), "rotate": KeysRotateCommand()]
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
        A running server picks the change up without a restart.
        """
    }

    func run(arguments: [String], context: CommandContext) async throws {
        _ = try CommandArguments(arguments, options: [])
        let services = context.application.storeIdP
        let ring = try services.keyRing.rotate(now: services.timeSource.now)
        for algorithm in SigningKey.Algorithm.allCases {
            context.console.output("\(algorithm.rawValue): active \(ring.active(algorithm)?.kid ?? "none"), next \(ring.next(algorithm)?.kid ?? "none")".consoleText())
        }
    }
}
