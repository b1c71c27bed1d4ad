#!/usr/bin/env bash
# Server-driven SAML interop: a real StoreIdP (`serve`, fresh SQLite database and key folder) against
# real service providers: python3-saml (OneLogin), pysaml2 and the xmlsec1 program. The browser
# side is Tests/Interop/browser.py (requests.Session); the SPs are Tests/Interop/saml_sp.py.
#
#   bash Tests/Interop/saml_interop.sh      (from the repo root; needs a built storeidp binary,
#                                            $STOREIDP_INTEROP_PYTHON or .build/interop-venv, xmlsec1, openssl, curl)
#
# STOREIDP_INTEROP_KEEP=1 keeps the temp folder (responses, verifier JSON, server.log) for debugging.
# Prints one `ok: …` or `FAILED: …` line per check, then `saml-interop: N passed, M failed`;
# exits non-zero when a check failed. Everything listens on and talks to 127.0.0.1 only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init saml-interop
need_tools xmlsec1 openssl curl
make_work
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
server_env "sqlite://$WORK/storeidp.sqlite" "$BASE"

EMAIL=ann@shop.example
PASSWORD='interop correct horse 7'
SP_HOST=http://127.0.0.1:9   # nothing listens there: the browser never follows the auto-POST form
SAML=("$PY" "$HERE/saml_sp.py")
BROWSER=("$PY" "$HERE/browser.py" --base "$BASE")

# ------------------------------------------------------------------ 1. keys, providers, customer, server
SLUGS=(onelogin onelogin-assertion onelogin-both onelogin-encrypted onelogin-cbc pysaml2 pysaml2-encrypted signed-requests)
for slug in "${SLUGS[@]}"; do
  self_signed_cert "$slug" "interop-$slug" || die "openssl req for $slug"
done
entity() { echo "$SP_HOST/$1/metadata"; }
acs()    { echo "$SP_HOST/$1/acs"; }

sp_yaml() {  # slug, then extra saml: lines
  local slug="$1"; shift
  cat <<EOF
  - slug: $slug
    name: Interop $slug
    protocol: saml
    lifetime_seconds: 300
    attributes:
      email: customer.email
      firstName: customer.first_name
      tier: customer.attributes.tier
      roles: split(customer.attributes.roles, ",")
    saml:
      entity_id: $(entity "$slug")
      acs_urls: [$(acs "$slug")]
      certificate: $slug.crt
EOF
  local line; for line in "$@"; do echo "      $line"; done
}
{
  echo "providers:"
  sp_yaml onelogin           "sign: response"
  sp_yaml onelogin-assertion "sign: assertion"
  sp_yaml onelogin-both      "sign: both" "name_id: persistent"
  sp_yaml onelogin-encrypted "sign: assertion" "encrypt: aes256-gcm"
  sp_yaml onelogin-cbc       "encrypt: aes128-cbc"
  sp_yaml pysaml2
  sp_yaml pysaml2-encrypted  "encrypt: true"
  sp_yaml signed-requests    "want_authn_requests_signed: true"
} >"$WORK/providers.yml"

"$BIN" providers apply "$WORK/providers.yml" >"$WORK/apply.out" 2>&1 || die "providers apply" "$WORK/apply.out"
"$BIN" customers add --email "$EMAIL" --password "$PASSWORD" --first-name Ann --last-name Lee \
  --attribute tier=gold --attribute roles=a,b >"$WORK/customer.out" 2>&1 || die "customers add" "$WORK/customer.out"
start_storeidp
ok "providers apply (${#SLUGS[@]} SAML SPs), customers add, serve on $BASE, /healthz"

# ------------------------------------------------------------------ 2. browser: sign in, metadata
JAR="$WORK/jar"
"${BROWSER[@]}" --jar "$JAR" login --email "$EMAIL" --password "$PASSWORD" >"$WORK/login.json" 2>"$WORK/login.err" \
  && jtrue "$WORK/login.json" 'd["status"]==303' || die "POST /login with CSRF token" "$WORK/login.json"
