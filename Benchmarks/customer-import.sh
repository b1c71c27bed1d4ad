#!/usr/bin/env bash
# Customer import throughput: generates ROWS customers as a Magento-style CSV, imports them into
# a fresh SQLite database with a release build, then imports the same file again (every row
# unchanged). Prints the importer's own summary line (created/updated/unchanged/rejected, rows/s).
# Target (issue 3): 1,000,000 rows in under 2 minutes on SQLite on 2 cores.
#   usage: Benchmarks/customer-import.sh [ROWS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
WORK=$(mktemp -d /tmp/storeidp-import-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
swift build -c release --product storeidp 2>&1 | tail -n 1
BIN="$(swift build -c release --show-bin-path)/storeidp"
python3 - "$ROWS" "$WORK/customers.csv" <<'PY'
import sys, random
rows, path = int(sys.argv[1]), sys.argv[2]
groups = ["General", "Wholesale", "Retailer", "VIP"]
random.seed(7)
with open(path, "w", encoding="utf-8") as f:
    f.write("email,_website,_store,firstname,lastname,group_id,dob,gender,taxvat,telephone,segments\n")
    for i in range(rows):
        bad = i % 10007 == 0
        email = f"customer{i}example.com" if bad else f"customer{i}@example.com"
        f.write(f'{email},base,default,First{i},"Last, {i}",{groups[i % 4]},1990-01-{1 + i % 28:02d},{i % 3},DE{i:09d},+49 30 {i:07d},vip|news\n')
PY
echo "file: $ROWS rows, $(du -h "$WORK/customers.csv" | cut -f1)"
TIMEFORMAT="  wall %R s"
export STOREIDP_DATABASE_URL="sqlite://$WORK/bench.sqlite" STOREIDP_KEYS_DIR="$WORK/Keys" LOG_LEVEL=warning
echo "first import (creates):"
time ("$BIN" customers import "$WORK/customers.csv" | grep -v "^line " | tail -n 1)
echo "second import (nothing changes):"
time ("$BIN" customers import "$WORK/customers.csv" | grep -v "^line " | tail -n 1)
