//! Starting a payment: validate, fix the id, journal, then send (retrying an unanswered send
//! with the very same body).

use gloo_net::http::Method as Http;
use pingpong_protocol::contract::{CreatePaymentRequest, Method, PaymentView, paths};
use pingpong_protocol::{ErrorCode, MerchantTransactionId, Money};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use super::{Engine, Source, mismatch};
use crate::core::error::Error;
use crate::core::journal::{PaymentEntry, Phase};
use crate::core::retry::retry_delay;
use crate::web::abort;
use crate::web::bridge::to_js;
use crate::web::wake::sleep;
use crate::web::{entropy, now};

/// A create's result: the answer, or the error and whether the outcome is unknown (some
/// send may have taken effect).
pub(super) type Sent<T> = Result<(T, (u64, u64)), (Error, bool)>;

impl Engine {
    /// Sends a create, retrying unanswered sends with the same body (see `core::retry`).
    pub(super) async fn send_create<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &JsValue,
        signal: Option<&AbortSignal>,
    ) -> Sent<T> {
        let mut unknown = false;
        let mut sends = 0;
        loop {
            sends += 1;
            match self.call::<T>(Http::POST, path, Some(body), signal).await {
                Ok(answer) => return Ok(answer),
                Err(e) => {
                    // An abort after the request left may still have created it.
                    unknown |= e.outcome_unknown() || e.code == ErrorCode::Aborted;
                    let Some(delay) = retry_delay(e.code, sends) else {
                        return Err((e, unknown));
                    };
                    if let Err(abort) = sleep(delay, signal).await {
                        return Err((abort, unknown));
                    }
                }
            }
        }
    }

    /// Starts a payment. Invalid input is refused before anything is journaled or sent; the
    /// id is fixed and journaled before the first send. An unanswered create leaves the
    /// entry `UNKNOWN` and rejects with the id (follow it with `resume()`).
    pub async fn start_payment(
        &self,
        mut request: CreatePaymentRequest,
        signal: Option<&AbortSignal>,
    ) -> Result<PaymentView, Error> {
        let valid = request.validate().map_err(Error::from)?;
        let (amount, method) = (valid.amount, valid.method);
        abort::check(signal)?;
        let id = valid
            .merchant_transaction_id
            .unwrap_or_else(|| MerchantTransactionId::generate(now(), entropy()))
            .into_string();
        request.merchant_transaction_id = Some(id.clone());
        request.expires_in_seconds = Some(valid.expires_in.seconds().into());
        let entry = match self.journal.load(&id)? {
            Some(e) if e.request != request => {
                return Err(Error::new(
                    ErrorCode::IdConflict,
                    "this merchantTransactionId was already used for another payment",
                )
                .for_payment(&id));
            }
            Some(e) => e,
            None => {
                let e = PaymentEntry::new(request.clone(), id.clone(), now());
                self.journal.save(&e)?;
                e
            }
        };
        self.ensure_push();
        let body = to_js(&request);
        let sent = match self
            .send_create::<PaymentView>(paths::PAYMENTS, &body, signal)
            .await
        {
            // An answer about another payment says nothing of this one: its outcome is unknown.
            Ok((view, _)) if !answers(&view, &id, amount, method) => Err((mismatch(), true)),
            other => other,
        };
        match sent {
            Ok((view, timing)) => Ok(self
                .observe_payment(view.clone(), Source::Start, Some(timing))
                .unwrap_or(view)),
            Err((e, unknown)) => {
                self.settle_failed_create(entry, unknown);
                Err(e.for_payment(&id))
            }
        }
    }

    /// After a create failed: keep the entry as `UNKNOWN` when it may exist, forget it when
    /// it was refused and never answered.
    fn settle_failed_create(&self, entry: PaymentEntry, unknown: bool) {
        let id = entry.merchant_transaction_id.clone();
        let Ok(Some(mut current)) = self.journal.load(&id) else {
            return;
        };
        if current.phase == Phase::Answered {
            return;
        }
        if unknown || entry.phase == Phase::Unknown {
            current.phase = Phase::Unknown;
            current.updated_at = now();
            let _ = self.journal.save(&current);
        } else {
            let _ = self.journal.remove(&id);
        }
    }

    /// Re-sends the journaled create of `entry` (same id, same body): used when a payment
    /// whose create went unanswered is followed up and the proxy does not know it.
    pub(super) async fn resend_create(
        &self,
        entry: PaymentEntry,
        signal: Option<&AbortSignal>,
    ) -> Result<PaymentView, Error> {
        let body = to_js(&entry.request);
        let id = entry.merchant_transaction_id.clone();
        let asked = entry.request.validate().map_err(Error::from)?;
        let sent = match self
            .send_create::<PaymentView>(paths::PAYMENTS, &body, signal)
            .await
        {
            Ok((view, _)) if !answers(&view, &id, asked.amount, asked.method) => {
                Err((mismatch(), true))
            }
            other => other,
        };
        match sent {
            Ok((view, timing)) => Ok(self
                .observe_payment(view.clone(), Source::Start, Some(timing))
                .unwrap_or(view)),
            Err((e, unknown)) => {
                if unknown {
                    let mut e2 = entry;
                    e2.phase = Phase::Unknown;
                    self.settle_failed_create(e2, true);
                }
                Err(e.for_payment(&id))
            }
        }
    }
}

/// Whether a create's answer is the payment asked for: same id, amount, currency, method.
fn answers(view: &PaymentView, id: &str, amount: Money, method: Method) -> bool {
    view.merchant_transaction_id == id
        && view.method == method
        && view.currency == amount.currency().code()
        && Money::parse_wire(&view.amount, amount.currency()) == Ok(amount)
}
