//! Other registers on the same storage (other tabs, or other `Register`s of this page):
//! a `BroadcastChannel` to share statuses, and a Web Lock plus an IndexedDB claim to decide
//! who reports an event.

use gloo_events::EventListener;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{BroadcastChannel, MessageEvent};

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
    _listener: EventListener,
}

impl TabChannel {
    /// Joins channel `name`, passing every message's data to `on`. `None` where
    /// `BroadcastChannel` is missing.
    pub fn open(name: &str, on: impl Fn(JsValue) + 'static) -> Option<TabChannel> {
        let channel = BroadcastChannel::new(name).ok()?;
        let listener = EventListener::new(&channel, "message", move |e| {
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

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::web::wake::sleep;

    fn unique(prefix: &str) -> String {
        let mut s = String::from(prefix);
        s.push_str(&((js_sys::Math::random() * 1e12) as u64).to_string());
        s
    }

    /// The claim behind "reported once across tabs": an IndexedDB insert, atomic across tabs
    /// (a journal flag in localStorage is not: another tab's copy lags behind, even under the
    /// Web Lock). Concurrent callers of one name: exactly one runs, told it is first; a later
    /// caller (another tab, a reload) does not run at all. The e2e fault suite checks it across
    /// two real tabs (e2e/faults, "two tabs").
    #[wasm_bindgen_test]
    async fn a_claimed_report_runs_once_across_callers_and_stays_claimed() {
        let name = unique("pingpong-qr:claim-test:final:");
        let runs: Rc<RefCell<Vec<bool>>> = Rc::default();
        let settled = Rc::new(RefCell::new(0));
        for _ in 0..5 {
            let (name, runs, settled) = (name.clone(), runs.clone(), settled.clone());
            wasm_bindgen_futures::spawn_local(async move {
                once(&name, true, move |first| {
                    runs.borrow_mut().push(first);
                    true
                })
                .await;
                *settled.borrow_mut() += 1;
            });
        }
        for _ in 0..100 {
            if *settled.borrow() == 5 {
                break;
            }
            sleep(50, None).await.unwrap();
        }
        assert_eq!(*settled.borrow(), 5, "five claims settled within 5 s");
        assert_eq!(*runs.borrow(), [true], "one caller ran, as the first");
        let again = once(&name, true, |_| panic!("a claimed name runs again")).await;
        assert!(!again);
        let other = once(&unique("pingpong-qr:claim-test:late:"), true, |first| first).await;
        assert!(other, "another name is claimed on its own");
        // A register with a memory journal does not claim: the journal (its own) decides.
        let unclaimed = once(&name, false, |first| !first).await;
        assert!(
            unclaimed,
            "without a claim, f runs and is not told it is first"
        );
    }
}
