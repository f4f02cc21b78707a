// The types of the package entry (index.js): the wasm module's exports, the runtime
// constants, and PingPongError. Every other declaration is generated from the Rust types
// (src/js/types.d.ts, checked by a test; wasm-bindgen writes them into pingpong_qr.d.ts).
import type { ErrorCode } from "./constants.js";

export * from "./pingpong_qr.js";
export { default } from "./pingpong_qr.js";
export { ErrorCode, JournalState, Method, PaymentStatus, RefundStatus, UpdateSource } from "./constants.js";

/** Every error the library throws or rejects with. */
export declare class PingPongError extends Error {
  readonly name: "PingPongError";
  /** The stable code: branch on this, not on the message. */
  readonly code: ErrorCode;
  /** PingPong's result code, when PingPong refused the request. */
  readonly upstreamCode?: string;
  /** The payment concerned, e.g. when the outcome is unknown (follow it with resume()). */
  readonly merchantTransactionId?: string;
  /** The refund concerned. */
  readonly merchantRefundId?: string;
}
