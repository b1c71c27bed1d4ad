#!/usr/bin/env python3
"""OpenID Connect relying parties played by authlib against a running StoreIdP.

    oidc_client.py --config FILE SCENARIO

SCENARIO is one of `confidential`, `public`, `elastic-path`, `storeconnect`, `logout`. FILE is the
JSON that oidc_interop.sh writes: {"base", "customer": {email, password, given_name, family_name,
name, phone_number, id}, "clients": {SCENARIO-ish name: {client_id, secret_env?, redirect_uri,
post_logout_redirect_uri, alg, subject, b2c_path?}}}; client secrets are read from the environment
variables named by `secret_env`.

The RP side is authlib's `OAuth2Session` (authorization URL, PKCE, token and refresh requests,
client authentication) and `authlib.jose` (JWKS import, ID token decoding with `CodeIDToken`:
iss, aud, nonce, exp/iat, at_hash). The browser side is a `requests.Session` (Tests/Interop/
browser.py) that follows StoreIdP's own redirects, fills in the real login form (GET /login for
the CSRF cookie and hidden field, POST /login), and stops at the first redirect to the client's
redirect URI: that Location is read, never requested (nothing listens there).

Prints one line per check, `ok: …` or `FAILED: …` (details indented by four spaces below a
failure), for oidc_interop.sh to count. Exit 0 when every check passed, 1 when one failed, 2 on bad
usage. Only the StoreIdP base URL is contacted.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys
import time
import traceback
import warnings
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests
from authlib.deprecate import AuthlibDeprecationWarning

# authlib 1.x announces that authlib.jose moves to joserfc in 2.0; it still works and is what
# deployed authlib RPs use. (authlib.deprecate installs an "always" filter, so this one goes after it.)
warnings.filterwarnings("ignore", message="authlib.jose module is deprecated", category=AuthlibDeprecationWarning)

from authlib.integrations.base_client import OAuthError  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, JsonWebToken  # noqa: E402
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Browser, hidden_field  # noqa: E402

TIMEOUT = 10
LEEWAY = 120  # seconds of clock skew tolerated on exp/iat, as authlib's own parse_id_token does


# ---------------------------------------------------------------------------------------- output
class Stop(Exception):
    """A check that later checks depend on failed: the scenario ends here."""


class Report:
    def __init__(self, scenario):
        self.scenario = scenario
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=None):
        """One `ok:`/`FAILED:` line; `detail` (str, dict or list) is shown below a failure."""
        if condition:
            self.passed += 1
            print(f"ok: {self.scenario}: {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAILED: {self.scenario}: {name}", flush=True)
            if detail is not None:
                text = detail if isinstance(detail, str) else json.dumps(detail, indent=1, default=str)
                for line in text.splitlines()[:30]:
                    print(f"    {line}", flush=True)
        return bool(condition)

    def require(self, name, condition, detail=None):
        if not self.check(name, condition, detail):
            raise Stop(name)

    def must(self, name, condition, detail=None):
        """A precondition (discovery, JWKS fetched): silent when it holds, a failure that stops the scenario when not."""
        if not condition:
            self.require(name, condition, detail)

    def problems(self, name, problems, detail=None):
        """A check made of several conditions: passes when `problems` (a list of strings) is empty."""
        body = list(problems)
        if detail is not None and problems:
            body.append(detail if isinstance(detail, str) else json.dumps(detail, indent=1, default=str))
        return self.check(name, not problems, "\n".join(body) if body else None)


# ---------------------------------------------------------------------------------------- helpers
def b64url_json(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def jwt_parts(token):
    """(header, payload) of a compact JWS without verifying it; for error messages and shape checks."""
    parts = token.split(".")
    return b64url_json(parts[0]), b64url_json(parts[1])


def query_of(url):
    """The query of a URL as {name: value}; a repeated parameter is an error (RFC 6749 §3.1)."""
    q = parse_qs(urlsplit(url).query, keep_blank_values=True)
    repeated = [k for k, v in q.items() if len(v) != 1]
    if repeated:
        raise ValueError(f"parameters repeated in {url}: {repeated}")
    return {k: v[0] for k, v in q.items()}


def without_query(url):
    s = urlsplit(url)
    return f"{s.scheme}://{s.netloc}{s.path}"


def origin(url):
    s = urlsplit(url)
    return f"{s.scheme}://{s.netloc}"


def half_hash(value, alg):
    digest = hashlib.new(f"sha{alg[2:]}", value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def describe_response(r):
    return {"status": r.status_code, "url": r.url, "location": r.headers.get("location"),
            "content-type": r.headers.get("content-type"), "www-authenticate": r.headers.get("www-authenticate"),
            "body": r.text[:400]}


class Trip:
    """Where a browser's walk through StoreIdP ended."""

    def __init__(self, location=None, logins=0, trail=None, last=None):
        self.location = location  # the redirect to the client (never requested), or None
        self.logins = logins  # how many times the login form was filled in
        self.trail = trail or []  # "METHOD URL -> STATUS Location" lines
        self.last = last  # the last response (the error page when there was no redirect to the client)

    @property
    def params(self):
        return query_of(self.location) if self.location else {}

    def explain(self):
        lines = list(self.trail)
        if self.last is not None and self.location is None:
            lines.append(f"last answer {self.last.status_code} {self.last.headers.get('content-type')}: {self.last.text[:300]!r}")
        return "\n".join(lines)


def drive(browser, url, client_uri, email=None, password=None, max_hops=12):
    """Walks a browser from `url` through StoreIdP's redirects and login page.

    Stops at the first redirect whose URL without query is `client_uri` (the client's redirect URI
    or post-logout URI): returns it without requesting it. The login form is filled in when it
    shows and `password` is given; without a password, a login form ends the walk.
    """
    trip = Trip()
    base_origin = origin(browser.base)
    for _ in range(max_hops):
        r = browser.get(url)
        trip.last = r
        trip.trail.append(f"GET {url} -> {r.status_code} {r.headers.get('location') or ''}".rstrip())
        if r.status_code in (301, 302, 303, 307, 308) and r.headers.get("location"):
            target = urljoin(url, r.headers["location"])
            if without_query(target) == client_uri:
                trip.location = target
                return trip
            if origin(target) != base_origin:
                trip.trail.append(f"(redirect to a foreign origin, not followed: {target})")
                return trip
            url = target
            continue
        csrf = hidden_field(r.text, "csrf") if r.status_code == 200 else None
        if csrf and 'name="password"' in r.text and password is not None:
            return_to = hidden_field(r.text, "return_to")
            data = {"email": email, "password": password, "csrf": csrf}
            if return_to is not None:
                data["return_to"] = return_to
            p = browser.post("/login", data)
            trip.last = p
            trip.logins += 1
            trip.trail.append(f"POST /login (return_to={return_to!r}) -> {p.status_code} {p.headers.get('location') or ''}".rstrip())
            if p.status_code in (301, 302, 303) and p.headers.get("location"):
                target = urljoin(browser.url("/login"), p.headers["location"])
                if without_query(target) == client_uri:
                    trip.location = target
                    return trip
                url = target
                continue
            return trip
        return trip
    trip.trail.append(f"(gave up after {max_hops} hops)")
    return trip


