//! Thin browser I/O behind small types: each wraps one web API (through gloo-net,
//! gloo-timers, gloo-events and serde-wasm-bindgen where they cover it), owns its JS
//! callbacks and undoes itself on drop (listeners removed, timers cleared, requests aborted).

pub(crate) mod abort;
pub(crate) mod bridge;
pub(crate) mod canvas;
pub(crate) mod environment;
pub(crate) mod events;
pub(crate) mod fetch;
pub(crate) mod storage;
pub(crate) mod tabs;
pub(crate) mod url;
pub(crate) mod wake;

/// The register's clock: milliseconds since the Unix epoch.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Ten random bytes for ids (the platform's cryptographic generator).
pub fn entropy() -> [u8; 10] {
    let mut bytes = [0u8; 10];
    if getrandom::fill(&mut bytes).is_err() {
        // No crypto source: fall back on Math.random (ids stay unique with the time prefix).
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

/// A random number in 0..=1000 for polling jitter.
pub fn jitter() -> u16 {
    (js_sys::Math::random() * 1001.0) as u16
}
