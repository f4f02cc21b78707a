//! Requests to the proxy: `fetch` with the bearer token, JSON in and out, each request with
//! its own `AbortController` that our timeout, the caller's `AbortSignal` and dropping the
//! request future all abort.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::{Object, Promise, Reflect};
use pingpong_protocol::ErrorCode;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestInit, Response};

use crate::core::config::ProxyUrl;
use crate::core::error::Error;
use crate::web::listen::{check_abort, on_abort};
use crate::web::now;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window or worker), looked up at each call.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Promise;
}

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
struct AbortOnDrop(AbortController, bool);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if self.1 {
            self.0.abort();
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

    /// `method path` with an optional JSON `body`. Errors: `ABORTED` (the caller's signal),
    /// `TIMEOUT`, `NETWORK`, the proxy's `ApiError`, or `INVALID_RESPONSE`.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&JsValue>,
        signal: Option<&AbortSignal>,
    ) -> Result<Answer, Error> {
        check_abort(signal)?;
        let controller =
            AbortController::new().map_err(|_| network("AbortController is missing"))?;
        let mut guard = AbortOnDrop(controller, true);
        let timed_out = Rc::new(Cell::new(false));
        let _timer = {
            let (flag, c) = (timed_out.clone(), guard.0.clone());
            Timeout::new(self.timeout_ms, move || {
                flag.set(true);
                c.abort();
            })
        };
        let _abort = {
            let c = guard.0.clone();
            on_abort(signal, move || c.abort())
        };
        let init = RequestInit::new();
        init.set_method(method);
        let headers = Object::new();
        let set = |k: &str, v: &str| Reflect::set(&headers, &k.into(), &v.into());
        let _ = set("Authorization", &self.authorization);
        let _ = set("Accept", "application/json");
        if let Some(body) = body {
            let _ = set("Content-Type", "application/json");
            let text = js_sys::JSON::stringify(body)
                .map_err(|_| Error::new(ErrorCode::InvalidRequest, "the request is not JSON"))?;
            init.set_body(&text);
        }
        init.set_headers(&headers);
        init.set_signal(Some(&guard.0.signal()));
        init.set_cache(web_sys::RequestCache::NoStore);
        // The proxy never redirects: a redirect is refused (NETWORK, outcome unknown) rather
        // than followed, so neither the body nor the token goes anywhere else.
        init.set_redirect(web_sys::RequestRedirect::Error);

        let why = |_| failure(signal, timed_out.get());
        let sent_at = now();
        let response: Response = JsFuture::from(global_fetch(&self.base.join(path), &init))
            .await
            .map_err(why)?
            .unchecked_into();
        let status = response.status();
        let json = match response.json() {
            Ok(p) => JsFuture::from(p).await.map_err(|_| {
                if signal.is_some_and(AbortSignal::aborted) || timed_out.get() {
                    failure(signal, timed_out.get())
                } else {
                    body_error(status)
                }
            }),
            Err(_) => Err(body_error(status)),
        };
        let received_at = now();
        guard.1 = false; // finished: nothing to abort
        let body = json?;
        if (200..300).contains(&status) {
            return Ok(Answer {
                body,
                sent_at,
                received_at,
            });
        }
        match crate::web::value::api_error(&body) {
            Some(api) => Err(api.into()),
            None => Err(body_error(status)),
        }
    }
}

fn network(message: &str) -> Error {
    Error::new(ErrorCode::Network, message)
}

/// Why a fetch failed: the caller aborted, our timeout fired, or the network failed.
fn failure(signal: Option<&AbortSignal>, timed_out: bool) -> Error {
    if signal.is_some_and(AbortSignal::aborted) {
        Error::aborted()
    } else if timed_out {
        Error::new(
            ErrorCode::Timeout,
            "the proxy did not answer in time; the outcome is unknown",
        )
    } else {
        network("the proxy could not be reached (network, CORS or DNS)")
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
