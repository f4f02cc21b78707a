// Secrets: a payment and a refund through the demo-mode proxy in headless
// Chromium — once with the library driven directly, once through the demo register (www/)
// as a cashier would — then every byte the browser received — the page, the library bundle (JS glue and
// wasm), every API answer, the event stream — and every log line (the proxy's stdout and
// stderr at TRACE, the page's console) is searched for the salts, the other registers'
// tokens and every signature exchanged with the sandbox. Zero hits. The capture proves it is
// real: the same search finds the register's own token in what the browser sent, and a
// marker of this payment in the answers, the event stream and the logs.
//
// Two captures, so that neither can hide a leak: a TCP relay between browser and proxy (every
// raw byte, headers and chunk framing included) and Chromium's DevTools protocol (decoded
// bodies of every response, the event stream's messages, the requests sent).
// scripts/test-faults.sh builds pkg/ just before (FAULTS_PKG_DIR: the snapshot served here).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { launchBrowser, root, tempDir, watchErrors } from "../lib/harness.mjs";
import { keypad, qrShown, readQr, ready, result, row, waitFor } from "../lib/register.mjs";
import {
  ACCOUNT_A,
  SALT_B,
  assertExactlyOnce,
  openRegister,
  resolved,
  refund,
  startPayment,
  startStack,
  waitForPayment,
  waitForRefund,
} from "./stack.mjs";

/** Other registers: one in the demo store (it hears the same events), one in another store. */
const SAME_STORE = { token: "secret-same-store-register-3b8e61f0c2a94d57", device: "DEMO-POS-2", store: "DEMO-STORE" };
const OTHER_STORE = { token: "secret-other-store-register-9d04c7a1e6f35b28", device: "PARIS-POS-1", store: "PARIS" };

/** v4 signature (reference §3.3): upper-case hex of hash(salt + sorted `k=v` pairs, blanks skipped). */
function sign(fields, salt, signType) {
  const content = Object.keys(fields)
    .filter((k) => k !== "sign" && fields[k] != null && String(fields[k]).trim() !== "")
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("&");
  return createHash(signType === "MD5" ? "md5" : "sha256").update(salt + content, "utf8").digest("hex").toUpperCase();
}

/** Where `needle` occurs in `haystack` (a Buffer), ignoring ASCII case. */
function occurrences(haystack, needle) {
  const text = haystack.toString("latin1").toLowerCase();
  const n = needle.toLowerCase();
  const at = [];
  for (let i = text.indexOf(n); i !== -1; i = text.indexOf(n, i + 1)) at.push(i);
  return at;
}

let browser;
let stack;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

test("reference vector 1: the signer used to find signatures computes PingPong's", () => {
  const fields = {
    accId: "2018092714313010016289",
    clientId: "2018092714313010016",
    signType: "MD5",
    version: "1.0",
    bizContent:
      '{"merchantTransactionId":"10019","trackingNumber":"423431241","logisticsCompany":"sf","logisticsCompanyUrl":"https://www.baidu.com"}',
  };
  assert.equal(sign(fields, SALT_B, "MD5"), "055AD0B08E3A92A91475E24E1F0C005F");
  assert.equal(
    sign({ ...fields, signType: "SHA256" }, SALT_B, "SHA256"),
    "CF54E3E89BE3255D8B05E3E5671CF0378011BD55ED8E020426BFB6A02947DD6A",
  );
});

/**
 * Attaches the DevTools capture to `page` before it loads: every response (meta and, once
 * finished, its body), every event-stream message, every request sent, every console line.
 */
async function captureDevTools(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable", { maxTotalBufferSize: 64 << 20, maxResourceBufferSize: 16 << 20 });
  // The proxy compresses its files for a browser that accepts it; this one accepts none, so
  // the relay's raw bytes are the files as built (the decoded bodies would be the same).
  await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": "identity" } });
  const responses = new Map();
  const finished = [];
  const capture = { sseMessages: [], requests: [], consoleLines: [] };
  cdp.on("Network.requestWillBeSent", (e) => capture.requests.push(JSON.stringify(e.request)));
  cdp.on("Network.responseReceived", (e) => responses.set(e.requestId, { url: e.response.url, headers: JSON.stringify(e.response.headers), type: e.type }));
  cdp.on("Network.loadingFinished", (e) => finished.push(e.requestId));
  cdp.on("Network.eventSourceMessageReceived", (e) => capture.sseMessages.push(JSON.stringify(e)));
  page.on("console", (m) => capture.consoleLines.push(m.text()));
  /** The decoded bodies of every finished response (call before the context closes). */
  capture.bodies = async () => {
    const bodies = [];
    for (const requestId of finished) {
      const meta = responses.get(requestId);
      if (!meta) continue;
      const { body, base64Encoded } = await cdp.send("Network.getResponseBody", { requestId });
      bodies.push({ ...meta, body: Buffer.from(body, base64Encoded ? "base64" : "utf8") });
    }
    return bodies;
  };
  return capture;
}

