#!/usr/bin/env bash
# The fault suite (docs/reliability.md): fault scenarios through the
# real stack with the library in headless Chromium (e2e/faults/faults.test.mjs), and the
# browser-side secrets test (e2e/faults/secrets.test.mjs). Builds the proxy, the standalone
# sandbox and pkg/ first, and serves a snapshot of pkg/ (FAULTS_PKG_DIR). Prints node's TAP
# counts ("# pass N", "# fail N"); exits non-zero when a test fails. Needs the sqlite3 CLI
# (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { echo "test-faults: sqlite3 is missing: run scripts/setup.sh" >&2; exit 1; }
cargo build --quiet --locked -p pingpong-qr-proxy -p pingpong-sandbox
scripts/build-pkg.sh
snapshot=$(mktemp -d)
trap 'rm -rf "$snapshot"' EXIT
cp -r pkg "$snapshot/pkg"
# One file at a time: the scenarios wait on real clocks, and two files would compete for
# the machine's 2 cores.
FAULTS_PKG_DIR="$snapshot/pkg" \
  node --test --test-reporter=tap --test-concurrency=1 e2e/faults/*.test.mjs
