#!/usr/bin/env bash
# The foundation's acceptance by hand, automated: on a fresh key folder and database, `serve`
# answers /healthz, a customer added with the CLI signs in through the form with curl (cookie jar
# + CSRF token) and gets a session, and `keys rotate` works while the server runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="$(swift build --show-bin-path)/storeidp"
WORK=$(mktemp -d /tmp/storeidp-smoke.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
export STOREIDP_DATABASE_URL="sqlite://$WORK/storeidp.sqlite"
export STOREIDP_KEYS_DIR="$WORK/Keys"
export STOREIDP_BASE_URL="http://127.0.0.1:$PORT"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "smoke: FAILED: $*"; [ -f "$WORK/server.log" ] && tail -n 20 "$WORK/server.log"; exit 1; }

"$BIN" customers add --email smoke@shop.example --password 'smoke-password-1' --first-name Smoke >/dev/null
"$BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited"
  python3 -c 'import time; time.sleep(0.1)'
done
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")
[ "$status" = 200 ] || fail "/healthz answered $status"

JAR="$WORK/cookies"
token=$(curl -s -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "no CSRF token on /login"
status=$(curl -s -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" --data-urlencode "email=smoke@shop.example" \
  --data-urlencode "password=smoke-password-1" --data-urlencode "csrf=$token" "http://127.0.0.1:$PORT/login")
[ "$status" = 303 ] || fail "login answered $status"
curl -s -b "$JAR" "http://127.0.0.1:$PORT/" | grep -q "Signed in" || fail "no session after login"

before=$("$BIN" keys list | awk '$3=="active"{print $1}')
"$BIN" keys rotate >/dev/null
after=$("$BIN" keys list | awk '$3=="active"{print $1}')
[ -n "$before" ] && [ -n "$after" ] && [ "$before" != "$after" ] || fail "keys rotate did not change the active key"
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || fail "server stopped answering after rotation"
echo "smoke: serve, healthz, CLI customer, curl login with CSRF, keys rotate while serving: ok"
