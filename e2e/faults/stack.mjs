// The real stack of one fault scenario: a proxy (demo mode with its embedded sandbox, or
// credentials mode against a standalone pingpong-sandbox process), its SQLite journal read
// through Debian's `sqlite3` CLI in read-only mode, the sandbox's control routes, and the
// fault page in headless Chromium. Each scenario gets its own stack (fresh journal, fresh
// sandbox), so "exactly once" can be checked against whole tables and the sandbox's totals.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { json, startProxy, startSandbox, tempDir, waitFor, watchErrors } from "../lib/harness.mjs";
import { startRelay } from "./relay.mjs";

/** The public sandbox account A (docs/architecture.md, "Defaults"): the standalone sandbox's default account. */
export const ACCOUNT_A = {
  accId: "2018092714313010016291",
  clientId: "2018092714313010016",
  salt: "F78BC96A55548B2319EE68E0",
};
/** Sandbox account B's salt (configured in every sandbox, used by nobody here). */
export const SALT_B = "BCE27A281029F5EAF3CC0E82";

/** The register of credentials mode (standalone sandbox). */
const REGISTER = { token: "faults-register-7f3a9c1e5b2d4f60", device: "FAULTS-POS-1", store: "FAULTS-STORE" };

/**
 * Starts a proxy and its sandbox.
 * - `standalone: true`: a pingpong-sandbox process and the proxy in credentials mode, so the
 *   proxy can be killed and restarted without losing the sandbox's state; otherwise demo mode.
 * - `refundDelayMs`: how long a sandbox refund stays PROCESSING (default 300).
 * - `proxyArgs`: extra proxy flags (e.g. `--timeout-ms`).
 * - `relay: true`: the browser reaches the proxy through a TCP relay (relay.mjs) that records
 *   every byte and can cut the network; `browserUrl` is then the relay's.
 * - `env`: extra environment of the proxy (e.g. `RUST_LOG`).
 * - `www`: the page the proxy serves at `/` (default the fault page; `"www"` is the demo).
 */
export async function startStack({ standalone = false, refundDelayMs = 300, proxyArgs = [], relay = false, env = {}, www = "e2e/faults/www" } = {}) {
  const tmp = tempDir("pingpong-qr-faults-");
  const database = join(tmp.dir, "journal.sqlite");
  // scripts/test-faults.sh serves a snapshot of pkg/, so that a rebuild of pkg/ elsewhere
  // in the shared tree cannot change the bundle under a running suite.
  const common = ["--www", www, "--pkg", process.env.FAULTS_PKG_DIR || "pkg", ...proxyArgs];
  let sandbox = null;
  let launch;
  let token;
  if (standalone) {
    sandbox = await startSandbox({ args: ["--time-scale", "0.001", "--refund-delay-ms", String(refundDelayMs)] });
    const tokensFile = join(tmp.dir, "tokens.txt");
    writeFileSync(tokensFile, `${REGISTER.token} ${REGISTER.device} ${REGISTER.store}\n`);
    const credentials = {
      ...env,
      PINGPONG_BASE_URL: sandbox.url,
      PINGPONG_ACC_ID: ACCOUNT_A.accId,
      PINGPONG_CLIENT_ID: ACCOUNT_A.clientId,
      PINGPONG_SALT: ACCOUNT_A.salt,
    };
    launch = (listen) => startProxy({ database, listen, env: credentials, args: ["--tokens-file", tokensFile, ...common] });
    token = REGISTER.token;
  } else {
    const clocks = ["--sandbox-time-scale", "0.001", "--sandbox-refund-delay-ms", String(refundDelayMs)];
    launch = (listen) => startProxy({ database, listen, env, args: [...clocks, ...common] });
    token = "demo-token";
  }
  let proxy = await launch(undefined);
  const proxyUrl = proxy.url;
  const sandboxUrl = sandbox ? sandbox.url : `${proxyUrl}/sandbox`;
  const relayed = relay ? await startRelay(proxyUrl) : null;
  const pastLogs = [];

  const control = async (path, options) => {
    const res = await json(`${sandboxUrl}/control${path}`, options);
    assert.ok(res.status < 300, `sandbox control ${path}: ${res.status} ${JSON.stringify(res.data)}`);
    return res.data;
  };

  const stack = {
    proxyUrl,
    /** Where the browser reaches the proxy (the page's origin and the Register's proxyUrl). */
    browserUrl: relayed ? relayed.url : proxyUrl,
    relay: relayed,
    sandboxUrl,
    database,
    token,
    standalone,

    /** Kills the proxy with SIGKILL (no graceful shutdown: open streams just break). */
    async killProxy() {
      pastLogs.push(proxy.output());
      await proxy.stop("SIGKILL");
    },
    /** Starts a proxy again on the same address and journal. */
    async restartProxy() {
      proxy = await launch(new URL(proxyUrl).host);
      assert.equal(proxy.url, proxyUrl);
    },
    /** What the running proxy process (this incarnation only) has printed. */
    proxyLog() {
      return proxy.output();
    },
    /** Everything the proxy processes (all incarnations) and the sandbox process printed. */
    logs() {
      return [...pastLogs, proxy.output(), sandbox ? sandbox.output() : ""].join("\n");
    },

    /** Replaces the sandbox's fault knobs (docs/sandbox.md). */
    faults(knobs) {
      return control("/faults", { method: "PUT", body: knobs });
    },
    /** The sandbox's fault knobs now (the counters count down as they fire). */
    getFaults() {
      return control("/faults");
    },
    /** The sandbox's record of an order (attempts, refunds, notifications). */
    order(mtid) {
      return control(`/orders/${mtid}`);
    },
    stats() {
      return control("/stats");
    },
    expire(mtid) {
      return control(`/orders/${mtid}/expire`, { method: "POST" });
    },
    /** The consumer pays the order in the sandbox's wallet. */
    async pay(mtid) {
      const order = await this.order(mtid);
      const res = await json(`${sandboxUrl}/wallet/${order.transactionId}/pay`, { method: "POST" });
      assert.equal(res.status, 200, `wallet pay: ${JSON.stringify(res.data)}`);
      assert.equal(res.data.status, "SUCCESS");
      return res.data;
    },

    /** Rows of a read-only query of the proxy's journal (sqlite3 -readonly -json). */
    journal(sql) {
      const out = execFileSync("sqlite3", ["-readonly", "-json", database, sql], { encoding: "utf8" });
      return out.trim() ? JSON.parse(out) : [];
    },

    async stop() {
      await relayed?.close();
      await proxy.stop("SIGKILL");
      if (sandbox) await sandbox.stop("SIGKILL");
      tmp.remove();
    },
  };
  return stack;
}

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

