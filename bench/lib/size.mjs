// Measure 1: the shipped size of pkg/ (raw and gzip -9), the reference npm libraries bundled
// with esbuild (minified, gzip -9), and what weighs in the wasm (twiggy on a build that kept
// its function names: wasm-bindgen's output before wasm-opt).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const gzip9 = (buf) => gzipSync(buf, { level: 9 }).length;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every shipped runtime file of pkg/ (.wasm and .js; types and docs aside), raw and gzip -9. */
export function shippedSizes(pkgDir) {
  const files = walk(pkgDir).filter((p) => /\.(wasm|js)$/.test(p));
  return files.map((p) => {
    const buf = readFileSync(p);
    return { file: relative(pkgDir, p), kind: p.endsWith(".wasm") ? "wasm" : "js", raw: buf.length, gzip: gzip9(buf) };
  });
}

/** What a register needs of each reference library: drawing on a canvas and SVG output. */
export const REFERENCE_ENTRIES = {
  "qrcode (node-qrcode)": `export { toCanvas, toString } from "qrcode";`,
  "qrcode-generator": `export { default } from "qrcode-generator";`,
  "lean-qr": `export { generate, correction } from "lean-qr"; export { toSvgSource } from "lean-qr/extras/svg";`,
};

/** Minified esbuild bundle of `source` (resolved from `root`), for the browser. */
export async function bundle(root, source, { minify = true } = {}) {
  const out = await build({
    stdin: { contents: source, resolveDir: root, loader: "js" },
    bundle: true,
    minify,
    format: "esm",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0].contents;
}

/** Each reference library's canvas + SVG API, bundled, minified, raw and gzip -9. */
export async function referenceSizes(root) {
  const out = [];
  for (const [name, source] of Object.entries(REFERENCE_ENTRIES)) {
    const pkg = /from "([^"/]+)/.exec(source)[1];
    const version = JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")).version;
    const code = await bundle(root, source);
    out.push({ name, version, raw: code.length, gzip: gzip9(code) });
  }
  return out;
}

/** Rust crate name → the package it belongs to, where they differ. */
const CRATE_OF = {
  futures_util: "futures",
  futures_core: "futures",
  futures_channel: "futures",
  futures_task: "futures",
  futures_io: "futures",
  serde_core: "serde",
  hashbrown: "std (hashbrown)",
  __rustc: "std (allocator, panics)",
};

/** Crate (or section) an item of twiggy's list belongs to. */
export function owner(name) {
  const n = name.replace(/\[[0-9a-f]{16}\]/g, "");
  if (n.startsWith("data segment") || n.startsWith("data[")) return "data (constants, strings, tables)";
  if (n.startsWith("import ")) return "imports (JS functions)";
  if (n.startsWith("export ")) return "exports";
  if (n.startsWith("elem") || n.startsWith("table")) return "function table";
  if (n.startsWith("type[") || n.startsWith("global")) return "types, globals";
  // The innermost path whose crate is named: `<a::B as c::D>::f` belongs to `a`.
  const m = /^[<&\s*]*(?:dyn\s+)?(?:mut\s+)?([a-z_][a-z0-9_]*)::/.exec(n);
  if (m) {
    const crate = m[1];
    if (crate === "pingpong_qr") {
      const mod = /^[<&\s*]*pingpong_qr::([a-z_]+)/.exec(n);
      return `pingpong_qr::${mod ? mod[1] : "?"}`;
    }
    return CRATE_OF[crate] ?? crate;
  }
  // Trait impls of std types (`<str as core::fmt::Debug>::fmt`): std's formatting machinery.
  if (/^<(?:&?mut\s+)?&?(?:str|char|bool|u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|isize|f32|f64)[ >]/.test(n)) return "core";
  if (/^(wasm_bindgen|__wbindgen|__wbg)/.test(n)) return "wasm_bindgen";
  if (/^__rust|^__rdl|^__rg_|^rust_/.test(n)) return "std (allocator, panics)";
  return "other";
}

/**
 * twiggy on `wasm` (names kept): the ten largest items (custom sections such as the names
 * themselves excluded: they are not shipped), and the shallow bytes per crate, every crate.
 */
export function twiggy(wasm) {
  if (!existsSync(wasm)) return null;
  const csv = execFileSync("twiggy", ["top", "-n", "100000", "--format", "csv", wasm], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const rows = csv
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      // Name may hold commas and is then quoted; the four numbers come last.
      const m = /^(.*),(\d+),([\d.]+),(\d*),([\d.]*)$/.exec(line);
      if (!m) return null;
      const quoted = m[1].startsWith('"') && m[1].endsWith('"');
      const name = quoted ? m[1].slice(1, -1).replace(/""/g, '"') : m[1];
      return { name, bytes: Number(m[2]) };
    })
    .filter((r) => r && !/subsection$|^custom section/.test(r.name));
  const code = rows.reduce((a, r) => a + r.bytes, 0);
  const byOwner = new Map();
  for (const r of rows) byOwner.set(owner(r.name), (byOwner.get(owner(r.name)) ?? 0) + r.bytes);
  return {
    total: statSync(wasm).size,
    counted: code,
    top: rows.slice(0, 10),
    owners: [...byOwner.entries()].sort((a, b) => b[1] - a[1]),
  };
}
