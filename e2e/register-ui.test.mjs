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
  ready,
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

test("keyboard only: the settings dialog, Open consumer wallet, the refund form", async () => {
  const reg = await openRegister(b, proxy.url);
  const { page } = reg;
  /** The focused element: its id, or `name` for a refund field; and whether it is outlined. */
  const focused = () =>
    page.evaluate(() => {
      const e = document.activeElement;
      return {
        id: e.id || (e.name ? `${e.closest("li.tx")?.dataset.id ?? ""}:${e.name}` : e.tagName),
        outline: e === document.body ? "none" : getComputedStyle(e).outlineStyle,
        inDialog: document.getElementById("settings").contains(e),
      };
    });
  const tabTo = async (id) => {
    for (let i = 0; i < 40; i++) {
      if ((await focused()).id === id) return;
      await page.keyboard.press("Tab");
    }
    assert.fail(`Tab never reached ${id}`);
  };
  const dialogOpen = () => page.evaluate(() => document.getElementById("settings").open);
  const stored = () => page.evaluate(() => JSON.parse(localStorage.getItem("pingpong-qr-demo:settings")));

  // Settings: Enter opens the dialog with focus on its first field; Tab stays inside it,
  // outlined at each stop; Esc closes it without saving and gives focus back.
  await tabTo("settings-open");
  await page.keyboard.press("Enter");
  assert.equal(await dialogOpen(), true);
  // The page behind the modal dialog is inert: past its last control, Tab leaves the page
  // (to the browser's own controls: the body is focused here) and comes back to the first.
  const stops = [];
  for (let i = 0; i < 9; i++) {
    const f = await focused();
    stops.push(f.id);
    if (f.id !== "BODY") {
      assert.equal(f.inDialog, true, `focus stays in the dialog (${stops})`);
      assert.equal(f.outline, "solid", `visible focus on ${f.id}`);
    }
    await page.keyboard.press("Tab");
  }
  const round = ["set-proxy", "set-token", "set-expiry", "set-push", "settings-reset", "settings-cancel", "settings-save"];
  assert.ok(
    [[...round, "set-proxy", "set-token"], [...round, "BODY", "set-proxy"]].some((want) => want.join() === stops.join()),
    `Tab order in the dialog: ${stops}`,
  );
  await tabTo("set-expiry");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("90");
  await page.keyboard.press("Escape");
  assert.equal(await dialogOpen(), false, "Esc closes the dialog");
  assert.equal((await focused()).id, "settings-open", "focus goes back to Settings");
  assert.equal(await stored(), null, "Esc saved nothing");
  assert.equal(await page.getAttribute("#till", "data-screen"), "entry");

  // Space opens it again (the 90 was dropped); Space turns live updates off; Enter in a
  // field saves, and the page reloads with the new settings.
  await page.keyboard.press("Space");
  assert.equal(await dialogOpen(), true);
  assert.equal(await page.inputValue("#set-expiry"), "300");
  await tabTo("set-expiry");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("90");
  await page.keyboard.press("Tab");
  assert.equal((await focused()).id, "set-push");
  await page.keyboard.press("Space");
  assert.equal(await page.isChecked("#set-push"), false);
  await page.keyboard.press("Shift+Tab");
  await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
  await ready(page);
  assert.deepEqual(await stored(), { proxyUrl: proxy.url, token: "demo-token", expiresInSeconds: 90, push: false });
  assert.equal(await page.getAttribute("#conn", "data-live"), "false");

  // Charge from the keyboard; Tab reaches "Open consumer wallet", Enter opens the wallet.
  assert.equal((await focused()).id, "charge");
  await page.keyboard.type("4.75");
  await page.keyboard.press("Enter");
  const id = await qrShown(page);
  assert.match(await page.textContent("#countdown"), /^(1:30|1:2\d)$/, "a 90 s QR");
  await page.keyboard.press("Tab");
  const wallet = await focused();
  assert.deepEqual([wallet.id, wallet.outline], ["wallet", "solid"]);
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.keyboard.press("Enter")]);
  await popup.waitForLoadState();
  assert.equal(popup.url(), await readQr(page));
  assert.equal(reg.errors.pages(), 2, "the wallet window is watched for errors");
  await popup.click("#pay");
  await popup.waitForSelector("#state.ok");
  await result(page, "SUCCESS", 20_000);
  await popup.close();
  await page.keyboard.press("Enter");
  await page.waitForSelector("#screen-entry:not([hidden])");

  // The refund form: Tab from Charge reaches the paid payment's refund field; Enter in it
  // refunds; Tab to the Refund button and Space refunds again; an over-refund keeps focus
  // in the field.
  assert.equal((await focused()).id, "charge");
  await page.keyboard.press("Tab");
  const field = await focused();
  assert.deepEqual([field.id, field.outline], [`${id}:amount`, "solid"]);
  const tx = row(page, id);
  const refunded = (n) =>
    waitFor(async () => (await tx.locator(".refunds li[data-state=SUCCESS]").count()) === n, { what: `${n} refunds done` });
  await page.keyboard.type("2");
  await page.keyboard.press("Enter");
  // While it is open the field is read-only (the button disabled) and keeps the focus.
  const open = async () =>
    (await tx.locator("input[name=amount]").getAttribute("readonly")) === "" && (await tx.locator("button[type=submit]").isDisabled());
  await waitFor(open, { what: "the open refund's read-only field" });
  assert.equal((await focused()).id, `${id}:amount`, "focus stays in the refund field");
  await refunded(1);
  assert.equal(await open(), false);
  assert.equal((await focused()).id, `${id}:amount`, "focus is still in the refund field");
  assert.equal(await tx.locator(".remaining").textContent(), "$2.75");
  await page.keyboard.type("1.5");
  await page.keyboard.press("Tab");
  const button = await focused();
  assert.equal(button.outline, "solid");
  assert.equal(await page.evaluate(() => document.activeElement.matches("li.tx .refund-form button[type=submit]")), true);
  await page.keyboard.press("Space");
  assert.equal((await focused()).id, `${id}:amount`, "the focus waits in the field");
  await refunded(2);
  assert.equal(await tx.locator(".remaining").textContent(), "$1.25");
  assert.equal(await tx.locator(".refunded").textContent(), "$3.50");
  assert.equal((await focused()).id, `${id}:amount`);
  await page.keyboard.type("5");
  await page.keyboard.press("Enter");
  await waitFor(async () => /REFUND_EXCEEDS_BALANCE/.test(await tx.locator(".tx-msg").textContent()), { what: "the refusal" });
  assert.equal((await focused()).id, `${id}:amount`, "focus stays in the refund field");
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
