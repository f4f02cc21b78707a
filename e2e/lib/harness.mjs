// Shared harness of the node end-to-end suites: start the proxy / the standalone sandbox as
// real processes on loopback, launch Debian's Chromium through playwright-core, and fail a
// page on any console error or page error.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

/** The repository root (this file is e2e/lib/harness.mjs). */
export const root = resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, "target");

/** Path of a workspace binary built in the debug profile (the suite scripts build it first). */
export function binary(name) {
  return join(targetDir, "debug", name);
}

/** A fresh temporary directory, removed by the returned cleanup function. */
export function tempDir(prefix = "pingpong-qr-e2e-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts a process that prints `<banner> listening on http://HOST:PORT` and resolves once it
 * did, with { url, proc, output(), stop() }. Rejects with the process output if it exits or
 * prints nothing within `timeoutMs`.
 */
export function startServer(command, args, { banner, env = {}, demo = false, timeoutMs = 30_000 } = {}) {
  const fullEnv = { ...process.env, ...env };
  // Demo mode: no PingPong credentials may leak in from the caller's environment.
  if (demo) for (const k of ["PINGPONG_BASE_URL", "PINGPONG_ACC_ID", "PINGPONG_CLIENT_ID", "PINGPONG_SALT", "PINGPONG_SALT_FILE"]) delete fullEnv[k];
  const proc = spawn(command, args, {
    cwd: root,
    env: fullEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const pattern = new RegExp(`${banner} listening on (http://\\S+)`);
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => fail(new Error(`${banner} did not start in ${timeoutMs} ms`)), timeoutMs);
    const fail = (err) => {
      clearTimeout(timer);
      proc.kill("SIGKILL");
      err.message += `\n--- ${banner} output ---\n${output}`;
      reject(err);
    };
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolveStart({
          url: m[1].replace(/\/$/, ""),
          proc,
          output: () => output,
          stop: (signal = "SIGTERM") => stopProcess(proc, signal),
        });
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.on("exit", (code) => fail(new Error(`${banner} exited with ${code}`)));
  });
}

function stopProcess(proc, signal) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    proc.once("exit", () => done());
    proc.kill(signal);
  });
}

/**
 * Starts pingpong-qr-proxy. Without PingPong credentials in `env` it runs in demo mode with
 * the embedded sandbox (fast clocks unless `args` say otherwise). `listen` (default
 * `127.0.0.1:0`, a free port) lets a restarted proxy take its predecessor's address.
 */
export function startProxy({ args = [], env = {}, database, listen = "127.0.0.1:0" } = {}) {
  const all = ["--listen", listen, ...(database ? ["--database", database] : []), ...args];
  if (!env.PINGPONG_SALT && !args.includes("--sandbox-time-scale")) {
    all.push("--sandbox-time-scale", "0.001", "--sandbox-refund-delay-ms", "300");
  }
  return startServer(binary("pingpong-qr-proxy"), all, { banner: "pingpong-qr-proxy", env, demo: !env.PINGPONG_SALT });
}

/** Starts the standalone pingpong-sandbox on a free loopback port. */
export function startSandbox({ args = [] } = {}) {
  return startServer(binary("pingpong-sandbox"), ["--listen", "127.0.0.1:0", ...args], { banner: "pingpong-sandbox" });
}

/** Chromium flags for this machine (root, no GPU, closed network). */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Launches Debian's Chromium, headless. */
export function launchBrowser() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: chromiumArgs });
}

/**
 * Records console errors and uncaught page errors of `page`; `check()` throws if any
 * occurred (pass `allow` regexes for expected messages).
 */
export function watchErrors(page, { allow = [] } = {}) {
  const errors = [];
  const allowed = (text) => allow.some((re) => re.test(text));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !allowed(msg.text())) errors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => {
    if (!allowed(String(err))) errors.push(`pageerror: ${err}`);
  });
  return {
    errors,
    check() {
      if (errors.length) throw new Error(`errors on ${page.url()}:\n${errors.join("\n")}`);
    },
  };
}

/** Polls `fn` until it returns a truthy value, or throws after `timeoutMs`. */
export async function waitFor(fn, { timeoutMs = 10_000, intervalMs = 50, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** JSON request helper for the proxy and sandbox routes. */
export async function json(url, { method = "GET", body, token, headers = {} } = {}) {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: res.status, data, headers: res.headers };
}