/**
 * Asserts that the journal and the sandbox hold exactly the expected payments and refunds,
 * once each, in the expected states:
 * `payments`: { mtid: { status, lateSuccess?, attempts? (default 1) } },
 * `refunds`: { merchantRefundId: { mtid, status, amount } }.
 * Also: each status of an order or refund is an event at most once, its final status exactly
 * once; the journal's requestIds are the sandbox's attempts; the sandbox's totals match.
 */
export async function assertExactlyOnce(stack, { payments, refunds = {} }) {
  const ids = Object.keys(payments).sort();
  const rids = Object.keys(refunds).sort();

  // The proxy's journal.
  const orders = stack.journal("SELECT merchant_transaction_id AS id, status, late_success FROM orders ORDER BY id");
  assert.deepEqual(orders.map((o) => o.id), ids, "journal: the orders, each once");
  const journalRefunds = stack.journal(
    "SELECT merchant_refund_id AS id, merchant_transaction_id AS mtid, status, amount_minor FROM refunds ORDER BY id",
  );
  assert.deepEqual(journalRefunds.map((r) => r.id), rids, "journal: the refunds, each once");
  for (const o of orders) {
    const want = payments[o.id];
    assert.equal(o.status, want.status, `journal: status of ${o.id}`);
    assert.equal(o.late_success, want.lateSuccess ? 1 : 0, `journal: late_success of ${o.id}`);
  }
  for (const r of journalRefunds) {
    assert.equal(r.mtid, refunds[r.id].mtid, `journal: order of refund ${r.id}`);
    assert.equal(r.status, refunds[r.id].status, `journal: status of refund ${r.id}`);
  }
  const events = stack.journal(
    "SELECT kind, merchant_transaction_id AS mtid, merchant_refund_id AS rid, json_extract(data, '$.status') AS status, " +
      "count(*) AS n FROM events GROUP BY kind, mtid, rid, status",
  );
  for (const e of events) assert.equal(e.n, 1, `journal: event ${JSON.stringify(e)} once`);
  for (const id of ids) {
    assert.ok(
      events.some((e) => e.kind === "payment" && e.mtid === id && e.status === payments[id].status),
      `journal: a ${payments[id].status} event of ${id}`,
    );
  }
  for (const rid of rids) {
    assert.ok(
      events.some((e) => e.kind === "refund" && e.rid === rid && e.status === refunds[rid].status),
      `journal: a ${refunds[rid].status} event of refund ${rid}`,
    );
  }

  // The sandbox.
  const stats = await stack.stats();
  assert.equal(stats.orders, ids.length, "sandbox: orders in all");
  assert.equal(stats.refunds, rids.length, "sandbox: refunds in all");
  for (const id of ids) {
    const want = payments[id];
    const order = await stack.order(id);
    assert.equal(order.status, want.status, `sandbox: status of ${id}`);
    assert.equal(order.lateSuccess, Boolean(want.lateSuccess), `sandbox: lateSuccess of ${id}`);
    const attempts = stack.journal(`SELECT request_id FROM attempts WHERE merchant_transaction_id = ${q(id)} ORDER BY created_at`);
    assert.equal(order.attempts.length, want.attempts ?? 1, `sandbox: attempts of ${id}`);
    assert.deepEqual(
      attempts.map((a) => a.request_id),
      order.attempts.map((a) => a.requestId),
      `journal and sandbox: the requestIds of ${id}`,
    );
    const theirs = order.refunds.map((r) => r.merchantRefundId).sort();
    const ours = rids.filter((rid) => refunds[rid].mtid === id);
    assert.deepEqual(theirs, ours, `sandbox: the refunds of ${id}, each once`);
    for (const r of order.refunds) assert.equal(r.status, refunds[r.merchantRefundId].status, `sandbox: refund ${r.merchantRefundId}`);
  }
}

