//! Creating and reading payments: policy first, journal before the first send, one order
//! per id however often the register retries, and unknown outcomes completed with the same
//! `requestId`.

use axum::http::StatusCode;
use pingpong_protocol::biz::{
    PaymentMethod, QueryRequest, QueryResponse, UnifiedPayRequest, UnifiedPayResponse, WireAmount,
};
use pingpong_protocol::contract::{CreatePaymentRequest, NewPayment, PaymentView};
use pingpong_protocol::{Envelope, ErrorCode, MerchantTransactionId, PaymentStatus, RequestId};

use crate::app::App;
use crate::auth::Register;
use crate::error::{ApiFailure, ApiResult, fail};
use crate::journal::{
    CreateState, NewOrder, OrderRow, PaymentUpdate, apply_payment, insert_order, latest_attempt,
    load_order, refund_totals,
};
use crate::upstream::{Api, CallError, Held, Reply, refusal_of_held};
use crate::util::{now_ms, random_bytes};
use crate::views::payment_view;

/// PingPong's "transaction does not exist".
pub(crate) const NOT_FOUND_CODE: &str = "107001";

/// What identifies a request body, to tell a retry from a conflicting re-use of the id.
fn fingerprint(p: &NewPayment) -> String {
    format!(
        "v1|{}|{}|{}|{}|{}",
        p.amount.minor(),
        p.amount.currency().code(),
        p.method.as_str(),
        p.expires_in.seconds(),
        p.remark.as_ref().map(|r| r.as_str()).unwrap_or("")
    )
}

/// Parses a path id.
pub(crate) fn order_id(text: &str) -> ApiResult<MerchantTransactionId> {
    MerchantTransactionId::new(text)
        .map_err(|e| fail(ErrorCode::InvalidId, format!("merchantTransactionId: {e}")))
}

/// Loads the order for `register`: 404 when unknown, 403 when another store's.
pub(crate) async fn load_for(app: &App, register: &Register, mtid: &str) -> ApiResult<OrderRow> {
    let id = mtid.to_owned();
    let order = app
        .journal
        .read(move |c| load_order(c, &id))
        .await?
        .ok_or_else(|| fail(ErrorCode::NotFound, "no such payment"))?;
    if order.store_id != register.store_id.as_str() {
        return Err(fail(
            ErrorCode::Forbidden,
            "this payment belongs to another store",
        ));
    }
    Ok(order)
}

/// The view of the journaled order `mtid`.
async fn view(app: &App, mtid: &str) -> ApiResult<PaymentView> {
    let id = mtid.to_owned();
    let (order, totals) = app
        .journal
        .read(move |c| {
            let order = load_order(c, &id)?;
            let totals = refund_totals(c, &id)?;
            Ok(order.map(|o| (o, totals)))
        })
        .await?
        .ok_or_else(|| fail(ErrorCode::Internal, "the order vanished from the journal"))?;
    Ok(payment_view(&order, totals, now_ms()))
}

/// `POST /v1/payments`: 201 with the new order, or 200 with the journaled one when the
/// register re-sends an id with the same body.
pub(crate) async fn create(
    app: &App,
    register: &Register,
    request: CreatePaymentRequest,
) -> ApiResult<(StatusCode, PaymentView)> {
    let new = request.validate()?;
    let request_had_no_id = new.merchant_transaction_id.is_none();
    let now = now_ms();
    let mtid = new
        .merchant_transaction_id
        .clone()
        .unwrap_or_else(|| MerchantTransactionId::generate(now, random_bytes()));
    let _guard = app.locks.lock(mtid.as_str()).await;
    let request_id = RequestId::generate(now, random_bytes());
    let biz = UnifiedPayRequest {
        merchant_transaction_id: mtid.as_str().to_owned(),
        request_id: request_id.as_str().to_owned(),
        amount: WireAmount::from_money(new.amount),
        currency: new.amount.currency().code().to_owned(),
        capture_delay_hours: 0,
        cashier_device_id: register.cashier_device_id.as_str().to_owned(),
        payment_method: PaymentMethod {
            kind: app.policy.methods.name(new.method).to_owned(),
            scan_code_id: None,
        },
        time_expire: Some(
            app.policy
                .time_expire_format
                .encode(now, new.expires_in.seconds()),
        ),
        notification_url: Some(app.policy.notify_url.clone()),
        close_notification_url: Some(app.policy.notify_url.clone()),
        remark: new.remark.as_ref().map(|r| r.as_str().to_owned()),
        device: None,
        shopper_ip: None,
    };
    let order = NewOrder {
        row: OrderRow {
            merchant_transaction_id: mtid.as_str().to_owned(),
            store_id: register.store_id.as_str().to_owned(),
            cashier_device_id: register.cashier_device_id.as_str().to_owned(),
            amount_minor: new.amount.minor(),
            currency: new.amount.currency(),
            method: new.method,
            expires_in_seconds: new.expires_in.seconds(),
            remark: biz.remark.clone(),
            fingerprint: fingerprint(&new),
            create_state: CreateState::Pending,
            status: PaymentStatus::Init,
            transaction_id: None,
            qr_code: None,
            qr_url: None,
            qr_code_expired_at: None,
            result_code: None,
            result_description: None,
            late_success: false,
            created_at: now,
            updated_at: now,
        },
        request_id: request_id.into_string(),
        biz_content: Envelope::biz_text(&biz),
    };
    let fingerprint = order.row.fingerprint.clone();
    let biz_content = order.biz_content.clone();
    let inserted = order.clone();
    if let Some(existing) = app
        .journal
        .write(move |tx| insert_order(tx, &inserted))
        .await?
    {
        return replay(app, register, existing, &fingerprint).await;
    }
    tracing::info!(mtid = %mtid, store = %register.store_id, "payment journaled; sending unifiedPay");
    let generated = request_had_no_id;
    let view = send_create(app, mtid.as_str(), biz_content)
        .await
        .map_err(|e| name_generated_id(e, generated, "merchantTransactionId", mtid.as_str()))?;
    Ok((StatusCode::CREATED, view))
}

