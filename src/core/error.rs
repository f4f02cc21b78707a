//! The library's one error type: a stable [`ErrorCode`], a message for people, and the ids
//! the caller needs to follow up. Mapped once, at the JS edge, to a `PingPongError`.

use core::fmt;

use pingpong_protocol::{ApiError, ErrorCode};

/// An error with a stable code. What to do about each code is in [`ErrorCode::description`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The stable code.
    pub code: ErrorCode,
    /// What went wrong, for people. Never holds the token or a signature.
    pub message: String,
    /// PingPong's result code, when PingPong refused the request.
    pub upstream_code: Option<String>,
    /// The payment concerned, when the error leaves one to follow up (e.g. an unknown
    /// outcome: the order may exist, `resume()` or `getPayment` finds out).
    pub merchant_transaction_id: Option<String>,
    /// The refund concerned, likewise.
    pub merchant_refund_id: Option<String>,
}

impl Error {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            upstream_code: None,
            merchant_transaction_id: None,
            merchant_refund_id: None,
        }
    }

    /// `INVALID_CONFIG` with `message`.
    pub fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidConfig, message)
    }

    /// `ABORTED`: the caller's signal fired.
    pub fn aborted() -> Error {
        Error::new(ErrorCode::Aborted, "aborted by the caller's AbortSignal")
    }

    /// The same error, naming the payment it concerns.
    pub fn for_payment(mut self, id: &str) -> Error {
        self.merchant_transaction_id = Some(id.to_owned());
        self
    }

    /// The same error, naming the refund it concerns.
    pub fn for_refund(mut self, payment: &str, refund: &str) -> Error {
        self.merchant_transaction_id = Some(payment.to_owned());
        self.merchant_refund_id = Some(refund.to_owned());
        self
    }

    /// Whether the request may have taken effect although no answer said so: the ids must
    /// be kept and the outcome found out later (retry with the same ids, or query).
    pub fn outcome_unknown(&self) -> bool {
        outcome_unknown(self.code)
    }
}

/// Whether an error with `code`, raised by a send, leaves the outcome unknown.
pub fn outcome_unknown(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Network
            | ErrorCode::Timeout
            | ErrorCode::UnknownOutcome
            | ErrorCode::UpstreamUnavailable
            | ErrorCode::Busy
            | ErrorCode::UpstreamBadSignature
            | ErrorCode::UpstreamInvalidResponse
            | ErrorCode::Internal
            | ErrorCode::InvalidResponse
            | ErrorCode::Unrecognized
    )
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Error {
        Error {
            code: e.code,
            message: e.message,
            upstream_code: e.upstream_code,
            merchant_transaction_id: None,
            merchant_refund_id: None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_keep_code_and_upstream_code() {
        let mut api = ApiError::new(ErrorCode::UpstreamRejected, "refused");
        api.upstream_code = Some("108003".into());
        let e = Error::from(api).for_payment("PQ1");
        assert_eq!(e.code, ErrorCode::UpstreamRejected);
        assert_eq!(e.upstream_code.as_deref(), Some("108003"));
        assert_eq!(e.merchant_transaction_id.as_deref(), Some("PQ1"));
        assert!(!e.outcome_unknown());
        assert_eq!(e.to_string(), "UPSTREAM_REJECTED: refused");
    }

    #[test]
    fn only_unanswered_sends_are_unknown() {
        for code in [
            ErrorCode::Network,
            ErrorCode::Timeout,
            ErrorCode::UnknownOutcome,
        ] {
            assert!(outcome_unknown(code), "{code}");
        }
        for code in [
            ErrorCode::InvalidAmount,
            ErrorCode::Unauthorized,
            ErrorCode::IdConflict,
            ErrorCode::Aborted,
            ErrorCode::RefundExceedsBalance,
        ] {
            assert!(!outcome_unknown(code), "{code}");
        }
    }
}