# ---------------------------------------------------------------------------------------- the RP
class RP:
    """One registered client, seen from the relying party: discovery, authlib session, key set."""

    def __init__(self, cfg, client_name, report, discovery_url=None, scope="openid"):
        self.cfg = cfg
        self.base = cfg["base"].rstrip("/")
        self.client = cfg["clients"][client_name]
        self.client_id = self.client["client_id"]
        self.secret = os.environ[self.client["secret_env"]] if self.client.get("secret_env") else None
        self.redirect_uri = self.client["redirect_uri"]
        self.report = report
        self.discovery_url = discovery_url or f"{self.base}/.well-known/openid-configuration"
        self.scope = scope
        self._meta = None
        self._jwks = None
        self.exchanges = []  # (request, response) of every authlib call, for client-auth checks

    # discovery and keys ------------------------------------------------------------------
    @property
    def meta(self):
        if self._meta is None:
            r = requests.get(self.discovery_url, timeout=TIMEOUT)
            self.report.must(f"GET {urlsplit(self.discovery_url).path} → 200 JSON",
                                r.status_code == 200 and "json" in r.headers.get("content-type", ""),
                                describe_response(r))
            self._meta = r.json()
        return self._meta

    @property
    def issuer(self):
        return self.meta["issuer"]

    def jwks(self, url=None):
        if url is None and self._jwks is not None:
            return self._jwks
        r = requests.get(url or self.meta["jwks_uri"], timeout=TIMEOUT)
        self.report.must(f"GET {urlsplit(r.url).path} (JWKS) → 200 JSON with keys",
                            r.status_code == 200 and isinstance(r.json().get("keys"), list), describe_response(r))
        if url is None:
            self._jwks = r.json()
        return r.json()

    # authlib ----------------------------------------------------------------------------
    def session(self, method, pkce=True, token=None):
        s = OAuth2Session(
            client_id=self.client_id, client_secret=self.secret, token_endpoint_auth_method=method,
            scope=self.scope, redirect_uri=self.redirect_uri, code_challenge_method="S256" if pkce else None,
            token=token, default_timeout=TIMEOUT,
        )
        s.hooks["response"].append(lambda r, *a, **k: self.exchanges.append(r))
        return s

    def authorization_url(self, session, verifier=None, nonce=None, **extra):
        state = secrets.token_urlsafe(16)
        if nonce:
            extra["nonce"] = nonce
        url, state = session.create_authorization_url(self.meta["authorization_endpoint"], state=state,
                                                      code_verifier=verifier, **extra)
        return url, state

    def login_for_code(self, browser, url, state, label, password=True, expect_login=None):
        """Drives the browser to a code; checks state and iss (RFC 9207) on the redirect."""
        c = self.cfg["customer"]
        trip = drive(browser, url, self.redirect_uri, c["email"], c["password"] if password else None)
        p = trip.params
        problems = []
        if not trip.location:
            problems.append("no redirect to the client's redirect_uri")
        elif "code" not in p:
            problems.append(f"redirect carries no code: {p}")
        else:
            if p.get("state") != state:
                problems.append(f"state {p.get('state')!r}, sent {state!r}")
            if p.get("iss") != self.issuer:
                problems.append(f"iss {p.get('iss')!r}, wanted the issuer {self.issuer!r} (RFC 9207)")
        if expect_login is not None and trip.logins != expect_login:
            problems.append(f"the login form was filled in {trip.logins} times, wanted {expect_login}")
        self.report.problems(label, problems, trip.explain())
        # without a code, or with a state authlib would refuse, nothing further can be tried;
        # a missing iss or an unexpected login count is reported and the scenario goes on
        if "code" not in p or p.get("state") != state:
            raise Stop(label)
        return trip.location, p["code"], trip

    def fetch_token(self, session, location, state, verifier=None):
        """authlib's fetch_token (it checks state itself); returns (token, raw HTTP response)."""
        before = len(self.exchanges)
        kwargs = {"code_verifier": verifier} if verifier else {}
        try:
            token = session.fetch_token(self.meta["token_endpoint"], authorization_response=location, state=state, **kwargs)
        except OAuthError as e:
            r = self.exchanges[-1] if len(self.exchanges) > before else None
            raise TokenError(e.error, e.description, r) from None
        return token, self.exchanges[-1]

    def post_token(self, data, auth=None):
        """A raw token request (for negative checks authlib would not make)."""
        return requests.post(self.meta["token_endpoint"], data=data, auth=auth, timeout=TIMEOUT,
                             headers={"Accept": "application/json"})

    # ID token ---------------------------------------------------------------------------
    def decode_id_token(self, id_token, nonce=None, access_token=None, jwks=None, alg=None):
        """authlib.jose decode + CodeIDToken validate. Raises on any problem."""
        alg = alg or self.client["alg"]
        keys = JsonWebKey.import_key_set(jwks or self.jwks())
        aud_is_client = {"essential": True, "value": self.client_id,
                         "validate": lambda claims, v: isinstance(v, str) and v == self.client_id}
        options = {"iss": {"essential": True, "value": self.issuer}, "aud": aud_is_client,
                   "sub": {"essential": True}, "exp": {"essential": True}, "iat": {"essential": True}}
        if nonce:
            options["nonce"] = {"essential": True, "value": nonce}
        params = {"client_id": self.client_id, "nonce": nonce}
        if access_token:
            params["access_token"] = access_token
        claims = JsonWebToken([alg]).decode(id_token, keys, claims_cls=CodeIDToken,
                                            claims_options=options, claims_params=params)
        claims.validate(leeway=LEEWAY)
        return claims

    def verify_id_token(self, label, id_token, nonce=None, access_token=None, jwks=None):
        """The ID token check: authlib accepts it, plus what authlib leaves optional."""
        problems = []
        claims = None
        try:
            header, _ = jwt_parts(id_token)
        except Exception as e:  # noqa: BLE001
            self.report.require(label, False, f"not a compact JWS: {e}: {id_token[:80]!r}")
        kids = [k.get("kid") for k in (jwks or self.jwks())["keys"]]
        if id_token.count(".") != 2:
            problems.append(f"{id_token.count('.') + 1} segments (an encrypted token has 5)")
        if header.get("alg") != self.client["alg"]:
            problems.append(f"header alg {header.get('alg')!r}, registered {self.client['alg']}")
        if not header.get("kid") or header.get("kid") not in kids:
            problems.append(f"header kid {header.get('kid')!r} not in the JWKS {kids}")
        try:
            claims = self.decode_id_token(id_token, nonce, access_token, jwks)
        except Exception as e:  # noqa: BLE001
            problems.append(f"authlib refused it: {type(e).__name__}: {e}")
        if claims is not None:
            now = time.time()
            if not isinstance(claims.get("aud"), str):
                problems.append(f"aud is {claims.get('aud')!r}, not a plain string")
            if not (claims["iat"] <= claims["exp"] and abs(claims["iat"] - now) <= LEEWAY):
                problems.append(f"iat {claims['iat']} / exp {claims['exp']} (now {int(now)})")
            auth_time = claims.get("auth_time")
            if not isinstance(auth_time, (int, float)) or auth_time > claims["iat"] + 1:
                problems.append(f"auth_time {auth_time!r} (iat {claims['iat']})")
            if access_token is not None:
                if not claims.get("at_hash"):
                    problems.append("no at_hash (OIDC Core §3.1.3.6: a code flow ID token issued with an access token)")
                elif claims["at_hash"] != half_hash(access_token, header["alg"]):
                    problems.append("at_hash does not match the access token")
            if nonce is None and "nonce" in claims:
                problems.append(f"a nonce claim {claims['nonce']!r} although none was sent")
        payload = jwt_parts(id_token)
        self.report.problems(label, problems, payload)
        # the later checks (claims, userinfo, refresh) still say something with the unverified claims
        return claims if claims is not None else dict(payload[1])

    def at_hash_is_checked(self, id_token, nonce, other_access_token):
        """Proof that the at_hash check above means something: authlib refuses another access token."""
        try:
            self.decode_id_token(id_token, nonce, other_access_token)
        except Exception as e:  # noqa: BLE001
            return "at_hash" in str(e) or "at_hash" in repr(e.args)
        return False

    # access token and userinfo -------------------------------------------------------------
    def check_access_token(self, label, access_token, scope, lifetime=None):
        """RFC 9068: a JWT with typ at+jwt, signed by a key of the JWKS, with the required claims."""
        problems = []
        claims = None
        try:
            header, payload = jwt_parts(access_token)
        except Exception as e:  # noqa: BLE001
            return self.report.check(label, False, f"not a JWT: {e}: {access_token[:60]!r}")
        if (header.get("typ") or "").lower() not in ("at+jwt", "application/at+jwt"):
            problems.append(f"header typ {header.get('typ')!r}, RFC 9068 §2.1 wants at+jwt")
        try:
            claims = JsonWebToken(["RS256", "ES256"]).decode(access_token, JsonWebKey.import_key_set(self.jwks()))
            claims.validate(leeway=LEEWAY)
        except Exception as e:  # noqa: BLE001
            problems.append(f"signature or time check failed: {type(e).__name__}: {e}")
        for name in ("iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope"):
            if name not in payload:
                problems.append(f"no {name} claim (RFC 9068 §2.2)")
        if payload.get("iss") != self.issuer:
            problems.append(f"iss {payload.get('iss')!r}, wanted {self.issuer!r}")
        if payload.get("client_id") != self.client_id:
            problems.append(f"client_id {payload.get('client_id')!r}, wanted {self.client_id!r}")
        if set(str(payload.get("scope", "")).split()) != set(scope.split()):
            problems.append(f"scope {payload.get('scope')!r}, wanted {scope!r}")
        if lifetime is not None and isinstance(payload.get("exp"), int) and isinstance(payload.get("iat"), int) \
                and payload["exp"] - payload["iat"] != lifetime:
            problems.append(f"exp - iat = {payload['exp'] - payload['iat']}, registered lifetime {lifetime}")
        self.report.problems(label, problems, {"header": header, "payload": payload})
        return payload

    def userinfo(self, access_token, method="GET", url=None):
        url = url or self.meta["userinfo_endpoint"]
        return requests.request(method, url, headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT)

    def check_refused_bearer(self, label, access_token, url=None):
        r = self.userinfo(access_token, url=url)
        www = r.headers.get("www-authenticate", "")
        return self.report.check(label, r.status_code == 401 and www.lower().startswith("bearer")
                                 and 'error="invalid_token"' in www, describe_response(r))


