// Scenario 3: a reload mid-payment resumes the pending payment from the library's journal,
// shows its QR again, and the payment then ends SUCCESS. One order at the acquirer.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  browser,
  consumer,
  countPaymentCalls,
  keypad,
  openRegister,
  proxyUnderTest,
  qrShown,
  readQr,
  ready,
  result,
  row,
  sandboxOrder,
  screenshot,
} from "./lib/register.mjs";

let proxy;
let b;
before(async () => {
  proxy = await proxyUnderTest();
  b = await browser();
});
after(async () => {
  await b?.close();
  await proxy?.stop();
});

test("a reload mid-payment resumes it with its QR, then the payment succeeds", async () => {
  const reg = await openRegister(b, proxy.url);
  const { page } = reg;
  await page.selectOption("#currency", "JPY");
  await keypad(page, "1500");
  await page.click("#charge");
  const id = await qrShown(page);
  const before = await readQr(page);

  // Every request from the reload on, the reload's own document included: listening
  // before it is what makes "no second create" mean something.
  const seen = [];
  page.on("request", (r) => seen.push(`${r.method()} ${new URL(r.url()).pathname}`));
  const calls = countPaymentCalls(page);
  await page.reload();
  await ready(page);
  const resumed = await qrShown(page);
  assert.ok(seen.includes("GET /"), `the listener saw the reload: ${seen}`);
  assert.equal(resumed, id, "the same payment is back on screen");
  assert.equal(await readQr(page), before, "with the same QR");
  assert.match(await page.textContent("#status"), /Resumed after a reload/);
  assert.match(await page.textContent("#qr-amount"), /¥1,500/);
  assert.match(await page.textContent("#countdown"), /^[1-5]:\d\d$/);
  assert.ok(calls.every((c) => !c.startsWith("POST")), `no second create: ${calls}`);

  const wallet = await consumer(b, before, "pay");
  await result(page, "SUCCESS");
  assert.match(await page.textContent("#result-amount"), /¥1,500/);
  assert.equal(await row(page, id).getAttribute("data-state"), "SUCCESS");
  await screenshot(page, "3-reload-success");

  const order = await sandboxOrder(proxy.url, id);
  assert.equal(order.status, "SUCCESS");
  assert.equal(order.attempts.length, 1, "one attempt: the reload sent no new create");

  wallet.errors.check();
  reg.errors.check();
  await wallet.close();
  await reg.close();
});
