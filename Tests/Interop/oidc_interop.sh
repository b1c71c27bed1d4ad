#!/usr/bin/env bash
# Server-driven OpenID Connect interop: a real StoreIdP (`serve`, fresh SQLite database and key
# folder) as the OpenID Provider of relying parties played by authlib (Tests/Interop/oidc_client.py:
# OAuth2Session for the authorization URL, PKCE, token, refresh and client authentication;
# authlib.jose with CodeIDToken for the ID token against the JWKS). The browser side logs in through
# the real login page (browser.py); redirects to a client are read from the Location header, never
# followed. Five relying parties, one registered client each:
#   confidential   authlib, client_secret_basic, state + nonce + PKCE S256, offline_access (refresh
#                  rotation, reuse → family revoked), code reuse, pairwise subject, RS256
#   public         authlib, no secret (auth method none), PKCE required (none or plain refused), ES256
#   elastic-path   Elastic Path Commerce Cloud's checklist: discovery fields, client_secret_basic,
#                  code + S256 + state, scope openid email, unencrypted RS256 ID token, aud = client
#                  id, no nonce or acr_values, plain JSON userinfo, prompt/display/ui_locales
#   storeconnect   StoreConnect's Azure AD B2C login under /b2c/storeconnect: both discovery paths,
#                  B/discovery/keys, client_secret_post, iss = B, the contact StoreConnect builds
#   logout         RP-initiated logout with id_token_hint, then prompt=none → login_required
#
#   bash Tests/Interop/oidc_interop.sh      (from anywhere; needs a built storeidp binary,
#                                            $STOREIDP_INTEROP_PYTHON or .build/interop-venv, curl)
#
# STOREIDP_INTEROP_KEEP=1 keeps the temp folder (providers.yml, peer output, server.log).
# Prints one `ok: …` or `FAILED: …` line per check, then `oidc-interop: N passed, M failed`;
# exits non-zero when a check failed. Everything listens on and talks to 127.0.0.1 only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${STOREIDP_BIN:-$(cd "$ROOT" && swift build --show-bin-path)/storeidp}"
PY="${STOREIDP_INTEROP_PYTHON:-$ROOT/.build/interop-venv/bin/python}"
[ -x "$BIN" ] || { echo "oidc-interop: no storeidp binary at $BIN (swift build first)" >&2; exit 2; }
[ -x "$PY" ] || { echo "oidc-interop: no interop Python at $PY (see Tests/Interop/README.md)" >&2; exit 2; }
command -v curl >/dev/null || { echo "oidc-interop: curl is missing" >&2; exit 2; }
"$PY" -c 'import authlib' 2>/dev/null || { echo "oidc-interop: authlib is not installed in $PY (pip install -r Tests/Interop/requirements.txt)" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/storeidp-oidc-interop.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "${STOREIDP_INTEROP_KEEP:-}" ]; then echo "oidc-interop: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
random_secret() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(36))'; }  # 48 characters
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
export STOREIDP_DATABASE_URL="sqlite://$WORK/storeidp.sqlite"
export STOREIDP_KEYS_DIR="$WORK/Keys"
export STOREIDP_BASE_URL="$BASE"
export OIDC_CONFIDENTIAL_SECRET="$(random_secret)"
export EP_CLIENT_SECRET="$(random_secret)"
export SC_CLIENT_SECRET="$(random_secret)"
export LOG_LEVEL="${LOG_LEVEL:-notice}"
cd "$WORK"  # nothing the binary might write lands in the source tree

EMAIL=ann@shop.example
PASSWORD='interop correct horse 7'
GIVEN=Ann; FAMILY=Lee; PHONE=+61255501234
RP_HOST=http://127.0.0.1:9   # nothing listens there: the Location header is read, never followed
SC_HOST=https://store.example   # StoreConnect's storefront; never contacted either
SC_CLIENT_ID=3f6c1b2e-8d4a-4c1f-9e57-2b8d0c6a9f14   # B2C application ids are GUIDs

passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "ok: $*"; }
bad()  {
  failed=$((failed + 1)); echo "FAILED: $1"
  if [ -n "${2:-}" ] && [ -s "$2" ]; then sed 's/^/    /' "$2" | head -n 25; fi
}
die()  {
  bad "$@"; echo "oidc-interop: $passed passed, $failed failed"
  [ -f "$WORK/server.log" ] && tail -n 30 "$WORK/server.log" | sed 's/^/    server: /'
  exit 1
}

# ------------------------------------------------------------------ 1. providers, customer, server
cat >"$WORK/providers.yml" <<EOF
providers:
  - slug: oidc-authlib
    name: Interop authlib (confidential)
    protocol: oidc
    oidc:
      client_id: authlib-confidential
      client_secret_env: OIDC_CONFIDENTIAL_SECRET
      redirect_uris: [$RP_HOST/oidc/callback]
      post_logout_redirect_uris: [$RP_HOST/]
      subject: pairwise
      id_token_algorithm: RS256
      access_token_lifetime_seconds: 300
      refresh_tokens: true
  - slug: oidc-public
    name: Interop authlib (public, PKCE)
    protocol: oidc
    oidc:
      client_id: authlib-public
      redirect_uris: [$RP_HOST/public/callback]
      subject: customer_id
      id_token_algorithm: ES256
  - slug: commerce-cloud
    name: Elastic Path Commerce Cloud
    protocol: oidc
    oidc:
      client_id: ep-store
      client_secret_env: EP_CLIENT_SECRET
      redirect_uris: [$RP_HOST/ep/callback]
      subject: email
      id_token_algorithm: RS256
  - slug: storeconnect
    name: StoreConnect (Azure AD B2C layout)
    protocol: oidc
    oidc:
      client_id: $SC_CLIENT_ID
      client_secret_env: SC_CLIENT_SECRET
      redirect_uris: [$SC_HOST/logins/auth/azure/callback]
      post_logout_redirect_uris: [$SC_HOST/]
      subject: customer_id
      id_token_algorithm: RS256
      azure_b2c_path: storeconnect
