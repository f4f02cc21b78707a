// Scenario 2, the QR left to lapse: the cashier sets the shortest QR validity (60 s) in the
// settings dialog, charges, and nobody pays. The countdown ticks down on screen, the QR
// expires by itself at the acquirer (no control route), and the register shows CLOSED
// ("Expired"). Two registers at once: one with live updates (the acquirer's CLOSED push),
// one polling only (the library's confirming poll at expiry, announced in the status region).
//
// This file runs on its own proxy, beside the other files (scripts/test-e2e.sh runs two
// files at a time): its minute of waiting does not add to the suite's time, and the other
// files' sandbox faults cannot touch it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  browser,
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
  waitFor,
} from "./lib/register.mjs";

let proxy;
let b;
before(async () => {
  proxy = await proxyUnderTest({ own: true });
  b = await browser();
});
after(async () => {
  await b?.close();
  await proxy?.stop();
});

const SETTINGS_KEY = "pingpong-qr-demo:settings";

/** A register whose cashier set a 60 s QR validity (and live updates on or off) in Settings. */
async function registerWith60s({ push }) {
  const reg = await openRegister(b, proxy.url);
  const { page } = reg;
  await page.click("#settings-open");
  // Under the minimum, the dialog refuses to save: nothing is stored.
  await page.fill("#set-expiry", "59");
  await page.click("#settings-save");
  assert.equal(await page.evaluate(() => document.getElementById("settings").open), true, "59 s is refused");
  assert.equal(await page.evaluate(() => document.getElementById("set-expiry").validity.rangeUnderflow), true);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), SETTINGS_KEY), null);
  await page.fill("#set-expiry", "60");
  if (!push) await page.uncheck("#set-push");
  await Promise.all([page.waitForEvent("load"), page.click("#settings-save")]);
  await ready(page);
  const stored = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), SETTINGS_KEY));
  assert.equal(stored.expiresInSeconds, 60);
  assert.equal(stored.push, push);
  return reg;
}

/** Records every text the countdown and the status region take, with the time. */
function recordQrScreen(page) {
  return page.evaluate(() => {
    const seen = (window.__seen = { countdown: [], status: [], soon: false });
    const countdown = document.getElementById("countdown");
    const status = document.getElementById("status");
    new MutationObserver(() => {
      const text = countdown.textContent;
      if (seen.countdown.at(-1)?.text !== text) seen.countdown.push({ text, at: Date.now() });
      if (countdown.classList.contains("soon")) seen.soon = true;
    }).observe(countdown, { childList: true, characterData: true, subtree: true, attributes: true });
    new MutationObserver(() => {
      const text = status.textContent;
      if (seen.status.at(-1)?.text === text) return;
      seen.status.push({
        text,
        qrGreyed: document.getElementById("qr-box").classList.contains("closed"),
        walletDisabled: document.getElementById("wallet").disabled,
      });
    }).observe(status, { childList: true, characterData: true, subtree: true });
  });
}

const seconds = (text) => {
  const [m, s] = text.split(":").map(Number);
  return m * 60 + s;
};

/** The countdown ticked down once a second, in step with the clock, from 1:00 to the end. */
function assertTicked(name, samples) {
  const ticks = samples.filter((s) => /^\d+:\d\d$/.test(s.text)).map((s) => ({ left: seconds(s.text), at: s.at }));
  assert.ok(ticks.length >= 50, `${name}: ${ticks.length} distinct countdown values: ${ticks.map((t) => t.left)}`);
  assert.ok(ticks[0].left >= 58 && ticks[0].left <= 60, `${name}: starts at a minute, not ${ticks[0].left} s`);
  assert.ok(ticks.at(-1).left <= 1, `${name}: runs down to the end, not ${ticks.at(-1).left} s`);
  for (let i = 1; i < ticks.length; i++) {
    assert.ok(ticks[i].left < ticks[i - 1].left, `${name}: only goes down (${ticks[i - 1].left} then ${ticks[i].left})`);
    const shown = ticks[0].left - ticks[i].left;
    const elapsed = (ticks[i].at - ticks[0].at) / 1000;
    assert.ok(Math.abs(shown - elapsed) <= 1.5, `${name}: ${shown} s counted down in ${elapsed} s`);
  }
}

