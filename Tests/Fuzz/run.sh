#!/usr/bin/env bash
# Fuzzes every parser of outside input with libFuzzer (see Tests/Fuzz/README.md).
#
#   Tests/Fuzz/run.sh [seconds-per-target]      (default 60)
#
# Builds the storeidp-fuzz product once with -sanitize=fuzzer,address into .build-fuzz/, then
# runs each target on a copy of its seed corpus (Tests/Fuzz/corpus/<target>/) in a temporary
# folder, so a run never grows the repository. A crash, leak, timeout or out-of-memory input
# is copied to Tests/Fuzz/crashes/<target>/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PER_TARGET=${1:-60}
TARGETS=(authn-redirect authn-post logout launch-token providers-file sp-metadata customer-csv customer-jsonl oidc-authorize oidc-token)

# Longest input per target: a little over each endpoint's own limit where that is small (a
# launch token is at most 8192 bytes), otherwise enough for any real message.
max_len() {
  case $1 in
    launch-token) echo 8300 ;;
    oidc-authorize | oidc-token) echo 20000 ;;
    authn-redirect | authn-post | logout) echo 32768 ;;
    *) echo 65536 ;;
  esac
}

echo "building storeidp-fuzz (release, -sanitize=fuzzer,address) into .build-fuzz/"
build_start=$(date +%s)
swift build --scratch-path "$ROOT/.build-fuzz" -c release --product storeidp-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DSTOREIDP_FUZZING \
  -Xcc -fsanitize=fuzzer-no-link,address 2>&1 | tail -n 3
BIN="$ROOT/.build-fuzz/release/storeidp-fuzz"
[ -x "$BIN" ] || { echo "fuzz: build failed"; exit 1; }
echo "built in $(( $(date +%s) - build_start )) s"

WORK=$(mktemp -d /tmp/storeidp-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
for target in "${TARGETS[@]}"; do
  dir="$WORK/$target"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -R "Tests/Fuzz/corpus/$target/." "$dir/corpus/"
  set +e
  # Swift's backtracer would spend minutes symbolicating each crash; libFuzzer reports it.
  # Leak detection is off: libxml2, xmlsec and OpenSSL keep process-wide state from their
  # one-time initialisation, which LeakSanitizer reports as leaks at exit.
  STOREIDP_FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
    "$BIN" -max_total_time="$PER_TARGET" -rss_limit_mb=2048 -max_len="$(max_len "$target")" -timeout=30 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1
  status=$?
  set -e
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$dir/log" | grep -Eo '[0-9]+$' | tail -n 1)
  if [ -z "$runs" ]; then
    runs=$(grep -Eo '^#[0-9]+' "$dir/log" | tail -n 1 | tr -d '#')
  fi
  runs=${runs:-0}
  if [ $status -eq 0 ]; then
    echo "fuzz $target: $runs runs, ok"
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "fuzz $target: $runs runs, FAILED (exit $status)"
    # The reason, then the top of the stack (release builds trap on overflow without a message).
    grep -E "ERROR: |SUMMARY: |Fatal error" "$dir/log" | head -n 4 | sed 's/^/  /'
    grep -E "^ +#[0-9]+ " "$dir/log" | grep -vE "libFuzzer|fuzzer::|__sanitizer|libc\.so|asan_" | head -n 6 | sed 's/^/  /'
    if compgen -G "$dir/artifacts/*" >/dev/null; then
      mkdir -p "Tests/Fuzz/crashes/$target"
      for input in "$dir"/artifacts/*; do
        cp "$input" "Tests/Fuzz/crashes/$target/"
        echo "  input: Tests/Fuzz/crashes/$target/$(basename "$input")"
      done
    else
      tail -n 20 "$dir/log" | sed 's/^/  /'
    fi
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
