// The demo register: amount entry, QR payment, result, history with refunds. Plain DOM over
// the pingpong-qr library (../pkg): every payment fact comes from the library (its journal,
// its waits); this module only shows them and turns keys and clicks into calls.
import init, { Register, PingPongError, PaymentStatus, RefundStatus, ErrorCode } from "../pkg/index.js";
import { STRINGS } from "./strings.js";

const LANG_KEY = "pingpong-qr-demo:lang";
const SETTINGS_KEY = "pingpong-qr-demo:settings";
const DISMISSED_KEY = "pingpong-qr-demo:dismissed";
let lang = localStorage.getItem(LANG_KEY) === "zh" ? "zh" : "en";

/** The string `key` (dotted path) in the current language, with `{name}` filled from `vars`. */
function t(key, vars = {}) {
  let v = key.split(".").reduce((o, k) => (o == null ? o : o[k]), STRINGS[lang]);
  if (v == null) v = key.split(".").reduce((o, k) => (o == null ? o : o[k]), STRINGS.en) ?? key;
  return String(v).replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? ""));
}

const locale = () => (lang === "zh" ? "zh-CN" : "en-US");

// ── money and time ───────────────────────────────────────────────────────────────────────
/** Currencies offered, with their decimals (ISO 4217 exponents, as pingpong-protocol has them). */
const CURRENCIES = { CNY: 2, USD: 2, HKD: 2, EUR: 2, GBP: 2, JPY: 0 };

