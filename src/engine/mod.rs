//! The engine: starts, waits, refunds and resumes by wiring the pure core to the browser.
//! Every status, whatever its source, goes through [`Engine::observe_payment`] or
//! [`Engine::observe_refund`]: journaled, shared with other tabs, reported once.

mod push;
mod refund;
mod resume;
mod start;
mod wait;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_net::http::Method;
use pingpong_protocol::contract::{PaymentView, RefundView, paths};
use pingpong_protocol::{ErrorCode, MerchantRefundId, MerchantTransactionId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use crate::core::config::Config;
use crate::core::error::Error;
use crate::core::journal::{self, Journal, MemoryJournal, PaymentEntry};
use crate::core::ledger;
use crate::core::skew::ClockSkew;
use crate::web::bridge::{from_js, to_js};
use crate::web::environment::{Change, Environment};
use crate::web::fetch::{Answer, Transport};
use crate::web::now;
use crate::web::storage::LocalJournal;
use crate::web::tabs::{TabChannel, once};
use crate::web::wake::Hub;

pub use push::PushState;

/// Where a status came from, as `onUpdate` is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
#[tsify(rename = "UpdateSource")]
pub enum Source {
    /// Known when the wait began (the journal).
    Journal,
    /// The create's answer.
    Start,
    /// A poll (query).
    Poll,
    /// The proxy's event stream (push).
    Push,
    /// Another register on the same storage (another tab).
    Tab,
}

/// Where the journal lives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    /// `localStorage`: survives reloads, shared by the tabs of the origin (the default).
    #[default]
    Local,
    /// Memory only: lost on reload, this register's alone.
    Memory,
}

/// An app callback taking a payment.
pub type PaymentHook = Box<dyn Fn(&PaymentView)>;

/// Called with each new status a wait learns, and where it came from.
pub type OnUpdate<'a, T> = Option<&'a dyn Fn(&T, Source)>;

/// Callbacks of the app, called once per event across registers sharing storage.
#[derive(Default)]
pub struct Hooks {
    /// A payment reached its first final status.
    pub on_final: Option<PaymentHook>,
    /// A success arrived after CLOSED or after the app gave up.
    pub on_late_success: Option<PaymentHook>,
}

/// An event reported once per payment across the registers sharing storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Report {
    /// The first final status (`onPaymentFinal`).
    Final,
    /// A late success (`onLateSuccess`).
    LateSuccess,
}

impl Report {
    /// Its part of the Web Lock and IndexedDB claim name.
    fn name(self) -> &'static str {
        match self {
            Report::Final => "final",
            Report::LateSuccess => "late",
        }
    }

    /// Whether `entry` still has this event to report.
    fn due(self, entry: &PaymentEntry) -> bool {
        match self {
            Report::Final => entry.final_to_report(),
            Report::LateSuccess => entry.late_success_to_report(),
        }
    }

    /// Marks the event reported in `entry`; whether it was still due.
    fn take(self, entry: &mut PaymentEntry) -> bool {
        let due = self.due(entry);
        match self {
            Report::Final => entry.final_reported = true,
            Report::LateSuccess => entry.late_success_reported = true,
        }
        due
    }
}

/// A status passed between tabs: `{ "payment": … }` or `{ "refund": … }`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum TabMessage {
    Payment(PaymentView),
    Refund(RefundView),
}

/// One register's engine.
pub struct Engine {
    config: Config,
    transport: Transport,
    journal: Box<dyn Journal>,
    hooks: Hooks,
    skew: Cell<ClockSkew>,
    hub: Hub,
    /// Per payment id: when the last answer about it arrived and from where (a list, not a
    /// map: a register follows few payments at once, and a map costs kilobytes of wasm).
    answers: RefCell<Vec<LastAnswer>>,
    push: RefCell<PushState>,
    tabs: RefCell<Option<TabChannel>>,
    environment: RefCell<Option<Environment>>,
    closed: Cell<bool>,
    /// The journal is `localStorage`, shared by the tabs of this origin: events are claimed
    /// across them (IndexedDB). A memory journal is this register's alone.
    shared: bool,
    me: Weak<Engine>,
}

