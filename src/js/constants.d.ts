// Generated from the Rust definitions by src/api/generated.rs (PINGPONG_QR_REGENERATE=1 cargo test -p pingpong-qr --lib generated); do not edit.
import type { PaymentStatus as PaymentStatusType, RefundStatus as RefundStatusType, Method as MethodType, JournalState as JournalStateType, UpdateSource as UpdateSourceType, ErrorCode as ErrorCodeType } from "./pingpong_qr.js";

/** Payment statuses, as `payment.status` holds them. */
export declare const PaymentStatus: Readonly<{
  INIT: "INIT";
  PROCESSING: "PROCESSING";
  SUCCESS: "SUCCESS";
  FAILED: "FAILED";
  CLOSED: "CLOSED";
  CANCEL: "CANCEL";
  AUTH_SUCCESS: "AUTH_SUCCESS";
}>;
export type PaymentStatus = PaymentStatusType;

/** Refund statuses, as `refund.status` holds them. */
export declare const RefundStatus: Readonly<{
  ACCEPT_SUCCESS: "ACCEPT_SUCCESS";
  PROCESSING: "PROCESSING";
  SUCCESS: "SUCCESS";
  FAILED: "FAILED";
}>;
export type RefundStatus = RefundStatusType;

/** The wallets a payment can use, as `payment.method` holds them. */
export declare const Method: Readonly<{
  ALIPAY: "ALIPAY";
  WECHAT: "WECHAT";
}>;
export type Method = MethodType;

/** The `state` of a journaled payment or refund the proxy has not answered yet (`pendingPayments()`, `history()`). */
export declare const JournalState: Readonly<{
  SENDING: "SENDING";
  UNKNOWN: "UNKNOWN";
}>;
export type JournalState = JournalStateType;

/** Where a status came from, as `onUpdate` is told. */
export declare const UpdateSource: Readonly<{
  JOURNAL: "journal";
  START: "start";
  POLL: "poll";
  PUSH: "push";
  TAB: "tab";
}>;
export type UpdateSource = UpdateSourceType;

/** Error codes, as `error.code` holds them, each with what to do about it. */
export declare const ErrorCode: Readonly<{
  /** The body is not JSON of the documented shape (bad JSON, a wrong type, a missing field). Fix the request; nothing was sent upstream. */
  INVALID_REQUEST: "INVALID_REQUEST";
  /** Send `Content-Type: application/json`. Nothing was sent upstream. */
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE";
  /** The body exceeds the proxy's limit (16 KiB). Nothing was sent upstream. */
  BODY_TOO_LARGE: "BODY_TOO_LARGE";
  /** The amount is not a positive decimal with at most the currency's decimals. Ask the cashier again; nothing was sent upstream. */
  INVALID_AMOUNT: "INVALID_AMOUNT";
  /** The currency is not a supported upper-case ISO 4217 code. Nothing was sent upstream. */
  INVALID_CURRENCY: "INVALID_CURRENCY";
  /** The payment method is not ALIPAY or WECHAT, or this merchant does not offer it in that currency. Nothing was sent upstream. */
  INVALID_METHOD: "INVALID_METHOD";
  /** expiresInSeconds must be 60..=259200 (1 minute to 3 days). Nothing was sent upstream. */
  INVALID_EXPIRY: "INVALID_EXPIRY";
  /** An id must be 1..=64 of A-Z a-z 0-9 _ - . Nothing was sent upstream. */
  INVALID_ID: "INVALID_ID";
  /** The remark is too long or holds control characters or < >. Nothing was sent upstream. */
  INVALID_REMARK: "INVALID_REMARK";
  /** No valid credential: a register token (its register revoked, or its merchant disabled, counts as none) or, on /admin/v1, the admin key. Check the token the platform issued. */
  UNAUTHORIZED: "UNAUTHORIZED";
  /** The credential may not do this: the order belongs to another store (this register cannot see or refund it), or a register token was sent to the admin API. */
  FORBIDDEN: "FORBIDDEN";
  /** No such order, refund or route. */
  NOT_FOUND: "NOT_FOUND";
  /** This route does not take that HTTP method. */
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED";
  /** The id was already used with a different body. Use a new id for a new order or refund. */
  ID_CONFLICT: "ID_CONFLICT";
  /** Only a SUCCESS payment can be refunded. */
  PAYMENT_NOT_REFUNDABLE: "PAYMENT_NOT_REFUNDABLE";
  /** Another refund of this payment is still PROCESSING. Wait for it, then retry. */
  REFUND_IN_PROGRESS: "REFUND_IN_PROGRESS";
  /** The refund exceeds what remains refundable. Nothing was sent upstream. */
  REFUND_EXCEEDS_BALANCE: "REFUND_EXCEEDS_BALANCE";
  /** PingPong refused the request; upstreamCode holds its result code. Nothing happened. */
  UPSTREAM_REJECTED: "UPSTREAM_REJECTED";
  /** PingPong could not be reached, or answered HTTP 5xx or a system error (upstreamCode 5xxxxx/6xxxxx): the outcome is unknown. Retry with the same ids. */
  UPSTREAM_UNAVAILABLE: "UPSTREAM_UNAVAILABLE";
  /** The request was sent but no answer came: it may have happened. Query, or retry with the same ids; never treat it as failed. */
  UNKNOWN_OUTCOME: "UNKNOWN_OUTCOME";
  /** PingPong's answer did not verify and was discarded. The outcome is unknown: query again. */
  UPSTREAM_BAD_SIGNATURE: "UPSTREAM_BAD_SIGNATURE";
  /** PingPong's answer was unreadable. The outcome is unknown: query again. */
  UPSTREAM_INVALID_RESPONSE: "UPSTREAM_INVALID_RESPONSE";
  /** PingPong no longer knows a payment this proxy holds (upstreamCode 107001, or 107002 for a refund); the proxy changed nothing and refunded nothing. Its QR cannot be paid: start a new payment with a new id. If the customer says they paid, or for a refund, check the PingPong merchant back office. */
  UPSTREAM_ORDER_UNKNOWN: "UPSTREAM_ORDER_UNKNOWN";
  /** The proxy is at its limit of connections or of event streams; nothing was done. Retry in a moment with the same ids; without an event stream, poll. */
  BUSY: "BUSY";
  /** A signed notification disagrees with the journaled payment or refund (amount, currency, ids or result code). It was not applied and is logged as an anomaly; the proxy asked PingPong for the status instead. PingPong retries it. */
  NOTIFICATION_MISMATCH: "NOTIFICATION_MISMATCH";
  /** The proxy failed. Retry with the same ids. */
  INTERNAL: "INTERNAL";
  /** The library was set up wrong (empty token, bad proxyUrl, bad option). Fix the configuration. */
  INVALID_CONFIG: "INVALID_CONFIG";
  /** The proxy could not be reached. The library retries with the same ids; an order may exist. */
  NETWORK: "NETWORK";
  /** The proxy did not answer in time. The outcome is unknown; the library keeps the ids. */
  TIMEOUT: "TIMEOUT";
  /** The caller's AbortSignal fired. Nothing more is awaited; the order may still be paid. */
  ABORTED: "ABORTED";
  /** The proxy's answer was not the documented JSON. */
  INVALID_RESPONSE: "INVALID_RESPONSE";
  /** Browser storage is unavailable or full, so the payment could not be journaled before sending. Nothing was sent. */
  STORAGE: "STORAGE";
  /** Unknown error code; treat as INTERNAL. */
  UNRECOGNIZED: "UNRECOGNIZED";
}>;
export type ErrorCode = ErrorCodeType;
