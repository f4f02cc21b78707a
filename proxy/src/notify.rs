//! `POST /notify/pingpong/{merchantId}`: PingPong's pushes for one merchant (the
//! `notificationUrl` of its orders). Its envelope must name that merchant's accId and
//! clientId and verify with that merchant's salt only (a forged, tampered, unsigned push,
//! or one signed with another merchant's salt, gets a 4xx, never a 2xx, and is journaled
//! nowhere); it is journaled once for that merchant (the same news twice is recognised by
//! kind + ids + status), applied to the merchant's order or refund, and acknowledged with
//! 2xx only after the journal committed it. The status change reaches the store's event
//! streams through the journal. `POST /notify/pingpong` is the merchant `default`'s (the
//! path of orders created before merchants existed).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use pingpong_protocol::biz::Notification;
use pingpong_protocol::{Envelope, ErrorCode, MerchantId};
use serde::Serialize;

use crate::app::App;
use crate::error::{ApiResult, fail};
use crate::journal::{
    CreateState, NewNotification, NotificationEffect, PaymentUpdate, RefundUpdate,
};
use crate::merchants::{DEFAULT_MERCHANT, Merchant};
use crate::upstream::PingPong;
use crate::util::now_ms;

/// The acknowledgement (any 2xx body but `FAIL` is a success for PingPong).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Ack {
    received: bool,
    duplicate: bool,
}

/// The journal record of a verified notification of `merchant` (`stored` is its envelope
/// without `sign`) and what it changes.
fn read(
    merchant: &str,
    biz: &str,
    stored: String,
    now: u64,
) -> (NewNotification, NotificationEffect) {
    let record =
        |key: String, kind: &str, mtid: Option<&str>, mrid: Option<&str>, status: Option<&str>| {
            NewNotification {
                merchant_id: merchant.to_owned(),
                dedup_key: key,
                notify_type: kind.to_owned(),
                merchant_transaction_id: mtid.map(str::to_owned),
                merchant_refund_id: mrid.map(str::to_owned),
                status: status.map(str::to_owned),
                envelope: stored.clone(),
                received_at: now,
            }
        };
    match Notification::parse(biz) {
        Ok(Notification::Payment(p)) => {
            let key = format!(
                "RECHARGE|{}|{}|{}|{}",
                p.merchant_transaction_id,
                p.transaction_id,
                p.request_id.as_deref().unwrap_or(""),
                p.status.as_str()
            );
            let n = record(
                key,
                "RECHARGE",
                Some(&p.merchant_transaction_id),
                None,
                Some(p.status.as_str()),
            );
            let update = PaymentUpdate {
                status: Some(p.status),
                create_state: Some(CreateState::Accepted),
                transaction_id: Some(p.transaction_id),
                result_code: p.result_code,
                result_description: p.result_description,
                ..PaymentUpdate::default()
            };
            let effect = NotificationEffect::Payment {
                mtid: p.merchant_transaction_id,
                update,
            };
            (n, effect)
        }
        Ok(Notification::Refund(r)) => {
            let key = format!(
                "REFUND|{}|{}|{}",
                r.merchant_transaction_id,
                r.merchant_refund_id,
                r.status.as_str()
            );
            let n = record(
                key,
                "REFUND",
                Some(&r.merchant_transaction_id),
                Some(&r.merchant_refund_id),
                Some(r.status.as_str()),
            );
            let update = RefundUpdate {
                status: Some(r.status),
                create_state: Some(CreateState::Accepted),
                refund_id: r.refund_id,
                ..RefundUpdate::default()
            };
            let change = NotificationEffect::Refund {
                mtid: r.merchant_transaction_id,
                mrid: r.merchant_refund_id,
                update,
            };
            (n, change)
        }
        Err(e) => {
            // Signed by PingPong but not a payment or refund result (CAPTURE, VOID…): keep
            // it for the record and acknowledge, so it is not re-sent for 12 hours.
            tracing::info!(error = %e, "journaling a notification this proxy does not act on");
            let key = format!("OTHER|{}", hex::encode(sha(biz)));
            (
                record(key, "OTHER", None, None, None),
                NotificationEffect::Nothing,
            )
        }
    }
}

/// `POST /notify/pingpong`: the merchant `default`'s pushes.
pub(crate) async fn receive_default(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> ApiResult<Json<Ack>> {
    let id = MerchantId::new(DEFAULT_MERCHANT).expect("a valid id");
    receive(&app, &id, &body).await
}

/// `POST /notify/pingpong/{merchantId}`.
pub(crate) async fn receive_for(
    State(app): State<Arc<App>>,
    Path(merchant): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Ack>> {
    let id =
        MerchantId::new(merchant).map_err(|_| fail(ErrorCode::NotFound, "no such merchant"))?;
    receive(&app, &id, &body).await
}

/// Whether `envelope` is `merchant`'s: its accId and clientId, verified with its salt.
fn is_from(merchant: &Merchant, envelope: &Envelope) -> bool {
    envelope.client_id().ok() == Some(merchant.client_id()) && PingPong::verify(merchant, envelope)
}

async fn receive(app: &App, merchant: &MerchantId, body: &[u8]) -> ApiResult<Json<Ack>> {
    let record = app
        .journal
        .merchant(merchant)
        .await?
        .ok_or_else(|| fail(ErrorCode::NotFound, "no such merchant"))?;
    let merchant = app.merchants.resolve(record)?;
    let envelope = Envelope::parse(body).map_err(|e| {
        fail(
            ErrorCode::InvalidRequest,
            format!("not a v4 notification: {e}"),
        )
    })?;
    if !is_from(&merchant, &envelope) {
        tracing::warn!(
            merchant = %merchant.id,
            "refused a notification that is not this merchant's (account or signature)"
        );
        return Err(fail(
            ErrorCode::Unauthorized,
            "the notification's signature does not verify for this merchant",
        ));
    }
    let biz = envelope
        .biz_content()
        .map_err(|e| fail(ErrorCode::InvalidRequest, e.to_string()))?;
    let mut stored = envelope.clone();
    stored.remove("sign");
    let now = now_ms();
    let (notification, effect) = read(merchant.id.as_str(), biz, stored.to_json(), now);
    let summary = format!(
        "{} {} {}",
        notification.notify_type,
        notification
            .merchant_transaction_id
            .as_deref()
            .unwrap_or("-"),
        notification.status.as_deref().unwrap_or("-")
    );
    let fresh = app
        .journal
        .record_notification(&notification, &effect)
        .await?;
    tracing::info!(
        merchant = %merchant.id,
        notification = %summary,
        duplicate = !fresh,
        "notification journaled"
    );
    Ok(Json(Ack {
        received: true,
        duplicate: !fresh,
    }))
}

fn sha(text: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).into()
}
