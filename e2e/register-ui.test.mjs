// The register's other paths: a declined payment (FAILED), Cancel (the wait stops and a later
// payment is still reported), the Chinese strings, a keyboard-only charge, and the layout at
// phone width.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  PHONE,
  browser,
  consumer,
  display,
  faults,
  keypad,
  openRegister,
  proxyUnderTest,
  qrShown,
  readQr,
  recordScreens,
  result,
  row,
  sandboxOrder,
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

test("a declined payment shows FAILED", async () => {
  const reg = await openRegister(b, proxy.url);
  const { page } = reg;
  await page.selectOption("#currency", "HKD");
  await keypad(page, "20");
  await page.click("#charge");
  const id = await qrShown(page);
  const wallet = await consumer(b, await readQr(page), "decline");
  await result(page, "FAILED");
  assert.equal(await page.textContent("#result-title"), "Declined");
  assert.match(await page.textContent("#result-detail"), /declined the payment\. Nothing was charged/);
  assert.match(await page.textContent("#result-amount"), /HK\$20\.00/);
  await waitFor(async () => (await row(page, id).getAttribute("data-state")) === "FAILED", { what: "history says FAILED" });
  await screenshot(page, "4-declined");
  wallet.errors.check();
  reg.errors.check();
  await wallet.close();
  await reg.close();
});

test("Cancel stops the wait and says so; a payment made afterwards is still reported", async () => {
  const reg = await openRegister(b, proxy.url);
  const { page } = reg;
  await keypad(page, "7.25");
  await page.click("#charge");
  const id = await qrShown(page);
  const walletUrl = await readQr(page);
  await page.click("#cancel");
  await result(page, "STOPPED");
  assert.equal(await page.textContent("#result-title"), "Stopped waiting");
  assert.match(await page.textContent("#result-detail"), /if the customer still pays, the payment will be reported here/);
  await screenshot(page, "5-cancelled");

  // The consumer pays anyway: the register reports the late success on the same screen.
  await walletAction(walletUrl, "pay");
  await result(page, "SUCCESS");
  await page.waitForSelector("#result-late:not([hidden])");
  assert.match(await page.textContent("#result-late"), /Late payment: \$7\.25/);

  // After "New sale" a reload does not bring the cancelled payment back on screen.
  await page.click("#new-sale");
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.getAttribute("#till", "data-screen"), "entry");
  assert.equal(await row(page, id).getAttribute("data-state"), "SUCCESS");
  reg.errors.check();
  await reg.close();
});

test("the Chinese strings: toggle, lang attribute, a payment in Chinese, kept over a reload", async () => {
  const reg = await openRegister(b, proxy.url);
  const { page } = reg;
  await page.click("#lang");
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.equal(await page.textContent("#charge span[data-i18n=charge]"), "收款");
  assert.equal(await page.textContent("#history-empty"), "暂无交易。请输入金额并收款。");
  assert.equal(await page.textContent("#lang"), "English");
  assert.equal(await page.title(), "PingPong 扫码收银台");

  await keypad(page, "9.9");
  await page.click("#charge");
  const id = await qrShown(page);
  assert.match(await page.textContent("#qr-method"), /请用支付宝扫码/);
  assert.match(await page.textContent("#status"), /等待顾客扫码付款/);
  await screenshot(page, "6-zh-qr");
  const wallet = await consumer(b, await readQr(page), "pay");
  await result(page, "SUCCESS");
  assert.equal(await page.textContent("#result-title"), "已支付");
  await waitFor(async () => (await row(page, id).locator(".badge").first().textContent()) === "已支付", {
    what: "the history in Chinese",
  });
  await screenshot(page, "6-zh-success");

  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN", "the language is kept");
  await page.click("#lang");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await row(page, id).locator(".badge").first().textContent(), "Paid");
  wallet.errors.check();
  reg.errors.check();
  await wallet.close();
  await reg.close();
});

test("keyboard only: focus order, visible focus, digits, Enter to charge, Esc to cancel, Enter for a new sale", async () => {
  const reg = await openRegister(b, proxy.url);
  const { page } = reg;
  // Tab order from the top of the page: skip link, language, settings, currency, method,
  // the keypad's keys, Charge. Each focused control shows a visible outline.
  // (Focus starts on Charge, the last control: Tab wraps round to the top of the page.)
  for (let i = 0; i < 3 && !(await page.evaluate(() => document.activeElement.matches(".skip"))); i++) {
    await page.keyboard.press("Tab");
  }
  const order = [];
  for (let i = 0; i < 20; i++) {
    if (i > 0) await page.keyboard.press("Tab");
    const f = await page.evaluate(() => {
      const e = document.activeElement;
      const style = getComputedStyle(e.matches("input[type=radio]") ? e.nextElementSibling : e);
      return { id: e.id || e.dataset.key || e.getAttribute("value") || e.className, outline: style.outlineStyle };
    });
    order.push(f.id);
    assert.equal(f.outline, "solid", `visible focus on ${f.id}`);
    if (f.id === "charge") break;
  }
  assert.deepEqual(order, ["skip", "lang", "settings-open", "currency", "ALIPAY", "7", "8", "9", "4", "5", "6", "1", "2", "3", "key-dot", "0", "back", "clear", "charge"]);

  // Digits typed anywhere outside a field go to the amount; Backspace deletes; "." once.
  await page.keyboard.type("123.456");
  assert.equal(await display(page), "USD123.45", "at most the currency's decimals");
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await page.keyboard.type("9");
  assert.equal(await display(page), "USD123.90");
  await page.keyboard.press("Enter");
  await qrShown(page);
  assert.equal(await page.evaluate(() => document.activeElement.id), "qr-title", "focus moves to the QR screen");
  await page.keyboard.press("Escape");
  await result(page, "STOPPED");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#screen-entry:not([hidden])");
  assert.equal(await display(page), "USD0.00");
  assert.equal(await page.evaluate(() => document.activeElement.id), "charge");

  // Arrow keys pick the method and the currency; JPY takes no decimals.
  await page.focus("input[value=ALIPAY]");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.isChecked("input[value=WECHAT]"), true);
  await page.focus("#currency");
  await page.keyboard.press("End");
  assert.equal(await page.inputValue("#currency"), "JPY");
  await page.focus("#charge");
  await page.keyboard.type("12.5");
  assert.equal(await display(page), "JPY125");
  assert.equal(await page.isDisabled("#key-dot"), true);
  reg.errors.check();
  await reg.close();
});

