//! Fault knobs: what the sandbox does wrong on purpose, set at run time
//! ([`crate::Sandbox::set_faults`] or `PUT /control/faults`).

use serde::{Deserialize, Serialize};

/// The four v4 APIs, as fault targets and in statistics (defined in the protocol crate).
pub use pingpong_protocol::Api;

/// The fault knobs. All off by default (`Faults::default()`); JSON in camelCase, every field
/// optional on input.
///
/// Counters (`http5xx`, `noAnswer`, `systemError`, `dropNotifications`) count down as they fire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Added latency before each targeted API call is handled, in milliseconds.
    pub latency_ms: u64,
    /// The next N targeted API calls answer HTTP 503 and are not processed.
    #[serde(rename = "http5xx")]
    pub http_5xx: u32,
    /// The next N targeted API calls are processed, then never answered: the connection is
    /// held open until the client gives up (the "timeout → UNKNOWN" case).
    pub no_answer: u32,
    /// The next N targeted API calls whose signature verifies are answered with a signed
    /// `500000` (internal gateway error, no `status`) and are not processed: a system error,
    /// whose outcome a client must treat as unknown (retry with the same ids, or query).
    pub system_error: u32,
    /// The APIs that `latencyMs`, `http5xx`, `noAnswer` and `systemError` apply to; empty
    /// means all four.
    pub apis: Vec<Api>,
    /// The next N notifications are dropped: never delivered, never retried.
    pub drop_notifications: u32,
    /// Every notification is delivered twice.
    pub duplicate_notifications: bool,
    /// The wallet may pay an order that is already CLOSED; it becomes SUCCESS and is notified.
    pub late_success: bool,
    /// Refunds created while this is on end FAILED instead of SUCCESS.
    pub refund_failure: bool,
}

impl Faults {
    /// Whether the per-call knobs apply to `api`.
    pub fn targets(&self, api: Api) -> bool {
        self.apis.is_empty() || self.apis.contains(&api)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_camel_case_and_fields_are_optional() {
        let f: Faults = serde_json::from_str(r#"{"http5xx":2,"apis":["query"]}"#).unwrap();
        assert_eq!(f.http_5xx, 2);
        assert!(f.targets(Api::Query) && !f.targets(Api::Refund));
        let text = serde_json::to_string(&Faults::default()).unwrap();
        assert!(text.contains("\"latencyMs\":0") && text.contains("\"noAnswer\":0"));
        assert!(text.contains("\"systemError\":0"));
        assert!(Faults::default().targets(Api::RefundQuery));
    }
}
