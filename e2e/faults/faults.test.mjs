// Fault scenarios through the real stack: the browser library in headless
// Chromium, the proxy as a process with its SQLite journal, the sandbox (embedded, or a
// process of its own where the proxy must die). Each scenario breaks something on purpose,
// then asserts the final state the register sees, and that every order and refund exists
// exactly once in the proxy's journal and in the sandbox (stack.mjs, assertExactlyOnce).
// Run by scripts/test-faults.sh (node --test).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, waitFor } from "../lib/harness.mjs";
import {
  assertExactlyOnce,
  eventStatuses,
  hookLog,
  openRegister,
  pending,
  pendingPayments,
  refund,
  reloadRegister,
  resolved,
  resume,
  settled,
  startPayment,
  startStack,
  waitForPayment,
  waitForRefund,
} from "./stack.mjs";

/** Console errors the browser prints for the faults we cause (each scenario names its own). */
const REFUSED = /net::ERR_CONNECTION_REFUSED/;
const STREAM_BROKEN = /net::ERR_(INCOMPLETE_CHUNKED_ENCODING|EMPTY_RESPONSE|CONNECTION_RESET|CONNECTION_CLOSED)/;
const OFFLINE = /net::ERR_INTERNET_DISCONNECTED/;
const status = (code) => new RegExp(`status of ${code}`);

// CNY: ALIPAY goes to PingPong as AlipayCN-Offline, which takes CNY alone; the standalone sandbox
// holds it to that (the embedded one of demo mode takes any currency: docs/sandbox.md).
const ORDER = { amount: "12.50", currency: "CNY", method: "ALIPAY", expiresInSeconds: 300 };

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A fresh stack and browser context for one scenario, both closed when it ends. */
async function setup(t, stackOptions = {}) {
  const stack = await startStack(stackOptions);
  t.after(() => stack.stop());
  const context = await browser.newContext();
  t.after(() => context.close());
  return { stack, context };
}

/** Starts a payment in the page and returns it (PROCESSING). */
async function open(page, options = {}) {
  const p = await resolved(page, await startPayment(page, { ...ORDER, ...options }), { what: "startPayment" });
  assert.equal(p.status, "PROCESSING");
  return p;
}

const pushLive = (page) =>
  waitFor(() => page.evaluate(() => window.faults.register.pushConnected), { what: "the event stream to open" });

/** Whether the proxy learned `id`'s SUCCESS from an answered query (journal exchanges). */
function queriedSuccess(stack, id) {
  const rows = stack.journal(
    "SELECT json_extract(json_extract(response, '$.bizContent'), '$.status') AS status FROM exchanges " +
      `WHERE api = 'query' AND outcome = 'answered' AND merchant_transaction_id = '${id}'`,
  );
  return rows.some((r) => r.status === "SUCCESS");
}

/**
 * Waits until every Register of `page`'s storage has run its reports (onPaymentFinal,
 * onLateSuccess) of each of `ids`: they report holding the documented Web Lock
 * `pingpong-qr:{storageKey}:{final|late}:{id}`, so a later holder comes after them.
 */
async function reportsDone(page, ...ids) {
  for (const id of ids) {
    for (const kind of ["final", "late"]) {
      await page.evaluate((name) => navigator.locks.request(name, () => true), `pingpong-qr:pingpong-qr:${kind}:${id}`);
    }
  }
}

/** The page's hook calls and wait updates, once the reports of `ids` are done. */
async function hooksAfter(page, ...ids) {
  await reportsDone(page, ...ids);
  return hookLog(page);
}

/** Updates a page's waits reported for payment `id`, as statuses. */
async function updates(page, id) {
  return (await hookLog(page)).updates.filter((u) => u.merchantTransactionId === id && !u.merchantRefundId);
}

