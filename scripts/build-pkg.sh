#!/usr/bin/env bash
# Builds the npm package in pkg/: the release wasm (size profile), wasm-bindgen's ES module
# glue and TypeScript types, wasm-opt -Oz, and package.json / README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --lib --release --target wasm32-unknown-unknown -p pingpong-qr
rm -rf pkg && mkdir -p pkg
wasm-bindgen --target web --out-dir pkg --out-name pingpong_qr \
  target/wasm32-unknown-unknown/release/pingpong_qr.wasm
# Debian's binaryen is too old for current wasm-bindgen output: use npm's.
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
  pkg/pingpong_qr_bg.wasm -o pkg/pingpong_qr_bg.wasm
node scripts/write-pkg-json.mjs
