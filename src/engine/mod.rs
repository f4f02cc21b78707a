//! The engine: starts, waits, refunds and resumes by wiring the pure core to the browser.
//! Every status, whatever its source, goes through [`Engine::observe_payment`] or
//! [`Engine::observe_refund`]: journaled, shared with other tabs, reported once.

mod push;
mod refund;
mod start;
mod wait;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use pingpong_protocol::contract::{PaymentView, RefundView};
use pingpong_protocol::{ErrorCode, MerchantTransactionId};
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use crate::core::config::Config;
use crate::core::error::Error;
use crate::core::journal::{self, Journal, MemoryJournal, PaymentEntry};
use crate::core::ledger;
use crate::core::skew::ClockSkew;
use crate::web::fetch::{Answer, Transport};
use crate::web::listen::Listener;
use crate::web::now;
use crate::web::storage::LocalJournal;
use crate::web::tabs::{TabChannel, once};
use crate::web::value::{Js, Reader, Writer};
use crate::web::wake::Hub;

pub use push::PushState;

/// Where a status came from (reported to `onUpdate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Known when the wait began (journal).
    Journal,
    /// The answer to the create.
    Start,
    /// A poll (query).
    Poll,
    /// The proxy's event stream.
    Push,
    /// Another register on the same storage.
    Tab,
}

impl Source {
    /// The JS name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Journal => "journal",
            Source::Start => "start",
            Source::Poll => "poll",
            Source::Push => "push",
            Source::Tab => "tab",
        }
    }
}

/// Where the journal lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageKind {
    /// `localStorage` (survives reloads; shared by tabs).
    Local,
    /// Memory only (lost on reload).
    Memory,
}

/// An app callback taking a payment.
pub type PaymentHook = Box<dyn Fn(&PaymentView)>;

/// Callbacks of the app, called once per event across registers sharing storage.
#[derive(Default)]
pub struct Hooks {
    /// A payment reached its first final status.
    pub on_final: Option<PaymentHook>,
    /// A success arrived after CLOSED or after the app gave up.
    pub on_late_success: Option<PaymentHook>,
}

/// A status passed between tabs: `{ payment }` or `{ refund }`.
fn tab_message(key: &str, view: JsValue) -> JsValue {
    let w = Writer::new();
    w.value(key, &view);
    w.finish()
}

/// One register's engine.
pub struct Engine {
    config: Config,
    transport: Transport,
    journal: Box<dyn Journal>,
    hooks: Hooks,
    skew: Cell<ClockSkew>,
    hub: Hub,
    /// Per payment id: when the last answer about it arrived and from where.
    answers: RefCell<Vec<(String, u64, Source)>>,
    push: RefCell<PushState>,
    tabs: RefCell<Option<TabChannel>>,
    online: Cell<bool>,
    visible: Cell<bool>,
    listeners: RefCell<Vec<Listener>>,
    closed: Cell<bool>,
    /// The journal is `localStorage`, shared by the tabs of this origin: events are claimed
    /// across them (IndexedDB). A memory journal is this register's alone.
    shared: bool,
    me: Weak<Engine>,
}

impl Engine {
    /// Builds an engine: opens the journal (`STORAGE` if it cannot), prunes old finished
    /// entries, joins the tab channel and watches online/visibility.
    pub fn new(config: Config, storage: StorageKind, hooks: Hooks) -> Result<Rc<Engine>, Error> {
        let journal: Box<dyn Journal> = match storage {
            StorageKind::Local => Box::new(LocalJournal::open(&config.storage_key)?),
            StorageKind::Memory => Box::new(MemoryJournal::default()),
        };
        let _ = journal::prune(journal.as_ref(), now());
        let transport = Transport::new(
            config.proxy.clone(),
            &config.token,
            config.request_timeout_ms,
        );
        let engine = Rc::new_cyclic(|me| Engine {
            config,
            transport,
            journal,
            hooks,
            skew: Cell::new(ClockSkew::default()),
            hub: Hub::default(),
            answers: RefCell::new(Vec::new()),
            push: RefCell::new(PushState::default()),
            tabs: RefCell::new(None),
            online: Cell::new(true),
            visible: Cell::new(true),
            listeners: RefCell::new(Vec::new()),
            closed: Cell::new(false),
            shared: storage == StorageKind::Local,
            me: me.clone(),
        });
        engine.watch_environment();
        if storage == StorageKind::Local {
            engine.join_tabs();
        }
        Ok(engine)
    }

