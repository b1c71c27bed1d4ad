#!/usr/bin/env python3
"""Peers for two_nodes.sh: two StoreIdP nodes over one database, seen from a browser, a SAML SP
that only has the IdP metadata of node A, and an authlib relying party.

    two_nodes.py page --base URL --jar FILE PATH
        GET PATH (or an absolute URL) with the cookie jar browser.py keeps; prints {"status",
        "location", "form", "text"}: `text` is the visible text of the page (tags dropped,
        whitespace collapsed), `form` our auto-POST form as browser.py parses it.
    two_nodes.py saml-xmlsec --metadata FILE --saml-response B64 [--out-xml FILE]
        Checks the Response's enveloped signature with the `xmlsec1` program against each signing
        certificate of the metadata (and nothing else: the certificate in KeyInfo is not trusted),
        and that the signature's Reference is the Response itself. Prints {"valid", "error",
        "metadata_cert", "keyinfo_cert_sha256", "metadata_certs_sha256", "issuer", "name_id",
        "name_id_format", "in_response_to", "destination"}; exit 0 only when valid.
        Used where python3-saml cannot be: a response from node B names B's entity ID as Issuer,
        which an SP configured from A's metadata refuses by design.
    two_nodes.py oidc --config FILE
        The authorization code flow across the nodes: code from A, redeemed at B, replayed at A.
        FILE: {"a", "b", "issuer", "customer": {"email", "password"}, "client": {"client_id",
        "secret_env", "redirect_uri"}}. Prints `ok:`/`FAILED:` lines; exit 0 when all passed.

Only the StoreIdP URLs given are contacted.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

NS = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#",
      "samlp": "urn:oasis:names:tc:SAML:2.0:protocol", "saml": "urn:oasis:names:tc:SAML:2.0:assertion"}


# ---------------------------------------------------------------------------------------- page
class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html):
    p = _Text()
    p.feed(html or "")
    return " ".join(" ".join(p.parts).split())


def cmd_page(a):
    import requests
    from browser import Browser, parse_post_form

    b = Browser(a.base, a.jar)
    try:
        r = b.get(a.path)
    except requests.RequestException as e:
        print(f"two_nodes.py: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    html = "html" in r.headers.get("content-type", "")
    try:
        form = parse_post_form(r.text) if html else None
    except ValueError as e:
        form = {"error": str(e)}
    print(json.dumps({"status": r.status_code, "url": r.url, "location": r.headers.get("location"), "form": form,
                      "text": visible_text(r.text) if html else r.text[:2000]}, indent=1))
    return 0


# ---------------------------------------------------------------------------------------- saml-xmlsec
def b64_der(text):
    return "".join(text.split())


def sha256_of(der_b64):
    return hashlib.sha256(base64.b64decode(der_b64)).hexdigest()


def metadata_signing_certs(path):
    root = ET.parse(path).getroot()
    certs = []
    for kd in root.iter(f"{{{NS['md']}}}KeyDescriptor"):
        if kd.get("use") not in (None, "signing"):
            continue
        for c in kd.iter(f"{{{NS['ds']}}}X509Certificate"):
            der = b64_der(c.text or "")
            if der and der not in certs:
                certs.append(der)
    return certs


def cmd_saml_xmlsec(a):
    out = {"valid": False, "error": None, "metadata_cert": None, "keyinfo_cert_sha256": None,
           "metadata_certs_sha256": [], "issuer": None, "name_id": None, "name_id_format": None,
           "in_response_to": None, "destination": None}

    def done(ok):
        print(json.dumps(out, indent=1))
        return 0 if ok else 1

    xmlsec1 = shutil.which("xmlsec1")
    if not xmlsec1:
        print("two_nodes.py: the xmlsec1 program is not on PATH", file=sys.stderr)
        return 2
    try:
        raw = base64.b64decode(a.saml_response, validate=True)
        root = ET.fromstring(raw)
    except Exception as e:  # noqa: BLE001
        out["error"] = f"SAMLResponse is not base64 XML: {type(e).__name__}: {e}"
        return done(False)
    if a.out_xml:
        with open(a.out_xml, "wb") as f:
            f.write(raw)
    if root.tag != f"{{{NS['samlp']}}}Response":
        out["error"] = f"root element is {root.tag}, not samlp:Response"
        return done(False)
    issuer = root.find("saml:Issuer", NS)
    name_id = root.find("saml:Assertion/saml:Subject/saml:NameID", NS)
    out.update(issuer=issuer.text if issuer is not None else None,
               name_id=name_id.text if name_id is not None else None,
               name_id_format=name_id.get("Format") if name_id is not None else None,
               in_response_to=root.get("InResponseTo"), destination=root.get("Destination"))
    sigs = root.findall("ds:Signature", NS)
    if len(sigs) != 1:
        out["error"] = f"{len(sigs)} ds:Signature children of the Response (wanted exactly one)"
        return done(False)
    refs = sigs[0].findall("ds:SignedInfo/ds:Reference", NS)
    if [r.get("URI") for r in refs] != ["#" + (root.get("ID") or "")]:
        out["error"] = f"the signature references {[r.get('URI') for r in refs]}, not the Response #{root.get('ID')}"
        return done(False)
    ki = sigs[0].find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    if ki is not None:
        out["keyinfo_cert_sha256"] = sha256_of(b64_der(ki.text or ""))
    try:
        certs = metadata_signing_certs(a.metadata)
    except Exception as e:  # noqa: BLE001
        out["error"] = f"metadata {a.metadata} does not parse: {e}"
        return done(False)
    out["metadata_certs_sha256"] = [sha256_of(c) for c in certs]
    if not certs:
        out["error"] = "no signing X509Certificate in the metadata"
        return done(False)
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        doc = os.path.join(tmp, "response.xml")
        with open(doc, "wb") as f:
            f.write(raw)
        for i, der in enumerate(certs):
            pem = os.path.join(tmp, f"cert{i}.pem")
            with open(pem, "w") as f:
                f.write("-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(der, 64)) + "\n-----END CERTIFICATE-----\n")
            p = subprocess.run([xmlsec1, "--verify", "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
                                "--pubkey-cert-pem", pem, doc], capture_output=True, text=True, timeout=30)
            if p.returncode == 0:
                out.update(valid=True, metadata_cert=sha256_of(der))
                return done(True)
            errors.append(f"cert {i} ({sha256_of(der)[:16]}…): " + " ".join(p.stderr.split())[-200:])
    out["error"] = "xmlsec1 verified the signature with none of the metadata's certificates: " + " | ".join(errors)
    return done(False)


# ---------------------------------------------------------------------------------------- oidc
def cmd_oidc(a):
    import requests
    from oidc_client import RP, Report, Stop, TokenError, describe_response, drive, query_of, token_response_problems
    from browser import Browser

    with open(a.config) as f:
        cfg = json.load(f)
    node_a, node_b, issuer = cfg["a"].rstrip("/"), cfg["b"].rstrip("/"), cfg["issuer"].rstrip("/")
    rp_cfg = {"base": node_a, "customer": cfg["customer"], "clients": {"rp": cfg["client"]}}
    rep = Report("oidc")
    scope = "openid email"
    try:
        rp = RP(rp_cfg, "rp", rep, scope=scope)  # discovery from node A
        meta_b = requests.get(f"{node_b}/.well-known/openid-configuration", timeout=10).json()
        rep.problems("discovery on A and on B: the same issuer (the one public URL both nodes are given) and endpoints", [
            p for p in [
                rp.issuer != issuer and f"A's issuer {rp.issuer!r}, wanted {issuer!r}",
                meta_b.get("issuer") != issuer and f"B's issuer {meta_b.get('issuer')!r}, wanted {issuer!r}",
                meta_b.get("token_endpoint") != rp.meta.get("token_endpoint") and "token endpoints differ",
            ] if p], {"A": rp.meta, "B": meta_b})
        token_a, token_b = f"{node_a}/oidc/token", f"{node_b}/oidc/token"  # each node's own port, directly

        browser = Browser(node_a)
        oauth = rp.session("client_secret_basic")
        verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
        url, state = rp.authorization_url(oauth, verifier=verifier, nonce=nonce)
        url = node_a + url[len(issuer):] if url.startswith(issuer) else url  # A's authorize endpoint, on A's port
        location, code, _ = rp.login_for_code(browser, url, state, "code from A's /oidc/authorize after A's login page (state, iss)",
                                              expect_login=1)

        before = len(rp.exchanges)
        try:
            token = oauth.fetch_token(token_b, authorization_response=location, state=state, code_verifier=verifier)
        except Exception as e:  # noqa: BLE001
            r = rp.exchanges[-1] if len(rp.exchanges) > before else None
            rep.require("A's code redeemed at B's /oidc/token → 200", False,
                        describe_response(r) if r is not None else f"{type(e).__name__}: {e}")
        raw = rp.exchanges[-1]
        rep.problems("A's code redeemed at B's /oidc/token (client_secret_basic, code_verifier) → 200 with tokens",
                     token_response_problems(raw, token, scope), raw.text[:600])
        claims = rp.verify_id_token("authlib verifies B's ID token against A's JWKS (kid, iss, aud, nonce, at_hash)",
                                    token["id_token"], nonce, token["access_token"])
        rep.check("B's ID token is for the customer (sub and email)",
                  claims.get("email") == cfg["customer"]["email"] and claims.get("sub") == cfg["customer"]["email"], dict(claims))
        for name, node in (("A", node_a), ("B", node_b)):
            r = rp.userinfo(token["access_token"], url=f"{node}/oidc/userinfo")
            rep.check(f"the access token B issued works at {name}'s userinfo",
                      r.status_code == 200 and r.json().get("sub") == claims.get("sub"), describe_response(r))

        r = requests.post(token_a, data={"grant_type": "authorization_code", "code": code, "redirect_uri": rp.redirect_uri,
                                         "code_verifier": verifier},
                          auth=(rp.client_id, rp.secret), headers={"Accept": "application/json"}, timeout=10)
        body = r.json() if "json" in r.headers.get("content-type", "") else {}
        rep.check("the same code again, now at A's /oidc/token → 400 invalid_grant",
                  r.status_code == 400 and body.get("error") == "invalid_grant", describe_response(r))
        for name, node in (("B", node_b), ("A", node_a)):
            r = rp.userinfo(token["access_token"], url=f"{node}/oidc/userinfo")
            www = r.headers.get("www-authenticate", "")
            rep.check(f"… and the access token from the first redemption (at B) is now refused at {name}'s userinfo (401 invalid_token)",
                      r.status_code == 401 and 'error="invalid_token"' in www, describe_response(r))
    except Stop:
        pass
    except Exception:  # noqa: BLE001
        import traceback
        rep.check("the scenario ran to its end", False, traceback.format_exc())
    return 0 if rep.failed == 0 and rep.passed > 0 else 1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("page")
    s.add_argument("--base", required=True)
    s.add_argument("--jar", required=True)
    s.add_argument("path")
    s = sub.add_parser("saml-xmlsec")
    s.add_argument("--metadata", required=True)
    s.add_argument("--saml-response", required=True)
    s.add_argument("--out-xml")
    s = sub.add_parser("oidc")
    s.add_argument("--config", required=True)
    a = p.parse_args(argv)
    return {"page": cmd_page, "saml-xmlsec": cmd_saml_xmlsec, "oidc": cmd_oidc}[a.command](a)


if __name__ == "__main__":
    sys.exit(main())
