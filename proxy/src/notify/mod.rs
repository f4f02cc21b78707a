//! `POST /notify/pingpong`: PingPong's pushes.
//!
//! A push is taken only when it is the merchant's account's own (its `accId`, `clientId`,
//! configured `signType` and salt: [`crate::verify`]; anything else gets a 4xx) and when it
//! agrees with the journal ([`check`]: amount, currency, transactionId, requestId, result
//! code). A push that disagrees is an anomaly: it is logged (ids and the differing field,
//! nothing secret), the proxy asks PingPong with a query and believes the answer, and the
//! push is taken only if it then agrees; otherwise it is answered 409
//! `NOTIFICATION_MISMATCH` and nothing of it is journaled, so PingPong sends it again.
//! A push that is taken is journaled once (the same news twice is recognised by its kind,
//! ids and status), applied to the order or refund in the same transaction, and
//! acknowledged with 2xx only after the commit. The status change reaches the store's event streams through
//! the journal.

mod check;

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use pingpong_protocol::biz::Notification;
use pingpong_protocol::contract::{ApiError, paths};
use pingpong_protocol::{Envelope, ErrorCode};
use serde::Serialize;

use crate::app::App;
use crate::config::PingPongAccount;
use crate::error::{ApiResult, fail};
use crate::journal::{
    CreateState, NewNotification, OrderRow, PaymentUpdate, RefundRow, RefundUpdate, apply_payment,
    apply_refund, insert_notification, load_order, load_refund, request_ids,
};
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
fn read(
    parsed: &Result<Notification, String>,
    stored: String,
    now: u64,
) -> (NewNotification, Change) {
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
            (
                n,
                Change::Payment(p.merchant_transaction_id.clone(), update),
            )
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
            let change = Change::Refund {
                mtid: r.merchant_transaction_id.clone(),
                mrid: r.merchant_refund_id.clone(),
                update,
            };
            (n, change)
        }
        Err(biz) => {
            // Signed by PingPong but not a payment or refund result (CAPTURE, VOID…): keep
            // it for the record and acknowledge, so it is not re-sent for 12 hours.
            let key = format!("OTHER|{}", crate::util::hex(&sha(biz)));
            (record(key, "OTHER", None, None, None), Change::Nothing)
        }
    }
}

/// PingPong's notifications (not for registers)
///
/// Only the merchant account's own pushes are taken: its accId and clientId, signed with its
/// configured signType (a push never chooses its own algorithm) and salt; anything else is a
/// 401. A push must agree with the journaled payment or refund (amount, currency,
/// transactionId, requestId, and for SUCCESS the result code 000000); one that does not is
/// logged as an anomaly, the proxy queries PingPong and believes the query, and the push is
/// answered 409 NOTIFICATION_MISMATCH unless it agrees after the query (PingPong sends it
/// again). A push that is taken is journaled once (duplicates recognised), applied, then
/// acknowledged. The change reaches the store's event streams.
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
        (status = 401, description = "UNAUTHORIZED: not the merchant account's (accId, clientId, signType or signature).", body = ApiError),
        (status = 409, description = "NOTIFICATION_MISMATCH: the push disagrees with the journaled payment or refund; not applied (PingPong retries).", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 500, response = Internal),
        (status = 503, response = Busy),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn receive(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<Json<Ack>> {
    intake(&app, app.upstream.account(), &body).await.map(Json)
}

/// Takes a push that `account` must have sent; see the module doc.
async fn intake(app: &App, account: &PingPongAccount, body: &[u8]) -> ApiResult<Ack> {
    let envelope = Envelope::parse(body).map_err(|e| {
        fail(
            ErrorCode::InvalidRequest,
            format!("not a v4 notification: {e}"),
        )
    })?;
    if let Err(why) = verify::verify(account, &envelope) {
        let why = why.message();
        tracing::warn!(%why, "refused a notification that is not the merchant account's");
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
        Some(m) => Some(app.locks.lock(m).await),
        None => None,
    };
    if let Ok(n) = &parsed
        && let Err(first) = agrees(app, n, envelope.code()).await?
    {
        anomaly(n, &first);
        // In doubt, PingPong's answer to a query is believed, never the push.
        believe_a_query(app, n).await;
        if let Err(after) = agrees(app, n, envelope.code()).await? {
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
    let (notification, change) = read(&parsed, stored.to_json(), now);
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

async fn journaled(app: &App, n: &Notification) -> ApiResult<Journaled> {
    let journaled = match n {
        Notification::Payment(p) => {
            let mtid = p.merchant_transaction_id.clone();
            app.journal
                .read(move |c| {
                    Ok(match load_order(c, &mtid)? {
                        Some(order) => Journaled::Payment(Box::new(order), request_ids(c, &mtid)?),
                        None => Journaled::Unknown,
                    })
                })
                .await?
        }
        Notification::Refund(r) => {
            let (mtid, mrid) = (
                r.merchant_transaction_id.clone(),
                r.merchant_refund_id.clone(),
            );
            app.journal
                .read(move |c| {
                    let refund =
                        load_refund(c, &mrid)?.filter(|r| r.merchant_transaction_id == mtid);
                    Ok(match (refund, load_order(c, &mtid)?) {
                        (Some(refund), Some(order)) => Journaled::Refund(Box::new((refund, order))),
                        _ => Journaled::Unknown,
                    })
                })
                .await?
        }
    };
    Ok(journaled)
}

/// `Ok(Ok(()))` when the push agrees with the journal (or is about nothing it holds).
async fn agrees(
    app: &App,
    n: &Notification,
    code: Option<&str>,
) -> ApiResult<Result<(), Discrepancy>> {
    Ok(match (n, journaled(app, n).await?) {
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
fn anomaly(n: &Notification, d: &Discrepancy) {
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
async fn believe_a_query(app: &App, n: &Notification) {
    let result = match (n, journaled(app, n).await) {
        (Notification::Payment(_), Ok(Journaled::Payment(order, _))) => {
            payments::refresh(app, &order).await.map(drop)
        }
        (Notification::Refund(_), Ok(Journaled::Refund(held))) => {
            refunds::refresh(app, &held.0).await.map(drop)
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
