# shellcheck shell=bash
# Shared by the server-driven interop scripts (sourced, not run): saml_interop.sh, jwt_interop.sh,
# oidc_interop.sh, two_nodes.sh, faults.sh and Tests/Browser/run.sh. Usage, after `set -euo pipefail`:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   interop_init NAME          # HERE, ROOT, BIN, PY; NAME prefixes messages and the summary line
#   need_tools curl …; need_python 'import authlib' authlib
#   make_work                  # WORK, cleanup trap, STOREIDP_INTEROP_KEEP
#   server_env DATABASE_URL BASE_URL   # exports and cd "$WORK"
#   … ok / bad / die per check …
#   finish                     # "NAME: N passed, M failed"; exit 1 when a check failed
# A script may redefine on_cleanup, logs_on_die and logs_on_failure after sourcing (see below).

INTEROP_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"   # Tests/Interop
passed=0; failed=0
SERVER_PID=""
BG_PIDS=()   # background processes cleanup stops besides SERVER_PID

# ------------------------------------------------------------------ prerequisites
# Refuses to run (exit 2) with "NAME: MESSAGE" on stderr: a missing prerequisite, not a failed check.
refuse() { echo "$INTEROP_NAME: $*" >&2; exit 2; }

# Sets INTEROP_NAME, HERE (the running script's folder), ROOT, BIN ($STOREIDP_BIN or the swift build one) and PY, and checks BIN and PY.
interop_init() {  # NAME
  INTEROP_NAME="$1"
  # shellcheck disable=SC2034  # HERE is for the scripts
  HERE="$(cd "$(dirname "$0")" && pwd)"
  ROOT="$(cd "$INTEROP_LIB_DIR/../.." && pwd)"
  BIN="${STOREIDP_BIN:-$(cd "$ROOT" && swift build --show-bin-path)/storeidp}"
  PY="${STOREIDP_INTEROP_PYTHON:-$ROOT/.build/interop-venv/bin/python}"
  [ -x "$BIN" ] || refuse "no storeidp binary at $BIN (swift build first)"
  [ -x "$PY" ] || refuse "no interop Python at $PY (see Tests/Interop/README.md)"
}

# Refuses to run unless every TOOL is a command on PATH.
need_tools() {  # TOOL…
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || refuse "$tool is missing"
  done
}

# Refuses to run unless PY can run the IMPORT statement; WHAT names the packages in the message.
need_python() {  # IMPORT WHAT
  "$PY" -c "$1" 2>/dev/null || refuse "$2 is not installed in $PY (pip install -r Tests/Interop/requirements.txt)"
}

# Refuses to run unless with-postgres.sh set STOREIDP_TEST_DATABASE_URL to a PostgreSQL URL; WHY ends that message.
# shellcheck disable=SC2120  # WHY is optional
need_postgres() {  # [WHY]
  [ -n "${STOREIDP_TEST_DATABASE_URL:-}" ] \
    || refuse "STOREIDP_TEST_DATABASE_URL is not set; run under Tests/Interop/with-postgres.sh"
  case "$STOREIDP_TEST_DATABASE_URL" in postgres://*|postgresql://*) ;; *)
    refuse "STOREIDP_TEST_DATABASE_URL must be a PostgreSQL URL${1:+ ($1)}" ;; esac
}

# ------------------------------------------------------------------ the temp folder and cleanup
# Stops a background process (SIGTERM, then waits for it); nothing when PID is empty or already gone.
stop_pid() {  # PID
  if [ -n "${1:-}" ]; then kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; fi
}

# The script's own cleanup, run after its processes are stopped and before WORK goes; redefine it.
on_cleanup() { :; }

# The EXIT trap: stops SERVER_PID and BG_PIDS, runs on_cleanup, removes WORK unless STOREIDP_INTEROP_KEEP is set.
interop_cleanup() {
  local pid
  stop_pid "$SERVER_PID"
  for pid in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do stop_pid "$pid"; done
  on_cleanup
  if [ -n "${STOREIDP_INTEROP_KEEP:-}" ]; then echo "$INTEROP_NAME: kept $WORK" >&2; else rm -rf "$WORK"; fi
}

