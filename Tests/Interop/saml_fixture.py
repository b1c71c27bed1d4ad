#!/usr/bin/env python3
"""Test material for the SAML verifiers: plays a throwaway IdP so selftest.sh can prove that
saml_sp.py accepts what it should and refuses what it should, before StoreIdP is in the loop.

    saml_fixture.py metadata --entity-id E --sso-url U --slo-url U --cert PEM [--cert PEM2]
    saml_fixture.py response --idp-entity-id E --idp-key K --idp-cert C --sp-entity-id E --acs-url U
        [--sign response|assertion|both|none] [--in-response-to ID] [--encrypt-to SPCERT [--key-transport oaep|oaep11]]
        [--destination URL | --no-destination] [--recipient URL] [--audience A] [--issuer I]
        [--not-before-offset S] [--lifetime S] [--tamper] [--no-attribute-statement]
    saml_fixture.py logout-response --idp-entity-id E --idp-key K --idp-cert C --destination URL
        --in-response-to ID --binding redirect|post [--sign] [--tamper]
    saml_fixture.py check-request --cert SPCERT (--url URL | --form-json JSON)

Signatures are made by the `xmlsec1` program (enveloped, exclusive c14n, RSA-SHA256, SHA-256
digests, KeyInfo with the certificate), the same shape StoreIdP produces; encryption uses the
`xmlsec` Python binding (AES-256-GCM, RSA-OAEP key transport to the SP certificate).
"""

import argparse
import base64
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import uuid
import zlib
from urllib.parse import parse_qs, quote_plus, urlparse

from lxml import etree

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "xenc": "http://www.w3.org/2001/04/xmlenc#",
}
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def q(prefix, local):
    return "{%s}%s" % (NS[prefix], local)


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id():
    return "_" + uuid.uuid4().hex


def cert_b64(path):
    lines = open(path).read().strip().splitlines()
    return "".join(l for l in lines if not l.startswith("-----"))


