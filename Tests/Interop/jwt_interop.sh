#!/usr/bin/env bash
# Server-driven JWT interop: a real StoreIdP (`serve`, fresh SQLite database and key folder) against
# a JWT relying party played by PyJWT (Tests/Interop/jwt_verify.py: shared secret, or the JWKS and
# the token's kid), a fake BigCommerce store (Tests/Interop/bigcommerce_fake.py: Customers v3 API
# and the storefront's /login/token/{jwt} with BigCommerce's documented checks), storefront launch
# links minted with PyJWT (jwt_verify.py mint-launch and Tests/Interop/mint_launch_example.py) and
# python3-saml for the SAML side of a launch; `providers preview` is compared with what the peers got.
#
#   bash Tests/Interop/jwt_interop.sh       (from anywhere; needs a built storeidp binary,
#                                            $STOREIDP_INTEROP_PYTHON or .build/interop-venv, openssl, curl)
#
# STOREIDP_INTEROP_KEEP=1 keeps the temp folder (tokens, verifier JSON, fake's log, server.log).
# Prints one `ok: …` or `FAILED: …` line per check, then `jwt-interop: N passed, M failed`;
# exits non-zero when a check failed. Everything listens on and talks to 127.0.0.1 only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init jwt-interop
need_tools openssl curl
make_work
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
server_env "sqlite://$WORK/storeidp.sqlite" "$BASE"
export STOREIDP_LAUNCH_SECRET="$(random_secret)"
export STOREIDP_LAUNCH_ISSUER=https://shop.example   # the iss the launch tokens below carry; needed with the secret
export INTEROP_JWT_SECRET="$(random_secret)"
export BC_CLIENT_SECRET="$(random_secret)"
export BC_API_TOKEN="$(random_secret)"

EMAIL=ann@shop.example
PASSWORD='interop correct horse 7'
SP_HOST=http://127.0.0.1:9   # nothing listens there: the Location header is read, never followed
BC_HASH=abc123; BC_CLIENT_ID=interop-client-id
BROWSER=("$PY" "$HERE/browser.py" --base "$BASE")
JWTV=("$PY" "$HERE/jwt_verify.py")
JWKS="$BASE/.well-known/jwks.json"

# ------------------------------------------------------------------ 1. fake BigCommerce, keys, providers, customer, server
BC_LOG="$WORK/bigcommerce.json"
"$PY" "$HERE/bigcommerce_fake.py" --store-hash "$BC_HASH" --client-id "$BC_CLIENT_ID" --client-secret-env BC_CLIENT_SECRET \
  --api-token-env BC_API_TOKEN --channel-id 1 --port 0 --port-file "$WORK/bc.port" --log "$BC_LOG" \
  >"$WORK/bigcommerce.out" 2>"$WORK/bigcommerce.log" &
FAKE_PID=$!; BG_PIDS+=("$FAKE_PID")
for _ in $(seq 1 100); do   # at most ~10 s
  [ -s "$WORK/bc.port" ] && break
  kill -0 "$FAKE_PID" 2>/dev/null || die "bigcommerce_fake.py exited during start" "$WORK/bigcommerce.log"
  sleep 0.1
done
[ -s "$WORK/bc.port" ] || die "bigcommerce_fake.py did not write its port within 10 s" "$WORK/bigcommerce.log"
BC="http://127.0.0.1:$(cat "$WORK/bc.port")"

self_signed_cert launch-saml interop-launch-saml || die "openssl req for launch-saml"

MAPPING='    attributes:
      email: customer.email
      given_name: customer.first_name
      family_name: customer.last_name
      tier: customer.attributes.tier
      roles: split(customer.attributes.roles, ",")
      level: map(customer.group, Wholesale=partner, Retail=customer, default=guest)'
redirect() { echo "$SP_HOST/$1/sso"; }
cat >"$WORK/providers.yml" <<EOF
providers:
  - slug: jwt-hs
    name: Interop HS256
    protocol: jwt
    lifetime_seconds: 300
$MAPPING
    jwt: { algorithm: HS256, secret_env: INTEROP_JWT_SECRET, redirect_url: $(redirect jwt-hs), parameter: jwt, delivery: query }
  - slug: jwt-rs
    name: Interop RS256
    protocol: jwt
    lifetime_seconds: 300
