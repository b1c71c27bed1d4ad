#!/usr/bin/env python3
"""Load and checks for faults.sh: StoreIdP with its PostgreSQL stopped, its import killed, its
server terminated under load.

    faults.py outage --config FILE
        Requests in a loop (one thread per path and connection mode) against a running node, with
        the customer's session cookie, while PostgreSQL is stopped and started again:
        FILE: {"base", "jar", "pid", "paths": {"sso-jwt": P, "sso-saml": P, "login": P,
        "readyz": P, "healthz": P}, "pg_stop": [argv], "pg_start": [argv], "before_seconds",
        "down_seconds", "bound_seconds", "recovery_seconds", "records": FILE, "jtis": FILE}.
        Prints `ok:`/`FAILED:` lines (details indented); exit 0 when all passed.
    faults.py sigterm --config FILE
        16 requests in flight against /sso/{slug} (a JWT partner), SIGTERM to the server mid-load,
        then waits for the process to end. FILE: {"base", "jar", "pid", "path", "workers",
        "warm_signins", "warm_seconds", "bound_seconds", "exit_seconds", "psql": [argv], "slug",
        "records": FILE, "jtis": FILE}. Every request fully written before the signal must get a
        complete answer; the `jti` of every sign-in answered goes to the jtis file.
    faults.py audit-compare --records FILE --audit FILE --ref t_signal|t_stop1 --ref-name NAME --label TEXT
        The jti of every JWT sign-in answered (a records file of outage or sigterm) against the
        subject_id of the jwt.issued rows (one a line): one row each; missing rows are listed with
        when their request was sent and answered relative to the signal or the stop.
    faults.py import-csv --rows N --run RUN --password P --out FILE
        A customer CSV (email, first_name, last_name, password_hash as Magento 2's `hash:salt:1`,
        one salt per row) of N rows; emails end in @import-RUN.example.
    faults.py import-check --csv FILE --dump FILE [--complete] [--before FILE]
        Compares a `psql` dump of the customers rows of that domain (tab-separated: id, email,
        email_key, first_name, last_name, password_hash, segments, attributes, status,
        created_at, updated_at; NULL as <NULL>) with the file.

Each request is a plain http.client request (no retries): `t_sent` is when its bytes were
written to the socket, so "sent before the signal" is exact. Only the URLs given are contacted.
"""

import argparse
import base64
import csv
import hashlib
import http.client
import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

sys.dont_write_bytecode = True


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, text, details=()):
        self.passed += 1
        print(f"ok: {text}", flush=True)
        for d in details:
            print(f"    {d}", flush=True)

    def bad(self, text, details=()):
        self.failed += 1
        print(f"FAILED: {text}", flush=True)
        for d in list(details)[:40]:
            print(f"    {d}", flush=True)

    def check(self, cond, text, details=(), ok_details=()):
        (self.ok(text, ok_details) if cond else self.bad(text, details))
        return cond


def cookie_header(jar_path):
    jar = http.cookiejar.LWPCookieJar(jar_path)
    jar.load(ignore_discard=True, ignore_expires=True)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def jwt_claims(token):
    try:
        part = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except Exception:  # noqa: BLE001
        return {}