class TokenError(Exception):
    def __init__(self, error, description, response):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.response = response

    def detail(self):
        return describe_response(self.response) if self.response is not None else str(self)


def expect_oauth_error(fn, error):
    """Runs fn (an authlib call); returns (True, detail) when it failed with that OAuth error code."""
    try:
        result = fn()
    except OAuthError as e:
        return e.error == error, f"{e.error}: {e.description}"
    except TokenError as e:
        return e.error == error, e.detail()
    return False, f"it succeeded: {json.dumps(dict(result), default=str)[:300]}"


def client_auth_problems(r, method, client_id, secret):
    """What the token request on the wire looked like, against the client authentication method."""
    req = r.request
    auth = req.headers.get("Authorization", "")
    body = parse_qs(req.body if isinstance(req.body, str) else (req.body or b"").decode(), keep_blank_values=True)
    problems = []
    if method == "client_secret_basic":
        want = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        # RFC 6749 §2.3.1 form-encodes id and secret first; ours contain no reserved characters
        if auth != want:
            problems.append(f"Authorization header {auth[:20]!r}…, wanted HTTP Basic with the client id and secret")
        if "client_secret" in body:
            problems.append("client_secret also in the body")
    elif method == "client_secret_post":
        if auth:
            problems.append(f"an Authorization header {auth[:20]!r}…")
        if body.get("client_id") != [client_id] or body.get("client_secret") != [secret]:
            problems.append(f"body fields {sorted(body)}: wanted client_id and client_secret")
    elif method == "none":
        if auth or "client_secret" in body:
            problems.append("a secret was sent")
        if body.get("client_id") != [client_id]:
            problems.append(f"body fields {sorted(body)}: wanted client_id")
    return problems