/// The last answer about one payment.
struct LastAnswer {
    id: String,
    at: u64,
    source: Source,
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
            environment: RefCell::new(None),
            closed: Cell::new(false),
            shared: storage == StorageKind::Local,
            me: me.clone(),
        });
        let me = engine.me.clone();
        *engine.environment.borrow_mut() = Some(Environment::watch(move |change| {
            if let Some(e) = me.upgrade() {
                if change == Change::Online(true) {
                    e.reconnect_push_now();
                }
                e.hub.wake_all();
            }
        }));
        if storage == StorageKind::Local {
            engine.join_tabs();
        }
        Ok(engine)
    }

    /// Whether the browser says it is online (true once closed: nothing watches any more).
    fn online(&self) -> bool {
        self.environment
            .borrow()
            .as_ref()
            .is_none_or(Environment::online)
    }

    /// Whether the page is visible (true once closed).
    fn visible(&self) -> bool {
        self.environment
            .borrow()
            .as_ref()
            .is_none_or(Environment::visible)
    }

    fn join_tabs(&self) {
        let mut name = String::from("pingpong-qr:");
        name.push_str(&self.config.storage_key);
        let me = self.me.clone();
        let channel = TabChannel::open(&name, move |data| {
            let Some(engine) = me.upgrade() else { return };
            match from_js::<TabMessage>(data) {
                Some(TabMessage::Payment(view)) => {
                    engine.observe_payment(view, Source::Tab, None);
                }
                Some(TabMessage::Refund(view)) => {
                    engine.observe_refund(view, Source::Tab, None);
                }
                None => {}
            }
        });
        *self.tabs.borrow_mut() = channel;
    }

    fn broadcast(&self, message: &TabMessage) {
        if let Some(tabs) = self.tabs.borrow().as_ref() {
            tabs.post(&to_js(message));
        }
    }

    fn rc(&self) -> Rc<Engine> {
        self.me.upgrade().expect("the engine is alive while used")
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
        self.environment.borrow_mut().take();
        self.hub.wake_all();
    }

    /// A request to the proxy, its answer read as `T`; the answer's timing comes back for
    /// the clock skew.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&JsValue>,
        signal: Option<&AbortSignal>,
    ) -> Result<(T, (u64, u64)), Error> {
        let Answer {
            body,
            sent_at,
            received_at,
        } = self.transport.call(method, path, body, signal).await?;
        let value = from_js(body).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidResponse,
                "the proxy's answer was not the documented JSON",
            )
        })?;
        Ok((value, (sent_at, received_at)))
    }

    fn observe_timing(&self, timing: Option<(u64, u64)>, server_time: u64) {
        if let Some((sent, received)) = timing {
            let mut skew = self.skew.get();
            skew.observe(sent, received, server_time);
            self.skew.set(skew);
        }
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
        self.observe_timing(timing, view.server_time);
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
            self.broadcast(&TabMessage::Payment(view));
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
        self.observe_timing(timing, view.server_time);
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
            self.broadcast(&TabMessage::Refund(view));
        }
        self.hub.wake_all();
        entry.refund(&rid).and_then(|r| r.refund.clone())
    }

    /// Reports the entry's pending events, each once across every register on this storage
    /// (an IndexedDB claim under a Web Lock; a read-check-write of the journal where
    /// IndexedDB is missing).
    fn report(&self, entry: &PaymentEntry) {
        for report in [Report::Final, Report::LateSuccess] {
            if report.due(entry) {
                self.claim(entry, report);
            }
        }
    }

    /// Reports `entry`'s `report` event unless another register did.
    fn claim(&self, entry: &PaymentEntry, report: Report) {
        let id = entry.merchant_transaction_id.clone();
        // The status that made the event due: another tab's late save may have put an older
        // copy of the entry in the journal by the time the claim is decided.
        let seen = entry.payment.clone();
        let mut lock = String::from("pingpong-qr:");
        for part in [&self.config.storage_key, ":", report.name(), ":", &id] {
            lock.push_str(part);
        }
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
                let due = entry.as_mut().is_some_and(|e| report.take(e));
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
                let hook = match report {
                    Report::Final => engine.hooks.on_final.as_ref(),
                    Report::LateSuccess => engine.hooks.on_late_success.as_ref(),
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

    /// Records that an answer about payment `id` arrived at `at` from `source`.
    fn note_answer(&self, id: &str, at: u64, source: Source) {
        let mut answers = self.answers.borrow_mut();
        match answers.iter_mut().find(|a| a.id == id) {
            Some(a) => (a.at, a.source) = (at, source),
            None => answers.push(LastAnswer {
                id: id.to_owned(),
                at,
                source,
            }),
        }
    }

    /// When the last answer about payment `id` arrived, and from where.
    fn last_answer(&self, id: &str) -> Option<(u64, Source)> {
        self.answers
            .borrow()
            .iter()
            .find(|a| a.id == id)
            .map(|a| (a.at, a.source))
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
            .call::<PaymentView>(Method::GET, &paths::payment(id.as_str()), None, signal)
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
fn mismatch() -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        "the proxy answered about another payment, refund or amount",
    )
}

fn invalid_id(field: &str, e: pingpong_protocol::IdError) -> Error {
    let mut message = String::from(field);
    message.push_str(": ");
    message.push_str(&e.to_string());
    Error::new(ErrorCode::InvalidId, message)
}

/// Validates a payment id given by the app (`INVALID_ID`).
fn payment_id(id: &str) -> Result<MerchantTransactionId, Error> {
    MerchantTransactionId::new(id).map_err(|e| invalid_id("merchantTransactionId", e))
}

/// Validates a refund id given by the app (`INVALID_ID`).
fn refund_id(id: &str) -> Result<MerchantRefundId, Error> {
    MerchantRefundId::new(id).map_err(|e| invalid_id("merchantRefundId", e))
}