test("proxy killed (SIGKILL) and restarted on the same journal and port during waitForPayment: the wait recovers and resolves", async (t) => {
  const { stack, context } = await setup(t, { standalone: true });
  const { page, watch } = await openRegister(context, stack, { allow: [REFUSED, STREAM_BROKEN] });
  const { merchantTransactionId: id } = await open(page);
  const wait = await waitForPayment(page, id);
  await pushLive(page);

  await stack.killProxy();
  // The consumer pays while the proxy is dead: the sandbox's notification cannot be delivered.
  await stack.pay(id);
  await waitFor(async () => (await stack.order(id)).notifications.some((n) => n.deliveries.some((d) => !d.accepted)), {
    what: "a failed notification delivery",
  });
  assert.ok(await pending(page, wait), "the wait rides out the dead proxy");

  await stack.restartProxy();
  const done = await resolved(page, wait, { timeoutMs: 45_000, what: "waitForPayment after the restart" });
  assert.equal(done.status, "SUCCESS");
  const log = await hooksAfter(page, id);
  assert.deepEqual(log.final.map((p) => [p.merchantTransactionId, p.status]), [[id, "SUCCESS"]]);
  assert.ok(!log.updates.some((u) => u.status === "FAILED"));

  // The EventSource reconnects by itself with its old URL; the restarted proxy accepts the
  // ticket (stateless, MAC'd with the register's key) instead of answering 401.
  await waitFor(() => /event stream opened/.test(stack.proxyLog()), {
    timeoutMs: 20_000,
    what: "the stream reopened at the restarted proxy",
  });
  assert.doesNotMatch(stack.proxyLog(), /events\/tickets|status=401/, "the old ticket is accepted");

  // The sandbox's retry reaches the restarted proxy, which journals it once.
  await waitFor(async () => (await stack.order(id)).notifications.every((n) => n.outcome === "delivered"), {
    timeoutMs: 30_000,
    what: "the notification's redelivery",
  });
  await assertExactlyOnce(stack, { payments: { [id]: { status: "SUCCESS" } } });
  assert.equal((await stack.stats()).requests["/v4/payment/unifiedPay"], 1, "one unifiedPay sent in all");
  watch.check();
});

test("proxy killed (SIGKILL) while a create, then a refund, waits on the sandbox: each is completed once with its journaled ids", async (t) => {
  const { stack, context } = await setup(t, { standalone: true });
  const { page, watch } = await openRegister(context, stack, {
    registerOptions: { push: false },
    allow: [REFUSED, STREAM_BROKEN, /net::ERR_CONNECTION_RESET/],
  });

  // The create is journaled by the proxy and on its way to the sandbox (1.5 s latency) when
  // the proxy dies; the library's sends all fail while it is down.
  await stack.faults({ latencyMs: 1_500, apis: ["unifiedPay"] });
  const create = await startPayment(page, ORDER);
  await waitFor(() => stack.journal("SELECT count(*) AS n FROM orders")[0].n === 1, { what: "the create at the proxy" });
  await stack.killProxy();
  await stack.faults({});
  const { error } = await settled(page, create, { what: "startPayment with the proxy dead" });
  assert.equal(error?.code, "NETWORK", JSON.stringify(error));
  const id = error.merchantTransactionId;
  assert.deepEqual((await pendingPayments(page)).map((p) => [p.merchantTransactionId, p.state]), [[id, "UNKNOWN"]]);
  await stack.restartProxy();
  // Following it completes the create: same merchantTransactionId, same requestId.
  const wait = await waitForPayment(page, id);
  await waitFor(async () => (await stack.stats()).orders === 1, { what: "the order at the sandbox" });
  await stack.pay(id);
  assert.equal((await resolved(page, wait, { what: "waitForPayment" })).status, "SUCCESS");

  // The same for a refund.
  await stack.faults({ latencyMs: 1_500, apis: ["refund"] });
  const refunding = await refund(page, id, { amount: "5.00" });
  await waitFor(() => stack.journal("SELECT count(*) AS n FROM refunds")[0].n === 1, { what: "the refund at the proxy" });
  await stack.killProxy();
  await stack.faults({});
  const refused = await settled(page, refunding, { what: "refund with the proxy dead" });
  assert.equal(refused.error?.code, "NETWORK", JSON.stringify(refused.error));
  const rid = refused.error.merchantRefundId;
  assert.deepEqual((await pendingPayments(page)).map((p) => p.pendingRefunds), [[rid]]);
  await stack.restartProxy();
  assert.equal((await resolved(page, await waitForRefund(page, id, rid), { what: "waitForRefund" })).status, "SUCCESS");

  assert.deepEqual(await pendingPayments(page), []);
  await assertExactlyOnce(stack, {
    payments: { [id]: { status: "SUCCESS" } },
    refunds: { [rid]: { mtid: id, status: "SUCCESS" } },
  });
  watch.check();
});

