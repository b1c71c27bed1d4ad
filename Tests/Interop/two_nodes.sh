#!/usr/bin/env bash
# Two StoreIdP nodes over one PostgreSQL database: node A and node B are two `storeidp serve`
# processes on two loopback ports, sharing the database (STOREIDP_TEST_DATABASE_URL) and one
# key-encryption key file. Checks that what the README says is shared really is: store sessions,
# SAML AuthnRequest IDs, launch-token jti, OpenID authorization codes, the key ring in the database
# and a rotation made by `storeidp keys rotate`, and persistent NameIDs (the pairwise secret). The
# two nodes start at the same moment on (under with-postgres.sh) an empty database: they must both
# become ready (/readyz: one migrates, the other waits for its lock) with one key ring and no
# private key on disk; the providers and the customer are then added by the command line while
# both nodes run.
#
#   bash Tests/Interop/with-postgres.sh bash Tests/Interop/two_nodes.sh
#        (needs a built storeidp binary or $STOREIDP_BIN, $STOREIDP_INTEROP_PYTHON or
#         .build/interop-venv with authlib, xmlsec1, openssl, curl)
#
# Base URLs, in two phases (nothing in between is restarted but node B):
#   1. "own URLs": each node has its own STOREIDP_BASE_URL (http://127.0.0.1:PORT_A and
#      http://127.0.0.1:PORT_B), as a node does not know it sits behind a shared name. Its issuer
#      and SAML entity ID are then its own, so here the SP is registered with A's metadata only
#      and a response from B is checked with the xmlsec1 program against the certificates of A's
#      metadata (python3-saml would refuse B's Issuer, by design). Checked: the session from A's
#      login on B, B's responses signed with A's keys, the persistent NameID equal from A and B.
#   2. "one public URL": node B is restarted with STOREIDP_BASE_URL set to A's URL, as nodes behind
#      a load balancer are deployed; requests still go to each node's own port. Everything whose
#      check involves the issuer needs this: an AuthnRequest's Destination (B would otherwise
#      refuse A's request for its Destination, not as a replay), a launch token's aud (likewise),
#      and the OpenID issuer (iss of codes and ID tokens). Checked: AuthnRequest ID replay A → B,
#      launch jti replay A → B, a code from A redeemed at B and replayed at A, python3-saml accepting
#      B's responses with A's metadata, the persistent NameID again, `keys rotate` seen by both
#      running nodes (B has not been restarted since before the rotation), and a logout at B
#      ending the session at A.
#   Every refusal is paired with a control (the same kind of request, fresh, accepted by B), so a
#   refusal means "already used on A", not "B refuses everything".
#
# The database may hold rows of earlier runs (CI runs several scripts under one with-postgres.sh):
# the launch customer and request IDs are fresh each run; the key folder is always new.
# STOREIDP_INTEROP_KEEP=1 keeps the temp folder (node logs, providers.yml, peer JSON, responses).
# Prints one `ok: …` or `FAILED: …` line per check, then `two-nodes: N passed, M failed`;
# exits non-zero when a check failed. Everything listens on and talks to 127.0.0.1 only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init two-nodes
need_postgres "two processes over one database"
need_tools xmlsec1 openssl curl
need_python 'import authlib, onelogin.saml2' 'authlib or python3-saml'

make_work
PID_A=""; PID_B=""
on_cleanup() { stop_pid "$PID_A"; stop_pid "$PID_B"; }

PORT_A="$(free_port)"
PORT_B="$(free_port)"
while [ "$PORT_B" = "$PORT_A" ]; do PORT_B="$(free_port)"; done
A="http://127.0.0.1:$PORT_A"
B="http://127.0.0.1:$PORT_B"
server_env "$STOREIDP_TEST_DATABASE_URL" "$A"   # STOREIDP_BASE_URL for the commands; each node gets its own below
export STOREIDP_LAUNCH_SECRET="$(random_secret)"
export STOREIDP_LAUNCH_ISSUER=https://shop.example
export STOREIDP_METRICS_TOKEN="$(random_secret)"
export OIDC_RP_SECRET="$(random_secret)"

EMAIL=ann@shop.example
PASSWORD='interop correct horse 7'
SP_HOST=http://127.0.0.1:9   # nothing listens there: Locations and auto-POST forms are read, never followed
SAML=("$PY" "$HERE/saml_sp.py")
TN=("$PY" "$HERE/two_nodes.py")
RUN="$(random_run_id)"   # fresh names per run (the database may be reused)

