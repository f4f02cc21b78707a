//! pingpong-qr: take PingPongCheckout QR-code payments from a browser cash register.
//!
//! Layers, each only calling the one below:
//! - [`api`]: the `#[wasm_bindgen]` face (`Register`, constants, TypeScript types): conversions only;
//! - [`engine`]: starts, waits, refunds and resumes, wiring the core to the browser;
//! - [`web`]: thin browser I/O (fetch, event stream, timers, storage, canvas, tabs);
//! - [`core`]: the pure logic (state machine, polling policy, ledger, journal, skew, QR geometry).
#![deny(missing_docs)]

pub mod core;

use wasm_bindgen::prelude::*;

/// The library version, as published to npm.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
