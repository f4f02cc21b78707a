//! Event listeners that remove themselves when dropped.

use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Event, EventTarget};

use crate::core::error::Error;

/// An event listener; dropping it removes it.
#[must_use = "dropping the listener removes it"]
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Listens to `kind` events of `target`.
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        f: impl FnMut(Event) + 'static,
    ) -> Listener {
        let callback = Closure::<dyn FnMut(Event)>::new(f);
        let _ = target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            kind,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}

/// `ABORTED` if `signal` has fired.
pub fn check_abort(signal: Option<&AbortSignal>) -> Result<(), Error> {
    match signal {
        Some(s) if s.aborted() => Err(Error::aborted()),
        _ => Ok(()),
    }
}

/// Calls `f` when `signal` fires, until the returned listener is dropped.
pub fn on_abort(signal: Option<&AbortSignal>, mut f: impl FnMut() + 'static) -> Option<Listener> {
    signal.map(|s| Listener::new(s, "abort", move |_| f()))
}