test("sandbox answering 5xx, then recovering: an UNKNOWN create is completed with its ids, polls ride out 503s", async (t) => {
  const { stack, context } = await setup(t);
  const { page, watch } = await openRegister(context, stack, { registerOptions: { push: false }, allow: [status(503)] });

  // Every unifiedPay answers 503: the proxy's 3 sends and the library's 3 sends all fail.
  await stack.faults({ http5xx: 1000, apis: ["unifiedPay"] });
  const { error } = await settled(page, await startPayment(page, ORDER), { what: "startPayment under 5xx" });
  assert.equal(error?.code, "UPSTREAM_UNAVAILABLE", JSON.stringify(error));
  const id = error.merchantTransactionId;
  assert.ok(id, "the error names the payment's id");
  assert.deepEqual((await pendingPayments(page)).map((p) => [p.merchantTransactionId, p.state]), [[id, "UNKNOWN"]]);
  const sent = (await stack.stats()).requests["/v4/payment/unifiedPay"];
  assert.ok(sent >= 9, `the proxy retried each of the library's sends (${sent} unifiedPay)`);
  assert.equal((await stack.stats()).orders, 0, "no order while the sandbox answers 5xx");

  // The sandbox recovers: following the payment completes its create with the same ids.
  await stack.faults({});
  const wait = await waitForPayment(page, id);
  await waitFor(async () => (await stack.stats()).orders === 1, { what: "the order created on recovery" });

  // Queries answer 503 four times (the proxy's 3 sends of one poll, then one more); the
  // notification is lost, so only a query that gets through can learn the payment.
  await stack.faults({ http5xx: 4, apis: ["query"], dropNotifications: 1 });
  await stack.pay(id);
  const done = await resolved(page, wait, { timeoutMs: 45_000, what: "waitForPayment" });
  assert.equal(done.status, "SUCCESS");
  assert.equal((await stack.getFaults()).http5xx, 0, "every 503 was served");
  assert.ok(queriedSuccess(stack, id), "a query that got through found the payment");
  assert.ok(!(await updates(page, id)).some((u) => u.status === "FAILED"), "never FAILED");
  assert.deepEqual((await hooksAfter(page, id)).final.map((p) => p.status), ["SUCCESS"]);
  await assertExactlyOnce(stack, { payments: { [id]: { status: "SUCCESS" } } });
  watch.check();
});

