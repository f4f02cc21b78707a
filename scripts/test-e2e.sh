#!/usr/bin/env bash
# The demo register's end-to-end suite: builds what is missing (the proxy, pkg/ when src/ is
# newer), starts pingpong-qr-proxy in demo mode (port 0, temporary database, fast sandbox:
# time scale 0.001, refunds done in 300 ms) serving www/ and pkg/, runs e2e/*.test.mjs under
# node's test runner (TAP, two files at a time) in headless Chromium against it
# (PINGPONG_QR_E2E_PROXY), and stops the proxy on exit, failure included. Screenshots:
# artifacts/screenshots/. Extra arguments go to `node --test` (e.g. --test-name-pattern=reload).
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
tmp=$(mktemp -d)
proxy_pid=
cleanup() {
  if [ -n "$proxy_pid" ]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# npm packages first: the package build needs npm's wasm-opt, the tests playwright-core and jsQR.
[ -d node_modules/playwright-core ] && [ -d node_modules/jsqr ] && [ -x node_modules/.bin/wasm-opt ] ||
  npm ci --no-audit --no-fund --loglevel=error
cargo build --quiet --locked -p pingpong-qr-proxy
if [ ! -f pkg/index.js ] || [ -n "$(find src Cargo.toml Cargo.lock -newer pkg/pingpong_qr_bg.wasm -print -quit)" ]; then
  scripts/build-pkg.sh
fi

env -u PINGPONG_BASE_URL -u PINGPONG_ACC_ID -u PINGPONG_CLIENT_ID -u PINGPONG_SALT -u PINGPONG_SALT_FILE \
  "$target_dir/debug/pingpong-qr-proxy" --listen 127.0.0.1:0 --database "$tmp/proxy.sqlite" \
  --www www --pkg pkg --sandbox-time-scale 0.001 --sandbox-refund-delay-ms 300 \
  >"$tmp/proxy.log" 2>&1 &
proxy_pid=$!

proxy_url=
for _ in $(seq 1 300); do
  proxy_url=$(sed -n 's/.*pingpong-qr-proxy listening on \(http:[^ ]*\).*/\1/p' "$tmp/proxy.log" | head -n1)
  [ -n "$proxy_url" ] && break
  kill -0 "$proxy_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$proxy_url" ]; then
  echo "test-e2e: the proxy did not start; its log:" >&2
  cat "$tmp/proxy.log" >&2
  exit 1
fi
echo "test-e2e: proxy at $proxy_url"

mkdir -p artifacts/screenshots
status=0
# Two files at a time, the slow one first: expiry-lapse.test.mjs waits a minute for a QR to
# lapse on its own proxy (its own sandbox and fault knobs) while the others run. Files on this
# proxy share the sandbox's fault knobs, so they take turns: each holds the lock directory
# PINGPONG_QR_E2E_LOCK while it runs (e2e/lib/register.mjs, proxyUnderTest).
files=(e2e/expiry-lapse.test.mjs)
for f in e2e/*.test.mjs; do [ "$f" = "${files[0]}" ] || files+=("$f"); done
PINGPONG_QR_E2E_PROXY=$proxy_url PINGPONG_QR_E2E_LOCK=$tmp/shared-proxy.lock \
  node --test --test-reporter=tap --test-concurrency=2 "$@" "${files[@]}" || status=$?
if [ "$status" != 0 ]; then
  echo "test-e2e: failed; the proxy's log (last 60 lines):" >&2
  tail -n 60 "$tmp/proxy.log" >&2
fi
echo "test-e2e: screenshots in artifacts/screenshots/"
exit "$status"
