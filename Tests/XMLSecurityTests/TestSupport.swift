import Foundation
import XCTest
@testable import XMLSecurity

/// Result of running an external command.
struct CommandResult: Sendable {
    var status: Int32
    var output: String
}

/// Runs `command` (looked up on PATH) and captures stdout + stderr.
func runCommand(_ command: String, _ arguments: [String], in directory: URL? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
    if let directory { process.currentDirectoryURL = directory }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

/// Key material generated for this test run with the `openssl` command (no keys are committed).
struct TestMaterial: Sendable {
    let directory: URL
    let rsaKeyPEM: String
    let rsaCertPEM: String
    let otherKeyPEM: String
    let otherCertPEM: String
    let ecKeyPEM: String
    let ecCertPEM: String

    var rsaCertPath: String { directory.appendingPathComponent("c.pem").path }
    var rsaKeyPath: String { directory.appendingPathComponent("k.pem").path }

    static let shared: TestMaterial = {
        do { return try generate() } catch { fatalError("cannot generate test keys with openssl: \(error)") }
    }()

    private static func generate() throws -> TestMaterial {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("xmlsec-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestMaterial.shared.directory) }
        func req(_ key: String, _ cert: String, _ newkey: [String]) throws {
            let r = try runCommand("openssl", ["req", "-x509"] + newkey + ["-nodes", "-keyout", key, "-out", cert,
                                    "-days", "2", "-subj", "/CN=test"], in: dir)
            guard r.status == 0 else { throw NSError(domain: "openssl", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.output]) }
        }
        try req("k.pem", "c.pem", ["-newkey", "rsa:2048"])
        try req("k2.pem", "c2.pem", ["-newkey", "rsa:2048"])
        try req("ek.pem", "ec.pem", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"])
        func read(_ name: String) throws -> String {
            try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        }
        return TestMaterial(directory: dir,
                            rsaKeyPEM: try read("k.pem"), rsaCertPEM: try read("c.pem"),
                            otherKeyPEM: try read("k2.pem"), otherCertPEM: try read("c2.pem"),
                            ecKeyPEM: try read("ek.pem"), ecCertPEM: try read("ec.pem"))
    }

    func signingKey() throws -> XMLSigningKey { try XMLSigningKey(privateKeyPEM: rsaKeyPEM, certificatePEM: rsaCertPEM) }
    func certificate() throws -> XMLCertificate { try XMLCertificate(pem: rsaCertPEM) }
    func otherSigningKey() throws -> XMLSigningKey { try XMLSigningKey(privateKeyPEM: otherKeyPEM, certificatePEM: otherCertPEM) }
    func otherCertificate() throws -> XMLCertificate { try XMLCertificate(pem: otherCertPEM) }
    func ecSigningKey() throws -> XMLSigningKey { try XMLSigningKey(privateKeyPEM: ecKeyPEM, certificatePEM: ecCertPEM) }
    func ecCertificate() throws -> XMLCertificate { try XMLCertificate(pem: ecCertPEM) }
}

enum NS {
    static let protocolNS = "urn:oasis:names:tc:SAML:2.0:protocol"
    static let assertion = "urn:oasis:names:tc:SAML:2.0:assertion"
    static let dsig = "http://www.w3.org/2000/09/xmldsig#"
    static let xenc = "http://www.w3.org/2001/04/xmlenc#"
}

/// A SAML-shaped fixture (spec-vector style, with significant whitespace).
let sampleResponseXML = """
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">
  <saml:Issuer>https://idp.example</saml:Issuer>
  <saml:Assertion ID="_a1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">
    <saml:Issuer>https://idp.example</saml:Issuer>
    <saml:Subject>
      <saml:NameID>alice@example.com</saml:NameID>
    </saml:Subject>
  </saml:Assertion>
</samlp:Response>
"""

/// Asserts that `body` throws an ``XMLSecurityError`` matching `matches`.
func XCTAssertThrowsXMLSecurityError(
    _ body: @autoclosure () throws -> some Any,
    _ description: String,
    file: StaticString = #filePath, line: UInt = #line,
    _ matches: (XMLSecurityError) -> Bool
) {
    do {
        _ = try body()
        XCTFail("expected \(description), but nothing was thrown", file: file, line: line)
    } catch let error as XMLSecurityError {
        XCTAssertTrue(matches(error), "expected \(description), got \(error)", file: file, line: line)
    } catch {
        XCTFail("expected XMLSecurityError (\(description)), got \(error)", file: file, line: line)
    }
}

extension XMLDocument {
    var response: XMLElement { rootElement! }
    var assertion: XMLElement { rootElement!.firstChild(namespace: NS.assertion, localName: "Assertion")! }
}