test("sandbox not answering: the create is UNKNOWN (never FAILED), then a later query resolves it", async (t) => {
  // The proxy gives up on PingPong after 1.5 s: the outcome of each call is unknown.
  const { stack, context } = await setup(t, { proxyArgs: ["--timeout-ms", "1500"] });
  const { page, watch } = await openRegister(context, stack, { registerOptions: { push: false }, allow: [status(504)] });

  // Every call is processed by the sandbox, then its answer never comes.
  await stack.faults({ noAnswer: 1000 });
  const { error } = await settled(page, await startPayment(page, ORDER), { what: "startPayment without answers" });
  assert.equal(error?.code, "UNKNOWN_OUTCOME", JSON.stringify(error));
  const id = error.merchantTransactionId;
  assert.deepEqual((await pendingPayments(page)).map((p) => [p.merchantTransactionId, p.state]), [[id, "UNKNOWN"]]);
  assert.equal((await stack.order(id)).status, "PROCESSING", "the sandbox did create the order");
  assert.deepEqual(stack.journal("SELECT status FROM orders").map((o) => o.status), ["INIT"], "journal: not FAILED");

  // Waiting keeps polling through unanswered queries; the consumer pays and the
  // notification is lost, so only a query can tell.
  const unanswered = () =>
    stack.journal("SELECT count(*) AS n FROM exchanges WHERE api = 'query' AND outcome = 'unknown'")[0].n;
  const before = unanswered();
  const wait = await waitForPayment(page, id);
  await stack.faults({ noAnswer: 1000, dropNotifications: 1 });
  await stack.pay(id);
  await waitFor(() => unanswered() >= before + 2, { timeoutMs: 20_000, what: "two polls whose queries went unanswered" });
  assert.ok(await pending(page, wait), "the wait rides out unanswered queries");
  assert.equal(stack.journal("SELECT status FROM orders")[0].status, "INIT");

  // The sandbox answers again: the next poll's query finds the payment.
  await stack.faults({});
  const done = await resolved(page, wait, { timeoutMs: 30_000, what: "waitForPayment" });
  assert.equal(done.status, "SUCCESS");
  const seen = [...(await updates(page, id)).map((u) => u.status), ...eventStatuses(stack, id)];
  assert.ok(!seen.includes("FAILED"), `never FAILED: ${seen}`);
  assert.ok(queriedSuccess(stack, id), "a later query found the payment");
  await assertExactlyOnce(stack, { payments: { [id]: { status: "SUCCESS" } } });
  assert.equal((await stack.order(id)).notifications[0].outcome, "dropped");
  watch.check();
});

test("a lost notification: polling finds the result while the event stream is open", async (t) => {
  const { stack, context } = await setup(t);
  const { page, watch } = await openRegister(context, stack);
  const { merchantTransactionId: id } = await open(page);
  const wait = await waitForPayment(page, id);
  await pushLive(page);
  await stack.faults({ dropNotifications: 1 });
  await stack.pay(id);

  const done = await resolved(page, wait, { timeoutMs: 45_000, what: "waitForPayment" });
  assert.equal(done.status, "SUCCESS");
  const order = await stack.order(id);
  assert.deepEqual(order.notifications.map((n) => [n.status, n.outcome, n.deliveries.length]), [["SUCCESS", "dropped", 0]]);
  assert.equal(stack.journal("SELECT count(*) AS n FROM notifications")[0].n, 0, "the proxy never heard of it");
  assert.ok(queriedSuccess(stack, id), "a query answered SUCCESS");
  assert.deepEqual((await hooksAfter(page, id)).final.map((p) => p.status), ["SUCCESS"]);
  await assertExactlyOnce(stack, { payments: { [id]: { status: "SUCCESS" } } });
  watch.check();
});

/** Records the event-stream messages the page receives (CDP), as { event, status, id }. */
async function recordStream(context, page) {
  const messages = [];
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  cdp.on("Network.eventSourceMessageReceived", (m) => {
    const data = JSON.parse(m.data);
    messages.push({ event: m.eventName, status: data.status, id: data.merchantRefundId ?? data.merchantTransactionId });
  });
  return messages;
}

