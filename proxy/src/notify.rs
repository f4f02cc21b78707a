//! `POST /notify/pingpong`: PingPong's pushes. Verified with the salt (a forged, tampered
//! or unsigned one gets a 4xx, never a 2xx), journaled once (the same news twice is
//! recognised by kind + ids + status), applied to the order or refund, and acknowledged
//! with 2xx only after the journal committed it. The status change reaches the store's
//! event streams through the journal.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use pingpong_protocol::biz::Notification;
use pingpong_protocol::contract::{ApiError, paths};
use pingpong_protocol::{Envelope, ErrorCode};
use serde::Serialize;

use crate::app::App;
use crate::error::{ApiResult, fail};
use crate::journal::{
    CreateState, NewNotification, PaymentUpdate, RefundUpdate, apply_payment, apply_refund,
    insert_notification, load_refund,
};
use crate::openapi::{AnyError, Internal, TooLarge};
use crate::util::now_ms;

/// The acknowledgement (any 2xx body but `FAIL` is a success for PingPong).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NotificationAck)]
pub(crate) struct Ack {
    /// Always true: the notification is journaled.
    received: bool,
    /// The same news (kind, ids, status) was already journaled.
    duplicate: bool,
}

/// What a notification changes.
enum Change {
    Payment(String, PaymentUpdate),
    Refund {
        mtid: String,
        mrid: String,
        update: RefundUpdate,
    },
    Nothing,
}

/// The journal record of a verified notification (`stored` is its envelope without
/// `sign`) and what it changes.
fn read(biz: &str, stored: String, now: u64) -> (NewNotification, Change) {
    let record =
        |key: String, kind: &str, mtid: Option<&str>, mrid: Option<&str>, status: Option<&str>| {
            NewNotification {
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
            (n, Change::Payment(p.merchant_transaction_id, update))
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
            let change = Change::Refund {
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
            let key = format!("OTHER|{}", crate::util::hex(&sha(biz)));
            (record(key, "OTHER", None, None, None), Change::Nothing)
        }
    }
}

/// PingPong's notifications (not for registers)
///
/// Verified with the salt (forged, tampered or unsigned: 4xx), journaled once (duplicates
/// recognised), applied, then acknowledged. The change reaches the store's event streams.
#[utoipa::path(
    post,
    path = paths::NOTIFY,
    operation_id = "pingpongNotification",
    tag = "pingpong",
    security(()),
    request_body(
        content = Object,
        description = "PingPong's v4 notification envelope: accId, clientId, signType, code, description, bizContent (JSON text of a RECHARGE or REFUND notification), sign over every other field.",
    ),
    responses(
        (status = 200, description = "Journaled.", body = Ack),
        (status = 400, description = "INVALID_REQUEST: not a v4 notification.", body = ApiError),
        (status = 401, description = "UNAUTHORIZED: the signature does not verify.", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 500, response = Internal),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn receive(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<Json<Ack>> {
    let envelope = Envelope::parse(&body).map_err(|e| {
        fail(
            ErrorCode::InvalidRequest,
            format!("not a v4 notification: {e}"),
        )
    })?;
    if !app.upstream.verify(&envelope) {
        tracing::warn!("refused a notification whose signature does not verify");
        return Err(fail(
            ErrorCode::Unauthorized,
            "the notification's signature does not verify",
        ));
    }
    let biz = envelope
        .biz_content()
        .map_err(|e| fail(ErrorCode::InvalidRequest, e.to_string()))?;
    let mut stored = envelope.clone();
    stored.remove("sign");
    let now = now_ms();
    let (notification, change) = read(biz, stored.to_json(), now);
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
        .write(move |tx| {
            let fresh = insert_notification(tx, &notification)?;
            if fresh {
                match &change {
                    Change::Payment(mtid, update) => {
                        apply_payment(tx, mtid, update, now)?;
                    }
                    Change::Refund { mtid, mrid, update } => {
                        // Only a refund of the order the notification names.
                        if load_refund(tx, mrid)?
                            .is_some_and(|r| &r.merchant_transaction_id == mtid)
                        {
                            apply_refund(tx, mrid, update, now)?;
                        }
                    }
                    Change::Nothing => {}
                }
            }
            Ok(fresh)
        })
        .await?;
    tracing::info!(notification = %summary, duplicate = !fresh, "notification journaled");
    Ok(Json(Ack {
        received: true,
        duplicate: !fresh,
    }))
}

fn sha(text: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).into()
}