ok "browser login (GET /login csrf, POST /login → 303)"
"${BROWSER[@]}" --jar "$WORK/jar-anon" fetch /saml/metadata --out "$WORK/md.xml" >"$WORK/md.json" 2>&1 || die "GET /saml/metadata" "$WORK/md.json"

# every X509Certificate in the metadata as PEM files certN.pem; prints the count
certs_from_metadata() {  # METADATA OUTPREFIX
  "$PY" - "$1" "$2" <<'EOF'
import sys, textwrap, xml.etree.ElementTree as ET
ns = {"ds": "http://www.w3.org/2000/09/xmldsig#", "md": "urn:oasis:names:tc:SAML:2.0:metadata"}
root = ET.parse(sys.argv[1]).getroot()
certs = []
for kd in root.iter("{urn:oasis:names:tc:SAML:2.0:metadata}KeyDescriptor"):
    if kd.get("use") not in (None, "signing"):
        continue
    for c in kd.iter("{http://www.w3.org/2000/09/xmldsig#}X509Certificate"):
        b = "".join(c.text.split())
        if b not in certs:
            certs.append(b)
for i, b in enumerate(certs):
    with open(f"{sys.argv[2]}{i}.pem", "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(b, 64)) + "\n-----END CERTIFICATE-----\n")
print(len(certs))
EOF
}
NCERTS="$(certs_from_metadata "$WORK/md.xml" "$WORK/idpcert")"
[ "$NCERTS" -ge 1 ] || die "no signing X509Certificate in /saml/metadata"
ok "GET /saml/metadata ($NCERTS signing certificate(s))"

# ------------------------------------------------------------------ 3. checks
# verifier arguments per SP (the settings a partner would choose for that registration)
verify_args() {  # SLUG METADATA → the saml_sp.py subcommand and its arguments, one a line
  local slug="$1" md="$2"
  case "$slug" in
    onelogin|signed-requests) printf '%s\n' onelogin-verify --want-messages-signed ;;
    onelogin-assertion)       printf '%s\n' onelogin-verify --want-assertions-signed ;;
    onelogin-both)            printf '%s\n' onelogin-verify --want-assertions-signed --want-messages-signed ;;
    onelogin-encrypted)       printf '%s\n' onelogin-verify --want-assertions-encrypted --want-assertions-signed ;;
    onelogin-cbc)             printf '%s\n' onelogin-verify --want-assertions-encrypted --want-messages-signed ;;
    pysaml2)                  printf '%s\n' pysaml2-verify --want-response-signed ;;
    pysaml2-encrypted)        printf '%s\n' pysaml2-verify --want-response-signed ;;
  esac
  printf '%s\n' --sp-entity-id "$(entity "$slug")" --acs-url "$(acs "$slug")" --idp-metadata "$md"
  case "$slug" in
    onelogin-encrypted|onelogin-cbc|pysaml2-encrypted|signed-requests)
      printf '%s\n' --sp-key "$WORK/$slug.key" --sp-cert "$WORK/$slug.crt" ;;
  esac
}
# run the SP's verifier on a SAMLResponse; OUT gets its JSON. Extra args follow (e.g. --request-id).
sp_verify() {  # SLUG METADATA SAMLRESPONSE OUT [extra...]
  local slug="$1" md="$2" resp="$3" out="$4"; shift 4
  local args=() a
  while IFS= read -r a; do args+=("$a"); done < <(verify_args "$slug" "$md")
  "${SAML[@]}" "${args[@]}" --saml-response "$resp" "$@" >"$out" 2>"$out.err"
}
ATTRS_OK='d["attributes"].get("email")==["ann@shop.example"] and d["attributes"].get("firstName")==["Ann"] and d["attributes"].get("tier")==["gold"] and sorted(d["attributes"].get("roles") or [])==["a","b"] and len(d["attributes"]["roles"])==2'
name_id_cond() {
  case "$1" in
    onelogin-both) echo 'd["name_id"] and d["name_id"]!="ann@shop.example" and d["name_id_format"]=="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"' ;;
    *)             echo 'd["name_id"]=="ann@shop.example"' ;;
  esac
}
# check that a browser JSON (from browser.py) is our auto-POST form to SLUG's ACS; saves SAMLResponse
form_to_acs() {  # BROWSERJSON SLUG RELAYSTATE-or-empty  → prints SAMLResponse
  local relay_cond='"RelayState" not in d["form"]["fields"]'
  [ -n "$3" ] && relay_cond="d[\"form\"][\"fields\"].get(\"RelayState\")==\"$3\""
  jtrue "$1" "d[\"status\"]==200 and d[\"form\"] and d[\"form\"][\"action\"]==\"$(acs "$2")\" and d[\"form\"][\"method\"]==\"post\" and d[\"form\"][\"fields\"].get(\"SAMLResponse\") and ($relay_cond)" \
    || return 1
  jval "$1" 'd["form"]["fields"]["SAMLResponse"]'
}
decode_b64() { "$PY" -c 'import base64,sys; sys.stdout.buffer.write(base64.b64decode(sys.argv[1]))' "$1"; }
# the check for a verified response; prints ok/FAILED
judge() {  # LABEL SLUG OUT RC [extra condition]
  local label="$1" slug="$2" out="$3" rc="$4" extra="${5:-True}"
  if [ "$rc" -eq 0 ] && jtrue "$out" "d['valid'] and ($(name_id_cond "$slug")) and ($ATTRS_OK) and ($extra)"; then
    ok "$label"
  else
    { cat "$out"; cat "$out.err" 2>/dev/null; } >"$WORK/why"; bad "$label" "$WORK/why"
  fi
}
verifier_name() { case "$1" in pysaml2*) echo pysaml2 ;; *) echo python3-saml ;; esac; }

