#!/usr/bin/env python3
"""A fake BigCommerce store for StoreIdP interop tests: the Customers v3 API and the storefront's
Customer Login endpoint, checking what BigCommerce documents.

    bigcommerce_fake.py --store-hash H --client-id ID --client-secret-env NAME --api-token-env NAME
                        [--channel-id 1] [--port 0] [--port-file FILE] [--log FILE]
                        [--max-age 30] [--future-skew 5]

Listens on 127.0.0.1 only (ThreadingHTTPServer). With --port 0 (the default) a free port is
chosen; the port is printed on stdout as `port N` and written to --port-file when given.

API (BigCommerce "Customers v3"; header `X-Auth-Token` must equal the API token, else 401):
  GET  /stores/{hash}/v3/customers?email:in=a@x,b@y  → 200 {"data": [customers], "meta": {...}}
  POST /stores/{hash}/v3/customers   body: a JSON array of customers; email, first_name and
       last_name are required, an email already in the store is refused (422)
       → 200 {"data": [created customers with integer ids], "meta": {}}
Storefront (BigCommerce "Customer Login API"):
  GET  /login/token/{jwt}  the Customer Login JWT: HS256 with the app's client secret only, header
       typ JWT, iss = client id, iat at most --max-age (30) s old and not in the future beyond
       --future-skew s, jti never seen before, operation = "customer_login", store_hash = ours,
       customer_id an integer of a customer that exists here, optional channel_id (integer, our
       channel), optional redirect_to (a relative path), optional request_ip (string)
       → 302 to redirect_to or "/", body "signed in customer N (email)"; or 400 with the reason.
  GET  anything else on the storefront → 200 "storefront page PATH".

The log file (--log) is one JSON object rewritten after every request:
  {"api": [{"method", "path", "query", "status", "body"?}], "logins": [{"status", "customer_id",
   "email", "redirect", "reason", "jti"}]}
so a test can count lookups and creations. One line per request also goes to stderr.
"""

import argparse
import json
import os
import re
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt

CUSTOMERS_PATH = re.compile(r"^/stores/([^/]+)/v3/customers/?$")
REQUIRED_FIELDS = ("email", "first_name", "last_name")


