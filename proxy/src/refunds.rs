//! Creating and reading refunds: the balance rules are checked against the journal before
//! anything is sent, one refund per order is in flight at a time, and a refund whose
//! outcome is unknown is completed with the same `merchantRefundId`.

use axum::http::StatusCode;
use pingpong_protocol::biz::{RefundQueryRequest, RefundRequest, RefundResponse, WireAmount};
use pingpong_protocol::contract::{CreateRefundRequest, NewRefund, RefundView};
use pingpong_protocol::{Envelope, ErrorCode, MerchantRefundId, Money, RefundStatus};

use crate::app::App;
use crate::auth::Register;
use crate::error::{ApiFailure, ApiResult, fail};
use crate::journal::{
    CreateState, NewRefundRow, OrderRow, RefundRefusal, RefundRow, RefundUpdate, apply_refund,
    insert_refund, load_refund,
};
use crate::payments::{NOT_FOUND_CODE, load_for, name_generated_id, order_id};
use crate::upstream::{Api, CallError, Held, Reply, refusal_of_held};
use crate::util::{now_ms, random_bytes};
use crate::views::refund_view;

/// PingPong's "original transaction does not exist" (also read as "no such refund").
const NO_ORIGINAL_CODE: &str = "107002";

fn fingerprint(r: &NewRefund) -> String {
    format!(
        "v1|{}|{}",
        r.amount.minor(),
        r.remark.as_ref().map(|x| x.as_str()).unwrap_or("")
    )
}

fn refund_id(text: &str) -> ApiResult<MerchantRefundId> {
    MerchantRefundId::new(text)
        .map_err(|e| fail(ErrorCode::InvalidId, format!("merchantRefundId: {e}")))
}

fn refusal(r: RefundRefusal, order: &OrderRow) -> ApiFailure {
    match r {
        RefundRefusal::NoOrder => fail(ErrorCode::NotFound, "no such payment"),
        RefundRefusal::NotRefundable(status) => fail(
            ErrorCode::PaymentNotRefundable,
            format!(
                "only a SUCCESS payment can be refunded; this one is {}",
                status.as_str()
            ),
        ),
        RefundRefusal::InProgress(id) => fail(
            ErrorCode::RefundInProgress,
            format!("refund {id} of this payment is still PROCESSING; wait for it, then retry"),
        ),
        RefundRefusal::ExceedsBalance { remaining } => fail(
            ErrorCode::RefundExceedsBalance,
            format!(
                "the refund exceeds what remains refundable ({} {})",
                Money::from_minor(remaining, order.currency).to_decimal(),
                order.currency.code()
            ),
        ),
        RefundRefusal::IdTaken => fail(
            ErrorCode::IdConflict,
            "this merchantRefundId was just used by another request; retry",
        ),
    }
}

/// `POST /v1/payments/{id}/refunds`: 201 with the new refund, or 200 with the journaled one
/// when the register re-sends a `merchantRefundId` with the same body.
pub(crate) async fn create(
    app: &App,
    register: &Register,
    mtid: &str,
    request: CreateRefundRequest,
) -> ApiResult<(StatusCode, RefundView)> {
    let mtid = order_id(mtid)?;
    let _guard = app.locks.lock(mtid.as_str()).await;
    let order = load_for(app, register, mtid.as_str()).await?;
    let new = request.validate(order.currency)?;
    let fingerprint = fingerprint(&new);
    if let Some(mrid) = &new.merchant_refund_id {
        let id = mrid.as_str().to_owned();
        if let Some(existing) = app.journal.read(move |c| load_refund(c, &id)).await? {
            if existing.merchant_transaction_id != order.merchant_transaction_id
                || existing.fingerprint != fingerprint
            {
                return Err(fail(
                    ErrorCode::IdConflict,
                    "this merchantRefundId was used with a different body or payment; use a new id",
                ));
            }
            let view = match existing.create_state {
                CreateState::Pending => complete_pending(app, &existing).await?,
                CreateState::Refused => return Err(refund_refusal(&existing)),
                CreateState::Accepted => refund_view(&existing, now_ms()),
            };
            return Ok((StatusCode::OK, view));
        }
    }
    let now = now_ms();
    let generated = new.merchant_refund_id.is_none();
    let mrid = new
        .merchant_refund_id
        .clone()
        .unwrap_or_else(|| MerchantRefundId::generate(now, random_bytes()));
    let biz = RefundRequest {
        merchant_transaction_id: order.merchant_transaction_id.clone(),
        merchant_refund_id: mrid.as_str().to_owned(),
        amount: WireAmount::from_money(new.amount),
        currency: order.currency.code().to_owned(),
        cashier_device_id: Some(register.cashier_device_id.as_str().to_owned()),
        notification_url: Some(app.policy.notify_url.clone()),
        remark: new.remark.as_ref().map(|r| r.as_str().to_owned()),
    };
    let row = NewRefundRow(RefundRow {
        merchant_refund_id: mrid.as_str().to_owned(),
        merchant_transaction_id: order.merchant_transaction_id.clone(),
        cashier_device_id: register.cashier_device_id.as_str().to_owned(),
        amount_minor: new.amount.minor(),
        currency: order.currency,
        remark: biz.remark.clone(),
        fingerprint,
        biz_content: Envelope::biz_text(&biz),
        create_state: CreateState::Pending,
        status: RefundStatus::Processing,
        refund_id: None,
        result_code: None,
        result_description: None,
        created_at: now,
        updated_at: now,
    });
    let biz_content = row.0.biz_content.clone();
    let refund = app
        .journal
        .write(move |tx| insert_refund(tx, &row))
        .await?
        .map_err(|r| refusal(r, &order))?;
    tracing::info!(mtid = %mtid, mrid = %mrid, "refund journaled; sending refund");
    let view = send_refund(app, &refund, biz_content)
        .await
        .map_err(|e| name_generated_id(e, generated, "merchantRefundId", mrid.as_str()))?;
    Ok((StatusCode::CREATED, view))
}