$MAPPING
    jwt: { algorithm: RS256, redirect_url: $(redirect jwt-rs), parameter: jwt, delivery: query }
  - slug: jwt-es
    name: Interop ES256
    protocol: jwt
    lifetime_seconds: 300
    audience: https://es.partner.example
$MAPPING
    jwt: { algorithm: ES256, redirect_url: $(redirect jwt-es), parameter: jwt, delivery: query }
  - slug: jwt-pairwise
    name: Interop pairwise
    protocol: jwt
    lifetime_seconds: 300
$MAPPING
    jwt:
      algorithm: RS256
      redirect_url: $(redirect jwt-pairwise)
      parameter: jwt
      delivery: query
      subject: pairwise
      claims: { tenant: acme }
  - slug: shop-b2b
    name: Interop BigCommerce
    protocol: bigcommerce
    attributes:
      email: customer.email
      first_name: customer.first_name
      last_name: customer.last_name
    bigcommerce: { store_url: $BC, store_hash: $BC_HASH, channel_id: 1, client_id: $BC_CLIENT_ID, client_secret_env: BC_CLIENT_SECRET, api_token_env: BC_API_TOKEN, api_url: $BC }
  - slug: launch-saml
    name: Interop SAML (launch)
    protocol: saml
    lifetime_seconds: 300
$MAPPING
    saml:
      entity_id: $SP_HOST/launch-saml/metadata
      acs_urls: [$SP_HOST/launch-saml/acs]
      certificate: launch-saml.crt
      sign: response
EOF

"$BIN" providers apply "$WORK/providers.yml" >"$WORK/apply.out" 2>&1 || die "providers apply" "$WORK/apply.out"
"$BIN" customers add --email "$EMAIL" --password "$PASSWORD" --first-name Ann --last-name Lee --group Wholesale \
  --attribute tier=gold --attribute roles=a,b >"$WORK/customer.out" 2>&1 || die "customers add" "$WORK/customer.out"
start_storeidp
ok "fake BigCommerce on $BC; providers apply (4 JWT, 1 BigCommerce, 1 SAML), customers add, serve on $BASE, /healthz"

JAR="$WORK/jar"
"${BROWSER[@]}" --jar "$JAR" login --email "$EMAIL" --password "$PASSWORD" >"$WORK/login.json" 2>"$WORK/login.err" \
  && jtrue "$WORK/login.json" 'd["status"]==303' || die "POST /login with CSRF token" "$WORK/login.json"
ok "browser login (GET /login csrf, POST /login → 303)"

# ------------------------------------------------------------------ 2. JWT partners
# the token from a browser JSON whose answer is 303 to PREFIX?jwt=…; prints it
token_from() {  # BROWSERJSON EXPECTED-REDIRECT-URL
  "$PY" - "$1" "$2" <<'EOF'
import json, sys
from urllib.parse import parse_qs, urlsplit
d = json.load(open(sys.argv[1])); want = sys.argv[2]
loc = d.get("location") or ""
if d["status"] != 303 or loc.split("?")[0] != want:
    sys.exit(f"wanted 303 to {want}?jwt=…, got {d['status']} Location {loc!r}")
q = parse_qs(urlsplit(loc).query)
if list(q) != ["jwt"] or len(q["jwt"]) != 1:
    sys.exit(f"wanted exactly one jwt parameter, got {sorted(q)}")
print(q["jwt"][0])
EOF
}
# GET /sso/SLUG (or a launch URL) in JAR and save the token in FILE
sso_token() {  # JAR PATH SLUG TOKENFILE
  local out="$4.browser.json"
  "${BROWSER[@]}" --jar "$1" get "$2" >"$out" 2>"$out.err" && token_from "$out" "$(redirect "$3")" >"$4" 2>>"$out.err"
}
audience_of() { case "$1" in jwt-es) echo https://es.partner.example ;; *) echo "$SP_HOST" ;; esac; }
alg_of() { case "$1" in jwt-hs) echo HS256 ;; jwt-es) echo ES256 ;; *) echo RS256 ;; esac; }
verify_token() {  # SLUG TOKENFILE OUT
  local key=(--jwks-url "$JWKS")
  [ "$1" = jwt-hs ] && key=(--secret "$INTEROP_JWT_SECRET")
  "${JWTV[@]}" verify --token "$(cat "$2")" --alg "$(alg_of "$1")" "${key[@]}" --audience "$(audience_of "$1")" \
    --issuer "$BASE" >"$3" 2>"$3.err"
}
ANN_CLAIMS='c["email"]=="ann@shop.example" and c["given_name"]=="Ann" and c["family_name"]=="Lee" and c["tier"]=="gold" and c["roles"]==["a","b"] and c["level"]=="partner"'
claims_cond() {
  local hdr='d["header"].get("typ")=="JWT" and d["header"].get("alg")=="'"$(alg_of "$1")"'"'
  [ "$1" != jwt-hs ] && hdr="$hdr and d[\"header\"].get(\"kid\")"
  case "$1" in
    jwt-pairwise) echo "$hdr and c['sub'] and c['sub']!='ann@shop.example' and '@' not in c['sub'] and c.get('tenant')=='acme' and $ANN_CLAIMS" ;;
    *)            echo "$hdr and c['sub']=='ann@shop.example' and $ANN_CLAIMS" ;;
  esac
}
judge_jwt() {  # LABEL SLUG OUT RC
  if [ "$4" -eq 0 ] && jtrue "$3" "d['valid'] and (lambda c: $(claims_cond "$2"))(d['claims'])"; then ok "$1"
  else bad "$1" "$(why "$3" "$3.err")"; fi
}

