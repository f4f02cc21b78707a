//! The JS face: `Register` and free functions. Conversions only; the logic is in the engine.

mod convert;
mod qr;
mod types;

use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use pingpong_protocol::ErrorCode;
use pingpong_protocol::contract::{
    CreatePaymentRequest, CreateRefundRequest, PaymentView, RefundView,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::core::config::Config;
use crate::core::error::Error;
use crate::engine::{Engine, Hooks, PaymentHook, Source, StorageKind};
use crate::web::value::{Js, Writer, array};
use convert::{Options, error_to_js, id_arg, whole};

pub use convert::error_to_js as to_js_error;

type JsResult = Result<JsValue, JsValue>;

fn settle<T: Js>(r: Result<T, Error>) -> JsResult {
    r.map(|v| v.to_js()).map_err(error_to_js)
}

/// An asynchronous call of the JS face, its arguments parsed.
enum Call {
    StartPayment(CreatePaymentRequest),
    WaitForPayment(String, Option<Function>),
    GetPayment(String),
    Refund(String, CreateRefundRequest),
    WaitForRefund(String, String, Option<Function>),
    GetRefund(String, String),
    Resume(Option<Function>),
}

/// Runs a parsed call as a Promise (a rejected one for arguments that did not parse). One
/// future for every method: each async block costs kilobytes of wasm.
fn promise(engine: &Rc<Engine>, parsed: Result<(Call, Option<AbortSignal>), Error>) -> Promise {
    match parsed {
        Ok((call, signal)) => future_to_promise(run(engine.clone(), call, signal)),
        Err(e) => Promise::reject(&error_to_js(e)),
    }
}

/// Runs one call on the engine and converts its result.
async fn run(engine: Rc<Engine>, call: Call, signal: Option<AbortSignal>) -> JsResult {
    let signal = signal.as_ref();
    match call {
        Call::StartPayment(request) => settle(engine.start_payment(request, signal).await),
        Call::WaitForPayment(id, on_update) => {
            let f = on_update.map(callback::<PaymentView>);
            let f = f.as_ref().map(|f| f as &dyn Fn(&PaymentView, Source));
            settle(engine.wait_payment(&id, signal, f).await)
        }
        Call::GetPayment(id) => settle(engine.get_payment(&id, signal).await),
        Call::Refund(id, request) => settle(engine.refund(&id, request, signal).await),
        Call::WaitForRefund(id, rid, on_update) => {
            let f = on_update.map(callback::<RefundView>);
            let f = f.as_ref().map(|f| f as &dyn Fn(&RefundView, Source));
            settle(engine.wait_refund(&id, &rid, signal, f).await)
        }
        Call::GetRefund(id, rid) => settle(engine.get_refund(&id, &rid, signal).await),
        Call::Resume(on_update) => {
            let f = on_update.map(callback::<PaymentView>);
            let f = f.as_ref().map(|f| f as &dyn Fn(&PaymentView, Source));
            engine
                .resume(signal, f)
                .await
                .map(|v| array(&v))
                .map_err(error_to_js)
        }
    }
}

fn callback<T: Js>(f: Function) -> impl Fn(&T, Source) {
    move |v, source| {
        let _ = f.call2(
            &JsValue::NULL,
            &v.to_js(),
            &JsValue::from_str(source.as_str()),
        );
    }
}

fn hook(f: Option<Function>) -> Option<PaymentHook> {
    f.map(|f| -> PaymentHook {
        Box::new(move |v| {
            let _ = f.call1(&JsValue::NULL, &v.to_js());
        })
    })
}

/// A cash register talking to one signing proxy. See `RegisterOptions`.
#[wasm_bindgen]
pub struct Register {
    engine: Rc<Engine>,
}

#[wasm_bindgen]
impl Register {
    /// Checks the options (`INVALID_CONFIG`: empty token, bad proxyUrl, bad option; `STORAGE`:
    /// no localStorage) and opens the journal. Throws a `PingPongError`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RegisterOptions")] options: JsValue,
    ) -> Result<Register, JsValue> {
        Register::build(options).map_err(error_to_js)
    }

    fn build(options: JsValue) -> Result<Register, Error> {
        let o = Options::new(options, "options", false)?;
        let c = ErrorCode::InvalidConfig;
        let proxy_url = o.required_string("proxyUrl", c, "a URL string")?;
        let token = o.required_string("token", c, "a non-empty string")?;
        let config = Config::new(
            &proxy_url,
            &token,
            o.boolean("push")?,
            o.string("storageKey", c)?.as_deref(),
            o.number("requestTimeoutMs", c)?,
        )?;
        let storage = match o.string("storage", c)?.as_deref() {
            None | Some("local") => StorageKind::Local,
            Some("memory") => StorageKind::Memory,
            Some(_) => return Err(Error::config("storage must be \"local\" or \"memory\"")),
        };
        let hooks = Hooks {
            on_final: hook(o.function("onPaymentFinal")?),
            on_late_success: hook(o.function("onLateSuccess")?),
        };
        Ok(Register {
            engine: Engine::new(config, storage, hooks)?,
        })
    }

    /// Starts a QR payment. Every invalid input rejects with its code (INVALID_AMOUNT,
    /// INVALID_CURRENCY, INVALID_METHOD, INVALID_EXPIRY, INVALID_ID, INVALID_REMARK) before
    /// any request. The id is journaled before the first send; an unanswered create rejects
    /// with TIMEOUT/NETWORK/UNKNOWN_OUTCOME and `error.merchantTransactionId` (see resume()).
    #[wasm_bindgen(js_name = startPayment, unchecked_return_type = "Promise<Payment>")]
    pub fn start_payment(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StartPaymentOptions")] options: JsValue,
    ) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            let o = Options::new(options, "options", false)?;
            let expires = match o.number("expiresInSeconds", ErrorCode::InvalidExpiry)? {
                None => None,
                Some(n) => Some(whole(n).ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidExpiry,
                        "expiresInSeconds must be a whole number",
                    )
                })?),
            };
            let request = CreatePaymentRequest {
                amount: o.required_string(
                    "amount",
                    ErrorCode::InvalidAmount,
                    "a decimal string such as \"12.50\"",
                )?,
                currency: o.required_string(
                    "currency",
                    ErrorCode::InvalidCurrency,
                    "an ISO 4217 code such as \"USD\"",
                )?,
                method: o.required_string(
                    "method",
                    ErrorCode::InvalidMethod,
                    "\"ALIPAY\" or \"WECHAT\"",
                )?,
                expires_in_seconds: expires,
                merchant_transaction_id: o.string("merchantTransactionId", ErrorCode::InvalidId)?,
                remark: o.string("remark", ErrorCode::InvalidRemark)?,
            };
            Ok((Call::StartPayment(request), o.signal()?))
        })();
        promise(&self.engine, parsed)
    }

    /// Resolves when the payment's attempt ends: SUCCESS, FAILED (declined), CLOSED (expired)
    /// or CANCEL. Rejects with ABORTED when `options.signal` fires.
    #[wasm_bindgen(js_name = waitForPayment, unchecked_return_type = "Promise<Payment>")]
    pub fn wait_for_payment(
        &self,
        #[wasm_bindgen(js_name = merchantTransactionId, unchecked_param_type = "string")]
        merchant_transaction_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] options: JsValue,
    ) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let o = Options::new(options, "options", true)?;
            let signal = o.signal()?;
            Ok((Call::WaitForPayment(id, o.function("onUpdate")?), signal))
        })();
        promise(&self.engine, parsed)
    }

    /// Asks the proxy for the payment now (and journals it).
    #[wasm_bindgen(js_name = getPayment, unchecked_return_type = "Promise<Payment>")]
    pub fn get_payment(
        &self,
        #[wasm_bindgen(js_name = merchantTransactionId, unchecked_param_type = "string")]
        merchant_transaction_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: JsValue,
    ) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let signal = Options::new(options, "options", true)?.signal()?;
            Ok((Call::GetPayment(id), signal))
        })();
        promise(&self.engine, parsed)
    }

    /// Refunds part or all of a SUCCESS payment. Refused locally before any request:
    /// INVALID_AMOUNT / INVALID_ID / INVALID_REMARK, PAYMENT_NOT_REFUNDABLE,
    /// REFUND_IN_PROGRESS, REFUND_EXCEEDS_BALANCE.
    #[wasm_bindgen(unchecked_return_type = "Promise<Refund>")]
    pub fn refund(
        &self,
        #[wasm_bindgen(js_name = merchantTransactionId, unchecked_param_type = "string")]
        merchant_transaction_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RefundOptions")] options: JsValue,
    ) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let o = Options::new(options, "options", false)?;
            let request = CreateRefundRequest {
                amount: o.required_string(
                    "amount",
                    ErrorCode::InvalidAmount,
                    "a decimal string such as \"5.00\"",
                )?,
                merchant_refund_id: o.string("merchantRefundId", ErrorCode::InvalidId)?,
                remark: o.string("remark", ErrorCode::InvalidRemark)?,
            };
            Ok((Call::Refund(id, request), o.signal()?))
        })();
        promise(&self.engine, parsed)
    }

    /// Resolves when the refund is SUCCESS or FAILED. Rejects with ABORTED on `signal`.
    #[wasm_bindgen(js_name = waitForRefund, unchecked_return_type = "Promise<Refund>")]
    pub fn wait_for_refund(
        &self,
        #[wasm_bindgen(js_name = merchantTransactionId, unchecked_param_type = "string")]
        merchant_transaction_id: JsValue,
        #[wasm_bindgen(js_name = merchantRefundId, unchecked_param_type = "string")]
        merchant_refund_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RefundWaitOptions")] options: JsValue,
    ) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let rid = id_arg(&merchant_refund_id, "merchantRefundId")?;
            let o = Options::new(options, "options", true)?;
            let signal = o.signal()?;
            Ok((
                Call::WaitForRefund(id, rid, o.function("onUpdate")?),
                signal,
            ))
        })();
        promise(&self.engine, parsed)
    }

    /// Asks the proxy for the refund now (and journals it).
    #[wasm_bindgen(js_name = getRefund, unchecked_return_type = "Promise<Refund>")]
    pub fn get_refund(
        &self,
        #[wasm_bindgen(js_name = merchantTransactionId, unchecked_param_type = "string")]
        merchant_transaction_id: JsValue,
        #[wasm_bindgen(js_name = merchantRefundId, unchecked_param_type = "string")]
        merchant_refund_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: JsValue,
    ) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let rid = id_arg(&merchant_refund_id, "merchantRefundId")?;
            let signal = Options::new(options, "options", true)?.signal()?;
            Ok((Call::GetRefund(id, rid), signal))
        })();
        promise(&self.engine, parsed)
    }

    /// The journaled payments a reload must resume (create unanswered, attempt open, or a
    /// refund open), oldest first. Throws STORAGE when storage cannot be read.
    #[wasm_bindgen(js_name = pendingPayments, unchecked_return_type = "PendingPayment[]")]
    pub fn pending_payments(&self) -> Result<JsValue, JsValue> {
        let pending = self.engine.pending().map_err(error_to_js)?;
        let out = Array::new();
        for e in pending {
            let state = e.state();
            let refunds = Array::new();
            for r in e.refunds.iter().filter(|r| r.is_pending()) {
                refunds.push(&JsValue::from_str(&r.merchant_refund_id));
            }
            let w = Writer::new();
            w.string("merchantTransactionId", &e.merchant_transaction_id)
                .string("state", state)
                .string("amount", &e.request.amount)
                .string("currency", &e.request.currency)
                .string("method", &e.request.method)
                .u64("createdAt", e.created_at)
                .value(
                    "payment",
                    &e.payment.as_ref().map_or(JsValue::NULL, Js::to_js),
                )
                .value("pendingRefunds", &refunds);
            out.push(&w.finish());
        }
        Ok(out.into())
    }

    /// Every journaled payment, finished or not, newest first, with its refunds and what it
    /// can still refund (a register's history; finished entries are kept 7 days). Throws
    /// STORAGE when storage cannot be read.
    #[wasm_bindgen(unchecked_return_type = "HistoryEntry[]")]
    pub fn history(&self) -> Result<JsValue, JsValue> {
        let entries = self.engine.history().map_err(error_to_js)?;
        let out = Array::new();
        for (e, refundable) in entries {
            let refunds = Array::new();
            for r in &e.refunds {
                let w = Writer::new();
                w.string("merchantRefundId", &r.merchant_refund_id)
                    .string("state", r.state())
                    .string("amount", &r.request.amount)
                    .u64("createdAt", r.created_at)
                    .value(
                        "refund",
                        &r.refund.as_ref().map_or(JsValue::NULL, Js::to_js),
                    );
                refunds.push(&w.finish());
            }
            let w = Writer::new();
            w.string("merchantTransactionId", &e.merchant_transaction_id)
                .string("state", e.state())
                .string("amount", &e.request.amount)
                .string("currency", &e.request.currency)
                .string("method", &e.request.method)
                .u64("createdAt", e.created_at)
                .value(
                    "payment",
                    &e.payment.as_ref().map_or(JsValue::NULL, Js::to_js),
                )
                .opt_string("refundableAmount", refundable.as_deref())
                .value("refunds", &refunds);
            out.push(&w.finish());
        }
        Ok(out.into())
    }

    /// Follows every pending payment and refund to its end (re-sending unanswered creates
    /// with their journaled ids); resolves with the payments' final states.
    #[wasm_bindgen(unchecked_return_type = "Promise<Payment[]>")]
    pub fn resume(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] options: JsValue,
    ) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            let o = Options::new(options, "options", true)?;
            let signal = o.signal()?;
            Ok((Call::Resume(o.function("onUpdate")?), signal))
        })();
        promise(&self.engine, parsed)
    }

    /// Draws the payment's QR code on `canvas`: `size` CSS pixels, sharp at the device pixel
    /// ratio, quiet zone ≥ 4 modules, one path fill. Throws INVALID_CONFIG on bad options.
    #[wasm_bindgen(js_name = renderQr)]
    pub fn render_qr(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HTMLCanvasElement")] canvas: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Payment | string")] payment: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "QrOptions")] options: JsValue,
    ) -> Result<(), JsValue> {
        qr::render(&canvas, &payment, options).map_err(error_to_js)
    }

    /// The payment's QR code as an SVG document (one path). Throws INVALID_CONFIG on bad options.
    #[wasm_bindgen(js_name = qrSvg)]
    pub fn qr_svg(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Payment | string")] payment: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "QrOptions")] options: JsValue,
    ) -> Result<String, JsValue> {
        qr::svg(&payment, options).map_err(error_to_js)
    }

    /// Milliseconds until the payment's QR expires, counted on the proxy's clock (negative
    /// once expired); `null` when unknown.
    #[wasm_bindgen(js_name = msUntilExpiry, unchecked_return_type = "number | null")]
    pub fn ms_until_expiry(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Payment")] payment: JsValue,
    ) -> JsValue {
        PaymentView::from_js(&payment)
            .and_then(|v| self.engine.ms_until_expiry(&v))
            .map_or(JsValue::NULL, |ms| JsValue::from_f64(ms as f64))
    }

    /// Whether the proxy's event stream is open now (push), e.g. for a "live" indicator.
    #[wasm_bindgen(getter, js_name = pushConnected)]
    pub fn push_connected(&self) -> bool {
        self.engine.push_live()
    }

    /// Closes the event stream and the tab channel. Call it when the register is done
    /// (each open stream holds a connection to the proxy).
    pub fn close(&self) {
        self.engine.close();
    }
}

/// The library version, as published to npm.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
