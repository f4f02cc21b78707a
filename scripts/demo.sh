#!/usr/bin/env bash
# Runs the demo: builds pkg/, then the proxy in demo mode (embedded sandbox, token
# demo-token) serving the register page at http://127.0.0.1:8080. Extra arguments go to
# the proxy (e.g. --listen 0.0.0.0:8080 --public-url http://192.168.1.20:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --demo
scripts/build-pkg.sh
exec cargo run --quiet --profile server -p pingpong-qr-proxy -- "$@"
