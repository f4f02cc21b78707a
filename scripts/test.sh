#!/usr/bin/env bash
# Runs every test suite of the project and ends with one line: "N passed, N failed".
# Set-up of a fresh machine is part of it (scripts/setup.sh). Logs: artifacts/logs/.
# A suite that cannot build or prints no counts is one failure, so a run that executed
# nothing can never look green.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mkdir -p artifacts/logs
scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
suites_failed=()

# count LOG: adds the test counts printed by cargo test / wasm-bindgen-test-runner
# ("test result: ok. N passed; M failed") and node --test TAP ("# pass N", "# fail N").
count() {
  awk '
    /test result: .* passed; .* failed/ {
      for (i = 1; i <= NF; i++) {
        if ($(i) ~ /^passed;?$/) p += $(i-1)
        if ($(i) ~ /^failed;?$/) f += $(i-1)
      }
    }
    /^# pass [0-9]+$/ { p += $3 }
    /^# fail [0-9]+$/ { f += $3 }
    END { printf "%d %d\n", p, f }' "$1"
}

# suite NAME KIND CMD...: KIND is "tests" (counts parsed from output) or "check" (one pass/fail).
suite() {
  local name=$1 kind=$2; shift 2
  local log="artifacts/logs/$name.log" start=$SECONDS rc p f
  printf '\n\033[1;34m== %s\033[0m\n' "$name"
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if [ "$kind" = check ]; then
    if [ "$rc" = 0 ]; then p=1 f=0; else p=0 f=1; fi
  else
    read -r p f < <(count "$log")
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi   # build failure or crash
    if [ "$rc" = 0 ] && [ "$p" = 0 ]; then f=$((f + 1)); echo "suite $name ran no test" >&2; fi
  fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$f" = 0 ] || suites_failed+=("$name")
  printf '\033[1;34m== %s: %d passed, %d failed (%ds)\033[0m\n' "$name" "$p" "$f" $((SECONDS - start))
}

suite fmt check cargo fmt --all -- --check
suite clippy check cargo clippy --workspace --all-targets --locked -- -D warnings
suite clippy-wasm check cargo clippy -p pingpong-qr --all-targets --locked --target wasm32-unknown-unknown -- -D warnings
suite rust tests cargo test --workspace --locked
suite pkg check scripts/build-pkg.sh
[ -x scripts/test-browser.sh ] && suite browser tests scripts/test-browser.sh
[ -x scripts/test-e2e.sh ] && suite e2e tests scripts/test-e2e.sh
[ -x scripts/test-faults.sh ] && suite faults tests scripts/test-faults.sh
[ -x scripts/test-fuzz.sh ] && suite fuzz tests scripts/test-fuzz.sh

echo
[ ${#suites_failed[@]} = 0 ] || echo "failed suites: ${suites_failed[*]} (logs in artifacts/logs/)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