def signature_template(ref_id):
    sig = etree.Element(q("ds", "Signature"), nsmap={"ds": NS["ds"]})
    si = etree.SubElement(sig, q("ds", "SignedInfo"))
    etree.SubElement(si, q("ds", "CanonicalizationMethod"), Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    etree.SubElement(si, q("ds", "SignatureMethod"), Algorithm=RSA_SHA256)
    ref = etree.SubElement(si, q("ds", "Reference"), URI="#" + ref_id)
    tr = etree.SubElement(ref, q("ds", "Transforms"))
    etree.SubElement(tr, q("ds", "Transform"), Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature")
    etree.SubElement(tr, q("ds", "Transform"), Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    etree.SubElement(ref, q("ds", "DigestMethod"), Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    etree.SubElement(ref, q("ds", "DigestValue"))
    etree.SubElement(sig, q("ds", "SignatureValue"))
    ki = etree.SubElement(sig, q("ds", "KeyInfo"))
    etree.SubElement(ki, q("ds", "X509Data"))
    return sig


def xmlsec1_sign(xml_bytes, key, cert, id_elems):
    """Sign the first ds:Signature template in document order with the xmlsec1 program."""
    with tempfile.TemporaryDirectory() as d:
        src, out = os.path.join(d, "in.xml"), os.path.join(d, "out.xml")
        with open(src, "wb") as f:
            f.write(xml_bytes)
        cmd = ["xmlsec1", "--sign", "--privkey-pem", f"{key},{cert}", "--output", out]
        for ns, local in id_elems:
            cmd += [f"--id-attr:ID", f"{NS[ns]}:{local}"]
        cmd.append(src)
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"xmlsec1 --sign failed: {r.stderr.strip()}")
        return open(out, "rb").read()


def insert_after_issuer(elem, sig):
    issuer = elem.find(q("saml", "Issuer"))
    issuer.addnext(sig)


def encrypt_assertion(response, assertion, sp_cert, key_transport):
    import xmlsec
    enc_data = xmlsec.template.encrypted_data_create(
        response, xmlsec.Transform.AES256_GCM, type=xmlsec.EncryptionType.ELEMENT, ns="xenc")
    xmlsec.template.encrypted_data_ensure_cipher_value(enc_data)
    key_info = xmlsec.template.encrypted_data_ensure_key_info(enc_data, ns="ds")
    transport = xmlsec.Transform.RSA_OAEP
    enc_key = xmlsec.template.add_encrypted_key(key_info, transport)
    if key_transport == "oaep11":  # xmlenc11#rsa-oaep with SHA-256 digest, MGF1-SHA1
        enc_key.find(q("xenc", "EncryptionMethod")).set("Algorithm", "http://www.w3.org/2009/xmlenc11#rsa-oaep")
        etree.SubElement(enc_key.find(q("xenc", "EncryptionMethod")), q("ds", "DigestMethod"),
                         Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    xmlsec.template.encrypted_data_ensure_cipher_value(enc_key)
    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_file(sp_cert, xmlsec.KeyFormat.CERT_PEM, None))
    ctx = xmlsec.EncryptionContext(manager)
    ctx.key = xmlsec.Key.generate(xmlsec.KeyData.AES, 256, xmlsec.KeyDataType.SESSION)
    # Encrypt in place, where the Assertion's own xmlns:saml is not redundant (lxml drops
    # redundant declarations when a node moves), then wrap the EncryptedData.
    enc_data = ctx.encrypt_xml(enc_data, assertion)
    enc_wrapper = etree.Element(q("saml", "EncryptedAssertion"), nsmap={"saml": NS["saml"]})
    enc_data.addprevious(enc_wrapper)
    enc_wrapper.append(enc_data)


def cmd_response(a):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    not_before = now + dt.timedelta(seconds=a.not_before_offset)
    not_after = now + dt.timedelta(seconds=a.lifetime)
    rid, aid = new_id(), new_id()
    issuer = a.issuer or a.idp_entity_id
    resp = etree.Element(q("samlp", "Response"), nsmap={"samlp": NS["samlp"]}, ID=rid, Version="2.0", IssueInstant=ts(now))
    if not a.no_destination:
        resp.set("Destination", a.destination or a.acs_url)
    if a.in_response_to:
        resp.set("InResponseTo", a.in_response_to)
    etree.SubElement(resp, q("saml", "Issuer"), nsmap={"saml": NS["saml"]}).text = issuer
    st = etree.SubElement(resp, q("samlp", "Status"))
    etree.SubElement(st, q("samlp", "StatusCode"), Value="urn:oasis:names:tc:SAML:2.0:status:Success")
    # The Assertion declares its own namespaces: an encrypted Assertion is decrypted out of
    # context by some SPs (pysaml2 parses the plaintext alone), so it must stand alone.
    asr = etree.Element(q("saml", "Assertion"), nsmap={"saml": NS["saml"]},
                        ID=aid, Version="2.0", IssueInstant=ts(now))
    resp.append(asr)
    etree.SubElement(asr, q("saml", "Issuer")).text = issuer
    subj = etree.SubElement(asr, q("saml", "Subject"))
    nid = etree.SubElement(subj, q("saml", "NameID"), Format=a.name_id_format)
    nid.text = a.name_id
    sc = etree.SubElement(subj, q("saml", "SubjectConfirmation"), Method="urn:oasis:names:tc:SAML:2.0:cm:bearer")
    scd = etree.SubElement(sc, q("saml", "SubjectConfirmationData"),
                           NotOnOrAfter=ts(not_after), Recipient=a.recipient or a.acs_url)
    if a.in_response_to:
        scd.set("InResponseTo", a.in_response_to)
    cond = etree.SubElement(asr, q("saml", "Conditions"), NotBefore=ts(not_before), NotOnOrAfter=ts(not_after))
    ar = etree.SubElement(cond, q("saml", "AudienceRestriction"))
    etree.SubElement(ar, q("saml", "Audience")).text = a.audience or a.sp_entity_id
    authn = etree.SubElement(asr, q("saml", "AuthnStatement"), AuthnInstant=ts(now), SessionIndex=new_id())
    ctx = etree.SubElement(authn, q("saml", "AuthnContext"))
    etree.SubElement(ctx, q("saml", "AuthnContextClassRef")).text = \
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    if not a.no_attribute_statement:
        ast = etree.SubElement(asr, q("saml", "AttributeStatement"))
        attrs = {"email": [a.name_id], "firstName": ["Ada"], "lastName": ["Lovelace"], "groups": ["Retail", "VIP"]}
        for name, values in attrs.items():
            at = etree.SubElement(ast, q("saml", "Attribute"), Name=name,
                                  NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic")
            for v in values:
                av = etree.SubElement(at, q("saml", "AttributeValue"),
                                      nsmap={"xs": "http://www.w3.org/2001/XMLSchema",
                                             "xsi": "http://www.w3.org/2001/XMLSchema-instance"})
                av.set("{http://www.w3.org/2001/XMLSchema-instance}type", "xs:string")
                av.text = v

    ids = [("samlp", "Response"), ("saml", "Assertion")]
    if a.sign in ("assertion", "both"):
        insert_after_issuer(asr, signature_template(aid))
        resp = etree.fromstring(xmlsec1_sign(etree.tostring(resp), a.idp_key, a.idp_cert, ids))
    if a.encrypt_to:
        encrypt_assertion(resp, resp.find(q("saml", "Assertion")), a.encrypt_to, a.key_transport)
    if a.sign in ("response", "both"):
        insert_after_issuer(resp, signature_template(rid))
        resp = etree.fromstring(xmlsec1_sign(etree.tostring(resp), a.idp_key, a.idp_cert, ids))
    xml = etree.tostring(resp, xml_declaration=True, encoding="UTF-8")
    if a.tamper:  # change signed content after signing
        xml = xml.replace(b"Lovelace", b"Byron") if b"Lovelace" in xml else xml.replace(b"Success", b"Succes5")
    if a.xml_out:
        open(a.xml_out, "wb").write(xml)
    print(base64.b64encode(xml).decode())


def cmd_metadata(a):
    md = etree.Element(q("md", "EntityDescriptor"), nsmap={"md": NS["md"], "ds": NS["ds"]}, entityID=a.entity_id)
    idp = etree.SubElement(md, q("md", "IDPSSODescriptor"), WantAuthnRequestsSigned="false",
                           protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol")
    for c in a.cert:
        kd = etree.SubElement(idp, q("md", "KeyDescriptor"), use="signing")
        ki = etree.SubElement(kd, q("ds", "KeyInfo"))
        etree.SubElement(etree.SubElement(ki, q("ds", "X509Data")), q("ds", "X509Certificate")).text = cert_b64(c)
    for b in ("HTTP-Redirect", "HTTP-POST"):
        etree.SubElement(idp, q("md", "SingleLogoutService"),
                         Binding=f"urn:oasis:names:tc:SAML:2.0:bindings:{b}", Location=a.slo_url)
    etree.SubElement(idp, q("md", "NameIDFormat")).text = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    for b in ("HTTP-Redirect", "HTTP-POST"):
        etree.SubElement(idp, q("md", "SingleSignOnService"),
                         Binding=f"urn:oasis:names:tc:SAML:2.0:bindings:{b}", Location=a.sso_url)
    sys.stdout.write(etree.tostring(md, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode())


def rsa_sha256_sign(key_path, data):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), password=None)
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def cmd_logout_response(a):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    rid = new_id()
    lr = etree.Element(q("samlp", "LogoutResponse"), nsmap={"samlp": NS["samlp"], "saml": NS["saml"]},
                       ID=rid, Version="2.0", IssueInstant=ts(now), Destination=a.destination,
                       InResponseTo=a.in_response_to)
    etree.SubElement(lr, q("saml", "Issuer")).text = a.idp_entity_id
    st = etree.SubElement(lr, q("samlp", "Status"))
    etree.SubElement(st, q("samlp", "StatusCode"), Value="urn:oasis:names:tc:SAML:2.0:status:Success")
    if a.binding == "post":
        if a.sign:
            insert_after_issuer(lr, signature_template(rid))
            lr = etree.fromstring(xmlsec1_sign(etree.tostring(lr), a.idp_key, a.idp_cert,
                                               [("samlp", "LogoutResponse")]))
        xml = etree.tostring(lr)
        if a.tamper:
            xml = xml.replace(a.in_response_to.encode(), b"_other")
        print(base64.b64encode(xml).decode())
        return
    xml = etree.tostring(lr)
    deflated = zlib.compress(xml)[2:-4]  # raw DEFLATE (saml-bindings §3.4.4.1)
    query = "SAMLResponse=" + quote_plus(base64.b64encode(deflated).decode()) + "&RelayState=" + quote_plus("rs-1")
    if a.sign:
        query += "&SigAlg=" + quote_plus(RSA_SHA256)
        sig = rsa_sha256_sign(a.idp_key, query.encode())
        query += "&Signature=" + quote_plus(base64.b64encode(sig).decode())
    if a.tamper:
        query = query.replace("RelayState=rs-1", "RelayState=rs-2")
    print(a.destination + "?" + query)


def cmd_check_request(a):
    """Decode a request made by saml_sp.py and check its signature with the SP certificate,
    the way StoreIdP must: redirect binding over the raw query, POST binding with xmlsec1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    out = {"signed": False, "signature_valid": None}
    if a.url:
        raw = urlparse(a.url).query
        params = {k: v[0] for k, v in parse_qs(raw).items()}
        msg = params.get("SAMLRequest")
        xml = zlib.decompress(base64.b64decode(msg), -15)
        if "Signature" in params:
            out["signed"] = True
            parts = dict(p.split("=", 1) for p in raw.split("&"))
            signed = "&".join(f"{k}={parts[k]}" for k in ("SAMLRequest", "RelayState", "SigAlg") if k in parts)
            pub = x509.load_pem_x509_certificate(open(a.cert, "rb").read()).public_key()
            try:
                pub.verify(base64.b64decode(params["Signature"]), signed.encode(), padding.PKCS1v15(), hashes.SHA256())
                out["signature_valid"] = params.get("SigAlg") == RSA_SHA256
            except Exception:
                out["signature_valid"] = False
        out["relay_state"] = params.get("RelayState")
    else:
        form = json.loads(a.form_json)["form"]
        xml = base64.b64decode(form["SAMLRequest"])
        out["relay_state"] = form.get("RelayState")
        root = etree.fromstring(xml)
        if root.find(q("ds", "Signature")) is not None:
            out["signed"] = True
            with tempfile.TemporaryDirectory() as d:
                p = os.path.join(d, "req.xml")
                open(p, "wb").write(xml)
                r = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", a.cert, "--id-attr:ID",
                                    f"{NS['samlp']}:{root.tag.split('}')[1]}", p], capture_output=True, text=True)
                out["signature_valid"] = r.returncode == 0
    root = etree.fromstring(xml)
    out["root"] = root.tag.split("}")[1]
    out["attributes"] = dict(root.attrib)
    out["xml"] = xml.decode()
    out["valid"] = bool(not out["signed"] or out["signature_valid"])
    out["error"] = None if out["valid"] else "signature does not verify with " + a.cert
    print(json.dumps(out, indent=2))
    sys.exit(0 if out["valid"] else 1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("metadata")
    m.add_argument("--entity-id", required=True)
    m.add_argument("--sso-url", required=True)
    m.add_argument("--slo-url", required=True)
    m.add_argument("--cert", action="append", required=True)
    m.set_defaults(func=cmd_metadata)

    r = sub.add_parser("response")
    for k in ("--idp-entity-id", "--idp-key", "--idp-cert", "--sp-entity-id", "--acs-url"):
        r.add_argument(k, required=True)
    r.add_argument("--sign", choices=("response", "assertion", "both", "none"), default="response")
    r.add_argument("--in-response-to")
    r.add_argument("--encrypt-to", metavar="SPCERT")
    r.add_argument("--key-transport", choices=("oaep", "oaep11"), default="oaep")
    r.add_argument("--destination")
    r.add_argument("--no-destination", action="store_true")
    r.add_argument("--recipient")
    r.add_argument("--audience")
    r.add_argument("--issuer")
    r.add_argument("--name-id", default="ada@example.com")
    r.add_argument("--name-id-format", default="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    r.add_argument("--not-before-offset", type=int, default=0)
    r.add_argument("--lifetime", type=int, default=300)
    r.add_argument("--tamper", action="store_true")
    r.add_argument("--no-attribute-statement", action="store_true")
    r.add_argument("--xml-out")
    r.set_defaults(func=cmd_response)

    lo = sub.add_parser("logout-response")
    for k in ("--idp-entity-id", "--idp-key", "--idp-cert", "--destination", "--in-response-to"):
        lo.add_argument(k, required=True)
    lo.add_argument("--binding", choices=("redirect", "post"), required=True)
    lo.add_argument("--sign", action="store_true")
    lo.add_argument("--tamper", action="store_true")
    lo.set_defaults(func=cmd_logout_response)

    c = sub.add_parser("check-request")
    c.add_argument("--cert", required=True)
    c.add_argument("--url")
    c.add_argument("--form-json")
    c.set_defaults(func=cmd_check_request)

    a = p.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