/**
 * Proves the capture is real, then searches all of it for the secrets. `remark`: a marker of
 * the run's payment that must be found in the answers and the event stream; `id`: the
 * payment, which the logs must name; `served`: files (beyond pkg/) the browser must have
 * received byte for byte.
 */
function searchForSecrets(t, stack, { raw, sent, bodies, sseMessages, requests, consoleLines }, { remark, id, served = [] }) {
  assert.equal(occurrences(raw, "content-encoding:").length, 0, "answers are not compressed, so the raw search reads them");

  // The capture is real: the library bundle as built, the page, the answers, the stream, the logs.
  const pkgDir = process.env.FAULTS_PKG_DIR || join(root, "pkg");
  const snippets = listFiles(join(pkgDir, "snippets")).filter((f) => f.endsWith(".js"));
  assert.ok(snippets.length > 0);
  const files = [...["pingpong_qr_bg.wasm", "pingpong_qr.js", "index.js"].map((f) => join(pkgDir, f)), ...snippets, ...served];
  for (const file of files) {
    assert.ok(raw.includes(readFileSync(file)), `the browser received ${relative(root, file)} exactly as built`);
  }
  // At least the create's answer and one stream event (a poll answer too only when the stream
  // opened after the create was answered: a race, so not counted on).
  assert.ok(occurrences(raw, remark).length >= 2, "the payment's remark is in the create's answer and the event stream");
  assert.ok(sseMessages.some((m) => m.includes(remark)), "DevTools saw the event stream");
  assert.ok(occurrences(raw, "event: refund").length >= 1, "the raw capture holds the event stream");
  assert.ok(bodies.some((b) => b.url.endsWith(".wasm")), "DevTools read the wasm body");
  assert.ok(occurrences(sent, `Bearer ${stack.token}`).length >= 2, "the same search finds the register's own token in what it sent");
  assert.ok(requests.some((q) => q.includes(stack.token)), "DevTools saw the requests sent");
  const logs = Buffer.from([stack.logs(), ...consoleLines].join("\n"));
  assert.ok(occurrences(logs, id).length >= 1, "the logs name the payment");
  assert.ok(occurrences(logs, "TRACE").length >= 1, "the logs are at TRACE");

  // --- The secrets -------------------------------------------------------------------------
  const secrets = new Map([
    ["the salt of account A (the proxy's)", ACCOUNT_A.salt],
    ["the salt of account B", SALT_B],
    ["the token of another register of this store", SAME_STORE.token],
    ["the token of a register of another store", OTHER_STORE.token],
  ]);
  // Every signature of the run: each request the proxy sent, each answer and notification
  // the sandbox sent (the journal keeps them without their `sign`; recompute it).
  const envelopes = [
    ...stack.journal("SELECT request AS e FROM exchanges"),
    ...stack.journal("SELECT response AS e FROM exchanges WHERE response LIKE '{%'"),
    ...stack.journal("SELECT envelope AS e FROM notifications"),
  ].map((row) => JSON.parse(row.e));
  assert.ok(envelopes.length >= 6, `signed envelopes found: ${envelopes.length}`);
  for (const [i, envelope] of envelopes.entries()) {
    secrets.set(`signature ${i} (${envelope.code ?? "request"})`, sign(envelope, ACCOUNT_A.salt, envelope.signType));
  }
  const places = [
    ["raw bytes received (relay)", raw],
    ["raw bytes sent (relay)", sent],
    ...bodies.map((b) => [`body of ${b.url}`, b.body]),
    ...bodies.map((b) => [`headers of ${b.url}`, Buffer.from(b.headers)]),
    ["event-stream messages (DevTools)", Buffer.from(sseMessages.join("\n"))],
    ["requests sent (DevTools)", Buffer.from(requests.join("\n"))],
    ["proxy stdout/stderr and page console", logs],
  ];
  const hits = [];
  for (const [what, secret] of secrets) {
    for (const [where, bytes] of places) {
      const at = occurrences(bytes, secret);
      if (at.length) hits.push(`${what} in ${where} at ${at.slice(0, 3).join(", ")}`);
    }
  }
  t.diagnostic(
    `searched ${raw.length} bytes received and ${sent.length} sent (relay), ${bodies.length} response bodies, ` +
      `${sseMessages.length} stream messages, ${logs.length} bytes of logs, for ${secrets.size} secrets ` +
      `(${envelopes.length} signatures)`,
  );
  assert.deepEqual(hits, [], "no secret anywhere the browser or a log can see");
  assert.ok(raw.length > 100_000, `searched ${raw.length} bytes received`);
}

/**
 * A demo-mode proxy at TRACE with two more registers (same store; another store), behind a
 * relay. With registers configured, `demo-token` is a register only when listed too.
 */
