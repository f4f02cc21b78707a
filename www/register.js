// The demo register: amount entry, QR payment, result, history with refunds. Plain DOM over
// the pingpong-qr library (../pkg): every payment fact comes from the library (its journal,
// its waits); this module only shows them and turns keys and clicks into calls.
import init, { Register, PingPongError, PaymentStatus, RefundStatus, ErrorCode } from "../pkg/index.js";

// ── strings (English, Chinese) ───────────────────────────────────────────────────────────
const STRINGS = {
  en: {
    brand: "PingPong QR register",
    brandShort: "QR register",
    skipToTill: "Skip to the register",
    connLive: "Live",
    connPolling: "Polling",
    settings: "Settings",
    dismiss: "Dismiss",
    newSale: "New sale",
    amountLabel: "Amount",
    currency: "Currency",
    method: "Method",
    alipay: "Alipay",
    wechat: "WeChat Pay",
    keypad: "Amount keypad",
    backspace: "Delete last digit",
    clear: "Clear",
    charge: "Charge",
    entryHint: "Digits and . on the keyboard work too; Enter charges.",
    expiresIn: "QR valid for",
    openWallet: "Open consumer wallet",
    cancel: "Cancel",
    qrHint: "Esc cancels the wait. A payment made afterwards is still reported.",
    qrAlt: "QR code for the customer to scan",
    resultHint: "Enter or Esc starts a new sale.",
    history: "History",
    historyEmpty: "No payments yet. Enter an amount and charge.",
    proxyUrl: "Proxy URL",
    token: "Register token",
    expiry: "QR validity (seconds, 60–259200)",
    push: "Live updates (event stream)",
    settingsHint: "Stored in this browser. The token is this register's own credential.",
    reset: "Defaults",
    save: "Save",
    langSwitch: "中文",
    langSwitchLabel: "切换到中文",
    creating: "Creating the QR code…",
    waiting: "Waiting for the customer to scan and pay…",
    resumed: "Resumed after a reload: waiting for the customer…",
    checking: "Checking with PingPong…",
    expiredConfirming: "The QR code expired: confirming with PingPong…",
    scanWith: "Scan with {method}",
    paidStatus: "Paid",
    declinedStatus: "Declined",
    countOne: "{n} payment",
    countMany: "{n} payments",
    refunded: "Refunded",
    remaining: "Remaining",
    refundAmount: "Refund amount",
    refund: "Refund",
    refundWait: "Wait for the open refund to finish.",
    refundStarted: "Refund of {amount} sent.",
    refundDone: "Refund of {amount} succeeded.",
    refundFailed: "Refund of {amount} failed: nothing was returned.",
    paidLate: "paid late",
    notRefundable: "Nothing left to refund.",
    order: "Order",
    late: "Late payment: {amount} ({method}, order {id}) was paid after the register had stopped waiting for it. Hand over the goods, or refund it from the history.",
    paidElsewhere: "Payment of {amount} (order {id}) succeeded.",
    result: {
      SUCCESS: ["Paid", "The customer paid {amount}. Hand over the goods."],
      FAILED: ["Declined", "The customer's wallet declined the payment. Nothing was charged: ask for another way to pay, or charge again."],
      CLOSED: ["Expired", "The QR code expired before the customer paid. Nothing was charged."],
      CANCEL: ["Cancelled", "The payment was cancelled. Nothing was charged."],
      STOPPED: ["Stopped waiting", "The register stopped waiting. The QR code stays payable until {time}: if the customer still pays, the payment will be reported here and in the history."],
      UNKNOWN: ["Result unknown", "The register could not learn the outcome yet ({reason}). It keeps checking and never charges twice: the result will appear here and in the history."],
    },
    status: {
      SENDING: "Sending",
      UNKNOWN: "Unknown",
      INIT: "Created",
      PROCESSING: "Awaiting payment",
      SUCCESS: "Paid",
      FAILED: "Declined",
      CLOSED: "Expired",
      CANCEL: "Cancelled",
      AUTH_SUCCESS: "Authorised",
    },
    refundStatus: {
      SENDING: "Sending",
      UNKNOWN: "Unknown",
      ACCEPT_SUCCESS: "Accepted",
      PROCESSING: "Processing",
      SUCCESS: "Refunded",
      FAILED: "Failed",
    },
    errors: {
      INVALID_AMOUNT: "Enter an amount greater than zero, with no more decimals than the currency has.",
      INVALID_CURRENCY: "This currency is not supported.",
      INVALID_METHOD: "Choose Alipay or WeChat Pay.",
      INVALID_EXPIRY: "The QR validity must lie between 60 seconds and 3 days (see Settings).",
      INVALID_ID: "An order or refund number is not valid.",
      INVALID_REMARK: "The note is too long or holds characters that are not allowed.",
      INVALID_CONFIG: "The settings are not valid: check the proxy URL and the token.",
      INVALID_REQUEST: "The proxy did not understand the request.",
      UNAUTHORIZED: "The proxy refused this register's token: check it in Settings.",
      FORBIDDEN: "This payment belongs to another store.",
      NOT_FOUND: "The proxy does not know this payment.",
      ID_CONFLICT: "This order number was already used for another amount.",
      PAYMENT_NOT_REFUNDABLE: "Only a paid payment can be refunded.",
      REFUND_IN_PROGRESS: "Another refund of this payment is still processing: wait for it, then try again.",
      REFUND_EXCEEDS_BALANCE: "The refund is more than what remains refundable.",
      UPSTREAM_REJECTED: "PingPong refused the request.",
      UPSTREAM_UNAVAILABLE: "PingPong cannot be reached right now: try again in a moment.",
      UNKNOWN_OUTCOME: "No answer came from PingPong: the request may have gone through. The register keeps checking.",
      UPSTREAM_BAD_SIGNATURE: "PingPong's answer could not be verified: the register checks again.",
      UPSTREAM_INVALID_RESPONSE: "PingPong's answer was unreadable: the register checks again.",
      INTERNAL: "The proxy hit an internal error.",
      NETWORK: "The proxy cannot be reached: check the network.",
      TIMEOUT: "The proxy did not answer in time.",
      ABORTED: "Stopped.",
      INVALID_RESPONSE: "The proxy's answer was unreadable.",
      STORAGE: "This browser's storage is full or disabled: nothing could be recorded, so nothing was sent.",
      NO_LIBRARY: "The payment library could not load: build pkg/ (make demo) and reload.",
      UNEXPECTED: "Something unexpected went wrong.",
    },
  },
  zh: {
    brand: "PingPong 扫码收银台",
    brandShort: "扫码收银台",
    skipToTill: "跳到收银区",
    connLive: "实时",
    connPolling: "轮询",
    settings: "设置",
    dismiss: "关闭",
    newSale: "新交易",
    amountLabel: "金额",
    currency: "币种",
    method: "支付方式",
    alipay: "支付宝",
    wechat: "微信支付",
    keypad: "金额键盘",
    backspace: "删除最后一位",
    clear: "清除",
    charge: "收款",
    entryHint: "也可用键盘输入数字和小数点；回车键收款。",
    expiresIn: "二维码有效期",
    openWallet: "打开顾客钱包",
    cancel: "取消",
    qrHint: "Esc 键停止等待。之后若顾客付款，仍会通知您。",
    qrAlt: "供顾客扫描的二维码",
    resultHint: "回车或 Esc 键开始新交易。",
    history: "交易记录",
    historyEmpty: "暂无交易。请输入金额并收款。",
    proxyUrl: "代理服务器地址",
    token: "收银台令牌",
    expiry: "二维码有效期（秒，60–259200）",
    push: "实时更新（事件流）",
    settingsHint: "保存在本浏览器中。令牌是本收银台自己的凭证。",
    reset: "默认值",
    save: "保存",
    langSwitch: "English",
    langSwitchLabel: "Switch to English",
    creating: "正在生成二维码…",
    waiting: "等待顾客扫码付款…",
    resumed: "页面重新加载后已恢复：等待顾客付款…",
    checking: "正在向 PingPong 查询…",
    expiredConfirming: "二维码已过期：正在向 PingPong 确认…",
    scanWith: "请用{method}扫码",
    paidStatus: "已支付",
    declinedStatus: "已拒绝",
    countOne: "{n} 笔",
    countMany: "{n} 笔",
    refunded: "已退款",
    remaining: "可退余额",
    refundAmount: "退款金额",
    refund: "退款",
    refundWait: "请等待进行中的退款完成。",
    refundStarted: "已提交 {amount} 的退款。",
    refundDone: "{amount} 退款成功。",
    refundFailed: "{amount} 退款失败：未退回任何款项。",
    paidLate: "延迟支付",
    notRefundable: "已无可退金额。",
    order: "订单",
    late: "延迟付款：{amount}（{method}，订单 {id}）在收银台停止等待之后才支付。请交付商品，或在交易记录中退款。",
    paidElsewhere: "{amount} 的付款（订单 {id}）已成功。",
    result: {
      SUCCESS: ["已支付", "顾客已支付 {amount}。请交付商品。"],
      FAILED: ["已拒绝", "顾客的钱包拒绝了这笔付款，未扣任何款项。请换一种方式付款，或重新收款。"],
      CLOSED: ["已过期", "顾客付款前二维码已过期，未扣任何款项。"],
      CANCEL: ["已取消", "付款已取消，未扣任何款项。"],
      STOPPED: ["已停止等待", "收银台已停止等待。二维码在 {time} 前仍可支付：若顾客仍然付款，会在此处和交易记录中通知您。"],
      UNKNOWN: ["结果未知", "收银台暂时无法得知结果（{reason}）。系统会继续查询，绝不会重复扣款：结果将显示在此处和交易记录中。"],
    },
    status: {
      SENDING: "发送中",
      UNKNOWN: "未知",
      INIT: "已创建",
      PROCESSING: "待支付",
      SUCCESS: "已支付",
      FAILED: "已拒绝",
      CLOSED: "已过期",
      CANCEL: "已取消",
      AUTH_SUCCESS: "已授权",
    },
    refundStatus: {
      SENDING: "发送中",
      UNKNOWN: "未知",
      ACCEPT_SUCCESS: "已受理",
      PROCESSING: "处理中",
      SUCCESS: "已退款",
      FAILED: "失败",
    },
    errors: {
      INVALID_AMOUNT: "请输入大于零的金额，小数位数不能超过该币种的位数。",
      INVALID_CURRENCY: "不支持该币种。",
      INVALID_METHOD: "请选择支付宝或微信支付。",
      INVALID_EXPIRY: "二维码有效期必须在 60 秒到 3 天之间（见设置）。",
      INVALID_ID: "订单号或退款号无效。",
      INVALID_REMARK: "备注过长或含有不允许的字符。",
      INVALID_CONFIG: "设置无效：请检查代理服务器地址和令牌。",
      INVALID_REQUEST: "代理服务器无法理解该请求。",
      UNAUTHORIZED: "代理服务器拒绝了本收银台的令牌：请在设置中检查。",
      FORBIDDEN: "这笔付款属于其他门店。",
      NOT_FOUND: "代理服务器找不到这笔付款。",
      ID_CONFLICT: "该订单号已用于其他金额。",
      PAYMENT_NOT_REFUNDABLE: "只有已支付的付款才能退款。",
      REFUND_IN_PROGRESS: "这笔付款的另一笔退款仍在处理中：请等待完成后再试。",
      REFUND_EXCEEDS_BALANCE: "退款金额超过了可退余额。",
      UPSTREAM_REJECTED: "PingPong 拒绝了该请求。",
      UPSTREAM_UNAVAILABLE: "暂时无法连接 PingPong：请稍后再试。",
      UNKNOWN_OUTCOME: "PingPong 没有应答：请求可能已经生效。收银台会继续查询。",
      UPSTREAM_BAD_SIGNATURE: "无法验证 PingPong 的应答：收银台会重新查询。",
      UPSTREAM_INVALID_RESPONSE: "PingPong 的应答无法读取：收银台会重新查询。",
      INTERNAL: "代理服务器内部出错。",
      NETWORK: "无法连接代理服务器：请检查网络。",
      TIMEOUT: "代理服务器未及时应答。",
      ABORTED: "已停止。",
      INVALID_RESPONSE: "代理服务器的应答无法读取。",
      STORAGE: "浏览器存储已满或被禁用：无法记录，因此未发送任何请求。",
      NO_LIBRARY: "支付库无法加载：请构建 pkg/（make demo）后重新加载。",
      UNEXPECTED: "发生了意外错误。",
    },
  },
};

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
  row.input.disabled = open;
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