test("a 60 s QR nobody pays lapses by itself: the countdown runs out and the register shows Expired", async () => {
  const live = await registerWith60s({ push: true });
  const polling = await registerWith60s({ push: false });
  const registers = [
    { name: "live updates", reg: live, amount: "6" },
    { name: "polling only", reg: polling, amount: "7.5" },
  ];
  for (const r of registers) {
    const { page } = r.reg;
    // The status region is announced politely, as a whole.
    assert.equal(await page.getAttribute("#status", "role"), "status");
    assert.equal(await page.getAttribute("#status", "aria-live"), "polite");
    assert.equal(await page.getAttribute("#status", "aria-atomic"), "true");
    await recordQrScreen(page);
    await keypad(page, r.amount);
    await page.click("#charge");
    r.id = await qrShown(page);
    r.shownAt = Date.now();
    r.walletUrl = await readQr(page);
    assert.match(await page.textContent("#countdown"), /^(1:00|0:5\d)$/, `${r.name}: a 60 s QR`);
  }
  assert.equal(await live.page.getAttribute("#conn", "data-live"), "true");
  assert.equal(await polling.page.getAttribute("#conn", "data-live"), "false");

  // Half-way: the bar shows the time left.
  const { page } = live;
  await waitFor(async () => seconds(await page.textContent("#countdown")) <= 40, { timeoutMs: 30_000, what: "0:40" });
  const half = await page.evaluate(() => ({
    left: document.getElementById("countdown").textContent,
    width: parseFloat(document.getElementById("progress-bar").style.width),
  }));
  assert.ok(Math.abs(half.width - (100 * seconds(half.left)) / 60) <= 5, JSON.stringify(half));
  assert.equal(await page.getAttribute("#till", "data-screen"), "qr", "still waiting");
  await screenshot(page, "2-lapse-countdown");

  for (const r of registers) {
    await result(r.reg.page, "CLOSED", 60_000);
    r.closedAt = Date.now();
  }
  for (const r of registers) {
    const p = r.reg.page;
    assert.ok(r.closedAt - r.shownAt >= 58_000, `${r.name}: closed after ${r.closedAt - r.shownAt} ms, not before the minute`);
    assert.equal(await p.textContent("#result-title"), "Expired");
    assert.match(await p.textContent("#result-detail"), /expired before the customer paid\. Nothing was charged/);
    assert.equal(await p.isHidden("#result-late"), true);
    assert.equal(await p.evaluate(() => document.activeElement.id), "result-title", "focus moves to the result");
    await waitFor(async () => (await row(p, r.id).getAttribute("data-state")) === "CLOSED", { what: "history says CLOSED" });

    const seen = await p.evaluate(() => window.__seen);
    assertTicked(r.name, seen.countdown);
    assert.equal(seen.soon, true, `${r.name}: the countdown is marked in its last 30 s`);
    const said = seen.status.map((s) => s.text);
    assert.deepEqual(said.slice(0, 2), ["Creating the QR code…", "Waiting for the customer to scan and pay…"], `${r.name}: ${said}`);

    // The acquirer closed it by itself, at the minute it was given: the proxy sends the
    // deadline in whole seconds (its own clock at the create, truncated, plus 60 s), so it
    // is compared with the proxy's creation time, not with the sandbox's, which comes a
    // journal write and a call later (up to a second off, once measured 58998 ms).
    const order = await sandboxOrder(proxy.url, r.id);
    assert.equal(order.status, "CLOSED");
    const view = await fetch(`${proxy.url}/v1/payments/${encodeURIComponent(r.id)}`, {
      headers: { authorization: "Bearer demo-token" },
    }).then((res) => res.json());
    assert.equal(order.expiresAtMs, Math.floor(view.createdAt / 1000) * 1000 + 60_000, "the deadline the proxy gave");
    assert.ok(order.endedAtMs >= order.expiresAtMs, "closed at expiry, not before");
    assert.equal(order.attempts.length, 1);
    // And the consumer can no longer pay it.
    assert.equal((await fetch(`${r.walletUrl}/pay`, { method: "POST" })).status, 409);
  }
  // Polling only, the expiry is announced while the library confirms it with the proxy,
  // the QR greyed out and the wallet button off.
  const confirming = (await polling.page.evaluate(() => window.__seen.status)).find(
    (s) => s.text === "The QR code expired: confirming with PingPong…",
  );
  assert.ok(confirming, "the status region says the QR expired");
  assert.deepEqual(confirming, { text: confirming.text, qrGreyed: true, walletDisabled: true });
  await screenshot(live.page, "2-lapse-expired");

  for (const r of registers) {
    r.reg.errors.check();
    await r.reg.close();
  }
});
