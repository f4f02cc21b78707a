#!/usr/bin/env bash
# Fuzzes pingpong-protocol with cargo-fuzz (libFuzzer + AddressSanitizer, debug assertions on)
# on the stable toolchain (RUSTC_BOOTSTRAP=1). Targets (fuzz/fuzz_targets/):
#   envelope   Envelope::parse + verify + bizContent readers, round trips, forged signatures
#   biz        bizContent types and Notification::parse, round trips, amounts and timestamps inside
#   amount     Money::parse / parse_wire / WireAmount in every currency, decimal round trips
#   signature  sign / verify / string_to_sign / constant_time_eq on arbitrary fields and salts
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   each target for SECONDS (default 300), seeds first
#
# Installs cargo-fuzz when missing. The corpus grows in fuzz/corpus/TARGET (not committed; the
# seeds and every input that once failed are in fuzz/seeds/TARGET). A failing input is saved
# in fuzz/artifacts/TARGET/. Prints one cargo-style line per target ("test result: ok. 1 passed;
# 0 failed" when it ran clean) and the executions; exits non-zero when a target failed.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} = 0 ] && targets=(envelope biz amount signature)

if ! command -v cargo-fuzz >/dev/null; then
  echo "fuzz: installing cargo-fuzz 0.13.2 (about 3 minutes, once)"
  cargo install cargo-fuzz --version 0.13.2 || exit 1
fi
# Its own target directory: sanitizer flags must not mix with the workspace's builds.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR/fuzz}
[ -n "$CARGO_TARGET_DIR" ] || unset CARGO_TARGET_DIR
export RUSTC_BOOTSTRAP=1
build() {
  local t
  for t in "${targets[@]}"; do
    cargo fuzz build -O -a -s "$1" "$t" >"$build_log" 2>&1 || return 1
  done
}
build_log=$(mktemp)
sanitizer=address
if ! build address; then
  # Without the sanitizer runtime, libFuzzer alone still finds panics and hangs.
  tail -n 20 "$build_log"
  echo "fuzz: the AddressSanitizer build failed; building without a sanitizer"
  sanitizer=none
  if ! build none; then
    tail -n 40 "$build_log"
    echo "test result: FAILED. 0 passed; ${#targets[@]} failed; 0 ignored; 0 measured; 0 filtered out; finished in 0s"
    exit 1
  fi
fi
rm -f "$build_log"

failed=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log=$(mktemp)
  start=$SECONDS
  cargo fuzz run -O -a -s "$sanitizer" "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n1)
  [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$log" | tail -n1)
  took=$((SECONDS - start))
  if [ "$rc" = 0 ] && [ -n "$runs" ]; then
    echo "fuzz $t: ${runs} executions in ${took}s, clean (corpus $(ls "corpus/$t" | wc -l) inputs)"
    echo "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in ${took}s"
  else
    failed=$((failed + 1))
    grep -E "panicked|ERROR|SUMMARY|Test unit written|assertion|left:|right:" "$log" | head -n 20
    echo "fuzz $t: FAILED after ${runs:-?} executions (input in fuzz/artifacts/$t/; replay: cargo fuzz run $t FILE)"
    echo "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in ${took}s"
  fi
  summary+=("$(printf '%-10s %12s executions %5ss  %s' "$t" "${runs:-?}" "$took" "$([ "$rc" = 0 ] && echo clean || echo FAILED)")")
  rm -f "$log"
done
echo
echo "fuzz summary (sanitizer: $sanitizer, $seconds s per target):"
printf '  %s\n' "${summary[@]}"
[ "$failed" = 0 ]