echo "== IdP-initiated: GET /sso/SLUG?RelayState=rs-1 for every SP"
for slug in "${SLUGS[@]}"; do
  out="$WORK/idp-$slug.json"
  if ! "${BROWSER[@]}" --jar "$JAR" get "/sso/$slug?RelayState=rs-1" >"$out" 2>"$out.err" \
     || ! resp="$(form_to_acs "$out" "$slug" rs-1)"; then
    bad "IdP-initiated $slug: no auto-POST form to $(acs "$slug") with RelayState rs-1" "$out"; continue
  fi
  decode_b64 "$resp" >"$WORK/resp-$slug.xml"
  extra=()
  case "$slug" in pysaml2*) extra=(--allow-unsolicited) ;; esac
  rc=0; sp_verify "$slug" "$WORK/md.xml" "$resp" "$WORK/v-$slug.json" "${extra[@]}" || rc=$?
  judge "IdP-initiated $slug → $(verifier_name "$slug") accepts (NameID, email/firstName/tier/roles[a,b], RelayState rs-1)" \
    "$slug" "$WORK/v-$slug.json" "$rc" 'not d.get("in_response_to")'
done

for pair in onelogin-encrypted:http://www.w3.org/2009/xmlenc11#aes256-gcm onelogin-cbc:http://www.w3.org/2001/04/xmlenc#aes128-cbc \
            pysaml2-encrypted:http://www.w3.org/2009/xmlenc11#aes256-gcm; do
  slug="${pair%%:*}"; alg="${pair#*:}"; f="$WORK/resp-$slug.xml"
  if [ -s "$f" ] && "$PY" - "$f" "$alg" <<'EOF2'
import sys, xml.etree.ElementTree as ET
A = "{urn:oasis:names:tc:SAML:2.0:assertion}"; X = "{http://www.w3.org/2001/04/xmlenc#}"
root = ET.parse(sys.argv[1]).getroot()
enc = root.findall(A + "EncryptedAssertion")
algs = [m.get("Algorithm") for e in enc for m in e.iter(X + "EncryptionMethod")]
sys.exit(0 if len(enc) == 1 and not root.findall(A + "Assertion") and sys.argv[2] in algs
         and ("http://www.w3.org/2009/xmlenc11#rsa-oaep" in algs or "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p" in algs) else 1)