test("a duplicated notification: one event (proxy, stream, library), for the payment and for its refund", async (t) => {
  const { stack, context } = await setup(t);
  const { page, watch } = await openRegister(context, stack);
  const stream = await recordStream(context, page);
  await stack.faults({ duplicateNotifications: true });
  const { merchantTransactionId: id } = await open(page);
  const wait = await waitForPayment(page, id);
  await pushLive(page);
  await stack.pay(id);
  assert.equal((await resolved(page, wait, { what: "waitForPayment" })).status, "SUCCESS");

  const r = await resolved(page, await refund(page, id, { amount: "5.00" }), { what: "refund" });
  const rid = r.merchantRefundId;
  const refundWait = await waitForRefund(page, id, rid);
  assert.equal((await resolved(page, refundWait, { what: "waitForRefund" })).status, "SUCCESS");

  // Both notifications were delivered twice, and the proxy took each once.
  await waitFor(
    async () => {
      const n = (await stack.order(id)).notifications;
      return n.length === 4 && n.every((x) => x.outcome === "delivered");
    },
    { what: "four delivered notifications (two, twice)" },
  );
  const journaled = stack.journal("SELECT notify_type, status, deliveries FROM notifications ORDER BY id");
  assert.deepEqual(
    journaled.map((n) => [n.notify_type, n.status, n.deliveries]),
    [
      ["RECHARGE", "SUCCESS", 2],
      ["REFUND", "SUCCESS", 2],
    ],
  );
  // One SUCCESS event of each reached the browser, and the library reported each once.
  await waitFor(() => stream.some((m) => m.event === "refund" && m.status === "SUCCESS"), { what: "the refund event" });
  const successes = stream.filter((m) => m.status === "SUCCESS");
  assert.deepEqual(successes.map((m) => [m.event, m.id]), [["payment", id], ["refund", rid]]);
  const log = await hooksAfter(page, id);
  assert.deepEqual(log.final.map((p) => p.status), ["SUCCESS"]);
  assert.equal(log.updates.filter((u) => u.status === "SUCCESS" && !u.merchantRefundId).length, 1);
  assert.equal(log.updates.filter((u) => u.status === "SUCCESS" && u.merchantRefundId === rid).length, 1);
  await assertExactlyOnce(stack, {
    payments: { [id]: { status: "SUCCESS" } },
    refunds: { [rid]: { mtid: id, status: "SUCCESS" } },
  });
  watch.check();
});

test("a late success after CLOSED: the wait ends CLOSED, onLateSuccess fires once, and the payment can be refunded", async (t) => {
  const { stack, context } = await setup(t);
  const { page, watch } = await openRegister(context, stack);
  await stack.faults({ lateSuccess: true });
  const { merchantTransactionId: id } = await open(page);
  const wait = await waitForPayment(page, id);
  await pushLive(page);

  await stack.expire(id);
  assert.equal((await resolved(page, wait, { what: "waitForPayment" })).status, "CLOSED");
  // The consumer pays the closed QR anyway (the wallet allows it under lateSuccess).
  await stack.pay(id);
  await waitFor(async () => (await hookLog(page)).late.length > 0, { what: "onLateSuccess" });
  const { late } = await hooksAfter(page, id);
  assert.deepEqual(late.map((p) => [p.merchantTransactionId, p.status, p.lateSuccess]), [[id, "SUCCESS", true]]);

  const r = await resolved(page, await refund(page, id, { amount: "12.50" }), { what: "refund of the late success" });
  const rid = r.merchantRefundId;
  assert.equal((await resolved(page, await waitForRefund(page, id, rid), { what: "waitForRefund" })).status, "SUCCESS");

  const log = await hooksAfter(page, id);
  assert.deepEqual(log.final.map((p) => p.status), ["CLOSED"], "onPaymentFinal once, at CLOSED");
  assert.equal(log.late.length, 1, "onLateSuccess once");
  assert.deepEqual(eventStatuses(stack, id).slice(-2), ["CLOSED", "SUCCESS"]);
  await assertExactlyOnce(stack, {
    payments: { [id]: { status: "SUCCESS", lateSuccess: true } },
    refunds: { [rid]: { mtid: id, status: "SUCCESS" } },
  });
  watch.check();
});

