#!/usr/bin/env python3
"""The browser side of the interop tests: a `requests.Session` against a running StoreIdP.

Usable as a module (`Browser`, `parse_post_form`) or from the shell, where the cookie jar is kept
in a file between calls so several steps share one browser session:

    browser.py --base URL --jar FILE login --email E --password P [--return-to PATH]
    browser.py --base URL --jar FILE get PATH_OR_URL [--follow]
    browser.py --base URL --jar FILE post PATH_OR_URL --field NAME=VALUE ... [--follow]
    browser.py --base URL --jar FILE fetch PATH --out FILE        (e.g. /saml/metadata)

Each prints one JSON object: {"status", "location", "form", "body_excerpt"}; `form` is our
auto-POST page parsed ({"action", "fields": {name: value}}) or null. Exit 0 when the request was
made (whatever the status), 2 on bad usage or no connection. Only the URLs given are contacted.
"""

import argparse
import http.cookiejar
import json
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class _PostFormParser(HTMLParser):
    """Finds `<form id="post-form" method="post" action="…">` and its hidden inputs.

    html.parser unescapes attribute values, so `action` and the field values come back as the
    browser would submit them.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.form = None
        self._inside = False
        self._forms_seen = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "post-form":
            self._forms_seen += 1
            self._inside = True
            self.form = {"action": a.get("action"), "method": (a.get("method") or "").lower(), "fields": {}}
        elif tag == "input" and self._inside and (a.get("type") or "").lower() == "hidden" and a.get("name"):
            self.form["fields"][a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def parse_post_form(html):
    """Our auto-POST page → {"action", "method", "fields"}, or None when the page has no such form."""
    p = _PostFormParser()
    p.feed(html or "")
    p.close()
    if p._forms_seen > 1:
        raise ValueError("more than one post-form on the page")
    return p.form


class _HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            self.fields.setdefault(a["name"], a.get("value") or "")


def hidden_field(html, name):
    p = _HiddenInputs()
    p.feed(html or "")
    return p.fields.get(name)


class Browser:
    def __init__(self, base, jar_path=None, timeout=10):
        self.base = base.rstrip("/") + "/"
        self.timeout = timeout
        self.session = requests.Session()
        self.jar_path = jar_path
        jar = http.cookiejar.LWPCookieJar(jar_path) if jar_path else http.cookiejar.LWPCookieJar()
        if jar_path:
            try:
                jar.load(ignore_discard=True, ignore_expires=True)
            except FileNotFoundError:
                pass
        self.session.cookies = jar

    def save(self):
        if self.jar_path:
            self.session.cookies.save(ignore_discard=True, ignore_expires=True)

    def url(self, path):
        return urljoin(self.base, path)

    def get(self, path, follow=False):
        r = self.session.get(self.url(path), allow_redirects=follow, timeout=self.timeout)
        self.save()
        return r

    def post(self, path, data, follow=False):
        r = self.session.post(self.url(path), data=data, allow_redirects=follow, timeout=self.timeout)
        self.save()
        return r

    def login(self, email, password, return_to=None):
        page = self.get("/login" + (f"?return_to={requests.utils.quote(return_to, safe='')}" if return_to else ""))
        csrf = hidden_field(page.text, "csrf")
        if not csrf:
            raise RuntimeError(f"GET /login ({page.status_code}): no hidden csrf field")
        data = {"email": email, "password": password, "csrf": csrf}
        if return_to is not None:
            data["return_to"] = return_to
        return self.post("/login", data)


def describe(r):
    try:
        form = parse_post_form(r.text) if "html" in r.headers.get("content-type", "") else None
    except ValueError as e:
        form = {"error": str(e)}
    return {"status": r.status_code, "url": r.url, "location": r.headers.get("location"),
            "form": form, "body_excerpt": r.text[:300]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="StoreIdP base URL")
    p.add_argument("--jar", required=True, help="cookie jar file (created when missing)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("login")
    s.add_argument("--email", required=True)
    s.add_argument("--password", required=True)
    s.add_argument("--return-to")
    s = sub.add_parser("get")
    s.add_argument("path")
    s.add_argument("--follow", action="store_true")
    s = sub.add_parser("post")
    s.add_argument("path")
    s.add_argument("--field", action="append", default=[], metavar="NAME=VALUE")
    s.add_argument("--fields-json", help="a JSON object of form fields")
    s.add_argument("--follow", action="store_true")
    s = sub.add_parser("fetch")
    s.add_argument("path")
    s.add_argument("--out", required=True)
    args = p.parse_args(argv)

    b = Browser(args.base, args.jar)
    try:
        if args.command == "login":
            r = b.login(args.email, args.password, args.return_to)
        elif args.command == "get":
            r = b.get(args.path, follow=args.follow)
        elif args.command == "post":
            data = json.loads(args.fields_json) if args.fields_json else {}
            for f in args.field:
                k, sep, v = f.partition("=")
                if not sep:
                    p.error(f"--field {f}: NAME=VALUE expected")
                data[k] = v
            r = b.post(args.path, data, follow=args.follow)
        else:
            r = b.get(args.path)
            if r.status_code != 200:
                print(json.dumps(describe(r)))
                return 1
            with open(args.out, "wb") as f:
                f.write(r.content)
    except (requests.RequestException, RuntimeError) as e:
        print(f"browser.py: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    print(json.dumps(describe(r)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