def token_response_problems(r, token, scope, lifetime=None, refresh=None):
    problems = []
    if r.status_code != 200:
        problems.append(f"HTTP {r.status_code}")
    if "no-store" not in (r.headers.get("cache-control") or ""):
        problems.append(f"Cache-Control {r.headers.get('cache-control')!r}, RFC 6749 §5.1 wants no-store")
    raw = r.json()
    if raw.get("token_type", "").lower() != "bearer":
        problems.append(f"token_type {raw.get('token_type')!r}")
    for name in ("access_token", "id_token", "expires_in"):
        if name not in raw:
            problems.append(f"no {name}")
    if lifetime is not None and raw.get("expires_in") != lifetime:
        problems.append(f"expires_in {raw.get('expires_in')!r}, registered {lifetime}")
    if "scope" in raw and set(raw["scope"].split()) != set(scope.split()):
        problems.append(f"scope {raw['scope']!r}, requested {scope!r}")
    if refresh is True and not raw.get("refresh_token"):
        problems.append("no refresh_token although offline_access was granted")
    if refresh is False and raw.get("refresh_token"):
        problems.append("a refresh_token although offline_access was not requested")
    return problems


def contains_all(have, want):
    return [w for w in want if w not in (have or [])]


# ---------------------------------------------------------------------------------------- scenarios
def scenario_confidential(cfg, rep):
    """authlib as a confidential client (client_secret_basic) with state, nonce and PKCE S256."""
    scope = "openid email profile offline_access"
    rp = RP(cfg, "confidential", rep, scope=scope)
    cust = cfg["customer"]
    meta = rp.meta
    rep.problems("discovery: issuer is STOREIDP_BASE_URL, endpoints under /oidc, jwks_uri /.well-known/jwks.json", [
        p for p in [
            meta.get("issuer") != rp.base and f"issuer {meta.get('issuer')!r}",
            meta.get("authorization_endpoint") != f"{rp.base}/oidc/authorize" and f"authorization_endpoint {meta.get('authorization_endpoint')!r}",
            meta.get("token_endpoint") != f"{rp.base}/oidc/token" and f"token_endpoint {meta.get('token_endpoint')!r}",
            meta.get("userinfo_endpoint") != f"{rp.base}/oidc/userinfo" and f"userinfo_endpoint {meta.get('userinfo_endpoint')!r}",
            meta.get("end_session_endpoint") != f"{rp.base}/oidc/logout" and f"end_session_endpoint {meta.get('end_session_endpoint')!r}",
            meta.get("jwks_uri") != f"{rp.base}/.well-known/jwks.json" and f"jwks_uri {meta.get('jwks_uri')!r}",
        ] if p], meta)

    browser = Browser(rp.base)
    oauth = rp.session("client_secret_basic")
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = rp.authorization_url(oauth, verifier=verifier, nonce=nonce)
    r = browser.get(url)
    target = urljoin(url, r.headers.get("location", ""))
    rep.check("authorize without a session → 303 to /login?return_to=/oidc/continue",
              r.status_code == 303 and urlsplit(target).path == "/login"
              and query_of(target).get("return_to") == "/oidc/continue", describe_response(r))
    location, code, _ = rp.login_for_code(
        browser, url, state, "authorization code after the real login page (code, state echoed, iss = issuer)", expect_login=1)

    try:
        token, raw = rp.fetch_token(oauth, location, state, verifier)
    except TokenError as e:
        rep.require("authlib fetch_token (client_secret_basic, code_verifier)", False, e.detail())
    rep.problems("token request on the wire is client_secret_basic (Authorization: Basic, no secret in the body)",
                 client_auth_problems(raw, "client_secret_basic", rp.client_id, rp.secret))
    rep.problems("token response: Bearer, expires_in 300, id_token, refresh_token (offline_access), scope, Cache-Control no-store",
                 token_response_problems(raw, token, scope, lifetime=300, refresh=True), raw.text[:600])

    claims = rp.verify_id_token(
        "authlib verifies the ID token against jwks_uri (RS256, kid; iss, aud = client id as a string, nonce, exp/iat, auth_time, at_hash)",
        token["id_token"], nonce, token["access_token"])
    if isinstance(claims, CodeIDToken):  # (only meaningful when authlib accepted the token itself)
        rep.check("authlib's at_hash check is live: the same ID token with another access token is refused",
                  rp.at_hash_is_checked(token["id_token"], nonce, token["access_token"] + "x"))
    want = {"email": cust["email"], "given_name": cust["given_name"], "family_name": cust["family_name"], "name": cust["name"]}
    rep.problems("ID token claims for openid email profile: pairwise sub; email, given_name, family_name, name; no phone_number", [
        p for p in [
            (claims["sub"] in (cust["email"], cust["id"]) or "@" in claims["sub"]) and f"sub {claims['sub']!r} is not a pairwise identifier",
            "phone_number" in claims and "phone_number released without the phone scope",
        ] + [claims.get(k) != v and f"{k} {claims.get(k)!r}, wanted {v!r}" for k, v in want.items()] if p], dict(claims))
    rp.check_access_token("access token is an RFC 9068 JWT (typ at+jwt, iss, sub, aud, exp, iat, jti, client_id, scope; JWKS signature; 300 s)",
                          token["access_token"], scope, lifetime=300)

    r = oauth.get(meta["userinfo_endpoint"])
    info = r.json() if r.status_code == 200 and "json" in r.headers.get("content-type", "") else {}
    rep.problems("userinfo (GET, authlib's bearer token): sub equals the ID token's; email, given_name, family_name, name; no phone_number", [
        p for p in [
            r.status_code != 200 and f"HTTP {r.status_code}",
            info.get("sub") != claims["sub"] and f"sub {info.get('sub')!r}, ID token {claims['sub']!r}",
            "phone_number" in info and "phone_number without the phone scope",
        ] + [info.get(k) != v and f"{k} {info.get(k)!r}, wanted {v!r}" for k, v in want.items()] if p], describe_response(r))
    r = rp.userinfo(token["access_token"], method="POST")
    rep.check("userinfo answers POST too (OIDC Core §5.3.1)", r.status_code == 200 and r.json().get("sub") == claims["sub"],
              describe_response(r))
    r = requests.get(meta["userinfo_endpoint"], timeout=TIMEOUT)
    rep.check("userinfo without a token → 401 with WWW-Authenticate: Bearer (RFC 6750 §3)",
              r.status_code == 401 and r.headers.get("www-authenticate", "").lower().startswith("bearer"), describe_response(r))

    # refresh: rotation, reuse detection, family revocation
    first_rt, first_at = token["refresh_token"], token["access_token"]
    try:
        new = dict(oauth.refresh_token(meta["token_endpoint"], refresh_token=first_rt))
        raw = rp.exchanges[-1]
    except OAuthError as e:
        rep.require("authlib refresh_token() rotates the refresh token", False, f"{e.error}: {e.description}")
    problems = token_response_problems(raw, new, scope, lifetime=300)
    if not new.get("refresh_token"):
        problems.append("no new refresh_token")
    elif new["refresh_token"] == first_rt:
        problems.append("the refresh token was not rotated")
    if new.get("access_token") == first_at:
        problems.append("the same access token again")
    r = rp.userinfo(new.get("access_token", ""))
    if r.status_code != 200 or r.json().get("sub") != claims["sub"]:
        problems.append(f"the new access token at userinfo: {r.status_code} {r.text[:200]}")
    if new.get("id_token"):
        try:
            again = rp.decode_id_token(new["id_token"], access_token=new["access_token"])
            for k in ("iss", "sub", "aud", "auth_time"):  # OIDC Core §12.2
                if again.get(k) != claims.get(k):
                    problems.append(f"refreshed ID token {k} {again.get(k)!r}, original {claims.get(k)!r} (OIDC Core §12.2)")
        except Exception as e:  # noqa: BLE001
            problems.append(f"refreshed ID token refused by authlib: {type(e).__name__}: {e}")
    rep.problems("authlib refresh_token(): new refresh token differs, new access token works at userinfo, refreshed ID token keeps iss/sub/aud/auth_time",
                 problems, raw.text[:600])
    if problems:
        raise Stop("refresh")
    second_rt, second_at = new["refresh_token"], new["access_token"]

    ok, detail = expect_oauth_error(lambda: oauth.refresh_token(meta["token_endpoint"], refresh_token=first_rt), "invalid_grant")
    rep.check("the rotated-out refresh token reused → invalid_grant", ok, detail)
    ok, detail = expect_oauth_error(lambda: oauth.refresh_token(meta["token_endpoint"], refresh_token=second_rt), "invalid_grant")
    rep.check("after that reuse the newest refresh token fails too (the family is revoked) → invalid_grant", ok, detail)
    rp.check_refused_bearer("after the family revocation the grant's access tokens are refused at userinfo (401, WWW-Authenticate Bearer error=\"invalid_token\")",
                            second_at)
    rp.check_refused_bearer("… the grant's first access token too", first_at)

    # a second authorization in the same browser session: SSO, stable pairwise sub, code reuse
    browser = Browser(rp.base)
    oauth2 = rp.session("client_secret_basic")
    verifier2, nonce2 = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = rp.authorization_url(oauth2, verifier=verifier2, nonce=nonce2)
    rp.login_for_code(browser, url, state, "sign in again in a fresh browser", expect_login=1)  # session now exists
    url, state = rp.authorization_url(oauth2, verifier=verifier2, nonce=nonce2, prompt="none")
    location, code2, _ = rp.login_for_code(browser, url, state, "prompt=none with a store session → a code, no password asked",
                                           password=False, expect_login=0)
    try:
        token2, _ = rp.fetch_token(oauth2, location, state, verifier2)
    except TokenError as e:
        rep.require("token for the prompt=none code", False, e.detail())
    try:
        claims2 = rp.decode_id_token(token2["id_token"], nonce2, token2["access_token"])
        rep.check("the pairwise sub is the same on the next authorization", claims2["sub"] == claims["sub"],
                  {"first": claims["sub"], "second": claims2["sub"]})
    except Exception as e:  # noqa: BLE001
        rep.check("the ID token of the prompt=none code verifies", False, f"{type(e).__name__}: {e}")
    form = {"grant_type": "authorization_code", "code": code2, "redirect_uri": rp.redirect_uri, "code_verifier": verifier2}
    r = rp.post_token(form, auth=(rp.client_id, rp.secret))
    rep.check("the same code a second time → 400 invalid_grant",
              r.status_code == 400 and r.headers.get("content-type", "").startswith("application/json")
              and r.json().get("error") == "invalid_grant", describe_response(r))
    rp.check_refused_bearer("… and the access token from the code's first use is revoked (401 invalid_token at userinfo)",
                            token2["access_token"])
    ok, detail = expect_oauth_error(lambda: oauth2.refresh_token(meta["token_endpoint"], refresh_token=token2["refresh_token"]),
                                    "invalid_grant")
    rep.check("… and so is its refresh token (invalid_grant)", ok, detail)

    r = rp.post_token({"grant_type": "authorization_code", "code": "not-a-code", "redirect_uri": rp.redirect_uri,
                       "code_verifier": verifier2}, auth=(rp.client_id, rp.secret + "-wrong"))
    rep.check("a wrong client secret (HTTP Basic) → 401 invalid_client with WWW-Authenticate (RFC 6749 §5.2)",
              r.status_code == 401 and r.headers.get("content-type", "").startswith("application/json")
              and r.json().get("error") == "invalid_client" and r.headers.get("www-authenticate"), describe_response(r))

    # authorization request errors (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6), with the store session still on
    challenge = create_s256_code_challenge(verifier2)

    def authz(**params):
        q = {"response_type": "code", "client_id": rp.client_id, "redirect_uri": rp.redirect_uri, "scope": "openid",
             "state": "st-" + secrets.token_urlsafe(6), "code_challenge": challenge, "code_challenge_method": "S256"}
        q.update(params)
        return f"{meta['authorization_endpoint']}?" + urlencode(q), q["state"]

    answers = []
    for bad_uri in (rp.redirect_uri + "/", rp.redirect_uri + "?next=x", "http://127.0.0.1:9/elsewhere"):
        r = browser.get(authz(redirect_uri=bad_uri)[0])
        if not (400 <= r.status_code < 500 and not r.headers.get("location")):
            answers.append({"redirect_uri": bad_uri, **describe_response(r)})
    rep.check("an unregistered redirect_uri (also a trailing slash or an added query) → error page 4xx, no redirect (exact match)",
              not answers, answers)
    r = browser.get(authz(client_id="no-such-client")[0])
    rep.check("an unknown client_id → error page 4xx, no redirect", 400 <= r.status_code < 500 and not r.headers.get("location"),
              describe_response(r))
    for label, params, errors in (
        ("scope without openid → error on the redirect (state, iss), no code", {"scope": "email profile"}, ("invalid_scope", "invalid_request")),
        ("response_type=token → error=unsupported_response_type on the redirect", {"response_type": "token"}, ("unsupported_response_type",)),
    ):
        url, st = authz(**params)
        trip = drive(browser, url, rp.redirect_uri)
        p = trip.params
        rep.check(label, p.get("error") in errors and "code" not in p and p.get("state") == st and p.get("iss") == rp.issuer,
                  trip.explain() + f"\nparams {p}")

    # a code is bound to its redirect_uri and its client (RFC 6749 §4.1.3)
    url, st = authz(prompt="none")
    location, code3, _ = rp.login_for_code(browser, url, st, "prompt=none once more → a code", password=False, expect_login=0)
    r = rp.post_token({"grant_type": "authorization_code", "code": code3, "redirect_uri": rp.redirect_uri + "/",
                       "code_verifier": verifier2}, auth=(rp.client_id, rp.secret))
    rep.check("the code with another redirect_uri at the token endpoint → 400 invalid_grant",
              r.status_code == 400 and r.json().get("error") == "invalid_grant", describe_response(r))
    url, st = authz(prompt="none")
    location, code4, _ = rp.login_for_code(browser, url, st, "… and another code", password=False, expect_login=0)
    ep = cfg["clients"]["elastic-path"]
    r = rp.post_token({"grant_type": "authorization_code", "code": code4, "redirect_uri": rp.redirect_uri, "code_verifier": verifier2},
                      auth=(ep["client_id"], os.environ[ep["secret_env"]]))
    rep.check("a code presented by another (authenticated) client → 400 invalid_grant",
              r.status_code == 400 and r.json().get("error") == "invalid_grant", describe_response(r))


