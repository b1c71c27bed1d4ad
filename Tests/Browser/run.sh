#!/usr/bin/env bash
# The admin console in a real browser: a real StoreIdP (`serve`, fresh SQLite database and key
# folder) with one admin account and one customer, driven by headless Chromium through Selenium
# (Tests/Browser/admin_console.py): login, SAML SP registered by uploading python3-saml's metadata,
# payload preview, the customer's sign-in accepted by python3-saml, the audit trail, escaping, CSRF,
# and a screenshot of each console page.
#
#   bash Tests/Browser/run.sh               (from anywhere; needs a built storeidp binary,
#                                            $STOREIDP_INTEROP_PYTHON or .build/interop-venv with selenium,
#                                            the Debian packages chromium and chromium-driver, curl)
#
# STOREIDP_BIN picks the binary; STOREIDP_SCREENSHOTS the folder for the PNGs (default
# .build/browser-screenshots under the repo root; emptied of PNGs first); STOREIDP_INTEROP_KEEP=1
# keeps the temp folder (metadata, chromedriver.log, server.log); STOREIDP_BROWSER_TIMEOUT the
# seconds each explicit wait allows (15). Prints one `ok: …` or `FAILED: …` line per check, the
# screenshots folder, then `admin-browser: N passed, M failed`; exits non-zero when a check failed.
# Everything listens on and talks to 127.0.0.1 only; nothing is downloaded.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../Interop/lib.sh"
interop_init admin-browser
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export SE_OFFLINE=true   # Selenium Manager may not download a driver or a browser
for tool in "$CHROMEDRIVER" "$CHROMIUM"; do
  [ -x "$tool" ] || refuse "$tool is missing (apt-get install chromium chromium-driver)"
done
need_tools curl
need_python 'import selenium' selenium

SHOTS="${STOREIDP_SCREENSHOTS:-$ROOT/.build/browser-screenshots}"
mkdir -p "$SHOTS"
SHOTS="$(cd "$SHOTS" && pwd)"
rm -f "$SHOTS"/*.png

make_work
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
server_env "sqlite://$WORK/storeidp.sqlite" "$BASE"

ADMIN_EMAIL=admin@shop.example
CUSTOMER_EMAIL=ann@shop.example
export STOREIDP_TEST_ADMIN_PASSWORD='console correct horse 12'   # ≥ 12 characters
export STOREIDP_TEST_CUSTOMER_PASSWORD='browser correct horse 7'

# ------------------------------------------------------------------ 1. accounts and server
"$BIN" admins add --email "$ADMIN_EMAIL" --password "$STOREIDP_TEST_ADMIN_PASSWORD" >"$WORK/admin.out" 2>&1 \
  || die "storeidp admins add" "$WORK/admin.out"
"$BIN" customers add --email "$CUSTOMER_EMAIL" --password "$STOREIDP_TEST_CUSTOMER_PASSWORD" \
  --first-name Ann --last-name Lee --group Retail >"$WORK/customer.out" 2>&1 || die "storeidp customers add" "$WORK/customer.out"
start_storeidp
ok "admins add $ADMIN_EMAIL, customers add $CUSTOMER_EMAIL, serve on $BASE, /healthz"

# ------------------------------------------------------------------ 2. the console in Chromium
set +e
"$PY" "$HERE/admin_console.py" --base "$BASE" --work "$WORK" --screenshots "$SHOTS" \
  --admin-email "$ADMIN_EMAIL" --customer-email "$CUSTOMER_EMAIL" 2>"$WORK/console.err" | tee "$WORK/console.out"
status=${PIPESTATUS[0]}
set -e
passed=$((passed + $(grep -c '^ok:' "$WORK/console.out" || true)))
n_failed=$(grep -c '^FAILED:' "$WORK/console.out" || true)
failed=$((failed + n_failed))
if [ "$status" -ne 0 ] && [ "$n_failed" -eq 0 ]; then
  bad "admin_console.py exited $status without a failed check" "$WORK/console.err"
elif [ -s "$WORK/console.err" ] && [ "$status" -ne 0 ]; then
  echo "--- admin_console.py stderr"; tail -n 15 "$WORK/console.err" | sed 's/^/    /'
fi

check_still_up

pages=$(find "$SHOTS" -maxdepth 1 -name '*.png' ! -name 'failed-*' | wc -l)
failures=$(find "$SHOTS" -maxdepth 1 -name 'failed-*.png' | wc -l)
echo "admin-browser: screenshots in $SHOTS ($pages pages$([ "$failures" -gt 0 ] && echo ", $failures at failures: failed-N.png"))"
finish
