#!/usr/bin/env bash
# Self-test of the interop peers, with no StoreIdP involved: each verifier must accept material
# made here by a throwaway IdP (keys from openssl, signatures from the xmlsec1 program, tokens
# from PyJWT) and refuse tampered or misaddressed material. Run it before the server-driven
# interop tests: a failure here is a broken harness, not a broken server.
#   bash Tests/Interop/selftest.sh      (uses $STOREIDP_INTEROP_PYTHON, else .build/interop-venv)
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${STOREIDP_INTEROP_PYTHON:-$ROOT/.build/interop-venv/bin/python}"
[ -x "$PY" ] || { echo "selftest: no interop Python at $PY (run .ci/run or set STOREIDP_INTEROP_PYTHON)" >&2; exit 2; }
command -v xmlsec1 >/dev/null || { echo "selftest: the xmlsec1 program is missing (apt-get install xmlsec1)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "selftest: openssl is missing" >&2; exit 2; }

T="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "ok   $1"; }
bad()  { failed=$((failed + 1)); echo "FAIL $1"; cat "$T/out" "$T/err" | sed 's/^/     /' | head -n 30; }
# expect_ok LABEL PYTHON-CONDITION-ON-d -- COMMAND...   (exit 0, and JSON stdout satisfies the condition)
expect_ok() {
  local label="$1" cond="$2"; shift 3
  if "$@" >"$T/out" 2>"$T/err" && "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($cond) else 1)" "$T/out" 2>>"$T/err"; then
    ok "$label"; else bad "$label"; fi
}
# expect_fail LABEL ERROR-SUBSTRING -- COMMAND...   (exit 1, valid=false, error mentions the substring)
expect_fail() {
  local label="$1" want="$2"; shift 3
  "$@" >"$T/out" 2>"$T/err"; local rc=$?
  if [ "$rc" -eq 1 ] && "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if (d['valid'] is False and sys.argv[2].lower() in (d['error'] or '').lower()) else 1)" "$T/out" "$want" 2>>"$T/err"; then
    ok "$label"; else echo "(exit $rc, wanted 1 and an error containing: $want)" >>"$T/err"; bad "$label"; fi
}

echo "== python imports"
if "$PY" -c "import onelogin.saml2.auth, saml2, jwt, xmlsec, requests, cryptography" >"$T/out" 2>"$T/err"; then ok "import onelogin.saml2.auth, saml2, jwt, xmlsec"; else bad "imports"; fi

echo "== throwaway keys"
for n in idp sp; do
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=selftest-$n" \
    -keyout "$T/$n.key" -out "$T/$n.crt" >/dev/null 2>&1 || { echo "openssl req failed" >&2; exit 1; }
done
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=selftest-other" \
  -keyout "$T/other.key" -out "$T/other.crt" >/dev/null 2>&1

IDP=http://127.0.0.1:8080/saml/metadata
SP=https://warranty.example/sp
ACS=http://127.0.0.1:9000/acs
SLO=http://127.0.0.1:9000/slo
"$PY" "$HERE/saml_fixture.py" metadata --entity-id "$IDP" --sso-url http://127.0.0.1:8080/saml/sso \
  --slo-url http://127.0.0.1:8080/saml/slo --cert "$T/other.crt" --cert "$T/idp.crt" >"$T/md.xml"
SPARGS=(--sp-entity-id "$SP" --acs-url "$ACS" --idp-metadata "$T/md.xml")
KEYS=(--sp-key "$T/sp.key" --sp-cert "$T/sp.crt")
resp() { "$PY" "$HERE/saml_fixture.py" response --idp-entity-id "$IDP" --idp-key "$T/idp.key" \
           --idp-cert "$T/idp.crt" --sp-entity-id "$SP" --acs-url "$ACS" "$@"; }
SAML="$PY $HERE/saml_sp.py"
GOOD='d["valid"] and d["name_id"]=="ada@example.com" and d["attributes"]["groups"]==["Retail","VIP"] and d["issuer"]=="'"$IDP"'" and d["session_index"]'

echo "== SAML responses: python3-saml (strict) and pysaml2 (xmlsec1)"
R=$(resp --in-response-to _req1)
expect_ok   "onelogin: signed Response, InResponseTo"         "$GOOD"  -- $SAML onelogin-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req1 --want-messages-signed
expect_ok   "pysaml2: signed Response, InResponseTo"          "$GOOD"  -- $SAML pysaml2-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req1 --want-response-signed
expect_fail "onelogin: wrong request ID"      "InResponseTo"           -- $SAML onelogin-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req2
expect_fail "pysaml2: wrong request ID"       "Unsolicited"            -- $SAML pysaml2-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req2
expect_fail "onelogin: assertion signature wanted" "not signed"        -- $SAML onelogin-verify "${SPARGS[@]}" --saml-response "$R" --want-assertions-signed
expect_fail "pysaml2: assertion signature wanted"  "Signature missing" -- $SAML pysaml2-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req1 --want-assertions-signed

R=$(resp)
expect_ok   "onelogin: IdP-initiated (no InResponseTo)"       "$GOOD"  -- $SAML onelogin-verify "${SPARGS[@]}" --saml-response "$R"
expect_ok   "pysaml2: IdP-initiated, --allow-unsolicited"     "$GOOD"  -- $SAML pysaml2-verify "${SPARGS[@]}" --saml-response "$R" --allow-unsolicited
expect_fail "pysaml2: IdP-initiated refused without it" "Unsolicited"  -- $SAML pysaml2-verify "${SPARGS[@]}" --saml-response "$R"

R=$(resp --sign both --in-response-to _req1)
expect_ok   "onelogin: Response and Assertion signed"         "$GOOD"  -- $SAML onelogin-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req1 --want-assertions-signed --want-messages-signed
expect_ok   "pysaml2: Response and Assertion signed"          "$GOOD"  -- $SAML pysaml2-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req1 --want-assertions-signed --want-response-signed
R=$(resp --sign assertion --in-response-to _req1)
expect_ok   "onelogin: only Assertion signed"                 "$GOOD"  -- $SAML onelogin-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req1 --want-assertions-signed
expect_ok   "pysaml2: only Assertion signed"                  "$GOOD"  -- $SAML pysaml2-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req1 --want-assertions-signed
expect_fail "onelogin: Response signature wanted" "not signed"         -- $SAML onelogin-verify "${SPARGS[@]}" --saml-response "$R" --want-messages-signed
expect_fail "pysaml2: Response signature wanted"  "missing for response"         -- $SAML pysaml2-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req1 --want-response-signed

R=$(resp --sign both --in-response-to _req1 --encrypt-to "$T/sp.crt")
expect_ok   "onelogin: EncryptedAssertion (AES-256-GCM, RSA-OAEP)" "$GOOD" -- $SAML onelogin-verify "${SPARGS[@]}" "${KEYS[@]}" --saml-response "$R" --request-id _req1 --want-assertions-encrypted --want-assertions-signed
expect_ok   "pysaml2: EncryptedAssertion (AES-256-GCM, RSA-OAEP)"  "$GOOD" -- $SAML pysaml2-verify "${SPARGS[@]}" "${KEYS[@]}" --saml-response "$R" --request-id _req1 --want-assertions-signed
R=$(resp --in-response-to _req1)
expect_fail "onelogin: encryption wanted" "not encrypted"              -- $SAML onelogin-verify "${SPARGS[@]}" "${KEYS[@]}" --saml-response "$R" --want-assertions-encrypted

for v in onelogin pysaml2; do
  extra=(); recipient_error="SubjectConfirmation"
  [ "$v" = pysaml2 ] && { extra=(--request-id _req1); recipient_error="recipient"; }
  R=$(resp --in-response-to _req1 --tamper)
  expect_fail "$v: tampered after signing"   "signature"   -- $SAML $v-verify "${SPARGS[@]}" --saml-response "$R" "${extra[@]}"
  R=$(resp --in-response-to _req1 --sign none)
  expect_fail "$v: unsigned"                 "sign"        -- $SAML $v-verify "${SPARGS[@]}" --saml-response "$R" "${extra[@]}"
  R=$(resp --in-response-to _req1 --audience https://other.example/sp)
  expect_fail "$v: wrong Audience"           "audience"    -- $SAML $v-verify "${SPARGS[@]}" --saml-response "$R" "${extra[@]}"
  R=$(resp --in-response-to _req1 --destination http://127.0.0.1:9000/elsewhere)
  expect_fail "$v: wrong Destination"        "elsewhere"   -- $SAML $v-verify "${SPARGS[@]}" --saml-response "$R" "${extra[@]}"
  R=$(resp --in-response-to _req1 --recipient http://127.0.0.1:9000/elsewhere)
  expect_fail "$v: wrong Recipient"          "$recipient_error" -- $SAML $v-verify "${SPARGS[@]}" --saml-response "$R" "${extra[@]}"
  R=$(resp --in-response-to _req1 --lifetime -600)
  expect_fail "$v: expired"                  ""            -- $SAML $v-verify "${SPARGS[@]}" --saml-response "$R" "${extra[@]}"
  R=$(resp --in-response-to _req1 --issuer https://evil.example/idp)
  expect_fail "$v: foreign Issuer"           "evil"        -- $SAML $v-verify "${SPARGS[@]}" --saml-response "$R" "${extra[@]}"
done
R=$(resp --in-response-to _req1 --not-before-offset 30)
expect_ok   "onelogin: NotBefore 30 s ahead (300 s drift allowed)" 'd["valid"]' -- $SAML onelogin-verify "${SPARGS[@]}" --saml-response "$R"
expect_fail "pysaml2: NotBefore 30 s ahead (no slack by default)" "yet" -- $SAML pysaml2-verify "${SPARGS[@]}" --saml-response "$R" --request-id _req1
R=$(resp --in-response-to _req1 --no-attribute-statement)
expect_fail "onelogin: no AttributeStatement" "AttributeStatement"     -- $SAML onelogin-verify "${SPARGS[@]}" --saml-response "$R"

echo "== SAML requests built by python3-saml"
CHECK="$PY $HERE/saml_fixture.py check-request"
J=$($SAML onelogin-authn-request "${SPARGS[@]}" "${KEYS[@]}" --destination http://127.0.0.1:8080/saml/sso --sign --force-authn --relay-state rs1)
U=$(printf '%s' "$J" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["url"])')
ID=$(printf '%s' "$J" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
expect_ok   "AuthnRequest, Redirect, signed (query signature verifies)" 'd["signature_valid"] and d["attributes"]["ID"]=="'"$ID"'" and d["attributes"]["ForceAuthn"]=="true" and d["relay_state"]=="rs1"' -- $CHECK --cert "$T/sp.crt" --url "$U"
expect_fail "AuthnRequest signature refused with another cert" "" -- $CHECK --cert "$T/other.crt" --url "$U"
J=$($SAML onelogin-authn-request "${SPARGS[@]}" "${KEYS[@]}" --destination http://127.0.0.1:8080/saml/sso --sign --binding post --is-passive --name-id-format urn:oasis:names:tc:SAML:2.0:nameid-format:persistent)
expect_ok   "AuthnRequest, POST, enveloped signature (xmlsec1 verifies)" 'd["signature_valid"] and d["attributes"]["IsPassive"]=="true" and "nameid-format:persistent" in d["xml"]' -- $CHECK --cert "$T/sp.crt" --form-json "$J"
J=$($SAML onelogin-authn-request "${SPARGS[@]}" --destination http://127.0.0.1:8080/saml/sso)
U=$(printf '%s' "$J" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["url"])')
expect_ok   "AuthnRequest, Redirect, unsigned" 'not d["signed"] and d["attributes"]["AssertionConsumerServiceURL"]=="'"$ACS"'"' -- $CHECK --cert "$T/sp.crt" --url "$U"
J=$($SAML onelogin-logout-request "${SPARGS[@]}" "${KEYS[@]}" --destination http://127.0.0.1:8080/saml/slo --name-id ada@example.com --session-index _s1 --sign)
U=$(printf '%s' "$J" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["url"])')
expect_ok   "LogoutRequest, Redirect, signed" 'd["signature_valid"] and d["root"]=="LogoutRequest" and "_s1" in d["xml"]' -- $CHECK --cert "$T/sp.crt" --url "$U"
J=$($SAML onelogin-logout-request "${SPARGS[@]}" "${KEYS[@]}" --destination http://127.0.0.1:8080/saml/slo --name-id ada@example.com --session-index _s1 --sign --binding post)
expect_ok   "LogoutRequest, POST, signed" 'd["signature_valid"] and d["root"]=="LogoutRequest"' -- $CHECK --cert "$T/sp.crt" --form-json "$J"

echo "== SAML LogoutResponse"
LR() { "$PY" "$HERE/saml_fixture.py" logout-response --idp-entity-id "$IDP" --idp-key "$T/idp.key" \
         --idp-cert "$T/idp.crt" --destination "$SLO" --in-response-to _lo1 "$@"; }
LOARGS=("${SPARGS[@]}" --sp-slo-url "$SLO")
U=$(LR --binding redirect --sign)
expect_ok   "LogoutResponse, Redirect, signed"      'd["valid"] and d["in_response_to"]=="_lo1"' -- $SAML onelogin-verify-logout-response "${LOARGS[@]}" --binding redirect --query "$U" --request-id _lo1 --want-messages-signed
U=$(LR --binding redirect --sign --tamper)
expect_fail "LogoutResponse, Redirect, tampered"    "signature"        -- $SAML onelogin-verify-logout-response "${LOARGS[@]}" --binding redirect --query "$U" --request-id _lo1
U=$(LR --binding redirect)
expect_fail "LogoutResponse, Redirect, unsigned but wanted" "not signed" -- $SAML onelogin-verify-logout-response "${LOARGS[@]}" --binding redirect --query "$U" --want-messages-signed
B=$(LR --binding post --sign)
expect_ok   "LogoutResponse, POST, signed"          'd["valid"]'      -- $SAML onelogin-verify-logout-response "${LOARGS[@]}" --binding post --saml-response "$B" --request-id _lo1 --want-messages-signed
expect_fail "LogoutResponse, POST, wrong request ID" "InResponseTo"   -- $SAML onelogin-verify-logout-response "${LOARGS[@]}" --binding post --saml-response "$B" --request-id _lo2
B=$(LR --binding post --sign --tamper)
expect_fail "LogoutResponse, POST, tampered"        "signature"       -- $SAML onelogin-verify-logout-response "${LOARGS[@]}" --binding post --saml-response "$B"

echo "== JWT (PyJWT)"
JF="$PY $HERE/jwt_fixture.py"
JV="$PY $HERE/jwt_verify.py"
$JF keys --dir "$T/jwks"
$JF serve --dir "$T/jwks" --port-file "$T/port" >/dev/null 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
JWKS="http://127.0.0.1:$(cat "$T/port")/jwks.json"
A=https://academy.example; I=http://127.0.0.1:8080
for alg in RS256 ES256; do
  TOK=$($JF mint --dir "$T/jwks" --alg $alg --aud $A --iss $I)
  expect_ok   "$alg via JWKS (kid selects the key)" 'd["valid"] and d["claims"]["sub"]=="customer-42"' -- $JV verify --token "$TOK" --alg $alg --jwks-url "$JWKS" --audience $A --issuer $I
  expect_fail "$alg: wrong audience"  "audience"  -- $JV verify --token "$TOK" --alg $alg --jwks-url "$JWKS" --audience https://other --issuer $I
  expect_fail "$alg: wrong issuer"    "issuer"    -- $JV verify --token "$TOK" --alg $alg --jwks-url "$JWKS" --audience $A --issuer http://evil
  TOK=$($JF mint --dir "$T/jwks" --alg $alg --aud $A --iss $I --no-kid)
  expect_fail "$alg: no kid"          "kid"       -- $JV verify --token "$TOK" --alg $alg --jwks-url "$JWKS" --audience $A --issuer $I
  TOK=$($JF mint --dir "$T/jwks" --alg $alg --aud $A --iss $I --kid unknown-kid)
  expect_fail "$alg: unknown kid"     "JWKS"      -- $JV verify --token "$TOK" --alg $alg --jwks-url "$JWKS" --audience $A --issuer $I
done
TOK=$($JF mint --dir "$T/jwks" --alg RS256 --aud $A --iss $I)
expect_fail "RS256 token refused when ES256 is the allowed alg" "" -- $JV verify --token "$TOK" --alg ES256 --jwks-url "$JWKS" --audience $A --issuer $I
TOK=$($JF mint --dir "$T/jwks" --alg RS256 --aud $A --iss $I --exp-seconds -30)
expect_fail "RS256: expired"        "expired"   -- $JV verify --token "$TOK" --alg RS256 --jwks-url "$JWKS" --audience $A --issuer $I
TOK=$($JF mint --dir "$T/jwks" --alg RS256 --aud $A --iss $I --drop jti)
expect_fail "RS256: missing jti"    "jti"       -- $JV verify --token "$TOK" --alg RS256 --jwks-url "$JWKS" --audience $A --issuer $I
S=selftest-launch-secret-0123456789abcdef
TOK=$($JV mint-launch --secret $S --aud $I --iss https://store.example --sub 42 --email ada@example.com --given-name Ada --family-name Lovelace --claim group=Retail)
expect_ok   "mint-launch then verify HS256" 'd["valid"] and d["claims"]["email"]=="ada@example.com" and d["claims"]["given_name"]=="Ada" and d["claims"]["exp"]-d["claims"]["iat"]==60 and d["claims"]["jti"] and d["header"]["alg"]=="HS256"' -- $JV verify --token "$TOK" --alg HS256 --secret $S --audience $I --issuer https://store.example
expect_fail "HS256: wrong secret"   "signature" -- $JV verify --token "$TOK" --alg HS256 --secret wrong-secret-0123456789abcdef0123456789 --audience $I --issuer https://store.example
TOK=$($JV mint-launch --secret $S --aud $I --iss https://store.example --sub 42 --email ada@example.com --iat-offset -120)
expect_fail "HS256: stale launch token" "expired" -- $JV verify --token "$TOK" --alg HS256 --secret $S --audience $I --issuer https://store.example

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
