//! The proxy's own listener: HTTP/1.1 connections with time limits, and a cap on how many
//! it holds, so idle, trickling or stalled clients cannot hold its file descriptors.
//!
//! - A request's headers must arrive within `header_read` of the connection's start or of
//!   the previous response's end (so an idle keep-alive connection closes after it too);
//!   its body within `body_read` of its headers. Both are measured, never reset by a trickle.
//! - At most `max_connections` are open. A connection is *busy* while a request of it is
//!   being handled or answered (an event stream stays busy); the others (connecting,
//!   sending headers, idle between requests) can be closed at any moment without losing
//!   anything. When the cap is reached, the oldest connection that is not busy is closed to
//!   make room; only when every connection is busy is a new one answered `503 BUSY` and
//!   closed. Event streams, busy for their whole life, have their own cap (`events.rs`).
//! - `accept` failing for want of descriptors is logged at most once a second, and the
//!   loop backs off instead of spinning.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use pingpong_protocol::{ApiError, ErrorCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower_http::timeout::RequestBodyDeadline;

/// The limits in force (resolved from [`crate::config::ConnectionLimits`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub header_read: Duration,
    pub body_read: Duration,
    pub max_connections: usize,
}

/// Connections answered `503 BUSY` at the same time, at most; more are closed unanswered.
const REFUSING_AT_ONCE: usize = 8;

/// The `busy` value of a connection being closed: no request may start on it.
const CLOSING: usize = usize::MAX;

/// One open connection, as the cap sees it.
struct Entry {
    /// Requests of the connection in progress (handler or response body alive), or
    /// [`CLOSING`].
    busy: Arc<AtomicUsize>,
    /// Wakes the connection's task to close it.
    close: Arc<Notify>,
    /// Woken by the task once the connection's socket is closed.
    closed: Arc<Notify>,
}

/// The open connections, oldest first (ids grow).
#[derive(Default)]
struct Registry {
    open: Mutex<BTreeMap<u64, Entry>>,
}

/// What to do with a connection just accepted.
enum Admission {
    /// Serve it; `made_room` is woken once the connection closed for it is gone.
    Serve {
        busy: Arc<AtomicUsize>,
        close: Arc<Notify>,
        closed: Arc<Notify>,
        made_room: Option<Arc<Notify>>,
    },
    Refuse,
}

