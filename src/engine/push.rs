//! Push: the proxy's event stream, opened with a ticket (an `EventSource` cannot send the
//! token), resumed after `lastEventId` on every reconnect, with a capped back-off.

use std::rc::Rc;

use gloo_net::http::Method;
use gloo_timers::callback::Timeout;
use pingpong_protocol::contract::{EventTicket, PaymentView, RefundView, events, paths};

use super::{Engine, Source};
use crate::web::bridge::from_json;
use crate::web::events::{EventStream, StreamEvent};
use crate::web::now;

/// Longest wait between reconnection attempts, in ms.
const MAX_BACKOFF_MS: u32 = 30_000;

/// The stream's state.
#[derive(Default)]
pub struct PushState {
    stream: Option<EventStream>,
    live: bool,
    opened_at: Option<u64>,
    last_event_id: Option<String>,
    connecting: bool,
    retry: Option<Timeout>,
    backoff_ms: u32,
}

impl PushState {
    /// Closes the stream and cancels any reconnection.
    pub fn shut(&mut self) {
        self.stream = None;
        self.retry = None;
        self.live = false;
    }
}

impl Engine {
    /// Whether the event stream is open now.
    pub fn push_live(&self) -> bool {
        self.push.borrow().live
    }

    /// When the event stream last opened (register clock, ms).
    pub fn push_opened_at(&self) -> Option<u64> {
        self.push.borrow().opened_at
    }

    /// Opens the event stream unless push is off, it is open or opening, or a reconnection
    /// is scheduled.
    pub fn ensure_push(&self) {
        if !self.config.push || self.closed.get() {
            return;
        }
        {
            let p = self.push.borrow();
            if p.stream.is_some() || p.connecting || p.retry.is_some() {
                return;
            }
        }
        self.connect_push();
    }

    /// Reconnects at once if the stream is down (the browser came back online).
    pub fn reconnect_push_now(&self) {
        let down = {
            let p = self.push.borrow();
            p.stream.is_none() && !p.connecting
        };
        if down && self.config.push && !self.closed.get() && self.push.borrow().opened_at.is_some()
        {
            self.push.borrow_mut().retry = None;
            self.connect_push();
        }
    }

    fn connect_push(&self) {
        self.push.borrow_mut().connecting = true;
        let engine = self.rc();
        wasm_bindgen_futures::spawn_local(async move {
            let ticket = engine
                .call::<EventTicket>(Method::POST, paths::EVENT_TICKETS, None, None)
                .await;
            engine.push.borrow_mut().connecting = false;
            if engine.closed.get() {
                return;
            }
            let stream = ticket.ok().and_then(|(t, _)| engine.open_stream(&t.ticket));
            match stream {
                Some(s) => engine.push.borrow_mut().stream = Some(s),
                None => engine.schedule_reconnect(),
            }
        });
    }

    fn open_stream(self: &Rc<Self>, ticket: &str) -> Option<EventStream> {
        let mut url = self.transport.base().join(paths::EVENTS);
        url.push_str("?ticket=");
        url.push_str(&String::from(js_sys::encode_uri_component(ticket)));
        if let Some(id) = self.push.borrow().last_event_id.as_deref() {
            url.push_str("&lastEventId=");
            url.push_str(&String::from(js_sys::encode_uri_component(id)));
        }
        let me = self.me.clone();
        EventStream::open(&url, &[events::PAYMENT, events::REFUND], move |event| {
            if let Some(engine) = me.upgrade() {
                engine.on_stream(event);
            }
        })
    }

    fn on_stream(&self, event: StreamEvent) {
        match event {
            StreamEvent::Open => {
                let mut p = self.push.borrow_mut();
                p.live = true;
                p.opened_at = Some(now());
                p.backoff_ms = 0;
            }
            StreamEvent::Message { name, data, id } => {
                if !id.is_empty() {
                    self.push.borrow_mut().last_event_id = Some(id);
                }
                if name == events::PAYMENT {
                    if let Some(view) = from_json::<PaymentView>(&data) {
                        self.observe_payment(view, Source::Push, None);
                    }
                } else if let Some(view) = from_json::<RefundView>(&data) {
                    self.observe_refund(view, Source::Push, None);
                }
                return;
            }
            StreamEvent::Error { closed } => {
                let mut p = self.push.borrow_mut();
                p.live = false;
                if closed {
                    p.stream = None;
                    drop(p);
                    self.schedule_reconnect();
                }
            }
        }
        self.hub.wake_all();
    }

    fn schedule_reconnect(&self) {
        if self.closed.get() {
            return;
        }
        let mut p = self.push.borrow_mut();
        p.backoff_ms = (p.backoff_ms * 2).clamp(1_000, MAX_BACKOFF_MS);
        let me = self.me.clone();
        p.retry = Some(Timeout::new(p.backoff_ms, move || {
            if let Some(engine) = me.upgrade() {
                engine.push.borrow_mut().retry = None;
                engine.ensure_push();
            }
        }));
    }
}