def scenario_public(cfg, rep):
    """authlib as a public client (token_endpoint_auth_method none) with PKCE S256; ES256 ID tokens."""
    scope = "openid email phone"
    rp = RP(cfg, "public", rep, scope=scope)
    cust = cfg["customer"]
    rp.meta  # noqa: B018 (fetch discovery first: its failure stops here)
    browser = Browser(rp.base)
    oauth = rp.session("none")
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = rp.authorization_url(oauth, verifier=verifier, nonce=nonce)
    rep.check("authlib's authorization URL carries code_challenge (S256) and no secret",
              query_of(url).get("code_challenge_method") == "S256"
              and query_of(url).get("code_challenge") == create_s256_code_challenge(verifier), url)
    location, code, _ = rp.login_for_code(browser, url, state, "code after the login page", expect_login=1)
    try:
        token, raw = rp.fetch_token(oauth, location, state, verifier)
    except TokenError as e:
        rep.require("authlib fetch_token with code_verifier and no secret", False, e.detail())
    rep.problems("the token request carries client_id and no secret (auth method none)",
                 client_auth_problems(raw, "none", rp.client_id, None))
    rep.problems("token response (no refresh_token without offline_access)",
                 token_response_problems(raw, token, scope, refresh=False), raw.text[:600])
    claims = rp.verify_id_token("authlib verifies the ES256 ID token (kid, iss, aud, nonce, exp/iat, at_hash)",
                                token["id_token"], nonce, token["access_token"])
    rep.problems("sub is the customer id (subject customer_id); email, phone_number; no profile claims", [
        p for p in [
            claims["sub"] != cust["id"] and f"sub {claims['sub']!r}, customer id {cust['id']!r}",
            claims.get("email") != cust["email"] and f"email {claims.get('email')!r}",
            claims.get("phone_number") != cust["phone_number"] and f"phone_number {claims.get('phone_number')!r}, wanted {cust['phone_number']!r}",
            any(k in claims for k in ("given_name", "family_name", "name")) and "profile claims without the profile scope",
        ] if p], dict(claims))
    r = oauth.get(rp.meta["userinfo_endpoint"])
    info = r.json() if r.status_code == 200 else {}
    rep.check("userinfo has sub, email, phone_number",
              info.get("sub") == claims["sub"] and info.get("email") == cust["email"]
              and info.get("phone_number") == cust["phone_number"], describe_response(r))

    # PKCE is enforced: the wrong verifier, no challenge, the plain method
    url, state = rp.authorization_url(oauth, verifier=verifier, nonce=nonce)
    location, code, _ = rp.login_for_code(browser, url, state, "a second code in the same session (no password)",
                                          expect_login=0)
    r = rp.post_token({"grant_type": "authorization_code", "code": code, "redirect_uri": rp.redirect_uri,
                       "client_id": rp.client_id, "code_verifier": secrets.token_urlsafe(48)})
    rep.check("the wrong code_verifier → 400 invalid_grant (RFC 7636 §4.6)",
              r.status_code == 400 and r.json().get("error") == "invalid_grant", describe_response(r))

    def refused_at_authorize(label, url, state):
        trip = drive(Browser(rp.base), url, rp.redirect_uri)  # no password: the request is refused before any login
        p = trip.params
        rep.check(label, trip.location is not None and p.get("error") == "invalid_request" and "code" not in p
                  and p.get("state") == state and p.get("iss") == rp.issuer, trip.explain() + f"\nparams {p}")

    plain = rp.session("none", pkce=False)
    url, state = rp.authorization_url(plain, nonce=nonce)
    refused_at_authorize("no code_challenge → redirect with error=invalid_request (state, iss) before any login", url, state)
    url, state = rp.authorization_url(plain, nonce=nonce, code_challenge=verifier, code_challenge_method="plain")
    refused_at_authorize("code_challenge_method=plain → error=invalid_request", url, state)


