// Generated from the Rust definitions by src/api/generated.rs (PINGPONG_QR_REGENERATE=1 cargo test -p pingpong-qr --lib generated); do not edit.

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

/** The wallets a payment can use, as `payment.method` holds them. */
export const Method = Object.freeze({
  ALIPAY: "ALIPAY",
  WECHAT: "WECHAT",
});

/** The `state` of a journaled payment or refund the proxy has not answered yet (`pendingPayments()`, `history()`). */
export const JournalState = Object.freeze({
  SENDING: "SENDING",
  UNKNOWN: "UNKNOWN",
});

/** Where a status came from, as `onUpdate` is told. */
export const UpdateSource = Object.freeze({
  JOURNAL: "journal",
  START: "start",
  POLL: "poll",
  PUSH: "push",
  TAB: "tab",
});

/** Error codes, as `error.code` holds them, each with what to do about it. */
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
