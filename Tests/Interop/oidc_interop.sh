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
interop_init oidc-interop
need_tools curl
need_python 'import authlib' authlib
make_work
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
server_env "sqlite://$WORK/storeidp.sqlite" "$BASE"
export OIDC_CONFIDENTIAL_SECRET="$(random_secret)"
export EP_CLIENT_SECRET="$(random_secret)"
export SC_CLIENT_SECRET="$(random_secret)"

EMAIL=ann@shop.example
PASSWORD='interop correct horse 7'
GIVEN=Ann; FAMILY=Lee; PHONE=+61255501234
RP_HOST=http://127.0.0.1:9   # nothing listens there: the Location header is read, never followed
SC_HOST=https://store.example   # StoreConnect's storefront; never contacted either
SC_CLIENT_ID=3f6c1b2e-8d4a-4c1f-9e57-2b8d0c6a9f14   # B2C application ids are GUIDs

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
  run_checks "oidc_client.py $1" "$WORK/peer-$1.out" "$PY" "$HERE/oidc_client.py" --config "$WORK/oidc.json" "$1"
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

check_still_up
finish