echo "== IdP-initiated GET /sso/SLUG → 303 REDIRECT?jwt=…, verified by PyJWT"
for slug in jwt-hs jwt-rs jwt-es jwt-pairwise; do
  tok="$WORK/tok-$slug"
  if ! sso_token "$JAR" "/sso/$slug" "$slug" "$tok"; then bad "GET /sso/$slug: no 303 to $(redirect "$slug")?jwt=…" "$(why "$tok.browser.json" "$tok.browser.json.err")"; continue; fi
  rc=0; verify_token "$slug" "$tok" "$WORK/v-$slug.json" || rc=$?
  how="secret"; [ "$slug" != jwt-hs ] && how="JWKS kid"
  judge_jwt "$slug: PyJWT accepts the $(alg_of "$slug") token ($how, aud $(audience_of "$slug"), iss $BASE; sub, email/given_name/family_name/tier/roles[a,b]/level=partner$([ "$slug" = jwt-pairwise ] && echo ', pairwise sub, tenant=acme'))" \
    "$slug" "$WORK/v-$slug.json" "$rc"
done

# wrong audience / wrong secret must be refused by the verifier (the checks above prove something)
if [ -s "$WORK/tok-jwt-rs" ] && ! "${JWTV[@]}" verify --token "$(cat "$WORK/tok-jwt-rs")" --alg RS256 --jwks-url "$JWKS" \
     --audience https://other.example --issuer "$BASE" >"$WORK/neg1.json" 2>&1; then
  ok "PyJWT refuses the RS256 token for another audience"
else bad "PyJWT accepted the RS256 token for another audience" "$WORK/neg1.json"; fi
if [ -s "$WORK/tok-jwt-hs" ] && ! "${JWTV[@]}" verify --token "$(cat "$WORK/tok-jwt-hs")" --alg HS256 --secret "$BC_CLIENT_SECRET" \
     --audience "$SP_HOST" --issuer "$BASE" >"$WORK/neg2.json" 2>&1; then
  ok "PyJWT refuses the HS256 token with another secret"
else bad "PyJWT accepted the HS256 token with another secret" "$WORK/neg2.json"; fi

# pairwise: the same subject on the next visit
if sso_token "$JAR" /sso/jwt-pairwise jwt-pairwise "$WORK/tok-pw2" && verify_token jwt-pairwise "$WORK/tok-pw2" "$WORK/v-pw2.json" \
   && [ "$(jval "$WORK/v-pw2.json" 'd["claims"]["sub"]')" = "$(jval "$WORK/v-jwt-pairwise.json" 'd["claims"]["sub"]')" ]; then
  ok "jwt-pairwise: the pairwise sub is stable across visits"
else bad "jwt-pairwise: the pairwise sub changed (or the second token failed)" "$(why "$WORK/v-pw2.json" "$WORK/tok-pw2.browser.json")"; fi

