// A register as a POS team writes it, type-checked against the package's .d.ts. The lines
// marked @ts-expect-error must fail to compile: the types are precise, not `any`.
import init, {
  ErrorCode,
  JournalState,
  Method,
  PaymentStatus,
  PingPongError,
  RefundStatus,
  Register,
  UpdateSource,
  version,
  type HistoryEntry,
  type Payment,
  type PendingPayment,
  type Refund,
  type StartPaymentOptions,
} from "pingpong-qr";

export async function checkout(canvas: HTMLCanvasElement): Promise<string> {
  await init();
  const sources: UpdateSource[] = [];
  const register = new Register({
    proxyUrl: "https://pay.example.com",
    token: "register-token",
    storage: "local",
    requestTimeoutMs: 15_000,
    onPaymentFinal: (p: Payment) => console.log(p.status),
    onLateSuccess: (p) => console.log(p.merchantTransactionId),
  });
  const controller = new AbortController();
  const options: StartPaymentOptions = {
    amount: "12.50",
    currency: "USD",
    method: Method.ALIPAY,
    expiresInSeconds: 300,
    signal: controller.signal,
  };
  try {
    const payment = await register.startPayment(options);
    register.renderQr(canvas, payment, { size: 256, ecc: "M", quietZone: 4 });
    const svg: string = register.qrSvg(payment.qrCode ?? "", { dark: "#000" });
    const left: number | null = register.msUntilExpiry(payment);
    const done = await register.waitForPayment(payment.merchantTransactionId, {
      signal: controller.signal,
      onUpdate: (p, source) => {
        sources.push(source);
        if (source === UpdateSource.PUSH && p.status === PaymentStatus.PROCESSING) return;
      },
    });
    if (done.status === PaymentStatus.SUCCESS) {
      const refund: Refund = await register.refund(done.merchantTransactionId, { amount: "5.00" });
      const final = await register.waitForRefund(refund.merchantTransactionId, refund.merchantRefundId);
      if (final.status === RefundStatus.FAILED) return `refund refused ${final.resultCode ?? ""}`;
    }
    const pending: PendingPayment[] = register.pendingPayments();
    const history: HistoryEntry[] = register.history();
    const first = history[0];
    const unanswered = first !== undefined && first.state === JournalState.UNKNOWN;
    const resumed: Payment[] = await register.resume({ signal: controller.signal });
    return `${version()} ${svg.length} ${left} ${pending.length} ${unanswered} ${resumed.length}`;
  } catch (e) {
    if (e instanceof PingPongError && e.code === ErrorCode.UNKNOWN_OUTCOME) {
      return e.merchantTransactionId ?? "";
    }
    throw e;
  } finally {
    register.close();
    register.free();
  }
}

export function misuses(register: Register, payment: Payment): void {
  // @ts-expect-error amounts are decimal strings, never numbers
  void register.startPayment({ amount: 12.5, currency: "USD", method: "ALIPAY" });
  // @ts-expect-error an unknown wallet
  void register.startPayment({ amount: "1.00", currency: "USD", method: "CASH" });
  // @ts-expect-error a payment's status is one of the statuses
  const s: typeof payment.status = "PAID";
  // @ts-expect-error error codes are a closed list
  const c: ErrorCode = "I_AM_A_TEAPOT";
  // @ts-expect-error the QR's error-correction level is L, M, Q or H
  register.renderQr(document.createElement("canvas"), payment, { ecc: "X" });
  // @ts-expect-error transactionId may be null
  const t: string = payment.transactionId;
  void [s, c, t];
}
