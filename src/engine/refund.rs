//! Refunds: checked against the ledger before any request, journaled before the send,
//! re-sent with the same id when unanswered.

use gloo_net::http::Method;
use pingpong_protocol::contract::{CreateRefundRequest, RefundView, paths};
use pingpong_protocol::{ErrorCode, MerchantRefundId, PaymentStatus};
use web_sys::AbortSignal;

use super::{Engine, Source, mismatch, payment_id, refund_id};
use crate::core::error::Error;
use crate::core::journal::{PaymentEntry, Phase, RefundEntry};
use crate::core::ledger::check_refund;
use crate::web::abort;
use crate::web::bridge::to_js;
use crate::web::{entropy, now};

/// Whether an answer is about refund `rid` of payment `pid`.
fn is_refund(view: &RefundView, pid: &str, rid: &str) -> bool {
    view.merchant_transaction_id == pid && view.merchant_refund_id == rid
}

impl Engine {
    /// The journaled payment, fetched (and journaled) first when unknown here or not yet
    /// SUCCESS (it may have been paid since).
    async fn payment_for_refund(
        &self,
        id: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<PaymentEntry, Error> {
        let entry = self.journal.load(id)?;
        let fresh = entry
            .as_ref()
            .is_some_and(|e| e.status() == Some(PaymentStatus::Success));
        if !fresh {
            self.get_payment(id, signal).await?;
        }
        self.journal.load(id)?.ok_or_else(|| {
            Error::new(ErrorCode::Storage, "the payment could not be journaled").for_payment(id)
        })
    }

    /// Refunds part or all of a SUCCESS payment. Refused before any request: a bad amount,
    /// id or remark, a payment that is not SUCCESS, another refund still open, or more than
    /// remains (`REFUND_EXCEEDS_BALANCE`). Re-sending a journaled `merchantRefundId` with
    /// the same amount is a retry (never a second refund).
    pub async fn refund(
        &self,
        payment: &str,
        mut request: CreateRefundRequest,
        signal: Option<&AbortSignal>,
    ) -> Result<RefundView, Error> {
        let pid = payment_id(payment)?.into_string();
        if let Some(id) = request.merchant_refund_id.as_deref() {
            refund_id(id)?;
        }
        abort::check(signal)?;
        let mut entry = self.payment_for_refund(&pid, signal).await?;
        let retry = request
            .merchant_refund_id
            .as_deref()
            .and_then(|id| entry.refund(id));
        match retry {
            Some(r) if r.request.amount != request.amount => {
                return Err(Error::new(
                    ErrorCode::IdConflict,
                    "this merchantRefundId was already used with another amount",
                )
                .for_refund(&pid, &r.merchant_refund_id));
            }
            Some(r) => request = r.request.clone(),
            None => {
                check_refund(&entry, &request).map_err(|e| e.for_payment(&pid))?;
                let id = MerchantRefundId::generate(now(), entropy()).into_string();
                let id = request.merchant_refund_id.clone().unwrap_or(id);
                request.merchant_refund_id = Some(id.clone());
                entry
                    .refunds
                    .push(RefundEntry::new(request.clone(), id, now()));
                entry.updated_at = now();
                self.journal.save(&entry).map_err(|e| e.for_payment(&pid))?;
            }
        }
        let rid = request.merchant_refund_id.clone().unwrap_or_default();
        self.send_refund(&pid, &rid, &request, signal).await
    }

    async fn send_refund(
        &self,
        pid: &str,
        rid: &str,
        request: &CreateRefundRequest,
        signal: Option<&AbortSignal>,
    ) -> Result<RefundView, Error> {
        self.ensure_push();
        let body = to_js(request);
        let sent = match self
            .send_create::<RefundView>(&paths::refunds(pid), &body, signal)
            .await
        {
            // An answer about another refund says nothing of this one: its outcome is unknown.
            Ok((view, _)) if !is_refund(&view, pid, rid) => Err((mismatch(), true)),
            other => other,
        };
        match sent {
            Ok((view, timing)) => Ok(self
                .observe_refund(view.clone(), Source::Start, Some(timing))
                .unwrap_or(view)),
            Err((e, unknown)) => {
                if let Ok(Some(mut entry)) = self.journal.load(pid) {
                    let was_unknown = entry.refund(rid).is_some_and(|r| r.phase == Phase::Unknown);
                    if unknown || was_unknown {
                        if let Some(r) = entry.refund_mut(rid)
                            && r.phase != Phase::Answered
                        {
                            r.phase = Phase::Unknown;
                            r.updated_at = now();
                        }
                    } else {
                        entry
                            .refunds
                            .retain(|r| r.merchant_refund_id != rid || r.phase == Phase::Answered);
                    }
                    let _ = self.journal.save(&entry);
                }
                Err(e.for_refund(pid, rid))
            }
        }
    }

    /// `GET` the refund and take in its status.
    pub async fn get_refund(
        &self,
        payment: &str,
        refund: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<RefundView, Error> {
        let pid = payment_id(payment)?.into_string();
        let rid = refund_id(refund)?.into_string();
        let (view, timing) = self
            .call::<RefundView>(Method::GET, &paths::refund(&pid, &rid), None, signal)
            .await
            .map_err(|e| e.for_refund(&pid, &rid))?;
        if !is_refund(&view, &pid, &rid) {
            return Err(mismatch().for_refund(&pid, &rid));
        }
        Ok(self
            .observe_refund(view.clone(), Source::Poll, Some(timing))
            .unwrap_or(view))
    }

    /// Asks for the refund; one whose create went unanswered and that the proxy does not
    /// know is re-sent with the journaled request.
    pub(super) async fn refresh_refund(
        &self,
        pid: &str,
        rid: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<RefundView, Error> {
        match self.get_refund(pid, rid, signal).await {
            Err(e) if e.code == ErrorCode::NotFound => {
                let request = self.journal.load(pid)?.and_then(|p| {
                    p.refund(rid)
                        .filter(|r| r.phase != Phase::Answered)
                        .map(|r| r.request.clone())
                });
                match request {
                    Some(request) => self.send_refund(pid, rid, &request, signal).await,
                    None => Err(e),
                }
            }
            other => other,
        }
    }
}
