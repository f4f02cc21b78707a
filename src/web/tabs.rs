//! Other registers on the same storage (other tabs, or other `Register`s of this page):
//! a `BroadcastChannel` to share statuses, and a Web Lock plus an IndexedDB claim to decide
//! who reports an event.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::web::listen::Listener;

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    /// Runs `f(first)` holding the Web Lock `name` unless `claim` and `name` was claimed
    /// before in IndexedDB; resolves with what `f` returned, or false.
    #[wasm_bindgen(js_name = withClaim)]
    fn with_claim(name: &str, claim: bool, f: &JsValue) -> Promise;
}

/// With `claim`, runs `f` once per `name` across every tab and reload of this origin: the
/// first caller to claim `name` in IndexedDB runs it with `true`, inside the claiming
/// transaction (a page that dies before the claim commits leaves `name` free, so the next
/// caller runs `f`: reported again rather than lost); later callers do not run it. Without
/// `claim`, or where IndexedDB is unavailable, every caller runs it with `false`, and `f` must
/// decide (e.g. from the journal). Either way `f` runs holding the Web Lock `name`, so a later
/// holder of that lock sees it done. Resolves with what `f` returned, or false.
pub async fn once(name: &str, claim: bool, f: impl FnOnce(bool) -> bool + 'static) -> bool {
    let callback =
        Closure::once_into_js(move |first: JsValue| JsValue::from_bool(f(first.is_truthy())));
    JsFuture::from(with_claim(name, claim, &callback))
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