/** `amount` (a decimal string) in `currency`, formatted for people ("$12.50", "¥1,000"). */
function money(amount, currency) {
  const decimals = CURRENCIES[currency] ?? 2;
  try {
    return new Intl.NumberFormat(locale(), {
      style: "currency",
      currency,
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A decimal string as an integer of minor units (exact; no floats). */
function toMinor(amount, decimals) {
  const [int, frac = ""] = String(amount).split(".");
  return BigInt(int || "0") * 10n ** BigInt(decimals) + BigInt((frac + "0".repeat(decimals)).slice(0, decimals) || "0");
}

/** Minor units back to a decimal string with `decimals` places. */
function fromMinor(minor, decimals) {
  if (decimals === 0) return minor.toString();
  const s = minor.toString().padStart(decimals + 1, "0");
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

/** A time of day, e.g. "7:02 PM" / "19:02"; `seconds` adds them. */
function clock(ms, seconds = false) {
  const o = { hour: "numeric", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) };
  return new Intl.DateTimeFormat(locale(), o).format(ms);
}

/** "4:59", or "1:04:59" from an hour up. */
function countdown(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

const methodName = (method) => t(method === "WECHAT" ? "wechat" : "alipay");
const shortId = (id) => (id && id.length > 12 ? `…${id.slice(-8)}` : id ?? "");

// ── settings ─────────────────────────────────────────────────────────────────────────────
const DEFAULTS = Object.freeze({ proxyUrl: location.origin, token: "demo-token", expiresInSeconds: 300, push: true });

function loadSettings() {
  try {
    const s = JSON.parse(localStorage.getItem(SETTINGS_KEY) || "{}");
    return {
      proxyUrl: typeof s.proxyUrl === "string" && s.proxyUrl ? s.proxyUrl : DEFAULTS.proxyUrl,
      token: typeof s.token === "string" && s.token ? s.token : DEFAULTS.token,
      expiresInSeconds: Number.isInteger(s.expiresInSeconds) ? s.expiresInSeconds : DEFAULTS.expiresInSeconds,
      push: typeof s.push === "boolean" ? s.push : DEFAULTS.push,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

const settings = loadSettings();

/** Payments the cashier moved away from (Cancel): a reload does not put them back on screen. */
const dismissed = new Set((() => {
  try {
    return JSON.parse(localStorage.getItem(DISMISSED_KEY) || "[]");
  } catch {
    return [];
  }
})());

function dismiss(id) {
  if (!id) return;
  dismissed.add(id);
  localStorage.setItem(DISMISSED_KEY, JSON.stringify([...dismissed].slice(-200)));
}

// ── DOM ──────────────────────────────────────────────────────────────────────────────────
const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
};

/** Fills every static `data-i18n` / `data-i18n-aria` element and the language toggle. */
function applyStrings() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("brand");
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of document.querySelectorAll("[data-i18n-aria]")) e.setAttribute("aria-label", t(e.dataset.i18nAria));
  const toggle = $("lang");
  toggle.textContent = t("langSwitch");
  toggle.lang = lang === "zh" ? "en" : "zh-CN";
  toggle.setAttribute("aria-label", t("langSwitchLabel"));
  const select = $("currency");
  const names = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames([locale()], { type: "currency" }) : null;
  for (const option of select.options) option.textContent = `${option.value} · ${names ? names.of(option.value) : option.value}`;
}

// ── errors and notices ───────────────────────────────────────────────────────────────────
/** Plain words for an error, and its stable code. */
function describe(error) {
  const code = error instanceof PingPongError ? error.code : error && error.code ? String(error.code) : "UNEXPECTED";
  const words = STRINGS[lang].errors[code] ?? STRINGS.en.errors[code];
  return { code, text: words ?? (error && error.message) ?? t("errors.UNEXPECTED"), message: error && error.message };
}

function showError(error) {
  const { code, text, message } = describe(error);
  $("error-text").textContent = text;
  $("error-code").textContent = code;
  $("error").title = message || "";
  $("error").dataset.code = code;
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
  delete $("error").dataset.code;
}

function notice(text, kind = "warn") {
  const close = el("button", { class: "ghost small", type: "button", text: t("dismiss") });
  const n = el("div", { class: `notice ${kind}`, role: "alert" }, el("p", { text }), close);
  close.addEventListener("click", () => n.remove());
  $("notices").prepend(n);
  return n;
}

// ── the register ─────────────────────────────────────────────────────────────────────────
let register = null;

/** What the till shows: one payment at a time. */
const session = {
  screen: "entry",
  id: null, // merchantTransactionId on screen
  request: null, // { amount, currency, method }
  payment: null, // the last view of it
  controller: null, // aborts its wait (Cancel)
  drawn: null, // the QR text drawn on the canvas
  result: null, // { kind, payment, reason, late }
};

function show(screen) {
  session.screen = screen;
  for (const s of ["entry", "qr", "result"]) $(`screen-${s}`).hidden = s !== screen;
  $("settings-open").disabled = screen === "qr";
  $("till").dataset.merchantTransactionId = session.id ?? "";
  $("till").dataset.screen = screen;
  renderHistory();
}

// ── amount entry ─────────────────────────────────────────────────────────────────────────
const entry = { typed: "", currency: "USD", method: "ALIPAY" };
const decimals = () => CURRENCIES[entry.currency];

function press(key) {
  let s = entry.typed;
  if (key === "back") s = s.slice(0, -1);
  else if (key === "clear") s = "";
  else if (key === ".") {
    if (decimals() > 0 && !s.includes(".")) s = (s || "0") + ".";
  } else if (/^[0-9]$/.test(key)) {
    const [int, frac] = s.split(".");
    if (frac !== undefined) {
      if (frac.length < decimals()) s += key;
    } else if (int === "0") s = key;
    else if (int.length < 9) s += key;
  }
  entry.typed = s;
  renderAmount();
}

/** The typed amount with exactly the currency's decimals ("12.50", "1000"). */
function amountText() {
  const d = decimals();
  const [int, frac = ""] = entry.typed.split(".");
  return d ? `${int || "0"}.${frac.padEnd(d, "0")}` : int || "0";
}

function renderAmount() {
  const d = decimals();
  const typed = entry.typed || "0";
  const [, frac] = typed.split(".");
  let rest = "";
  if (d > 0) rest = frac === undefined ? `.${"0".repeat(d)}` : "0".repeat(d - frac.length);
  $("amount-ccy").textContent = entry.currency;
  $("amount-typed").textContent = typed;
  $("amount-rest").textContent = rest;
  $("amount").setAttribute("aria-label", money(amountText(), entry.currency));
  $("charge-amount").textContent = money(amountText(), entry.currency);
  $("key-dot").disabled = d === 0;
}

function setCurrency(currency) {
  entry.currency = currency;
  const [int, frac] = entry.typed.split(".");
  if (frac !== undefined) entry.typed = decimals() ? `${int}.${frac.slice(0, decimals())}` : int;
  renderAmount();
}

// ── charging ─────────────────────────────────────────────────────────────────────────────
async function charge() {
  if (session.screen !== "entry") return;
  clearError();
  if (!register) {
    showError({ code: ErrorCode.INVALID_CONFIG });
    return;
  }
  const request = { amount: amountText(), currency: entry.currency, method: entry.method };
  const controller = new AbortController();
  Object.assign(session, { id: null, request, payment: null, controller, drawn: null, result: null });
  showQr(t("creating"));
  let payment;
  try {
    payment = await register.startPayment({ ...request, expiresInSeconds: settings.expiresInSeconds, signal: controller.signal });
  } catch (e) {
    renderHistory();
    const id = e instanceof PingPongError ? e.merchantTransactionId : undefined;
    let open = false;
    try {
      open = Boolean(id) && register.pendingPayments().some((p) => p.merchantTransactionId === id);
    } catch {
      // Storage unreadable: judge by the error alone.
    }
    if (e instanceof PingPongError && e.code === ErrorCode.ABORTED) {
      dismiss(id);
      session.id = id ?? null;
      showResult("STOPPED", null);
    } else if (open) {
      // Sent, outcome unknown: journaled by the library, followed until known (back to the
      // QR screen if the order turns out to exist and is open).
      session.id = id;
      showResult("UNKNOWN", null, describe(e));
      session.controller = controller;
      follow(id, controller);
    } else {
      session.id = null;
      show("entry");
      showError(e);
      $("charge").focus();
    }
    return;
  }
  session.id = payment.merchantTransactionId;
  $("till").dataset.merchantTransactionId = session.id;
  onPayment(payment);
  renderHistory();
  follow(payment.merchantTransactionId, controller);
}

/** Waits for payment `id` to end and shows the end, if it is still the one on screen. */
async function follow(id, controller) {
  try {
    const done = await register.waitForPayment(id, {
      signal: controller.signal,
      onUpdate: (p) => {
        if (session.id === id && session.screen === "result" && session.result.kind === "UNKNOWN" && p.qrCode) {
          const controller = session.controller;
          if (p.status === PaymentStatus.PROCESSING && controller) {
            showQr(t("waiting"));
            session.controller = controller;
          }
        }
        if (session.id === id && session.screen === "qr") onPayment(p);
        renderHistory();
      },
    });
    renderHistory();
    if (session.id === id && session.screen !== "entry" && !session.result?.late) showResult(done.status, done);
  } catch (e) {
    renderHistory();
    if (session.id !== id) return;
    if (e instanceof PingPongError && e.code === ErrorCode.ABORTED) {
      dismiss(id);
      showResult("STOPPED", session.payment);
    } else {
      showResult("UNKNOWN", session.payment, describe(e));
      showError(e);
    }
  }
}

function showQr(statusText) {
  show("qr");
  const { amount, currency, method } = session.request;
  $("qr-amount").textContent = money(amount, currency);
  $("qr-method").textContent = t("scanWith", { method: methodName(method) });
  $("qr-method").className = `qr-method ${method === "WECHAT" ? "wechat" : "alipay"}`;
  $("qr-box").classList.remove("closed");
  const canvas = $("qr");
  canvas.hidden = true;
  $("qr-wait").hidden = false;
  $("qr-wait-text").textContent = statusText;
  $("status").textContent = statusText;
  $("countdown").textContent = "–";
  $("progress-bar").style.width = "100%";
  $("wallet").disabled = true;
  $("qr-title").focus();
}

/** Takes in a view of the payment on screen: draws its QR once it has one. */
function onPayment(p) {
  session.payment = p;
  const open = p.status === PaymentStatus.PROCESSING || p.status === PaymentStatus.INIT;
  if (open && p.qrCode && p.qrCode !== session.drawn) {
    const canvas = $("qr");
    const box = $("qr-box").parentElement.clientWidth;
    register.renderQr(canvas, p, { size: Math.max(200, Math.min(320, box - 24)) });
    canvas.hidden = false;
    $("qr-wait").hidden = true;
    session.drawn = p.qrCode;
  }
  $("wallet").disabled = !(open && p.qrCode);
  if (open && $("status").textContent === t("creating")) $("status").textContent = t("waiting");
  tick();
}

function cancel() {
  if (session.screen !== "qr" || !session.controller) return;
  session.controller.abort();
}

function openWallet() {
  const url = session.payment && session.payment.qrCode;
  if (url) window.open(url, "pingpong-wallet", "popup,width=460,height=760");
}

/** Updates the countdown (on the proxy's clock, from the library) every quarter second. */
function tick() {
  if (session.screen !== "qr" || !session.payment || !register) return;
  const p = session.payment;
  const left = register.msUntilExpiry(p);
  if (left == null) return;
  $("countdown").textContent = countdown(left);
  $("countdown").classList.toggle("soon", left < 30_000);
  const total = p.qrCodeExpiredAt - p.createdAt;
  $("progress-bar").style.width = `${total > 0 ? Math.max(0, Math.min(100, (100 * left) / total)) : 0}%`;
  if (left <= 0 && p.status === PaymentStatus.PROCESSING) {
    $("qr-box").classList.add("closed");
    $("wallet").disabled = true;
    if ($("status").textContent !== t("expiredConfirming")) $("status").textContent = t("expiredConfirming");
  }
}

// ── result ───────────────────────────────────────────────────────────────────────────────
/** Result icons: SVG paths on a 24-unit grid, stroked (no font needed). */
const ICONS = {
  SUCCESS: "M5 12.5l4.5 4.5L19 7.5",
  FAILED: "M7 7l10 10M17 7L7 17",
  CLOSED: "M12 3.5a8.5 8.5 0 1 0 0 17a8.5 8.5 0 1 0 0-17M12 7.5V12l3 2",
  CANCEL: "M6.5 12h11",
  STOPPED: "M9.5 7v10M14.5 7v10",
  UNKNOWN: "M9.2 9.2a2.9 2.9 0 1 1 4.3 2.5c-.9.5-1.5 1.1-1.5 2.1v.6M12 17.6v.2",
};

function icon(path) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}

/** The final screen: `kind` is a final payment status, STOPPED (the cashier cancelled) or UNKNOWN. */
function showResult(kind, payment, reason = null, late = false) {
  if (!(kind in ICONS)) kind = "UNKNOWN";
  session.result = { kind, payment, reason, late };
  session.controller = null;
  const first = session.screen !== "result";
  show("result");
  renderResult();
  if (first) $("result-title").focus();
}

function renderResult() {
  const { kind, payment, reason, late } = session.result;
  const request = session.request ?? payment ?? {};
  const amount = payment ? payment.amount : request.amount;
  const currency = payment ? payment.currency : request.currency;
  const [title, detail] = STRINGS[lang].result[kind];
  const expiry = payment && payment.qrCodeExpiredAt ? clock(Date.now() + (register.msUntilExpiry(payment) ?? 0)) : "—";
  $("screen-result").dataset.kind = kind;
  $("result-icon").replaceChildren(icon(ICONS[kind]));
  $("result-title").textContent = title;
  $("result-amount").textContent = amount ? money(amount, currency) : "";
  $("result-detail").textContent = detail
    .replace("{amount}", amount ? money(amount, currency) : "")
    .replace("{time}", expiry)
    .replace("{reason}", reason ? `${reason.text} ${reason.code}` : "");
  $("result-id").textContent = session.id ? `${t("order")} ${session.id}` : "";
  $("result-late").hidden = !late;
  if (late) $("result-late").textContent = lateText(payment);
}

function lateText(p) {
  return t("late", { amount: money(p.amount, p.currency), method: methodName(p.method), id: p.merchantTransactionId });
}

function newSale() {
  if (session.screen === "qr") return;
  // A payment whose outcome is still unknown keeps being followed: report its success.
  if (session.result && session.result.kind === "UNKNOWN" && session.id) background.add(session.id);
  Object.assign(session, { id: null, request: null, payment: null, controller: null, drawn: null, result: null });
  entry.typed = "";
  renderAmount();
  show("entry");
  renderHistory();
  $("charge").focus();
}

function onLateSuccess(p) {
  renderHistory();
  if (session.id === p.merchantTransactionId && session.screen === "result") {
    showResult(PaymentStatus.SUCCESS, p, null, true);
  } else {
    notice(lateText(p)).dataset.merchantTransactionId = p.merchantTransactionId;
  }
}

/** Payments followed off screen (resumed after a reload): their success gets a notice. */
const background = new Set();

function onPaymentFinal(p) {
  renderHistory();
  if (p.status === PaymentStatus.SUCCESS && background.has(p.merchantTransactionId) && session.id !== p.merchantTransactionId) {
    notice(t("paidElsewhere", { amount: money(p.amount, p.currency), id: p.merchantTransactionId }), "ok");
  }
}

// ── history ──────────────────────────────────────────────────────────────────────────────
const rows = new Map();
const refundMessages = new Map(); // merchantTransactionId → { key, vars } or { error }

function historyRow(id) {
  const amount = el("span", { class: "tx-amount" });
  const badge = el("span", { class: "badge" });
  const meta = el("div", { class: "tx-meta" });
  const input = el("input", { name: "amount", inputmode: "decimal", autocomplete: "off", spellcheck: "false" });
  const label = el("span");
  const button = el("button", { class: "secondary", type: "submit" });
  const form = el("form", { class: "refund-form" }, el("label", { class: "field" }, label, input), button);
  const balance = el("p", { class: "balance" });
  const refunds = el("ul", { class: "refunds" });
  const msg = el("p", { class: "tx-msg", role: "status" });
  const refundBox = el("div", { class: "tx-refund" }, balance, form, refunds, msg);
  const li = el("li", { class: "tx", "data-id": id }, el("div", { class: "tx-head" }, amount, badge), meta, refundBox);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    // The keyboard focus waits in the field (the button is disabled while the refund is open).
    input.focus();
    refund(id, input);
  });
  return { li, amount, badge, meta, input, label, button, form, balance, refunds, msg, refundBox };
}

function renderHistory() {
  if (!register) return;
  let entries;
  try {
    entries = register.history();
  } catch (e) {
    showError(e);
    return;
  }
  const list = $("history-list");
  $("history-empty").hidden = entries.length > 0;
  $("history-count").textContent = entries.length ? t(entries.length === 1 ? "countOne" : "countMany", { n: entries.length }) : "";
  const seen = new Set();
  entries.forEach((h, i) => {
    seen.add(h.merchantTransactionId);
    let row = rows.get(h.merchantTransactionId);
    if (!row) {
      row = historyRow(h.merchantTransactionId);
      rows.set(h.merchantTransactionId, row);
    }
    if (list.children[i] !== row.li) list.insertBefore(row.li, list.children[i] ?? null);
    fillRow(row, h);
  });
  for (const [id, row] of rows) {
    if (!seen.has(id)) {
      row.li.remove();
      rows.delete(id);
    }
  }
}

function fillRow(row, h) {
  const p = h.payment;
  const currency = p ? p.currency : h.currency;
  const d = CURRENCIES[currency] ?? 2;
  row.li.classList.toggle("current", session.id === h.merchantTransactionId && session.screen === "qr");
  row.li.dataset.state = h.state;
  row.amount.textContent = money(p ? p.amount : h.amount, currency);
  row.badge.className = `badge ${h.state}`;
  row.badge.textContent = t(`status.${h.state}`);
  row.meta.replaceChildren(
    el("span", { text: methodName(h.method) }),
    el("span", { text: clock(h.createdAt) }),
    el("span", { class: "mono", title: h.merchantTransactionId, text: shortId(h.merchantTransactionId) }),
    ...(p && p.lateSuccess ? [el("span", { class: "late-tag", text: t("paidLate") })] : []),
  );
  const paid = h.state === PaymentStatus.SUCCESS;
  row.refundBox.hidden = !paid && h.refunds.length === 0;
  if (row.refundBox.hidden) return;
  const refunded = h.refunds
    .filter((r) => r.state === RefundStatus.SUCCESS)
    .reduce((sum, r) => sum + toMinor(r.refund ? r.refund.amount : r.amount, d), 0n);
  const remaining = h.refundableAmount ?? "0";
  row.balance.replaceChildren(
    `${t("refunded")} `,
    el("b", { class: "refunded", text: money(fromMinor(refunded, d), currency) }),
    " · ",
    `${t("remaining")} `,
    el("b", { class: "remaining", "data-amount": remaining, text: money(remaining, currency) }),
  );
  const open = h.refunds.some((r) => !(r.state === RefundStatus.SUCCESS || r.state === RefundStatus.FAILED));
  const left = toMinor(remaining, d) > 0n;
  row.form.hidden = !paid || !left;
  row.label.textContent = t("refundAmount");
  row.input.placeholder = remaining;
  // Read-only, not disabled, while a refund is open: a disabled field would drop the
  // keyboard focus of the cashier who just pressed Enter in it.
  row.input.readOnly = open;
  row.button.disabled = open;
  row.button.textContent = t("refund");
  row.refunds.replaceChildren(
    ...h.refunds.map((r) =>
      el(
        "li",
        { "data-refund-id": r.merchantRefundId, "data-state": r.state },
        el("span", { class: "amt", text: money(r.refund ? r.refund.amount : r.amount, currency) }),
        el("span", { class: "mono small", title: r.merchantRefundId, text: shortId(r.merchantRefundId) }),
        el("span", { class: `badge ${r.state}`, text: t(`refundStatus.${r.state}`) }),
      ),
    ),
  );
  const m = refundMessages.get(h.merchantTransactionId);
  row.msg.classList.toggle("bad", Boolean(m && m.error && !open));
  if (open) row.msg.textContent = t("refundWait");
  else if (m && m.error) {
    const { text, code } = describe(m.error);
    row.msg.replaceChildren(`${text} `, el("code", { text: code }));
  } else if (m) row.msg.textContent = t(m.key, m.vars);
  else row.msg.textContent = paid && !left ? t("notRefundable") : "";
}

async function refund(id, input) {
  const amount = input.value.trim();
  refundMessages.delete(id);
  let r;
  try {
    r = await register.refund(id, { amount });
  } catch (e) {
    refundMessages.set(id, { error: e });
    renderHistory();
    input.focus();
    return;
  }
  input.value = "";
  const shown = (v) => ({ amount: money(v.amount, v.currency) });
  refundMessages.set(id, { key: "refundStarted", vars: shown(r) });
  renderHistory();
  followRefund(id, r.merchantRefundId, shown);
}

async function followRefund(id, refundId, shown = (v) => ({ amount: money(v.amount, v.currency) })) {
  try {
    const done = await register.waitForRefund(id, refundId, { onUpdate: () => renderHistory() });
    refundMessages.set(id, { key: done.status === RefundStatus.SUCCESS ? "refundDone" : "refundFailed", vars: shown(done) });
  } catch (e) {
    refundMessages.set(id, { error: e });
  }
  renderHistory();
}

// ── reload: resume what the last page left open ──────────────────────────────────────────
const OPEN = new Set(["SENDING", "UNKNOWN", PaymentStatus.INIT, PaymentStatus.PROCESSING]);

function resumePending() {
  const pending = register.pendingPayments();
  const open = pending.filter((p) => OPEN.has(p.state) && !dismissed.has(p.merchantTransactionId));
  const current = open.at(-1); // the newest open payment goes back on screen
  for (const p of pending) {
    for (const refundId of p.pendingRefunds) followRefund(p.merchantTransactionId, refundId);
    if (p !== current && open.includes(p)) {
      background.add(p.merchantTransactionId);
      follow(p.merchantTransactionId, new AbortController());
    }
  }
  if (!current) return false;
  const controller = new AbortController();
  Object.assign(session, {
    id: current.merchantTransactionId,
    request: { amount: current.amount, currency: current.currency, method: current.method },
    payment: null,
    controller,
    drawn: null,
    result: null,
  });
  showQr(t("checking"));
  $("till").dataset.merchantTransactionId = session.id;
  if (current.payment) onPayment(current.payment);
  $("status").textContent = t("resumed");
  follow(current.merchantTransactionId, controller);
  return true;
}

// ── settings dialog ──────────────────────────────────────────────────────────────────────
function openSettings() {
  $("set-proxy").value = settings.proxyUrl;
  $("set-token").value = settings.token;
  $("set-expiry").value = String(settings.expiresInSeconds);
  $("set-push").checked = settings.push;
  $("settings").showModal();
}

function saveSettings(ev) {
  ev.preventDefault();
  const form = $("settings-form");
  if (!form.reportValidity()) return;
  const next = {
    proxyUrl: $("set-proxy").value.trim().replace(/\/+$/, ""),
    token: $("set-token").value.trim(),
    expiresInSeconds: Number($("set-expiry").value),
    push: $("set-push").checked,
  };
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(next));
  $("settings").close();
  location.reload(); // a fresh Register; the reload resumes whatever is pending
}

// ── keyboard ─────────────────────────────────────────────────────────────────────────────
function onKey(ev) {
  if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || $("settings").open) return;
  const target = ev.target;
  const typing = target instanceof HTMLElement && target.matches("input:not([type=radio]):not([type=checkbox]), select, textarea");
  const onButton = target instanceof HTMLButtonElement;
  if (session.screen === "entry") {
    if (typing) return;
    if (/^[0-9]$/.test(ev.key)) press(ev.key);
    else if (ev.key === "." || ev.key === ",") press(".");
    else if (ev.key === "Backspace") press("back");
    else if (ev.key === "Delete" || ev.key === "Escape") press("clear");
    else if (ev.key === "Enter" && !onButton) charge();
    else return;
    ev.preventDefault();
  } else if (typing) {
    // Keys in a field (a refund amount) belong to the field.
  } else if (session.screen === "qr" && ev.key === "Escape") {
    ev.preventDefault();
    cancel();
  } else if (session.screen === "result" && (ev.key === "Escape" || (ev.key === "Enter" && !onButton))) {
    ev.preventDefault();
    newSale();
  }
}

