/** A stable error code of pingpong-qr. */
export type ErrorCodeName =
  | "INVALID_REQUEST" | "UNSUPPORTED_MEDIA_TYPE" | "BODY_TOO_LARGE" | "INVALID_AMOUNT"
  | "INVALID_CURRENCY" | "INVALID_METHOD" | "INVALID_EXPIRY" | "INVALID_ID" | "INVALID_REMARK"
  | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "ID_CONFLICT"
  | "PAYMENT_NOT_REFUNDABLE" | "REFUND_IN_PROGRESS" | "REFUND_EXCEEDS_BALANCE"
  | "UPSTREAM_REJECTED" | "UPSTREAM_UNAVAILABLE" | "UNKNOWN_OUTCOME" | "UPSTREAM_BAD_SIGNATURE"
  | "UPSTREAM_INVALID_RESPONSE" | "UPSTREAM_ORDER_UNKNOWN" | "BUSY" | "NOTIFICATION_MISMATCH"
  | "INTERNAL" | "INVALID_CONFIG" | "NETWORK" | "TIMEOUT"
  | "ABORTED" | "INVALID_RESPONSE" | "STORAGE" | "UNRECOGNIZED";

/** Every error the library throws or rejects with. */
export class PingPongError extends Error {
  readonly name: "PingPongError";
  /** The stable code: branch on this, not on the message. */
  readonly code: ErrorCodeName;
  /** PingPong's result code, when PingPong refused the request. */
  readonly upstreamCode?: string;
  /** The payment concerned, e.g. when the outcome is unknown (follow it with resume()). */
  readonly merchantTransactionId?: string;
  /** The refund concerned. */
  readonly merchantRefundId?: string;
}

/** Payment statuses at runtime. */
export declare const PaymentStatus: Readonly<{
  INIT: "INIT"; PROCESSING: "PROCESSING"; SUCCESS: "SUCCESS"; FAILED: "FAILED";
  CLOSED: "CLOSED"; CANCEL: "CANCEL"; AUTH_SUCCESS: "AUTH_SUCCESS";
}>;

/** Refund statuses at runtime. */
export declare const RefundStatus: Readonly<{
  ACCEPT_SUCCESS: "ACCEPT_SUCCESS"; PROCESSING: "PROCESSING"; SUCCESS: "SUCCESS"; FAILED: "FAILED";
}>;

/** Error codes at runtime. */
export declare const ErrorCode: Readonly<{ [K in ErrorCodeName]: K }>;