EOF2
  then ok "$slug: the Assertion travels only as an EncryptedAssertion (${alg##*#}, RSA-OAEP key transport)"
  else bad "$slug: no EncryptedAssertion with ${alg##*#} and RSA-OAEP (or a plaintext Assertion beside it)"; fi
done

echo "== xmlsec1 on the Response XML (both signature placements, tamper)"
xmlsec_verify() {  # FILE ID-ATTR-NODE → 0 if some metadata certificate verifies it
  local i
  for ((i = 0; i < NCERTS; i++)); do
    xmlsec1 --verify --id-attr:ID "$2" --pubkey-cert-pem "$WORK/idpcert$i.pem" "$1" >"$WORK/xmlsec.out" 2>&1 && return 0
  done
  return 1
}
tamper_nameid() { "$PY" - "$1" "$2" <<'EOF'
import re, sys
x = open(sys.argv[1], encoding="utf-8").read()
y, n = re.subn(r"(<(?:saml2?:)?NameID\b[^>]*>)([^<]*)(<)", lambda m: m.group(1) + "mallory@evil.example" + m.group(3), x, count=1)
if n != 1 or y == x: sys.exit("no NameID to tamper with")
open(sys.argv[2], "w", encoding="utf-8").write(y)
EOF
}
for pair in "onelogin:urn:oasis:names:tc:SAML:2.0:protocol:Response" "onelogin-assertion:urn:oasis:names:tc:SAML:2.0:assertion:Assertion"; do
  slug="${pair%%:*}"; node="${pair#*:}"; f="$WORK/resp-$slug.xml"
  if [ ! -s "$f" ]; then bad "xmlsec1 $slug: no Response saved"; continue; fi
  if xmlsec_verify "$f" "$node"; then ok "xmlsec1 --verify --id-attr:ID ${node##*:} ($slug) with the metadata certificate"
  else bad "xmlsec1 --verify ($slug, ${node##*:})" "$WORK/xmlsec.out"; fi
  if xmlsec1 --verify --id-attr:ID "$node" --pubkey-cert-pem "$WORK/$slug.crt" "$f" >"$WORK/xmlsec.out" 2>&1; then
    bad "xmlsec1 verified $slug with an unrelated certificate (the check proves nothing)"
  else ok "xmlsec1 refuses $slug with an unrelated certificate"; fi
  if tamper_nameid "$f" "$f.tampered" 2>"$WORK/tamper.err"; then
    if xmlsec_verify "$f.tampered" "$node"; then bad "xmlsec1 accepted $slug with a tampered NameID"
    else ok "xmlsec1 refuses $slug with a tampered NameID"; fi
  else bad "tamper NameID in $slug" "$WORK/tamper.err"; fi
done

echo "== SP-initiated: python3-saml AuthnRequests"
authn_request() {  # SLUG BINDING OUT [extra...]
  local slug="$1" binding="$2" out="$3"; shift 3
  "${SAML[@]}" onelogin-authn-request --sp-entity-id "$(entity "$slug")" --acs-url "$(acs "$slug")" \
    --idp-metadata "$WORK/md.xml" --destination "$BASE/saml/sso" --binding "$binding" "$@" >"$out" 2>"$out.err"
}
# send a request (from authn_request's JSON) through the browser; browser JSON into OUT
send_request() {  # REQJSON JAR OUT
  local binding; binding="$(jval "$1" 'd["binding"]')"
  if [ "$binding" = redirect ]; then
    "${BROWSER[@]}" --jar "$2" get "$(jval "$1" 'd["url"]')" >"$3" 2>"$3.err"
  else
    "${BROWSER[@]}" --jar "$2" post /saml/sso --fields-json "$(jval "$1" 'd["form"]')" >"$3" 2>"$3.err"
  fi
}
sp_initiated() {  # SLUG BINDING LABEL [request extra...]
  local slug="$1" binding="$2" label="$3"; shift 3
  local req="$WORK/req-$slug-$binding.json" got="$WORK/got-$slug-$binding.json" resp rid rc=0
  authn_request "$slug" "$binding" "$req" --relay-state "rs-$binding" "$@" || { bad "$label: saml_sp.py could not build the request" "$req.err"; return; }
  rid="$(jval "$req" 'd["id"]')"
  if ! send_request "$req" "$JAR" "$got" || ! resp="$(form_to_acs "$got" "$slug" "rs-$binding")"; then
    bad "$label: no auto-POST form to the ACS with RelayState rs-$binding" "$got"; return
  fi
  sp_verify "$slug" "$WORK/md.xml" "$resp" "$WORK/v-$slug-$binding.json" --request-id "$rid" || rc=$?
  judge "$label" "$slug" "$WORK/v-$slug-$binding.json" "$rc" "d.get('in_response_to')=='$rid'"
}
refused_400() {  # BROWSERJSON → 0 when HTTP 400 and no auto-POST form
  jtrue "$1" 'd["status"]==400 and not d["form"]'
}

