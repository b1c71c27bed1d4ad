#!/usr/bin/env bash
# Signed SAML responses/s and JWTs/s on one core, next to `openssl speed` on the same machine in
# the same run (RSA-2048 signs/s; HMAC-SHA256 over 256-byte inputs/s).
#   usage: Benchmarks/signing.sh [SECONDS-PER-MEASUREMENT]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-5}
swift build -c release --product storeidp-benchmarks 2>&1 | tail -n 1
rsa=$(openssl speed -seconds "$SECONDS_EACH" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
hmac=$(openssl speed -seconds "$SECONDS_EACH" -bytes 256 -hmac sha256 2>/dev/null | awk '/^hmac\(sha256\)/ {v=$2; sub(/k$/, "", v); printf "%.0f", v * 1000 / 256}')
OPENSSL_RSA2048_SIGNS="$rsa" OPENSSL_HMAC_SHA256_256B="$hmac" "$(swift build -c release --show-bin-path)/storeidp-benchmarks" "$SECONDS_EACH"
