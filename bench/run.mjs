// `make bench`, the measuring half (scripts/bench.sh builds first and passes the paths):
// sizes, QR render speed against the npm libraries, the register flows in headless
// Chromium, the proxy under load, the register's cold start; prints the tables and writes
// BENCHMARKS.md.
//
// Environment: BENCH_PROXY_BIN, BENCH_LOAD_BIN (server-profile binaries), BENCH_NAMED_WASM
// (wasm-bindgen output before wasm-opt, for twiggy), BENCH_OUT (default BENCHMARKS.md),
// BENCH_QUICK=1 (few iterations: to try the command, not to publish), BENCH_ONLY (comma list
// of size,render,click,push,poll,requests,load,coldstart: runs those alone and replaces
// only their sections and goal rows in BENCH_OUT), BENCH_BUILD_SECONDS (for the report).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { root, tempDir } from "../e2e/lib/harness.mjs";
import * as b from "./lib/browser.mjs";
import { coldStart } from "./lib/coldstart.mjs";
import { load } from "./lib/load.mjs";
import { machine } from "./lib/machine.mjs";
import { sections, splice } from "./lib/report.mjs";
import { startProxy } from "./lib/servers.mjs";
import { bundle, referenceSizes, shippedSizes, twiggy } from "./lib/size.mjs";

const env = process.env;
const quick = env.BENCH_QUICK === "1";
const only = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(",")) : null;
const want = (m) => !only || only.has(m);
const targetDir = resolve(root, env.CARGO_TARGET_DIR ?? "target");
const proxyBin = env.BENCH_PROXY_BIN ?? join(targetDir, "server", "pingpong-qr-proxy");
const loadBin = env.BENCH_LOAD_BIN ?? join(targetDir, "server", "pingpong-bench");
const outFile = resolve(root, env.BENCH_OUT ?? "BENCHMARKS.md");

/** The payment URL every library encodes (measure 2): 104 bytes, a typical QR payment URL. */
const TEXT = "https://sandbox-acquirer-payment.pingpongx.com/qr/wallet/2026112500000001?exp=1764086700&sig=3F9A1C7E5B2";
if (TEXT.length !== 104) throw new Error(`the benchmark text has ${TEXT.length} bytes, not 104`);

const plan = quick
  ? { renderN: 100, renderWarmup: 10, clickN: 10, pushN: 5, pollPages: 2, pollPerPage: 3, afters: [3], loadMs: 1000, loadWarmupMs: 300, coldN: 3 }
  : { renderN: 1000, renderWarmup: 50, clickN: 100, pushN: 50, pollPages: 5, pollPerPage: 10, afters: [10, 30, 60], loadMs: 5000, loadWarmupMs: 1000, coldN: 15 };
const LOAD_CONCURRENCY = [1, 8];
/** A real acquirer is a network round trip away: the last load rows add this much to each
 * unifiedPay in the sandbox (its latencyMs fault knob), for the proxy and the direct calls alike. */
const ACQUIRER_LATENCY_MS = 50;