# Makes WORK, a fresh temp folder storeidp-NAME.XXXXXX, and installs the cleanup trap (INT and TERM exit 130).
make_work() {
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/storeidp-$INTEROP_NAME.XXXXXX")"
  trap interop_cleanup EXIT
  trap 'exit 130' INT TERM
}

# Exports the server's database URL, a fresh key folder in WORK, STOREIDP_BASE_URL and LOG_LEVEL; then cd "$WORK".
# On PostgreSQL also a fresh key-encryption key (WORK/key-encryption.key), which every node of the run shares.
server_env() {  # DATABASE_URL BASE_URL
  export STOREIDP_DATABASE_URL="$1"
  export STOREIDP_KEYS_DIR="$WORK/Keys"
  case "$1" in postgres://*|postgresql://*)
    if [ -z "${STOREIDP_KEY_ENCRYPTION_KEY_FILE:-}" ]; then
      (umask 077; openssl rand -base64 32 >"$WORK/key-encryption.key")
      export STOREIDP_KEY_ENCRYPTION_KEY_FILE="$WORK/key-encryption.key"
    fi ;;
  esac
  export STOREIDP_BASE_URL="$2"
  export LOG_LEVEL="${LOG_LEVEL:-notice}"
  cd "$WORK" || exit 1  # nothing the binary might write lands in the source tree
}

# ------------------------------------------------------------------ small helpers
# Prints a free TCP port on 127.0.0.1.
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# Prints a random URL-safe secret of 48 characters.
random_secret() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(36))'; }
# Prints 8 random hex characters, for names that must be fresh per run (the database may be reused).
random_run_id() { "$PY" -c 'import secrets; print(secrets.token_hex(4))'; }
# Writes a throwaway self-signed RSA certificate and key: WORK/BASE.crt and WORK/BASE.key.
self_signed_cert() {  # BASE CN
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=$2" \
    -keyout "$WORK/$1.key" -out "$WORK/$1.crt" >/dev/null 2>&1
}
# jq-like helpers over the JSON the Python tools print: jval prints the Python expression EXPR over d,
# jtrue succeeds when it is true (its errors go to WORK/jerr).
jval()  { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(v if isinstance(v,str) else json.dumps(v))' "$1" "$2"; }
jtrue() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" 2>>"$WORK/jerr"; }
# Concatenates FILEs (missing ones skipped) into WORK/why and prints that path, for bad's second argument.
why()   { cat "$@" 2>/dev/null >"$WORK/why" || true; echo "$WORK/why"; }
# Runs Tests/Interop/browser.py against BASE with the remaining arguments.
browser() { local base="$1"; shift; "$PY" "$INTEROP_LIB_DIR/browser.py" --base "$base" "$@"; }

# ------------------------------------------------------------------ checks and the summary
# A passed check: counts it and prints "ok: LABEL".
ok()  { passed=$((passed + 1)); echo "ok: $*"; }
# A failed check: counts it, prints "FAILED: LABEL" and the first 25 lines of FILE, indented.
bad() {  # LABEL [FILE]
  failed=$((failed + 1)); echo "FAILED: $1"
  if [ -n "${2:-}" ] && [ -s "$2" ]; then head -n 25 "$2" | sed 's/^/    /'; fi
  return 0
}
# Prints the summary line "NAME: N passed, M failed".
summary() { echo "$INTEROP_NAME: $passed passed, $failed failed"; }
# What die shows after the summary: the last 30 lines of WORK/server.log; redefine it for other logs.
logs_on_die() {
  if [ -f "$WORK/server.log" ]; then tail -n 30 "$WORK/server.log" | sed 's/^/    server: /'; fi
}
# A failed check the script cannot go on after: bad, the summary, logs_on_die, exit 1.
die() { bad "$@"; summary; logs_on_die; exit 1; }
# What finish shows when a check failed: the last 20 lines of WORK/server.log; redefine it for other logs.
logs_on_failure() { echo "--- last server log lines"; tail -n 20 "$WORK/server.log" | sed 's/^/    /'; }
# The end of a script: the summary, then logs_on_failure and exit 1 when a check failed.
finish() {
  summary
  if [ "$failed" -gt 0 ]; then logs_on_failure; exit 1; fi
}

# Runs a peer COMMAND that prints its own `ok:`/`FAILED:` lines and counts them as checks of this
# script; a bad check "LABEL exited RC after N checks" (with OUT.err) when it ran none or exited oddly.
run_checks() {  # LABEL OUT COMMAND…
  local label="$1" out="$2" rc=0 n=0 nfail=0 line; shift 2
  "$@" >"$out" 2>"$out.err" || rc=$?
  while IFS= read -r line; do
    case "$line" in
      "ok: "*)     passed=$((passed + 1)); n=$((n + 1)); echo "$line" ;;
      "FAILED: "*) failed=$((failed + 1)); nfail=$((nfail + 1)); n=$((n + 1)); echo "$line" ;;
      *)           echo "$line" ;;
    esac
  done <"$out"
  if [ "$n" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; } || [ "$rc" -gt 1 ]; then
    bad "$label exited $rc after $n checks" "$out.err"
  fi
  return 0
}