// ── start ────────────────────────────────────────────────────────────────────────────────
function wire() {
  const select = $("currency");
  for (const code of Object.keys(CURRENCIES)) select.append(el("option", { value: code, text: code }));
  select.value = entry.currency;
  select.addEventListener("change", () => setCurrency(select.value));
  for (const radio of document.querySelectorAll("input[name=method]")) {
    radio.addEventListener("change", () => {
      if (radio.checked) entry.method = radio.value;
    });
  }
  for (const key of document.querySelectorAll("#keypad [data-key]")) key.addEventListener("click", () => press(key.dataset.key));
  $("charge").addEventListener("click", charge);
  $("cancel").addEventListener("click", cancel);
  $("wallet").addEventListener("click", openWallet);
  $("new-sale").addEventListener("click", newSale);
  $("error-close").addEventListener("click", clearError);
  $("lang").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem(LANG_KEY, lang);
    applyStrings();
    renderAmount();
    if (session.screen === "qr" && session.request) {
      const { amount, currency, method } = session.request;
      $("qr-amount").textContent = money(amount, currency);
      $("qr-method").textContent = t("scanWith", { method: methodName(method) });
      $("status").textContent = t(session.payment ? "waiting" : "checking");
    }
    if (session.screen === "result") renderResult();
    if (!$("error").hidden) $("error-text").textContent = STRINGS[lang].errors[$("error").dataset.code] ?? $("error-text").textContent;
    renderHistory();
  });
  $("settings-open").addEventListener("click", openSettings);
  $("settings-cancel").addEventListener("click", () => $("settings").close());
  $("settings-reset").addEventListener("click", () => {
    $("set-proxy").value = DEFAULTS.proxyUrl;
    $("set-token").value = DEFAULTS.token;
    $("set-expiry").value = String(DEFAULTS.expiresInSeconds);
    $("set-push").checked = DEFAULTS.push;
  });
  $("settings-form").addEventListener("submit", saveSettings);
  document.addEventListener("keydown", onKey);
  window.addEventListener("storage", () => renderHistory());
  window.addEventListener("pagehide", () => register && register.close());
  setInterval(() => {
    tick();
    const live = Boolean(register && register.pushConnected);
    $("conn").dataset.live = String(live);
    $("conn-text").textContent = t(live ? "connLive" : "connPolling");
  }, 250);
}

async function main() {
  wire();
  applyStrings();
  renderAmount();
  show("entry");
  try {
    $("device").textContent = new URL(settings.proxyUrl).host;
  } catch {
    $("device").textContent = "";
  }
  try {
    await init();
  } catch {
    showError({ code: "NO_LIBRARY" });
    return;
  }
  try {
    register = new Register({
      proxyUrl: settings.proxyUrl,
      token: settings.token,
      push: settings.push,
      onLateSuccess,
      onPaymentFinal,
    });
  } catch (e) {
    showError(e);
    openSettings();
    return;
  }
  renderHistory();
  if (!resumePending()) $("charge").focus();
  document.body.dataset.ready = "true";
}

main();
