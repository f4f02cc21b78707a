#!/usr/bin/env bash
# `make bench`: builds what the benchmarks need (the proxy and the load client in the server
# profile, pkg/ in the release profile, a names-kept copy of the wasm for twiggy), then runs
# bench/run.mjs: it prints the tables and writes BENCHMARKS.md. Set-up as for `make test`
# (scripts/setup.sh); twiggy is installed from crates.io when missing.
# Honours CARGO_TARGET_DIR; BENCH_QUICK=1 runs few iterations (to try it, not to publish);
# BENCH_ONLY=coldstart (or another comma list of bench/run.mjs's sections) measures those
# alone and replaces only their tables in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
target_dir=${CARGO_TARGET_DIR:-target}
say() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }

scripts/setup.sh
if ! command -v twiggy >/dev/null; then
  say "installing twiggy (what weighs in the wasm; about 1 minute, once)"
  cargo install twiggy --version 0.8.0 --locked --quiet ||
    say "twiggy did not install: the report will lack the wasm's largest items"
fi

say "building the proxy and the load client (server profile) and pkg/ (release)"
cargo build --quiet --locked --profile server -p pingpong-qr-proxy -p pingpong-bench
scripts/build-pkg.sh >&2

named=$(mktemp -d)
trap 'rm -rf "$named"' EXIT
wasm-bindgen --target web --out-dir "$named" --out-name pingpong_qr \
  "$target_dir/wasm32-unknown-unknown/release/pingpong_qr.wasm"

BENCH_BUILD_SECONDS=$((SECONDS - start)) \
BENCH_NAMED_WASM="$named/pingpong_qr_bg.wasm" \
BENCH_PROXY_BIN="$target_dir/server/pingpong-qr-proxy" \
BENCH_LOAD_BIN="$target_dir/server/pingpong-bench" \
  node bench/run.mjs