logs_tail() {  # the last 20 lines of each node's log
  local n
  for n in A B; do
    [ -f "$WORK/node-$n.log" ] && tail -n 20 "$WORK/node-$n.log" | sed "s/^/    node $n: /"
  done
  return 0
}
logs_on_die() { logs_tail; }
logs_on_failure() { echo "--- last node log lines"; logs_tail; }
page()  { "${TN[@]}" page --base "$1" --jar "$2" "$3"; }   # BASE JAR PATH → JSON with the page's visible text

# ------------------------------------------------------------------ nodes
# Starts `storeidp serve` for node NAME (A or B) on PORT with STOREIDP_BASE_URL=URL; log node-NAME.log (appended).
start_node() {  # NAME PORT URL
  echo "--- serve on port $2, STOREIDP_BASE_URL=$3" >>"$WORK/node-$1.log"
  STOREIDP_BASE_URL="$3" "$BIN" serve --hostname 127.0.0.1 --port "$2" >>"$WORK/node-$1.log" 2>&1 &
  case "$1" in A) PID_A=$! ;; B) PID_B=$! ;; esac
}
wait_node() {  # NAME PORT → dies when the node is not ready (/readyz: database, migrations) within ~30 s
  local pid; case "$1" in A) pid="$PID_A" ;; B) pid="$PID_B" ;; esac
  wait_ready "$1" "$pid" "$2" "$WORK/node-$1.log"
}

# ------------------------------------------------------------------ SAML helpers
ENTITY="$SP_HOST/saml-sp/metadata"; ACS="$SP_HOST/saml-sp/acs"
P_ENTITY="$SP_HOST/saml-persistent/metadata"; P_ACS="$SP_HOST/saml-persistent/acs"
# a browser JSON (browser.py or page) → prints SAMLResponse when it is the auto-POST form to ACS
form_to() {  # JSON ACS
  jtrue "$1" "d['status']==200 and d['form'] and d['form'].get('action')=='$2' and d['form']['fields'].get('SAMLResponse')" \
    && jval "$1" 'd["form"]["fields"]["SAMLResponse"]'
}
onelogin_verify() {  # ENTITY ACS METADATA SAMLRESPONSE OUT [extra…]  (python3-saml, strict, signed Response)
  local entity="$1" acs="$2" md="$3" resp="$4" out="$5"; shift 5
  "${SAML[@]}" onelogin-verify --want-messages-signed --sp-entity-id "$entity" --acs-url "$acs" --idp-metadata "$md" \
    --saml-response "$resp" "$@" >"$out" 2>"$out.err"
}
xmlsec_verify() {  # METADATA SAMLRESPONSE OUT  (xmlsec1 against the metadata's certificates only)
  "${TN[@]}" saml-xmlsec --metadata "$1" --saml-response "$2" --out-xml "$3.xml" >"$3" 2>"$3.err"
}
metadata() {  # BASE FILE
  browser "$1" --jar "$WORK/jar-anon" fetch /saml/metadata --out "$2" >"$2.json" 2>&1
}
signed_in_as() {  # PAGEJSON → 0 when the home page says the customer is signed in
  jtrue "$1" "d['status']==200 and 'Signed in' in d['text'] and '$EMAIL' in d['text']"
}
# the sha256 of a key's certificate (DER), as `storeidp keys export` writes it
cert_sha256() {  # KID
  local cert; cert="$(exported_certificate "$1")" || return 1
  openssl x509 -in "$cert" -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1
}
active_kid() {  # KEYSLIST ALG
  awk -v a="$2" '$2==a && $3=="active" {print $1}' "$1" | head -n 1
}

# ------------------------------------------------------------------ 1. providers, customer, both nodes at once
for slug in saml-sp saml-persistent; do
  self_signed_cert "$slug" "two-nodes-$slug" || die "openssl req for $slug"
done
cat >"$WORK/providers.yml" <<EOF
providers:
  - slug: saml-sp
    name: Two nodes SAML (email)
    protocol: saml
    lifetime_seconds: 300
    attributes:
      email: customer.email
      given_name: customer.first_name
    saml:
      entity_id: $ENTITY
      acs_urls: [$ACS]
      certificate: saml-sp.crt
      sign: response
  - slug: saml-persistent
    name: Two nodes SAML (persistent)
    protocol: saml
    lifetime_seconds: 300
    attributes:
      email: customer.email
    saml:
      entity_id: $P_ENTITY
      acs_urls: [$P_ACS]
      certificate: saml-persistent.crt
      sign: response
      name_id: persistent
  - slug: oidc-rp
    name: Two nodes OpenID client
    protocol: oidc
    oidc:
      client_id: two-nodes-rp
      client_secret_env: OIDC_RP_SECRET
      redirect_uris: [$SP_HOST/oidc/callback]
      subject: email
      id_token_algorithm: RS256
