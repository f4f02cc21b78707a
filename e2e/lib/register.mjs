// Helpers of the demo register's end-to-end tests: the proxy under test, a register page in
// its own browser context (fresh storage), reading the QR back from the canvas pixels, the
// consumer's wallet page, the sandbox's control routes, and screenshots.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import jsQR from "jsqr";
import { json, launchBrowser, root, startProxy, tempDir, waitFor, watchErrors } from "./harness.mjs";

export { waitFor };

/** Desktop and phone viewports the register is checked at. */
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const screenshots = join(root, "artifacts", "screenshots");

/**
 * The proxy under test: the one scripts/test-e2e.sh started (PINGPONG_QR_E2E_PROXY), or a
 * demo-mode proxy started here (temporary database, fast sandbox) when the file runs alone
 * or asks for its own (`own: true`: a test that runs beside the others and must not share
 * the sandbox's fault knobs with them). Returns { url, stop() }.
 *
 * Files on the shared proxy take turns: the script runs files concurrently, and each one
 * holds the lock PINGPONG_QR_E2E_LOCK (a directory) from here until stop().
 */
export async function proxyUnderTest({ own = false } = {}) {
  const given = process.env.PINGPONG_QR_E2E_PROXY;
  if (given && !own) {
    const unlock = await sharedProxyLock(process.env.PINGPONG_QR_E2E_LOCK);
    return { url: given.replace(/\/$/, ""), stop: async () => unlock() };
  }
  const tmp = tempDir();
  const proxy = await startProxy({ database: join(tmp.dir, "proxy.sqlite") });
  return {
    url: proxy.url,
    stop: async () => {
      await proxy.stop();
      tmp.remove();
    },
  };
}

/**
 * Takes the lock directory `dir` (none: no lock), waiting while another live process holds
 * it; a holder that died without releasing it is seen by its pid and replaced. Returns the
 * release function (also run when this process exits).
 */
async function sharedProxyLock(dir) {
  if (!dir) return () => {};
  const owner = join(dir, "pid");
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
    }
    let pid = 0;
    try {
      pid = Number(readFileSync(owner, "utf8"));
    } catch {
      // Just created, pid not written yet: the holder is alive.
    }
    if (pid && !alive(pid)) rmSync(dir, { recursive: true, force: true });
    else await new Promise((r) => setTimeout(r, 100));
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off("exit", release);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", release);
  return release;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

/** One browser for a test file; `close()` it in `after`. */
export function browser() {
  return launchBrowser();
}

/**
 * Opens the register in a fresh browser context (its own localStorage) and waits until the
 * library is loaded. Returns { context, page, errors, close() }; `errors.check()` throws on
 * any console error or page error seen so far (but those matching an `allow` regex) on the
 * register page and on every page it opened (the consumer wallet's window).
 * `deviceScaleFactor` is the page's devicePixelRatio (default 1).
 */
export async function openRegister(b, url, { viewport = DESKTOP, allow = [], deviceScaleFactor = 1 } = {}) {
  const context = await b.newContext({ viewport, deviceScaleFactor });
  const watched = [];
  // Every page of the context from its first moment: the register and its popups.
  context.on("page", (p) => watched.push(watchErrors(p, { allow })));
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await ready(page);
  const errors = {
    get errors() {
      return watched.flatMap((w) => w.errors);
    },
    pages: () => watched.length,
    check: () => watched.forEach((w) => w.check()),
  };
  return { context, page, errors, close: () => context.close() };
}

/** Waits until the register page says it is ready (library loaded, journal read). */
export async function ready(page) {
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
}

/** Types `amount` with the on-screen keypad (digits and "."). */
export async function keypad(page, amount) {
  for (const key of amount) await page.click(`#keypad [data-key="${key}"]`);
}

/** The amount display's text, e.g. "USD12.50". */
export async function display(page) {
  return (await page.textContent("#amount")).replace(/\s+/g, "");
}

/** Waits for the QR screen with a drawn QR; returns the payment's merchantTransactionId. */
export async function qrShown(page) {
  await page.waitForSelector("#screen-qr:not([hidden]) #qr:not([hidden])", { timeout: 15_000 });
  const id = await page.getAttribute("#till", "data-merchant-transaction-id");
  assert.ok(id, "the QR screen names its payment");
  return id;
}

