// Generated from the Rust definitions by src/api/generated.rs (PINGPONG_QR_REGENERATE=1 cargo test -p pingpong-qr --lib generated); do not edit.

/**
 * A payment as the proxy reports it. Times are milliseconds since the epoch; absent values
 * are `null`.
 */
export interface Payment {
    /**
     * The order number.
     */
    merchantTransactionId: string;
    /**
     * PingPong's transaction number, once known.
     */
    transactionId: string | null;
    /**
     * The status PingPong last reported.
     */
    status: PaymentStatus;
    /**
     * Decimal amount.
     */
    amount: string;
    /**
     * ISO 4217 code.
     */
    currency: string;
    /**
     * The wallet.
     */
    method: Method;
    /**
     * The text to show as a QR code, while the order is open.
     */
    qrCode: string | null;
    /**
     * URL of an image of the QR code.
     */
    qrUrl: string | null;
    /**
     * When the QR stops working, on the proxy's clock (PingPong's expiry).
     */
    qrCodeExpiredAt: number | null;
    /**
     * Sum of SUCCESS refunds.
     */
    refundedAmount: string;
    /**
     * What may still be refunded: the amount less SUCCESS and PROCESSING refunds
     * (zero unless the payment is SUCCESS).
     */
    refundableAmount: string;
    /**
     * PingPong's result code of the last attempt.
     */
    resultCode: string | null;
    /**
     * PingPong's result text.
     */
    resultDescription: string | null;
    /**
     * True when SUCCESS arrived after the proxy had reported CLOSED.
     */
    lateSuccess: boolean;
    /**
     * Merchant text.
     */
    remark: string | null;
    /**
     * When the proxy first saw the order.
     */
    createdAt: number;
    /**
     * When the status last changed.
     */
    updatedAt: number;
    /**
     * The proxy's clock when it answered, to correct the register's clock skew.
     */
    serverTime: number;
}

/**
 * A refund as the proxy reports it. Times are milliseconds since the epoch; absent values
 * are `null`.
 */
export interface Refund {
    /**
     * The original payment's order number.
     */
    merchantTransactionId: string;
    /**
     * The refund number.
     */
    merchantRefundId: string;
    /**
     * PingPong's refund number, once known.
     */
    refundId: string | null;
    /**
     * The status PingPong last reported.
     */
    status: RefundStatus;
    /**
     * Decimal amount.
     */
    amount: string;
    /**
     * ISO 4217 code.
     */
    currency: string;
    /**
     * PingPong's result code.
     */
    resultCode: string | null;
    /**
     * PingPong's result text.
     */
    resultDescription: string | null;
    /**
     * When the proxy first saw the refund.
     */
    createdAt: number;
    /**
     * When the status last changed.
     */
    updatedAt: number;
    /**
     * The proxy's clock when it answered.
     */
    serverTime: number;
}

/**
 * `POST /v1/payments`: start a QR payment.
 */
export interface CreatePaymentRequest {
    /**
     * Decimal string with at most the currency's decimals, e.g. `"12.50"` (never a number).
     */
    amount: string;
    /**
     * Upper-case ISO 4217 code, e.g. `"USD"`.
     */
    currency: string;
    /**
     * `ALIPAY` or `WECHAT` (a string here, so that another value gets `INVALID_METHOD`).
     */
    method: Method;
    /**
     * QR validity, 60..=259200 seconds (1 minute to 3 days); 300 when absent.
     */
    expiresInSeconds?: number;
    /**
     * The order number (1..=64 of `A-Z a-z 0-9 _ - .`); generated when absent. The library
     * always sends one, fixed before the first send, so a retry can never create a second
     * order.
     */
    merchantTransactionId?: string;
    /**
     * Merchant text, at most 255 characters, no control characters, `<` or `>`.
     */
    remark?: string;
}

/**
 * `POST /v1/payments/{id}/refunds`: refund part or all of a SUCCESS payment.
 */
export interface CreateRefundRequest {
    /**
     * Decimal string in the payment's currency, at most what remains refundable.
     */
    amount: string;
    /**
     * The refund number (1..=64 of `A-Z a-z 0-9 _ - .`); generated when absent. The library
     * always sends one; re-using it with the same amount is a retry, never a second refund.
     */
    merchantRefundId?: string;
    /**
     * Merchant text, at most 32 characters.
     */
    remark?: string;
}