/// A register that let the proxy choose the id must learn it even when the outcome is
/// unknown, to query or retry: the message names it.
pub(crate) fn name_generated_id(
    mut e: ApiFailure,
    generated: bool,
    field: &str,
    id: &str,
) -> ApiFailure {
    if generated {
        e.0.message = format!("{} ({field} {id})", e.0.message);
    }
    e
}

/// A create re-sent with a journaled id.
async fn replay(
    app: &App,
    register: &Register,
    order: OrderRow,
    fingerprint: &str,
) -> ApiResult<(StatusCode, PaymentView)> {
    if order.store_id != register.store_id.as_str() {
        return Err(fail(
            ErrorCode::Forbidden,
            "this merchantTransactionId belongs to another store",
        ));
    }
    if order.fingerprint != fingerprint {
        return Err(fail(
            ErrorCode::IdConflict,
            "this merchantTransactionId was used with a different body; use a new id for a new order",
        ));
    }
    let view = match order.create_state {
        CreateState::Pending => complete_pending(app, &order).await?,
        CreateState::Refused => {
            return Err(upstream_refusal(&order));
        }
        CreateState::Accepted => view(app, &order.merchant_transaction_id).await?,
    };
    Ok((StatusCode::OK, view))
}

/// The refusal recorded for a refused create.
fn upstream_refusal(order: &OrderRow) -> ApiFailure {
    ApiFailure(crate::upstream::rejection(
        order.result_code.as_deref().unwrap_or(""),
        order.result_description.as_deref().unwrap_or(""),
    ))
}

/// Sends (or re-sends, byte for byte) the create of a journaled order.
async fn send_create(app: &App, mtid: &str, biz_content: String) -> ApiResult<PaymentView> {
    match app.upstream.call(Api::UnifiedPay, mtid, biz_content).await {
        Ok(reply) => apply_create_reply(app, mtid, reply).await,
        Err(e) => Err(ApiFailure(e.api_error())),
    }
}

fn invalid(e: impl std::fmt::Display) -> ApiFailure {
    ApiFailure(CallError::Invalid(e.to_string()).api_error())
}

async fn apply_create_reply(app: &App, mtid: &str, reply: Reply) -> ApiResult<PaymentView> {
    let update = if reply.has_status() {
        let biz: UnifiedPayResponse = reply.envelope.biz().map_err(invalid)?;
        if biz.merchant_transaction_id != mtid {
            return Err(invalid("the answer names another order"));
        }
        PaymentUpdate {
            status: Some(biz.status),
            create_state: Some(CreateState::Accepted),
            transaction_id: biz.transaction_id.clone(),
            qr_code: biz.qr_text().map(str::to_owned),
            qr_url: biz.qr_image_url().map(str::to_owned),
            qr_code_expired_at: biz.qr_expires_at_ms(),
            // unifiedPay's envelope code is the transaction's result (reference §2.2).
            result_code: biz.result_code.clone().or(Some(reply.code.clone())),
            result_description: biz
                .result_description
                .clone()
                .or(Some(reply.description.clone())),
        }
    } else {
        tracing::warn!(mtid, code = %reply.code, "PingPong refused the payment");
        PaymentUpdate {
            status: Some(PaymentStatus::Failed),
            create_state: Some(CreateState::Refused),
            result_code: Some(reply.code.clone()),
            result_description: Some(reply.description.clone()),
            ..PaymentUpdate::default()
        }
    };
    let refused = update.create_state == Some(CreateState::Refused);
    save(app, mtid, update).await?;
    if refused {
        return Err(ApiFailure(reply.rejection()));
    }
    view(app, mtid).await
}