echo "== key rotation while serving (JWKS, kid selection, retired keys stay published)"
cp "$WORK/tok-jwt-rs" "$WORK/old-rs" 2>/dev/null || true
cp "$WORK/tok-jwt-es" "$WORK/old-es" 2>/dev/null || true
OLD_RS_KID="$(jval "$WORK/v-jwt-rs.json" 'd["header"]["kid"]' 2>/dev/null || echo none)"
OLD_ES_KID="$(jval "$WORK/v-jwt-es.json" 'd["header"]["kid"]' 2>/dev/null || echo none)"
if "$BIN" keys rotate >"$WORK/rotate.out" 2>&1; then ok "storeidp keys rotate (server running)"
else bad "storeidp keys rotate" "$WORK/rotate.out"; fi
wait_ring_reloaded "$BASE" >/dev/null || bad "the running server did not pick the rotation up within 10 s" "$WORK/server.log"
"$BIN" keys list >"$WORK/keys.out" 2>/dev/null || true
curl -fsS --max-time 5 "$JWKS" >"$WORK/jwks.json" 2>"$WORK/jwks.err" || bad "GET /.well-known/jwks.json after rotation" "$WORK/jwks.err"
for slug in jwt-rs jwt-es; do
  alg="$(alg_of "$slug")"
  old_kid="$OLD_RS_KID"; [ "$slug" = jwt-es ] && old_kid="$OLD_ES_KID"
  active="$(awk -v a="$alg" '$2==a && $3=="active" {print $1}' "$WORK/keys.out" | head -n 1)"
  tok="$WORK/rot-$slug"
  if sso_token "$JAR" "/sso/$slug" "$slug" "$tok"; then
    rc=0; verify_token "$slug" "$tok" "$WORK/v-rot-$slug.json" || rc=$?
    judge_jwt "after rotation: PyJWT accepts a fresh $alg token through the JWKS" "$slug" "$WORK/v-rot-$slug.json" "$rc"
    kid="$(jval "$WORK/v-rot-$slug.json" 'd["header"]["kid"]' 2>/dev/null || echo none)"
    if [ -n "$active" ] && [ "$kid" = "$active" ] && [ "$kid" != "$old_kid" ]; then
      ok "after rotation the $alg token names the newly active kid ($kid, was $old_kid)"
    else bad "after rotation the $alg token's kid is $kid (old $old_kid, active per keys list: ${active:-none})" "$WORK/keys.out"; fi
  else bad "after rotation: GET /sso/$slug gave no token" "$(why "$tok.browser.json" "$tok.browser.json.err")"; fi
  if [ -s "$WORK/old-$([ "$slug" = jwt-rs ] && echo rs || echo es)" ]; then
    old="$WORK/old-$([ "$slug" = jwt-rs ] && echo rs || echo es)"
    rc=0; verify_token "$slug" "$old" "$WORK/v-old-$slug.json" || rc=$?
    judge_jwt "a $alg token minted before the rotation still verifies against the new JWKS (retired kid $old_kid published)" "$slug" "$WORK/v-old-$slug.json" "$rc"
  fi
done
if jtrue "$WORK/jwks.json" "len({k['kid'] for k in d['keys'] if k.get('kty')=='RSA'})>=2 and len({k['kid'] for k in d['keys'] if k.get('kty')=='EC'})>=2 and '$OLD_RS_KID' in [k['kid'] for k in d['keys']] and '$OLD_ES_KID' in [k['kid'] for k in d['keys']]"; then
  ok "JWKS after rotation: $(jval "$WORK/jwks.json" 'len(d["keys"])') keys, the retired RSA and EC kids among them"
else bad "JWKS after rotation lacks the retired kids or a second key per type" "$WORK/jwks.json"; fi

# ------------------------------------------------------------------ 3. BigCommerce
echo "== BigCommerce: Customers v3 API and /login/token/{jwt} on the fake store"
api_count() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for e in d["api"] if e["method"]==sys.argv[2]))' "$BC_LOG" "$1"; }
api_total() { "$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["api"]))' "$BC_LOG"; }
# follow StoreIdP's 303 to the fake store; saves "STATUS LOCATION" in OUT and the body in OUT.body
follow_login() {  # BROWSERJSON OUT
  local loc; loc="$(jval "$1" 'd["location"] or ""')"
  case "$loc" in "$BC/login/token/"*) ;; *) echo "StoreIdP did not redirect to $BC/login/token/…: $(jval "$1" 'd["status"]') $loc" >"$2.body"; return 1 ;; esac
  echo "$loc" >"$2.url"
  curl -sS --max-time 10 -o "$2.body" -w '%{http_code} %{redirect_url}' "$loc" >"$2" 2>>"$2.body"
}
bc_visit() {  # PATH OUT  → 0 when StoreIdP 303'd to the fake and the fake answered
  "${BROWSER[@]}" --jar "$JAR" get "$1" >"$2.json" 2>"$2.err" && follow_login "$2.json" "$2"
}
accepted() {  # OUT REDIRECT-PATH
  [ "$(cat "$1" 2>/dev/null)" = "302 $BC$2" ] && grep -q "signed in customer [0-9]* (ann@shop.example)" "$1.body"
}
if bc_visit /sso/shop-b2b "$WORK/bc1" && accepted "$WORK/bc1" /; then
  ok "first visit: 303 to the store's /login/token/{jwt}; the fake store accepts it (302 /, $(tr -d '\n' <"$WORK/bc1.body"))"
