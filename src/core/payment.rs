//! The payment state machine: how a journaled payment takes in a status, from whatever
//! source (create answer, poll, push, another tab), so that statuses only move forward (the
//! protocol crate's `PaymentStatus::advance`, the proxy's rule too), duplicates are harmless,
//! and a success after CLOSED or after the app gave up is a late success.
//!
//! ```text
//!  SENDING ──answer──▶ INIT/PROCESSING ──▶ SUCCESS (final)
//!     │                    │      └──────▶ FAILED (declined: the wait ends) ──▶ CLOSED/SUCCESS
//!     └─no answer─▶ UNKNOWN│
//!        (follow up with   └──────────────▶ CLOSED (final) ──late──▶ SUCCESS (late success)
//!         the same ids)
//! ```

use pingpong_protocol::contract::{PaymentView, RefundView};
use pingpong_protocol::{PaymentStatus, RefundStatus};

use crate::core::journal::{PaymentEntry, Phase};

/// What taking in a status did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The entry changed in a way worth reporting (status, amounts, QR).
    pub changed: bool,
    /// The status was taken in (false for a stale or impossible one).
    pub accepted: bool,
}

/// Whether `new` may replace `old`: another status only when it moves the payment forward
/// ([`PaymentStatus::advance`], the proxy's rule too); the same status when it is as recent
/// (amounts and the QR may have changed).
fn payment_accepts(old: &PaymentView, new: &PaymentView) -> bool {
    if old.status == new.status {
        return new.server_time >= old.server_time;
    }
    old.status.advance(new.status).is_some()
}

fn payment_differs(old: &PaymentView, new: &PaymentView) -> bool {
    old.status != new.status
        || old.refunded_amount != new.refunded_amount
        || old.refundable_amount != new.refundable_amount
        || old.qr_code != new.qr_code
        || old.late_success != new.late_success
}

impl PaymentEntry {
    /// Takes in `view` (the proxy's state of this payment) at `now` (register clock, ms).
    pub fn apply(&mut self, view: PaymentView, now: u64) -> Applied {
        let old_status = self.payment.as_ref().map(|p| p.status);
        let (accepted, changed) = match &self.payment {
            None => (true, true),
            Some(old) if payment_accepts(old, &view) => (true, payment_differs(old, &view)),
            Some(_) => (false, false),
        };
        if !accepted {
            return Applied::default();
        }
        // A late success: after CLOSED (the status rule says so, or the proxy did), or after
        // the app stopped waiting.
        let late = view.status == PaymentStatus::Success
            && old_status != Some(PaymentStatus::Success)
            && (old_status
                .and_then(|s| s.advance(view.status))
                .is_some_and(|(_, late)| late)
                || self.gave_up
                || view.late_success);
        if late && !self.late_success_reported {
            self.late_success_pending = true;
        }
        self.phase = Phase::Answered;
        self.payment = Some(view);
        if changed {
            self.updated_at = now;
        }
        Applied { changed, accepted }
    }

    /// Takes in a refund's state. Views of refunds not in the journal are added (a refund
    /// made by another register of the same storage).
    pub fn apply_refund(&mut self, view: RefundView, now: u64) -> Applied {
        let Some(entry) = self.refund_mut(&view.merchant_refund_id) else {
            let mut entry = crate::core::journal::RefundEntry::new(
                pingpong_protocol::contract::CreateRefundRequest {
                    amount: view.amount.clone(),
                    merchant_refund_id: Some(view.merchant_refund_id.clone()),
                    remark: None,
                },
                view.merchant_refund_id.clone(),
                now,
            );
            entry.phase = Phase::Answered;
            entry.refund = Some(view);
            self.refunds.push(entry);
            self.updated_at = now;
            return Applied {
                changed: true,
                accepted: true,
            };
        };
        let (accepted, changed) = match &entry.refund {
            None => (true, true),
            Some(old) if old.status == view.status => (view.server_time >= old.server_time, false),
            // Another status only when it moves the refund forward (to its final status).
            Some(old) => {
                let forward = old.status.advance(view.status).is_some();
                (forward, forward)
            }
        };
        if !accepted {
            return Applied::default();
        }
        entry.phase = Phase::Answered;
        entry.refund = Some(view);
        if changed {
            entry.updated_at = now;
            self.updated_at = now;
        }
        Applied { changed, accepted }
    }

    /// The status last reported by the proxy.
    pub fn status(&self) -> Option<PaymentStatus> {
        self.payment.as_ref().map(|p| p.status)
    }

    /// Whether the first final status is still to be reported.
    pub fn final_to_report(&self) -> bool {
        !self.final_reported && self.status().is_some_and(PaymentStatus::is_final)
    }

    /// Whether a late success is still to be reported.
    pub fn late_success_to_report(&self) -> bool {
        self.late_success_pending && !self.late_success_reported
    }
}

