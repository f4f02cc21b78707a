//! Notification delivery: POST the signed envelope, retry on PingPong's schedule.

use std::sync::Weak;
use std::time::Duration;

use crate::Shared;
use crate::clock::now_ms;
use crate::records::{DeliveryRecord, NotificationOutcome};
use crate::store::Job;

/// PingPong's waits before each retry (docs/protocol-choices.md #19), before time scaling.
pub const RETRY_SCHEDULE: [Duration; 12] = [
    Duration::from_secs(5),
    Duration::from_secs(5),
    Duration::from_secs(3 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(20 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(3 * 3600),
    Duration::from_secs(3 * 3600),
    Duration::from_secs(3 * 3600),
];

/// The wait before retry `n` (0-based) at `time_scale`.
pub(crate) fn retry_wait(n: usize, time_scale: f64) -> Duration {
    let scale = if time_scale.is_finite() && time_scale >= 0.0 {
        time_scale
    } else {
        1.0
    };
    RETRY_SCHEDULE[n].mul_f64(scale)
}

/// Delivers one notification copy until it is accepted or the schedule runs out.
/// Stops early when the sandbox is gone.
pub(crate) async fn deliver(shared: Weak<Shared>, job: Job) {
    for attempt in job.first_attempt..=RETRY_SCHEDULE.len() {
        let Some(sb) = shared.upgrade() else { return };
        let client = sb.http.clone();
        let time_scale = sb.config.time_scale;
        drop(sb);
        let at_ms = now_ms();
        let sent = client
            .post(&job.url)
            .header("content-type", "application/json")
            .body(job.body.clone())
            .send()
            .await;
        let (http_status, accepted, detail) = match sent {
            Ok(response) => {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                let fail_body = body.trim() == "FAIL";
                let accepted = status.is_success() && !fail_body;
                let detail = if status.is_success() && fail_body {
                    format!("{} body FAIL", status.as_u16())
                } else {
                    status.as_u16().to_string()
                };
                (Some(status.as_u16()), accepted, detail)
            }
            Err(e) if e.is_timeout() => (None, false, "timeout".to_owned()),
            Err(e) if e.is_connect() => (None, false, "connect error".to_owned()),
            Err(_) => (None, false, "transport error".to_owned()),
        };
        let last = attempt == RETRY_SCHEDULE.len();
        let outcome = match (accepted, last) {
            (true, _) => NotificationOutcome::Delivered,
            (false, true) => NotificationOutcome::GaveUp,
            (false, false) => NotificationOutcome::Pending,
        };
        tracing::info!(
            transaction_id = %job.transaction_id,
            notification = job.notification_id,
            attempt = attempt + 1,
            %detail,
            "notification delivery"
        );
        let Some(sb) = shared.upgrade() else { return };
        let record = DeliveryRecord {
            attempt: attempt as u32 + 1,
            at_ms,
            http_status,
            accepted,
            detail,
        };
        sb.with_store(|s| s.record_delivery(&job, record, outcome));
        drop(sb);
        if accepted || last {
            return;
        }
        tokio::time::sleep(retry_wait(attempt, time_scale)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_totals_about_twelve_hours_and_scales() {
        let total: Duration = RETRY_SCHEDULE.iter().sum();
        assert_eq!(total, Duration::from_secs(12 * 3600 + 3 * 60 + 10));
        assert_eq!(retry_wait(0, 0.001), Duration::from_millis(5));
        assert_eq!(retry_wait(11, 0.001), Duration::from_millis(10_800));
        assert_eq!(retry_wait(2, f64::NAN), Duration::from_secs(180));
    }
}