/**
 * The status of a payment order.
 */
export type PaymentStatus = "INIT" | "PROCESSING" | "SUCCESS" | "FAILED" | "CLOSED" | "CANCEL" | "AUTH_SUCCESS";

/**
 * The status of a refund.
 */
export type RefundStatus = "ACCEPT_SUCCESS" | "PROCESSING" | "SUCCESS" | "FAILED";

/**
 * The wallet a consumer pays with. The proxy maps each to PingPong's method name.
 */
export type Method = "ALIPAY" | "WECHAT";

/**
 * A stable error code: branch on it, not on the message (the runtime constant
 * `ErrorCode` lists them, each with what to do about it).
 */
export type ErrorCode = "INVALID_REQUEST" | "UNSUPPORTED_MEDIA_TYPE" | "BODY_TOO_LARGE" | "INVALID_AMOUNT" | "INVALID_CURRENCY" | "INVALID_METHOD" | "INVALID_EXPIRY" | "INVALID_ID" | "INVALID_REMARK" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "ID_CONFLICT" | "PAYMENT_NOT_REFUNDABLE" | "REFUND_IN_PROGRESS" | "REFUND_EXCEEDS_BALANCE" | "UPSTREAM_REJECTED" | "UPSTREAM_UNAVAILABLE" | "UNKNOWN_OUTCOME" | "UPSTREAM_BAD_SIGNATURE" | "UPSTREAM_INVALID_RESPONSE" | "UPSTREAM_ORDER_UNKNOWN" | "BUSY" | "NOTIFICATION_MISMATCH" | "INTERNAL" | "INVALID_CONFIG" | "NETWORK" | "TIMEOUT" | "ABORTED" | "INVALID_RESPONSE" | "STORAGE" | "UNRECOGNIZED";

/**
 * Options of `new Register(…)`.
 */
export interface RegisterOptions {
    /**
     * The signing proxy's base URL, e.g. `"https://pay.example.com"` (http or https; no
     * query, fragment or credentials).
     */
    proxyUrl: string;
    /**
     * This register's bearer token, issued by the merchant. Never stored by the library.
     */
    token: string;
    /**
     * Listen to the proxy's event stream besides polling (default true); false: polling only.
     */
    push?: boolean;
    /**
     * Journal namespace: registers with the same one share payments (default `"pingpong-qr"`).
     */
    storageKey?: string;
    /**
     * Where the journal lives (default `"local"`).
     */
    storage?: StorageKind;
    /**
     * Abort a request to the proxy after this many ms (1000..=120000, default 15000).
     */
    requestTimeoutMs?: number;
    /**
     * Called once per payment, across every register on this storage, at its first final
     * status (SUCCESS, CLOSED, CANCEL).
     */
    onPaymentFinal?: (payment: Payment) => void;
    /**
     * Called once per payment when a SUCCESS arrives after it was CLOSED or after the app
     * gave up waiting (aborted): the consumer paid; book it or refund it.
     */
    onLateSuccess?: (payment: Payment) => void;
}

/**
 * Where the journal lives.
 */
export type StorageKind = "local" | "memory";

/**
 * Options of `getPayment` and `getRefund`, and the `signal` of every call.
 */
export interface RequestOptions {
    /**
     * Stops the call; it rejects with `ABORTED`. A create already sent may still take
     * effect: `resume()` finds out.
     */
    signal?: AbortSignal;
}

/**
 * Options of `startPayment`: the payment, and a `signal` that stops waiting for the answer
 * (the order may still be created: see `resume()`).
 */
export type StartPaymentOptions = CreatePaymentRequest & RequestOptions;

/**
 * Options of `refund`: the refund, and a `signal`.
 */
export type RefundOptions = CreateRefundRequest & RequestOptions;

/**
 * Options of `waitForPayment` and `resume`.
 */
export interface WaitOptions {
    /**
     * Stops the wait; it rejects with `ABORTED` (a later success is then a late success).
     */
    signal?: AbortSignal;
    /**
     * Called with each new status the wait learns, first with the one known when it began.
     */
    onUpdate?: (payment: Payment, source: UpdateSource) => void;
}

