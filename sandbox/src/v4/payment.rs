//! unifiedPay and payment query.

use pingpong_protocol::biz::{PaymentMethod, QueryResponse, UnifiedPayRequest, UnifiedPayResponse};
use pingpong_protocol::envelope::Envelope;
use pingpong_protocol::time::MAX_EXPIRES_IN_SECONDS;
use pingpong_protocol::{FailureMode, Money, PaymentStatus, ResultCode};
use serde_json::Value;

use super::fields::{self, Obj, Refusal};
use super::{Accepted, Ctx};
use crate::config::SandboxConfig;
use crate::records::{AttemptRecord, OrderRecord};
use crate::store::{Order, Store, payment_result};

/// Slack allowed on either side of the `timeExpire` range, in ms (clock skew, network time).
const EXPIRE_SLACK_MS: u64 = 5_000;
const MIN_EXPIRE_MS: u64 = 60_000;
const MAX_EXPIRE_MS: u64 = MAX_EXPIRES_IN_SECONDS as u64 * 1000;

/// The order parameters a unifiedPay fixes; a later one with other values is a duplicate.
struct Params {
    merchant_transaction_id: String,
    request_id: String,
    money: Money,
    method: String,
    cashier_device_id: String,
    expires_at_ms: u64,
    notification_url: Option<String>,
    close_notification_url: Option<String>,
    remark: Option<String>,
}

fn read_params(cfg: &SandboxConfig, now_ms: u64, obj: &Obj, text: &str) -> Result<Params, Refusal> {
    let merchant_transaction_id = fields::id(obj, "merchantTransactionId")?;
    let request_id = fields::id(obj, "requestId")?;
    fields::amount_present(obj)?;
    let currency = fields::currency(obj, "currency")?;
    match obj.get("captureDelayHours") {
        None | Some(Value::Null) => return Err(Refusal::param("captureDelayHours", "is missing")),
        Some(v) if v.as_i64() == Some(0) => {}
        Some(_) => {
            return Err(Refusal::param(
                "captureDelayHours",
                "must be 0 for QR payment methods",
            ));
        }
    }
    let cashier_device_id = fields::id(obj, "cashierDeviceId")?;
    let method = match obj.get("paymentMethod") {
        Some(Value::Object(pm)) => {
            let kind = fields::required(pm, "type")
                .map_err(|_| Refusal::param("paymentMethod.type", "is missing"))?;
            if !cfg.methods.iter().any(|m| m == kind) {
                return Err(Refusal::param(
                    "paymentMethod.type",
                    &format!("must be one of {}", cfg.methods.join(", ")),
                ));
            }
            if fields::text(pm, "scanCodeId").ok().flatten().is_some() {
                return Err(Refusal::param(
                    "paymentMethod.scanCodeId",
                    "not accepted: this sandbox serves the customer-scans QR flow",
                ));
            }
            kind.to_owned()
        }
        None | Some(Value::Null) => return Err(Refusal::param("paymentMethod", "is missing")),
        Some(_) => return Err(Refusal::param("paymentMethod", "must be an object")),
    };
    let time_expire = fields::text(obj, "timeExpire")?;
    let notification_url = fields::url(obj, "notificationUrl")?;
    let close_notification_url = fields::url(obj, "closeNotificationUrl")?;
    let remark = fields::bounded(obj, "remark", 255)?;
    let typed: UnifiedPayRequest = serde_json::from_str(text)
        .map_err(|e| Refusal::param(&fields::serde_field(&e), "has the wrong type"))?;
    let money = fields::money(&typed.amount, currency)?;
    let expires_at_ms = match time_expire {
        None => now_ms + MAX_EXPIRE_MS,
        Some(t) => {
            let at = cfg
                .time_expire_format
                .decode(t, now_ms)
                .ok_or_else(|| Refusal::param("timeExpire", expire_format_hint(cfg)))?;
            let earliest = now_ms + MIN_EXPIRE_MS - EXPIRE_SLACK_MS;
            let latest = now_ms + MAX_EXPIRE_MS + EXPIRE_SLACK_MS;
            if !(earliest..=latest).contains(&at) {
                return Err(Refusal::param(
                    "timeExpire",
                    "must lie between 1 minute and 3 days from now",
                ));
            }
            at
        }
    };
    Ok(Params {
        merchant_transaction_id,
        request_id,
        money,
        method,
        cashier_device_id,
        expires_at_ms,
        notification_url,
        close_notification_url,
        remark,
    })
}

fn expire_format_hint(cfg: &SandboxConfig) -> &'static str {
    match cfg.time_expire_format {
        pingpong_protocol::TimeExpireFormat::EpochSeconds => "must be a Unix time in seconds",
        pingpong_protocol::TimeExpireFormat::DurationMinutes => "must be a number of minutes",
    }
}

