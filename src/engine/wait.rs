//! Waiting for a payment's or a refund's end: push, polls (by the pure policy), other tabs
//! and the network's state all wake one loop, which ends on the first status that ends
//! the attempt, on the caller's signal, or on an error that waiting cannot cure.

use pingpong_protocol::ErrorCode;
use pingpong_protocol::contract::{PaymentView, RefundView};
use web_sys::AbortSignal;

use super::{Engine, OnUpdate, Source, payment_id, refund_id};
use crate::core::error::Error;
use crate::core::journal::Phase;
use crate::core::payment::refund_done;
use crate::core::poll::{Conditions, PollDecision, PollState, next_poll};
use crate::web::abort;
use crate::web::wake::Wakeup;
use crate::web::{jitter, now};

/// Errors a wait rides out (it keeps polling): the outcome is still to be learned.
fn transient(e: &Error) -> bool {
    e.outcome_unknown() || matches!(e.code, ErrorCode::Network | ErrorCode::Timeout)
}

/// A create left unanswered this long ago is re-sent by a follow-up (its sender is gone).
const ORPHAN_SENDING_MS: u64 = 60_000;

impl Engine {
    /// Asks the proxy for the payment. A payment whose create went unanswered and that the
    /// proxy does not know is created now with the journaled request (same id and body).
    pub(super) async fn refresh_payment(
        &self,
        id: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<PaymentView, Error> {
        match self.get_payment(id, signal).await {
            Err(e) if e.code == ErrorCode::NotFound => {
                let entry = self.journal.load(id)?;
                match entry {
                    Some(entry)
                        if entry.phase == Phase::Unknown
                            || (entry.phase == Phase::Sending
                                && now().saturating_sub(entry.created_at) > ORPHAN_SENDING_MS) =>
                    {
                        self.resend_create(entry, signal).await
                    }
                    _ => Err(e),
                }
            }
            other => other,
        }
    }

    fn gave_up(&self, id: &str, value: bool) {
        if let Ok(Some(mut e)) = self.journal.load(id)
            && e.gave_up != value
        {
            e.gave_up = value;
            let _ = self.journal.save(&e);
        }
    }

    /// Waits until the payment's attempt ends (SUCCESS, FAILED, CLOSED, CANCEL) and resolves
    /// with it. `ABORTED` when `signal` fires (a later success is then a late success).
    pub async fn wait_payment(
        &self,
        id: &str,
        signal: Option<&AbortSignal>,
        on_update: OnUpdate<'_, PaymentView>,
    ) -> Result<PaymentView, Error> {
        let id = payment_id(id)?.into_string();
        if abort::check(signal).is_err() {
            self.gave_up(&id, true);
            return Err(Error::aborted().for_payment(&id));
        }
        let wake = Wakeup::default();
        self.hub.subscribe(&wake);
        let w = wake.clone();
        let _abort = abort::on_abort(signal, move || w.wake());
        self.gave_up(&id, false);
        self.ensure_push();
        let mut state = PollState {
            started_at: now(),
            last_answer_at: None,
            polls: 0,
            in_flight: false,
        };
        let mut reported: Option<PaymentView> = None;
        let mut first = true;
        loop {
            let entry = self.journal.load(&id)?;
            if let Some(view) = entry.as_ref().and_then(|e| e.payment.clone()) {
                let news = reported.as_ref().is_none_or(|r| {
                    r.status != view.status
                        || r.refunded_amount != view.refunded_amount
                        || r.qr_code != view.qr_code
                });
                if news {
                    if let Some(f) = on_update {
                        let source = if first {
                            Source::Journal
                        } else {
                            self.last_answer(&id).map_or(Source::Poll, |a| a.1)
                        };
                        f(&view, source);
                    }
                    reported = Some(view.clone());
                }
                if view.status.ends_attempt() {
                    return Ok(view);
                }
            }
            first = false;
            if abort::check(signal).is_err() {
                self.gave_up(&id, true);
                return Err(Error::aborted().for_payment(&id));
            }
            let answered = self.last_answer(&id).map(|a| a.0);
            state.last_answer_at = match (answered, state.last_answer_at) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            let expires_at = reported
                .as_ref()
                .and_then(|v| v.qr_code_expired_at)
                .map(|t| self.skew.get().to_local(t));
            let cond = Conditions {
                visible: self.visible(),
                online: self.online(),
                push_live: self.push_live(),
                expires_at,
            };
            // A stream that opened after the last answer may have missed a change: catch up.
            let catch_up = cond.push_live
                && self
                    .push_opened_at()
                    .zip(state.last_answer_at)
                    .is_some_and(|(opened, last)| opened > last);
            let decision = if catch_up && cond.online {
                PollDecision::Now
            } else {
                next_poll(now(), &state, &cond, jitter())
            };
            match decision {
                PollDecision::Now => {
                    state.in_flight = true;
                    let result = self.refresh_payment(&id, signal).await;
                    state.in_flight = false;
                    state.polls += 1;
                    state.last_answer_at = Some(now());
                    match result {
                        Ok(_) => {}
                        Err(e) if e.code == ErrorCode::Aborted => {}
                        Err(e) if transient(&e) => {}
                        Err(e) => return Err(e.for_payment(&id)),
                    }
                }
                PollDecision::At(at) => wake.wait_at_most(at.saturating_sub(now())).await,
                PollDecision::Paused => wake.wait().await,
            }
        }
    }

    /// Waits until the refund is SUCCESS or FAILED and resolves with it. `ABORTED` when
    /// `signal` fires.
    pub async fn wait_refund(
        &self,
        payment: &str,
        refund: &str,
        signal: Option<&AbortSignal>,
        on_update: OnUpdate<'_, RefundView>,
    ) -> Result<RefundView, Error> {
        let payment = payment_id(payment)?.into_string();
        let refund = refund_id(refund)?.into_string();
        abort::check(signal).map_err(|e| e.for_refund(&payment, &refund))?;
        let wake = Wakeup::default();
        self.hub.subscribe(&wake);
        let w = wake.clone();
        let _abort = abort::on_abort(signal, move || w.wake());
        self.ensure_push();
        let mut state = PollState {
            started_at: now(),
            last_answer_at: None,
            polls: 0,
            in_flight: false,
        };
        let mut reported: Option<RefundView> = None;
        let mut first = true;
        loop {
            let known = self
                .journal
                .load(&payment)?
                .and_then(|e| e.refund(&refund).and_then(|r| r.refund.clone()));
            if let Some(view) = known {
                if reported.as_ref().is_none_or(|r| r.status != view.status) {
                    if let Some(f) = on_update {
                        let source = if first { Source::Journal } else { Source::Poll };
                        f(&view, source);
                    }
                    reported = Some(view.clone());
                }
                if refund_done(view.status) {
                    return Ok(view);
                }
                if state.last_answer_at.is_none() {
                    state.last_answer_at = Some(now());
                }
            }
            first = false;
            if abort::check(signal).is_err() {
                return Err(Error::aborted().for_refund(&payment, &refund));
            }
            let cond = Conditions {
                visible: self.visible(),
                online: self.online(),
                push_live: self.push_live(),
                expires_at: None,
            };
            match next_poll(now(), &state, &cond, jitter()) {
                PollDecision::Now => {
                    state.in_flight = true;
                    let result = self.refresh_refund(&payment, &refund, signal).await;
                    state.in_flight = false;
                    state.polls += 1;
                    state.last_answer_at = Some(now());
                    match result {
                        Ok(view) if self.journal.load(&payment)?.is_none() => {
                            // Not journaled (a payment of another device): judge the answer.
                            if refund_done(view.status) {
                                if let Some(f) = on_update {
                                    f(&view, Source::Poll);
                                }
                                return Ok(view);
                            }
                        }
                        Ok(_) => {}
                        Err(e) if e.code == ErrorCode::Aborted => {}
                        Err(e) if transient(&e) => {}
                        Err(e) => return Err(e.for_refund(&payment, &refund)),
                    }
                }
                PollDecision::At(at) => wake.wait_at_most(at.saturating_sub(now())).await,
                PollDecision::Paused => wake.wait().await,
            }
        }
    }
}
