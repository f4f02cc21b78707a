// Runtime pieces of pingpong-qr that must be JavaScript: the Error subclass, the constants,
// and the Web Locks / IndexedDB helpers. Imported by the wasm glue and re-exported by the
// package entry.

/** Every error of the library: `code` is stable (see ErrorCode). */
export class PingPongError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = "PingPongError";
    this.code = code;
    if (details) {
      for (const key of ["upstreamCode", "merchantTransactionId", "merchantRefundId"]) {
        if (details[key] != null) this[key] = details[key];
      }
    }
  }
}

/** Payment statuses, as `payment.status` holds them. */
export const PaymentStatus = Object.freeze({
  INIT: "INIT",
  PROCESSING: "PROCESSING",
  SUCCESS: "SUCCESS",
  FAILED: "FAILED",
  CLOSED: "CLOSED",
  CANCEL: "CANCEL",
  AUTH_SUCCESS: "AUTH_SUCCESS",
});

/** Refund statuses, as `refund.status` holds them. */
export const RefundStatus = Object.freeze({
  ACCEPT_SUCCESS: "ACCEPT_SUCCESS",
  PROCESSING: "PROCESSING",
  SUCCESS: "SUCCESS",
  FAILED: "FAILED",
});

/** Error codes, as `error.code` holds them. */
export const ErrorCode = Object.freeze({
  INVALID_REQUEST: "INVALID_REQUEST",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  BODY_TOO_LARGE: "BODY_TOO_LARGE",
  INVALID_AMOUNT: "INVALID_AMOUNT",
  INVALID_CURRENCY: "INVALID_CURRENCY",
  INVALID_METHOD: "INVALID_METHOD",
  INVALID_EXPIRY: "INVALID_EXPIRY",
  INVALID_ID: "INVALID_ID",
  INVALID_REMARK: "INVALID_REMARK",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  ID_CONFLICT: "ID_CONFLICT",
  PAYMENT_NOT_REFUNDABLE: "PAYMENT_NOT_REFUNDABLE",
  REFUND_IN_PROGRESS: "REFUND_IN_PROGRESS",
  REFUND_EXCEEDS_BALANCE: "REFUND_EXCEEDS_BALANCE",
  UPSTREAM_REJECTED: "UPSTREAM_REJECTED",
  UPSTREAM_UNAVAILABLE: "UPSTREAM_UNAVAILABLE",
  UNKNOWN_OUTCOME: "UNKNOWN_OUTCOME",
  UPSTREAM_BAD_SIGNATURE: "UPSTREAM_BAD_SIGNATURE",
  UPSTREAM_INVALID_RESPONSE: "UPSTREAM_INVALID_RESPONSE",
  UPSTREAM_ORDER_UNKNOWN: "UPSTREAM_ORDER_UNKNOWN",
  BUSY: "BUSY",
  NOTIFICATION_MISMATCH: "NOTIFICATION_MISMATCH",
  INTERNAL: "INTERNAL",
  INVALID_CONFIG: "INVALID_CONFIG",
  NETWORK: "NETWORK",
  TIMEOUT: "TIMEOUT",
  ABORTED: "ABORTED",
  INVALID_RESPONSE: "INVALID_RESPONSE",
  STORAGE: "STORAGE",
  UNRECOGNIZED: "UNRECOGNIZED",
});

/** @internal Builds a PingPongError (called from the wasm). */
export function makeError(code, message, upstreamCode, merchantTransactionId, merchantRefundId) {
  return new PingPongError(code, message, { upstreamCode, merchantTransactionId, merchantRefundId });
}

/** @internal Runs `f` under the Web Lock `name` (at once where Web Locks are missing). */
export function withLock(name, f) {
  const locks = globalThis.navigator && globalThis.navigator.locks;
  if (locks && typeof locks.request === "function") return locks.request(name, () => f());
  return Promise.resolve().then(() => f());
}

// Claims: "this event is reported once" across every tab and reload of the origin. The
// journal (localStorage) cannot decide it: another tab's copy of an entry lags behind a write
// even under a Web Lock, and its next save may put back an older copy. An IndexedDB insert is
// atomic across tabs: the first `add` of a name wins, every later one fails.
const CLAIMS_DB = "pingpong-qr";
const CLAIMS = "claims";
/** Claims are kept as long as finished journal entries (7 days). */
const CLAIM_KEEP_MS = 7 * 24 * 3600 * 1000;
let claimsDb = null;

function openClaims() {
  if (claimsDb) return claimsDb;
  claimsDb = new Promise((resolve) => {
    let request;
    try {
      request = globalThis.indexedDB.open(CLAIMS_DB, 1);
    } catch {
      resolve(null);
      return;
    }
    request.onupgradeneeded = () => request.result.createObjectStore(CLAIMS).createIndex("at", "at");
    request.onsuccess = () => {
      const db = request.result;
      try {
        // Forget claims older than the journal keeps its finished entries.
        const old = IDBKeyRange.upperBound(Date.now() - CLAIM_KEEP_MS);
        db.transaction(CLAIMS, "readwrite").objectStore(CLAIMS).index("at").openCursor(old).onsuccess = (e) => {
          const cursor = e.target.result;
          if (cursor) {
            cursor.delete();
            cursor.continue();
          }
        };
      } catch {
        // Pruning is best effort.
      }
      resolve(db);
    };
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
  });
  return claimsDb;
}

/**
 * @internal Runs `f(first)` under the Web Lock `name` unless `claim` is set and `name` was
 * claimed before in IndexedDB by any tab; resolves with what `f` returned, or false. `first`
 * is true when this call claimed `name`: `f` then runs inside the claiming transaction, so a
 * page that dies before the claim commits leaves the name unclaimed (the event is reported
 * again, never lost). `first` is null without `claim` (a register with a memory journal) or
 * when IndexedDB is unavailable: `f` decides from the journal.
 */
export function withClaim(name, claim, f) {
  const run = (first) => {
    try {
      return f(first);
    } catch {
      return false;
    }
  };
  return withLock(name, async () => {
    const db = claim ? await openClaims() : null;
    if (!db) return run(null);
    return new Promise((resolve) => {
      let tx;
      try {
        tx = db.transaction(CLAIMS, "readwrite");
      } catch {
        resolve(run(null));
        return;
      }
      let result = false;
      let ran = false;
      const add = tx.objectStore(CLAIMS).add({ at: Date.now() }, name);
      add.onsuccess = () => {
        ran = true;
        result = run(true);
      };
      add.onerror = (e) => {
        // ConstraintError: claimed before. Anything else: IndexedDB is unusable here.
        e.preventDefault();
        if (!(add.error && add.error.name === "ConstraintError")) {
          ran = true;
          result = run(null);
        }
      };
      tx.oncomplete = () => resolve(result);
      tx.onabort = () => resolve(ran ? result : run(null));
    });
  });
}