test("the browser offline for 30 s, then back: nothing resolves or fails while offline; everything completes once online", async (t) => {
  // Chromium's offline emulation (navigator.onLine, events, failing requests) plus a relay
  // that resets the open connections, as a real network drop does to the event stream.
  const { stack, context } = await setup(t, { relay: true });
  // (404: following the unknown create asks the proxy first, which never got it.)
  const { page, watch } = await openRegister(context, stack, { allow: [OFFLINE, REFUSED, STREAM_BROKEN, status(404)] });
  const { merchantTransactionId: id } = await open(page);
  const wait = await waitForPayment(page, id);
  await pushLive(page);

  await context.setOffline(true);
  stack.relay.cut();
  const offlineAt = Date.now();
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  // The consumer pays meanwhile; the proxy hears of it, the register cannot.
  await stack.pay(id);
  await waitFor(() => stack.journal("SELECT status FROM orders")[0]?.status === "SUCCESS", { what: "the proxy learning SUCCESS" });
  // The cashier tries a second payment: no request can leave, so its outcome is unknown.
  const second = await settled(page, await startPayment(page, { ...ORDER, amount: "3.00" }), { what: "startPayment offline" });
  assert.equal(second.error?.code, "NETWORK", JSON.stringify(second.error));
  const id2 = second.error.merchantTransactionId;
  assert.deepEqual(
    (await pendingPayments(page)).map((p) => [p.merchantTransactionId, p.state]).sort(),
    [[id, "PROCESSING"], [id2, "UNKNOWN"]].sort(),
  );
  // 30 s offline, checked every second: the wait neither resolves nor fails.
  while (Date.now() - offlineAt < 30_000) {
    assert.ok(await pending(page, wait), `the wait is still open ${Date.now() - offlineAt} ms into the outage`);
    assert.equal(await page.evaluate(() => window.faults.register.pushConnected), false);
    await new Promise((r) => setTimeout(r, 1_000));
  }
  assert.equal((await hooksAfter(page, id, id2)).final.length, 0, "no final status reported while offline");

  stack.relay.restore();
  await context.setOffline(false);
  const done = await resolved(page, wait, { timeoutMs: 20_000, what: "waitForPayment after coming back" });
  assert.equal(done.status, "SUCCESS");
  // Following the unknown create sends it with its journaled id: created once, then paid.
  const followed = await resume(page);
  await waitFor(async () => (await stack.stats()).orders === 2, { what: "the second order created once online" });
  await stack.pay(id2);
  const finals = await resolved(page, followed, { what: "resume" });
  assert.deepEqual(finals.map((p) => [p.merchantTransactionId, p.status]), [[id2, "SUCCESS"]]);
  const log = await hooksAfter(page, id, id2);
  assert.deepEqual(log.final.map((p) => p.merchantTransactionId).sort(), [id, id2].sort(), "each final once");
  await assertExactlyOnce(stack, { payments: { [id]: { status: "SUCCESS" }, [id2]: { status: "SUCCESS" } } });
  assert.ok(stack.relay.sent().length > 0);
  watch.check();
});

