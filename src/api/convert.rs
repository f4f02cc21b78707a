//! Conversions between JS values and Rust types: the one place where JS errors and options
//! become core types and core results become JS values.

use js_sys::{Function, Reflect};
use pingpong_protocol::ErrorCode;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::core::error::Error;

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
pub fn error_to_js(e: Error) -> JsValue {
    make_error(
        e.code.as_str(),
        &e.message,
        e.upstream_code,
        e.merchant_transaction_id,
        e.merchant_refund_id,
    )
}

/// Read access to an options object; `undefined` and `null` count as "not given".
pub struct Options(JsValue);

fn wrong(code: ErrorCode, name: &str, what: &str) -> Error {
    let mut message = String::from(name);
    message.push_str(" must be ");
    message.push_str(what);
    Error::new(code, message)
}

impl Options {
    /// Wraps `value`; `INVALID_CONFIG` unless it is an object, or absent when `optional`.
    pub fn new(value: JsValue, name: &str, optional: bool) -> Result<Options, Error> {
        if value.is_object() || (optional && (value.is_undefined() || value.is_null())) {
            Ok(Options(value))
        } else {
            Err(wrong(ErrorCode::InvalidConfig, name, "an object"))
        }
    }

    fn get(&self, name: &str) -> Option<JsValue> {
        if !self.0.is_object() {
            return None;
        }
        let v = Reflect::get(&self.0, &JsValue::from_str(name)).ok()?;
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }

    /// A string field; `code` when it has another type.
    pub fn string(&self, name: &str, code: ErrorCode) -> Result<Option<String>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| wrong(code, name, "a string")),
        }
    }

    /// A required string field; `code` with `hint` when missing or of another type.
    pub fn required_string(
        &self,
        name: &str,
        code: ErrorCode,
        hint: &str,
    ) -> Result<String, Error> {
        match self.get(name) {
            Some(v) => v.as_string().ok_or_else(|| wrong(code, name, hint)),
            None => Err(wrong(code, name, hint)),
        }
    }

    /// A number field; `code` when it has another type.
    pub fn number(&self, name: &str, code: ErrorCode) -> Result<Option<f64>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| wrong(code, name, "a number")),
        }
    }

    /// A boolean field; `INVALID_CONFIG` when it has another type.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| wrong(ErrorCode::InvalidConfig, name, "a boolean")),
        }
    }

    /// A function field; `INVALID_CONFIG` when it has another type.
    pub fn function(&self, name: &str) -> Result<Option<Function>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .dyn_into::<Function>()
                .map(Some)
                .map_err(|_| wrong(ErrorCode::InvalidConfig, name, "a function")),
        }
    }

    /// The `signal` field; `INVALID_CONFIG` unless an `AbortSignal`.
    pub fn signal(&self) -> Result<Option<AbortSignal>, Error> {
        match self.get("signal") {
            None => Ok(None),
            Some(v) => v
                .dyn_into::<AbortSignal>()
                .map(Some)
                .map_err(|_| wrong(ErrorCode::InvalidConfig, "signal", "an AbortSignal")),
        }
    }
}

/// A whole number from a JS number (`None` for a fraction, NaN or ±∞).
pub fn whole(n: f64) -> Option<i64> {
    (n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
}

/// An id argument: a string, or `INVALID_ID`.
pub fn id_arg(value: &JsValue, name: &str) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| wrong(ErrorCode::InvalidId, name, "a string"))
}