EOF

echo "== phase 1: own URLs (A: $A, B: $B), one database, one key folder"
start_node A "$PORT_A" "$A"
start_node B "$PORT_B" "$B"   # at the same moment, on an empty key folder (and database): one ring, one migration
wait_node A "$PORT_A"
wait_node B "$PORT_B"
ok "nodes A and B started together on one database and an empty shared key folder; both ready (/readyz 200)"
# every storeidp command would make keys in an empty folder: only now, with the nodes' keys there
"$BIN" providers apply "$WORK/providers.yml" >"$WORK/apply.out" 2>&1 || die "providers apply" "$WORK/apply.out"
"$BIN" customers add --email "$EMAIL" --password "$PASSWORD" --first-name Ann --last-name Lee \
  >"$WORK/customer.out" 2>&1 || die "customers add" "$WORK/customer.out"
ok "providers apply (2 SAML SPs, 1 OIDC client) and customers add, while both nodes run"

curl -fsS --max-time 5 "$A/.well-known/jwks.json" >"$WORK/jwks-a.json" 2>"$WORK/jwks.err" || true
curl -fsS --max-time 5 "$B/.well-known/jwks.json" >"$WORK/jwks-b.json" 2>>"$WORK/jwks.err" || true
"$BIN" keys list >"$WORK/keys0.out" 2>&1 || true
if [ -s "$WORK/jwks-a.json" ] && cmp -s "$WORK/jwks-a.json" "$WORK/jwks-b.json" \
   && [ "$(awk '$3=="active"' "$WORK/keys0.out" | wc -l)" = 2 ] && ! ls "$STOREIDP_KEYS_DIR"/*.key.pem "$STOREIDP_KEYS_DIR"/pairwise.secret >/dev/null 2>&1; then
  ok "A and B publish the same JWKS ($(jval "$WORK/jwks-a.json" '" ".join(k["kid"] for k in d["keys"])')); the database holds one ring (one active RSA, one active EC key), and no private key or pairwise secret is on disk"
else bad "A and B publish different keys, the ring has not exactly one active key per algorithm, or a key file is on disk" "$(why "$WORK/jwks-a.json" "$WORK/jwks-b.json" "$WORK/keys0.out" "$WORK/jwks.err")"; fi

metadata "$A" "$WORK/md-a.xml" || die "GET A's /saml/metadata" "$WORK/md-a.xml.json"
metadata "$B" "$WORK/md-b.xml" || die "GET B's /saml/metadata" "$WORK/md-b.xml.json"

echo "== 1. a session made on A works on B"
JAR="$WORK/jar"
browser "$A" --jar "$JAR" login --email "$EMAIL" --password "$PASSWORD" >"$WORK/login.json" 2>"$WORK/login.err" \
  && jtrue "$WORK/login.json" 'd["status"]==303' || die "login at A (GET /login csrf, POST /login → 303)" "$(why "$WORK/login.json" "$WORK/login.err")"
ok "customer logs in at A's /login (303, session cookie)"
page "$B" "$WORK/jar-nobody" / >"$WORK/home-b-anon.json" 2>&1 || true
page "$B" "$JAR" / >"$WORK/home-b.json" 2>&1 || true
if signed_in_as "$WORK/home-b.json" && jtrue "$WORK/home-b-anon.json" "d['status']==200 and 'Signed in' not in d['text']"; then
  ok "B's / shows the customer signed in with A's session cookie ('$(jval "$WORK/home-b.json" 'd["text"][:60]')'); without the cookie B shows nobody"
else bad "B's / does not show the customer signed in with A's session cookie" "$(why "$WORK/home-b.json" "$WORK/home-b-anon.json")"; fi
page "$B" "$JAR" /portal >"$WORK/portal-b.json" 2>&1 || true
if jtrue "$WORK/portal-b.json" "d['status']==200 and 'Two nodes SAML (email)' in d['text']"; then
  ok "B's /portal lists the customer's partner services (no redirect to /login)"
else bad "B's /portal with A's session cookie" "$WORK/portal-b.json"; fi
browser "$B" --jar "$JAR" get /sso/saml-sp >"$WORK/sso-b.json" 2>&1 || true
if resp="$(form_to "$WORK/sso-b.json" "$ACS")"; then
  rc=0; xmlsec_verify "$WORK/md-a.xml" "$resp" "$WORK/x-sso-b.json" || rc=$?
  if [ "$rc" -eq 0 ] && jtrue "$WORK/x-sso-b.json" "d['valid'] and d['name_id']=='$EMAIL' and d['issuer']=='$B/saml/metadata' and d['destination']=='$ACS'"; then
    ok "B's GET /sso/saml-sp answers the SAML form without a login; xmlsec1 verifies it with A's metadata certificates (Issuer $B/saml/metadata, NameID $EMAIL)"
  else bad "B's response to /sso/saml-sp does not verify with the certificates of A's metadata" "$(why "$WORK/x-sso-b.json" "$WORK/x-sso-b.json.err")"; fi
  # the check proves something: an unrelated certificate in a metadata file does not verify it
  "$PY" - "$WORK/md-a.xml" "$WORK/saml-sp.crt" "$WORK/md-wrong.xml" <<'EOF'
import re, sys
md = open(sys.argv[1]).read()
der = "".join(l for l in open(sys.argv[2]).read().splitlines() if "-----" not in l)
open(sys.argv[3], "w").write(re.sub(r"(<(?:ds:)?X509Certificate>)[^<]+(<)", lambda m: m.group(1) + der + m.group(2), md))
EOF
  if ! xmlsec_verify "$WORK/md-wrong.xml" "$resp" "$WORK/x-wrong.json"; then ok "control: xmlsec1 refuses that response against a metadata file with an unrelated certificate"
  else bad "xmlsec1 verified B's response with an unrelated certificate (the check proves nothing)" "$WORK/x-wrong.json"; fi
else bad "B's GET /sso/saml-sp with A's session cookie: no auto-POST form to $ACS" "$WORK/sso-b.json"; fi

echo "== 6. persistent NameID from A and from B (own URLs)"
browser "$A" --jar "$JAR" get /sso/saml-persistent >"$WORK/pers-a.json" 2>&1 || true
browser "$B" --jar "$JAR" get /sso/saml-persistent >"$WORK/pers-b.json" 2>&1 || true
PERSISTENT=""
if ra="$(form_to "$WORK/pers-a.json" "$P_ACS")" && rb="$(form_to "$WORK/pers-b.json" "$P_ACS")"; then
  rca=0; onelogin_verify "$P_ENTITY" "$P_ACS" "$WORK/md-a.xml" "$ra" "$WORK/v-pers-a.json" || rca=$?
  rcb=0; xmlsec_verify "$WORK/md-a.xml" "$rb" "$WORK/x-pers-b.json" || rcb=$?
  if [ "$rca" -eq 0 ] && [ "$rcb" -eq 0 ]; then
    PERSISTENT="$(jval "$WORK/v-pers-a.json" 'd["name_id"]' || true)"
    if jtrue "$WORK/x-pers-b.json" "d['name_id']=='$PERSISTENT' and d['name_id_format']=='urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'" \
       && jtrue "$WORK/v-pers-a.json" "d['name_id_format']=='urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' and d['name_id'] and '@' not in d['name_id']"; then
      ok "saml-persistent: A's NameID (python3-saml, A's metadata) and B's (xmlsec1, A's certificates) are the same persistent identifier ($PERSISTENT)"
    else bad "saml-persistent: A's and B's persistent NameIDs differ ($PERSISTENT vs $(jval "$WORK/x-pers-b.json" 'd["name_id"]'))" "$(why "$WORK/v-pers-a.json" "$WORK/x-pers-b.json")"; fi
  else bad "saml-persistent: A's response (python3-saml, exit $rca) or B's (xmlsec1, exit $rcb) did not verify with A's metadata" "$(why "$WORK/v-pers-a.json" "$WORK/v-pers-a.json.err" "$WORK/x-pers-b.json")"; fi
else bad "saml-persistent: no auto-POST form from A or from B" "$(why "$WORK/pers-a.json" "$WORK/pers-b.json")"; fi

# ------------------------------------------------------------------ phase 2
echo "== phase 2: one public URL (node B restarted with STOREIDP_BASE_URL=$A, still on port $PORT_B)"
stop_pid "$PID_B"; PID_B=""
start_node B "$PORT_B" "$A"
wait_node B "$PORT_B"
page "$B" "$JAR" / >"$WORK/home-b2.json" 2>&1 || true
if signed_in_as "$WORK/home-b2.json"; then ok "B restarted with A's URL is ready; the session made on A still works on it"
else bad "B restarted with A's URL does not show the customer signed in" "$WORK/home-b2.json"; fi

echo "== 2. a SAML AuthnRequest ID used on A is refused on B"
authn_request() {  # OUT  (python3-saml, unsigned, HTTP-Redirect, Destination = the public SSO URL)
  "${SAML[@]}" onelogin-authn-request --sp-entity-id "$ENTITY" --acs-url "$ACS" --idp-metadata "$WORK/md-a.xml" \
    --destination "$A/saml/sso" --binding redirect --relay-state "rs-$RUN" >"$1" 2>"$1.err"
}
on_node() { local url="$1" base="$2"; echo "$base${url#"$A"}"; }   # the same URL, on another node's port
if authn_request "$WORK/req1.json"; then
  RID="$(jval "$WORK/req1.json" 'd["id"]' || true)"; URL1="$(jval "$WORK/req1.json" 'd["url"]' || true)"
  browser "$A" --jar "$JAR" get "$URL1" >"$WORK/req1-a.json" 2>&1 || true
  if resp="$(form_to "$WORK/req1-a.json" "$ACS")" && onelogin_verify "$ENTITY" "$ACS" "$WORK/md-a.xml" "$resp" "$WORK/v-req1-a.json" --request-id "$RID" \
     && jtrue "$WORK/v-req1-a.json" "d['valid'] and d['in_response_to']=='$RID' and d['name_id']=='$EMAIL'"; then
    ok "AuthnRequest $RID (HTTP-Redirect, unsigned) at A → form; python3-saml accepts it (InResponseTo)"
  else bad "AuthnRequest at A: no response python3-saml accepts" "$(why "$WORK/req1-a.json" "$WORK/v-req1-a.json" "$WORK/v-req1-a.json.err")"; fi
  page "$B" "$JAR" "$(on_node "$URL1" "$B")" >"$WORK/req1-b.json" 2>&1 || true
  if jtrue "$WORK/req1-b.json" "400<=d['status']<500 and not d['form'] and 'already been used' in d['text']"; then
    ok "the same AuthnRequest at B → $(jval "$WORK/req1-b.json" 'd["status"]') error page, no form ('$(jval "$WORK/req1-b.json" 'd["text"][:90]')')"
  else bad "the same AuthnRequest at B was not refused as already used" "$WORK/req1-b.json"; fi
else bad "saml_sp.py onelogin-authn-request" "$WORK/req1.json.err"; fi
if authn_request "$WORK/req2.json"; then
  RID2="$(jval "$WORK/req2.json" 'd["id"]' || true)"
  browser "$B" --jar "$JAR" get "$(on_node "$(jval "$WORK/req2.json" 'd["url"]')" "$B")" >"$WORK/req2-b.json" 2>&1 || true
  if resp="$(form_to "$WORK/req2-b.json" "$ACS")" && onelogin_verify "$ENTITY" "$ACS" "$WORK/md-a.xml" "$resp" "$WORK/v-req2-b.json" --request-id "$RID2" \
     && jtrue "$WORK/v-req2-b.json" "d['valid'] and d['in_response_to']=='$RID2'"; then
    ok "control: a fresh AuthnRequest at B → form; python3-saml accepts it with A's metadata (InResponseTo)"
  else bad "control: a fresh AuthnRequest at B is not answered with a response python3-saml accepts" "$(why "$WORK/req2-b.json" "$WORK/v-req2-b.json" "$WORK/v-req2-b.json.err")"; fi
else bad "saml_sp.py onelogin-authn-request (control)" "$WORK/req2.json.err"; fi

echo "== 3. a launch-token jti used on A is refused on B"
mint() {  # SUB EMAIL OUT
  "$PY" "$HERE/jwt_verify.py" mint-launch --secret "$STOREIDP_LAUNCH_SECRET" --aud "$A" --iss "$STOREIDP_LAUNCH_ISSUER" \
    --sub "$1" --email "$2" --given-name Nora --family-name Quist >"$3" 2>"$3.err"
}
NORA="nora.$RUN@shop.example"
if mint "sf-$RUN" "$NORA" "$WORK/launch1.tok"; then
  LPATH="/launch/saml-sp?token=$(cat "$WORK/launch1.tok")"
  JTI="$("$PY" -c 'import jwt,sys; print(jwt.decode(sys.argv[1], options={"verify_signature": False})["jti"])' "$(cat "$WORK/launch1.tok")" || true)"
  browser "$A" --jar "$WORK/jar-launch-a" get "$LPATH" >"$WORK/launch-a.json" 2>&1 || true
  if resp="$(form_to "$WORK/launch-a.json" "$ACS")" && onelogin_verify "$ENTITY" "$ACS" "$WORK/md-a.xml" "$resp" "$WORK/v-launch-a.json" \
     && jtrue "$WORK/v-launch-a.json" "d['valid'] and d['name_id']=='$NORA'"; then
    ok "launch token (jti $JTI) at A's /launch/saml-sp → form; python3-saml accepts it (NameID $NORA)"
  else bad "launch token at A: no response python3-saml accepts" "$(why "$WORK/launch-a.json" "$WORK/v-launch-a.json" "$WORK/v-launch-a.json.err")"; fi
  page "$B" "$WORK/jar-launch-b" "$LPATH" >"$WORK/launch-b.json" 2>&1 || true
  if jtrue "$WORK/launch-b.json" "d['status']==401 and not d['form'] and 'already been used' in d['text']"; then
    ok "the same launch token at B → 401, no form ('$(jval "$WORK/launch-b.json" 'd["text"][:90]')')"
  else bad "the same launch token at B was not refused with 401 as already used" "$WORK/launch-b.json"; fi
else bad "jwt_verify.py mint-launch" "$WORK/launch1.tok.err"; fi
if mint "sf-$RUN" "$NORA" "$WORK/launch2.tok"; then
  browser "$B" --jar "$WORK/jar-launch-b2" get "/launch/saml-sp?token=$(cat "$WORK/launch2.tok")" >"$WORK/launch-b2.json" 2>&1 || true
  if resp="$(form_to "$WORK/launch-b2.json" "$ACS")" && onelogin_verify "$ENTITY" "$ACS" "$WORK/md-a.xml" "$resp" "$WORK/v-launch-b2.json" \
     && jtrue "$WORK/v-launch-b2.json" "d['valid'] and d['name_id']=='$NORA'"; then
    ok "control: a fresh launch token for the same storefront customer at B → form; python3-saml accepts it"
  else bad "control: a fresh launch token at B is not answered with a response python3-saml accepts" "$(why "$WORK/launch-b2.json" "$WORK/v-launch-b2.json" "$WORK/v-launch-b2.json.err")"; fi
else bad "jwt_verify.py mint-launch (control)" "$WORK/launch2.tok.err"; fi

echo "== 4. an OpenID code obtained through A: redeemed at B, refused at A"
cat >"$WORK/oidc.json" <<EOF
{"a": "$A", "b": "$B", "issuer": "$A",
 "customer": {"email": "$EMAIL", "password": "$PASSWORD"},
 "client": {"client_id": "two-nodes-rp", "secret_env": "OIDC_RP_SECRET", "redirect_uri": "$SP_HOST/oidc/callback", "alg": "RS256"}}
EOF
run_checks "two_nodes.py oidc" "$WORK/oidc.out" "${TN[@]}" oidc --config "$WORK/oidc.json"

echo "== 6. persistent NameID from A and from B (one public URL, python3-saml for both)"
browser "$A" --jar "$JAR" get /sso/saml-persistent >"$WORK/pers2-a.json" 2>&1 || true
browser "$B" --jar "$JAR" get /sso/saml-persistent >"$WORK/pers2-b.json" 2>&1 || true
if ra="$(form_to "$WORK/pers2-a.json" "$P_ACS")" && rb="$(form_to "$WORK/pers2-b.json" "$P_ACS")" \
   && onelogin_verify "$P_ENTITY" "$P_ACS" "$WORK/md-a.xml" "$ra" "$WORK/v-pers2-a.json" \
   && onelogin_verify "$P_ENTITY" "$P_ACS" "$WORK/md-a.xml" "$rb" "$WORK/v-pers2-b.json"; then
  na="$(jval "$WORK/v-pers2-a.json" 'd["name_id"]' || true)"; nb="$(jval "$WORK/v-pers2-b.json" 'd["name_id"]' || true)"
  if [ "$na" = "$nb" ] && [ -n "$na" ] && { [ -z "$PERSISTENT" ] || [ "$na" = "$PERSISTENT" ]; }; then
    ok "saml-persistent: python3-saml reads the same persistent NameID from A and from B ($na, as in phase 1)"
  else bad "saml-persistent: NameIDs differ (A $na, B $nb, phase 1 ${PERSISTENT:-none})"; fi
else bad "saml-persistent: A's or B's response is not accepted by python3-saml with A's metadata" "$(why "$WORK/v-pers2-a.json" "$WORK/v-pers2-a.json.err" "$WORK/v-pers2-b.json" "$WORK/v-pers2-b.json.err" "$WORK/pers2-b.json")"; fi

echo "== 5. storeidp keys rotate, seen by both running nodes"
"$BIN" keys list >"$WORK/keys1.out" 2>&1 || true
OLD_RS="$(active_kid "$WORK/keys1.out" RS256)"; OLD_ES="$(active_kid "$WORK/keys1.out" ES256)"
if "$BIN" keys rotate >"$WORK/rotate.out" 2>&1 && "$BIN" keys list >"$WORK/keys2.out" 2>&1; then
  NEW_RS="$(active_kid "$WORK/keys2.out" RS256)"; NEW_ES="$(active_kid "$WORK/keys2.out" ES256)"
  # keys made by this rotation (the new `next` ones; on a ring without a `next` key also the new
  # active ones): no node can have published them before it
  FRESH="$(awk 'NR>1 {print $1}' "$WORK/keys2.out" | grep -vxF -f <(awk 'NR>1 {print $1}' "$WORK/keys1.out") | tr '\n' ' ' || true)"
  if [ -n "$NEW_RS" ] && [ "$NEW_RS" != "$OLD_RS" ] && [ -n "$NEW_ES" ] && [ "$NEW_ES" != "$OLD_ES" ] && [ -n "$FRESH" ]; then
    ok "storeidp keys rotate (same environment, nodes running): active RS256 $OLD_RS → $NEW_RS, ES256 $OLD_ES → $NEW_ES, new keys $FRESH"
  else bad "keys rotate did not change the active keys" "$(why "$WORK/keys1.out" "$WORK/rotate.out" "$WORK/keys2.out")"; fi
else bad "storeidp keys rotate" "$(why "$WORK/rotate.out" "$WORK/keys2.out")"; fi
if [ -n "${NEW_RS:-}" ]; then
  for node in A B; do
    base="$A"; [ "$node" = B ] && base="$B"
    if waited="$(wait_ring_reloaded "$base")"; then ok "$node publishes the rotated ring after $((waited * 100)) ms (no restart)"
    else bad "$node did not pick the rotation up within 10 s" "$WORK/node-$node.log"; fi
  done
  curl -fsS --max-time 5 "$B/.well-known/jwks.json" >"$WORK/jwks-b2.json" 2>"$WORK/jwks-b2.err" || true
  if jtrue "$WORK/jwks-b2.json" "(lambda kids: '$NEW_RS' in kids and '$NEW_ES' in kids and '$OLD_RS' in kids and all(k in kids for k in '$FRESH'.split()))([k['kid'] for k in d['keys']])"; then
    ok "B's /.well-known/jwks.json (no restart) lists the new active kids, the keys the rotation made, and the retired ones"
  else bad "B's JWKS after rotation lacks the new active or freshly made kids" "$(why "$WORK/jwks-b2.json" "$WORK/jwks-b2.err" "$WORK/keys2.out")"; fi
  metadata "$B" "$WORK/md-b2.xml" || true
  metadata "$A" "$WORK/md-a2.xml" || true
  NEW_CERT="$(cert_sha256 "$NEW_RS" || true)"
  if [ -s "$WORK/md-b2.xml" ] && "$PY" - "$WORK/md-b2.xml" "$NEW_CERT" "$HERE" <<'EOF'
import sys
sys.path.insert(0, sys.argv[3]); sys.dont_write_bytecode = True
from two_nodes import metadata_signing_certs, sha256_of
sys.exit(0 if sys.argv[2] in [sha256_of(c) for c in metadata_signing_certs(sys.argv[1])] else 1)
EOF
  then ok "B's /saml/metadata (no restart) lists the new active key's certificate"
  else bad "B's /saml/metadata after rotation lacks the new active certificate ($NEW_CERT)" "$WORK/md-b2.xml.json"; fi
  browser "$B" --jar "$JAR" get "/sso/saml-sp?RelayState=rot" >"$WORK/rot-b.json" 2>&1 || true
  if resp="$(form_to "$WORK/rot-b.json" "$ACS")"; then
    rc=0; onelogin_verify "$ENTITY" "$ACS" "$WORK/md-a2.xml" "$resp" "$WORK/v-rot-b.json" || rc=$?
    if [ "$rc" -eq 0 ] && jtrue "$WORK/v-rot-b.json" "d['valid'] and d['name_id']=='$EMAIL'"; then
      ok "python3-saml accepts B's fresh response with the metadata fetched from A after the rotation"
    else bad "python3-saml refuses B's response after rotation (A's metadata)" "$(why "$WORK/v-rot-b.json" "$WORK/v-rot-b.json.err")"; fi
    rc=0; xmlsec_verify "$WORK/md-a2.xml" "$resp" "$WORK/x-rot-b.json" || rc=$?
    if [ "$rc" -eq 0 ] && jtrue "$WORK/x-rot-b.json" "d['valid'] and d['metadata_cert']=='$NEW_CERT' and d['keyinfo_cert_sha256']=='$NEW_CERT'"; then
      ok "xmlsec1: B signed it with the newly active key $NEW_RS (verified with that certificate from A's metadata)"
    else bad "B's response after rotation is not signed with the newly active key $NEW_RS" "$(why "$WORK/x-rot-b.json" "$WORK/x-rot-b.json.err" "$WORK/keys2.out")"; fi
  else bad "after rotation: no auto-POST form from B's /sso/saml-sp" "$WORK/rot-b.json"; fi
  browser "$A" --jar "$JAR" get "/sso/saml-sp?RelayState=rot" >"$WORK/rot-a.json" 2>&1 || true
  if resp="$(form_to "$WORK/rot-a.json" "$ACS")" && xmlsec_verify "$WORK/md-a2.xml" "$resp" "$WORK/x-rot-a.json" \
     && jtrue "$WORK/x-rot-a.json" "d['keyinfo_cert_sha256']=='$NEW_CERT'"; then
    ok "A signs with the newly active key too (no restart)"
  else bad "A's response after rotation is not signed with the newly active key" "$(why "$WORK/rot-a.json" "$WORK/x-rot-a.json")"; fi
fi

echo "== 1b. a logout on B ends the session on A"
JAR2="$WORK/jar2"
if browser "$A" --jar "$JAR2" login --email "$EMAIL" --password "$PASSWORD" >"$WORK/login2.json" 2>&1 \
   && jtrue "$WORK/login2.json" 'd["status"]==303'; then
  csrf="$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[2]); from browser import Browser, hidden_field; print(hidden_field(Browser(sys.argv[3], sys.argv[1]).get("/").text, "csrf") or "")' "$JAR2" "$HERE" "$B" 2>"$WORK/csrf.err" || true)"
  browser "$B" --jar "$JAR2" post /logout --field "csrf=$csrf" >"$WORK/logout-b.json" 2>&1 || true
  page "$A" "$JAR2" / >"$WORK/home-a-after.json" 2>&1 || true
  if [ -n "$csrf" ] && jtrue "$WORK/logout-b.json" '300<=d["status"]<400' && jtrue "$WORK/home-a-after.json" "d['status']==200 and 'Signed in' not in d['text']"; then
    ok "a second login at A, POST /logout at B ($(jval "$WORK/logout-b.json" 'd["status"]')) → A's / shows nobody signed in"
  else bad "after POST /logout at B the session still works at A (or the logout failed)" "$(why "$WORK/logout-b.json" "$WORK/home-a-after.json")"; fi
else bad "second login at A" "$WORK/login2.json"; fi

echo "== 8. the metrics moved on both nodes"
for n in A B; do
  url="$A"; [ "$n" = B ] && url="$B"
  curl -fsS --max-time 5 -H "Authorization: Bearer $STOREIDP_METRICS_TOKEN" "$url/metrics" >"$WORK/metrics-$n.txt" 2>"$WORK/metrics-$n.err" || true
  requests="$(grep -E '^http_requests_total\{' "$WORK/metrics-$n.txt" | awk '{s+=$NF} END {print s+0}')"
  signins="$(grep -E '^storeidp_signins_total\{' "$WORK/metrics-$n.txt" | awk '{s+=$NF} END {print s+0}')"
  if [ "${requests%.*}" -gt 0 ] && [ "${signins%.*}" -gt 0 ] && grep -q '^storeidp_key_age_seconds' "$WORK/metrics-$n.txt" \
     && grep -q '^storeidp_database_pool_wait_seconds_count' "$WORK/metrics-$n.txt"; then
    ok "node $n: /metrics counts $requests requests and $signins sign-ins, the keys' age and the pool-wait samples"
  else bad "node $n: /metrics does not show the requests and sign-ins it served, or the pool waits" "$WORK/metrics-$n.txt"; fi
done
va="$(awk '/^storeidp_key_ring_version /{print $2}' "$WORK/metrics-A.txt")"; vb="$(awk '/^storeidp_key_ring_version /{print $2}' "$WORK/metrics-B.txt")"
if [ -n "$va" ] && [ "$va" = "$vb" ] && [ "${va%.*}" -ge 1 ]; then ok "both nodes sign with key ring version $va (after the rotation)"
else bad "the nodes report different key ring versions (A ${va:-none}, B ${vb:-none})" "$(why "$WORK/metrics-A.txt" "$WORK/metrics-B.txt")"; fi

echo "== 7. both nodes still answer /healthz (and /readyz)"
for n in A B; do
  url="$A"; [ "$n" = B ] && url="$B"
  if curl -fsS --max-time 5 "$url/healthz" >/dev/null 2>&1 && curl -fsS --max-time 5 "$url/readyz" >/dev/null 2>&1; then
    ok "node $n ($url) still answers /healthz and /readyz with 200"
  else bad "node $n stopped answering /healthz or /readyz with 200" "$WORK/node-$n.log"; fi
done

finish
