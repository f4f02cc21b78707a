//! The TypeScript interfaces of the public API (appended to the generated `.d.ts`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r##"
/** A payment status (see the runtime constant `PaymentStatus`). */
export type PaymentStatusName = "INIT" | "PROCESSING" | "SUCCESS" | "FAILED" | "CLOSED" | "CANCEL" | "AUTH_SUCCESS";
/** A refund status (see the runtime constant `RefundStatus`). */
export type RefundStatusName = "ACCEPT_SUCCESS" | "PROCESSING" | "SUCCESS" | "FAILED";
/** The wallet the consumer pays with. */
export type PaymentMethod = "ALIPAY" | "WECHAT";
/** Where a status came from: the journal (known when the wait began), the create's answer,
 * a poll, the proxy's event stream (push), or another register on the same storage. */
export type UpdateSource = "journal" | "start" | "poll" | "push" | "tab";
/** QR error-correction level: L ≈ 7 %, M ≈ 15 % (default), Q ≈ 25 %, H ≈ 30 %. */
export type QrEcc = "L" | "M" | "Q" | "H";

/** Options of `new Register(...)`. */
export interface RegisterOptions {
  /** The signing proxy's base URL, e.g. "https://pay.example.com" (http or https, no query). */
  proxyUrl: string;
  /** This register's bearer token, issued by the merchant. Never stored by the library. */
  token: string;
  /** Listen to the proxy's event stream besides polling (default true). false = polling only. */
  push?: boolean;
  /** Journal namespace; registers with the same one share payments (default "pingpong-qr"). */
  storageKey?: string;
  /** "local" (localStorage, survives reloads; default) or "memory". */
  storage?: "local" | "memory";
  /** Abort a request to the proxy after this many ms (1000..120000, default 15000). */
  requestTimeoutMs?: number;
  /** Called once per payment, across every register on this storage, at its first final status
   * (SUCCESS, CLOSED, CANCEL). */
  onPaymentFinal?: (payment: Payment) => void;
  /** Called once per payment when a SUCCESS arrives after it was CLOSED or after the app gave up
   * waiting (aborted): the consumer paid; book it or refund it. */
  onLateSuccess?: (payment: Payment) => void;
}

/** Options of `startPayment`. */
export interface StartPaymentOptions {
  /** Decimal string with at most the currency's decimals, e.g. "12.50" (never a number). */
  amount: string;
  /** Upper-case ISO 4217 code, e.g. "USD". */
  currency: string;
  /** "ALIPAY" or "WECHAT". */
  method: PaymentMethod;
  /** QR validity in seconds, 60..259200 (default 300). */
  expiresInSeconds?: number;
  /** Your order number (1..64 of A-Z a-z 0-9 _ - .); generated when absent. */
  merchantTransactionId?: string;
  /** Merchant text, at most 255 characters, no control characters, < or >. */
  remark?: string;
  /** Stops waiting for the answer (the order may still be created: see resume()). */
  signal?: AbortSignal;
}

/** A payment as the proxy reports it. Times are ms since the epoch. */
export interface Payment {
  merchantTransactionId: string;
  transactionId: string | null;
  status: PaymentStatusName;
  amount: string;
  currency: string;
  method: PaymentMethod;
  /** The text to show as a QR code while the payment is open. */
  qrCode: string | null;
  /** URL of an image of the QR code. */
  qrUrl: string | null;
  /** When the QR stops working, on the proxy's clock (see msUntilExpiry). */
  qrCodeExpiredAt: number | null;
  refundedAmount: string;
  refundableAmount: string;
  resultCode: string | null;
  resultDescription: string | null;
  /** True when SUCCESS arrived after the proxy had reported CLOSED. */
  lateSuccess: boolean;
  remark: string | null;
  createdAt: number;
  updatedAt: number;
  serverTime: number;
}

/** Options of `waitForPayment` and `resume`. */
export interface WaitOptions {
  /** Stops the wait; it rejects with code ABORTED. */
  signal?: AbortSignal;
  /** Called with each new status the wait learns, first with the one known when it began. */
  onUpdate?: (payment: Payment, source: UpdateSource) => void;
}

/** Options of `refund`. */
export interface RefundOptions {
  /** Decimal string in the payment's currency, at most what remains refundable. */
  amount: string;
  /** Your refund number; generated when absent. Re-using it with the same amount is a retry. */
  merchantRefundId?: string;
  /** Merchant text, at most 32 characters. */
  remark?: string;
  signal?: AbortSignal;
}

/** A refund as the proxy reports it. */
export interface Refund {
  merchantTransactionId: string;
  merchantRefundId: string;
  refundId: string | null;
  status: RefundStatusName;
  amount: string;
  currency: string;
  resultCode: string | null;
  resultDescription: string | null;
  createdAt: number;
  updatedAt: number;
  serverTime: number;
}

/** Options of `waitForRefund`. */
export interface RefundWaitOptions {
  signal?: AbortSignal;
  onUpdate?: (refund: Refund, source: UpdateSource) => void;
}

/** Options of `getPayment` and `getRefund`. */
export interface RequestOptions {
  signal?: AbortSignal;
}

/** Options of `renderQr` and `qrSvg`. */
export interface QrOptions {
  /** Size in CSS pixels (16..4096; default 256 for a canvas; none for SVG, which then scales). */
  size?: number;
  /** Device pixels per CSS pixel (default window.devicePixelRatio). */
  devicePixelRatio?: number;
  /** Error-correction level (default "M"). */
  ecc?: QrEcc;
  /** Light border in modules, 4..16 (default 4). */
  quietZone?: number;
  /** CSS colour of the modules (default "#000"). */
  dark?: string;
  /** CSS colour of the background (default "#fff"). */
  light?: string;
}

/** A journaled payment that a reload must resume. */
export interface PendingPayment {
  merchantTransactionId: string;
  /** "SENDING" (create not answered yet), "UNKNOWN" (sent, outcome unknown) or the last status. */
  state: "SENDING" | "UNKNOWN" | PaymentStatusName;
  amount: string;
  currency: string;
  method: string;
  /** When it was journaled (register clock, ms). */
  createdAt: number;
  /** The last state the proxy reported, if any. */
  payment: Payment | null;
  /** Refunds of it still open. */
  pendingRefunds: string[];
}

/** A journaled payment with its refunds, as `history()` lists it. */
export interface HistoryEntry {
  merchantTransactionId: string;
  /** "SENDING" (create not answered yet), "UNKNOWN" (sent, outcome unknown) or the last status. */
  state: "SENDING" | "UNKNOWN" | PaymentStatusName;
  amount: string;
  currency: string;
  method: string;
  /** When it was journaled (register clock, ms). */
  createdAt: number;
  /** The last state the proxy reported, if any. */
  payment: Payment | null;
  /** What can still be refunded now (the local ledger: paid less every refund that holds the
   * balance, capped by the proxy's last figure), in the payment's currency; "0.00" unless
   * SUCCESS; null when unreadable. */
  refundableAmount: string | null;
  /** Its refunds, oldest first. */
  refunds: HistoryRefund[];
}

/** A journaled refund, as `history()` lists it. */
export interface HistoryRefund {
  merchantRefundId: string;
  /** "SENDING", "UNKNOWN" or the last status the proxy reported. */
  state: "SENDING" | "UNKNOWN" | RefundStatusName;
  /** The amount asked for. */
  amount: string;
  /** When it was journaled (register clock, ms). */
  createdAt: number;
  /** The last state the proxy reported, if any. */
  refund: Refund | null;
}
"##;