/** Journaled statuses an order went through, from the proxy's events (oldest first). */
export function eventStatuses(stack, mtid) {
  return stack
    .journal(`SELECT json_extract(data, '$.status') AS status FROM events WHERE kind = 'payment' AND merchant_transaction_id = ${q(mtid)} ORDER BY seq`)
    .map((e) => e.status);
}

/**
 * Opens the fault page of `stack` in `context` (in `page` if given) and creates its Register
 * (`registerOptions` are added to { proxyUrl, token }). `allow`: console errors to expect.
 */
export async function openRegister(context, stack, { registerOptions = {}, allow = [], page: given } = {}) {
  const page = given ?? (await context.newPage());
  const watch = watchErrors(page, { allow });
  await page.goto(`${stack.browserUrl}/`);
  await ready(page, watch);
  await page.evaluate((o) => window.faults.open(o), { proxyUrl: stack.browserUrl, token: stack.token, ...registerOptions });
  return { page, watch };
}

/** Waits for the fault page's module to load; names the page's errors if it does not. */
async function ready(page, watch) {
  try {
    await page.waitForFunction(() => window.faultsReady === true, null, { timeout: 15_000 });
  } catch (e) {
    e.message += `\npage errors: ${watch ? watch.errors.join("\n") : "(not watched)"}`;
    throw e;
  }
}

/** Reloads the page and creates its Register again (same storage). */
export async function reloadRegister(page, stack, registerOptions = {}) {
  await page.reload();
  await ready(page);
  await page.evaluate((o) => window.faults.open(o), { proxyUrl: stack.browserUrl, token: stack.token, ...registerOptions });
}

// Library calls started in the page and tracked by number (not awaited: see `settled`).

/** `register.startPayment(options)`. */
export function startPayment(page, options) {
  return page.evaluate((o) => window.faults.track(window.faults.register.startPayment(o)), options);
}

/** `register.waitForPayment(id)`, recording its updates. */
export function waitForPayment(page, id) {
  return page.evaluate(
    (id) => window.faults.track(window.faults.register.waitForPayment(id, { onUpdate: window.faults.onUpdate })),
    id,
  );
}

/** `register.refund(id, options)`. */
export function refund(page, id, options) {
  return page.evaluate(([id, o]) => window.faults.track(window.faults.register.refund(id, o)), [id, options]);
}

/** `register.waitForRefund(id, refundId)`, recording its updates. */
export function waitForRefund(page, id, refundId) {
  return page.evaluate(
    ([id, rid]) => window.faults.track(window.faults.register.waitForRefund(id, rid, { onUpdate: window.faults.onUpdate })),
    [id, refundId],
  );
}

/** `register.resume()`, recording its updates. */
export function resume(page) {
  return page.evaluate(() => window.faults.track(window.faults.register.resume({ onUpdate: window.faults.onUpdate })));
}

/** `register.pendingPayments()`. */
export function pendingPayments(page) {
  return page.evaluate(() => window.faults.register.pendingPayments());
}

/** Waits until tracked call `n` settles; returns { value, error }. */
export async function settled(page, n, { timeoutMs = 30_000, what = `call ${n}` } = {}) {
  return waitFor(
    async () => {
      const r = await page.evaluate((n) => window.faults.result(n), n);
      return r?.settled ? r : null;
    },
    { timeoutMs, intervalMs: 100, what },
  );
}

/** `settled` that requires a value (throws with the error otherwise). */
export async function resolved(page, n, options) {
  const r = await settled(page, n, options);
  assert.equal(r.error, null, `${options?.what ?? `call ${n}`} rejected: ${JSON.stringify(r.error)}`);
  return r.value;
}

/** Whether tracked call `n` is still running. */
export async function pending(page, n) {
  const r = await page.evaluate((n) => window.faults.result(n), n);
  return !r.settled;
}

/** The page's hook calls and wait updates. */
export function hookLog(page) {
  return page.evaluate(() => window.faults.log);
}
