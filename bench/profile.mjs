// A CPU profile of one benchmark in headless Chromium, for the findings: which functions
// (JS and wasm, by name when the wasm kept its names section) take the time.
//
//   node bench/profile.mjs render [pkgDir]     QR renders and SVG of all libraries
//   node bench/profile.mjs click  [pkgDir]     startPayment → QR, 50 times
//
// pkgDir (default pkg/) may hold a names-kept wasm (`wasm-opt -Oz -g`) for wasm function
// names. Needs the server-profile proxy (scripts/bench.sh builds it).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { root, tempDir } from "../e2e/lib/harness.mjs";
import { launchBrowser, openPage } from "./lib/browser.mjs";
import { startProxy } from "./lib/servers.mjs";
import { bundle } from "./lib/size.mjs";

const [what = "render", pkgArg] = process.argv.slice(2);
const pkg = resolve(pkgArg ?? join(root, "pkg"));
const targetDir = resolve(root, process.env.CARGO_TARGET_DIR ?? "target");
const TEXT = "https://sandbox-acquirer-payment.pingpongx.com/qr/wallet/2026112500000001?exp=1764086700&sig=3F9A1C7E5B2";

const tmp = tempDir("pingpong-qr-profile-");
const www = join(tmp.dir, "www");
mkdirSync(www);
cpSync(join(root, "bench", "web"), www, { recursive: true });
writeFileSync(join(www, "refs.js"), await bundle(root, readFileSync(join(root, "bench", "web", "refs-entry.js"), "utf8")));
const proxy = await startProxy({ binary: join(targetDir, "server", "pingpong-qr-proxy"), dir: tmp.dir, www, pkg });
const browser = await launchBrowser();
try {
  const p = await openPage(browser, proxy.url);
  const cdp = await p.page.context().newCDPSession(p.page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  await cdp.send("Profiler.start");
  if (what === "render") await p.run("render", { text: TEXT, n: 500, warmup: 20 });
  else await p.run("clickToQr", { n: 50, warmup: 3 });
  const { profile } = await cdp.send("Profiler.stop");
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url ? f.url.split("/").pop() : ""}`.trim();
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`self time, ${what}, total ${(total / 1000).toFixed(0)} ms sampled:`);
  for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(1).padStart(8)} ms  ${k.slice(0, 140)}`);
  }
  await p.close();
} finally {
  await browser.close();
  await proxy.stop();
  tmp.remove();
}
