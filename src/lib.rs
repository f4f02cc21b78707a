//! pingpong-qr: take PingPongCheckout QR-code payments from a browser cash register.
//!
//! Layers, each only calling the ones below:
//! - [`api`]: the `#[wasm_bindgen]` face (`Register`, TypeScript types): conversions only;
//! - [`engine`]: starts, waits, refunds and resumes, wiring the core to the browser;
//! - [`web`]: thin browser I/O (fetch, event stream, timers, storage, canvas, tabs);
//! - [`core`]: the pure logic (state machine, polling policy, ledger, journal, skew, QR geometry).
#![deny(missing_docs)]

pub mod api;
pub mod core;
pub mod engine;
pub mod web;

pub use api::{Register, version};