# ---------------------------------------------------------------------------------------- one request
class Client:
    """One connection's worth of requests: keep-alive (one connection reused, as a browser or a load
    balancer does) or a new connection per request (`Connection: close`)."""

    def __init__(self, host, port, cookie, keepalive, timeout, t0):
        self.host, self.port, self.cookie = host, port, cookie
        self.keepalive, self.timeout, self.t0 = keepalive, timeout, t0
        self.conn = None

    def now(self):
        return time.monotonic() - self.t0

    def drop(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001
                pass
        self.conn = None

    def get(self, name, path):
        rec = {"name": name, "path": path, "mode": ("keep-alive" if self.keepalive else "new connection")
               + ("" if self.cookie else ", no cookie"),
               "reused": False, "t_start": self.now(), "t_sent": None, "t_end": None, "status": None,
               "stage": None, "error": None, "content_type": None, "location": None, "retry_after": None,
               "body_bytes": None, "body_excerpt": None, "saml_form": False}
        stage = "connect"
        try:
            if self.conn is None or not self.keepalive:
                self.drop()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.connect()
            else:
                rec["reused"] = True
            stage = "send"
            headers = {"Accept": "text/html,application/json", "Connection": "keep-alive" if self.keepalive else "close"}
            if self.cookie:
                headers["Cookie"] = self.cookie
            self.conn.request("GET", path, headers=headers)
            rec["t_sent"] = self.now()
            stage = "status line"
            r = self.conn.getresponse()
            rec["status"] = r.status
            rec["content_type"] = r.getheader("content-type")
            rec["location"] = r.getheader("location")
            rec["retry_after"] = r.getheader("retry-after")
            stage = "body"
            body = r.read()   # IncompleteRead when shorter than Content-Length or a chunk is cut
            rec["body_bytes"] = len(body)
            text = body.decode("utf-8", "replace")
            rec["saml_form"] = 'name="SAMLResponse"' in text and 'id="post-form"' in text
            if r.status >= 400 or name.startswith(("readyz", "healthz")):
                rec["body_excerpt"] = " ".join(text.split())[:160]
            if r.will_close or not self.keepalive:
                self.drop()
            stage = None
        except Exception as e:  # noqa: BLE001
            rec["stage"] = stage
            rec["error"] = f"{type(e).__name__}: {e}"[:200]
            self.drop()
        rec["t_end"] = self.now()
        return rec


def jti_of(rec):
    if rec["location"] and "jwt=" in rec["location"]:
        tok = parse_qs(urlsplit(rec["location"]).query).get("jwt", [""])[0]
        return jwt_claims(tok).get("jti")
    return None


def signed_in(rec):
    """A complete, successful sign-in answer."""
    if rec["error"]:
        return False
    if rec["name"].startswith("sso-jwt") or rec["name"] == "sso":
        return rec["status"] in (302, 303) and jti_of(rec) is not None
    if rec["name"].startswith("sso-saml"):
        return rec["status"] == 200 and rec["saml_form"]
    return False


def describe(rec, ref=None, ref_name="stop"):
    at = ""
    if ref is not None:
        t = rec["t_sent"] if rec["t_sent"] is not None else rec["t_start"]
        at = f" sent {t - ref:+.3f} s from the {ref_name},"
    took = rec["t_end"] - rec["t_start"]
    what = f"status {rec['status']}" if rec["status"] is not None else "no answer"
    if rec["error"]:
        what += f", {rec['error']} (at the {rec['stage']})"
    extra = ""
    if rec["content_type"]:
        extra += f" [{rec['content_type']}]"
    if rec["body_excerpt"]:
        extra += f" body: {rec['body_excerpt'][:110]!r}"
    return (f"GET {rec['path'][:60]} ({rec['mode']}{', reused' if rec['reused'] else ''}):{at} "
            f"took {took:.3f} s, {what}{extra}")


class Load:
    def __init__(self, host, port, cookie, plan, timeout, t0):
        """plan: [(name, path, keepalive)] or [(name, path, keepalive, send_cookie)], one thread each."""
        self.plan = plan
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.records = []
        self.stop_on_failure_after = None  # a time: a connection failure after it ends that thread
        self.threads = [threading.Thread(target=self._run, args=(Client(host, port, cookie if (p + (True,))[3] else None, p[2], timeout, t0),
                                                                 p[0], p[1]), daemon=True) for p in plan]

    def _run(self, client, name, path):
        while not self.stop_flag.is_set():
            rec = client.get(name, path)
            with self.lock:
                self.records.append(rec)
            after = self.stop_on_failure_after
            if after is not None and rec["error"] and rec["t_start"] >= after:
                return

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self, join_seconds):
        self.stop_flag.set()
        deadline = time.monotonic() + join_seconds
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return [t for t in self.threads if t.is_alive()]

    def snapshot(self):
        with self.lock:
            return list(self.records)


