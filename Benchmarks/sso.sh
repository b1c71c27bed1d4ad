#!/usr/bin/env bash
# Sign-in speed end to end on this machine: a release `storeidp serve` on SQLite and then on a
# throwaway PostgreSQL cluster, loaded with wrk over loopback (IdP-initiated SAML signed and
# encrypted, SP-initiated SAML over HTTP-Redirect, JWT RS256 and HS256, storefront launch links),
# next to `openssl speed rsa2048` on all cores and a SimpleSAMLphp IdP (Debian package, nginx +
# php-fpm) doing the same IdP-initiated sign-in. Prints one table.
#
#   Benchmarks/sso.sh [SECONDS]      seconds per wrk run (default $DURATION or 20; 5 for a quick look)
#
# Every response kind is verified once before it is loaded (xmlsec1 for SAML, decrypting the
# encrypted one with the SP key; PyJWT for JWTs); a failed verification stops the script (exit 1).
# Runs with failed requests under load are flagged in the table ("!"), not fatal.
# SSO_BENCH_KEEP=1 keeps the temp folder (server logs, wrk output, responses); STOREIDP_BIN=PATH
# uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
HERE="$ROOT/Benchmarks/sso"
DURATION="${1:-${DURATION:-20}}"
THREADS=2
CONNECTIONS=16
PY="$ROOT/.build/interop-venv/bin/python"

say() { echo "# $(date +%T) $*" >&2; }
die() { echo "sso.sh: $*" >&2; exit 1; }

# ------------------------------------------------------------------ 1. tools
# Debian packages, installed only when missing. policy-rc.d (exit 101) keeps the packages' own
# nginx/php-fpm/postgresql services from starting; ours run with their own config below.
install_packages() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v xmlsec1 >/dev/null || missing+=(xmlsec1)
  command -v nginx >/dev/null || missing+=(nginx)
  ls /usr/sbin/php-fpm* >/dev/null 2>&1 || missing+=(php-fpm)
  [ -d /usr/share/simplesamlphp ] || missing+=(simplesamlphp)
  # Debian's simplesamlphp does not pull in DOM or mbstring, without which it cannot sign
  php -r 'exit(class_exists("DOMDocument") && function_exists("mb_strlen") ? 0 : 1);' 2>/dev/null || missing+=(php-xml php-mbstring)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v python3 >/dev/null || missing+=(python3 python3-venv)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  local made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d; die "apt-get install ${missing[*]} failed"; }
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

# The interop venv (.build/interop-venv, Tests/Interop/requirements.txt) has PyJWT and cryptography.
ensure_venv() {
  "$PY" -c 'import jwt, cryptography' 2>/dev/null && return 0
  say "making .build/interop-venv from Tests/Interop/requirements.txt"
  python3 -m venv "$ROOT/.build/interop-venv"
  "$ROOT/.build/interop-venv/bin/pip" install -q -r "$ROOT/Tests/Interop/requirements.txt"
}

install_packages
ensure_venv
source "$HERE/simplesamlphp.sh"

# ------------------------------------------------------------------ 2. build
if [ -n "${STOREIDP_BIN:-}" ]; then
  BIN="$STOREIDP_BIN"   # an existing binary (e.g. one built elsewhere); numbers are only meaningful for -c release
else
  say "swift build -c release --product storeidp"
  swift build -c release --product storeidp 2>&1 | tail -n 1 >&2
  BIN="$(swift build -c release --show-bin-path)/storeidp"
fi
[ -x "$BIN" ] || die "no release binary at $BIN"