else bad "first visit: the fake store refused or was not reached" "$(why "$WORK/bc1.json" "$WORK/bc1" "$WORK/bc1.body")"; fi
if [ "$(api_count GET)" = 1 ] && [ "$(api_count POST)" = 1 ] \
   && jtrue "$BC_LOG" '[e["query"] for e in d["api"] if e["method"]=="GET"]==["email%3Ain=ann@shop.example"] or [__import__("urllib.parse",fromlist=["x"]).parse_qsl(e["query"]) for e in d["api"] if e["method"]=="GET"]==[[("email:in","ann@shop.example")]]' \
   && jtrue "$BC_LOG" '[ (b["email"],b["first_name"],b["last_name"]) for e in d["api"] if e["method"]=="POST" for b in e["body"]]==[("ann@shop.example","Ann","Lee")] and all(e["status"]==200 for e in d["api"])'; then
  ok "API log: one lookup (GET …/v3/customers?email:in=ann@shop.example) and one creation (Ann Lee), both 200"
else bad "API log is not one lookup and one creation" "$BC_LOG"; fi
if [ -s "$WORK/bc1.url" ]; then
  curl -sS --max-time 10 -o "$WORK/bc-replay.body" -w '%{http_code}' "$(cat "$WORK/bc1.url")" >"$WORK/bc-replay" 2>>"$WORK/bc-replay.body" || true
  if [ "$(cat "$WORK/bc-replay")" = 400 ] && grep -q "already been used" "$WORK/bc-replay.body"; then
    ok "the same login token replayed against the store is refused (400: $(tr -d '\n' <"$WORK/bc-replay.body"))"
  else bad "a replayed login token was not refused by the fake store" "$(why "$WORK/bc-replay" "$WORK/bc-replay.body")"; fi
fi
n_api="$(api_total)"
if bc_visit /sso/shop-b2b "$WORK/bc2" && accepted "$WORK/bc2" / && [ "$(api_total)" = "$n_api" ]; then
  ok "second visit: accepted again and no API call (the link is remembered)"
else bad "second visit: refused, or StoreIdP called the API again ($(api_total) calls, was $n_api)" "$(why "$WORK/bc2.json" "$WORK/bc2" "$WORK/bc2.body" "$BC_LOG")"; fi
"${BROWSER[@]}" --jar "$JAR" get "/sso/shop-b2b?redirect_to=https%3A%2F%2Fevil.example" >"$WORK/bc-evil.json" 2>&1 || true
if jtrue "$WORK/bc-evil.json" 'd["status"]==400 and "evil.example" not in (d["location"] or "")'; then
  ok "?redirect_to=https://evil.example → 400 from StoreIdP, no redirect"
else bad "?redirect_to=https://evil.example was not refused with 400" "$WORK/bc-evil.json"; fi
if bc_visit "/sso/shop-b2b?redirect_to=/cart.php" "$WORK/bc3" && accepted "$WORK/bc3" /cart.php; then
  ok "?redirect_to=/cart.php → the store signs the customer in and redirects to /cart.php"
