//! pingpong-qr: take PingPongCheckout QR-code payments from a browser cash register.
//!
//! Skeleton: the library arrives in slice 3/4.
#![deny(missing_docs)]

use wasm_bindgen::prelude::*;

/// The library version, as published to npm.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
