// Writes pkg/package.json (version from Cargo.toml) and copies the package README.
// Argument: the path of the JS runtime snippet inside pkg/ (it varies with the build).
import { readFileSync, writeFileSync, copyFileSync, existsSync } from "node:fs";

const runtime = process.argv[2];
if (!runtime) throw new Error("usage: write-pkg-json.mjs <runtime snippet path>");
const cargo = readFileSync("Cargo.toml", "utf8");
const pkgSection = cargo.slice(cargo.indexOf("[package]"));
const field = (name) => pkgSection.match(new RegExp(`^${name} = "(.*)"$`, "m"))[1];

const pkg = {
  name: "pingpong-qr",
  version: field("version"),
  description: field("description"),
  license: "MIT OR Apache-2.0",
  type: "module",
  main: "index.js",
  module: "index.js",
  types: "index.d.ts",
  exports: {
    ".": { types: "./index.d.ts", import: "./index.js", default: "./index.js" },
    "./pingpong_qr_bg.wasm": "./pingpong_qr_bg.wasm",
  },
  files: [
    "index.js",
    "index.d.ts",
    "pingpong_qr.js",
    "pingpong_qr.d.ts",
    "pingpong_qr_bg.wasm",
    "pingpong_qr_bg.wasm.d.ts",
    "constants.js",
    "constants.d.ts",
    runtime,
    "README.md",
  ],
  sideEffects: false,
  keywords: ["pingpong", "qr", "payment", "alipay", "wechat-pay", "pos", "wasm"],
};
writeFileSync("pkg/package.json", JSON.stringify(pkg, null, 2) + "\n");
if (existsSync("docs/npm-README.md")) copyFileSync("docs/npm-README.md", "pkg/README.md");
