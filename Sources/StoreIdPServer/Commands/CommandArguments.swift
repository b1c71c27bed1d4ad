import ConsoleKit
import Vapor

/// Command-line arguments in `--name value` / `--name=value` form, with repeatable options
/// (`--attribute a=1 --attribute b=2`) and positional arguments. Unknown options are errors, so a
/// typo is reported instead of ignored.
struct CommandArguments {
    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var options: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    init(_ arguments: [String], options known: Set<String>, flags knownFlags: Set<String> = []) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                positionals.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if knownFlags.contains(name), inlineValue == nil {
                flags.insert(name)
                continue
            }
            guard known.contains(name) else { throw UsageError(description: "unknown option --\(name)") }
            if let inlineValue {
                options[name, default: []].append(inlineValue)
            } else {
                guard index < arguments.count else { throw UsageError(description: "--\(name) needs a value") }
                options[name, default: []].append(arguments[index])
                index += 1
            }
        }
    }

    func value(_ name: String) -> String? { options[name]?.last }
    func values(_ name: String) -> [String] { options[name] ?? [] }

    func required(_ name: String) throws -> String {
        guard let value = value(name), !value.isEmpty else { throw UsageError(description: "--\(name) is required") }
        return value
    }
}

/// A command whose arguments `CommandArguments` parses, with its help text written out in full.
protocol StoreIdPCommand: AnyAsyncCommand {
    var usage: String { get }
    func run(arguments: [String], context: CommandContext) async throws
}

extension StoreIdPCommand {
    func run(using context: inout CommandContext) async throws {
        let arguments = context.input.arguments
        if arguments.contains("--help") || arguments.contains("-h") {
            context.console.output(usage.consoleText())
            return
        }
        do {
            try await run(arguments: arguments, context: context)
        } catch let error as CommandArguments.UsageError {
            context.console.error("error: \(error.description)")
            context.console.output(usage.consoleText())
            throw CommandFailure(message: error.description)
        }
    }

    func outputHelp(using context: inout CommandContext) throws {
        context.console.output(usage.consoleText())
    }
}

/// A command that failed after saying why; exits non-zero.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
