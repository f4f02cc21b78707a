//! Other registers on the same storage (other tabs, or other `Register`s of this page):
//! a `BroadcastChannel` to share statuses, and Web Locks to decide who reports an event.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::web::listen::Listener;

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    /// Runs `f` holding the Web Lock `name` (or at once where Web Locks are missing);
    /// resolves with what `f` returned.
    #[wasm_bindgen(js_name = withLock)]
    fn with_lock(name: &str, f: &JsValue) -> Promise;
}

/// Runs `f` holding the lock `name`, shared by every tab of this origin.
pub async fn exclusive(name: &str, f: impl FnOnce() -> bool + 'static) -> bool {
    let callback = Closure::once_into_js(move || JsValue::from_bool(f()));
    JsFuture::from(with_lock(name, &callback))
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// A `BroadcastChannel`; dropping it closes it.
pub struct TabChannel {
    channel: BroadcastChannel,
    _listener: Listener,
}

impl TabChannel {
    /// Joins channel `name`, passing every message's data to `on`. `None` where
    /// `BroadcastChannel` is missing.
    pub fn open(name: &str, on: impl Fn(JsValue) + 'static) -> Option<TabChannel> {
        let channel = BroadcastChannel::new(name).ok()?;
        let listener = Listener::new(&channel, "message", move |e| {
            if let Some(m) = e.dyn_ref::<MessageEvent>() {
                on(m.data());
            }
        });
        Some(TabChannel {
            channel,
            _listener: listener,
        })
    }

    /// Sends `message` to every other member.
    pub fn post(&self, message: &JsValue) {
        let _ = self.channel.post_message(message);
    }
}

impl Drop for TabChannel {
    fn drop(&mut self) {
        self.channel.close();
    }
}