def scenario_elastic_path(cfg, rep):
    """Elastic Path Commerce Cloud's OpenID Connect checklist, point by point."""
    scope = "openid email"
    rp = RP(cfg, "elastic-path", rep, scope=scope)
    cust = cfg["customer"]
    meta = rp.meta
    required = ["issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                "end_session_endpoint", "response_types_supported", "subject_types_supported",
                "id_token_signing_alg_values_supported", "scopes_supported", "claims_supported",
                "grant_types_supported", "token_endpoint_auth_methods_supported", "code_challenge_methods_supported"]
    problems = [f"no {k}" for k in required if k not in meta]
    problems += [p for p in [
        meta.get("issuer") != rp.base and f"issuer {meta.get('issuer')!r}",
        meta.get("response_types_supported") != ["code"] and f"response_types_supported {meta.get('response_types_supported')}",
        contains_all(meta.get("grant_types_supported"), ["authorization_code", "refresh_token"]) and f"grant_types_supported {meta.get('grant_types_supported')}",
        meta.get("code_challenge_methods_supported") != ["S256"] and f"code_challenge_methods_supported {meta.get('code_challenge_methods_supported')}",
        contains_all(meta.get("token_endpoint_auth_methods_supported"), ["client_secret_basic", "client_secret_post", "none"])
        and f"token_endpoint_auth_methods_supported {meta.get('token_endpoint_auth_methods_supported')}",
        contains_all(meta.get("scopes_supported"), ["openid", "profile", "email", "phone", "offline_access"]) and f"scopes_supported {meta.get('scopes_supported')}",
        contains_all(meta.get("claims_supported"), ["sub", "email", "given_name", "family_name", "name", "phone_number"]) and f"claims_supported {meta.get('claims_supported')}",
        contains_all(meta.get("id_token_signing_alg_values_supported"), ["RS256", "ES256"]) and f"id_token_signing_alg_values_supported {meta.get('id_token_signing_alg_values_supported')}",
        not meta.get("subject_types_supported") and "subject_types_supported empty",
        meta.get("authorization_response_iss_parameter_supported") is not True and "authorization_response_iss_parameter_supported is not true",
        any(k in meta for k in ("id_token_encryption_alg_values_supported", "userinfo_encryption_alg_values_supported")) and "advertises encryption",
    ] if p]
    rep.problems("discovery document has every field (code, S256, client_secret_basic, openid email, RS256, iss parameter)", problems, meta)

    browser = Browser(rp.base)
    oauth = rp.session("client_secret_basic")
    verifier = secrets.token_urlsafe(48)
    url, state = rp.authorization_url(oauth, verifier=verifier)  # no nonce, no acr_values: EP sends neither
    q = query_of(url)
    rep.check("the authorization request is code + S256 + state, scope 'openid email', no nonce, no acr_values",
              q.get("response_type") == "code" and q.get("code_challenge_method") == "S256" and q.get("state")
              and q.get("scope") == scope and "nonce" not in q and "acr_values" not in q, q)
    location, code, _ = rp.login_for_code(browser, url, state, "authorization code with state echoed (and iss)", expect_login=1)
    try:
        token, raw = rp.fetch_token(oauth, location, state, verifier)
    except TokenError as e:
        rep.require("token with client_secret_basic", False, e.detail())
    problems = client_auth_problems(raw, "client_secret_basic", rp.client_id, rp.secret) + token_response_problems(raw, token, scope)
    rep.problems("token endpoint with client_secret_basic + code_verifier → 200", problems, raw.text[:600])
    segments = token["id_token"].split(".")
    header = b64url_json(segments[0])
    rep.check("ID token is unencrypted: 3 JWS segments, alg RS256, no enc",
              len(segments) == 3 and header.get("alg") == "RS256" and "enc" not in header, header)
    claims = rp.verify_id_token("the ID token verifies (authlib, JWKS kid) without a nonce; no nonce claim; at_hash",
                                token["id_token"], None, token["access_token"])
    rep.check("aud is exactly the client id, as a string", claims.get("aud") == rp.client_id and isinstance(claims.get("aud"), str),
              {"aud": claims.get("aud")})
    rep.check("sub and email are the customer's email (subject email)",
              claims["sub"] == cust["email"] and claims.get("email") == cust["email"], dict(claims))
    r = rp.userinfo(token["access_token"])
    ctype = r.headers.get("content-type", "")
    info = r.json() if r.status_code == 200 and ctype.startswith("application/json") else {}
    rep.check("userinfo is plain JSON (application/json, not a JWT): sub, email",
              info.get("sub") == claims["sub"] and info.get("email") == cust["email"], describe_response(r))

    # prompt, display, ui_locales are accepted; prompt=login asks for the password again
    url, state = rp.authorization_url(oauth, verifier=verifier, prompt="login", display="page", ui_locales="en")
    location, code, trip = rp.login_for_code(
        browser, url, state, "prompt=login&display=page&ui_locales=en with a store session → the password again, then a code",
        expect_login=1)
    try:
        token2, _ = rp.fetch_token(oauth, location, state, verifier)
        again = rp.decode_id_token(token2["id_token"], access_token=token2["access_token"])
        rep.check("… that code gives an ID token whose auth_time is the new login's",
                  again["auth_time"] >= claims["auth_time"] and again["sub"] == claims["sub"],
                  {"first auth_time": claims["auth_time"], "after prompt=login": again["auth_time"]})
    except Exception as e:  # noqa: BLE001
        rep.check("… that code gives an ID token", False, getattr(e, "detail", lambda: str(e))())