sp_initiated onelogin redirect "SP-initiated onelogin, unsigned HTTP-Redirect AuthnRequest → python3-saml accepts (InResponseTo)"
sp_initiated onelogin post     "SP-initiated onelogin, unsigned HTTP-POST AuthnRequest → python3-saml accepts (InResponseTo)"
SIGNKEYS=(--sp-key "$WORK/signed-requests.key" --sp-cert "$WORK/signed-requests.crt")
sp_initiated signed-requests redirect "SP-initiated signed-requests, signed HTTP-Redirect AuthnRequest (RSA-SHA256) → accepted" --sign "${SIGNKEYS[@]}"
sp_initiated signed-requests post     "SP-initiated signed-requests, signed HTTP-POST AuthnRequest (enveloped) → accepted" --sign "${SIGNKEYS[@]}"

for binding in redirect post; do
  req="$WORK/req-unsigned-$binding.json"; got="$WORK/got-unsigned-$binding.json"
  if authn_request signed-requests "$binding" "$req" --relay-state rs-u && send_request "$req" "$JAR" "$got" && refused_400 "$got"; then
    ok "signed-requests: unsigned HTTP-$binding AuthnRequest refused with 400, no form"
  else bad "signed-requests: unsigned HTTP-$binding AuthnRequest not refused with 400" "$got"; fi
done

for pair in onelogin:redirect signed-requests:redirect onelogin:post; do
  slug="${pair%%:*}"; binding="${pair#*:}"; got="$WORK/replay-$slug-$binding.json"
  if send_request "$WORK/req-$slug-$binding.json" "$JAR" "$got" && refused_400 "$got"; then
    ok "replayed $slug HTTP-$binding AuthnRequest refused with 400, no form"
  else bad "replayed $slug HTTP-$binding AuthnRequest not refused with 400" "$got"; fi
done

echo "== SP-initiated before login"
JAR2="$WORK/jar-fresh"
req="$WORK/req-fresh.json"
if authn_request onelogin redirect "$req" --relay-state rs-fresh \
   && send_request "$req" "$JAR2" "$WORK/fresh1.json" \
   && jtrue "$WORK/fresh1.json" 'd["status"]==303 and d["location"]=="/login?return_to=/saml/continue"'; then
  ok "AuthnRequest without a session → 303 /login?return_to=/saml/continue"
  rid="$(jval "$req" 'd["id"]')"
  if "${BROWSER[@]}" --jar "$JAR2" login --email "$EMAIL" --password "$PASSWORD" --return-to /saml/continue >"$WORK/fresh2.json" 2>&1 \
     && jtrue "$WORK/fresh2.json" 'd["status"]==303 and d["location"] in ("/saml/continue", "'"$BASE"'/saml/continue")'; then
    ok "login with return_to=/saml/continue → 303 /saml/continue"
    rc=0
    if "${BROWSER[@]}" --jar "$JAR2" get /saml/continue >"$WORK/fresh3.json" 2>&1 && resp="$(form_to_acs "$WORK/fresh3.json" onelogin rs-fresh)"; then
      sp_verify onelogin "$WORK/md.xml" "$resp" "$WORK/v-fresh.json" --request-id "$rid" || rc=$?
      judge "GET /saml/continue → form; python3-saml accepts it (InResponseTo the original request)" onelogin "$WORK/v-fresh.json" "$rc" "d.get('in_response_to')=='$rid'"
    else bad "GET /saml/continue: no auto-POST form to the ACS with RelayState rs-fresh" "$WORK/fresh3.json"; fi
  else bad "login with return_to=/saml/continue did not redirect there" "$WORK/fresh2.json"; fi
