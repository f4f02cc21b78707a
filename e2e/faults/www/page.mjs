// Loaded by index.html, served by the proxy (`--www e2e/faults/www`), with the library from
// the proxy's /pkg/. Exposes `window.faults` for the node tests, which drive it through
// page.evaluate: one Register per page, its hook calls and wait updates recorded, and
// promises kept by number so that a test can start a wait and read its outcome later.
import init, * as lib from "/pkg/index.js";

await init();

const results = new Map();
let next = 0;

function plainError(e) {
  return {
    name: e?.name ?? null,
    code: e?.code ?? null,
    message: String(e?.message ?? e),
    isPingPongError: e instanceof lib.PingPongError,
    merchantTransactionId: e?.merchantTransactionId ?? null,
    merchantRefundId: e?.merchantRefundId ?? null,
  };
}

window.faults = {
  lib,
  /** The page's Register (see open). */
  register: null,
  /** onPaymentFinal / onLateSuccess calls, and every onUpdate of the waits started here. */
  log: { final: [], late: [], updates: [] },

  /** Creates the page's Register; the hooks and waits record into `log`. */
  open(options) {
    this.register = new lib.Register({
      ...options,
      onPaymentFinal: (p) => this.log.final.push(p),
      onLateSuccess: (p) => this.log.late.push(p),
    });
    return true;
  },

  /** onUpdate for waits: records the id, status and source of each update. */
  onUpdate(view, source) {
    window.faults.log.updates.push({
      merchantTransactionId: view.merchantTransactionId,
      merchantRefundId: view.merchantRefundId ?? null,
      status: view.status,
      source,
    });
  },

  /** Keeps `promise` under a number; `result(n)` reads whether and how it settled. */
  track(promise) {
    const n = ++next;
    const r = { settled: false, value: null, error: null };
    results.set(n, r);
    promise.then(
      (value) => Object.assign(r, { settled: true, value }),
      (e) => Object.assign(r, { settled: true, error: plainError(e) }),
    );
    return n;
  },

  result(n) {
    return results.get(n) ?? null;
  },
};

window.faultsReady = true;
