//! When to re-send a create (payment or refund) whose answer did not come: always with the
//! same ids and body, so a retry can never create a second order or refund.

use pingpong_protocol::ErrorCode;

use crate::core::error::outcome_unknown;

/// Sends of one create, first one included.
pub const MAX_SENDS: u32 = 3;

/// After the `sends`-th send (1-based) failed with `code`: the delay before the next send in
/// milliseconds, or `None` to stop. Only unknown outcomes are retried: a refusal is final.
pub fn retry_delay(code: ErrorCode, sends: u32) -> Option<u32> {
    if !outcome_unknown(code) || sends >= MAX_SENDS {
        return None;
    }
    Some(match sends {
        1 => 500,
        _ => 1_500,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_unknown_outcomes_a_bounded_number_of_times() {
        assert_eq!(retry_delay(ErrorCode::Timeout, 1), Some(500));
        assert_eq!(retry_delay(ErrorCode::Network, 2), Some(1_500));
        assert_eq!(retry_delay(ErrorCode::UnknownOutcome, MAX_SENDS), None);
        assert_eq!(retry_delay(ErrorCode::UpstreamUnavailable, 1), Some(500));
    }

    #[test]
    fn never_retries_a_refusal_or_an_abort() {
        for code in [
            ErrorCode::InvalidAmount,
            ErrorCode::Unauthorized,
            ErrorCode::IdConflict,
            ErrorCode::UpstreamRejected,
            ErrorCode::RefundExceedsBalance,
            ErrorCode::Aborted,
        ] {
            assert_eq!(retry_delay(code, 1), None, "{code}");
        }
    }
}
