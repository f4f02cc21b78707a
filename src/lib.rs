//! pingpong-qr: take PingPongCheckout QR-code payments from a browser cash register.
//!
//! Layers, each only calling the ones below:
//! - [`api`]: the `#[wasm_bindgen]` face (`Register`, the option and result types):
//!   conversions only;
//! - `engine`: starts, waits, refunds and resumes, wiring the core to the browser;
//! - `web`: thin browser I/O (fetch, event stream, timers, storage, canvas, tabs);
//! - `core`: the pure logic (state machine, polling policy, ledger, journal, skew, QR
//!   geometry and mask choice).
#![deny(missing_docs)]

pub mod api;
mod core;
mod engine;
mod web;

pub use api::{Register, version};

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
