//! The option objects of the JS face, read with serde-wasm-bindgen into the protocol crate's
//! request types and the types below; a field of the wrong shape gets its own error code
//! (`INVALID_AMOUNT` for `amount`, …; `INVALID_CONFIG` for the library's own options).

use js_sys::Function;
use pingpong_protocol::ErrorCode;
use pingpong_protocol::contract::field_error_code;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::core::error::Error;
use crate::core::qr::Ecc;
use crate::engine::StorageKind;
use crate::web::bridge::error_message;

/// Options of `new Register(…)`.
#[derive(Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RegisterOptions {
    /// The signing proxy's base URL, e.g. `"https://pay.example.com"` (http or https; no
    /// query, fragment or credentials).
    pub proxy_url: String,
    /// This register's bearer token, issued by the merchant. Never stored by the library.
    pub token: String,
    /// Listen to the proxy's event stream besides polling (default true); false: polling only.
    #[tsify(optional)]
    pub push: Option<bool>,
    /// Journal namespace: registers with the same one share payments (default `"pingpong-qr"`).
    #[tsify(optional)]
    pub storage_key: Option<String>,
    /// Where the journal lives (default `"local"`).
    #[serde(default)]
    pub storage: StorageKind,
    /// Abort a request to the proxy after this many ms (1000..=120000, default 15000).
    #[tsify(optional)]
    pub request_timeout_ms: Option<f64>,
    /// Called once per payment, across every register on this storage, at its first final
    /// status (SUCCESS, CLOSED, CANCEL).
    #[serde(default, deserialize_with = "js")]
    #[tsify(optional, type = "(payment: Payment) => void")]
    pub on_payment_final: Option<Function>,
    /// Called once per payment when a SUCCESS arrives after it was CLOSED or after the app
    /// gave up waiting (aborted): the consumer paid; book it or refund it.
    #[serde(default, deserialize_with = "js")]
    #[tsify(optional, type = "(payment: Payment) => void")]
    pub on_late_success: Option<Function>,
}

/// Options of `getPayment` and `getRefund`, and the `signal` of every call.
#[derive(Default, Deserialize, Tsify)]
pub struct RequestOptions {
    /// Stops the call; it rejects with `ABORTED`. A create already sent may still take
    /// effect: `resume()` finds out.
    #[serde(default, deserialize_with = "js")]
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<AbortSignal>,
}

/// Options of `waitForPayment` and `resume`.
#[derive(Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct WaitOptions {
    /// Stops the wait; it rejects with `ABORTED` (a later success is then a late success).
    #[serde(default, deserialize_with = "js")]
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<AbortSignal>,
    /// Called with each new status the wait learns, first with the one known when it began.
    #[serde(default, deserialize_with = "js")]
    #[tsify(optional, type = "(payment: Payment, source: UpdateSource) => void")]
    pub on_update: Option<Function>,
}

/// Options of `waitForRefund`.
#[derive(Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RefundWaitOptions {
    /// Stops the wait; it rejects with `ABORTED`.
    #[serde(default, deserialize_with = "js")]
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<AbortSignal>,
    /// Called with each new status the wait learns, first with the one known when it began.
    #[serde(default, deserialize_with = "js")]
    #[tsify(optional, type = "(refund: Refund, source: UpdateSource) => void")]
    pub on_update: Option<Function>,
}

/// Options of `renderQr` and `qrSvg`.
#[derive(Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct QrOptions {
    /// Size in CSS pixels, 16..=4096 (default 256 on a canvas; none for SVG, which scales).
    #[tsify(optional)]
    pub size: Option<f64>,
    /// Device pixels per CSS pixel (default `window.devicePixelRatio`).
    #[tsify(optional)]
    pub device_pixel_ratio: Option<f64>,
    /// Error-correction level (default `"M"`).
    #[serde(default)]
    pub ecc: Ecc,
    /// Light border in modules, 4..=16 (default 4).
    #[tsify(optional)]
    pub quiet_zone: Option<f64>,
    /// CSS colour of the modules (default `"#000"`).
    #[tsify(optional)]
    pub dark: Option<String>,
    /// CSS colour of the background (default `"#fff"`).
    #[tsify(optional)]
    pub light: Option<String>,
}

/// A JS object of class `T` (`AbortSignal`, `Function`) kept as it is; absent or `null` is
/// `None`.
fn js<'de, D: Deserializer<'de>, T: JsCast>(d: D) -> Result<Option<T>, D::Error> {
    let value: JsValue = serde_wasm_bindgen::preserve::deserialize(d)?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into()
        .map(Some)
        .map_err(|_| D::Error::custom("an object of another type"))
}

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    /// `{ proxy, last }`: `proxy` reads `value`, `last` is the last property it read.
    type Tracked;
    fn tracked(value: &JsValue) -> Tracked;
    #[wasm_bindgen(method, getter)]
    fn proxy(this: &Tracked) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn last(this: &Tracked) -> Option<String>;
}

/// The error of a field read by serde: the field's code, and the field in the message.
/// `field` is the last one read; a missing field is named by serde's message.
fn field_error(name: &str, field: Option<String>, message: String) -> Error {
    let field = match message.strip_prefix("missing field `") {
        Some(rest) => rest.split('`').next().unwrap_or_default().to_owned(),
        None => field.unwrap_or_default(),
    };
    let code = match field_error_code(&field) {
        ErrorCode::InvalidRequest => ErrorCode::InvalidConfig,
        code => code,
    };
    let mut text = String::from(name);
    if !field.is_empty() {
        text.push('.');
        text.push_str(&field);
    }
    text.push_str(": ");
    text.push_str(&message);
    Error::new(code, text)
}

/// Reads `value` (the argument `name`) as a `T`: `INVALID_CONFIG` unless it is an object; a
/// field of the wrong shape is named in the message and gets its own code when it is a
/// contract field (`INVALID_AMOUNT` for `amount`, …, as validation would give it),
/// `INVALID_CONFIG` otherwise.
pub fn read<T: DeserializeOwned>(value: JsValue, name: &str) -> Result<T, Error> {
    object(&value, name)?;
    let tracked = tracked(&value);
    serde_wasm_bindgen::from_value(tracked.proxy())
        .map_err(|e| field_error(name, tracked.last(), error_message(e)))
}

fn object(value: &JsValue, name: &str) -> Result<(), Error> {
    if value.is_object() {
        return Ok(());
    }
    let mut message = String::from(name);
    message.push_str(" must be an object");
    Err(Error::config(message))
}

/// Like [`read`], with an absent argument (`undefined` or `null`) read as `T::default()`.
pub fn read_optional<T: DeserializeOwned + Default>(
    value: JsValue,
    name: &str,
) -> Result<T, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    read(value, name)
}

/// An id argument: a string, or `INVALID_ID`.
pub fn id_arg(value: &JsValue, name: &str) -> Result<String, Error> {
    value.as_string().ok_or_else(|| {
        let mut message = String::from(name);
        message.push_str(" must be a string");
        Error::new(ErrorCode::InvalidId, message)
    })
}

/// A whole number from a JS number (`None` for a fraction, NaN or ±∞).
pub fn whole(n: f64) -> Option<i64> {
    (n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
}