test("a page reload mid-payment (create in flight, then during the wait) and mid-refund: resume() finishes each, once", async (t) => {
  const { stack, context } = await setup(t, { refundDelayMs: 3_000 });
  const { page, watch } = await openRegister(context, stack);
  const logs = [];
  let id = null;
  const reload = async () => {
    logs.push(await hooksAfter(page, ...(id ? [id] : [])));
    await reloadRegister(page, stack);
  };

  // 1. Reload while the create is at the proxy, waiting for the sandbox's answer.
  await stack.faults({ latencyMs: 2_000, apis: ["unifiedPay"] });
  await startPayment(page, ORDER);
  await waitFor(() => stack.journal("SELECT count(*) AS n FROM orders")[0].n === 1, { what: "the create reaching the proxy" });
  await reload();
  await stack.faults({});
  const [entry] = await pendingPayments(page);
  assert.equal(entry.state, "SENDING", JSON.stringify(entry));
  id = entry.merchantTransactionId;
  await resume(page);
  await waitFor(async () => (await pendingPayments(page))[0]?.state === "PROCESSING", { what: "the create's answer" });

  // 2. Reload during the wait; the consumer pays after it.
  await reload();
  assert.deepEqual((await pendingPayments(page)).map((p) => [p.merchantTransactionId, p.state]), [[id, "PROCESSING"]]);
  const followed = await resume(page);
  await stack.pay(id);
  assert.deepEqual((await resolved(page, followed, { what: "resume" })).map((p) => p.status), ["SUCCESS"]);

  // 3. Reload while a refund is PROCESSING.
  const r = await resolved(page, await refund(page, id, { amount: "4.00" }), { what: "refund" });
  assert.equal(r.status, "PROCESSING");
  const rid = r.merchantRefundId;
  await reload();
  assert.deepEqual((await pendingPayments(page)).map((p) => [p.merchantTransactionId, p.pendingRefunds]), [[id, [rid]]]);
  await resolved(page, await resume(page), { what: "resume of the refund" });
  assert.equal((await resolved(page, await waitForRefund(page, id, rid), { what: "waitForRefund" })).status, "SUCCESS");
  assert.deepEqual(await pendingPayments(page), []);

  logs.push(await hooksAfter(page, id));
  const finals = logs.flatMap((l) => l.final.map((p) => [p.merchantTransactionId, p.status]));
  assert.deepEqual(finals, [[id, "SUCCESS"]], "onPaymentFinal once across the reloads");
  assert.ok(!logs.some((l) => l.updates.some((u) => u.status === "FAILED")));
  await assertExactlyOnce(stack, {
    payments: { [id]: { status: "SUCCESS" } },
    refunds: { [rid]: { mtid: id, status: "SUCCESS" } },
  });
  watch.check();
});

test("two tabs on one storage: both waits resolve, onPaymentFinal fires once across them; a refund made in one ends in the other", async (t) => {
  const { stack, context } = await setup(t);
  const a = await openRegister(context, stack);
  const b = await openRegister(context, stack);
  // Four payments at once: each is a fresh race between the tabs to report it.
  const ids = [];
  for (const amount of ["12.50", "13.00", "14.00", "15.00"]) ids.push((await open(a.page, { amount })).merchantTransactionId);
  const waits = [];
  for (const id of ids) waits.push([id, await waitForPayment(a.page, id), await waitForPayment(b.page, id)]);
  await pushLive(a.page);
  await pushLive(b.page);
  await Promise.all(ids.map((id) => stack.pay(id)));
  for (const [id, wa, wb] of waits) {
    assert.equal((await resolved(a.page, wa, { what: `tab A's wait for ${id}` })).status, "SUCCESS");
    assert.equal((await resolved(b.page, wb, { what: `tab B's wait for ${id}` })).status, "SUCCESS");
    await reportsDone(a.page, id);
    await reportsDone(b.page, id);
  }
  const finals = [...(await hookLog(a.page)).final, ...(await hookLog(b.page)).final];
  assert.deepEqual(finals.map((p) => p.merchantTransactionId).sort(), [...ids].sort(), "each payment once across both tabs");
  assert.ok(finals.every((p) => p.status === "SUCCESS"));

  // Tab B refunds; tab A follows that refund to its end.
  const [id] = ids;
  const r = await resolved(b.page, await refund(b.page, id, { amount: "2.50" }), { what: "tab B's refund" });
  const rid = r.merchantRefundId;
  assert.equal((await resolved(a.page, await waitForRefund(a.page, id, rid), { what: "tab A's refund wait" })).status, "SUCCESS");
  // The refund is in the shared journal: tab A's ledger sees 10.00 left, not 12.50.
  const over = await settled(a.page, await refund(a.page, id, { amount: "12.50" }), { what: "tab A's refund over the balance" });
  assert.equal(over.error?.code, "REFUND_EXCEEDS_BALANCE", JSON.stringify(over.error));
  await assertExactlyOnce(stack, {
    payments: Object.fromEntries(ids.map((id) => [id, { status: "SUCCESS" }])),
    refunds: { [rid]: { mtid: id, status: "SUCCESS" } },
  });
  a.watch.check();
  b.watch.check();
});
