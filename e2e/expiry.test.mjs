// Scenario 2: the QR expires (the sandbox's "expire now" control route) and the register shows
// CLOSED; then, with the sandbox's lateSuccess fault, the consumer pays the expired order and
// the register shows the late success.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  browser,
  expireNow,
  faults,
  keypad,
  openRegister,
  proxyUnderTest,
  qrShown,
  readQr,
  result,
  row,
  screenshot,
  waitFor,
  walletAction,
} from "./lib/register.mjs";

let proxy;
let b;
before(async () => {
  proxy = await proxyUnderTest();
  b = await browser();
});
after(async () => {
  await faults(proxy.url, {}).catch(() => {});
  await b?.close();
  await proxy?.stop();
});

test("an expired QR ends CLOSED; a payment after it is shown as a late success", async () => {
  const reg = await openRegister(b, proxy.url);
  const { page } = reg;
  await page.selectOption("#currency", "CNY");
  await page.check("input[value=WECHAT]", { force: true });
  await keypad(page, "88");
  await page.click("#charge");
  const id = await qrShown(page);
  assert.match(await page.textContent("#qr-method"), /WeChat Pay/);
  const walletUrl = await readQr(page);

  await expireNow(proxy.url, id);
  await result(page, "CLOSED");
  assert.equal(await page.textContent("#result-title"), "Expired");
  assert.match(await page.textContent("#result-detail"), /expired before the customer paid\. Nothing was charged/);
  assert.equal(await page.isHidden("#result-late"), true);
  await waitFor(async () => (await row(page, id).getAttribute("data-state")) === "CLOSED", { what: "history says CLOSED" });
  await screenshot(page, "2-expired");

  // The wallet refuses an expired QR...
  const refused = await fetch(`${walletUrl}/pay`, { method: "POST" });
  assert.equal(refused.status, 409);
  // ...unless the acquirer lets it through late: the register must say so.
  await faults(proxy.url, { lateSuccess: true });
  try {
    await walletAction(walletUrl, "pay");
  } finally {
    await faults(proxy.url, {});
  }
  await result(page, "SUCCESS");
  await page.waitForSelector("#result-late:not([hidden])");
  assert.match(await page.textContent("#result-late"), /Late payment: CN¥88\.00 .*paid after the register had stopped waiting/);
  await waitFor(async () => (await row(page, id).getAttribute("data-state")) === "SUCCESS", { what: "history says SUCCESS" });
  assert.match(await row(page, id).locator(".tx-meta").textContent(), /paid late/);
  await screenshot(page, "2-late-success");

  reg.errors.check();
  await reg.close();
});