# ------------------------------------------------------------------ servers
# Polls URL every 0.1 s, at most TENTHS times: 0 once it answers 2xx, 2 when PID exits first, 1 on time-out.
wait_http() {  # PID URL TENTHS
  for _ in $(seq 1 "$3"); do
    curl -fsS --max-time 2 "$2" >/dev/null 2>&1 && return 0
    kill -0 "$1" 2>/dev/null || return 2
    sleep 0.1
  done
  return 1
}

# Waits at most ~30 s for node NAME (PID, PORT) to be ready (/readyz 200); dies with LOG otherwise.
wait_ready() {  # NAME PID PORT LOG
  local rc=0
  wait_http "$2" "http://127.0.0.1:$3/readyz" 300 || rc=$?
  case "$rc" in
    0) ;;
    2) die "node $1 exited during start" "$4" ;;
    *) die "node $1 was not ready (GET /readyz → 200) within 30 s" "$4" ;;
  esac
}

# Starts `storeidp serve` on $PORT in the background (log: $WORK/server.log), sets SERVER_PID,
# and waits at most ~15 s for /healthz; dies when the server does not come up.
# shellcheck disable=SC2153  # PORT and BASE are the script's
start_storeidp() {
  "$BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  local rc=0
  wait_http "$SERVER_PID" "$BASE/healthz" 150 || rc=$?
  case "$rc" in
    0) ;;
    2) die "server exited during start" "$WORK/server.log" ;;
    *) die "server did not answer /healthz within 15 s" "$WORK/server.log" ;;
  esac
}

# Waits at most ~10 s until the server at BASE publishes (JWKS) every key that `storeidp keys list`
# marks published, i.e. until it reloaded a ring changed by the command line (nodes re-read the
# ring's version every second). Prints the tenths of a second it waited; 1 on time-out.
wait_ring_reloaded() {  # BASE
  local want tenths=0
  want="$("$BIN" keys list 2>/dev/null | awk 'NR>1 && $NF=="yes" {print $1}')"
  [ -n "$want" ] || return 1
  while [ "$tenths" -le 100 ]; do
    if curl -fsS --max-time 2 "$1/.well-known/jwks.json" >"$WORK/jwks-wait.json" 2>/dev/null \
       && "$PY" -c 'import json,sys; have={k["kid"] for k in json.load(open(sys.argv[1]))["keys"]}; sys.exit(0 if set(sys.argv[2:]) <= have else 1)' \
            "$WORK/jwks-wait.json" $want; then
      echo "$tenths"; return 0
    fi
    sleep 0.1; tenths=$((tenths + 1))
  done
  return 1
}

# Writes every key's certificate (`storeidp keys export`) to WORK/public and prints the path of KID's.
exported_certificate() {  # KID
  "$BIN" keys export "$WORK/public" >/dev/null 2>&1 && [ -s "$WORK/public/$1.crt.pem" ] && echo "$WORK/public/$1.crt.pem"
}

# The last check of a one-server script: ok when the server at $BASE still answers /healthz.
check_still_up() {
  if curl -fsS --max-time 5 "$BASE/healthz" >/dev/null 2>&1; then ok "server still answers /healthz"
  else bad "server stopped answering /healthz" "$WORK/server.log"; fi
}