# ------------------------------------------------------------------ temp folder, cleanup
WORK="$(mktemp -d "${TMPDIR:-/tmp}/storeidp-sso-bench.XXXXXX")"
SERVER_PID=""
PG_DIR=""
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
stop_server() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=""
}
stop_postgres() {
  if [ -n "$PG_DIR" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
  PG_DIR=""
}
cleanup() {
  stop_server
  ssp_stop
  stop_postgres
  if [ -n "${SSO_BENCH_KEEP:-}" ]; then echo "sso.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$WORK"  # nothing the binary writes lands in the source tree

free_port() { "$PY" "$HERE/helpers.py" free-port; }
# A curl cookie jar (Netscape format; HttpOnly cookies are "#HttpOnly_host" lines) as a Cookie header.
jar_cookie() { awk -F'\t' 'NF == 7 && ($1 !~ /^#/ || $1 ~ /^#HttpOnly_/) {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$1"; }
random_secret() { openssl rand -hex 32; }   # 64 bytes of text: enough for HS256 and launch tokens

# ------------------------------------------------------------------ 7. the ceiling: openssl on every core
NPROC="$(nproc)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"   # other tenants of the machine show here
say "openssl speed -multi $NPROC -seconds 5 rsa2048"
OPENSSL_SIGNS="$(openssl speed -multi "$NPROC" -seconds 5 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}' | tail -n 1)"
[ -n "$OPENSSL_SIGNS" ] || die "could not read openssl speed's sign/s"

# ------------------------------------------------------------------ results
ROWS=()      # "label|rps|p50|p99|non2xx|cpu|note"
FLAGGED=0
# CPU time the server's processes (LOAD_PIDS) spent per request: a figure the other tenants of a
# shared machine disturb less than req/s (they take cores away, not add work per request).
LOAD_PIDS=""
CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() {
  local total=0 pid f
  for pid in $LOAD_PIDS; do
    # fields after "(comm)": state is $3 …, utime is 14 and stime 15 of /proc/PID/stat
    f="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null)" || continue
    set -- $f
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
# Runs wrk and adds a table row. With a Lua script (walk.lua: a file of paths; cookies.lua: a file of
# Cookie headers) the script's arguments follow it.
#   load LABEL URL COOKIE [LUA-SCRIPT ARG…]
load() {
  local label="$1" url="$2" cookie="$3" out="$WORK/wrk-${#ROWS[@]}.out"; shift 3
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency --timeout 10s)
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  say "wrk ${label}"
  local ticks0; ticks0="$(cpu_ticks)"
  if [ $# -gt 0 ]; then
    local lua="$1"; shift
    wrk "${args[@]}" -s "$HERE/$lua" "$url" -- "$@" >"$out" 2>&1 || true
  else
    wrk "${args[@]}" "$url" >"$out" 2>&1 || true
  fi
  local ticks=$(($(cpu_ticks) - ticks0)) rps p50 p99 non sock reqs wrapped note="" cpu="-"
  read -r rps p50 p99 non sock reqs wrapped < <("$PY" "$HERE/helpers.py" wrk-summary "$out") \
    || { ROWS+=("$label|-|-|-|-|-|wrk failed: $(tail -n 1 "$out")"); FLAGGED=1; return 0; }
  if [ "$non" != 0 ] || [ "$sock" != 0 ]; then note="! $non of $reqs non-2xx/3xx"; FLAGGED=1; fi
  [ "$sock" != 0 ] && note="$note, $sock socket errors/timeouts"
  [ "$wrapped" != 0 ] && { note="$note, ran out of pre-made requests ($wrapped wraps)"; FLAGGED=1; }
  [ "$reqs" -gt 0 ] && [ -n "$LOAD_PIDS" ] && cpu="$(awk -v t="$ticks" -v h="$CLK_TCK" -v n="$reqs" 'BEGIN {printf "%.2f", t * 1000 / h / n}')"
  ROWS+=("$label|$rps|$p50|$p99|$non|$cpu|$note")
  LAST_RPS="$rps"
}
RSS_NOTES=()
rss_mb() { awk -v k="$2:" '$1 == k {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }   # PID VmRSS|VmHWM

# ------------------------------------------------------------------ 3–6. StoreIdP on one database
EMAIL=ann@shop.example
PASSWORD='bench correct horse 7'
LAUNCH_EMAIL=lena@shop.example
SP_HOST=http://127.0.0.1:9   # nothing listens there: wrk and curl never follow the form or redirect
export STOREIDP_LAUNCH_SECRET BENCH_JWT_SECRET
STOREIDP_LAUNCH_SECRET="$(random_secret)"
BENCH_JWT_SECRET="$(random_secret)"
export STOREIDP_LAUNCH_ISSUER=https://shop.example
export STOREIDP_KEYS_DIR="$WORK/Keys"
# The key-encryption key of both databases' rings (SQLite would make one in Keys/; PostgreSQL needs one named).
(umask 077; openssl rand -base64 32 >"$WORK/key-encryption.key")
export STOREIDP_KEY_ENCRYPTION_KEY_FILE="$WORK/key-encryption.key"
export STOREIDP_TEMPLATES_DIR="$ROOT/Templates/"
export LOG_LEVEL="${LOG_LEVEL:-notice}"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=bench-sp" \
  -keyout "$WORK/sp.key" -out "$WORK/sp.crt" >/dev/null 2>&1

# Two SAML partners (response signed; the same encrypted to sp.crt), JWT RS256 and HS256.
cat >"$WORK/providers.yml" <<EOF
providers:
  - slug: saml-signed
    name: Bench SAML (signed response)
    protocol: saml
    saml:
      entity_id: $SP_HOST/saml-signed/metadata
      acs_urls: [$SP_HOST/saml-signed/acs]
      certificate: sp.crt
      sign: response
  - slug: saml-encrypted
    name: Bench SAML (signed response, encrypted assertion)
    protocol: saml
    saml:
      entity_id: $SP_HOST/saml-encrypted/metadata
      acs_urls: [$SP_HOST/saml-encrypted/acs]
      certificate: sp.crt
      sign: response
      encrypt: true
  - slug: jwt-rs
    name: Bench JWT RS256
    protocol: jwt
    jwt: { algorithm: RS256, redirect_url: $SP_HOST/jwt-rs/sso, parameter: jwt, delivery: query }
  - slug: jwt-hs
    name: Bench JWT HS256
    protocol: jwt
    jwt: { algorithm: HS256, secret_env: BENCH_JWT_SECRET, redirect_url: $SP_HOST/jwt-hs/sso, parameter: jwt, delivery: query }
EOF

# Starts serve on a free port with the current STOREIDP_DATABASE_URL; log $WORK/server-$1.log.
start_server() {  # NAME
  PORT="$(free_port)"
  BASE="http://127.0.0.1:$PORT"
  export STOREIDP_BASE_URL="$BASE"
  "$BIN" serve --env production --hostname 127.0.0.1 --port "$PORT" >"$WORK/server-$1.log" 2>&1 &
  SERVER_PID=$!
  LOAD_PIDS="$SERVER_PID"
  local _
  for _ in $(seq 1 150); do
    curl -fsS --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || die "server exited during start: $(tail -n 5 "$WORK/server-$1.log")"
    sleep 0.1
  done
  die "server did not answer /healthz within 15 s"
}

# Logs in with curl (CSRF token from the form and its cookie) and sets COOKIE to the jar's cookies.
login() {  # JAR
  local jar="$1" token status
  token="$(curl -s -c "$jar" -b "$jar" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')"
  [ -n "$token" ] || die "no csrf field on /login"
  status="$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "email=$EMAIL" \
    --data-urlencode "password=$PASSWORD" --data-urlencode "csrf=$token" "$BASE/login")"
  [ "$status" = 303 ] || die "POST /login answered $status, not 303"
  COOKIE="$(jar_cookie "$jar")"
  case "$COOKIE" in *storeidp_session=*) ;; *) die "no storeidp_session cookie after login: $COOKIE" ;; esac
}

# xmlsec1 --verify of a Response's enveloped signature with any certificate from /saml/metadata.
verify_saml_signature() {  # FILE
  local i
  for ((i = 0; i < NCERTS; i++)); do
    xmlsec1 --verify --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:Response \
      --pubkey-cert-pem "$WORK/idpcert$i.pem" "$1" >"$1.xmlsec" 2>&1 && return 0
  done
  die "xmlsec1 --verify failed for $1: $(tail -n 3 "$1.xmlsec")"
}

# Fetches an auto-POST form, saves its Response as XML and verifies it (NameID = the email).
verify_saml_get() {  # NAME PATH EMAIL [JAR]
  local name="$1" path="$2" email="$3" jar="${4:-}" html="$WORK/$1.html" xml="$WORK/$1.xml" opts=(-s)
  if [ -n "$jar" ]; then opts+=(-L -c "$jar" -b "$jar"); else opts+=(-H "Cookie: $COOKIE"); fi
  curl "${opts[@]}" -o "$html" "$BASE$path"
  "$PY" "$HERE/helpers.py" saml-form "$html" "$xml" >/dev/null 2>"$WORK/$name.err" \
    || die "$name: no SAMLResponse form from $path ($(head -c 200 "$html"))"
  verify_saml_signature "$xml"
  grep -q 'StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"' "$xml" || die "$name: status is not Success"
  if grep -q EncryptedAssertion "$xml"; then
    # the Response signature covers the ciphertext; then the SP key must open the assertion
    xmlsec1 --decrypt --privkey-pem "$WORK/sp.key" --output "$xml.dec" "$xml" >"$xml.dec.log" 2>&1 \
      || die "$name: xmlsec1 --decrypt with the SP key failed: $(tail -n 3 "$xml.dec.log")"
    xml="$xml.dec"
    say "verified $name: xmlsec1 --verify (Response signature), xmlsec1 --decrypt with the SP key"
  else
    say "verified $name: xmlsec1 --verify (Response signature)"
  fi
  if grep -q EncryptedData "$xml" || ! grep -q -E '<([A-Za-z0-9]+:)?Assertion[ >]' "$xml" || ! grep -q "$email" "$xml"; then
    die "$name: no clear assertion for $email in $xml"
  fi
}

verify_jwt_get() {  # SLUG ALG
  local location token key
  location="$(curl -s -o /dev/null -w '%{redirect_url}' -H "Cookie: $COOKIE" "$BASE/sso/$1")"
  token="$(printf '%s' "$location" | sed -n 's/.*[?&]jwt=\([^&]*\).*/\1/p')"
  [ -n "$token" ] || die "$1: no jwt in the redirect ($location)"
  if [ "$2" = RS256 ]; then key=(--jwks "$WORK/jwks.json"); else key=(--secret "$BENCH_JWT_SECRET"); fi
  "$PY" "$HERE/helpers.py" verify-jwt --token "$token" --alg "$2" "${key[@]}" --audience "$SP_HOST" \
    --issuer "$BASE" --email "$EMAIL" >"$WORK/$1.verify" 2>&1 || die "$1: PyJWT refused the token: $(tail -n 2 "$WORK/$1.verify")"
  say "verified $1: PyJWT $(cat "$WORK/$1.verify")"
}

# How many pre-made requests a walked run needs: 1.5 × (the signed SAML rate) × duration.
lines_needed() { awk -v r="${LAST_SIGNED_RPS:-500}" -v d="$DURATION" 'BEGIN {n = int(r * d * 1.5); print (n < 2000 ? 2000 : n)}'; }

run_storeidp() {  # LABEL-SUFFIX NAME
  local db="$1" name="$2"
  "$BIN" providers apply "$WORK/providers.yml" >"$WORK/apply-$name.out" 2>&1 || die "providers apply: $(tail -n 5 "$WORK/apply-$name.out")"
  "$BIN" customers add --email "$EMAIL" --password "$PASSWORD" --first-name Ann --last-name Lee \
    >"$WORK/customer-$name.out" 2>&1 || die "customers add: $(tail -n 3 "$WORK/customer-$name.out")"
  start_server "$name"
  login "$WORK/jar-$name"
  curl -fsS -o "$WORK/md.xml" "$BASE/saml/metadata" || die "GET /saml/metadata"
  curl -fsS -o "$WORK/jwks.json" "$BASE/.well-known/jwks.json" || die "GET /.well-known/jwks.json"
  NCERTS="$("$PY" "$HERE/helpers.py" certs-from-metadata "$WORK/md.xml" "$WORK/idpcert")"

  # 5. one response of each kind, verified, before any load
  verify_saml_get "saml-signed-$name" /sso/saml-signed "$EMAIL"
  verify_saml_get "saml-encrypted-$name" /sso/saml-encrypted "$EMAIL"
  "$PY" "$HERE/helpers.py" authn-requests --base "$BASE" --issuer "$SP_HOST/saml-signed/metadata" \
    --acs "$SP_HOST/saml-signed/acs" --count 1 --out "$WORK/one-authn"
  verify_saml_get "sp-initiated-$name" "$(cat "$WORK/one-authn")" "$EMAIL"
  grep -q 'InResponseTo="_' "$WORK/sp-initiated-$name.xml" || die "SP-initiated response without InResponseTo"
  verify_jwt_get jwt-rs RS256
  verify_jwt_get jwt-hs HS256
  "$PY" "$HERE/helpers.py" launch-tokens --secret "$STOREIDP_LAUNCH_SECRET" --iss "$STOREIDP_LAUNCH_ISSUER" \
    --aud "$BASE" --slug saml-signed --sub sf-bench-1 --email "$LAUNCH_EMAIL" --count 1 --out "$WORK/one-launch"
  LAUNCH_STATUS="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE$(cat "$WORK/one-launch")")"
  rm -f "$WORK/jar-launch-$name"
  "$PY" "$HERE/helpers.py" launch-tokens --secret "$STOREIDP_LAUNCH_SECRET" --iss "$STOREIDP_LAUNCH_ISSUER" \
    --aud "$BASE" --slug saml-signed --sub sf-bench-1 --email "$LAUNCH_EMAIL" --count 1 --out "$WORK/one-launch"
  verify_saml_get "launch-$name" "$(cat "$WORK/one-launch")" "$LAUNCH_EMAIL" "$WORK/jar-launch-$name"
  say "launch answers without a cookie: $LAUNCH_STATUS"

  local idle; idle="$(rss_mb "$SERVER_PID" VmRSS)"

  # 6. load
  LAST_RPS=""
  load "IdP-initiated SAML ($db)" "$BASE/sso/saml-signed" "$COOKIE"
  LAST_SIGNED_RPS="$LAST_RPS"
  load "  same, assertion encrypted" "$BASE/sso/saml-encrypted" "$COOKIE"
  "$PY" "$HERE/helpers.py" authn-requests --base "$BASE" --issuer "$SP_HOST/saml-signed/metadata" \
    --acs "$SP_HOST/saml-signed/acs" --count "$(lines_needed)" --out "$WORK/authn-$name"
  load "  SP-initiated SAML (Redirect)" "$BASE" "$COOKIE" walk.lua "$WORK/authn-$name" "$THREADS"
  load "  JWT RS256" "$BASE/sso/jwt-rs" "$COOKIE"
  load "  JWT HS256" "$BASE/sso/jwt-hs" "$COOKIE"
  # tokens minted right before their run: they live 100 s and each works once
  "$PY" "$HERE/helpers.py" launch-tokens --secret "$STOREIDP_LAUNCH_SECRET" --iss "$STOREIDP_LAUNCH_ISSUER" \
    --aud "$BASE" --slug saml-signed --sub sf-bench-1 --email "$LAUNCH_EMAIL" --count "$(lines_needed)" --out "$WORK/launch-$name"
  load "  launch link (no cookie)" "$BASE" "" walk.lua "$WORK/launch-$name" "$THREADS"

  RSS_NOTES+=("RSS idle / peak under load ($db): $idle MB / $(rss_mb "$SERVER_PID" VmHWM) MB")
  # what the server logged during the runs (before it is stopped: shutdown adds its own lines)
  local problems; problems="$(grep -c -E '\[ (WARNING|ERROR|CRITICAL) \]' "$WORK/server-$name.log" || true)"
  if [ "$problems" != 0 ]; then
    RSS_NOTES+=("! server log ($db): $problems warning/error lines, first: $(grep -m 1 -E '\[ (WARNING|ERROR|CRITICAL) \]' "$WORK/server-$name.log")")
  fi
  stop_server
}

# ------------------------------------------------------------------ SQLite
export STOREIDP_DATABASE_URL="sqlite://$WORK/storeidp.sqlite"
run_storeidp SQLite sqlite

# ------------------------------------------------------------------ PostgreSQL (throwaway cluster)
[ -x "$PGBIN/initdb" ] || die "PostgreSQL server binaries not found"
PG_DIR="$WORK/pg"; mkdir -p "$PG_DIR"; chown postgres "$PG_DIR"; chmod 711 "$WORK"   # initdb runs as postgres
PG_PORT="$(free_port)"
runuser -u postgres -- "$PGBIN/initdb" -D "$PG_DIR/data" -A trust -U storeidp >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DIR/data" -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" \
  -l "$PG_DIR/log" -w start >/dev/null
runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U storeidp storeidp
export STOREIDP_DATABASE_URL="postgres://storeidp@127.0.0.1:$PG_PORT/storeidp"
run_storeidp PostgreSQL pg
stop_postgres

# ------------------------------------------------------------------ 9. SimpleSAMLphp peer
SSP_NOTE=""
SSP_PORT="$(free_port)"
if ssp_start "$WORK/ssp" "$SSP_PORT" 2>"$WORK/ssp-start.err"; then
  SSP_URL="$(ssp_idp_initiated_url "$SSP_PORT")"
  # the one-time login: StaticSource authenticates the first request, the jar keeps the session
  : >"$WORK/ssp-cookies"
  for i in $(seq 1 "$CONNECTIONS"); do
    curl -s -c "$WORK/jar-ssp$i" -b "$WORK/jar-ssp$i" -o "$WORK/ssp-first.html" "$SSP_URL"
    { jar_cookie "$WORK/jar-ssp$i"; echo; } >>"$WORK/ssp-cookies"
  done
  SSP_COOKIE="$(head -n 1 "$WORK/ssp-cookies")"
  curl -s -H "Cookie: $SSP_COOKIE" -o "$WORK/ssp.html" "$SSP_URL"
  if "$PY" "$HERE/helpers.py" saml-form "$WORK/ssp.html" "$WORK/ssp.xml" >/dev/null 2>&1 \
     && xmlsec1 --verify --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:Response \
          --pubkey-cert-pem "$WORK/ssp/config/cert/idp.crt" "$WORK/ssp.xml" >"$WORK/ssp.xmlsec" 2>&1 \
     && grep -q ann@shop.example "$WORK/ssp.xml"; then
    say "verified SimpleSAMLphp: xmlsec1 --verify (Response signature)"
    # one session, like the StoreIdP rows; PHP holds the session file's lock for the whole
    # request, so SimpleSAMLphp serves one browser's requests one at a time …
    LOAD_PIDS="$(ssp_pids)"
    load "SimpleSAMLphp IdP-init. (1 session)" "$SSP_URL" "$SSP_COOKIE"
    # … and $CONNECTIONS sessions taken in turn, which lets its 4 workers run in parallel
    load "  same, $CONNECTIONS sessions" "$SSP_URL" "" cookies.lua "$WORK/ssp-cookies"
  else
    SSP_NOTE="not measured: no verifiable signed Response ($(sed -e 's/<[^>]*>//g' "$WORK/ssp.html" | grep -m1 -i -E 'error|exception' || echo 'see ssp.html'))"
  fi
  ssp_stop
else
  SSP_NOTE="not measured: $(tr '\n' ' ' <"$WORK/ssp-start.err")"
fi
[ -n "$SSP_NOTE" ] && ROWS+=("SimpleSAMLphp IdP-initiated|-|-|-|-|-|$SSP_NOTE")

# ------------------------------------------------------------------ the table
echo
echo "sign-in speed: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s over loopback, $NPROC cores, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-34s %8s %8s %8s %8s %8s  %s\n' case "req/s" "p50 ms" "p99 ms" non-2xx "CPU ms" \
  "vs openssl rsa2048 ($OPENSSL_SIGNS signs/s, $NPROC cores)"
for row in "${ROWS[@]}"; do
  IFS='|' read -r label rps p50 p99 non cpu note <<<"$row"
  ratio="-"
  [ "$rps" != "-" ] && ratio="$(awk -v r="$rps" -v o="$OPENSSL_SIGNS" 'BEGIN {printf "%.2f", r / o}')"
  printf '%-34s %8s %8s %8s %8s %8s  %-6s %s\n' "$label" "$rps" "$p50" "$p99" "$non" "$cpu" "$ratio" "$note"
done
echo "CPU ms: server CPU time (user + system) per request during its run: storeidp; nginx + php-fpm for SimpleSAMLphp"
echo "openssl: one RSA-2048 signature takes $(awk -v o="$OPENSSL_SIGNS" -v n="$NPROC" 'BEGIN {printf "%.2f", 1000 * n / o}') CPU ms; load average before / after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${RSS_NOTES[@]}"; do echo "$n"; done
echo "sso.sh took ${SECONDS} s (build included)"
[ "$FLAGGED" = 0 ] || echo "! runs marked ! had failed requests or ran out of pre-made requests: their rates are not clean sign-ins"
exit 0