class Store:
    """The fake's state; every access holds the lock (the server is threaded)."""

    def __init__(self, a, secret, api_token):
        self.a = a
        self.secret = secret
        self.api_token = api_token
        self.lock = threading.Lock()
        self.customers = {}  # id -> customer
        self.next_id = 101
        self.seen_jti = set()
        self.log = {"api": [], "logins": []}

    def write_log(self):
        if not self.a.log:
            return
        tmp = self.a.log + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.log, f, indent=1)
        os.replace(tmp, self.a.log)

    # ---------------------------------------------------------------- Customer Login JWT
    def check_login_token(self, token):
        """(customer, redirect path) or raises ValueError with the reason BigCommerce would give."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as e:
            raise ValueError(f"not a JWT: {e}")
        if header.get("alg") != "HS256":
            raise ValueError(f"alg must be HS256, got {header.get('alg')!r}")
        if header.get("typ") != "JWT":
            raise ValueError(f"header typ must be JWT, got {header.get('typ')!r}")
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"],
                                options={"require": ["iss", "iat", "jti", "operation", "store_hash", "customer_id"],
                                         "verify_aud": False, "verify_iat": True},
                                leeway=self.a.future_skew)  # PyJWT refuses an iat in the future beyond this
        except jwt.InvalidSignatureError:
            raise ValueError("signature does not verify with the app's client secret")
        except jwt.PyJWTError as e:
            raise ValueError(f"{type(e).__name__}: {e}")
        if claims["iss"] != self.a.client_id:
            raise ValueError(f"iss must be the app's client id {self.a.client_id!r}, got {claims['iss']!r}")
        iat = claims["iat"]
        if not isinstance(iat, int) or isinstance(iat, bool):
            raise ValueError(f"iat must be an integer, got {iat!r}")
        now = time.time()
        if now - iat > self.a.max_age:
            raise ValueError(f"token expired: iat is {int(now - iat)} s old (at most {self.a.max_age} s)")
        if iat > now + self.a.future_skew:
            raise ValueError(f"iat is {int(iat - now)} s in the future")
        if claims["operation"] != "customer_login":
            raise ValueError(f"operation must be customer_login, got {claims['operation']!r}")
        if claims["store_hash"] != self.a.store_hash:
            raise ValueError(f"store_hash must be {self.a.store_hash!r}, got {claims['store_hash']!r}")
        cid = claims["customer_id"]
        if not isinstance(cid, int) or isinstance(cid, bool):
            raise ValueError(f"customer_id must be an integer, got {cid!r}")
        if "channel_id" in claims:
            ch = claims["channel_id"]
            if not isinstance(ch, int) or isinstance(ch, bool):
                raise ValueError(f"channel_id must be an integer, got {ch!r}")
            if ch != self.a.channel_id:
                raise ValueError(f"channel {ch} does not exist (this store has channel {self.a.channel_id})")
        redirect = claims.get("redirect_to")
        if redirect is not None:
            if not isinstance(redirect, str) or not redirect.startswith("/") or redirect.startswith("//") \
                    or "\\" in redirect or urlsplit(redirect).scheme or urlsplit(redirect).netloc:
                raise ValueError(f"redirect_to must be a relative path, got {redirect!r}")
        if "request_ip" in claims and not isinstance(claims["request_ip"], str):
            raise ValueError("request_ip must be a string")
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise ValueError("jti must be a non-empty string")
        with self.lock:
            if jti in self.seen_jti:
                raise ValueError(f"jti {jti} has already been used")
            customer = self.customers.get(cid)
            if customer is None:
                raise ValueError(f"customer {cid} does not exist in this store")
            self.seen_jti.add(jti)
        return customer, redirect or "/", jti


def make_handler(store):
    a = store.a

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "bigcommerce-fake/1"

        def log_message(self, fmt, *args):
            sys.stderr.write("bigcommerce-fake: " + (fmt % args) + "\n")

        def reply(self, status, body, content_type="application/json", headers=()):
            data = (json.dumps(body) if content_type == "application/json" else body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def read_body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        # ------------------------------------------------------------ API
        def api(self, method):
            parts = urlsplit(self.path)
            m = CUSTOMERS_PATH.match(parts.path)
            query = parse_qsl(parts.query, keep_blank_values=True)
            entry = {"method": method, "path": parts.path, "query": parts.query}
            body = self.read_body() if method == "POST" else b""
            status, answer = self.api_answer(method, m, query, body, entry)
            entry["status"] = status
            with store.lock:
                store.log["api"].append(entry)
                store.write_log()
            self.reply(status, answer)

        def api_answer(self, method, m, query, body, entry):
            if self.headers.get("X-Auth-Token") != store.api_token:
                return 401, {"status": 401, "title": "Unauthorized: X-Auth-Token missing or wrong"}
            if not m:
                return 404, {"status": 404, "title": "not found"}
            if m.group(1) != a.store_hash:
                return 404, {"status": 404, "title": f"no store {m.group(1)}"}
            if method == "GET":
                emails = None
                for k, v in query:
                    if k == "email:in":
                        emails = {e.strip().lower() for e in v.split(",") if e.strip()}
                with store.lock:
                    found = [c for c in store.customers.values() if emails is None or c["email"].lower() in emails]
                return 200, {"data": found, "meta": {"pagination": {"total": len(found), "count": len(found),
                                                                     "per_page": 50, "current_page": 1, "total_pages": 1}}}
            if method != "POST":
                return 405, {"status": 405, "title": "method not allowed"}
            if "application/json" not in (self.headers.get("Content-Type") or ""):
                return 415, {"status": 415, "title": "Content-Type must be application/json"}
            try:
                items = json.loads(body)
            except ValueError:
                return 400, {"status": 400, "title": "body is not JSON"}
            entry["body"] = items
            if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
                return 422, {"status": 422, "title": "the body must be a JSON array of customer objects"}
            errors = {}
            for n, item in enumerate(items):
                for f in REQUIRED_FIELDS:
                    if not isinstance(item.get(f), str) or not item[f].strip():
                        errors[f"[{n}].{f}"] = f"{f} is required"
                if "customer_group_id" in item and (not isinstance(item["customer_group_id"], int) or isinstance(item["customer_group_id"], bool)):
                    errors[f"[{n}].customer_group_id"] = "customer_group_id must be an integer"
            if errors:
                return 422, {"status": 422, "title": "Input is invalid", "errors": errors}
            with store.lock:
                taken = {c["email"].lower() for c in store.customers.values()}
                for n, item in enumerate(items):
                    if item["email"].lower() in taken:
                        return 422, {"status": 422, "title": f"The email address {item['email']} is already in use"}
                created = []
                for item in items:
                    c = dict(item)
                    c["id"] = store.next_id
                    store.next_id += 1
                    c.setdefault("customer_group_id", 0)
                    c["date_created"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                    store.customers[c["id"]] = c
                    created.append(c)
            return 200, {"data": created, "meta": {}}

        # ------------------------------------------------------------ storefront
        def storefront(self):
            path = urlsplit(self.path).path
            if path.startswith("/login/token/"):
                token = unquote(path[len("/login/token/"):])
                entry = {"status": None, "customer_id": None, "email": None, "redirect": None, "reason": None, "jti": None}
                try:
                    customer, redirect, jti = store.check_login_token(token)
                except ValueError as e:
                    entry.update(status=400, reason=str(e))
                    sys.stderr.write(f"bigcommerce-fake: login refused: {e}\n")
                    with store.lock:
                        store.log["logins"].append(entry)
                        store.write_log()
                    return self.reply(400, f"login refused: {e}\n", "text/plain")
                entry.update(status=302, customer_id=customer["id"], email=customer["email"], redirect=redirect, jti=jti)
                sys.stderr.write(f"bigcommerce-fake: signed in customer {customer['id']} ({customer['email']}) → {redirect}\n")
                with store.lock:
                    store.log["logins"].append(entry)
                    store.write_log()
                return self.reply(302, f"signed in customer {customer['id']} ({customer['email']})\n", "text/plain",
                                  [("Location", redirect), ("Set-Cookie", f"SHOP_SESSION_TOKEN=fake-{customer['id']}; Path=/; HttpOnly")])
            return self.reply(200, f"storefront page {path}\n", "text/plain")

        def do_GET(self):
            if self.path.startswith("/stores/"):
                return self.api("GET")
            return self.storefront()

        def do_POST(self):
            if self.path.startswith("/stores/"):
                return self.api("POST")
            self.read_body()
            return self.reply(405, {"status": 405, "title": "method not allowed"})

        def do_PUT(self):
            return self.do_POST()

        def do_DELETE(self):
            return self.do_POST()

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--store-hash", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret-env", required=True, help="environment variable holding the app's client secret")
    p.add_argument("--api-token-env", required=True, help="environment variable holding the API token (X-Auth-Token)")
    p.add_argument("--channel-id", type=int, default=1)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--log", help="JSON log of API calls and logins")
    p.add_argument("--max-age", type=int, default=30, help="seconds a login token's iat is honoured (BigCommerce: 30)")
    p.add_argument("--future-skew", type=int, default=5, help="seconds iat may be in the future")
    a = p.parse_args()
    secret, token = os.environ.get(a.client_secret_env), os.environ.get(a.api_token_env)
    if not secret or not token:
        p.error(f"${a.client_secret_env} and ${a.api_token_env} must be set")
    store = Store(a, secret, token)
    store.write_log()
    server = ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(store))
    server.daemon_threads = True
    port = server.server_address[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(a.port_file + ".tmp", a.port_file)
    print(f"port {port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
