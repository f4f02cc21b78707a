#!/usr/bin/env bash
# Installs what a fresh machine lacks for this project, and nothing when it is all there.
#   scripts/setup.sh          everything the tests need
#   scripts/setup.sh --demo   only what the demo needs (no browser)
# Installs: the wasm32 target, wasm-bindgen-cli at the exact version in Cargo.lock,
# Debian's chromium + chromium-driver + sqlite3, and the npm packages of package-lock.json
# (wasm-opt from npm binaryen, playwright-core, jsQR, the benchmark's QR libraries).
set -euo pipefail
cd "$(dirname "$0")/.."
want_browser=1
[ "${1:-}" = "--demo" ] && want_browser=0

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup first" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ first" >&2; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Cargo.lock pins wasm-bindgen; the CLI must be the very same version.
[ -f Cargo.lock ] || cargo generate-lockfile
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ] ||
   ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $bindgen_version (about 5 minutes, once)"
  # Not --locked: one of its locked dependencies is no longer on the registry.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# sqlite3: the fault suite (scripts/test-faults.sh) reads the proxy's journal with it, read-only.
# fonts-wqy-zenhei: a CJK font, so the Chinese register screenshots show glyphs, not boxes.
if [ "$want_browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] ||
   [ ! -x /usr/bin/sqlite3 ] || [ ! -d /usr/share/fonts/truetype/wqy ]; }; then
  say "installing Debian's chromium, chromium-driver, sqlite3 and a CJK font (about 1 minute, once)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver sqlite3 fonts-wqy-zenhei >/dev/null
fi

# npm packages: reinstall only when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