def process_state(pid):
    """'R', 'S', … while it runs; 'Z' once it has exited (a zombie until its parent waits); None when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def run_cmd(argv, timeout=120):
    t = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return p.returncode, time.monotonic() - t, (p.stdout + p.stderr).strip()


def fmt_counts(recs):
    counts = {}
    for r in recs:
        k = str(r["status"]) if r["status"] is not None else f"no answer ({r['stage']})"
        if r["error"] and r["status"] is not None:
            k += f" cut off ({r['stage']})"
        counts[k] = counts.get(k, 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


# ---------------------------------------------------------------------------------------- outage
def cmd_outage(a):
    with open(a.config) as f:
        cfg = json.load(f)
    rep = Report()
    u = urlsplit(cfg["base"])
    cookie = cookie_header(cfg["jar"])
    bound = float(cfg.get("bound_seconds", 15))
    timeout = bound + 10
    t0 = time.monotonic()
    paths = cfg["paths"]
    # two threads per sign-in path (one keep-alive, one new connection per request), one each for the rest;
    # /healthz and /readyz both as the browser sends them (session cookie) and as a supervisor or a load
    # balancer does (no cookie)
    plan = [("sso-jwt", paths["sso-jwt"], True), ("sso-jwt", paths["sso-jwt"], False),
            ("sso-saml", paths["sso-saml"], True), ("sso-saml", paths["sso-saml"], False),
            ("login", paths["login"], True), ("readyz", paths["readyz"], False), ("healthz", paths["healthz"], True),
            ("readyz-anon", paths["readyz"], False, False), ("healthz-anon", paths["healthz"], True, False)]
    load = Load(u.hostname, u.port, cookie, plan, timeout, t0)
    now = lambda: time.monotonic() - t0  # noqa: E731
    pid = int(cfg["pid"])

    load.start()
    time.sleep(float(cfg.get("before_seconds", 2)))  # load before the stop (a duration, not an assertion)
    t_stop0 = now()
    rc, took, out = run_cmd(cfg["pg_stop"])
    t_stop1 = now()
    if not rep.check(rc == 0, f"PostgreSQL stopped under load (pg_ctl -m fast stop, {took:.2f} s)", [f"pg_ctl exit {rc}: {out}"]):
        load.stop(timeout + 5)
        return 1
    time.sleep(float(cfg.get("down_seconds", 8)))     # load while it is down
    stuck = load.stop(timeout + 5)
    t_load_end = now()
    records = load.snapshot()

    # probes with no other load, PostgreSQL still down
    probes = {}
    for name in ("readyz", "healthz", "sso-jwt", "sso-saml", "login", "readyz-anon", "healthz-anon"):
        c = Client(u.hostname, u.port, None if name.endswith("-anon") else cookie, False, timeout, t0)
        probes[name] = c.get(name, paths[name.replace("-anon", "")])
        records.append(probes[name])

    t_start0 = now()
    rc, took, out = run_cmd(cfg["pg_start"])
    t_start1 = now()
    rep.check(rc == 0, f"PostgreSQL started again (pg_ctl start, {took:.2f} s)", [f"pg_ctl exit {rc}: {out}"])

    def phase(r):
        if r["t_end"] < t_stop0:
            return "up"
        if r["t_sent"] is not None and r["t_sent"] >= t_stop1 or (r["t_sent"] is None and r["t_start"] >= t_stop1):
            return "down"
        return "stopping"

    def expected(r, ph):
        """None when the answer is one this phase allows, else why not."""
        if r["error"]:
            return f"{r['error']} at the {r['stage']}"
        took = r["t_end"] - r["t_start"]
        if took > bound:
            return f"took {took:.1f} s (bound {bound:.0f} s)"
        st, name = r["status"], r["name"]
        name = name.replace("-anon", "")
        # /login with a session: 303 to the signed-in page; without one the form (200)
        up_ok = {"sso-jwt": signed_in(r), "sso-saml": signed_in(r), "login": st in (200, 303), "readyz": st == 200,
                 "healthz": st == 200}[name]
        page_503 = st == 503 and "html" in (r["content_type"] or "")
        down_ok = {"sso-jwt": page_503, "sso-saml": page_503, "login": st == 200 or page_503,
                   "readyz": st == 503, "healthz": st == 200}[name]
        if ph == "up":
            return None if up_ok else f"status {st} (wanted the answer of a working node)"
        if ph == "down":
            return None if down_ok else f"status {st}, wanted " + {
                "sso-jwt": "a 503 page", "sso-saml": "a 503 page", "login": "200 or a 503 page", "readyz": "503",
                "healthz": "200"}[name]
        return None if (up_ok or down_ok) else f"status {st} (wanted a working answer or a 503 page)"

    by_phase = {"up": [], "stopping": [], "down": []}
    for r in records:
        by_phase[phase(r)].append(r)

    # 1. before the stop
    ups = by_phase["up"]
    wrong = [(r, expected(r, "up")) for r in ups if expected(r, "up")]
    rep.check(ups and not wrong, f"before the stop: {len(ups)} requests on {len(plan)} connections answered as a working node does "
              f"(sign-ins {sum(signed_in(r) for r in ups)}; {fmt_counts(ups)})",
              [f"{why}: {describe(r, t_stop0)}" for r, why in wrong[:15]] or ["no request completed before the stop"])

    # 2. the requests in flight while pg_ctl stopped the cluster
    st = by_phase["stopping"]
    wrong = [(r, expected(r, "stopping")) for r in st if expected(r, "stopping")]
    rep.check(not wrong, f"requests in flight while pg_ctl stopped the cluster ({len(st)}): a working answer or a 503 page, "
              f"none over {bound:.0f} s ({fmt_counts(st)})",
              [f"{why}: {describe(r, t_stop0)}" for r, why in wrong[:15]])

    # 3. while it is down, path by path
    down = by_phase["down"]
    for name, want in (("sso-jwt", "a 503 page"), ("sso-saml", "a 503 page"), ("login", "200 or a 503 page"),
                       ("readyz", "503"), ("healthz", "200"), ("readyz-anon", "503"), ("healthz-anon", "200")):
        rs = [r for r in down if r["name"] == name]
        how = " without a cookie" if name.endswith("-anon") else " with the session cookie"
        wrong = [(r, expected(r, "down")) for r in rs if expected(r, "down")]
        slowest = max((r["t_end"] - r["t_start"] for r in rs), default=0.0)
        sample = next((r for r in rs if not expected(r, "down")), None)
        extra = []
        if sample is not None and sample["status"] == 503:
            extra.append(f"e.g. {describe(sample)}; Retry-After: {sample['retry_after']}")
        rep.check(rs and not wrong, f"PostgreSQL down: GET {paths[name.replace('-anon', '')]}{how} → {want} every time ({len(rs)} answers: {fmt_counts(rs)}; "
                  f"slowest {slowest:.3f} s, bound {bound:.0f} s)",
                  [f"{why}: {describe(r, t_stop1, 'end of the stop')}" for r, why in wrong[:12]]
                  + ([f"({len(wrong)} such answers in all)"] if len(wrong) > 12 else [])
                  + ([] if rs else ["no answer at all while it was down"]), extra)
    if stuck:
        rep.bad(f"{len(stuck)} load threads were still waiting for an answer {timeout + 5:.0f} s after the load stopped (a hang)")
    slow = sorted((r for r in down + by_phase["stopping"] if r["t_end"] - r["t_start"] > 1),
                  key=lambda r: r["t_end"] - r["t_start"], reverse=True)
    n_all = len(down) + len(by_phase["stopping"])
    print(f"    answers slower than 1 s during or around the outage: {len(slow)} of {n_all}"
          + "".join(f"\n      {describe(r, t_stop1, 'end of the stop')}" for r in slow[:8]), flush=True)

    # 4. recovery, same process
    deadline = t_start1 + float(cfg.get("recovery_seconds", 30))
    first = {}
    seen = []
    client = Client(u.hostname, u.port, cookie, False, timeout, t0)
    while now() < deadline and len(first) < 3:
        for name in ("sso-jwt", "sso-saml", "readyz"):
            if name in first:
                continue
            r = client.get(name, paths[name])
            seen.append(r)
            good = signed_in(r) if name.startswith("sso") else r["status"] == 200
            if good:
                first[name] = r["t_end"] - t_start1
        if len(first) < 3:
            time.sleep(0.2)
    state = process_state(pid)
    bad_between = [r for r in seen if r["error"] or (r["status"] not in (200, 302, 303, 503))]
    rep.check(len(first) == 3 and state not in (None, "Z"),
              "PostgreSQL back: on the same process (pid %d, no restart) a JWT sign-in, a SAML sign-in and /readyz succeed again "
              "(after %s)" % (pid, ", ".join(f"{k} {v:.2f} s" for k, v in sorted(first.items()))),
              [f"within {cfg.get('recovery_seconds', 30)} s of the start: succeeded {sorted(first)}; process state {state!r}"]
              + [describe(r, t_start1, "start") for r in seen[-6:]])
    rep.check(not bad_between, f"… and the {len(seen)} answers while it came back were successes or 503 pages ({fmt_counts(seen)})",
              [describe(r, t_start1, "start") for r in bad_between[:10]])

    jtis = [jti_of(r) for r in records + seen if signed_in(r) and r["name"] == "sso-jwt"]
    with open(cfg["jtis"], "w") as f:
        f.write("".join(f"{j}\n" for j in jtis if j))
    with open(cfg["records"], "w") as f:
        json.dump({"t_stop0": t_stop0, "t_stop1": t_stop1, "t_load_end": t_load_end, "t_start0": t_start0,
                   "t_start1": t_start1, "records": records, "recovery": seen}, f, indent=0)
    return 0 if rep.failed == 0 else 1


# ---------------------------------------------------------------------------------------- sigterm
def cmd_sigterm(a):
    with open(a.config) as f:
        cfg = json.load(f)
    rep = Report()
    u = urlsplit(cfg["base"])
    cookie = cookie_header(cfg["jar"])
    pid = int(cfg["pid"])
    bound = float(cfg.get("bound_seconds", 15))
    exit_bound = float(cfg.get("exit_seconds", 15))
    t0 = time.monotonic()
    now = lambda: time.monotonic() - t0  # noqa: E731
    n = int(cfg.get("workers", 16))
    plan = [("sso", cfg["path"], i % 2 == 0) for i in range(n)]   # half keep-alive, half a new connection each
    load = Load(u.hostname, u.port, cookie, plan, bound + 10, t0)
    load.start()
    warm_deadline = now() + float(cfg.get("warm_seconds", 30))
    want = int(cfg.get("warm_signins", 300))
    while now() < warm_deadline and sum(signed_in(r) for r in load.snapshot()) < want:
        time.sleep(0.05)
    rows_before = None
    try:
        p = subprocess.run(cfg["psql"] + ["-c", f"SELECT count(*) FROM audit_events WHERE kind = 'jwt.issued' AND service_provider = '{cfg['slug']}'"],
                           capture_output=True, text=True, timeout=10)
        rows_before = int(p.stdout.strip())
    except Exception:  # noqa: BLE001
        pass
    signins_before = sum(signed_in(r) for r in load.snapshot())
    t_signal = now()
    os.kill(pid, signal.SIGTERM)
    load.stop_on_failure_after = t_signal
    # the drain: the node says it is not ready (a load balancer moves away) while it still serves
    readiness = []
    while now() < t_signal + 0.8 and not (readiness and readiness[-1] == 503):
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
            c.request("GET", "/readyz")
            readiness.append(c.getresponse().status)
            c.close()
        except OSError as e:
            readiness.append(type(e).__name__)
        time.sleep(0.02)
    t_exit = None
    exit_deadline = t_signal + max(exit_bound, bound) + 10
    while now() < exit_deadline:
        if process_state(pid) in (None, "Z"):
            t_exit = now()
            break
        time.sleep(0.01)
    stuck = load.stop(bound + 15)
    recs = load.snapshot()

    # written before the signal (or failed before it without being written: also a failure)
    before_ids = {id(r) for r in recs if (r["t_sent"] if r["t_sent"] is not None else r["t_end"]) < t_signal}
    sent_before = [r for r in recs if id(r) in before_ids]
    not_sent = [r for r in recs if id(r) not in before_ids]
    in_flight = [r for r in sent_before if r["t_end"] >= t_signal]
    bad_before = [r for r in sent_before if not signed_in(r) or r["t_end"] - r["t_start"] > bound]
    rep.check(sent_before and not bad_before,
              f"every request written before SIGTERM ({len(sent_before)}, of which {len(in_flight)} were in flight at the signal) "
              f"got a complete sign-in answer within {bound:.0f} s ({fmt_counts(sent_before)})",
              [f"{describe(r, t_signal, 'signal')}" for r in bad_before[:20]]
              + ([f"({len(bad_before)} in all; by mode: " + ", ".join(
                  f"{m} {sum(r['mode'] == m for r in bad_before)}" for m in ("keep-alive", "new connection")) + ")"] if bad_before else []))
    # after the signal: a complete answer, a 503 page, or refused before any answer (connect refused/reset)
    def after_ok(r):
        if signed_in(r):
            return True
        if r["error"] is None:
            return r["status"] == 503
        return r["status"] is None and r["stage"] in ("connect", "send", "status line")
    bad_after = [r for r in not_sent if not after_ok(r)]
    answered_after = [r for r in not_sent if signed_in(r)]
    rep.check(not bad_after,
              f"requests written after SIGTERM ({len(not_sent)}): answered completely ({len(answered_after)}) or refused before any "
              f"answer byte, none cut off or 500 ({fmt_counts(not_sent)})",
              [describe(r, t_signal, "signal") for r in bad_after[:15]])
    rep.check(readiness and readiness[-1] == 503,
              f"during the drain after SIGTERM /readyz answers 503 (answers seen: {', '.join(map(str, readiness[-5:]))})")
    if stuck:
        rep.bad(f"{len(stuck)} load threads still waited for an answer long after the signal (a hang)")
    rep.check(t_exit is not None and t_exit - t_signal <= exit_bound,
              f"the server process ended {t_exit - t_signal:.2f} s after SIGTERM (bound {exit_bound:.0f} s)" if t_exit is not None
              else f"the server process had not ended {exit_deadline - t_signal:.0f} s after SIGTERM",
              [f"process state {process_state(pid)!r}"])
    jtis = [jti_of(r) for r in recs if signed_in(r)]
    with open(cfg["jtis"], "w") as f:
        f.write("".join(f"{j}\n" for j in jtis))
    with open(cfg["records"], "w") as f:
        json.dump({"t_signal": t_signal, "t_exit": t_exit, "records": recs}, f, indent=0)
    print(f"    sign-ins answered: {len(jtis)} ({signins_before} before the signal was sent); audit rows of them in the "
          f"database just before SIGTERM: {rows_before}", flush=True)
    return 0 if rep.failed == 0 else 1


# ---------------------------------------------------------------------------------------- audit-compare
def cmd_audit_compare(a):
    """The jti of every JWT sign-in answered (records file of outage or sigterm) against the
    subject_id of the jwt.issued audit rows (one a line): one row each, no more, no fewer."""
    rep = Report()
    with open(a.records) as f:
        d = json.load(f)
    ref = d[a.ref]
    recs = [r for r in d["records"] + d.get("recovery", []) if r["name"] in ("sso", "sso-jwt") and signed_in(r)]
    answered = {}
    for r in recs:
        answered.setdefault(jti_of(r), r)
    with open(a.audit) as f:
        rows = [line.strip() for line in f if line.strip()]
    counts = {}
    for j in rows:
        counts[j] = counts.get(j, 0) + 1
    missing = [r for j, r in answered.items() if j not in counts]
    extra = [j for j in counts if j not in answered]
    doubled = [j for j, n in counts.items() if n > 1]
    missing.sort(key=lambda r: r["t_end"])
    details = [f"no audit row: {describe(r, ref, a.ref_name)}, answered {r['t_end'] - ref:+.3f} s from the {a.ref_name}"
               for r in missing[:15]]
    if missing:
        before = sum(1 for r in missing if r["t_sent"] < ref)
        details.append(f"{len(missing)} answered sign-ins without a row ({before} of them written before the {a.ref_name}); "
                       f"the last sign-in with a row was answered "
                       f"{max((r['t_end'] for j, r in answered.items() if j in counts), default=ref) - ref:+.3f} s from the {a.ref_name}")
    details += [f"audit row for a sign-in no client received: jti {j}" for j in extra[:5]]
    details += [f"{counts[j]} rows for jti {j}" for j in doubled[:5]]
    rep.check(answered and not missing and not extra and not doubled,
              f"{a.label}: {len(rows)} jwt.issued rows in audit_events for the {len(answered)} JWT sign-ins answered — one each "
              f"({len(missing)} missing, {len(extra)} without an answered sign-in, {len(doubled)} doubled)", details)
    return 0 if rep.failed == 0 else 1


# ---------------------------------------------------------------------------------------- import
def email_of(i, run):
    return f"Cust{i:05d}.{run}@Import-{run}.example"


def cmd_import_csv(a):
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["email", "first_name", "last_name", "password_hash"])
        for i in range(1, a.rows + 1):
            salt = f"s{i:05d}{a.run}"
            digest = hashlib.sha256((salt + a.password).encode()).hexdigest()
            w.writerow([email_of(i, a.run), f"First{i}", f"Last{i}", f"{digest}:{salt}:1"])
    return 0


COLUMNS = ["id", "email", "email_key", "first_name", "last_name", "password_hash", "segments", "attributes",
           "status", "created_at", "updated_at"]
REQUIRED = ["id", "email", "email_key", "segments", "attributes", "status", "created_at", "updated_at"]


def read_dump(path):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            rows.append((n, parts))
    return rows


def cmd_import_check(a):
    rep = Report()
    with open(a.csv, newline="") as f:
        r = csv.DictReader(f)
        file_rows = {}
        for line, row in enumerate(r, 2):
            file_rows[row["email"].lower()] = (line, row)
    dump = read_dump(a.dump)
    problems = []
    lines_present = []
    by_key = {}
    for n, parts in dump:
        if len(parts) != len(COLUMNS):
            problems.append(f"dump line {n}: {len(parts)} columns, wanted {len(COLUMNS)}: {parts!r:.200}")
            continue
        d = dict(zip(COLUMNS, parts))
        nulls = [c for c in REQUIRED if d[c] in ("<NULL>", "")]
        if nulls:
            problems.append(f"{d['email']}: NULL or empty {', '.join(nulls)}")
        got = file_rows.get(d["email_key"])
        if got is None:
            problems.append(f"{d['email']}: email_key {d['email_key']!r} is not a (lower-cased) email of the file")
            continue
        line, want = got
        lines_present.append(line)
        by_key[d["email_key"]] = d
        diff = [f"{col} {d[dcol]!r} ≠ {want[col]!r}" for col, dcol in
                (("email", "email"), ("first_name", "first_name"), ("last_name", "last_name"), ("password_hash", "password_hash"))
                if d[dcol] != want[col]]
        if diff:
            problems.append(f"line {line}: " + "; ".join(diff))
    total = len(file_rows)
    count = len(dump)
    if a.complete:
        missing = sorted(line for key, (line, _) in file_rows.items() if key not in by_key)
        rep.check(count == total and not missing and not problems,
                  f"after the second import: exactly {count} of the file's {total} customers, each row complete and equal to its line",
                  problems[:20] + ([f"missing lines: {missing[:20]}{' …' if len(missing) > 20 else ''} ({len(missing)} in all)"] if missing else []))
    else:
        lines_present.sort()
        prefix = lines_present == list(range(2, 2 + len(lines_present)))
        rep.check(count <= total and not problems,
                  f"after the SIGKILL: {count} of {total} customers present (≤ {total}), every one complete (no NULL email, email_key, "
                  f"created_at, …) and equal to its line of the file",
                  problems[:20],
                  [f"rows present: the file's first {count} rows" if prefix else
                   f"rows present: not a prefix of the file (lines {lines_present[:5]} … {lines_present[-5:]})",
                   f"{count % 1000} rows beyond whole batches of 1000" + ("" if count % 1000 == 0 else " (a batch is one transaction)")])
    if a.before:
        before = {}
        for n, parts in read_dump(a.before):
            if len(parts) == len(COLUMNS):
                d = dict(zip(COLUMNS, parts))
                before[d["email_key"]] = d
        changed = []
        for key, old in before.items():
            new = by_key.get(key)
            if new != old:
                changed.append(f"{old['email']}: " + (", ".join(f"{c} {old[c]!r} → {new[c]!r}" for c in COLUMNS if old[c] != new[c])
                                                     if new else "gone"))
        rep.check(not changed, f"the {len(before)} rows present after the SIGKILL are unchanged by the second import (id, created_at, "
                  "updated_at and every other column)", changed[:15])
    return 0 if rep.failed == 0 else 1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("outage")
    s.add_argument("--config", required=True)
    s = sub.add_parser("sigterm")
    s.add_argument("--config", required=True)
    s = sub.add_parser("import-csv")
    s.add_argument("--rows", type=int, required=True)
    s.add_argument("--run", required=True)
    s.add_argument("--password", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("import-check")
    s.add_argument("--csv", required=True)
    s.add_argument("--dump", required=True)
    s.add_argument("--complete", action="store_true")
    s.add_argument("--before")
    s = sub.add_parser("audit-compare")
    s.add_argument("--records", required=True)
    s.add_argument("--audit", required=True)
    s.add_argument("--ref", required=True, help="t_signal or t_stop1")
    s.add_argument("--ref-name", required=True)
    s.add_argument("--label", required=True)
    a = p.parse_args(argv)
    return {"outage": cmd_outage, "sigterm": cmd_sigterm, "import-csv": cmd_import_csv,
            "import-check": cmd_import_check, "audit-compare": cmd_audit_compare}[a.command](a)


if __name__ == "__main__":
    sys.exit(main())
