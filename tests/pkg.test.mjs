// The built npm package (pkg/) as an app imports it: entry, exports, types (generated from
// the Rust types, and type-checked as a strict TypeScript project uses them), runtime classes.
// Run by scripts/test-browser.sh after scripts/build-pkg.sh (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";

const pkgDir = new URL("../pkg/", import.meta.url);
const lib = await import(new URL("index.js", pkgDir));
lib.initSync({ module: readFileSync(new URL("pingpong_qr_bg.wasm", pkgDir)) });

test("npm pack includes every file the entry needs", () => {
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: pkgDir }),
  );
  const files = packed.files.map((f) => f.path);
  const pkg = JSON.parse(readFileSync(new URL("package.json", pkgDir)));
  assert.equal(packed.name, "pingpong-qr");
  assert.match(packed.version, /^\d+\.\d+\.\d+/);
  for (const f of [pkg.main, pkg.types, "pingpong_qr_bg.wasm", "pingpong_qr.js", "README.md"]) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  // Every relative import of the entry points at a packed file.
  for (const entry of ["index.js", "index.d.ts", "pingpong_qr.js"]) {
    const text = readFileSync(new URL(entry, pkgDir), "utf8");
    for (const [, spec] of text.matchAll(/from\s+["'](\.\/[^"']+)["']/g)) {
      const path = spec.slice(2);
      const typed = entry.endsWith(".d.ts") ? path.replace(/\.js$/, ".d.ts") : path;
      assert.ok(files.includes(path) || files.includes(typed), `${entry} imports ${spec}: packed`);
    }
  }
});

test("errors are PingPongError instances with a stable code", () => {
  for (const options of [
    { proxyUrl: "http://127.0.0.1:9", token: "" },
    { proxyUrl: "not a url", token: "t" },
    undefined,
  ]) {
    assert.throws(
      () => new lib.Register(options),
      (e) => e instanceof lib.PingPongError && e instanceof Error && e.code === lib.ErrorCode.INVALID_CONFIG,
    );
  }
});

test("status, error-code and journal-state constants exist at runtime", () => {
  assert.equal(lib.PaymentStatus.SUCCESS, "SUCCESS");
  assert.equal(lib.RefundStatus.FAILED, "FAILED");
  assert.equal(lib.ErrorCode.REFUND_EXCEEDS_BALANCE, "REFUND_EXCEEDS_BALANCE");
  assert.equal(lib.JournalState.UNKNOWN, "UNKNOWN");
  assert.equal(lib.UpdateSource.PUSH, "push");
  assert.equal(lib.Method.WECHAT, "WECHAT");
  for (const c of [lib.PaymentStatus, lib.RefundStatus, lib.ErrorCode, lib.JournalState, lib.UpdateSource, lib.Method]) {
    assert.ok(Object.isFrozen(c));
  }
  assert.equal(typeof lib.version(), "string");
});

test("invalid payment input rejects with its code (no network in node)", async () => {
  const r = new lib.Register({ proxyUrl: "http://127.0.0.1:9", token: "t", storage: "memory", push: false });
  const cases = [
    [{ amount: "1.001", currency: "USD", method: "ALIPAY" }, "INVALID_AMOUNT"],
    [{ amount: "1.00", currency: "usd", method: "ALIPAY" }, "INVALID_CURRENCY"],
    [{ amount: "1.00", currency: "USD", method: "CASH" }, "INVALID_METHOD"],
    [{ amount: "1.00", currency: "USD", method: "ALIPAY", expiresInSeconds: 30 }, "INVALID_EXPIRY"],
  ];
  for (const [options, code] of cases) {
    await assert.rejects(r.startPayment(options), (e) => e instanceof lib.PingPongError && e.code === code);
  }
  r.close();
});

test("qrSvg returns one path in a viewBox with the quiet zone", () => {
  const r = new lib.Register({ proxyUrl: "http://127.0.0.1:9", token: "t", storage: "memory" });
  const svg = r.qrSvg("https://example.com/wallet/TX1", { size: 200 });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1" width="200" height="200"/);
  assert.equal(svg.match(/<path/g).length, 1);
  assert.throws(() => r.qrSvg("x", { ecc: "Z" }), (e) => e.code === "INVALID_CONFIG");
});

/** The TypeScript text with its comments blanked out (string literals kept as they are). */
function withoutComments(ts) {
  let out = "";
  for (let i = 0; i < ts.length; ) {
    const c = ts[i];
    if (c === "/" && ts[i + 1] === "*") {
      const end = ts.indexOf("*/", i + 2);
      const stop = end < 0 ? ts.length : end + 2;
      out += ts.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === "/" && ts[i + 1] === "/") {
      const end = ts.indexOf("\n", i);
      const stop = end < 0 ? ts.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < ts.length && ts[j] !== c) j += ts[j] === "\\" ? 2 : 1;
      out += ts.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Lines ("N: text") where the type `any` occurs outside comments and string literals. */
function anyTypes(ts) {
  const original = ts.split("\n");
  const lines = [];
  withoutComments(ts).split("\n").forEach((line, n) => {
    const bare = line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""');
    if (/\bany\b/.test(bare)) lines.push(`${n + 1}: ${original[n].trim()}`);
  });
  return lines;
}

/** Every .d.ts file under `dir` (a file URL), recursively. */
function declarationFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".d.ts"))
    .sort();
}

