// Writes pkg/package.json (version from Cargo.toml) and copies the package README.
import { readFileSync, writeFileSync, copyFileSync, existsSync } from "node:fs";

const cargo = readFileSync("Cargo.toml", "utf8");
const pkgSection = cargo.slice(cargo.indexOf("[package]"));
const field = (name) => pkgSection.match(new RegExp(`^${name} = "(.*)"$`, "m"))[1];

const pkg = {
  name: "pingpong-qr",
  version: field("version"),
  description: field("description"),
  license: "MIT OR Apache-2.0",
  type: "module",
  main: "pingpong_qr.js",
  module: "pingpong_qr.js",
  types: "pingpong_qr.d.ts",
  exports: {
    ".": { types: "./pingpong_qr.d.ts", import: "./pingpong_qr.js", default: "./pingpong_qr.js" },
    "./pingpong_qr_bg.wasm": "./pingpong_qr_bg.wasm",
  },
  files: ["pingpong_qr.js", "pingpong_qr.d.ts", "pingpong_qr_bg.wasm", "pingpong_qr_bg.wasm.d.ts", "README.md"],
  sideEffects: false,
  keywords: ["pingpong", "qr", "payment", "alipay", "wechat-pay", "pos", "wasm"],
};
writeFileSync("pkg/package.json", JSON.stringify(pkg, null, 2) + "\n");
if (existsSync("docs/npm-README.md")) copyFileSync("docs/npm-README.md", "pkg/README.md");
