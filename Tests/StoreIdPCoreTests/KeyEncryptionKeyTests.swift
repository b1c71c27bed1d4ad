import Foundation
@testable import StoreIdPCore
import XCTest

final class KeyEncryptionKeyTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("storeidp-kek-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func randomKey() throws -> KeyEncryptionKey {
        var generator = SystemRandomNumberGenerator()
        return try KeyEncryptionKey(bytes: Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    func testSealedValueOpensOnlyWithTheSameKeyAndContext() throws {
        let key = try randomKey()
        let secret = Data("-----BEGIN PRIVATE KEY-----\nsecret\n".utf8)
        let sealed = try key.seal(secret, context: "signing-key a")
        XCTAssertTrue(sealed.hasPrefix("v1."))
        XCTAssertFalse(sealed.contains("PRIVATE"), "the plaintext does not show through")
        XCTAssertNotEqual(sealed, try key.seal(secret, context: "signing-key a"), "a fresh nonce per sealing")
        XCTAssertEqual(try key.open(sealed, context: "signing-key a"), secret)
        XCTAssertThrowsError(try key.open(sealed, context: "signing-key b"), "moved onto another key's row")
        XCTAssertThrowsError(try randomKey().open(sealed, context: "signing-key a"), "another key-encryption key")
        var tampered = Array(sealed)
        let index = tampered.index(tampered.endIndex, offsetBy: -6)
        tampered[index] = tampered[index] == "A" ? "B" : "A"
        XCTAssertThrowsError(try key.open(String(tampered), context: "signing-key a"), "a changed byte fails the GCM tag")
        XCTAssertThrowsError(try key.open("v2." + sealed.dropFirst(3), context: "signing-key a"), "an unknown format")
        XCTAssertThrowsError(try key.open("v1.not base64!", context: "signing-key a"))
    }

    func testLoadReadsBase64AndBase64URL() throws {
        let bytes = Data((0..<32).map { UInt8($0 * 7 & 0xFF) | 0x80 })
        let probe = Data("probe".utf8)
        let reference = try KeyEncryptionKey(bytes: bytes)
        let sealed = try reference.seal(probe, context: "c")
        let forms: [String: Data] = [
            "standard": Data((bytes.base64EncodedString() + "\n").utf8),
            "url-safe": Data(Base64URL.encode(bytes).utf8),
        ]
        for (name, contents) in forms {
            let file = folder.appendingPathComponent(name)
            try contents.write(to: file)
            XCTAssertEqual(try KeyEncryptionKey.load(from: file).open(sealed, context: "c"), probe, name)
        }
    }

    func testLoadRefusesWhatIsNotThirtyTwoBytes() throws {
        let cases: [String: Data] = [
            "short": Data(Data(repeating: 1, count: 16).base64EncodedString().utf8),
            "long": Data(Data(repeating: 1, count: 64).base64EncodedString().utf8),
            "empty": Data(),
            "not base64": Data("this is not base64 at all!!".utf8),
            "huge": Data(repeating: 0x41, count: 4096),
            "32 raw bytes": Data((0..<32).map { UInt8($0 | 0x80) }),
            "32 hex characters": Data(String(repeating: "a1", count: 16).utf8),
            "a 32-character passphrase": Data("correct horse battery staple 123".utf8),
        ]
        for (name, contents) in cases {
            let file = folder.appendingPathComponent(name.replacingOccurrences(of: " ", with: "-"))
            try contents.write(to: file)
            XCTAssertThrowsError(try KeyEncryptionKey.load(from: file), name) { error in
                XCTAssertTrue("\(error)".contains("unusable"), "\(name): \(error)")
            }
        }
        XCTAssertThrowsError(try KeyEncryptionKey.load(from: folder.appendingPathComponent("absent"))) { error in
            XCTAssertTrue("\(error)".contains("cannot read"), "\(error)")
        }
    }

    func testTheSigningKeyContextNamesKidAlgorithmAndCertificate() {
        let base = KeyEncryptionKey.signingKeyContext(kid: "k1", algorithm: "RS256", certificatePEM: "cert A")
        XCTAssertNotEqual(base, KeyEncryptionKey.signingKeyContext(kid: "k2", algorithm: "RS256", certificatePEM: "cert A"))
        XCTAssertNotEqual(base, KeyEncryptionKey.signingKeyContext(kid: "k1", algorithm: "ES256", certificatePEM: "cert A"))
        XCTAssertNotEqual(base, KeyEncryptionKey.signingKeyContext(kid: "k1", algorithm: "RS256", certificatePEM: "cert B"))
    }

    func testLoadOrCreateMakesAPrivateFileOnceAndKeepsIt() throws {
        let file = folder.appendingPathComponent("Keys/key-encryption.key")
        let (first, created) = try KeyEncryptionKey.loadOrCreate(at: file)
        XCTAssertTrue(created)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let sealed = try first.seal(Data("x".utf8), context: "c")
        let (second, createdAgain) = try KeyEncryptionKey.loadOrCreate(at: file)
        XCTAssertFalse(createdAgain)
        XCTAssertEqual(try second.open(sealed, context: "c"), Data("x".utf8), "the same key is read back")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers, ["key-encryption.key"], "no temporary file stays behind")
    }
}
