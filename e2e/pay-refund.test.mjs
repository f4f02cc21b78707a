// Scenario 1: the cashier keys an amount and charges; the QR is read back from the canvas
// pixels (on a devicePixelRatio 2 screen, as the demo draws it: no ratio given to renderQr);
// the consumer opens the decoded URL in a second page and pays; the register shows SUCCESS;
// a partial refund succeeds and the remaining balance is shown.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  browser,
  consumer,
  countPaymentCalls,
  display,
  keypad,
  openRegister,
  proxyUnderTest,
  qrShown,
  readQr,
  result,
  row,
  sandboxOrder,
  screenshot,
  waitFor,
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

test("pay with the keypad, the QR read from the canvas at pixel ratio 2, the consumer's wallet; then a partial refund", async () => {
  const reg = await openRegister(b, proxy.url, { deviceScaleFactor: 2 });
  const { page } = reg;
  const calls = countPaymentCalls(page);

  // An empty amount is refused by the library in plain words, before any request.
  await page.click("#charge");
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.getAttribute("#error", "data-code"), "INVALID_AMOUNT");
  assert.match(await page.textContent("#error-text"), /amount greater than zero/);
  assert.equal(calls.length, 0, "nothing was sent");

  await keypad(page, "12.5");
  assert.equal(await display(page), "USD12.50");
  await page.check("input[value=ALIPAY]", { force: true });
  await page.click("#charge");
  const id = await qrShown(page);
  assert.equal(await page.isHidden("#error"), true, "the old error is cleared");
  assert.match(await page.textContent("#qr-amount"), /\$12\.50/);
  assert.match(await page.textContent("#status"), /Waiting for the customer/);
  assert.match(await page.textContent("#countdown"), /^[45]:\d\d$/, "a 300 s countdown");

  // A high-density screen: the backing store is twice the CSS size, every pixel plainly
  // dark or light (whole device pixels per module), and the QR reads back.
  const canvas = await page.evaluate(() => {
    const c = document.getElementById("qr");
    const box = c.getBoundingClientRect();
    const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    let grey = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] !== 0 && data[i] !== 255) grey++;
    return { ratio: devicePixelRatio, width: c.width, height: c.height, css: [box.width, box.height], style: c.style.width, grey };
  });
  assert.equal(canvas.ratio, 2);
  assert.ok(canvas.css[0] >= 200 && Number.isInteger(canvas.css[0]), JSON.stringify(canvas));
  assert.equal(canvas.style, `${canvas.css[0]}px`);
  assert.deepEqual([canvas.width, canvas.height], [2 * canvas.css[0], 2 * canvas.css[1]], "backing store = 2 × CSS size");
  assert.equal(canvas.grey, 0, "no blurred module edges");
  const walletUrl = await readQr(page);
  assert.ok(walletUrl.startsWith(`${proxy.url}/sandbox/wallet/`), walletUrl);
  const order = await sandboxOrder(proxy.url, id);
  assert.equal(walletUrl, `${proxy.url}/sandbox/wallet/${order.transactionId}`, "the QR is this order's");

  // "Open consumer wallet" opens the same page in a new window (watched for errors too).
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#wallet")]);
  await popup.waitForLoadState();
  assert.equal(popup.url(), walletUrl);
  await popup.waitForSelector("#pay:not([disabled])");
  assert.equal(reg.errors.pages(), 2, "the register and its wallet window are watched");
  await popup.close();

  const wallet = await consumer(b, walletUrl, "pay");
  await result(page, "SUCCESS");
  assert.equal(await page.textContent("#result-title"), "Paid");
  assert.match(await page.textContent("#result-amount"), /\$12\.50/);
  assert.equal(await page.evaluate(() => document.activeElement.id), "result-title", "focus moves to the result");
  await screenshot(page, "1-pay-success");

  // History: the payment, paid, with its whole amount refundable.
  const tx = row(page, id);
  await waitFor(async () => (await tx.locator(".badge").first().textContent()) === "Paid", { what: "history says Paid" });
  assert.equal(await tx.locator(".remaining").getAttribute("data-amount"), "12.50");

  // A partial refund, followed live to SUCCESS; the remaining balance follows.
  await tx.locator("input[name=amount]").fill("5");
  await tx.locator("button[type=submit]").click();
  await waitFor(async () => (await tx.locator(".refunds li").getAttribute("data-state")) === "SUCCESS", {
    what: "the refund's SUCCESS",
  });
  assert.equal(await tx.locator(".refunds li .badge").textContent(), "Refunded");
  assert.equal(await tx.locator(".remaining").textContent(), "$7.50");
  assert.equal(await tx.locator(".refunded").textContent(), "$5.00");
  assert.match(await tx.locator(".tx-msg").textContent(), /Refund of \$5\.00 succeeded/);

  // More than remains: refused locally in plain words with its code, nothing sent.
  const before = calls.length;
  await tx.locator("input[name=amount]").fill("7.51");
  await tx.locator("button[type=submit]").click();
  await waitFor(async () => /REFUND_EXCEEDS_BALANCE/.test(await tx.locator(".tx-msg").textContent()), {
    what: "the over-refund refusal",
  });
  assert.match(await tx.locator(".tx-msg").textContent(), /more than what remains refundable/);
  assert.equal(calls.length, before, "the over-refund sent nothing");
  await screenshot(page, "1-refund-success");

  // The acquirer agrees: one order, paid, one refund of 5.00 that succeeded.
  const final = await sandboxOrder(proxy.url, id);
  assert.equal(final.status, "SUCCESS");
  assert.equal(final.refunds.length, 1);
  assert.equal(final.refunds[0].status, "SUCCESS");
  assert.equal(Number(final.refunds[0].amount), 5);

  wallet.errors.check();
  reg.errors.check();
  await wallet.close();
  await reg.close();
});
