// Runtime pieces of pingpong-qr that must be JavaScript: the Error subclass and the Web
// Locks / IndexedDB helpers. Imported by the wasm glue; the package entry re-exports
// PingPongError (declared in index.d.ts).

/** Every error of the library: `code` is stable (see the ErrorCode constant). */
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

/** @internal Builds a PingPongError (called from the wasm). */
export function makeError(code, message, upstreamCode, merchantTransactionId, merchantRefundId) {
  return new PingPongError(code, message, { upstreamCode, merchantTransactionId, merchantRefundId });
}

/**
 * @internal A view of the options object `value` that remembers the last property read: the
 * library reads options through it with serde-wasm-bindgen, which reads a struct's fields in
 * order and stops at the first that does not fit, so that field is the one to blame.
 */
export function tracked(value) {
  const seen = { last: null };
  seen.proxy = new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string") seen.last = key;
      return Reflect.get(target, key, receiver);
    },
  });
  return seen;
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