const started = Date.now();
const log = (...a) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s]`, ...a);
const r = { text: TEXT, renderWarmup: plan.renderWarmup, loadConcurrency: 8 };

// 1. Sizes (no server needed).
if (want("size")) {
  log("1. sizes");
  r.size = {
    shipped: shippedSizes(join(root, "pkg")),
    references: await referenceSizes(root),
    twiggy: env.BENCH_NAMED_WASM ? twiggy(env.BENCH_NAMED_WASM) : null,
  };
}

// The benchmark page and its bundled reference libraries, served by the proxy.
const tmp = tempDir("pingpong-qr-bench-");
const www = join(tmp.dir, "www");
mkdirSync(www);
cpSync(join(root, "bench", "web"), www, { recursive: true });
writeFileSync(join(www, "refs.js"), await bundle(root, readFileSync(join(root, "bench", "web", "refs-entry.js"), "utf8")));
const proxy = await startProxy({ binary: proxyBin, dir: tmp.dir, www, pkg: join(root, "pkg") });
log(`proxy (server profile, demo mode) at ${proxy.url}; log ${proxy.log}`);
const browser = await b.launchBrowser();
try {
  r.machine = machine({ chromium: browser.version() });
  const url = proxy.url;
  if (want("render")) {
    log(`2. QR render: ${plan.renderN} × 4 libraries`);
    r.render = await b.renderBench(browser, url, { text: TEXT, n: plan.renderN, warmup: plan.renderWarmup });
  }
  if (want("click")) {
    log(`4. click → QR: ${plan.clickN} payments`);
    r.click = await b.clickToQr(browser, url, { n: plan.clickN, warmup: 5 });
  }
  if (want("push")) {
    log(`3. pay → PAID with push: ${plan.pushN} payments`);
    r.payPush = await b.payToPaidPush(browser, url, { n: plan.pushN, warmup: 3 });
  }
  if (want("poll")) {
    log(`3. pay → PAID polling alone: ${plan.pollPages} × ${plan.pollPerPage} payments`);
    r.pollShape = `${plan.pollPages} registers × ${plan.pollPerPage} payments at once`;
    r.payPoll = await b.payToPaidPolling(browser, url, { pages: plan.pollPages, perPage: plan.pollPerPage, delayMs: [1000, 10_000] });
  }
  if (want("requests")) {
    log(`6. requests per payment, paid after ${plan.afters.join(", ")} s (all at once)`);
    r.requests = await b.requestCounts(browser, url, [true, false].flatMap((push) => plan.afters.map((afterS) => ({ push, afterS }))));
  }
  if (want("load")) {
    r.load = [];
    const faults = async (body) => {
      const res = await fetch(`${url}/sandbox/control/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`sandbox faults answered ${res.status}`);
    };
    const rows = [
      ...LOAD_CONCURRENCY.map((concurrency) => ({ concurrency, latencyMs: 0 })),
      { concurrency: 8, latencyMs: ACQUIRER_LATENCY_MS },
    ];
    for (const { concurrency, latencyMs } of rows) {
      await faults(latencyMs ? { latencyMs, apis: ["unifiedPay"] } : {});
      for (const target of ["sandbox", "proxy"]) {
        log(`5. load: ${target}, concurrency ${concurrency}, acquirer latency ${latencyMs} ms, ${plan.loadMs} ms`);
        const row = await load(loadBin, { target, url, concurrency, warmupMs: plan.loadWarmupMs, durationMs: plan.loadMs });
        r.load.push({ ...row, latencyMs });
      }
    }
    await faults({});
    // Diagnostic: the same proxy with its journal in RAM (tmpfs, where fsync costs nothing),
    // to tell the disk's share of the proxy's cost from the CPU's.
    if (existsSync("/dev/shm")) {
      const shm = mkdtempSync("/dev/shm/pingpong-qr-bench-");
      const ram = await startProxy({ binary: proxyBin, dir: shm, www, pkg: join(root, "pkg") });
      try {
        for (const concurrency of LOAD_CONCURRENCY) {
          log(`5. load: proxy with the journal on tmpfs, concurrency ${concurrency}`);
          const row = await load(loadBin, { target: "proxy", url: ram.url, concurrency, warmupMs: plan.loadWarmupMs, durationMs: plan.loadMs });
          r.load.push({ ...row, latencyMs: 0, tmpfs: true });
        }
      } finally {
        await ram.stop();
        rmSync(shm, { recursive: true, force: true });
      }
    }
    r.loadNote = `${plan.loadWarmupMs} ms warm-up, then ${plan.loadMs} ms measured per row; client, proxy and sandbox share the machine's cores.`;
  }
  if (want("coldstart")) {
    // The demo register itself (www/), from a proxy of its own with a fresh journal.
    const dir = join(tmp.dir, "coldstart");
    mkdirSync(dir);
    const demo = await startProxy({ binary: proxyBin, dir, www: join(root, "www"), pkg: join(root, "pkg") });
    try {
      log(`7. cold start: ${plan.coldN} loads per network profile, compressed and not`);
      r.coldStart = await coldStart(browser, demo.url, { n: plan.coldN });
    } finally {
      await demo.stop();
    }
  }
} finally {
  await browser.close();
  await proxy.stop();
}

const seconds = Math.round((Date.now() - started) / 1000);
const build = env.BENCH_BUILD_SECONDS ? `build ${env.BENCH_BUILD_SECONDS} s + ` : "";
r.runNote = `\`make bench\`: ${build}measuring ${seconds} s${quick ? " (BENCH_QUICK: too few samples to publish)" : ""}`;
r.machine ??= machine({ chromium: "not run" });

const body = sections(r);
const findings = readFileSync(join(root, "bench", "findings.md"), "utf8");
const doc = only && existsSync(outFile)
  ? splice(readFileSync(outFile, "utf8").trimEnd(), r, findings)
  : [
      "# Benchmarks",
      "Written by `make bench` (scripts/bench.sh → bench/run.mjs); do not edit by hand: the findings come from " +
        "bench/findings.md. Times in ms; median and p95 by nearest rank.",
      ...body,
      findings.trim(),
    ].join("\n\n");
writeFileSync(outFile, `${doc}\n`);
console.log(body.join("\n\n"));
console.log(`\nwritten: ${outFile}`);
tmp.remove();
