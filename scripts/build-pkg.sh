#!/usr/bin/env bash
# Builds the npm package in pkg/: the release wasm (size profile), wasm-bindgen's ES module
# glue and TypeScript types (generated from the Rust types), wasm-opt -Oz, the JS minified
# (esbuild), the package entry (index.js re-exporting the glue, PingPongError and the runtime
# constants; index.d.ts), package.json and README.md.
# Types wasm-bindgen's raw export table `unknown` instead of `any`. Prints the gzip -9 sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
cargo build --quiet --locked --lib --release --target wasm32-unknown-unknown -p pingpong-qr
rm -rf pkg && mkdir -p pkg
wasm-bindgen --target web --out-dir pkg --out-name pingpong_qr \
  "$target_dir/wasm32-unknown-unknown/release/pingpong_qr.wasm"
# Debian's binaryen is too old for current wasm-bindgen output: use npm's.
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
  pkg/pingpong_qr_bg.wasm -o pkg/pingpong_qr_bg.wasm

# The JS runtime (PingPongError, the Web Locks and IndexedDB helpers) is a wasm-bindgen
# snippet; the runtime constants are generated from the Rust definitions (src/js/constants.js,
# checked by a native test). The entry re-exports both; its types are src/js/index.d.ts.
runtime=$(cd pkg && find snippets -path '*/src/js/runtime.js' | head -n1)
[ -n "$runtime" ] || { echo "build-pkg: the runtime snippet is missing" >&2; exit 1; }
cp src/js/constants.js src/js/constants.d.ts src/js/index.d.ts pkg/
cat > pkg/index.js <<JS
export { default, initSync, Register, version } from "./pingpong_qr.js";
export { PingPongError } from "./$runtime";
export { ErrorCode, JournalState, Method, PaymentStatus, RefundStatus, UpdateSource } from "./constants.js";
JS

# wasm-bindgen types its raw export table (the InitOutput interface that init() resolves to,
# and pingpong_qr_bg.wasm.d.ts) with `any` for JS values: they are `unknown` to a caller.
# tests/pkg.test.mjs then fails on any `any` left in any .d.ts of the package.
sed -i -E '/^export interface InitOutput \{/,/^\}/ s/\bany\b/unknown/g' pkg/pingpong_qr.d.ts
sed -i -E 's/\bany\b/unknown/g' pkg/pingpong_qr_bg.wasm.d.ts
# `[Symbol.dispose]` needs TypeScript's esnext.disposable lib: a project on ES2022 could not
# compile against it. The method stays at runtime where Symbol.dispose exists; free() is typed.
sed -i '/^    \[Symbol.dispose\](): void;$/d' pkg/pingpong_qr.d.ts

# Minify the JS that ships (the .d.ts files keep the documentation): the glue loses its
# JSDoc copies and long local names (PingPongError sets its `name` itself).
for js in pkg/pingpong_qr.js "pkg/$runtime" pkg/constants.js; do
  node_modules/.bin/esbuild "$js" --minify --format=esm --log-level=warning \
    --outfile="$js" --allow-overwrite
done
# Deno and JSR read the types from this directive, which minifying dropped.
sed -i '1i /* @ts-self-types="./pingpong_qr.d.ts" */' pkg/pingpong_qr.js

node scripts/write-pkg-json.mjs "$runtime"
for f in pkg/pingpong_qr_bg.wasm pkg/pingpong_qr.js pkg/index.js "pkg/$runtime" pkg/constants.js; do
  printf 'build-pkg: %-60s %7d bytes, gzip -9 %6d bytes\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done