def storeconnect_contact(claims):
    """The contact StoreConnect builds from an Azure AD B2C ID token (its omniauth strategy)."""
    names = claims.get("signInNames") or {}
    email = (claims.get("email") or claims.get("signInName") or (names.get("emailAddress") if isinstance(names, dict) else None)
             or claims.get("upn") or claims.get("preferred_username"))
    return {"sub": claims.get("sub"), "email": email, "given_name": claims.get("given_name"),
            "family_name": claims.get("family_name"), "phone_number": claims.get("phone_number"), "name": claims.get("name")}


def scenario_storeconnect(cfg, rep):
    """StoreConnect's Azure AD B2C login against StoreIdP's /b2c/PATH layout; client_secret_post."""
    client = cfg["clients"]["storeconnect"]
    base = cfg["base"].rstrip("/")
    b2c = f"{base}/b2c/{client['b2c_path']}"
    rp = RP(cfg, "storeconnect", rep, discovery_url=f"{b2c}/v2.0/.well-known/openid-configuration", scope="openid")
    cust = cfg["customer"]
    meta = rp.meta
    r = requests.get(f"{b2c}/.well-known/openid-configuration", timeout=TIMEOUT)
    other = r.json() if r.status_code == 200 else {}
    want = {"issuer": b2c, "authorization_endpoint": f"{b2c}/oauth2/v2.0/authorize", "token_endpoint": f"{b2c}/oauth2/v2.0/token",
            "end_session_endpoint": f"{b2c}/oauth2/v2.0/logout", "userinfo_endpoint": f"{b2c}/openid/v2.0/userinfo"}
    for label, doc in (("B/v2.0/.well-known/openid-configuration", meta), ("B/.well-known/openid-configuration", other)):
        problems = [f"{k} {doc.get(k)!r}, wanted {v!r}" for k, v in want.items() if doc.get(k) != v]
        if doc.get("jwks_uri") not in (f"{b2c}/discovery/keys", f"{b2c}/discovery/v2.0/keys"):
            problems.append(f"jwks_uri {doc.get('jwks_uri')!r}")
        rep.problems(f"{label} (B = {b2c}): issuer B, B's oauth2/v2.0 endpoints, jwks_uri under B/discovery",
                     problems, doc or describe_response(r))
    root = requests.get(f"{base}/.well-known/jwks.json", timeout=TIMEOUT).json()

    def key_ids(jwks):
        return sorted(json.dumps(k, sort_keys=True) for k in jwks.get("keys", []))

    b2c_keys = None
    for path in ("discovery/keys", "discovery/v2.0/keys"):
        jwks = rp.jwks(f"{b2c}/{path}")
        b2c_keys = b2c_keys or jwks
        rep.check(f"B/{path} serves the same keys as /.well-known/jwks.json", key_ids(jwks) == key_ids(root) and jwks["keys"],
                  {"B": [k.get("kid") for k in jwks.get("keys", [])], "root": [k.get("kid") for k in root.get("keys", [])]})

    browser = Browser(base)
    oauth = rp.session("client_secret_post", pkce=False)  # a confidential web app: omniauth sends no PKCE
    nonce = secrets.token_urlsafe(16)
    url, state = rp.authorization_url(oauth, nonce=nonce)
    rep.check("authorization URL is B/oauth2/v2.0/authorize with the https callback",
              without_query(url) == want["authorization_endpoint"] and query_of(url).get("redirect_uri") == rp.redirect_uri, url)
    location, code, _ = rp.login_for_code(
        browser, url, state, f"code to {rp.redirect_uri} after the login page (state, iss = B)", expect_login=1)
    try:
        token, raw = rp.fetch_token(oauth, location, state)
    except TokenError as e:
        rep.require("token at B/oauth2/v2.0/token with client_secret_post", False, e.detail())
    rep.problems("token at B/oauth2/v2.0/token with client_secret_post (id and secret in the body, no Basic)",
                 client_auth_problems(raw, "client_secret_post", rp.client_id, rp.secret)
                 + token_response_problems(raw, token, "openid"), raw.text[:600])
    claims = rp.verify_id_token("ID token iss = B, aud = client id, nonce, at_hash; verified against B/discovery/keys",
                                token["id_token"], nonce, token["access_token"], jwks=b2c_keys)
    contact = storeconnect_contact(claims)
    expected = {"sub": cust["id"], "email": cust["email"], "given_name": cust["given_name"], "family_name": cust["family_name"],
                "phone_number": cust["phone_number"], "name": cust["name"]}
    for field, value in expected.items():
        rep.check(f"contact {field} = {value!r} (scope openid only: B2C releases every mapped claim)",
                  contact[field] == value, {"contact": contact, "claims": dict(claims)})
    r = rp.userinfo(token["access_token"])
    info = r.json() if r.status_code == 200 else {}
    rep.check("B/openid/v2.0/userinfo: same sub and contact claims",
              info.get("sub") == claims["sub"] and all(info.get(k) == expected[k] for k in ("email", "given_name", "family_name", "phone_number")),
              describe_response(r))

    r = rp.userinfo(token["access_token"], url=f"{base}/oidc/userinfo")
    rep.check("an access token issued under B is refused at the standard /oidc/userinfo (another issuer) → 401",
              r.status_code == 401, describe_response(r))

    # only this client under B
    stranger = cfg["clients"]["confidential"]
    url = f"{want['authorization_endpoint']}?" + urlencode({
        "response_type": "code", "client_id": stranger["client_id"], "redirect_uri": stranger["redirect_uri"],
        "scope": "openid", "state": "s", "code_challenge": create_s256_code_challenge(secrets.token_urlsafe(48)),
        "code_challenge_method": "S256"})
    r = browser.get(url)
    rep.check("another client's id under B → an error page (4xx), no redirect",
              400 <= r.status_code < 500 and not r.headers.get("location"), describe_response(r))

    # sign-out through B
    post_logout = client["post_logout_redirect_uri"]
    logout_state = secrets.token_urlsafe(8)
    url = f"{want['end_session_endpoint']}?" + urlencode({"id_token_hint": token["id_token"], "post_logout_redirect_uri": post_logout,
                                                          "state": logout_state})
    r = browser.get(url)
    loc = r.headers.get("location", "")
    rep.check("B/oauth2/v2.0/logout with id_token_hint → 303 to the post-logout URI with state",
              r.status_code == 303 and without_query(loc) == without_query(post_logout) and query_of(loc).get("state") == logout_state,
              describe_response(r))