else bad "AuthnRequest without a session did not redirect to /login?return_to=/saml/continue" "$WORK/fresh1.json"; fi

echo "== key rotation while serving"
if "$BIN" keys rotate >"$WORK/rotate.out" 2>&1; then
  ok "storeidp keys rotate (server running)"
else bad "storeidp keys rotate" "$WORK/rotate.out"; fi
if waited="$(wait_ring_reloaded "$BASE")"; then ok "the running server publishes the rotated ring after $((waited * 100)) ms (no restart)"
else bad "the running server did not pick the rotation up within 10 s" "$WORK/server.log"; fi
"$BIN" keys list >"$WORK/keys.out" 2>/dev/null || true
if "${BROWSER[@]}" --jar "$WORK/jar-anon" fetch /saml/metadata --out "$WORK/md2.xml" >"$WORK/md2.json" 2>&1; then
  n2="$(certs_from_metadata "$WORK/md2.xml" "$WORK/idpcert2-")"
  if [ "$n2" -ge 2 ]; then ok "metadata after rotation publishes $n2 signing certificates"
  else bad "metadata after rotation publishes $n2 signing certificate(s), wanted several" "$WORK/keys.out"; fi
  for slug in onelogin pysaml2; do
    out="$WORK/rot-$slug.json"; rc=0
    if "${BROWSER[@]}" --jar "$JAR" get "/sso/$slug?RelayState=rs-2" >"$out" 2>&1 && resp="$(form_to_acs "$out" "$slug" rs-2)"; then
      extra=(); [ "$slug" = pysaml2 ] && extra=(--allow-unsolicited)
      sp_verify "$slug" "$WORK/md2.xml" "$resp" "$WORK/v-rot-$slug.json" "${extra[@]}" || rc=$?
      judge "after rotation: $(verifier_name "$slug") accepts a fresh IdP-initiated response against the new metadata" "$slug" "$WORK/v-rot-$slug.json" "$rc"
      if [ "$slug" = onelogin ]; then
        # which key signed it: the certificate in the Signature's KeyInfo against the now active key
        active="$(awk '$3=="active" && $2 ~ /RS256/ {print $1}' "$WORK/keys.out" | head -n 1)"
        [ -n "$active" ] || active="$(awk '$3=="active"{print $1}' "$WORK/keys.out" | head -n 1)"
        decode_b64 "$resp" >"$WORK/resp-rot.xml"
        if [ -n "$active" ] && cert="$(exported_certificate "$active")" \
           && "$PY" - "$WORK/resp-rot.xml" "$cert" <<'EOF'
import re, sys
x = open(sys.argv[1]).read(); pem = open(sys.argv[2]).read()
got = "".join(re.search(r"<(?:ds:)?X509Certificate>([^<]+)<", x).group(1).split())
want = "".join(l for l in pem.splitlines() if "-----" not in l)
sys.exit(0 if got == want else 1)
EOF
        then ok "after rotation the running server signs with the newly active key ($active)"
        else bad "after rotation the running server does not sign with the newly active key (${active:-none found})" "$WORK/keys.out"; fi
      fi
    else bad "after rotation: no auto-POST form from /sso/$slug" "$out"; fi
  done
else bad "GET /saml/metadata after rotation" "$WORK/md2.json"; fi

check_still_up
finish
