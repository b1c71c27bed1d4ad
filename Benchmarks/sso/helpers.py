#!/usr/bin/env python3
"""Small helpers for Benchmarks/sso.sh (run with the interop venv: PyJWT + cryptography).

    helpers.py free-port
    helpers.py saml-form HTML OUT.xml               SAMLResponse of an auto-POST form → XML file; prints the form action
    helpers.py certs-from-metadata MD.xml PREFIX   every signing X509Certificate → PREFIX0.pem …; prints the count
    helpers.py authn-requests --base B --issuer I --acs A --count N --out FILE
                                                   N HTTP-Redirect AuthnRequest paths (/saml/sso?SAMLRequest=…), one a line,
                                                   each with its own ID, IssueInstant now (unsigned)
    helpers.py launch-tokens --secret S --iss I --aud A --slug SLUG --sub ID --email E --count N --out FILE
                                                   N launch paths (/launch/SLUG?token=…), each token with its own jti
    helpers.py verify-jwt --token T --alg A (--jwks FILE | --secret S) --audience A --issuer I --email E
    helpers.py wrk-summary WRK.out                 "req/s p50ms p99ms non2xx socket_errors requests wrapped"
"""
import argparse
import base64
import json
import re
import socket
import sys
import textwrap
import time
import uuid
import xml.etree.ElementTree as ET
import zlib
from datetime import datetime, timezone
from html import unescape
from urllib.parse import quote


def free_port(_):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def saml_form(a):
    html = open(a.html, encoding="utf-8").read()
    m = re.search(r'name="SAMLResponse"\s+value="([^"]+)"', html) or re.search(r'value="([^"]+)"\s+name="SAMLResponse"', html)
    if not m:
        sys.exit("no SAMLResponse field in the page")
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    open(a.out, "wb").write(base64.b64decode(unescape(m.group(1))))
    print(unescape(action.group(1)) if action else "")


def certs_from_metadata(a):
    root = ET.parse(a.metadata).getroot()
    certs = []
    for kd in root.iter("{urn:oasis:names:tc:SAML:2.0:metadata}KeyDescriptor"):
        if kd.get("use") not in (None, "signing"):
            continue
        for c in kd.iter("{http://www.w3.org/2000/09/xmldsig#}X509Certificate"):
            b = "".join(c.text.split())
            if b not in certs:
                certs.append(b)
    for i, b in enumerate(certs):
        with open(f"{a.prefix}{i}.pem", "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(b, 64)) + "\n-----END CERTIFICATE-----\n")
    print(len(certs))


def authn_requests(a):
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    dest = a.base.rstrip("/") + "/saml/sso"
    with open(a.out, "w") as out:
        for _ in range(a.count):
            xml = (
                '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
                'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
                f'ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{now}" Destination="{dest}" '
                f'AssertionConsumerServiceURL="{a.acs}" '
                'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">'
                f"<saml:Issuer>{a.issuer}</saml:Issuer></samlp:AuthnRequest>"
            )
            c = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE (saml-bindings §3.4.4.1)
            deflated = c.compress(xml.encode()) + c.flush()
            out.write("/saml/sso?SAMLRequest=" + quote(base64.b64encode(deflated).decode(), safe="") + "\n")


def launch_tokens(a):
    import jwt

    now = int(time.time())
    with open(a.out, "w") as out:
        for _ in range(a.count):
            claims = {"iss": a.iss, "aud": a.aud, "sub": a.sub, "email": a.email,
                      "iat": now, "exp": now + 100, "jti": uuid.uuid4().hex}
            out.write(f"/launch/{quote(a.slug)}?token={jwt.encode(claims, a.secret, algorithm='HS256')}\n")


def verify_jwt(a):
    import jwt

    if a.jwks:
        kid = jwt.get_unverified_header(a.token).get("kid")
        keys = [k for k in json.load(open(a.jwks))["keys"] if k.get("kid") == kid]
        if not keys:
            sys.exit(f"no JWKS key with kid {kid!r}")
        key = jwt.PyJWK(keys[0]).key
    else:
        key = a.secret
    claims = jwt.decode(a.token, key, algorithms=[a.alg], audience=a.audience, issuer=a.issuer,
                        options={"require": ["iss", "aud", "sub", "iat", "exp", "jti"]})
    if a.email and claims.get("email") != a.email and claims.get("sub") != a.email:
        sys.exit(f"token is not for {a.email}: {claims}")
    print(f"{a.alg} ok: sub={claims['sub']} aud={claims['aud']} exp-iat={claims['exp'] - claims['iat']}s")


def wrk_summary(a):
    text = open(a.file).read()

    def ms(v):
        n, unit = re.match(r"([\d.]+)(us|ms|s|m)", v).groups()
        return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    reqs = re.search(r"(\d+) requests in", text)
    wrapped = re.search(r"walk\.lua: wrapped (\d+)", text)
    if not (rps and p50 and p99 and reqs):
        sys.exit("unreadable wrk output")
    print(f"{float(rps.group(1)):.0f} {ms(p50.group(1)):.2f} {ms(p99.group(1)):.2f} "
          f"{non.group(1) if non else 0} {sum(map(int, sock.groups())) if sock else 0} {reqs.group(1)} "
          f"{wrapped.group(1) if wrapped else 0}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("free-port").set_defaults(f=free_port)
    s = sub.add_parser("saml-form"); s.add_argument("html"); s.add_argument("out"); s.set_defaults(f=saml_form)
    s = sub.add_parser("certs-from-metadata"); s.add_argument("metadata"); s.add_argument("prefix")
    s.set_defaults(f=certs_from_metadata)
    s = sub.add_parser("authn-requests")
    for o in ("--base", "--issuer", "--acs", "--out"):
        s.add_argument(o, required=True)
    s.add_argument("--count", type=int, required=True); s.set_defaults(f=authn_requests)
    s = sub.add_parser("launch-tokens")
    for o in ("--secret", "--iss", "--aud", "--slug", "--sub", "--email", "--out"):
        s.add_argument(o, required=True)
    s.add_argument("--count", type=int, required=True); s.set_defaults(f=launch_tokens)
    s = sub.add_parser("verify-jwt")
    for o in ("--token", "--alg", "--audience", "--issuer"):
        s.add_argument(o, required=True)
    s.add_argument("--jwks"); s.add_argument("--secret"); s.add_argument("--email")
    s.set_defaults(f=verify_jwt)
    s = sub.add_parser("wrk-summary"); s.add_argument("file"); s.set_defaults(f=wrk_summary)
    a = p.parse_args()
    a.f(a)


if __name__ == "__main__":
    main()
