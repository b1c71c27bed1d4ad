import Crypto
import _CryptoExtras
import Foundation
import X509

/// A private key and its self-signed certificate, both PEM, made in process for one test run
/// (no keys are committed and no `openssl` is needed to make them).
public struct TestKeyPair: Sendable {
    public enum Kind: Sendable {
        case rsa2048
        case p256
    }

    public let keyPEM: String
    public let certificatePEM: String

    /// Like `openssl req -x509 -newkey … -nodes -days 2 -subj /CN=commonName`: a PKCS#8 private
    /// key and a v3 certificate valid from an hour ago for two days.
    public static func generate(_ kind: Kind, commonName: String) throws -> TestKeyPair {
        let publicKey: Certificate.PublicKey
        let issuerKey: Certificate.PrivateKey
        let algorithm: Certificate.SignatureAlgorithm
        let keyPEM: String
        switch kind {
        case .rsa2048:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            publicKey = Certificate.PublicKey(key.publicKey)
            issuerKey = Certificate.PrivateKey(key)
            algorithm = .sha256WithRSAEncryption
            keyPEM = key.pkcs8PEMRepresentation
        case .p256:
            let key = P256.Signing.PrivateKey()
            publicKey = Certificate.PublicKey(key.publicKey)
            issuerKey = Certificate.PrivateKey(key)
            algorithm = .ecdsaWithSHA256
            keyPEM = key.pemRepresentation
        }
        let name = try DistinguishedName { CommonName(commonName) }
        var serial = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in serial.indices { serial[index] = generator.next() }
        serial[0] &= 0x7F
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(2 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: algorithm, extensions: Certificate.Extensions(),
            issuerPrivateKey: issuerKey)
        return TestKeyPair(keyPEM: keyPEM, certificatePEM: try certificate.serializeAsPEM().pemString)
    }

    /// Writes the key and certificate as `keyFile` and `certificateFile` in `directory` (mode 0600
    /// for the key), for tools such as `xmlsec1` that read files.
    public func write(to directory: URL, keyFile: String, certificateFile: String) throws {
        let keyURL = directory.appendingPathComponent(keyFile)
        try Data(keyPEM.utf8).write(to: keyURL)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyURL.path)
        try Data(certificatePEM.utf8).write(to: directory.appendingPathComponent(certificateFile))
    }
}

/// A temporary folder for one test run's files, removed when the process exits.
public enum TestDirectory {
    private static let created = CreatedDirectories()

    public static func make(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        created.add(url)
        return url
    }

    private final class CreatedDirectories: @unchecked Sendable {
        private let lock = NSLock()
        private var urls: [URL] = []
        private var registered = false

        func add(_ url: URL) {
            lock.lock()
            defer { lock.unlock() }
            urls.append(url)
            if !registered {
                registered = true
                atexit { TestDirectory.created.removeAll() }
            }
        }

        func removeAll() {
            lock.lock()
            defer { lock.unlock() }
            for url in urls { try? FileManager.default.removeItem(at: url) }
        }
    }
}
