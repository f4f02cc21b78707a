//! `POST /notify/pingpong/{merchantId}`: PingPong's pushes for one merchant (the
//! `notificationUrl` of its orders and refunds); `POST /notify/pingpong` is the merchant
//! `default`'s (the path of orders journaled before merchants existed).
//!
//! A push is taken only when it is that merchant's account's own (its `accId`, `clientId`,
//! configured `signType` and salt: [`crate::verify`]; anything else — another merchant's
//! push included — gets a 4xx and is journaled nowhere) and when it
//! agrees with the journal ([`check`]: amount, currency, transactionId, requestId, result
//! code). A push that disagrees is an anomaly: it is logged (ids and the differing field,
//! nothing secret), the proxy asks PingPong with a query and believes the answer, and the
//! push is taken only if it then agrees; otherwise it is answered 409
//! `NOTIFICATION_MISMATCH` and nothing of it is journaled, so PingPong sends it again.
//! A push that is taken is journaled once for its merchant (the same news twice is
//! recognised by its kind, ids and status), applied to the merchant's order or refund in the
//! same transaction, and
//! acknowledged with 2xx only after the commit. The status change reaches the store's event streams through
//! the journal.

mod check;

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use pingpong_protocol::biz::Notification;
use pingpong_protocol::contract::{ApiError, paths};
use pingpong_protocol::openapi::{Id, V4Envelope};
use pingpong_protocol::{Envelope, ErrorCode, MerchantId};
use serde::Serialize;

use crate::app::App;
use crate::error::{ApiResult, fail};
use crate::journal::{
    CreateState, NewNotification, NotificationEffect, OrderRow, PaymentUpdate, RefundRow,
    RefundUpdate,
};
use crate::merchants::{DEFAULT_MERCHANT, Merchant};
use crate::openapi::{AnyError, Busy, Internal, TooLarge};
use crate::util::now_ms;
use crate::{payments, refunds, verify};

use check::Discrepancy;

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

/// The journal record of a verified notification of `merchant` (`stored` is its envelope
/// without `sign`) and what it changes.
fn read(
    merchant: &str,
    parsed: &Result<Notification, String>,
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
    match parsed {
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
                transaction_id: Some(p.transaction_id.clone()),
                result_code: p.result_code.clone(),
                result_description: p.result_description.clone(),
                ..PaymentUpdate::default()
            };
            let effect = NotificationEffect::Payment {
                mtid: p.merchant_transaction_id.clone(),
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
                refund_id: r.refund_id.clone(),
                ..RefundUpdate::default()
            };
            let change = NotificationEffect::Refund {
                mtid: r.merchant_transaction_id.clone(),
                mrid: r.merchant_refund_id.clone(),
                update,
            };
            (n, change)
        }
        Err(biz) => {
            // Signed by PingPong but not a payment or refund result (CAPTURE, VOID…): keep
            // it for the record and acknowledge, so it is not re-sent for 12 hours.
            let key = format!("OTHER|{}", hex::encode(sha(biz)));
            (
                record(key, "OTHER", None, None, None),
                NotificationEffect::Nothing,
            )
        }
    }
}