impl Registry {
    /// Admits connection `id`, closing the oldest idle one when the cap is reached.
    fn admit(&self, id: u64, max: usize) -> Admission {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let mut made_room = None;
        if open.len() >= max {
            let idle = open.iter().find_map(|(k, e)| {
                e.busy
                    .compare_exchange(0, CLOSING, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                    .then_some(*k)
            });
            match idle.and_then(|k| open.remove(&k)) {
                Some(oldest) => {
                    oldest.close.notify_one();
                    made_room = Some(oldest.closed);
                }
                None => return Admission::Refuse,
            }
        }
        let entry = Entry {
            busy: Arc::new(AtomicUsize::new(0)),
            close: Arc::new(Notify::new()),
            closed: Arc::new(Notify::new()),
        };
        let admitted = Admission::Serve {
            busy: entry.busy.clone(),
            close: entry.close.clone(),
            closed: entry.closed.clone(),
            made_room,
        };
        open.insert(id, entry);
        admitted
    }

    fn remove(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }
}

/// Counts a request of a connection while it lives; refused on a closing connection.
struct BusyGuard(Arc<AtomicUsize>);

impl BusyGuard {
    fn enter(busy: &Arc<AtomicUsize>) -> Option<BusyGuard> {
        busy.fetch_update(Ordering::AcqRel, Ordering::Acquire, |b| {
            (b != CLOSING).then(|| b + 1)
        })
        .ok()
        .map(|_| BusyGuard(busy.clone()))
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its connection busy until hyper has written (or dropped) it.
pub(crate) struct Guarded {
    body: Body,
    _busy: Option<BusyGuard>,
}

impl hyper::body::Body for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// The router as hyper calls it: body deadline, busy accounting.
#[derive(Clone)]
struct Service {
    router: RequestBodyDeadline<Router>,
    busy: Arc<AtomicUsize>,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response<Guarded>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for Service {
    type Response = Response<Guarded>;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, request: Request<Incoming>) -> Answer {
        let router = self.router.clone();
        let busy = BusyGuard::enter(&self.busy);
        Box::pin(async move {
            let Some(busy) = busy else {
                // The connection was chosen to make room just as this request arrived.
                let mut r = busy_response().map(Body::from);
                r.headers_mut().insert(
                    axum::http::header::CONNECTION,
                    axum::http::HeaderValue::from_static("close"),
                );
                return Ok(r.map(|body| Guarded { body, _busy: None }));
            };
            let response = router.oneshot(request).await?;
            Ok(response.map(|body| Guarded {
                body,
                _busy: Some(busy),
            }))
        })
    }
}

/// The `503 BUSY` answer, as bytes-ready parts.
fn busy_response() -> Response<String> {
    let body = serde_json::to_string(&ApiError::new(
        ErrorCode::Busy,
        "the proxy is at its limit of connections; nothing was done: retry in a moment with the same ids",
    ))
    .expect("errors serialise");
    Response::builder()
        .status(503)
        .header("content-type", "application/json")
        .header("retry-after", "1")
        .header("x-content-type-options", "nosniff")
        .header("cache-control", "no-store")
        .body(body)
        .expect("a valid response")
}

/// Writes `503 BUSY` on a connection that cannot be served and closes it (at most 1 s).
/// What the client sent meanwhile is read and dropped: closing a socket with unread input
/// resets it, and the client could lose the answer.
async fn refuse(mut stream: TcpStream) {
    let r = busy_response();
    let mut head = String::from("HTTP/1.1 503 Service Unavailable\r\n");
    for (k, v) in r.headers() {
        head.push_str(&format!("{k}: {}\r\n", v.to_str().unwrap_or("")));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{}",
        r.body().len(),
        r.body()
    ));
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(head.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        std::io::Result::Ok(())
    })
    .await;
}

/// Resolves when `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Serves `router` on `listener` within `limits` until `stop` turns true; then stops
/// accepting, lets each connection finish its request in progress, and returns when all
/// are closed. Dropping the future closes every connection.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry::default());
    let router = RequestBodyDeadline::new(router, limits.body_read);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    let mut connections = JoinSet::new();
    // Connections being answered 503 at once (each holds a file for up to a second).
    let refusals = Arc::new(tokio::sync::Semaphore::new(REFUSING_AT_ONCE));
    let mut next_id: u64 = 0;
    let mut last_accept_error: Option<Instant> = None;
    let mut last_refusal: Option<Instant> = None;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut stop) => break,
            // Reap finished connection tasks as they end.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (stream, _peer) = match accepted {
            Ok(s) => s,
            Err(e) => {
                // Out of descriptors (EMFILE/ENFILE) or a connection reset before accept.
                if last_accept_error.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                    tracing::warn!(error = %e, "accept failed; connections wait in the backlog");
                    last_accept_error = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        next_id += 1;
        let id = next_id;
        let (busy, close, closed) = match registry.admit(id, limits.max_connections) {
            Admission::Serve {
                busy,
                close,
                closed,
                made_room,
            } => {
                if let Some(gone) = made_room {
                    // Accept nothing more until the closed connection's file is free: the
                    // listener never holds more than the cap and this one.
                    let _ = tokio::time::timeout(Duration::from_secs(1), gone.notified()).await;
                }
                (busy, close, closed)
            }
            Admission::Refuse => {
                if last_refusal.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                    tracing::warn!(
                        max = limits.max_connections,
                        "every connection is busy: new ones are answered 503 BUSY"
                    );
                    last_refusal = Some(Instant::now());
                }
                match refusals.clone().try_acquire_owned() {
                    Ok(permit) => {
                        connections.spawn(async move {
                            refuse(stream).await;
                            drop(permit);
                        });
                    }
                    // Too many being refused at once: close it without a word.
                    Err(_) => drop(stream),
                }
                continue;
            }
        };
        let service = Service {
            router: router.clone(),
            busy,
        };
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let registry = registry.clone();
        let mut stop = stop.clone();
        connections.spawn(async move {
            let mut conn = Box::pin(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = close.notified() => {
                    // Not busy (checked when it was chosen): dropping it loses nothing.
                    tracing::debug!(connection = id, "closed to make room");
                }
                () = stopped(&mut stop) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.as_mut().await;
                }
            }
            drop(conn);
            registry.remove(id);
            closed.notify_one();
        });
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_idle_connection_makes_room_and_a_busy_one_never_does() {
        let r = Registry::default();
        let mut admitted = Vec::new();
        for id in 1..=3 {
            match r.admit(id, 3) {
                Admission::Serve { busy, close, .. } => admitted.push((busy, close)),
                Admission::Refuse => panic!("room for {id}"),
            }
        }
        // 1 is busy, 2 is idle: the fourth closes 2, not 1.
        let guard = BusyGuard::enter(&admitted[0].0).unwrap();
        assert!(matches!(
            r.admit(4, 3),
            Admission::Serve {
                made_room: Some(_),
                ..
            }
        ));
        assert_eq!(admitted[1].0.load(Ordering::Acquire), CLOSING);
        assert!(
            BusyGuard::enter(&admitted[1].0).is_none(),
            "no request on a closing one"
        );
        assert_eq!(admitted[0].0.load(Ordering::Acquire), 1);
        // 3 and 4 busy too: the fifth is refused.
        let _g3 = BusyGuard::enter(&admitted[2].0).unwrap();
        let four = r.open.lock().unwrap()[&4].busy.clone();
        let _g4 = BusyGuard::enter(&four).unwrap();
        assert!(matches!(r.admit(5, 3), Admission::Refuse));
        // When 1's request ends it is idle again, and the next one closes it.
        drop(guard);
        assert!(matches!(r.admit(6, 3), Admission::Serve { .. }));
        assert_eq!(admitted[0].0.load(Ordering::Acquire), CLOSING);
        assert_eq!(r.open.lock().unwrap().len(), 3);
    }
}