/// `POST /v4/payment/unifiedPay`: creates the order, or re-opens it after a decline.
pub(crate) fn unified_pay(
    store: &mut Store,
    cfg: &SandboxConfig,
    ctx: &Ctx,
    obj: &Obj,
    text: &str,
) -> Result<Accepted, Refusal> {
    let p = read_params(cfg, ctx.now_ms, obj, text)?;
    let acc_id = &ctx.account.acc_id;
    let attempt = AttemptRecord {
        request_id: p.request_id.clone(),
        status: PaymentStatus::Processing,
        created_at_ms: ctx.now_ms,
        expires_at_ms: p.expires_at_ms,
    };
    let (transaction_id, effects) = match store.find(acc_id, &p.merchant_transaction_id) {
        Some(txid) => {
            let order = store.order(&txid).expect("indexed orders exist");
            let same = order.money == p.money
                && order.rec.method == p.method
                && order.rec.cashier_device_id == p.cashier_device_id;
            if !same {
                return Err(Refusal::because(
                    ResultCode::DuplicatedTransaction,
                    "merchantTransactionId already used with other order parameters",
                ));
            }
            match order.rec.status {
                PaymentStatus::Closed => {
                    return Err(Refusal::because(
                        ResultCode::InvalidOrExpiredTransaction,
                        "the order is closed",
                    ));
                }
                PaymentStatus::Failed if cfg.failure_mode == FailureMode::Retryable => {}
                status => {
                    return Err(Refusal::because(
                        ResultCode::DuplicatedTransaction,
                        &format!("the order is {}", status.as_str()),
                    ));
                }
            }
            let effects =
                store.reopen(&txid, attempt, p.notification_url, p.close_notification_url);
            (txid, effects)
        }
        None => {
            let txid = store.next_number(ctx.now_ms);
            let qr_code = format!("{}/wallet/{txid}", cfg.public_url);
            let order = Order {
                rec: OrderRecord {
                    acc_id: acc_id.clone(),
                    merchant_transaction_id: p.merchant_transaction_id,
                    transaction_id: txid.clone(),
                    status: PaymentStatus::Processing,
                    amount: p.money.to_decimal(),
                    currency: p.money.currency().code().to_owned(),
                    method: p.method,
                    cashier_device_id: p.cashier_device_id,
                    remark: p.remark,
                    notification_url: p.notification_url,
                    close_notification_url: p.close_notification_url,
                    qr_url: format!("{qr_code}/qr.svg"),
                    qr_code,
                    created_at_ms: ctx.now_ms,
                    expires_at_ms: p.expires_at_ms,
                    ended_at_ms: None,
                    late_success: false,
                    attempts: vec![attempt],
                    refunds: Vec::new(),
                    notifications: Vec::new(),
                },
                money: p.money,
                client_id: ctx.account.client_id.clone(),
                sign_type: ctx.sign_type,
            };
            let effects = store.insert_order(order);
            (txid, effects)
        }
    };
    let order = store.order(&transaction_id).expect("just stored");
    let code = ResultCode::TransactionProcessing;
    let biz = UnifiedPayResponse {
        merchant_transaction_id: order.rec.merchant_transaction_id.clone(),
        status: PaymentStatus::Processing,
        transaction_id: Some(order.rec.transaction_id.clone()),
        request_id: Some(p.request_id),
        amount: Some(order.wire_amount()),
        currency: Some(order.rec.currency.clone()),
        transaction_time: Some(order.rec.created_at_ms.to_string()),
        capture_delay_hours: Some(0),
        remark: order.rec.remark.clone(),
        payment_method: Some(method(order)),
        qr_code: Some(order.rec.qr_code.clone()),
        qr_url: Some(order.rec.qr_url.clone()),
        qr_code_expired: Some(order.rec.expires_at_ms.to_string()),
        action: None,
        payment_qr_code: None,
        result_code: Some(code.code().to_owned()),
        result_description: Some(code.description().to_owned()),
    };
    Ok((code, Envelope::biz_text(&biz), effects))
}

fn method(order: &Order) -> PaymentMethod {
    PaymentMethod {
        kind: order.rec.method.clone(),
        scan_code_id: None,
    }
}

/// `POST /v4/payment/query`: the order's status, by merchantTransactionId or transactionId.
pub(crate) fn query(store: &mut Store, ctx: &Ctx, obj: &Obj) -> Result<Accepted, Refusal> {
    let by_merchant = fields::text(obj, "merchantTransactionId")?;
    let by_pingpong = fields::text(obj, "transactionId")?;
    let acc_id = &ctx.account.acc_id;
    let found = match (by_merchant, by_pingpong) {
        (None, None) => {
            return Err(Refusal::param(
                "merchantTransactionId",
                "merchantTransactionId or transactionId is required",
            ));
        }
        (Some(m), t) => store
            .find(acc_id, m)
            .filter(|txid| t.is_none_or(|t| t == txid)),
        (None, Some(t)) => store
            .order(t)
            .filter(|o| &o.rec.acc_id == acc_id)
            .map(|o| o.rec.transaction_id.clone()),
    };
    let order = found
        .and_then(|txid| store.order(&txid))
        .ok_or(Refusal::code(ResultCode::TransactionNotFound))?;
    let open = order.rec.status == PaymentStatus::Processing;
    let result = payment_result(order.rec.status);
    let biz = QueryResponse {
        merchant_transaction_id: order.rec.merchant_transaction_id.clone(),
        status: order.rec.status,
        transaction_id: Some(order.rec.transaction_id.clone()),
        request_id: order.request_id().map(str::to_owned),
        amount: Some(order.wire_amount()),
        currency: Some(order.rec.currency.clone()),
        transaction_time: Some(order.rec.created_at_ms.to_string()),
        transaction_ending_time: order.rec.ended_at_ms.map(|t| t.to_string()),
        capture_delay_hours: Some(0),
        remark: order.rec.remark.clone(),
        payment_method: Some(method(order)),
        qr_code: open.then(|| order.rec.qr_code.clone()),
        qr_url: open.then(|| order.rec.qr_url.clone()),
        qr_code_expired: open.then(|| order.rec.expires_at_ms.to_string()),
        result_code: Some(result.code().to_owned()),
        result_description: Some(result.description().to_owned()),
    };
    Ok((
        ResultCode::RequestSucceeded,
        Envelope::biz_text(&biz),
        Default::default(),
    ))
}
