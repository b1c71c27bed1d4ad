#!/usr/bin/env bash
# Faults on PostgreSQL: what a node does when its database goes away and comes back, when a
# customer import is killed half-way, and when the server is terminated under load.
#
#   bash Tests/Interop/with-postgres.sh bash Tests/Interop/faults.sh
#        (needs a built storeidp binary or $STOREIDP_BIN, $STOREIDP_INTEROP_PYTHON or
#         .build/interop-venv (requests), openssl, curl; the cluster's data folder and binaries
#         from with-postgres.sh: STOREIDP_TEST_PG_DATA, STOREIDP_TEST_PG_BIN, STOREIDP_TEST_PG_RUNAS)
#
# 1. Database stopped under load: one `serve` node, a customer signed in (session cookie), and
#    requests in a loop (Tests/Interop/faults.py outage: one thread per path and connection mode,
#    keep-alive and a new connection per request) against GET /sso/{slug} of a JWT (HS256) and a
#    SAML partner, /login, /readyz and /healthz. PostgreSQL is stopped (pg_ctl -m fast) under that
#    load and left down for a few seconds. While it is down every answer must be a 503 page (200
#    for /healthz; /login may be 200 or 503), never a 500 or a dropped connection, each within
#    15 s (the slowest is printed); /readyz 503. PostgreSQL is started again (the same options as
#    with-postgres.sh): within 30 s the same process (no restart) signs in again (JWT and SAML),
#    /readyz is 200, a new password login works, and the audit rows of every JWT sign-in answered
#    before, during and after the outage are in audit_events.
# 2. SIGKILL during `customers import`: a CSV of 20,000 customers (FAULTS_IMPORT_ROWS) with Magento
#    `hash:salt:1` password hashes (no bcrypt work), the import started in the background and
#    killed (SIGKILL) as soon as psql sees its first rows. Then every row present must be complete
#    and equal to its line (no NULL email, email_key, created_at, …), at most 20,000. The same
#    import again completes: exactly 20,000 rows, its report says the rows already there are
#    unchanged (and created the rest), and those rows are indeed unchanged (every column).
# 3. SIGTERM under load: a node with STOREIDP_AUDIT_BATCH_MS=5000 (audit rows wait in memory),
#    16 requests in flight against /sso/{slug} of a JWT partner (faults.py sigterm), SIGTERM to
#    the server: every request whose bytes were written before the signal gets a complete sign-in
#    answer; requests after it are answered or refused before any byte (never cut off); the
#    process exits 0 within 15 s; and audit_events then holds exactly one jwt.issued row per
#    sign-in answered (the jti of each token), so the rows waiting at the signal were flushed.
#
# Fresh names per run (the database may hold rows of other scripts run under the same
# with-postgres.sh); the key folder is new. PostgreSQL is running again when the script ends.
# STOREIDP_INTEROP_KEEP=1 keeps the temp folder (node logs, CSV, psql dumps, every request's record).
# Prints one `ok: …` or `FAILED: …` line per check, then `faults: N passed, M failed`; exits
# non-zero when a check failed. Everything listens on and talks to 127.0.0.1 only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init faults
need_postgres
[ -n "${STOREIDP_TEST_PG_DATA:-}" ] && [ -x "${STOREIDP_TEST_PG_BIN:-}/pg_ctl" ] && [ -x "$STOREIDP_TEST_PG_BIN/psql" ] \
  || refuse "STOREIDP_TEST_PG_DATA and STOREIDP_TEST_PG_BIN (pg_ctl, psql) are not set; run under Tests/Interop/with-postgres.sh"
need_tools openssl curl
need_python 'import requests' requests