else bad "?redirect_to=/cart.php did not end at the store's /cart.php" "$(why "$WORK/bc3.json" "$WORK/bc3" "$WORK/bc3.body")"; fi
if [ "$(api_total)" = "$n_api" ]; then ok "still only $n_api API calls after four visits"
else bad "API calls grew to $(api_total) (was $n_api)" "$BC_LOG"; fi
# the fake itself refuses what BigCommerce refuses (so its acceptance above means something)
code="$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'X-Auth-Token: wrong' "$BC/stores/$BC_HASH/v3/customers?email:in=$EMAIL" 2>/dev/null || true)"
bad_tok="$("$PY" -c 'import jwt,sys,time,uuid; print(jwt.encode({"iss":sys.argv[1],"iat":int(time.time()),"jti":uuid.uuid4().hex,"operation":"customer_login","store_hash":sys.argv[2],"customer_id":101},"x"*40,algorithm="HS256",headers={"typ":"JWT"}))' "$BC_CLIENT_ID" "$BC_HASH")"
old_tok="$("$PY" -c 'import jwt,os,sys,time,uuid; print(jwt.encode({"iss":sys.argv[1],"iat":int(time.time())-60,"jti":uuid.uuid4().hex,"operation":"customer_login","store_hash":sys.argv[2],"customer_id":101},os.environ["BC_CLIENT_SECRET"],algorithm="HS256",headers={"typ":"JWT"}))' "$BC_CLIENT_ID" "$BC_HASH")"
c1="$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$BC/login/token/$bad_tok" 2>/dev/null || true)"
c2="$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$BC/login/token/$old_tok" 2>/dev/null || true)"
if [ "$code" = 401 ] && [ "$c1" = 400 ] && [ "$c2" = 400 ]; then
  ok "fake store sanity: wrong X-Auth-Token → 401, wrong client secret → 400, iat 60 s old → 400"
else bad "fake store sanity: wrong token $code, wrong secret $c1, old iat $c2 (wanted 401, 400, 400)" "$WORK/bigcommerce.log"; fi

# ------------------------------------------------------------------ 4. launch links
echo "== storefront launch links (/launch/SLUG?token=…)"
SAML=("$PY" "$HERE/saml_sp.py")
"${BROWSER[@]}" --jar "$WORK/jar-anon" fetch /saml/metadata --out "$WORK/md.xml" >"$WORK/md.json" 2>&1 || bad "GET /saml/metadata" "$WORK/md.json"
onelogin_verify() {  # SAMLRESPONSE OUT
  "${SAML[@]}" onelogin-verify --want-messages-signed --sp-entity-id "$SP_HOST/launch-saml/metadata" \
    --acs-url "$SP_HOST/launch-saml/acs" --idp-metadata "$WORK/md.xml" --saml-response "$1" >"$2" 2>"$2.err"
}
saml_form() {  # BROWSERJSON → prints SAMLResponse when it is our auto-POST form to the ACS
  jtrue "$1" 'd["status"]==200 and d["form"] and d["form"]["action"]=="'"$SP_HOST/launch-saml/acs"'" and d["form"]["fields"].get("SAMLResponse")' \
    && jval "$1" 'd["form"]["fields"]["SAMLResponse"]'
}
NORA=nora.new@shop.example
"${JWTV[@]}" mint-launch --secret "$STOREIDP_LAUNCH_SECRET" --aud "$BASE" --iss https://shop.example --sub sf-2001 \
  --email "$NORA" --given-name Nora --family-name Quist --claim group=Retail >"$WORK/launch.tok" 2>"$WORK/launch.err" \
  || bad "jwt_verify.py mint-launch" "$WORK/launch.err"
LAUNCH_PATH="/launch/launch-saml?token=$(cat "$WORK/launch.tok")"
if "${BROWSER[@]}" --jar "$WORK/jar-launch" get "$LAUNCH_PATH" >"$WORK/launch1.json" 2>&1 && resp="$(saml_form "$WORK/launch1.json")"; then
  rc=0; onelogin_verify "$resp" "$WORK/v-launch.json" || rc=$?
  if [ "$rc" -eq 0 ] && jtrue "$WORK/v-launch.json" "d['valid'] and d['name_id']=='$NORA' and d['attributes'].get('email')==['$NORA'] and d['attributes'].get('given_name')==['Nora'] and d['attributes'].get('family_name')==['Quist'] and d['attributes'].get('level')==['customer']"; then
    ok "launch (new customer, PyJWT token) → auto-POST form; python3-saml accepts it: NameID $NORA, given_name Nora, family_name Quist, level customer"
  else bad "launch: python3-saml refused the response or the names differ" "$(why "$WORK/v-launch.json" "$WORK/v-launch.json.err")"; fi