async fn save(app: &App, mtid: &str, update: PaymentUpdate) -> ApiResult<()> {
    let id = mtid.to_owned();
    let now = now_ms();
    app.journal
        .write(move |tx| apply_payment(tx, &id, &update, now))
        .await?;
    Ok(())
}

/// Completes an order whose create outcome is unknown: a query tells whether it landed;
/// if PingPong does not know the order (107001), the create is sent again with the same
/// `requestId` and bizContent.
async fn complete_pending(app: &App, order: &OrderRow) -> ApiResult<PaymentView> {
    let mtid = order.merchant_transaction_id.as_str();
    let reply = query(app, mtid).await?;
    if reply.has_status() {
        return apply_query_reply(app, mtid, reply, true).await;
    }
    if reply.code != NOT_FOUND_CODE {
        return Err(ApiFailure(reply.rejection()));
    }
    let id = mtid.to_owned();
    let biz = app
        .journal
        .read(move |c| latest_attempt(c, &id))
        .await?
        .ok_or_else(|| fail(ErrorCode::Internal, "the order has no journaled attempt"))?;
    tracing::info!(
        mtid,
        "create never landed; re-sending it with the same requestId"
    );
    send_create(app, mtid, biz).await
}

async fn query(app: &App, mtid: &str) -> ApiResult<Reply> {
    let biz = QueryRequest {
        merchant_transaction_id: Some(mtid.to_owned()),
        ..QueryRequest::default()
    };
    app.upstream
        .call(Api::Query, mtid, Envelope::biz_text(&biz))
        .await
        .map_err(|e| ApiFailure(e.api_error()))
}

async fn apply_query_reply(
    app: &App,
    mtid: &str,
    reply: Reply,
    accepts_create: bool,
) -> ApiResult<PaymentView> {
    let biz: QueryResponse = reply.envelope.biz().map_err(invalid)?;
    if biz.merchant_transaction_id != mtid {
        return Err(invalid("the answer names another order"));
    }
    let update = PaymentUpdate {
        status: Some(biz.status),
        create_state: accepts_create.then_some(CreateState::Accepted),
        transaction_id: biz.transaction_id,
        qr_code: biz.qr_code,
        qr_url: biz.qr_url,
        qr_code_expired_at: biz
            .qr_code_expired
            .as_deref()
            .and_then(pingpong_protocol::time::parse_timestamp_ms),
        result_code: biz.result_code,
        result_description: biz.result_description,
    };
    save(app, mtid, update).await?;
    view(app, mtid).await
}

/// `GET /v1/payments/{id}`: the journaled order, [`refresh`]ed.
pub(crate) async fn get(app: &App, register: &Register, mtid: &str) -> ApiResult<PaymentView> {
    let mtid = order_id(mtid)?;
    let _guard = app.locks.lock(mtid.as_str()).await;
    let order = load_for(app, register, mtid.as_str()).await?;
    refresh(app, &order).await
}

/// The order brought up to date by a query unless it is SUCCESS (or FAILED in failure-final
/// mode); a pending create is completed first. The caller holds the order's lock.
pub(crate) async fn refresh(app: &App, order: &OrderRow) -> ApiResult<PaymentView> {
    let mtid = order.merchant_transaction_id.as_str();
    match order.create_state {
        CreateState::Pending => complete_pending(app, order).await,
        CreateState::Refused => view(app, mtid).await,
        CreateState::Accepted => {
            let settled = order.status == PaymentStatus::Success
                || (order.status == PaymentStatus::Failed
                    && order.status.is_final_in(app.policy.failure_mode));
            if settled {
                return view(app, mtid).await;
            }
            let reply = query(app, mtid).await?;
            if !reply.has_status() {
                if reply.code == NOT_FOUND_CODE {
                    tracing::warn!(
                        mtid,
                        "PingPong does not know an order it accepted (107001); the journal keeps it as it was"
                    );
                }
                return Err(ApiFailure(refusal_of_held(
                    Held::Payment,
                    &reply.code,
                    &reply.description,
                )));
            }
            apply_query_reply(app, mtid, reply, false).await
        }
    }
}