    fn watch_environment(&self) {
        let mut listeners = self.listeners.borrow_mut();
        if let Some(window) = web_sys::window() {
            self.online.set(window.navigator().on_line());
            for (kind, online) in [("online", true), ("offline", false)] {
                let me = self.me.clone();
                listeners.push(Listener::new(&window, kind, move |_| {
                    if let Some(e) = me.upgrade() {
                        e.online.set(online);
                        if online {
                            e.reconnect_push_now();
                        }
                        e.hub.wake_all();
                    }
                }));
            }
            if let Some(doc) = window.document() {
                let visible = |d: &web_sys::Document| {
                    d.visibility_state() != web_sys::VisibilityState::Hidden
                };
                self.visible.set(visible(&doc));
                let me = self.me.clone();
                let d = doc.clone();
                listeners.push(Listener::new(&doc, "visibilitychange", move |_| {
                    if let Some(e) = me.upgrade() {
                        e.visible.set(visible(&d));
                        e.hub.wake_all();
                    }
                }));
            }
        }
    }

    fn join_tabs(&self) {
        let mut name = String::from("pingpong-qr:");
        name.push_str(&self.config.storage_key);
        let me = self.me.clone();
        let channel = TabChannel::open(&name, move |data| {
            let Some(engine) = me.upgrade() else { return };
            let Some(msg) = Reader::new(&data) else {
                return;
            };
            if let Some(view) = PaymentView::from_js(&msg.get("payment")) {
                engine.observe_payment(view, Source::Tab, None);
            }
            if let Some(view) = RefundView::from_js(&msg.get("refund")) {
                engine.observe_refund(view, Source::Tab, None);
            }
        });
        *self.tabs.borrow_mut() = channel;
    }

    fn broadcast(&self, message: JsValue) {
        if let Some(tabs) = self.tabs.borrow().as_ref() {
            tabs.post(&message);
        }
    }

    fn rc(&self) -> Rc<Engine> {
        self.me.upgrade().expect("the engine is alive while used")
    }

    /// The journal.
    pub fn journal(&self) -> &dyn Journal {
        self.journal.as_ref()
    }

    /// The proxy's clock minus the register's (ms).
    pub fn skew(&self) -> ClockSkew {
        self.skew.get()
    }

    /// Milliseconds until `view`'s QR expires, on the proxy's clock; `None` when unknown.
    pub fn ms_until_expiry(&self, view: &PaymentView) -> Option<i64> {
        let at = view.qr_code_expired_at?;
        Some(at as i64 - self.skew.get().server_now(now()) as i64)
    }

    /// Stops the event stream, the tab channel and the listeners. Waits still running end
    /// by their signal (they keep polling until then).
    pub fn close(&self) {
        self.closed.set(true);
        self.push.borrow_mut().shut();
        self.tabs.borrow_mut().take();
        self.listeners.borrow_mut().clear();
        self.hub.wake_all();
    }