async function secretsStack(www) {
  const tmp = tempDir("pingpong-qr-secrets-");
  const tokensFile = join(tmp.dir, "tokens.txt");
  writeFileSync(tokensFile, `demo-token DEMO-POS-1 DEMO-STORE\n${OTHER_STORE.token} ${OTHER_STORE.device} ${OTHER_STORE.store}\n`);
  const stack = await startStack({
    relay: true,
    www,
    env: { RUST_LOG: "trace" },
    proxyArgs: ["--tokens-file", tokensFile, "--token", `${SAME_STORE.token}:${SAME_STORE.device}:${SAME_STORE.store}`],
  });
  const stop = stack.stop;
  stack.stop = async () => {
    await stop();
    tmp.remove();
  };
  return stack;
}

test("a payment and a refund in the browser: no salt, other register's token or signature in any byte it received or any log", async (t) => {
  stack = await secretsStack(undefined);
  const context = await browser.newContext();
  const page = await context.newPage();
  const capture = await captureDevTools(context, page);

  // (404: the deliberate error answer below.)
  const { watch } = await openRegister(context, stack, { page, allow: [/status of 404/] });
  const remark = "secrets-marker-5f1e";
  const payment = await resolved(page, await startPayment(page, { amount: "9.99", currency: "USD", method: "WECHAT", remark }), {
    what: "startPayment",
  });
  const id = payment.merchantTransactionId;
  const wait = await waitForPayment(page, id);
  await stack.pay(id);
  assert.equal((await resolved(page, wait, { what: "waitForPayment" })).status, "SUCCESS");
  const r = await resolved(page, await refund(page, id, { amount: "4.99" }), { what: "refund" });
  assert.equal((await resolved(page, await waitForRefund(page, id, r.merchantRefundId), { what: "waitForRefund" })).status, "SUCCESS");
  // An error answer too: a payment this proxy does not know.
  const missing = await page.evaluate(() => window.faults.register.getPayment("PQ-not-known").catch((e) => e.code));
  assert.equal(missing, "NOT_FOUND");
  await assertExactlyOnce(stack, {
    payments: { [id]: { status: "SUCCESS" } },
    refunds: { [r.merchantRefundId]: { mtid: id, status: "SUCCESS" } },
  });
  watch.check();
  // Close the event stream, so that everything the browser will receive has arrived.
  await page.evaluate(() => window.faults.register.close());

  const bodies = await capture.bodies();
  await context.close();
  searchForSecrets(t, stack, { ...capture, bodies, raw: stack.relay.received(), sent: stack.relay.sent() }, { remark, id });
  await stack.stop();
  stack = null;
});

test("the demo register (www/): a payment and a partial refund through its screens, and no secret in any byte it received or any log", async (t) => {
  stack = await secretsStack("www");
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const capture = await captureDevTools(context, page);
  const watch = watchErrors(page);
  // The demo's default settings: this origin (the relay) as the proxy, the demo token.
  await page.goto(`${stack.browserUrl}/`);
  await ready(page);

  await keypad(page, "9.99");
  await page.click("#charge");
  const id = await qrShown(page);
  const walletUrl = await readQr(page);
  assert.ok(walletUrl.includes("/sandbox/wallet/"), walletUrl);
  await stack.pay(id);
  await result(page, "SUCCESS");
  const tx = row(page, id);
  await waitFor(async () => (await tx.locator(".badge").first().textContent()) === "Paid", { what: "history says Paid" });
  await tx.locator("input[name=amount]").fill("4.99");
  await tx.locator("button[type=submit]").click();
  await waitFor(async () => (await tx.locator(".refunds li").getAttribute("data-state")) === "SUCCESS", {
    what: "the refund's SUCCESS",
  });
  assert.equal(await tx.locator(".remaining").getAttribute("data-amount"), "5.00");
  const [refunded] = stack.journal(`SELECT merchant_refund_id AS r FROM refunds WHERE merchant_transaction_id = '${id}'`);
  assert.ok(refunded, "the journal holds the refund");
  await assertExactlyOnce(stack, {
    payments: { [id]: { status: "SUCCESS" } },
    refunds: { [refunded.r]: { mtid: id, status: "SUCCESS" } },
  });
  watch.check();
  // The demo's payment carries no remark: its id marks the answers and the stream instead.
  // Read the bodies, then leave the page, so that its event stream closes and everything
  // received has arrived.
  const bodies = await capture.bodies();
  await page.goto("about:blank");
  await context.close();
  const served = ["index.html", "register.js", "strings.js", "register.css"].map((f) => join(root, "www", f));
  searchForSecrets(t, stack, { ...capture, bodies, raw: stack.relay.received(), sent: stack.relay.sent() }, { remark: id, id, served });
  await stack.stop();
  stack = null;
});

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