EOF
"$BIN" providers apply "$WORK/providers.yml" >"$WORK/apply.out" 2>&1 || die "providers apply (4 OIDC clients)" "$WORK/apply.out"

# the customer comes in through the importer, names and phone included (StoreConnect's contact needs them)
cat >"$WORK/customers.csv" <<EOF
email,password,first_name,last_name,phone
$EMAIL,$PASSWORD,$GIVEN,$FAMILY,$PHONE
EOF
"$BIN" customers import "$WORK/customers.csv" >"$WORK/import.out" 2>&1 && grep -q "created 1," "$WORK/import.out" \
  || die "customers import (1 customer with password, names, phone)" "$WORK/import.out"
CUSTOMER_ID="$("$PY" -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute("select id from customers where email=?",(sys.argv[2],)).fetchone(); print(str(r[0]).lower())' \
  "$WORK/storeidp.sqlite" "$EMAIL" 2>"$WORK/id.err")" || die "customer id from the database" "$WORK/id.err"

start_storeidp
ok "providers apply (4 OIDC clients), customers import ($EMAIL, id $CUSTOMER_ID), serve on $BASE, /healthz"

# what the relying parties know: the issuer, the customer, their registrations (secrets by env name)
cat >"$WORK/oidc.json" <<EOF
{
  "base": "$BASE",
  "customer": {"email": "$EMAIL", "password": "$PASSWORD", "given_name": "$GIVEN", "family_name": "$FAMILY",
               "name": "$GIVEN $FAMILY", "phone_number": "$PHONE", "id": "$CUSTOMER_ID"},
  "clients": {
    "confidential": {"client_id": "authlib-confidential", "secret_env": "OIDC_CONFIDENTIAL_SECRET",
                     "redirect_uri": "$RP_HOST/oidc/callback", "post_logout_redirect_uri": "$RP_HOST/",
                     "alg": "RS256", "subject": "pairwise"},
    "public": {"client_id": "authlib-public", "redirect_uri": "$RP_HOST/public/callback", "alg": "ES256",
               "subject": "customer_id"},
    "elastic-path": {"client_id": "ep-store", "secret_env": "EP_CLIENT_SECRET", "redirect_uri": "$RP_HOST/ep/callback",
                     "alg": "RS256", "subject": "email"},
    "storeconnect": {"client_id": "$SC_CLIENT_ID", "secret_env": "SC_CLIENT_SECRET",
                     "redirect_uri": "$SC_HOST/logins/auth/azure/callback", "post_logout_redirect_uri": "$SC_HOST/",
                     "alg": "RS256", "subject": "customer_id", "b2c_path": "storeconnect"}
  }
}
EOF

# ------------------------------------------------------------------ 2. the relying parties
# Runs one oidc_client.py scenario and counts its `ok:` / `FAILED:` lines as checks of this script.
peer() {  # SCENARIO
  local out="$WORK/peer-$1.out" rc=0 n=0 nfail=0 line
  "$PY" "$HERE/oidc_client.py" --config "$WORK/oidc.json" "$1" >"$out" 2>"$out.err" || rc=$?
  while IFS= read -r line; do
    case "$line" in
      "ok: "*)     ok "${line#ok: }"; n=$((n + 1)) ;;
      "FAILED: "*) failed=$((failed + 1)); nfail=$((nfail + 1)); n=$((n + 1)); echo "$line" ;;
      *)           echo "$line" ;;
    esac
  done <"$out"
  if [ "$n" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; } || [ "$rc" -gt 1 ]; then
    bad "oidc_client.py $1 exited $rc after $n checks" "$out.err"
  fi
}

echo "== authlib, confidential client (client_secret_basic, state, nonce, PKCE S256, offline_access)"
peer confidential
echo "== authlib, public client (PKCE S256, no secret, ES256)"
peer public
echo "== Elastic Path Commerce Cloud checklist"
peer elastic-path
echo "== StoreConnect against the Azure AD B2C layout (/b2c/storeconnect)"
peer storeconnect
echo "== RP-initiated logout"
peer logout

if curl -fsS --max-time 5 "$BASE/healthz" >/dev/null 2>&1; then ok "server still answers /healthz"
else bad "server stopped answering /healthz" "$WORK/server.log"; fi

echo "oidc-interop: $passed passed, $failed failed"
if [ "$failed" -gt 0 ]; then
  echo "--- last server log lines"; tail -n 20 "$WORK/server.log" | sed 's/^/    /'
  exit 1
fi