else bad "launch: no auto-POST form to the ACS" "$WORK/launch1.json"; fi
"${BROWSER[@]}" --jar "$WORK/jar-launch2" get "$LAUNCH_PATH" >"$WORK/launch2.json" 2>&1 || true
if jtrue "$WORK/launch2.json" 'd["status"]==401 and not d["form"]'; then ok "the same launch token again → 401, no form"
else bad "a replayed launch token was not refused with 401" "$WORK/launch2.json"; fi

OMAR=omar.example@shop.example
if url="$(STOREIDP_BASE_URL="$BASE" "$PY" "$HERE/mint_launch_example.py" jwt-rs sf-3003 "$OMAR" Omar Okafor Retail 2>"$WORK/example.err")" \
   && sso_token "$WORK/jar-example" "$url" jwt-rs "$WORK/tok-example"; then
  rc=0; verify_token jwt-rs "$WORK/tok-example" "$WORK/v-example.json" || rc=$?
  if [ "$rc" -eq 0 ] && jtrue "$WORK/v-example.json" "d['valid'] and d['claims']['sub']=='$OMAR' and d['claims'].get('given_name')=='Omar' and d['claims'].get('family_name')=='Okafor' and d['claims'].get('level')=='customer'"; then
    ok "mint_launch_example.py (the README snippet) → /launch/jwt-rs → 303 with an RS256 token PyJWT accepts (sub $OMAR, Omar Okafor, level customer)"
  else bad "launch via mint_launch_example.py: PyJWT refused the token or its claims differ" "$(why "$WORK/v-example.json" "$WORK/v-example.json.err")"; fi
else bad "launch via mint_launch_example.py: no 303 with a token" "$(why "$WORK/example.err" "$WORK/tok-example.browser.json" "$WORK/tok-example.browser.json.err")"; fi

# ------------------------------------------------------------------ 5. preview equals what partners receive
echo "== providers preview against what the partners received"
if "${BROWSER[@]}" --jar "$JAR" get /sso/launch-saml >"$WORK/ann-saml.json" 2>&1 && resp="$(saml_form "$WORK/ann-saml.json")" \
   && onelogin_verify "$resp" "$WORK/v-ann-saml.json"; then :; else bad "GET /sso/launch-saml as $EMAIL: no response python3-saml accepts" "$(why "$WORK/ann-saml.json" "$WORK/v-ann-saml.json" "$WORK/v-ann-saml.json.err")"; fi
compare_preview() {  # PREVIEW-JSON PEER-JSON KIND
  "$PY" - "$@" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1])); peer = json.load(open(sys.argv[2])); kind = sys.argv[3]
problems = []
if not p["access"]["allowed"] or p.get("error"):
    problems.append(f"preview: access {p['access']}, error {p.get('error')}")
preview = {a["name"]: a["values"] for a in p["attributes"]}
if not preview:
    problems.append("preview lists no attributes")
if kind == "saml":
    got = peer["attributes"]
    if preview != got:
        problems.append(f"preview {preview} != python3-saml {got}")
    if p.get("subject") and p["subject"]["value"] != peer["name_id"]:
        problems.append(f"preview subject {p['subject']} != NameID {peer['name_id']}")
else:
    claims = peer["claims"]
    for name, values in preview.items():
        want = values[0] if len(values) == 1 else values
        if claims.get(name) != want:
            problems.append(f"{name}: preview {values}, claim {claims.get(name)!r}")
for line in problems:
    print(line)
sys.exit(1 if problems else 0)
EOF
}
for pair in launch-saml:saml:"$WORK/v-ann-saml.json" jwt-rs:jwt:"$WORK/v-rot-jwt-rs.json"; do
  slug="${pair%%:*}"; rest="${pair#*:}"; kind="${rest%%:*}"; peer="${rest#*:}"
  if "$BIN" providers preview "$slug" --customer "$EMAIL" >"$WORK/preview-$slug.json" 2>"$WORK/preview-$slug.err" \
     && [ -s "$peer" ] && compare_preview "$WORK/preview-$slug.json" "$peer" "$kind" >"$WORK/cmp-$slug" 2>&1; then
    ok "providers preview $slug --customer $EMAIL equals what $([ "$kind" = saml ] && echo 'python3-saml reported' || echo 'PyJWT decoded') ($(jval "$WORK/preview-$slug.json" '",".join(a["name"] for a in d["attributes"])'))"
  else bad "providers preview $slug differs from what the partner received" "$(why "$WORK/cmp-$slug" "$WORK/preview-$slug.json" "$WORK/preview-$slug.err")"; fi
done

check_still_up
finish
