//! Thin browser I/O behind small types: each wraps one web API, owns its JS callbacks and
//! undoes itself on drop (listeners removed, timers cleared, requests aborted).

pub mod canvas;
pub mod events;
pub mod fetch;
pub mod listen;
pub mod storage;
pub mod tabs;
pub mod value;
pub mod wake;

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