/// PingPong's notifications (not for registers)
///
/// The merchant `default`'s notifications (the merchant of the start flags, and of orders
/// journaled before merchants existed); the same as /notify/pingpong/default. Only the
/// merchant account's own pushes are taken: its accId and clientId, signed with its configured
/// signType (a push never chooses its own algorithm) and salt; anything else is a 401. A push
/// must agree with the journaled payment or refund (amount, currency, transactionId, requestId,
/// and for SUCCESS the result code 000000); one that does not is logged as an anomaly, the
/// proxy queries PingPong and believes the query, and the push is answered 409
/// NOTIFICATION_MISMATCH unless it agrees after the query (PingPong sends it again).
/// A push that is taken is journaled once (duplicates recognised), applied, then
/// acknowledged. The change reaches the store's event streams.
#[utoipa::path(
    post,
    path = paths::NOTIFY,
    operation_id = "pingpongNotification",
    tag = "pingpong",
    security(()),
    request_body = V4Envelope,
    responses(
        (status = 200, description = "Journaled.", body = Ack),
        (status = 400, description = "INVALID_REQUEST: not a v4 notification.", body = ApiError),
        (status = 401, description = "UNAUTHORIZED: not the merchant account's (accId, clientId, signType or signature).", body = ApiError),
        (status = 409, description = "NOTIFICATION_MISMATCH: the push disagrees with the journaled payment or refund; not applied (PingPong retries).", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 500, response = Internal),
        (status = 503, response = Busy),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn receive_default(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> ApiResult<Json<Ack>> {
    let id = MerchantId::new(DEFAULT_MERCHANT).expect("a valid id");
    intake(&app, &id, &body).await.map(Json)
}

/// PingPong's notifications for one merchant (not for registers)
///
/// The notificationUrl of a merchant's orders and refunds. Only that merchant's account's own
/// pushes are taken (another merchant's push is refused and journaled nowhere): its accId and
/// clientId, signed with its configured
/// signType (a push never chooses its own algorithm) and salt; anything else is a 401. A push
/// must agree with the journaled payment or refund (amount, currency, transactionId, requestId,
/// and for SUCCESS the result code 000000); one that does not is logged as an anomaly, the
/// proxy queries PingPong and believes the query, and the push is answered 409
/// NOTIFICATION_MISMATCH unless it agrees after the query (PingPong sends it again).
/// A push that is taken is journaled once for that merchant (duplicates recognised), applied,
/// then acknowledged. The change reaches the store's event streams.
#[utoipa::path(
    post,
    path = paths::NOTIFY_MERCHANT,
    operation_id = "pingpongMerchantNotification",
    tag = "pingpong",
    security(()),
    params(("merchantId" = Id, Path, description = "The merchant's id on this proxy.")),
    request_body = V4Envelope,
    responses(
        (status = 200, description = "Journaled.", body = Ack),
        (status = 400, description = "INVALID_REQUEST: not a v4 notification.", body = ApiError),
        (status = 401, description = "UNAUTHORIZED: not this merchant's account (accId, clientId, signType), or the signature does not verify with its salt.", body = ApiError),
        (status = 404, description = "NOT_FOUND: no such merchant.", body = ApiError),
        (status = 409, description = "NOTIFICATION_MISMATCH: the push disagrees with the journaled payment or refund; not applied (PingPong retries).", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 500, response = Internal),
        (status = 503, response = Busy),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn receive_for(
    State(app): State<Arc<App>>,
    Path(merchant): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Ack>> {
    let id =
        MerchantId::new(merchant).map_err(|_| fail(ErrorCode::NotFound, "no such merchant"))?;
    intake(&app, &id, &body).await.map(Json)
}

/// Takes a push that `merchant`'s account must have sent; see the module doc.
async fn intake(app: &App, merchant: &MerchantId, body: &[u8]) -> ApiResult<Ack> {
    let record = app
        .journal
        .merchant(merchant)
        .await?
        .ok_or_else(|| fail(ErrorCode::NotFound, "no such merchant"))?;
    let merchant = &app.merchants.resolve(record)?;
    let envelope = Envelope::parse(body).map_err(|e| {
        fail(
            ErrorCode::InvalidRequest,
            format!("not a v4 notification: {e}"),
        )
    })?;
    if let Err(why) = verify::verify(merchant, &envelope) {
        let why = why.message();
        tracing::warn!(
            merchant = %merchant.id,
            %why,
            "refused a notification that is not this merchant's account's"
        );
        return Err(fail(ErrorCode::Unauthorized, format!("refused: {why}")));
    }
    let biz = envelope
        .biz_content()
        .map_err(|e| fail(ErrorCode::InvalidRequest, e.to_string()))?;
    let parsed = Notification::parse(biz).map_err(|e| {
        tracing::info!(error = %e, "journaling a notification this proxy does not act on");
        biz.to_owned()
    });
    let mtid = match &parsed {
        Ok(Notification::Payment(p)) => Some(p.merchant_transaction_id.clone()),
        Ok(Notification::Refund(r)) => Some(r.merchant_transaction_id.clone()),
        Err(_) => None,
    };
    // Creates, queries and refunds of this order wait while its push is checked and applied.
    let _guard = match &mtid {
        Some(m) => Some(app.locks.lock(&merchant.id, m).await),
        None => None,
    };
    if let Ok(n) = &parsed
        && let Err(first) = agrees(app, merchant, n, envelope.code()).await?
    {
        anomaly(merchant, n, &first);
        // In doubt, PingPong's answer to a query is believed, never the push.
        believe_a_query(app, merchant, n).await;
        if let Err(after) = agrees(app, merchant, n, envelope.code()).await? {
            return Err(fail(
                ErrorCode::NotificationMismatch,
                format!(
                    "the notification's {} ({}) is not the journal's ({}); not applied",
                    after.field, after.received, after.journaled
                ),
            ));
        }
        tracing::info!("the query settled the doubt: the notification agrees now");
    }
    let mut stored = envelope.clone();
    stored.remove("sign");
    let now = now_ms();
    let (notification, effect) = read(merchant.id.as_str(), &parsed, stored.to_json(), now);
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
    Ok(Ack {
        received: true,
        duplicate: !fresh,
    })
}

/// What the journal holds about a notification's order (and refund).
enum Journaled {
    /// An order (and refund) this proxy never made: nothing to compare, nothing to change.
    Unknown,
    Payment(Box<OrderRow>, Vec<String>),
    Refund(Box<(RefundRow, OrderRow)>),
}

async fn journaled(app: &App, merchant: &Merchant, n: &Notification) -> ApiResult<Journaled> {
    let id = &merchant.id;
    let journaled = match n {
        Notification::Payment(p) => {
            let mtid = p.merchant_transaction_id.as_str();
            match app.journal.order(id, mtid).await? {
                Some((order, _)) => {
                    Journaled::Payment(Box::new(order), app.journal.request_ids(id, mtid).await?)
                }
                None => Journaled::Unknown,
            }
        }
        Notification::Refund(r) => {
            let mtid = r.merchant_transaction_id.as_str();
            let refund = app
                .journal
                .refund(id, &r.merchant_refund_id)
                .await?
                .filter(|r| r.merchant_transaction_id == mtid);
            match (refund, app.journal.order(id, mtid).await?) {
                (Some(refund), Some((order, _))) => Journaled::Refund(Box::new((refund, order))),
                _ => Journaled::Unknown,
            }
        }
    };
    Ok(journaled)
}

/// `Ok(Ok(()))` when the push agrees with the journal (or is about nothing it holds).
async fn agrees(
    app: &App,
    merchant: &Merchant,
    n: &Notification,
    code: Option<&str>,
) -> ApiResult<Result<(), Discrepancy>> {
    Ok(match (n, journaled(app, merchant, n).await?) {
        (_, Journaled::Unknown) => Ok(()),
        (Notification::Payment(p), Journaled::Payment(order, ids)) => {
            check::payment(p, code, &order, &ids)
        }
        (Notification::Refund(r), Journaled::Refund(held)) => {
            check::refund(r, code, &held.0, &held.1)
        }
        _ => Ok(()),
    })
}

/// Logs a push that disagrees with the journal: kind, ids, status and the field.
fn anomaly(merchant: &Merchant, n: &Notification, d: &Discrepancy) {
    let (kind, mtid, mrid, status) = match n {
        Notification::Payment(p) => (
            "RECHARGE",
            &p.merchant_transaction_id,
            None,
            p.status.as_str(),
        ),
        Notification::Refund(r) => (
            "REFUND",
            &r.merchant_transaction_id,
            Some(r.merchant_refund_id.as_str()),
            r.status.as_str(),
        ),
    };
    if d.in_doubt() {
        tracing::info!(
            merchant = %merchant.id,
            kind,
            mtid = %mtid,
            status,
            field = d.field,
            received = %d.received,
            "the journal cannot check this notification yet; querying PingPong"
        );
        return;
    }
    tracing::warn!(
        anomaly = "notification disagrees with the journal",
        merchant = %merchant.id,
        kind,
        mtid = %mtid,
        mrid,
        status,
        field = d.field,
        journaled = %d.journaled,
        received = %d.received,
        "signed notification not applied as it stands; querying PingPong"
    );
}

/// Asks PingPong about the push's order (or refund) and applies its verified answer.
async fn believe_a_query(app: &App, merchant: &Merchant, n: &Notification) {
    let result = match (n, journaled(app, merchant, n).await) {
        (Notification::Payment(_), Ok(Journaled::Payment(order, _))) => {
            payments::refresh(app, merchant, &order).await.map(drop)
        }
        (Notification::Refund(_), Ok(Journaled::Refund(held))) => {
            refunds::refresh(app, merchant, &held.0).await.map(drop)
        }
        (_, Err(e)) => Err(e),
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(code = %e.0.code, "the query about an anomalous notification failed");
    }
}

fn sha(text: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).into()
}
