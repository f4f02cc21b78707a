//! The caller's `AbortSignal`: checked before each step, and listened to while a step waits.

use gloo_events::EventListener;
use web_sys::AbortSignal;

use crate::core::error::Error;

/// `ABORTED` if `signal` has fired.
pub fn check(signal: Option<&AbortSignal>) -> Result<(), Error> {
    match signal {
        Some(s) if s.aborted() => Err(Error::aborted()),
        _ => Ok(()),
    }
}

/// Calls `f` when `signal` fires, until the returned listener is dropped.
pub fn on_abort(
    signal: Option<&AbortSignal>,
    mut f: impl FnMut() + 'static,
) -> Option<EventListener> {
    signal.map(|s| EventListener::new(s, "abort", move |_| f()))
}