    /// A request to the proxy, parsed as `T`; the answer's timing comes back for skew.
    async fn call<T: Js>(
        &self,
        method: &str,
        path: &str,
        body: Option<&JsValue>,
        signal: Option<&AbortSignal>,
    ) -> Result<(T, (u64, u64)), Error> {
        let Answer {
            body,
            sent_at,
            received_at,
        } = self.transport.call(method, path, body, signal).await?;
        let value = T::from_js(&body).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidResponse,
                "the proxy's answer was not the documented JSON",
            )
        })?;
        Ok((value, (sent_at, received_at)))
    }

    /// Takes in a payment status from any source; returns the journaled view (which may be
    /// newer than `view`). Statuses of payments this register does not follow are ignored
    /// when they come from push or another tab.
    pub fn observe_payment(
        &self,
        view: PaymentView,
        source: Source,
        timing: Option<(u64, u64)>,
    ) -> Option<PaymentView> {
        let t = now();
        if let Some((sent, received)) = timing {
            let mut skew = self.skew.get();
            skew.observe(sent, received, view.server_time);
            self.skew.set(skew);
        }
        let id = view.merchant_transaction_id.clone();
        let loaded = self.journal.load(&id).ok().flatten();
        let mut entry = match loaded {
            Some(e) => e,
            None if matches!(source, Source::Push | Source::Tab) => return None,
            None => PaymentEntry::adopt(view.clone(), t),
        };
        self.note_answer(&id, t, source);
        let applied = entry.apply(view.clone(), t);
        if applied.accepted {
            let _ = self.journal.save(&entry);
        }
        if applied.changed && source != Source::Tab {
            self.broadcast(tab_message("payment", view.to_js()));
        }
        self.hub.wake_all();
        self.report(&entry);
        entry.payment
    }

    /// Takes in a refund status from any source; returns the journaled view.
    pub fn observe_refund(
        &self,
        view: RefundView,
        source: Source,
        timing: Option<(u64, u64)>,
    ) -> Option<RefundView> {
        let t = now();
        if let Some((sent, received)) = timing {
            let mut skew = self.skew.get();
            skew.observe(sent, received, view.server_time);
            self.skew.set(skew);
        }
        let rid = view.merchant_refund_id.clone();
        let Some(mut entry) = self
            .journal
            .load(&view.merchant_transaction_id)
            .ok()
            .flatten()
        else {
            return (!matches!(source, Source::Push | Source::Tab)).then_some(view);
        };
        let applied = entry.apply_refund(view.clone(), t);
        if applied.accepted {
            let _ = self.journal.save(&entry);
        }
        if applied.changed && source != Source::Tab {
            self.broadcast(tab_message("refund", view.to_js()));
        }
        self.hub.wake_all();
        entry.refund(&rid).and_then(|r| r.refund.clone())
    }

    /// Reports the entry's pending events, each once across every register on this storage
    /// (an IndexedDB claim under a Web Lock; a read-check-write of the journal where
    /// IndexedDB is missing).
    fn report(&self, entry: &PaymentEntry) {
        if entry.final_to_report() {
            self.claim(entry, "final", |e| {
                let due = e.final_to_report();
                e.final_reported = true;
                due
            });
        }
        if entry.late_success_to_report() {
            self.claim(entry, "late", |e| {
                let due = e.late_success_to_report();
                e.late_success_reported = true;
                due
            });
        }
    }

    /// Reports `entry`'s `kind` event ("final" or "late") unless another register did;
    /// `take` marks it reported in a journal entry and says whether it was still due.
    fn claim(&self, entry: &PaymentEntry, kind: &'static str, take: fn(&mut PaymentEntry) -> bool) {
        let id = entry.merchant_transaction_id.clone();
        // The status that made the event due: another tab's late save may have put an older
        // copy of the entry in the journal by the time the claim is decided.
        let seen = entry.payment.clone();
        let mut lock = String::from("pingpong-qr:");
        lock.push_str(&self.config.storage_key);
        lock.push(':');
        lock.push_str(kind);
        lock.push(':');
        lock.push_str(&id);
        let me = self.me.clone();
        let shared = self.shared;
        wasm_bindgen_futures::spawn_local(async move {
            // The hook runs inside the lock, so a later holder of it sees the event done.
            // `first`: this register won the IndexedDB claim; without IndexedDB the journal's
            // flag decides (exact within one tab, not across tabs).
            once(&lock, shared, move |first| {
                let Some(engine) = me.upgrade() else {
                    return false;
                };
                let mut entry = engine.journal.load(&id).ok().flatten();
                let due = entry.as_mut().is_some_and(take);
                if due
                    && entry
                        .as_ref()
                        .is_some_and(|e| engine.journal.save(e).is_err())
                {
                    return false;
                }
                if !(first || due) {
                    return false;
                }
                let hook = match kind {
                    "final" => engine.hooks.on_final.as_ref(),
                    _ => engine.hooks.on_late_success.as_ref(),
                };
                let view = if first {
                    seen.as_ref()
                } else {
                    entry.as_ref().and_then(|e| e.payment.as_ref())
                };
                if let (Some(hook), Some(view)) = (hook, view) {
                    hook(view);
                }
                true
            })
            .await;
        });
    }

    /// Records that an answer about payment `id` arrived at `t` from `source` (a list, not
    /// a map: a register follows few payments at once and a map costs kilobytes of wasm).
    fn note_answer(&self, id: &str, t: u64, source: Source) {
        let mut answers = self.answers.borrow_mut();
        match answers.iter_mut().find(|a| a.0 == id) {
            Some(a) => (a.1, a.2) = (t, source),
            None => answers.push((id.to_owned(), t, source)),
        }
    }

    /// When the last answer about payment `id` arrived, and from where.
    fn last_answer(&self, id: &str) -> Option<(u64, Source)> {
        self.answers
            .borrow()
            .iter()
            .find(|a| a.0 == id)
            .map(|a| (a.1, a.2))
    }

    /// Every payment still pending (create unanswered, attempt open, or a refund open).
    pub fn pending(&self) -> Result<Vec<PaymentEntry>, Error> {
        journal::pending(self.journal.as_ref())
    }

    /// Every journaled payment, newest first, each with what it can still refund (the local
    /// ledger's figure, a decimal string; `None` when its currency is unreadable).
    pub fn history(&self) -> Result<Vec<(PaymentEntry, Option<String>)>, Error> {
        Ok(journal::history(self.journal.as_ref())?
            .into_iter()
            .map(|e| {
                let refundable = ledger::refundable(&e).ok().map(|m| m.to_decimal());
                (e, refundable)
            })
            .collect())
    }

    /// `GET` the payment and take in its status. `NOT_FOUND` when the proxy does not know it.
    pub async fn get_payment(
        &self,
        id: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<PaymentView, Error> {
        let id = payment_id(id)?;
        let (view, timing) = self
            .call::<PaymentView>("GET", &payment_path(id.as_str()), None, signal)
            .await
            .map_err(|e| e.for_payment(id.as_str()))?;
        if view.merchant_transaction_id != id.as_str() {
            return Err(mismatch().for_payment(id.as_str()));
        }
        Ok(self
            .observe_payment(view.clone(), Source::Poll, Some(timing))
            .unwrap_or(view))
    }
}

/// `INVALID_RESPONSE` for an answer about another payment or refund (or, to a create,
/// another amount, currency or method) than the one asked about: it is not taken in.
pub fn mismatch() -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        "the proxy answered about another payment, refund or amount",
    )
}

/// Validates a payment id given by the app (`INVALID_ID`).
pub fn payment_id(id: &str) -> Result<MerchantTransactionId, Error> {
    MerchantTransactionId::new(id).map_err(|e| {
        let mut message = String::from("merchantTransactionId: ");
        message.push_str(&e.to_string());
        Error::new(ErrorCode::InvalidId, message)
    })
}

/// `/v1/payments/{id}` (ids are validated to URL-safe characters).
pub fn payment_path(id: &str) -> String {
    let mut p = String::from(pingpong_protocol::contract::paths::PAYMENTS);
    p.push('/');
    p.push_str(id);
    p
}