test("phone width: one column, no sideways scrolling, a QR that fits", async () => {
  const reg = await openRegister(b, proxy.url, { viewport: PHONE });
  const { page } = reg;
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.equal(await fits(), true);
  await screenshot(page, "7-phone-entry");
  await keypad(page, "3.8");
  await page.click("#charge");
  await qrShown(page);
  assert.equal(await fits(), true);
  const box = await page.locator("#qr").boundingBox();
  assert.ok(box.width >= 180 && box.x >= 0 && box.x + box.width <= PHONE.width, JSON.stringify(box));
  await screenshot(page, "7-phone-qr");
  const wallet = await consumer(b, await readQr(page), "pay");
  await result(page, "SUCCESS");
  assert.equal(await fits(), true);
  await screenshot(page, "7-phone-success");
  wallet.errors.check();
  reg.errors.check();
  await wallet.close();
  await reg.close();
});

test("an unanswered create shows UNKNOWN, then the order, once it exists, goes back on screen", async () => {
  // The browser logs each 503 answer as a console error: those, and only those, are expected.
  const reg = await openRegister(b, proxy.url, { allow: [/status of 503 \(Service Unavailable\)/] });
  const { page } = reg;
  const screens = await recordScreens(page);
  // Every unifiedPay the proxy sends for the register's three tries fails (3 × 3 attempts).
  await faults(proxy.url, { http5xx: 9, apis: ["unifiedPay"] });
  await keypad(page, "4.2");
  await page.click("#charge");
  const id = await qrShown(page);
  assert.deepEqual((await screens()).slice(0, 3), ["qr", "result:UNKNOWN", "qr"]);
  assert.equal(await page.getAttribute("#error", "data-code"), null, "the outcome was unknown, not an error");
  const wallet = await consumer(b, await readQr(page), "pay");
  await result(page, "SUCCESS");
  const order = await sandboxOrder(proxy.url, id);
  assert.equal(order.status, "SUCCESS");
  assert.equal(order.attempts.length, 1, "one order, one attempt: retried with the same ids");
  wallet.errors.check();
  reg.errors.check();
  await wallet.close();
  await reg.close();
});

test("settings: kept in localStorage; QR validity and polling-only mode apply; a wrong token is refused in plain words", async () => {
  const reg = await openRegister(b, proxy.url, { allow: [/status of 401 \(Unauthorized\)/] });
  const { page } = reg;
  await page.click("#settings-open");
  assert.equal(await page.inputValue("#set-proxy"), proxy.url, "the page's origin by default");
  assert.equal(await page.inputValue("#set-token"), "demo-token");
  assert.equal(await page.getAttribute("#set-token", "type"), "password");
  assert.equal(await page.inputValue("#set-expiry"), "300");
  await page.fill("#set-expiry", "120");
  await page.uncheck("#set-push");
  await Promise.all([page.waitForEvent("load"), page.click("#settings-save")]);
  await page.waitForSelector("body[data-ready=true]");
  await keypad(page, "1");
  await page.click("#charge");
  await qrShown(page);
  assert.match(await page.textContent("#countdown"), /^(2:00|1:5\d)$/, "a 120 s QR");
  assert.equal(await page.getAttribute("#conn", "data-live"), "false", "polling only");
  const wallet = await consumer(b, await readQr(page), "pay");
  await result(page, "SUCCESS", 20_000);
  wallet.errors.check();
  await wallet.close();

  await page.click("#new-sale");
  await page.click("#settings-open");
  await page.fill("#set-token", "not-a-token");
  await Promise.all([page.waitForEvent("load"), page.click("#settings-save")]);
  await page.waitForSelector("body[data-ready=true]");
  await keypad(page, "2");
  await page.click("#charge");
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.getAttribute("#error", "data-code"), "UNAUTHORIZED");
  assert.match(await page.textContent("#error-text"), /refused this register's token/);
  assert.equal(await page.getAttribute("#till", "data-screen"), "entry", "back to the amount");
  reg.errors.check();
  await reg.close();
});
