//! The proxy's event stream with gloo-net's `EventSource`: the named events with their data
//! and id, and the connection's `open` and `error` events (subscribed to like the named ones).
//! Dropping the stream closes it and stops its task.

use futures::StreamExt;
use futures::future::{AbortHandle, abortable};
use futures::stream::select_all;
use gloo_net::eventsource::futures::EventSource;

/// What the stream reports.
pub enum StreamEvent {
    /// The connection is open.
    Open,
    /// A named event.
    Message {
        /// The event's name (one of those subscribed to).
        name: String,
        /// Its data.
        data: String,
        /// Its id (`lastEventId`), empty when it has none.
        id: String,
    },
    /// The connection failed; `closed` when the browser gave up reconnecting.
    Error {
        /// The `EventSource` is closed: it will not reconnect by itself.
        closed: bool,
    },
}

/// An open `EventSource` (closed when dropped) and the task that reports its events.
pub struct EventStream {
    _source: EventSource,
    task: AbortHandle,
}

impl EventStream {
    /// Opens `url`, reporting `names` events and connection changes to `on`. `None` when the
    /// browser refuses the URL.
    pub fn open(
        url: &str,
        names: &[&str],
        on: impl Fn(StreamEvent) + 'static,
    ) -> Option<EventStream> {
        let mut source = EventSource::new(url).ok()?;
        let mut subscriptions = Vec::with_capacity(names.len() + 2);
        for name in ["open", "error"].iter().chain(names) {
            subscriptions.push(source.subscribe(*name).ok()?);
        }
        let mut events = select_all(subscriptions);
        let (task, handle) = abortable(async move {
            while let Some(event) = events.next().await {
                match event {
                    Ok((name, _)) if name == "open" => on(StreamEvent::Open),
                    Ok((name, _)) if name == "error" => on(StreamEvent::Error { closed: false }),
                    Ok((name, m)) => on(StreamEvent::Message {
                        name,
                        data: m.data().as_string().unwrap_or_default(),
                        id: m.last_event_id(),
                    }),
                    // gloo-net's report of an error that left the stream closed (each
                    // subscription reports it): once is enough.
                    Err(_) => {
                        on(StreamEvent::Error { closed: true });
                        break;
                    }
                }
            }
        });
        wasm_bindgen_futures::spawn_local(async move {
            let _ = task.await;
        });
        Some(EventStream {
            _source: source,
            task: handle,
        })
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        // Stop reporting first: closing the source fires one last error event.
        self.task.abort();
    }
}
