#!/usr/bin/env python3
"""JWT peer for StoreIdP interop tests, played by PyJWT.

    jwt_verify.py verify --token T --alg HS256|RS256|ES256 (--secret S | --jwks-url URL)
                         --audience A --issuer I [--leeway S] [--require CLAIMS]
    jwt_verify.py mint-launch --secret S --aud A --iss I --sub ID --email E
                         [--given-name G] [--family-name F] [--exp-seconds 60]
                         [--iat-offset S] [--claim key=value]...

`verify` checks a token as a partner would (signature with the shared secret or the JWKS key
whose `kid` the token names, alg allow-list of exactly --alg, iss, aud, exp/nbf/iat, required
claims), prints {"valid", "error", "header", "claims"} as JSON and exits 0 only when valid.
`mint-launch` prints an HS256 launch token, as a storefront backend would sign it.
The only network access is the --jwks-url given.
"""

import argparse
import json
import sys
import time
import uuid

import jwt
from jwt import PyJWKClient

ALGS = ("HS256", "RS256", "ES256")
DEFAULT_REQUIRED = "iss,aud,sub,iat,exp,jti"


def emit(obj, ok):
    print(json.dumps(obj, indent=2, sort_keys=True))
    sys.exit(0 if ok else 1)


def cmd_verify(a):
    out = {"valid": False, "error": None, "header": None, "claims": None}
    try:
        out["header"] = jwt.get_unverified_header(a.token)
    except jwt.PyJWTError as e:
        out["error"] = f"not a JWT: {e}"
        emit(out, False)
    if a.alg.startswith("HS"):
        if a.secret is None:
            sys.exit("jwt_verify.py: error: --alg HS256 needs --secret")
        key = a.secret
    else:
        if a.jwks_url is None:
            sys.exit(f"jwt_verify.py: error: --alg {a.alg} needs --jwks-url")
        if not out["header"].get("kid"):
            out["error"] = "token header has no kid (required on asymmetric tokens)"
            emit(out, False)
        try:
            # fetches the JWKS and picks the key whose kid matches the token header
            key = PyJWKClient(a.jwks_url, cache_keys=False, timeout=10).get_signing_key_from_jwt(a.token).key
        except (jwt.PyJWKClientError, jwt.PyJWTError) as e:
            out["error"] = f"JWKS: {type(e).__name__}: {e}"
            emit(out, False)
    required = [c for c in a.require.split(",") if c]
    try:
        claims = jwt.decode(
            a.token, key, algorithms=[a.alg], audience=a.audience, issuer=a.issuer, leeway=a.leeway,
            options={"require": required, "verify_signature": True, "verify_exp": True,
                     "verify_nbf": True, "verify_iat": True, "verify_aud": True, "verify_iss": True},
        )
    except jwt.PyJWTError as e:
        out["error"] = f"{type(e).__name__}: {e}"
        emit(out, False)
    if "iat" in claims and claims["iat"] > time.time() + a.leeway:
        out["error"] = "ImmatureSignatureError: iat is in the future"
        emit(out, False)
    out.update(valid=True, claims=claims)
    emit(out, True)


def cmd_mint_launch(a):
    now = int(time.time()) + a.iat_offset
    claims = {"iss": a.iss, "aud": a.aud, "sub": a.sub, "email": a.email,
              "iat": now, "exp": now + a.exp_seconds, "jti": uuid.uuid4().hex}
    if a.given_name is not None:
        claims["given_name"] = a.given_name
    if a.family_name is not None:
        claims["family_name"] = a.family_name
    for kv in a.claim:
        if "=" not in kv:
            sys.exit(f"jwt_verify.py: error: --claim wants key=value, got {kv!r}")
        k, v = kv.split("=", 1)
        claims[k] = v
    print(jwt.encode(claims, a.secret, algorithm="HS256", headers={"typ": "JWT"}))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="verify a token as a partner would")
    v.add_argument("--token", required=True)
    v.add_argument("--alg", required=True, choices=ALGS, help="the only algorithm accepted")
    v.add_argument("--secret", help="HS256 shared secret")
    v.add_argument("--jwks-url", help="RS256/ES256: JWKS URL (e.g. http://127.0.0.1:8080/.well-known/jwks.json)")
    v.add_argument("--audience", required=True)
    v.add_argument("--issuer", required=True)
    v.add_argument("--leeway", type=int, default=0, help="clock skew allowed, seconds (default 0)")
    v.add_argument("--require", default=DEFAULT_REQUIRED,
                   help=f"comma-separated claims that must be present (default {DEFAULT_REQUIRED})")
    v.set_defaults(func=cmd_verify)

    m = sub.add_parser("mint-launch", help="print an HS256 storefront launch token")
    m.add_argument("--secret", required=True, help="STOREIDP_LAUNCH_SECRET")
    m.add_argument("--aud", required=True)
    m.add_argument("--iss", required=True)
    m.add_argument("--sub", required=True, help="the storefront's customer ID")
    m.add_argument("--email", required=True)
    m.add_argument("--given-name")
    m.add_argument("--family-name")
    m.add_argument("--exp-seconds", type=int, default=60)
    m.add_argument("--iat-offset", type=int, default=0, help="shift iat/exp by this many seconds (tests)")
    m.add_argument("--claim", action="append", default=[], metavar="KEY=VALUE", help="extra string claim")
    m.set_defaults(func=cmd_mint_launch)

    a = p.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
