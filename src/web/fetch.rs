//! Requests to the proxy with gloo-net: the bearer token, JSON in and out, redirects refused,
//! and each request with its own `AbortController`, which the caller's `AbortSignal`, the
//! request timeout (gloo-timers) and dropping the request future all abort.

use std::pin::pin;

use futures::future::{Either, select};
use gloo_net::http::{Method, RequestBuilder};
use gloo_timers::future::TimeoutFuture;
use pingpong_protocol::{ApiError, ErrorCode};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestCache, RequestRedirect};

use crate::core::config::ProxyUrl;
use crate::core::error::Error;
use crate::web::bridge::from_js;
use crate::web::{abort, now};

/// An answer: the parsed JSON body and when the request left and the answer arrived
/// (register clock, ms), for clock-skew correction.
pub struct Answer {
    /// The JSON body.
    pub body: JsValue,
    /// When the request was sent.
    pub sent_at: u64,
    /// When the body was read.
    pub received_at: u64,
}

/// Aborts the request when dropped before it finished.
struct AbortOnDrop {
    controller: AbortController,
    armed: bool,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if self.armed {
            self.controller.abort();
        }
    }
}

/// Talks to one proxy with one register token.
pub struct Transport {
    base: ProxyUrl,
    authorization: String,
    timeout_ms: u32,
}

impl Transport {
    /// A transport to `base` with `token`, aborting requests after `timeout_ms`.
    pub fn new(base: ProxyUrl, token: &str, timeout_ms: u32) -> Transport {
        let mut authorization = String::from("Bearer ");
        authorization.push_str(token);
        Transport {
            base,
            authorization,
            timeout_ms,
        }
    }

    /// The proxy's base URL.
    pub fn base(&self) -> &ProxyUrl {
        &self.base
    }

    /// `method path` with an optional `body`, sent as JSON (the same text on every retry). Errors:
    /// `ABORTED` (the caller's signal), `TIMEOUT`, `NETWORK`, the proxy's `ApiError`, or
    /// `INVALID_RESPONSE` / `INTERNAL` for an answer that is not the documented JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&JsValue>,
        signal: Option<&AbortSignal>,
    ) -> Result<Answer, Error> {
        abort::check(signal)?;
        let controller =
            AbortController::new().map_err(|_| network("AbortController is missing"))?;
        let mut guard = AbortOnDrop {
            controller,
            armed: true,
        };
        let _abort = {
            let c = guard.controller.clone();
            abort::on_abort(signal, move || c.abort())
        };
        let mut request = RequestBuilder::new(&self.base.join(path))
            .method(method)
            .header("Authorization", &self.authorization)
            .header("Accept", "application/json")
            .cache(RequestCache::NoStore)
            // The proxy never redirects: a redirect is refused (NETWORK, outcome unknown)
            // rather than followed, so neither the body nor the token goes anywhere else.
            .redirect(RequestRedirect::Error)
            .abort_signal(Some(&guard.controller.signal()));
        if body.is_some() {
            request = request.header("Content-Type", "application/json");
        }
        let request = match body {
            Some(body) => {
                let text = js_sys::JSON::stringify(body).map_err(|_| {
                    Error::new(ErrorCode::InvalidRequest, "the request is not JSON")
                })?;
                request.body(text)
            }
            None => request.build(),
        }
        .map_err(|_| network("the browser refused to build the request"))?;

        let sent_at = now();
        let exchange = async {
            let response = request.send().await.map_err(|_| failure(signal))?;
            let status = response.status();
            let raw: web_sys::Response = response.into();
            let json = match raw.json() {
                Ok(promise) => JsFuture::from(promise).await.ok(),
                Err(_) => None,
            };
            abort::check(signal)?;
            Ok::<_, Error>((status, json))
        };
        let timeout = TimeoutFuture::new(self.timeout_ms);
        let (status, json) = match select(pin!(exchange), timeout).await {
            Either::Left((result, _)) => result?,
            // Dropping the exchange aborts the fetch (the guard).
            Either::Right(_) => {
                return Err(Error::new(
                    ErrorCode::Timeout,
                    "the proxy did not answer in time; the outcome is unknown",
                ));
            }
        };
        guard.armed = false; // finished: nothing to abort
        let received_at = now();
        let Some(body) = json else {
            return Err(body_error(status));
        };
        if (200..300).contains(&status) {
            return Ok(Answer {
                body,
                sent_at,
                received_at,
            });
        }
        match from_js::<ApiError>(body) {
            Some(api) => Err(api.into()),
            None => Err(body_error(status)),
        }
    }
}

fn network(message: &str) -> Error {
    Error::new(ErrorCode::Network, message)
}

/// Why a fetch failed: the caller aborted, or the network failed.
fn failure(signal: Option<&AbortSignal>) -> Error {
    match abort::check(signal) {
        Err(aborted) => aborted,
        Ok(()) => network("the proxy could not be reached (network, CORS or DNS)"),
    }
}

/// A body that is not the documented JSON.
fn body_error(status: u16) -> Error {
    if status >= 500 {
        Error::new(
            ErrorCode::Internal,
            "the proxy failed without a documented error body",
        )
    } else {
        Error::new(
            ErrorCode::InvalidResponse,
            "the proxy's answer was not the documented JSON",
        )
    }
}
