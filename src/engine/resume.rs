//! Resuming what a reload left pending: every journaled payment and refund followed to its
//! end, all at once (the waits of `wait.rs`; unanswered creates are re-sent by the refresh
//! of `start.rs` and `refund.rs`).

use futures::future::join_all;
use pingpong_protocol::contract::PaymentView;
use web_sys::AbortSignal;

use super::{Engine, OnUpdate};
use crate::core::error::Error;
use crate::core::journal::PaymentEntry;

impl Engine {
    /// Follows every pending payment and refund of the journal to its end, all at once;
    /// resolves with the payments' final states (in journal order). `ABORTED` on `signal`.
    pub async fn resume(
        &self,
        signal: Option<&AbortSignal>,
        on_update: OnUpdate<'_, PaymentView>,
    ) -> Result<Vec<PaymentView>, Error> {
        let pending = self.pending()?;
        join_all(
            pending
                .into_iter()
                .map(|entry| self.follow(entry, signal, on_update)),
        )
        .await
        .into_iter()
        .collect()
    }

    async fn follow(
        &self,
        entry: PaymentEntry,
        signal: Option<&AbortSignal>,
        on_update: OnUpdate<'_, PaymentView>,
    ) -> Result<PaymentView, Error> {
        let pid = entry.merchant_transaction_id.clone();
        let view = self.wait_payment(&pid, signal, on_update).await?;
        let open: Vec<String> = self
            .journal
            .load(&pid)?
            .map(|e| {
                e.refunds
                    .iter()
                    .filter(|r| r.is_pending())
                    .map(|r| r.merchant_refund_id.clone())
                    .collect()
            })
            .unwrap_or_default();
        for rid in open {
            self.wait_refund(&pid, &rid, signal, None).await?;
        }
        Ok(self
            .journal
            .load(&pid)?
            .and_then(|e| e.payment)
            .unwrap_or(view))
    }
}
