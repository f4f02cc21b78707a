//! The JSON body extractor of the API: `Content-Type: application/json`, at most the
//! router's body limit (16 KiB), the documented shape — each refusal with its contract code.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use pingpong_protocol::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiFailure, fail};

/// The largest request body the API reads, in bytes.
pub(crate) const MAX_BODY: usize = 16 * 1024;

/// A JSON request body of type `T`.
pub(crate) struct JsonBody<T>(pub T);

/// Whether the request says its body is JSON (`application/json`, parameters allowed).
fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether reading the body failed because its deadline passed (the listener's body limit).
fn timed_out(rejection: &BytesRejection) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&req) {
            return Err(fail(
                ErrorCode::UnsupportedMediaType,
                "send the body as Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                fail(ErrorCode::BodyTooLarge, "the body exceeds 16 KiB")
            } else if timed_out(&r) {
                fail(
                    ErrorCode::InvalidRequest,
                    "the body did not arrive in time; send it at once after the headers",
                )
            } else {
                fail(ErrorCode::InvalidRequest, "the body could not be read")
            }
        })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            let what = if e.is_data() {
                "the body does not have the documented shape"
            } else {
                "the body is not valid JSON"
            };
            fail(ErrorCode::InvalidRequest, format!("{what}: {e}"))
        })
    }
}