/**
 * Options of `waitForRefund`.
 */
export interface RefundWaitOptions {
    /**
     * Stops the wait; it rejects with `ABORTED`.
     */
    signal?: AbortSignal;
    /**
     * Called with each new status the wait learns, first with the one known when it began.
     */
    onUpdate?: (refund: Refund, source: UpdateSource) => void;
}

/**
 * Where a status came from, as `onUpdate` is told.
 */
export type UpdateSource = "journal" | "start" | "poll" | "push" | "tab";

/**
 * Options of `renderQr` and `qrSvg`.
 */
export interface QrOptions {
    /**
     * Size in CSS pixels, 16..=4096 (default 256 on a canvas; none for SVG, which scales).
     */
    size?: number;
    /**
     * Device pixels per CSS pixel (default `window.devicePixelRatio`).
     */
    devicePixelRatio?: number;
    /**
     * Error-correction level (default `"M"`).
     */
    ecc?: Ecc;
    /**
     * Light border in modules, 4..=16 (default 4).
     */
    quietZone?: number;
    /**
     * CSS colour of the modules (default `"#000"`).
     */
    dark?: string;
    /**
     * CSS colour of the background (default `"#fff"`).
     */
    light?: string;
}

/**
 * QR error-correction level: the share of the symbol that may be damaged and still scan.
 */
export type Ecc = "L" | "M" | "Q" | "H";

/**
 * A journaled payment that a reload must resume.
 */
export interface PendingPayment {
    /**
     * The order number.
     */
    merchantTransactionId: string;
    /**
     * `SENDING` (create not answered yet), `UNKNOWN` (sent, outcome unknown) or the last
     * status.
     */
    state: EntryState<PaymentStatus>;
    /**
     * The amount asked for.
     */
    amount: string;
    /**
     * Its currency.
     */
    currency: string;
    /**
     * The wallet asked for.
     */
    method: Method;
    /**
     * When it was journaled (register clock, ms).
     */
    createdAt: number;
    /**
     * The last state the proxy reported, if any.
     */
    payment: Payment | null;
    /**
     * Its refunds still open.
     */
    pendingRefunds: string[];
}

/**
 * A journaled payment with its refunds, as `history()` lists it.
 */
export interface HistoryEntry {
    /**
     * The order number.
     */
    merchantTransactionId: string;
    /**
     * `SENDING` (create not answered yet), `UNKNOWN` (sent, outcome unknown) or the last
     * status.
     */
    state: EntryState<PaymentStatus>;
    /**
     * The amount asked for.
     */
    amount: string;
    /**
     * Its currency.
     */
    currency: string;
    /**
     * The wallet asked for.
     */
    method: Method;
    /**
     * When it was journaled (register clock, ms).
     */
    createdAt: number;
    /**
     * The last state the proxy reported, if any.
     */
    payment: Payment | null;
    /**
     * What can still be refunded now (the local ledger: paid less every refund that holds
     * the balance, capped by the proxy's last figure), in the payment's currency; `"0.00"`
     * unless SUCCESS; `null` when unreadable.
     */
    refundableAmount: string | null;
    /**
     * Its refunds, oldest first.
     */
    refunds: HistoryRefund[];
}

/**
 * A journaled refund, as `history()` lists it.
 */
export interface HistoryRefund {
    /**
     * The refund number.
     */
    merchantRefundId: string;
    /**
     * `SENDING`, `UNKNOWN` or the last status the proxy reported.
     */
    state: EntryState<RefundStatus>;
    /**
     * The amount asked for.
     */
    amount: string;
    /**
     * When it was journaled (register clock, ms).
     */
    createdAt: number;
    /**
     * The last state the proxy reported, if any.
     */
    refund: Refund | null;
}

/**
 * What a journaled payment or refund shows: its create's [`JournalState`] until the proxy
 * answered, then the last status it reported.
 */
export type EntryState<S> = JournalState | S;

/**
 * The state of a journaled create the proxy has not answered (yet).
 */
export type JournalState = "SENDING" | "UNKNOWN";
