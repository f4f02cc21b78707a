#!/usr/bin/env bash
# The browser suite of pingpong-qr: wasm-bindgen-test tests in headless Chromium against a real
# proxy with its embedded sandbox, started here (port 0, temporary database, the test page's
# origin allowed, fast sandbox clocks) and stopped on exit; then the built package under node
# (tests/pkg.test.mjs). Prints the runners' "test result:" lines and node's "# pass N";
# exits non-zero when a test fails or the proxy does not start.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
tmp=$(mktemp -d)
proxy_pid=
bad_pid=
cleanup() {
  if [ -n "$proxy_pid" ]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  if [ -n "$bad_pid" ]; then kill "$bad_pid" 2>/dev/null || true; wait "$bad_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

cargo build --quiet --locked -p pingpong-qr-proxy
# The test page's origin is fixed so that the proxy can allow it (CORS).
page_port=$(free_port)
env -u PINGPONG_ACC_ID -u PINGPONG_CLIENT_ID -u PINGPONG_SALT -u PINGPONG_SALT_FILE \
  "$target_dir/debug/pingpong-qr-proxy" --listen 127.0.0.1:0 --database "$tmp/proxy.sqlite" \
  --allow-origin "http://127.0.0.1:$page_port" \
  --sandbox-time-scale 0.001 --sandbox-refund-delay-ms 300 \
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
  echo "test-browser: the proxy did not start; its log:" >&2
  cat "$tmp/proxy.log" >&2
  exit 1
fi
echo "test-browser: proxy at $proxy_url, test page at http://127.0.0.1:$page_port"

# A proxy that answers badly on purpose, in front of the real one (tests/misbehaving.rs).
REAL_PROXY=$proxy_url node tests/misbehaving-proxy.mjs >"$tmp/misbehaving.log" 2>&1 &
bad_pid=$!
bad_url=
for _ in $(seq 1 100); do
  bad_url=$(sed -n 's/^misbehaving proxy listening on \(http:[^ ]*\).*/\1/p' "$tmp/misbehaving.log" | head -n1)
  [ -n "$bad_url" ] && break
  kill -0 "$bad_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$bad_url" ]; then
  echo "test-browser: the misbehaving proxy did not start; its log:" >&2
  cat "$tmp/misbehaving.log" >&2
  exit 1
fi

status=0
PINGPONG_QR_TEST_PROXY=$proxy_url \
PINGPONG_QR_TEST_MISBEHAVING=$bad_url \
WASM_BINDGEN_TEST_ADDRESS=127.0.0.1:$page_port \
WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300} \
  cargo test --locked --target wasm32-unknown-unknown --tests -p pingpong-qr || status=$?
if [ "$status" != 0 ]; then
  echo "test-browser: failed; the proxy's log (last 60 lines):" >&2
  tail -n 60 "$tmp/proxy.log" >&2
fi

# The built package as an app imports it (scripts/test.sh builds pkg/ just before).
[ -f pkg/index.js ] || scripts/build-pkg.sh
node --test tests/pkg.test.mjs || status=$?
exit "$status"