fn refund_refusal(r: &RefundRow) -> ApiFailure {
    ApiFailure(refusal_of_held(
        Held::Refund,
        r.result_code.as_deref().unwrap_or(""),
        r.result_description.as_deref().unwrap_or(""),
    ))
}

fn invalid(e: impl std::fmt::Display) -> ApiFailure {
    ApiFailure(CallError::Invalid(e.to_string()).api_error())
}

async fn send_refund(app: &App, refund: &RefundRow, biz: String) -> ApiResult<RefundView> {
    let reply = app
        .upstream
        .call(Api::Refund, &refund.merchant_transaction_id, biz)
        .await
        .map_err(|e| ApiFailure(e.api_error()))?;
    if reply.has_status() {
        return apply_reply(app, refund, reply).await;
    }
    tracing::warn!(mrid = %refund.merchant_refund_id, code = %reply.code, "PingPong refused the refund");
    let update = RefundUpdate {
        status: Some(RefundStatus::Failed),
        create_state: Some(CreateState::Refused),
        result_code: Some(reply.code.clone()),
        result_description: Some(reply.description.clone()),
        ..RefundUpdate::default()
    };
    save(app, &refund.merchant_refund_id, update).await?;
    Err(ApiFailure(refusal_of_held(
        Held::Refund,
        &reply.code,
        &reply.description,
    )))
}

async fn apply_reply(app: &App, refund: &RefundRow, reply: Reply) -> ApiResult<RefundView> {
    let biz: RefundResponse = reply.envelope.biz().map_err(invalid)?;
    if biz.merchant_transaction_id != refund.merchant_transaction_id
        || biz
            .merchant_refund_id
            .as_deref()
            .is_some_and(|id| id != refund.merchant_refund_id)
    {
        return Err(invalid("the answer names another refund"));
    }
    let update = RefundUpdate {
        status: Some(biz.status),
        create_state: Some(CreateState::Accepted),
        refund_id: biz.refund_id,
        result_code: biz.result_code,
        result_description: biz.result_description,
    };
    save(app, &refund.merchant_refund_id, update).await
}

async fn save(app: &App, mrid: &str, update: RefundUpdate) -> ApiResult<RefundView> {
    let id = mrid.to_owned();
    let now = now_ms();
    let row = app
        .journal
        .write(move |tx| apply_refund(tx, &id, &update, now))
        .await?
        .ok_or_else(|| fail(ErrorCode::Internal, "the refund vanished from the journal"))?;
    Ok(refund_view(&row, now_ms()))
}

async fn query(app: &App, refund: &RefundRow) -> ApiResult<Reply> {
    let biz = RefundQueryRequest {
        merchant_transaction_id: refund.merchant_transaction_id.clone(),
        merchant_refund_id: Some(refund.merchant_refund_id.clone()),
        refund_id: None,
    };
    app.upstream
        .call(
            Api::RefundQuery,
            &refund.merchant_transaction_id,
            Envelope::biz_text(&biz),
        )
        .await
        .map_err(|e| ApiFailure(e.api_error()))
}

/// Completes a refund whose outcome is unknown: a refund query tells whether it landed; if
/// PingPong does not know it, the refund is sent again with the same bizContent.
async fn complete_pending(app: &App, refund: &RefundRow) -> ApiResult<RefundView> {
    let reply = query(app, refund).await?;
    if reply.has_status() {
        return apply_reply(app, refund, reply).await;
    }
    if reply.code != NOT_FOUND_CODE && reply.code != NO_ORIGINAL_CODE {
        return Err(ApiFailure(reply.rejection()));
    }
    tracing::info!(mrid = %refund.merchant_refund_id, "refund never landed; re-sending it");
    send_refund(app, refund, refund.biz_content.clone()).await
}

/// `GET /v1/payments/{id}/refunds/{merchantRefundId}`: the journaled refund, [`refresh`]ed.
pub(crate) async fn get(
    app: &App,
    register: &Register,
    mtid: &str,
    mrid: &str,
) -> ApiResult<RefundView> {
    let mtid = order_id(mtid)?;
    let mrid = refund_id(mrid)?;
    let _guard = app.locks.lock(mtid.as_str()).await;
    let order = load_for(app, register, mtid.as_str()).await?;
    let id = mrid.as_str().to_owned();
    let refund = app
        .journal
        .read(move |c| load_refund(c, &id))
        .await?
        .filter(|r| r.merchant_transaction_id == order.merchant_transaction_id)
        .ok_or_else(|| fail(ErrorCode::NotFound, "no such refund of this payment"))?;
    refresh(app, &refund).await
}

/// The refund brought up to date by a refund query until it is final; a pending refund is
/// completed first. The caller holds its order's lock.
pub(crate) async fn refresh(app: &App, refund: &RefundRow) -> ApiResult<RefundView> {
    match refund.create_state {
        CreateState::Pending => complete_pending(app, refund).await,
        CreateState::Refused => Ok(refund_view(refund, now_ms())),
        CreateState::Accepted if refund.status.is_final() => Ok(refund_view(refund, now_ms())),
        CreateState::Accepted => {
            let reply = query(app, refund).await?;
            if !reply.has_status() {
                return Err(ApiFailure(refusal_of_held(
                    Held::Refund,
                    &reply.code,
                    &reply.description,
                )));
            }
            apply_reply(app, refund, reply).await
        }
    }
}
