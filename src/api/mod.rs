//! The JS face: `Register` and free functions. Conversions only; the logic is in the engine.

#[cfg(test)]
mod generated;
mod options;
mod qr;
mod views;

use std::rc::Rc;

use js_sys::{Function, Promise};
use pingpong_protocol::contract::{
    CreatePaymentRequest, CreateRefundRequest, PaymentView, RefundView,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::core::config::Config;
use crate::core::error::Error;
use crate::engine::{Engine, Hooks, PaymentHook, Source};
use crate::web::bridge::{from_js, to_js};
use crate::web::url::proxy_url;
use options::{
    RefundWaitOptions, RegisterOptions, RequestOptions, WaitOptions, id_arg, read, read_optional,
};
use views::{HistoryEntry, PendingPayment};

/// The option types that combine a contract request with a `signal` (read by the custom
/// section below and by the generator's test).
#[cfg_attr(not(test), allow(dead_code))]
const OPTIONS_TS: &str = r#"/**
 * Options of `startPayment`: the payment, and a `signal` that stops waiting for the answer
 * (the order may still be created: see `resume()`).
 */
export type StartPaymentOptions = CreatePaymentRequest & RequestOptions;

/**
 * Options of `refund`: the refund, and a `signal`.
 */
export type RefundOptions = CreateRefundRequest & RequestOptions;"#;

#[wasm_bindgen(typescript_custom_section)]
const OPTIONS_SECTION: &str = OPTIONS_TS;

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(
        code: &str,
        message: &str,
        upstream_code: Option<String>,
        merchant_transaction_id: Option<String>,
        merchant_refund_id: Option<String>,
    ) -> JsValue;
}

/// The one conversion of a core error into a JS `PingPongError`.
fn error_to_js(e: Error) -> JsValue {
    make_error(
        e.code.as_str(),
        &e.message,
        e.upstream_code,
        e.merchant_transaction_id,
        e.merchant_refund_id,
    )
}

type JsResult = Result<JsValue, JsValue>;

fn settle<T: Serialize>(r: Result<T, Error>) -> JsResult {
    r.map(|v| to_js(&v)).map_err(error_to_js)
}

/// An asynchronous call of the JS face, its arguments parsed.
enum Call {
    StartPayment(CreatePaymentRequest),
    WaitForPayment {
        id: String,
        on_update: Option<Function>,
    },
    GetPayment(String),
    Refund {
        id: String,
        request: CreateRefundRequest,
    },
    WaitForRefund {
        id: String,
        refund: String,
        on_update: Option<Function>,
    },
    GetRefund {
        id: String,
        refund: String,
    },
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
        Call::WaitForPayment { id, on_update } => {
            let f = on_update.map(callback::<PaymentView>);
            let f = f.as_ref().map(|f| f as &dyn Fn(&PaymentView, Source));
            settle(engine.wait_payment(&id, signal, f).await)
        }
        Call::GetPayment(id) => settle(engine.get_payment(&id, signal).await),
        Call::Refund { id, request } => settle(engine.refund(&id, request, signal).await),
        Call::WaitForRefund {
            id,
            refund,
            on_update,
        } => {
            let f = on_update.map(callback::<RefundView>);
            let f = f.as_ref().map(|f| f as &dyn Fn(&RefundView, Source));
            settle(engine.wait_refund(&id, &refund, signal, f).await)
        }
        Call::GetRefund { id, refund } => settle(engine.get_refund(&id, &refund, signal).await),
        Call::Resume(on_update) => {
            let f = on_update.map(callback::<PaymentView>);
            let f = f.as_ref().map(|f| f as &dyn Fn(&PaymentView, Source));
            settle(engine.resume(signal, f).await)
        }
    }
}

fn callback<T: Serialize>(f: Function) -> impl Fn(&T, Source) {
    move |v, source| {
        let _ = f.call2(&JsValue::NULL, &to_js(v), &to_js(&source));
    }
}

fn hook(f: Option<Function>) -> Option<PaymentHook> {
    f.map(|f| -> PaymentHook {
        Box::new(move |v| {
            let _ = f.call1(&JsValue::NULL, &to_js(v));
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
        let o: RegisterOptions = read(options, "options")?;
        let config = Config::new(
            proxy_url(&o.proxy_url)?,
            &o.token,
            o.push,
            o.storage_key.as_deref(),
            o.request_timeout_ms,
        )?;
        let hooks = Hooks {
            on_final: hook(o.on_payment_final),
            on_late_success: hook(o.on_late_success),
        };
        Ok(Register {
            engine: Engine::new(config, o.storage, hooks)?,
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
        let parsed = (|| {
            let request: CreatePaymentRequest = read(options.clone(), "options")?;
            let o: RequestOptions = read(options, "options")?;
            Ok((Call::StartPayment(request), o.signal))
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
        let parsed = (|| {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let o: WaitOptions = read_optional(options, "options")?;
            let call = Call::WaitForPayment {
                id,
                on_update: o.on_update,
            };
            Ok((call, o.signal))
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
        let parsed = (|| {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let o: RequestOptions = read_optional(options, "options")?;
            Ok((Call::GetPayment(id), o.signal))
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
        let parsed = (|| {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let request: CreateRefundRequest = read(options.clone(), "options")?;
            let o: RequestOptions = read(options, "options")?;
            Ok((Call::Refund { id, request }, o.signal))
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
        let parsed = (|| {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let refund = id_arg(&merchant_refund_id, "merchantRefundId")?;
            let o: RefundWaitOptions = read_optional(options, "options")?;
            let call = Call::WaitForRefund {
                id,
                refund,
                on_update: o.on_update,
            };
            Ok((call, o.signal))
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
        let parsed = (|| {
            let id = id_arg(&merchant_transaction_id, "merchantTransactionId")?;
            let refund = id_arg(&merchant_refund_id, "merchantRefundId")?;
            let o: RequestOptions = read_optional(options, "options")?;
            Ok((Call::GetRefund { id, refund }, o.signal))
        })();
        promise(&self.engine, parsed)
    }

    /// The journaled payments a reload must resume (create unanswered, attempt open, or a
    /// refund open), oldest first. Throws STORAGE when storage cannot be read.
    #[wasm_bindgen(js_name = pendingPayments, unchecked_return_type = "PendingPayment[]")]
    pub fn pending_payments(&self) -> Result<JsValue, JsValue> {
        settle(self.engine.pending().map(|entries| {
            entries
                .into_iter()
                .map(PendingPayment::of)
                .collect::<Vec<_>>()
        }))
    }

    /// Every journaled payment, finished or not, newest first, with its refunds and what it
    /// can still refund (a register's history; finished entries are kept 7 days). Throws
    /// STORAGE when storage cannot be read.
    #[wasm_bindgen(unchecked_return_type = "HistoryEntry[]")]
    pub fn history(&self) -> Result<JsValue, JsValue> {
        settle(self.engine.history().map(|entries| {
            entries
                .into_iter()
                .map(|(e, refundable)| HistoryEntry::of(e, refundable))
                .collect::<Vec<_>>()
        }))
    }

    /// Follows every pending payment and refund to its end (re-sending unanswered creates
    /// with their journaled ids); resolves with the payments' final states.
    #[wasm_bindgen(unchecked_return_type = "Promise<Payment[]>")]
    pub fn resume(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] options: JsValue,
    ) -> Promise {
        let parsed = (|| {
            let o: WaitOptions = read_optional(options, "options")?;
            Ok((Call::Resume(o.on_update), o.signal))
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
        from_js::<PaymentView>(payment)
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
