#!/usr/bin/env bash
# Runs the demo: builds pkg/ and the proxy, starts the proxy in demo mode (embedded sandbox,
# token demo-token) serving the register page, and prints the page's URL last, once the
# proxy answers /healthz. Extra arguments go to the proxy (e.g. --listen 0.0.0.0:8080
# --public-url http://192.168.1.20:8080). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m[demo]\033[0m %s\n' "$*"; }
target_dir=${CARGO_TARGET_DIR:-target}
proxy="$target_dir/server/pingpong-qr-proxy"

say "checking the tools (scripts/setup.sh --demo)"
scripts/setup.sh --demo
say "building the browser library into pkg/ (wasm, release profile)"
scripts/build-pkg.sh
if [ -x "$proxy" ]; then
  say "building the proxy (server profile; up to date in seconds)"
else
  say "building the proxy (server profile; the first time takes a few minutes)"
fi
cargo build --locked --profile server -p pingpong-qr-proxy

say "starting the proxy in demo mode"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Its stdout (the banner) goes to the screen and to $out, where the URL is read from; tee
# outlives a Ctrl-C so that nothing the proxy prints while stopping meets a closed pipe.
"$proxy" "$@" > >(trap '' INT; tee "$out") &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM

# The bound address once it listens, then /healthz on it (a wildcard address via loopback).
healthy=""
for _ in $(seq 1 600); do
  kill -0 "$pid" 2>/dev/null || { wait "$pid" || exit $?; exit 1; }
  url=$(sed -n 's/^pingpong-qr-proxy listening on //p' "$out")
  if [ -n "$url" ]; then
    local_url=$(printf '%s' "$url" | sed -e 's#//0\.0\.0\.0:#//127.0.0.1:#' -e 's#//\[::\]:#//[::1]:#')
    if curl -fsS -o /dev/null "$local_url/healthz" 2>/dev/null; then
      healthy=1
      break
    fi
  fi
  sleep 0.1
done
# The page is at the public URL: the banner's in demo mode, else the notification URL's base.
page=$(sed -n -e 's/^ *Demo register page: //p' -e 's#.*notifications expected at \(.*\)/notify/pingpong$#\1/#p' "$out")
if [ -n "$healthy" ]; then
  say "the proxy is ready; Ctrl-C stops it"
  say "open the register: ${page:-$url/}"
else
  say "the proxy did not answer /healthz in 60 s; it goes on running (Ctrl-C stops it)"
fi
# Until Ctrl-C: the first wait returns at the signal, the second when the proxy has stopped.
wait "$pid" || wait "$pid" || true
