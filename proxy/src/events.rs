//! The event stream: `POST /v1/events/tickets` (bearer auth) issues a ticket; `GET
//! /v1/events?ticket=…[&lastEventId=N]` (or with the bearer token in a header, for clients
//! that can send one) streams the journaled events of the register's merchant and store as
//! SSE (`id:` = event sequence, `event:` `payment` | `refund`, `data:` the view JSON),
//! replaying everything after `Last-Event-ID` (header, or the query parameter) so a register
//! that reconnects misses nothing. Streams read the journal; the journal wakes them. When
//! the directory changes (a register revoked, a merchant disabled, by this process or the
//! command line), every stream checks its register again and ends if it may no longer call.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use pingpong_protocol::ErrorCode;
use pingpong_protocol::contract::{ApiError, EventTicket, paths};
use tokio::sync::{OwnedSemaphorePermit, watch};

use crate::app::App;
use crate::auth::{self, Caller, Register};
use crate::error::{ApiResult, fail};
use crate::journal::StoredEvent;
use crate::openapi::{AnyError, Busy, Unauthorized};
use crate::util::now_ms;

/// Events read from the journal per query.
const BATCH: u32 = 100;

/// Get a ticket for the event stream
///
/// An EventSource cannot send Authorization: this short-lived ticket, bound to the register's
/// store, goes in the stream's URL instead. No body needed.
#[utoipa::path(
    post,
    path = paths::EVENT_TICKETS,
    operation_id = "createEventTicket",
    tag = "events",
    responses(
        (status = 201, description = "A ticket.", body = EventTicket),
        (status = 401, response = Unauthorized),
        (status = 503, response = Busy),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn issue_ticket(
    State(app): State<Arc<App>>,
    caller: Caller,
) -> ApiResult<(StatusCode, Json<EventTicket>)> {
    let ticket = auth::issue_ticket(&app, &caller.register, app.ticket_ttl)?;
    Ok((StatusCode::CREATED, Json(ticket)))
}

/// Decodes one `application/x-www-form-urlencoded` value (tickets and numbers only need
/// `%XX` and `+`).
fn decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = value.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| decode(v))
}

fn parse_seq(text: &str) -> ApiResult<u64> {
    text.trim().parse().map_err(|_| {
        fail(
            ErrorCode::InvalidRequest,
            "Last-Event-ID must be an event number",
        )
    })
}

