import Foundation
import XMLSecurity

/// The HTTP-Redirect binding (saml-bindings §3.4): the message is raw-DEFLATEd,
/// base64-encoded and URL-encoded into the query string; a signature, when
/// present, covers `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as sent.
///
/// ```swift
/// let message = try SAMLRedirectBinding.decode(rawQuery: request.url.query ?? "")
/// let url = try SAMLRedirectBinding.encode(xml: logoutRequest, parameter: .request, relayState: nil,
///                                          destination: slo.url, signingKey: key)
/// ```
public enum SAMLRedirectBinding {
    /// Decodes a message from the raw (still percent-encoded) query string.
    ///
    /// Order of checks, cheapest first: parameters (no duplicates), RelayState
    /// length (§3.4.3), encoded size, strict base64, inflate with a cap,
    /// hardened parse. The signature is only extracted here; validators check it.
    public static func decode(
        rawQuery: String,
        expecting parameter: SAMLMessageParameter = .request,
        limits: SAMLMessageLimits = .default
    ) throws(SAMLRequestError) -> SAMLInboundMessage {
        var query = Substring(rawQuery)
        if query.hasPrefix("?") { query = query.dropFirst() }
        var raw: [String: Substring] = [:]
        let known: Set<String> = ["SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature"]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring, value: Substring
            if let eq = pair.firstIndex(of: "=") {
                name = pair[..<eq]; value = pair[pair.index(after: eq)...]
            } else {
                name = pair; value = ""
            }
            let key = String(name)
            guard known.contains(key) else { continue }
            guard raw[key] == nil else { throw .duplicateParameter(key) }
            raw[key] = value
        }
        let other: SAMLMessageParameter = parameter == .request ? .response : .request
        if raw[other.rawValue] != nil && raw[parameter.rawValue] == nil {
            throw .unexpectedMessage(expected: parameter.rawValue, found: other.rawValue)
        }
        guard let rawMessage = raw[parameter.rawValue], !rawMessage.isEmpty else { throw .missingParameter(parameter.rawValue) }

        var relayState: String?
        if let rawRelay = raw["RelayState"] {
            guard let decoded = SAMLEncoding.percentDecode(rawRelay, plusIsSpace: true) else {
                throw .malformedQuery("RelayState is not valid percent-encoded UTF-8")
            }
            try SAMLRelayState.check(decoded)
            relayState = decoded
        }

        if rawMessage.utf8.count > limits.maxEncodedBytes * 3 { throw .messageTooLarge(limit: limits.maxEncodedBytes) }
        guard let base64 = SAMLEncoding.percentDecode(rawMessage, plusIsSpace: false) else {
            throw .malformedBase64(parameter: parameter.rawValue)
        }
        let compressed = try SAMLEncoding.base64Decode(Substring(base64), parameter: parameter.rawValue, limit: limits.maxEncodedBytes)
        let xml: Data
        do {
            xml = try RawDeflate.inflate(compressed, limit: limits.maxInflatedBytes)
        } catch {
            switch error {
            case .limitExceeded(let limit): throw .inflateLimitExceeded(limit: limit)
            case .corrupt(let m): throw .notDeflated(m)
            case .outOfMemory: throw .inflateLimitExceeded(limit: limits.maxInflatedBytes)
            }
        }

        var signature: SAMLRedirectSignature?
        switch (raw["SigAlg"], raw["Signature"]) {
        case (nil, nil):
            break
        case (nil, _?):
            throw .missingParameter("SigAlg")
        case (_?, nil):
            throw .missingParameter("Signature")
        case let (rawAlg?, rawSignature?):
            guard let algorithm = SAMLEncoding.percentDecode(rawAlg, plusIsSpace: false) else {
                throw .malformedQuery("SigAlg is not valid percent-encoding")
            }
            guard let signatureText = SAMLEncoding.percentDecode(rawSignature, plusIsSpace: false) else {
                throw .malformedBase64(parameter: "Signature")
            }
            let bytes = try SAMLEncoding.base64Decode(Substring(signatureText), parameter: "Signature", limit: 16 * 1024)
            // saml-bindings §3.4.4.1: the octets signed, in this order, as they appear in the URL.
            var signed = parameter.rawValue + "=" + rawMessage
            if let rawRelay = raw["RelayState"] { signed += "&RelayState=" + rawRelay }
            signed += "&SigAlg=" + rawAlg
            signature = SAMLRedirectSignature(algorithmURI: algorithm, signature: bytes, signedOctets: Data(signed.utf8))
        }

        let document = try SAMLInboundMessage.parse(xml, limits: limits)
        return SAMLInboundMessage(binding: .httpRedirect, parameter: parameter, document: document,
                                  relayState: relayState, redirectSignature: signature)
    }

    /// Encodes `xml` (which must carry no enveloped signature, §3.4.4.1) into a
    /// redirect URL to `destination`, signing the query when a key is given.
    public static func encode(
        xml: Data,
        parameter: SAMLMessageParameter,
        relayState: String?,
        destination: String,
        signingKey: XMLSigningKey?,
        algorithm: XMLSignatureAlgorithm = .rsaSHA256
    ) throws(SAMLBuildError) -> String {
        if let relayState, relayState.utf8.count > SAMLRelayState.maximumBytes {
            throw .relayStateTooLong(bytes: relayState.utf8.count)
        }
        let compressed: Data
        do { compressed = try RawDeflate.deflate(xml) } catch { throw .deflate(error) }
        var query = parameter.rawValue + "=" + SAMLEncoding.percentEncode(compressed.base64EncodedString())
        if let relayState { query += "&RelayState=" + SAMLEncoding.percentEncode(relayState) }
        if let signingKey {
            query += "&SigAlg=" + SAMLEncoding.percentEncode(algorithm.uri)
            let signature: Data
            do { signature = try XMLSigner.sign(bytes: Data(query.utf8), key: signingKey, algorithm: algorithm) } catch { throw .xml(error) }
            query += "&Signature=" + SAMLEncoding.percentEncode(signature.base64EncodedString())
        }
        return destination + (destination.contains("?") ? "&" : "?") + query
    }

    /// ``encode(xml:parameter:relayState:destination:signingKey:algorithm:)`` as an outbound message.
    public static func message(
        xml: Data, parameter: SAMLMessageParameter, relayState: String?, destination: String,
        signingKey: XMLSigningKey?, algorithm: XMLSignatureAlgorithm = .rsaSHA256
    ) throws(SAMLBuildError) -> SAMLOutboundMessage {
        .redirect(url: try encode(xml: xml, parameter: parameter, relayState: relayState, destination: destination,
                                  signingKey: signingKey, algorithm: algorithm))
    }
}
