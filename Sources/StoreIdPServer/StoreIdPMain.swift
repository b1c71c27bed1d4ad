import Foundation
import Logging
import StoreIdPCore
import Vapor

/// The `storeidp` executable: parse the environment, configure, run the command.
public enum StoreIdPMain {
    public static func run() async {
        var environment: Environment
        do {
            environment = try Environment.detect()
            try LoggingSystem.bootstrap(from: &environment) { level in
                let console = Terminal()
                return { label in SecretRedactingLogHandler(ConsoleLogger(label: label, console: console, level: level)) }
            }
        } catch {
            FileHandle.standardError.write(Data("storeidp: \(error)\n".utf8))
            exit(2)
        }
        StoreIdPMetrics.bootstrap()
        let app: Application
        do {
            app = try await Application.make(environment)
        } catch {
            FileHandle.standardError.write(Data("storeidp: \(error)\n".utf8))
            exit(1)
        }
        var failed = false
        var drain: TimeInterval = 0
        do {
            let settings = try StoreIdPSettings.fromEnvironment()
            drain = settings.shutdownDrain
            try await configure(app, settings: settings)
            try await app.execute()
        } catch let failure as CommandFailure {
            _ = failure
            failed = true
        } catch {
            app.logger.critical("\(String(reflecting: error))")
            FileHandle.standardError.write(Data("storeidp: \(error)\n".utf8))
            failed = true
        }
        // SIGTERM ends `serve`. First the drain: `/readyz` turns 503 and the node keeps serving
        // for `STOREIDP_SHUTDOWN_DRAIN_MS`, so a load balancer moves away and every connection
        // made before the signal is accepted (closing the listening socket resets the ones still
        // in the kernel's queue). Then stop accepting and let the requests in flight finish
        // (Vapor's quiescing server) before the lifecycle handlers flush the audit batch and the
        // database pools close; shutting the pools first would fail requests still running.
        if app.running != nil, !failed, drain > 0 {
            ShutdownDrain.begin(app)
            app.logger.notice("SIGTERM: draining before the listener closes", metadata: ["milliseconds": .stringConvertible(Int(drain * 1000))])
            try? await Task.sleep(nanoseconds: UInt64(drain * 1_000_000_000))
        }
        await app.server.shutdown()
        try? await app.asyncShutdown()
        exit(failed ? 1 : 0)
    }
}