test("no .d.ts in the package holds the type any (comments and strings aside)", () => {
  // The scan itself: finds `any` as a type, wherever it sits, and nothing else.
  assert.deepEqual(anyTypes("export function f(a: any): void;"), ["1: export function f(a: any): void;"]);
  assert.equal(anyTypes("type T = Array<any>;\nreadonly x: (a: number) => any;").length, 2);
  assert.deepEqual(anyTypes("/** if any */\n// any\nx: \"any\";  /* any\n any */ y: many; anyway: string;"), []);
  assert.deepEqual(anyTypes("/* a */ z: any; // any"), ["1: /* a */ z: any; // any"]);

  const files = declarationFiles(pkgDir);
  for (const f of ["index.d.ts", "pingpong_qr.d.ts", "pingpong_qr_bg.wasm.d.ts", "constants.d.ts"]) {
    assert.ok(files.includes(f), `${f} is scanned (found ${files.join(", ")})`);
  }
  const found = files.flatMap((f) => anyTypes(readFileSync(new URL(f, pkgDir), "utf8")).map((l) => `${f}:${l}`));
  assert.deepEqual(found, [], "the type any in the package's .d.ts files");
});

test("the public types declare every documented interface", () => {
  const dts = readFileSync(new URL("pingpong_qr.d.ts", pkgDir), "utf8");
  for (const name of ["RegisterOptions", "Payment", "WaitOptions", "Refund", "RefundWaitOptions", "QrOptions",
    "PendingPayment", "RequestOptions", "HistoryEntry", "HistoryRefund", "CreatePaymentRequest", "CreateRefundRequest"]) {
    assert.match(dts, new RegExp(`export interface ${name} \\{`), name);
  }
  for (const name of ["StartPaymentOptions", "RefundOptions", "PaymentStatus", "RefundStatus", "ErrorCode", "Method",
    "UpdateSource", "JournalState", "EntryState<S>", "Ecc", "StorageKind"]) {
    assert.ok(dts.includes(`export type ${name} =`), name);
  }
  assert.match(dts, /startPayment\(options: StartPaymentOptions\): Promise<Payment>;/);
  assert.match(dts, /waitForPayment\(merchantTransactionId: string, options\?: WaitOptions\): Promise<Payment>;/);
});

/** The declarations of a .d.ts (each from its doc comment to the end of its statement). */
function declarations(ts) {
  return ts
    .split(/\n(?=\/\*\*\n)/)
    .map((d) => d.trim())
    .filter((d) => /^\/\*\*[^]*?\*\/\nexport (interface|type) /.test(d))
    .map((d) => d.replace(/^([^]*?\n(?:\}|export type [^\n]*;))[^]*$/, "$1"));
}

/** The names a .d.ts exports (interfaces, types, classes, functions). */
function exportedNames(ts) {
  return [...ts.matchAll(/^export (?:declare )?(?:interface|type|class|function|const) (\w+)/gm)].map((m) => m[1]).sort();
}

test("the shipped .d.ts holds exactly the declarations the Rust types generate", () => {
  // src/js/types.d.ts is what the Rust types give (a native test keeps it so); wasm-bindgen
  // wrote the same declarations into the shipped pingpong_qr.d.ts.
  const generated = readFileSync(new URL("../src/js/types.d.ts", import.meta.url), "utf8");
  const shipped = readFileSync(new URL("pingpong_qr.d.ts", pkgDir), "utf8");
  const decls = declarations(generated);
  assert.ok(decls.length >= 20, `declarations found in types.d.ts: ${decls.length}`);
  for (const d of decls) assert.ok(shipped.includes(d), `shipped as generated:\n${d}`);
  // Nothing else: the shipped names are the generated ones and wasm-bindgen's own.
  const own = ["InitInput", "InitOutput", "Register", "SyncInitInput", "initSync", "version"];
  assert.deepEqual(exportedNames(shipped), [...exportedNames(generated), ...own].sort());
  // The runtime constants ship as generated.
  assert.equal(
    readFileSync(new URL("constants.d.ts", pkgDir), "utf8"),
    readFileSync(new URL("../src/js/constants.d.ts", import.meta.url), "utf8"),
  );
  // The scan itself: a declaration edited after generation is told apart.
  assert.ok(!shipped.includes(decls[0].replace("merchantTransactionId: string;", "merchantTransactionId: number;")));
});

test("a strict TypeScript project type-checks against the package (ES2022 + DOM, no skipLibCheck)", () => {
  // tests/ts/register.ts uses the whole API and marks misuses that must not compile.
  const tsc = new URL("../node_modules/typescript/bin/tsc", import.meta.url).pathname;
  const project = new URL("ts/", import.meta.url).pathname;
  const run = spawnSync(process.execPath, [tsc, "-p", project], { encoding: "utf8" });
  assert.equal(run.status, 0, `tsc --strict failed:\n${run.stdout}${run.stderr}`);
  const config = JSON.parse(readFileSync(new URL("ts/tsconfig.json", import.meta.url), "utf8"));
  assert.deepEqual(config.compilerOptions.lib, ["ES2022", "DOM"]);
  assert.equal(config.compilerOptions.strict, true);
  assert.equal(config.compilerOptions.skipLibCheck, false);
});