def scenario_logout(cfg, rep):
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) with the confidential client."""
    rp = RP(cfg, "confidential", rep, scope="openid email")
    browser = Browser(rp.base)
    oauth = rp.session("client_secret_basic")
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = rp.authorization_url(oauth, verifier=verifier, nonce=nonce)
    location, _, _ = rp.login_for_code(browser, url, state, "sign in through the code flow", expect_login=1)
    try:
        token, _ = rp.fetch_token(oauth, location, state, verifier)
    except TokenError as e:
        rep.require("token", False, e.detail())
    end_session = rp.meta["end_session_endpoint"]
    post_logout = rp.client["post_logout_redirect_uri"]

    r = browser.get(f"{end_session}?" + urlencode({"id_token_hint": token["id_token"], "post_logout_redirect_uri": "http://127.0.0.1:9/elsewhere",
                                                   "state": "x"}))
    rep.check("an unregistered post_logout_redirect_uri → 400 error page, no redirect",
              r.status_code == 400 and not r.headers.get("location"), describe_response(r))
    url, state = rp.authorization_url(oauth, verifier=verifier, nonce=nonce, prompt="none")
    rp.login_for_code(browser, url, state, "… and the store session is still there (prompt=none → code)", password=False, expect_login=0)

    logout_state = secrets.token_urlsafe(8)
    r = browser.get(f"{end_session}?" + urlencode({"id_token_hint": token["id_token"], "post_logout_redirect_uri": post_logout,
                                                   "state": logout_state}))
    loc = r.headers.get("location", "")
    rep.check("id_token_hint + registered post_logout_redirect_uri + state → 303 to it with state",
              r.status_code == 303 and without_query(loc) == without_query(post_logout) and query_of(loc).get("state") == logout_state,
              describe_response(r))
    url, state = rp.authorization_url(oauth, verifier=verifier, nonce=nonce, prompt="none")
    trip = drive(browser, url, rp.redirect_uri)
    p = trip.params
    rep.check("afterwards authorize with prompt=none → error=login_required (state, iss), no code",
              p.get("error") == "login_required" and "code" not in p and p.get("state") == state and p.get("iss") == rp.issuer,
              trip.explain() + f"\nparams {p}")


TITLES = {"confidential": "authlib confidential", "public": "authlib public", "elastic-path": "Elastic Path",
          "storeconnect": "StoreConnect", "logout": "logout"}

SCENARIOS = {
    "confidential": scenario_confidential,
    "public": scenario_public,
    "elastic-path": scenario_elastic_path,
    "storeconnect": scenario_storeconnect,
    "logout": scenario_logout,
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, help="JSON written by oidc_interop.sh")
    p.add_argument("scenario", choices=sorted(SCENARIOS))
    args = p.parse_args(argv)
    with open(args.config) as f:
        cfg = json.load(f)
    rep = Report(TITLES[args.scenario])
    try:
        SCENARIOS[args.scenario](cfg, rep)
    except Stop:
        pass  # the failed check said why
    except Exception:  # noqa: BLE001
        rep.check("the scenario ran to its end", False, traceback.format_exc())
    if rep.passed + rep.failed == 0:
        rep.check("the scenario made a check", False)
    return 0 if rep.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
