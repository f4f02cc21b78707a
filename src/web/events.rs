//! The proxy's event stream (`EventSource`): named events with their data and id. Dropping
//! the stream closes it and removes its listeners.

use wasm_bindgen::JsCast;
use web_sys::{Event, EventSource, MessageEvent};

use crate::web::listen::Listener;

/// What the stream reports.
pub enum StreamEvent {
    /// The connection is open.
    Open,
    /// A named event: `(name, data, id)`.
    Message(&'static str, String, String),
    /// The connection failed; `closed` when the browser gave up reconnecting.
    Error {
        /// `readyState` is CLOSED.
        closed: bool,
    },
}

/// An open `EventSource`.
pub struct EventStream {
    source: EventSource,
    _listeners: Vec<Listener>,
}

impl EventStream {
    /// Opens `url`, reporting `names` events and connection changes to `on`.
    pub fn open(
        url: &str,
        names: &[&'static str],
        on: impl Fn(StreamEvent) + Clone + 'static,
    ) -> Option<EventStream> {
        let source = EventSource::new(url).ok()?;
        let mut listeners = Vec::new();
        for &name in names {
            let on = on.clone();
            listeners.push(Listener::new(&source, name, move |e: Event| {
                if let Some(m) = e.dyn_ref::<MessageEvent>() {
                    let data = m.data().as_string().unwrap_or_default();
                    on(StreamEvent::Message(name, data, m.last_event_id()));
                }
            }));
        }
        let o = on.clone();
        listeners.push(Listener::new(&source, "open", move |_| {
            o(StreamEvent::Open)
        }));
        let s = source.clone();
        listeners.push(Listener::new(&source, "error", move |_| {
            on(StreamEvent::Error {
                closed: s.ready_state() == EventSource::CLOSED,
            })
        }));
        Some(EventStream {
            source,
            _listeners: listeners,
        })
    }

    /// Whether the connection is open now.
    pub fn is_open(&self) -> bool {
        self.source.ready_state() == EventSource::OPEN
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.source.close();
    }
}