/** Reads the QR back from the canvas pixels and decodes it with jsQR. */
export async function readQr(page) {
  const image = await page.evaluate(() => {
    const canvas = document.getElementById("qr");
    const ctx = canvas.getContext("2d");
    const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    // The RGBA bytes as base64: a fraction of the cost of a JSON array at pixel ratio 2.
    let binary = "";
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { base64: btoa(binary), width, height };
  });
  const data = new Uint8ClampedArray(Buffer.from(image.base64, "base64"));
  assert.equal(data.length, image.width * image.height * 4);
  const code = jsQR(data, image.width, image.height);
  assert.ok(code, `a QR code is readable from the ${image.width}×${image.height} canvas`);
  return code.data;
}

/** Waits for the result screen of `kind` (SUCCESS, FAILED, CLOSED, STOPPED, UNKNOWN…). */
export async function result(page, kind, timeout = 15_000) {
  await page.waitForSelector(`#screen-result:not([hidden])[data-kind="${kind}"]`, { timeout });
}

/**
 * The consumer: opens `walletUrl` (the decoded QR) in its own context, presses Pay or Decline
 * and waits until the wallet shows the outcome. Returns { page, errors, close() }.
 */
export async function consumer(b, walletUrl, action = "pay") {
  const context = await b.newContext({ viewport: { width: 420, height: 760 } });
  // The sandbox's wallet page declares no icon, so Chromium asks for /favicon.ico, which the
  // proxy answers 404 (a console error that is not the register's): answer it here.
  await context.route("**/favicon.ico", (route) => route.fulfill({ status: 204, body: "" }));
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(walletUrl);
  await page.waitForSelector(`#${action}:not([disabled])`);
  await page.click(`#${action}`);
  await page.waitForSelector(action === "pay" ? "#state.ok" : "#state.bad");
  return { page, errors, close: () => context.close() };
}

/** The sandbox's record of an order (control route). */
export async function sandboxOrder(url, merchantTransactionId) {
  const r = await json(`${url}/sandbox/control/orders/${encodeURIComponent(merchantTransactionId)}`);
  assert.equal(r.status, 200, `the sandbox knows ${merchantTransactionId}`);
  return r.data;
}

/** Expires the order now (sandbox control route), as if its QR had timed out. */
export async function expireNow(url, merchantTransactionId) {
  const r = await json(`${url}/sandbox/control/orders/${encodeURIComponent(merchantTransactionId)}/expire`, { method: "POST" });
  assert.equal(r.status, 200, `expired ${merchantTransactionId}: ${JSON.stringify(r.data)}`);
}

/** Sets the sandbox's fault knobs (absent = off). */
export async function faults(url, knobs) {
  const r = await json(`${url}/sandbox/control/faults`, { method: "PUT", body: knobs });
  assert.equal(r.status, 200);
}

/** The consumer pays through the wallet's JSON route (no page). */
export async function walletAction(walletUrl, action) {
  const r = await json(`${walletUrl}/${action}`, { method: "POST" });
  assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.data)}`);
  return r.data;
}

/** Saves a full-page screenshot as artifacts/screenshots/NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/** Records every value the till's `data-screen` / result `data-kind` take, from now on. */
export async function recordScreens(page) {
  await page.evaluate(() => {
    window.__screens = [];
    const note = () => {
      const screen = document.getElementById("till").dataset.screen;
      const kind = document.getElementById("screen-result").dataset.kind;
      const v = screen === "result" ? `result:${kind}` : screen;
      if (window.__screens.at(-1) !== v) window.__screens.push(v);
    };
    const o = new MutationObserver(note);
    o.observe(document.getElementById("till"), { attributes: true, subtree: true, attributeFilter: ["data-screen", "data-kind"] });
  });
  return () => page.evaluate(() => window.__screens);
}

/** Counts the page's requests to the payment API (`/v1/payments`). */
export function countPaymentCalls(page) {
  const calls = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/v1/payments")) calls.push(`${r.method()} ${r.url()}`);
  });
  return calls;
}

/** The history row of a payment. */
export function row(page, merchantTransactionId) {
  return page.locator(`#history-list li.tx[data-id="${merchantTransactionId}"]`);
}