# ------------------------------------------------------------------ the cluster, as with-postgres.sh started it
PGBIN="$STOREIDP_TEST_PG_BIN"
PGDATA_DIR="$STOREIDP_TEST_PG_DATA"
PGHOME="$(dirname "$PGDATA_DIR")"      # socket folder and server log
read -r -a PG_RUNAS <<<"${STOREIDP_TEST_PG_RUNAS:-}"
PG_PORT="$("$PY" -c 'import sys; from urllib.parse import urlsplit; print(urlsplit(sys.argv[1]).port or 5432)' "$STOREIDP_TEST_DATABASE_URL")"
PG_STOP=("${PG_RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop)
PG_START=("${PG_RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -o "-p $PG_PORT -k $PGHOME -c listen_addresses=127.0.0.1 -c fsync=off" -l "$PGHOME/log" -w start)
PSQL=("$PGBIN/psql" "$STOREIDP_TEST_DATABASE_URL" -X -A -t -q -v ON_ERROR_STOP=1)
pg_running() { "${PG_RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; }
sql() { "${PSQL[@]}" -c "$1"; }

make_work   # the nodes and the import go into BG_PIDS, for cleanup
# later scripts under the same with-postgres.sh need the cluster
on_cleanup() { pg_running || "${PG_START[@]}" >/dev/null 2>&1 || echo "faults: could not start PostgreSQL again" >&2; }

argv_json() { "$PY" -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@"; }
RUN="$(random_run_id)"   # fresh names per run (the database may be reused)
server_env "$STOREIDP_TEST_DATABASE_URL" "http://127.0.0.1:8080"   # STOREIDP_BASE_URL for the commands; each node gets its own
export FAULTS_JWT_SECRET="$(random_secret)"

EMAIL="ann.$RUN@faults.example"
PASSWORD='faults correct horse 7'
SP_HOST=http://127.0.0.1:9   # nothing listens there: Locations and auto-POST forms are read, never followed
JWT_SLUG="faults-jwt-$RUN"; SAML_SLUG="faults-saml-$RUN"; TERM_SLUG="faults-term-$RUN"
ROWS="${FAULTS_IMPORT_ROWS:-20000}"
FP=("$PY" "$HERE/faults.py")

# The warnings and errors a node logged, counted (request ids dropped, lines shortened), for the report.
log_summary() {  # LOG [MAX]
  grep -E '^\[ (WARNING|ERROR|CRITICAL) \]' "$1" 2>/dev/null | sed -E 's/,? ?request-id: [0-9A-Fa-f-]{36}//; s/ \[\]$//' \
    | cut -c1-230 | sort | uniq -c | sort -rn | head -n "${2:-8}" | sed 's/^ *\([0-9]*\) /    node log, \1×: /' || true
}

# A crash report in a node log (Swift runtime backtrace): the fatal error and the crashed thread's frames.
crash_summary() {  # LOG → file
  { grep -E 'Fatal error|Program crashed|Backtrace took' "$1" | awk '!seen[$0]++' || true
    awk '/ crashed:$/ {on=1; print; next} on && /^\.\.\.$|^Thread / {exit} on && NF {print}' "$1" | head -n 12
  } >"$WORK/crash.why" 2>/dev/null
  echo "$WORK/crash.why"
}

# ------------------------------------------------------------------ nodes
NODE_PID=""
start_node() {  # NAME PORT [VAR=value…] → NODE_PID; log node-NAME.log
  local name="$1" port="$2"; shift 2
  echo "--- serve on port $port $*" >>"$WORK/node-$name.log"
  env STOREIDP_BASE_URL="http://127.0.0.1:$port" "$@" "$BIN" serve --hostname 127.0.0.1 --port "$port" >>"$WORK/node-$name.log" 2>&1 &
  NODE_PID=$!
  BG_PIDS+=("$NODE_PID")
  wait_ready "$name" "$NODE_PID" "$port" "$WORK/node-$name.log"
}

# ------------------------------------------------------------------ providers and the customer
pg_running || die "PostgreSQL is not running at the start (pg_ctl status -D $PGDATA_DIR)"
self_signed_cert saml faults-saml || die "openssl req"
cat >"$WORK/providers.yml" <<EOF
providers:
  - slug: $JWT_SLUG
    name: Faults JWT
    protocol: jwt
    lifetime_seconds: 300
    attributes:
      email: customer.email
    jwt: { algorithm: HS256, secret_env: FAULTS_JWT_SECRET, redirect_url: $SP_HOST/jwt/sso, parameter: jwt, delivery: query }
  - slug: $TERM_SLUG
    name: Faults JWT (SIGTERM)
    protocol: jwt
    lifetime_seconds: 300
    attributes:
      email: customer.email
    jwt: { algorithm: HS256, secret_env: FAULTS_JWT_SECRET, redirect_url: $SP_HOST/term/sso, parameter: jwt, delivery: query }
  - slug: $SAML_SLUG
    name: Faults SAML
    protocol: saml
    lifetime_seconds: 300
    attributes:
      email: customer.email
    saml:
      entity_id: $SP_HOST/saml-$RUN/metadata
      acs_urls: [$SP_HOST/saml-$RUN/acs]
      certificate: saml.crt
      sign: response
EOF
"$BIN" providers apply "$WORK/providers.yml" >"$WORK/apply.out" 2>&1 || die "providers apply" "$WORK/apply.out"
"$BIN" customers add --email "$EMAIL" --password "$PASSWORD" --first-name Ann --last-name Lee \
  >"$WORK/customer.out" 2>&1 || die "customers add" "$WORK/customer.out"

# ------------------------------------------------------------------ 1. database stopped under load
echo "== 1. PostgreSQL stopped under load, then started again (one node, no restart)"
PORT1="$(free_port)"; B1="http://127.0.0.1:$PORT1"
start_node outage "$PORT1"
PID1="$NODE_PID"
JAR1="$WORK/jar-outage"
browser "$B1" --jar "$JAR1" login --email "$EMAIL" --password "$PASSWORD" >"$WORK/login1.json" 2>"$WORK/login1.err" \
  && jtrue "$WORK/login1.json" 'd["status"]==303' || die "login (GET /login csrf, POST /login → 303)" "$(why "$WORK/login1.json" "$WORK/login1.err")"
ok "node up on PostgreSQL (pid $PID1, /readyz 200); the customer signed in (POST /login → 303, session cookie)"
cat >"$WORK/outage.json" <<EOF
{"base": "$B1", "jar": "$JAR1", "pid": $PID1,
 "paths": {"sso-jwt": "/sso/$JWT_SLUG", "sso-saml": "/sso/$SAML_SLUG", "login": "/login", "readyz": "/readyz", "healthz": "/healthz"},
 "pg_stop": $(argv_json "${PG_STOP[@]}"), "pg_start": $(argv_json "${PG_START[@]}"),
 "before_seconds": 2, "down_seconds": 8, "bound_seconds": 15, "recovery_seconds": 30,
 "records": "$WORK/outage-records.json", "jtis": "$WORK/outage-jtis.txt"}
EOF
run_checks "faults.py outage" "$WORK/outage.out" "${FP[@]}" outage --config "$WORK/outage.json"
pg_running || { "${PG_START[@]}" >/dev/null 2>&1 || die "PostgreSQL could not be started again" "$PGHOME/log"; }
if kill -0 "$PID1" 2>/dev/null; then
  browser "$B1" --jar "$WORK/jar-outage2" login --email "$EMAIL" --password "$PASSWORD" >"$WORK/login1b.json" 2>"$WORK/login1b.err" || true
  if jtrue "$WORK/login1b.json" 'd["status"]==303'; then ok "after the outage a new password login on the same process → 303"
  else bad "after the outage a new password login on the same process fails" "$(why "$WORK/login1b.json" "$WORK/login1b.err")"; fi
  # audit rows of JWT sign-ins answered before, during and after the outage: written once the database is back
  sort -u "$WORK/outage-jtis.txt" >"$WORK/outage-jtis.sorted" 2>/dev/null || : >"$WORK/outage-jtis.sorted"
  for _ in $(seq 1 100); do   # the batch interval is 200 ms; at most ~10 s
    sql "SELECT subject_id FROM audit_events WHERE kind = 'jwt.issued' AND service_provider = '$JWT_SLUG'" \
      >"$WORK/outage-audit.txt" 2>/dev/null || true
    [ -z "$(sort -u "$WORK/outage-audit.txt" | comm -23 "$WORK/outage-jtis.sorted" -)" ] && break
    sleep 0.1
  done
  run_checks "faults.py audit-compare" "$WORK/audit1.out" "${FP[@]}" audit-compare --records "$WORK/outage-records.json" \
    --audit "$WORK/outage-audit.txt" --ref t_stop1 --ref-name "end of the stop" --label "JWT sign-ins around the outage (checked once the database is back)"
else bad "the node (pid $PID1) is gone after the outage" "$WORK/node-outage.log"; fi
echo "    warnings and errors the node logged (from its start):"
log_summary "$WORK/node-outage.log" 10
stop_pid "$PID1"

# ------------------------------------------------------------------ 2. SIGKILL during a customer import
echo "== 2. SIGKILL during customers import ($ROWS rows), then the same import again"
DOMAIN="import-$RUN.example"   # email_key is the lower-cased email
"${FP[@]}" import-csv --rows "$ROWS" --run "$RUN" --password "$PASSWORD" --out "$WORK/customers.csv" \
  || die "faults.py import-csv"
count_rows() { sql "SELECT count(*) FROM customers WHERE email_key LIKE '%@$DOMAIN'"; }
dump_rows() {  # FILE
  "${PSQL[@]}" -F $'\t' -P null='<NULL>' -c "SELECT id, email, email_key, first_name, last_name, password_hash, segments, attributes, status, created_at, updated_at FROM customers WHERE email_key LIKE '%@$DOMAIN' ORDER BY email_key" >"$1"
}
import_killed_then_again() {
  local seen=0 deadline rc left K report c u n r total
  "$BIN" customers import "$WORK/customers.csv" >"$WORK/import1.out" 2>&1 &
  IMP=$!; BG_PIDS+=("$IMP")
  deadline=$((SECONDS + 180))
  while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$IMP" 2>/dev/null; do
    seen="$(count_rows 2>/dev/null || echo 0)"
    [ "$seen" -ge $((ROWS / 4)) ] && break   # a quarter of the file written: kill it
    sleep 0.02
  done
  if [ "$seen" -gt 0 ] && kill -KILL "$IMP" 2>/dev/null; then
    rc=0; wait "$IMP" 2>/dev/null || rc=$?
    ok "SIGKILL to storeidp customers import once psql saw $seen of its rows (exit status $rc)"
  else
    rc=0; wait "$IMP" 2>/dev/null || rc=$?
    bad "the import could not be killed mid-way: it ended (exit $rc) or wrote too little within 180 s (rows seen: $seen); check 2 skipped" "$WORK/import1.out"
    return 0
  fi
  # the killed client's backend rolls its open transaction back when it sees the connection close
  left=1
  for _ in $(seq 1 100); do
    left="$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'" || echo 1)"
    [ "$left" -eq 0 ] && break
    sleep 0.1
  done
  [ "$left" -eq 0 ] || bad "PostgreSQL still has $left sessions of the killed import after 10 s"
  dump_rows "$WORK/dump1.tsv" || { bad "psql dump of the customers after the kill"; return 0; }
  K="$(wc -l <"$WORK/dump1.tsv")"
  run_checks "faults.py import-check" "$WORK/check1.out" "${FP[@]}" import-check --csv "$WORK/customers.csv" --dump "$WORK/dump1.tsv"
  if [ "$K" -lt "$ROWS" ]; then ok "the kill came mid-way: $K of $ROWS rows written"
  else bad "the kill came too late to test anything: all $K rows were already written"; fi
  rc=0; "$BIN" customers import "$WORK/customers.csv" >"$WORK/import2.out" 2>&1 || rc=$?
  report="$(grep -E '^created [0-9]+, updated [0-9]+, unchanged [0-9]+, rejected [0-9]+' "$WORK/import2.out" | tail -n 1 || true)"
  read -r c u n r <<<"$(echo "$report" | sed -E 's/^created ([0-9]+), updated ([0-9]+), unchanged ([0-9]+), rejected ([0-9]+).*/\1 \2 \3 \4/')"
  if [ "$rc" -eq 0 ] && [ -n "$report" ] && [ "$c" -eq $((ROWS - K)) ] && [ "$u" -eq 0 ] && [ "$n" -eq "$K" ] && [ "$r" -eq 0 ]; then
    ok "the same import again completes (exit 0): '$report' — the $K rows already there unchanged, the other $((ROWS - K)) created"
  else bad "the second import (exit $rc) does not report $((ROWS - K)) created, 0 updated, $K unchanged, 0 rejected: '${report:-no report line}'" "$WORK/import2.out"; fi
  dump_rows "$WORK/dump2.tsv" || { bad "psql dump of the customers after the second import"; return 0; }
  run_checks "faults.py import-check" "$WORK/check2.out" "${FP[@]}" import-check --csv "$WORK/customers.csv" --dump "$WORK/dump2.tsv" --complete --before "$WORK/dump1.tsv"
  total="$(count_rows)"
  if [ "$total" -eq "$ROWS" ]; then ok "SELECT count(*) → exactly $ROWS customers of the file"
  else bad "SELECT count(*) → $total customers of the file, wanted $ROWS"; fi
}
import_killed_then_again

# ------------------------------------------------------------------ 3. SIGTERM under load
echo "== 3. SIGTERM to a node under load (16 requests in flight, audit rows batched every 5 s)"
PORT3="$(free_port)"; B3="http://127.0.0.1:$PORT3"
start_node term "$PORT3" STOREIDP_AUDIT_BATCH_MS=5000
PID3="$NODE_PID"
JAR3="$WORK/jar-term"
browser "$B3" --jar "$JAR3" login --email "$EMAIL" --password "$PASSWORD" >"$WORK/login3.json" 2>"$WORK/login3.err" \
  && jtrue "$WORK/login3.json" 'd["status"]==303' || die "login at the SIGTERM node" "$(why "$WORK/login3.json" "$WORK/login3.err")"
cat >"$WORK/sigterm.json" <<EOF
{"base": "$B3", "jar": "$JAR3", "pid": $PID3, "path": "/sso/$TERM_SLUG", "slug": "$TERM_SLUG",
 "workers": 16, "warm_signins": 300, "warm_seconds": 30, "bound_seconds": 15, "exit_seconds": 15,
 "psql": $(argv_json "${PSQL[@]}"), "records": "$WORK/sigterm-records.json", "jtis": "$WORK/sigterm-jtis.txt"}
EOF
run_checks "faults.py sigterm" "$WORK/sigterm.out" "${FP[@]}" sigterm --config "$WORK/sigterm.json"
if kill -0 "$PID3" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$PID3/stat" 2>/dev/null)" != Z ]; then
  bad "the node still runs long after SIGTERM; killed with SIGKILL" "$(why <(tail -n 20 "$WORK/node-term.log"))"
  kill -KILL "$PID3" 2>/dev/null || true
fi
rc=0; wait "$PID3" 2>/dev/null || rc=$?
if [ "$rc" -eq 0 ]; then ok "the node's exit status after SIGTERM is 0"
else bad "the node's exit status after SIGTERM is $rc" "$(crash_summary "$WORK/node-term.log")"; fi
sql "SELECT subject_id FROM audit_events WHERE kind = 'jwt.issued' AND service_provider = '$TERM_SLUG'" >"$WORK/sigterm-audit.txt" \
  || bad "psql: the audit rows of the SIGTERM node"
run_checks "faults.py audit-compare" "$WORK/audit3.out" "${FP[@]}" audit-compare --records "$WORK/sigterm-records.json" \
  --audit "$WORK/sigterm-audit.txt" --ref t_signal --ref-name signal --label "after the shutdown (rows waiting in the 5 s batch at SIGTERM must have been flushed)"
grep -E 'audit rows' "$WORK/node-term.log" | sed 's/^/    node log: /' || true
echo "    warnings and errors the node logged:"
log_summary "$WORK/node-term.log" 8

logs_on_failure() { :; }   # the node logs are summarised above, check by check
finish
