import Logging

/// Wraps every log handler of the process: values bound to SQL statements (session ids, CSRF
/// tokens, password hashes, replay keys) never reach a log line, at any level. SQLKit and the
/// database drivers log a statement's `binds` as metadata at their query log level; this handler
/// replaces that metadata before the wrapped handler sees it, so even `LOG_LEVEL=trace` logs the
/// SQL text (with `$1` placeholders) and nothing bound to it.
struct SecretRedactingLogHandler: LogHandler {
    /// Metadata keys whose values are never logged.
    static let redactedKeys: Set<String> = ["binds"]

    var wrapped: any LogHandler

    init(_ wrapped: any LogHandler) { self.wrapped = wrapped }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        for key in Self.redactedKeys where event.metadata?[key] != nil { event.metadata?[key] = "[redacted]" }
        wrapped.log(event: event)
    }
}
