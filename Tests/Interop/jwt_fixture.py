#!/usr/bin/env python3
"""Test material for jwt_verify.py: a throwaway token issuer, so selftest.sh can prove the
verifier before StoreIdP is in the loop.

    jwt_fixture.py keys --dir D          RSA-2048 and P-256 keys, D/jwks.json with kids "rsa-1", "ec-1"
    jwt_fixture.py mint --dir D --alg RS256|ES256|HS256 [--secret S] --aud A --iss I [--kid K]
                        [--no-kid] [--exp-seconds N] [--drop CLAIM]
    jwt_fixture.py serve --dir D --port-file F   serve D over HTTP on 127.0.0.1 (free port written to F)
"""

import argparse
import http.server
import json
import os
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def cmd_keys(a):
    os.makedirs(a.dir, exist_ok=True)
    keys = {"rsa-1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ec-1": ec.generate_private_key(ec.SECP256R1())}
    jwks = []
    for kid, key in keys.items():
        with open(os.path.join(a.dir, f"{kid}.pem"), "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        alg = "RS256" if kid.startswith("rsa") else "ES256"
        algo = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
        jwk = json.loads(algo.to_jwk(key.public_key()))
        jwk.update(kid=kid, use="sig", alg=alg)
        jwks.append(jwk)
    with open(os.path.join(a.dir, "jwks.json"), "w") as f:
        json.dump({"keys": jwks}, f, indent=2)


def cmd_mint(a):
    now = int(time.time())
    claims = {"iss": a.iss, "aud": a.aud, "sub": "customer-42", "email": "ada@example.com",
              "iat": now, "exp": now + a.exp_seconds, "jti": uuid.uuid4().hex}
    for c in a.drop:
        claims.pop(c, None)
    headers = {}
    if a.alg == "HS256":
        key = a.secret
    else:
        kid = a.kid or ("rsa-1" if a.alg == "RS256" else "ec-1")
        key_file = "rsa-1.pem" if a.alg == "RS256" else "ec-1.pem"
        key = open(os.path.join(a.dir, key_file), "rb").read()
        if not a.no_kid:
            headers["kid"] = kid
    print(jwt.encode(claims, key, algorithm=a.alg, headers=headers))


def cmd_serve(a):
    handler = lambda *args, **kw: http.server.SimpleHTTPRequestHandler(*args, directory=a.dir, **kw)
    httpd = http.server.HTTPServer(("127.0.0.1", 0), handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(httpd.server_address[1]))
    os.replace(tmp, a.port_file)
    httpd.serve_forever()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    k = sub.add_parser("keys")
    k.add_argument("--dir", required=True)
    k.set_defaults(func=cmd_keys)
    m = sub.add_parser("mint")
    m.add_argument("--dir", required=True)
    m.add_argument("--alg", required=True, choices=("HS256", "RS256", "ES256"))
    m.add_argument("--secret")
    m.add_argument("--aud", required=True)
    m.add_argument("--iss", required=True)
    m.add_argument("--kid")
    m.add_argument("--no-kid", action="store_true")
    m.add_argument("--exp-seconds", type=int, default=60)
    m.add_argument("--drop", action="append", default=[])
    m.set_defaults(func=cmd_mint)
    s = sub.add_parser("serve")
    s.add_argument("--dir", required=True)
    s.add_argument("--port-file", required=True)
    s.set_defaults(func=cmd_serve)
    a = p.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