/// Server-Sent Events of this register's store
///
/// Each status change of the store's payments and refunds, from the journal: `id:` the event
/// sequence, `event:` `payment` or `refund`, `data:` a PaymentView or RefundView JSON
/// (serverTime at sending). Comment lines keep the connection alive. A reconnecting client
/// sends `Last-Event-ID` (EventSource does) or `lastEventId=N`, and receives every event after
/// N; without either, only new events. Authenticate with a ticket (browsers) or the bearer
/// token (clients that can send headers).
#[utoipa::path(
    get,
    path = paths::EVENTS,
    operation_id = "events",
    tag = "events",
    security((), ("bearer" = [])),
    params(
        ("ticket" = Option<String>, Query, description = "From POST /v1/events/tickets; required unless the bearer token is sent."),
        ("lastEventId" = Option<u64>, Query, description = "Resume after this event (as Last-Event-ID)."),
        ("Last-Event-ID" = Option<String>, Header, pattern = "^[0-9]+$", description = "Resume after this event (sent by EventSource when it reconnects)."),
    ),
    responses(
        (status = 200, description = "The stream: `payment` events carry a PaymentView, `refund` events a RefundView.", content_type = "text/event-stream", body = String),
        (status = 400, description = "INVALID_REQUEST: Last-Event-ID is not a number.", body = ApiError),
        (status = 401, response = Unauthorized),
        (status = 503, response = Busy),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn stream(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let query = query.unwrap_or_default();
    // A ticket (browsers), or the bearer token itself (clients that can send headers).
    let caller = match (param(&query, "ticket"), auth::bearer(&headers)) {
        (Some(ticket), _) => auth::redeem_ticket(&app, &ticket).await?,
        (None, Some(token)) => auth::authenticate(&app, token).await?,
        (None, None) => {
            return Err(fail(
                ErrorCode::Unauthorized,
                "missing, unknown or expired ticket; get one from POST /v1/events/tickets",
            ));
        }
    };
    let register = caller.register;
    // EventSource sends the header when it reconnects; it wins over the URL's value.
    let last = match headers.get("last-event-id") {
        Some(v) => Some(parse_seq(v.to_str().unwrap_or("x"))?),
        None => param(&query, "lastEventId")
            .map(|v| parse_seq(&v))
            .transpose()?,
    };
    let permit = app.streams.clone().try_acquire_owned().map_err(|_| {
        tracing::warn!(store = %register.store_id, "event streams at their cap: 503 BUSY");
        fail(
            ErrorCode::Busy,
            "the proxy has as many event streams open as it allows; poll meanwhile and retry in a moment",
        )
    })?;
    // An id beyond the journal (a replaced file) resumes from now rather than waiting.
    let newest = app.journal.last_event().await?;
    let cursor = last.map_or(newest, |n| n.min(newest));
    tracing::info!(merchant = %register.merchant_id, store = %register.store_id, cursor, "event stream opened");
    let mut directory = app.journal.directory_wakeups();
    directory.borrow_and_update();
    let state = StreamState {
        wake: app.journal.event_wakeups(),
        directory,
        shutdown: app.shutdown.clone(),
        app: app.clone(),
        register,
        cursor,
        buffer: VecDeque::new(),
        _permit: permit,
    };
    let sse = Sse::new(events(state)).keep_alive(KeepAlive::new().interval(app.keep_alive));
    let mut response = sse.into_response();
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

struct StreamState {
    app: Arc<App>,
    register: Register,
    cursor: u64,
    buffer: VecDeque<StoredEvent>,
    wake: watch::Receiver<u64>,
    /// Changes of merchants, stores and registers: the register is checked again.
    directory: watch::Receiver<u64>,
    shutdown: watch::Receiver<bool>,
    /// This stream's place under the cap, given back when it ends.
    _permit: OwnedSemaphorePermit,
}

/// The event with the view's `serverTime` set to now (it was journaled at change time).
fn to_sse(event: &StoredEvent) -> Event {
    let data = match serde_json::from_str::<serde_json::Value>(&event.data) {
        Ok(mut v) => {
            if let Some(obj) = v.as_object_mut() {
                obj.insert("serverTime".into(), now_ms().into());
            }
            v.to_string()
        }
        Err(_) => event.data.clone(),
    };
    Event::default()
        .id(event.seq.to_string())
        .event(event.kind.as_str())
        .data(data)
}

fn events(state: StreamState) -> impl Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(event) = s.buffer.pop_front() {
                s.cursor = event.seq;
                return Some((Ok(to_sse(&event)), s));
            }
            if *s.shutdown.borrow() {
                return None;
            }
            // Mark the wake-up seen before reading, so no commit slips between the two.
            s.wake.borrow_and_update();
            let (merchant, store) = (&s.register.merchant_id, &s.register.store_id);
            match s
                .app
                .journal
                .events_after(merchant, store, s.cursor, BATCH)
                .await
            {
                Ok(batch) if !batch.is_empty() => {
                    s.buffer.extend(batch);
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "event stream ends: journal failure");
                    return None;
                }
            }
            tokio::select! {
                changed = s.wake.changed() => if changed.is_err() { return None },
                changed = s.directory.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                    s.directory.borrow_and_update();
                    // Revoked, or its merchant disabled: the stream ends at once.
                    if !matches!(auth::still_valid(&s.app, &s.register).await, Ok(true)) {
                        tracing::info!(
                            merchant = %s.register.merchant_id,
                            store = %s.register.store_id,
                            "event stream closed: its register may no longer call"
                        );
                        return None;
                    }
                }
                _ = s.shutdown.changed() => return None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_query_parameters() {
        let q = "ticket=ab%2Fc&lastEventId=12";
        assert_eq!(param(q, "ticket").as_deref(), Some("ab/c"));
        assert_eq!(param(q, "lastEventId").as_deref(), Some("12"));
        assert_eq!(param(q, "nope"), None);
        assert_eq!(param("ticket=%zz", "ticket"), None);
        assert_eq!(parse_seq(" 7 ").unwrap(), 7);
        assert!(parse_seq("-1").is_err());
    }
}