/// Whether a refund status ends a wait for it.
pub fn refund_done(status: RefundStatus) -> bool {
    status.is_final()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::journal::tests::{refund_view, request, view};
    use PaymentStatus::*;

    fn entry() -> PaymentEntry {
        PaymentEntry::new(request(), "PQ1".into(), 0)
    }

    #[test]
    fn first_answer_is_taken_and_ends_sending() {
        let mut e = entry();
        assert_eq!(e.phase, Phase::Sending);
        let a = e.apply(view("PQ1", Processing, 10), 11);
        assert!(a.changed && a.accepted);
        assert_eq!(e.phase, Phase::Answered);
        assert_eq!(e.status(), Some(Processing));
        assert!(!e.final_to_report());
    }

    #[test]
    fn push_and_poll_delivering_the_same_success_change_it_once() {
        let mut e = entry();
        e.apply(view("PQ1", Processing, 10), 10);
        assert!(e.apply(view("PQ1", Success, 20), 20).changed);
        assert!(e.final_to_report());
        let again = e.apply(view("PQ1", Success, 20), 21);
        assert!(again.accepted && !again.changed);
    }

    #[test]
    fn statuses_never_move_backwards() {
        let mut e = entry();
        e.apply(view("PQ1", Success, 20), 20);
        // A slow poll answered before the payment: ignored.
        assert!(!e.apply(view("PQ1", Processing, 10), 30).accepted);
        // Even a later-stamped non-success cannot undo a success.
        assert!(!e.apply(view("PQ1", Closed, 40), 40).accepted);
        assert_eq!(e.status(), Some(Success));
        let mut e = entry();
        e.apply(view("PQ1", Processing, 10), 10);
        assert!(!e.apply(view("PQ1", Init, 5), 11).accepted);
    }

    #[test]
    fn a_decline_is_only_followed_by_a_later_end() {
        // The proxy never re-opens a FAILED order (the status rule, protocol's
        // PaymentStatus::advance): PROCESSING after FAILED is stale news; a SUCCESS (the
        // consumer paid on a new scan) or a CLOSED still ends it, and is not late.
        let mut e = entry();
        e.apply(view("PQ1", Failed, 10), 10);
        assert!(!e.is_pending());
        let stale = e.apply(view("PQ1", Processing, 20), 20);
        assert!(!stale.accepted && !stale.changed);
        assert_eq!(e.status(), Some(Failed));
        assert!(e.apply(view("PQ1", Success, 30), 30).changed);
        assert!(!e.late_success_to_report());
    }

    #[test]
    fn success_after_closed_is_a_late_success_reported_once() {
        let mut e = entry();
        e.apply(view("PQ1", Processing, 10), 10);
        e.apply(view("PQ1", Closed, 20), 20);
        assert!(e.final_to_report());
        e.final_reported = true;
        assert!(e.apply(view("PQ1", Success, 30), 30).changed);
        assert!(e.late_success_to_report());
        // The first final status was already reported: no second final event.
        assert!(!e.final_to_report());
        e.late_success_reported = true;
        e.apply(view("PQ1", Success, 30), 31);
        assert!(!e.late_success_to_report());
        // CLOSED cannot turn into anything but SUCCESS.
        let mut c = entry();
        c.apply(view("PQ1", Closed, 20), 20);
        assert!(!c.apply(view("PQ1", Processing, 25), 25).accepted);
    }

    #[test]
    fn success_after_the_app_gave_up_is_a_late_success() {
        let mut e = entry();
        e.apply(view("PQ1", Processing, 10), 10);
        e.gave_up = true;
        e.apply(view("PQ1", Success, 30), 30);
        assert!(e.late_success_to_report());
        assert!(e.final_to_report());
        // Not giving up: an ordinary success.
        let mut e = entry();
        e.apply(view("PQ1", Processing, 10), 10);
        e.apply(view("PQ1", Success, 30), 30);
        assert!(!e.late_success_to_report());
    }

    #[test]
    fn the_proxys_late_flag_counts_even_without_having_seen_closed() {
        let mut e = entry();
        let mut v = view("PQ1", Success, 30);
        v.late_success = true;
        e.apply(v, 30);
        assert!(e.late_success_to_report());
    }

    #[test]
    fn a_tie_between_open_and_final_goes_to_final() {
        let mut e = entry();
        e.apply(view("PQ1", Processing, 10), 10);
        assert!(e.apply(view("PQ1", Success, 10), 11).changed);
    }

    #[test]
    fn refunds_move_forward_only_and_unknown_ones_are_added() {
        let mut e = entry();
        e.apply(view("PQ1", Success, 10), 10);
        let a = e.apply_refund(refund_view("RF1", "3.00", RefundStatus::Processing, 20), 20);
        assert!(a.changed);
        assert_eq!(e.refunds.len(), 1);
        assert!(
            e.apply_refund(refund_view("RF1", "3.00", RefundStatus::Success, 30), 30)
                .changed
        );
        assert!(
            !e.apply_refund(refund_view("RF1", "3.00", RefundStatus::Processing, 40), 40)
                .accepted
        );
        assert!(refund_done(
            e.refund("RF1").unwrap().refund.as_ref().unwrap().status
        ));
    }
}
