// Runtime pieces of pingpong-qr that must be JavaScript: the Error subclass, the constants,
// and a Web Locks helper. Imported by the wasm glue and re-exported by the package entry.

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
