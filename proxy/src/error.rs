//! Errors as the register sees them: an [`ApiError`] body with the status of its code.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pingpong_protocol::{ApiError, ErrorCode};

use crate::journal::JournalError;

/// A refused or failed call: answered with `code.http_status()` and the [`ApiError`] JSON.
#[derive(Debug)]
pub(crate) struct ApiFailure(pub ApiError);

/// What handlers return.
pub(crate) type ApiResult<T> = Result<T, ApiFailure>;

/// An error with `code` and `message`.
pub(crate) fn fail(code: ErrorCode, message: impl Into<String>) -> ApiFailure {
    ApiFailure(ApiError::new(code, message))
}

impl From<ApiError> for ApiFailure {
    fn from(e: ApiError) -> Self {
        ApiFailure(e)
    }
}

impl From<JournalError> for ApiFailure {
    fn from(e: JournalError) -> Self {
        tracing::error!(error = %e, "journal failure");
        fail(
            ErrorCode::Internal,
            "the proxy's journal failed; retry with the same ids",
        )
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .ok()
            .filter(|s| s.as_u16() >= 400)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let unauthorized = self.0.code == ErrorCode::Unauthorized;
        let mut response = (status, Json(self.0)).into_response();
        if unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The contract code for an error status produced outside the handlers (axum's own
/// rejections, the static file server).
pub(crate) fn code_for_status(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        400 | 422 => ErrorCode::InvalidRequest,
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::BodyTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        _ => ErrorCode::Internal,
    }
}
