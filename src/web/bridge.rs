//! Rust values ↔ plain JS objects, through serde-wasm-bindgen and the protocol crate's serde
//! types: field names in camelCase, absent values `null`, times as numbers.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::{JsCast, JsValue};

/// `value` as a plain JS object (`null` for what has no JS form).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&Serializer::new().serialize_missing_as_null(true))
        .unwrap_or(JsValue::NULL)
}

/// `value` read as a `T`; `None` when it does not have `T`'s shape.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
}

/// JSON `text` read as a `T`; `None` when it is not JSON of `T`'s shape.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    from_js(js_sys::JSON::parse(text).ok()?)
}

/// The message of a serde-wasm-bindgen error (a JS `Error`), without the `Error: ` prefix
/// its `Display` adds.
pub fn error_message(e: serde_wasm_bindgen::Error) -> String {
    let value = JsValue::from(e);
    match value.dyn_ref::<js_sys::Error>() {
        Some(error) => error.message().into(),
        None => value.as_string().unwrap_or_default(),
    }
}
