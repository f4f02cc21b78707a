//! Refund and refund query.

use pingpong_protocol::biz::{RefundRequest, RefundResponse, WireAmount};
use pingpong_protocol::envelope::Envelope;
use pingpong_protocol::{Money, PaymentStatus, RefundStatus, ResultCode};

use super::fields::{self, Obj, Refusal};
use super::{Accepted, Ctx};
use crate::records::RefundRecord;
use crate::store::{Order, Store, WIRE_DECIMALS, refund_result};

/// `POST /v4/payment/refund`: a partial or full refund of a SUCCESS payment.
pub(crate) fn refund(
    store: &mut Store,
    ctx: &Ctx,
    obj: &Obj,
    text: &str,
) -> Result<Accepted, Refusal> {
    let merchant_transaction_id = fields::id(obj, "merchantTransactionId")?;
    let merchant_refund_id = fields::id(obj, "merchantRefundId")?;
    fields::amount_present(obj)?;
    let currency = fields::currency(obj, "currency")?;
    fields::optional_id(obj, "cashierDeviceId")?;
    let notification_url = fields::url(obj, "notificationUrl")?;
    let remark = fields::bounded(obj, "remark", 32)?;
    let typed: RefundRequest = serde_json::from_str(text)
        .map_err(|e| Refusal::param(&fields::serde_field(&e), "has the wrong type"))?;
    let money = fields::money(&typed.amount, currency)?;
    let acc_id = &ctx.account.acc_id;
    let txid = store
        .find(acc_id, &merchant_transaction_id)
        .ok_or(Refusal::code(ResultCode::OriginalTransactionNotFound))?;
    if let Some(owner) = store.refund_owner(acc_id, &merchant_refund_id) {
        let order = store.order(owner).expect("indexed orders exist");
        let existing = order
            .rec
            .refunds
            .iter()
            .find(|r| r.merchant_refund_id == merchant_refund_id)
            .expect("indexed refunds exist");
        if owner != txid
            || existing.amount_minor != money.minor()
            || existing.currency != currency.code()
        {
            return Err(Refusal::because(
                ResultCode::DuplicatedTransaction,
                "merchantRefundId already used with other refund parameters",
            ));
        }
        let code = match existing.status {
            RefundStatus::Success => ResultCode::TransactionSucceeded,
            RefundStatus::Failed => ResultCode::RefundFailed,
            _ => ResultCode::TransactionProcessing,
        };
        return Ok((code, refund_biz(order, existing), Default::default()));
    }
    let order = store.order(&txid).expect("indexed orders exist");
    if currency != order.money.currency() {
        return Err(Refusal::param("currency", "must be the payment's currency"));
    }
    if order.rec.status != PaymentStatus::Success {
        return Err(Refusal::because(
            ResultCode::OriginalTransactionTypeMismatch,
            &format!("the payment is {}, not SUCCESS", order.rec.status.as_str()),
        ));
    }
    if money.minor() > order.money.minor() {
        return Err(Refusal::code(ResultCode::RefundExceedsOriginal));
    }
    let balance = order.money.minor().saturating_sub(order.refunds_held());
    if money.minor() > balance {
        return Err(Refusal::because(
            ResultCode::RefundExceedsBalance,
            &format!(
                "refundable balance is {}",
                Money::from_minor(balance, currency).to_decimal()
            ),
        ));
    }
    let refund = RefundRecord {
        merchant_refund_id: merchant_refund_id.clone(),
        refund_id: store.next_number(ctx.now_ms),
        amount: money.to_decimal(),
        amount_minor: money.minor(),
        currency: currency.code().to_owned(),
        status: RefundStatus::Processing,
        created_at_ms: ctx.now_ms,
        ended_at_ms: None,
        notification_url,
        remark,
        fails: store.faults.refund_failure,
    };
    let effects = store.insert_refund(&txid, acc_id, refund);
    let order = store.order(&txid).expect("indexed orders exist");
    let stored = order.rec.refunds.last().expect("just stored");
    Ok((
        ResultCode::TransactionProcessing,
        refund_biz(order, stored),
        effects,
    ))
}

/// `POST /v4/refund/query`: a refund's status, by merchantRefundId or refundId.
pub(crate) fn refund_query(store: &mut Store, ctx: &Ctx, obj: &Obj) -> Result<Accepted, Refusal> {
    let merchant_transaction_id = fields::id(obj, "merchantTransactionId")?;
    let merchant_refund_id = fields::text(obj, "merchantRefundId")?;
    let refund_id = fields::text(obj, "refundId")?;
    if merchant_refund_id.is_none() && refund_id.is_none() {
        return Err(Refusal::param(
            "merchantRefundId",
            "merchantRefundId or refundId is required",
        ));
    }
    let order = store
        .find(&ctx.account.acc_id, &merchant_transaction_id)
        .and_then(|txid| store.order(&txid))
        .ok_or(Refusal::code(ResultCode::OriginalTransactionNotFound))?;
    let refund = order
        .rec
        .refunds
        .iter()
        .find(|r| {
            merchant_refund_id.is_none_or(|m| m == r.merchant_refund_id)
                && refund_id.is_none_or(|id| id == r.refund_id)
        })
        .ok_or(Refusal::code(ResultCode::TransactionNotFound))?;
    Ok((
        ResultCode::RequestSucceeded,
        refund_biz(order, refund),
        Default::default(),
    ))
}

fn refund_biz(order: &Order, refund: &RefundRecord) -> String {
    let result = refund_result(refund.status);
    let money = Money::from_minor(refund.amount_minor, order.money.currency());
    Envelope::biz_text(&RefundResponse {
        merchant_transaction_id: order.rec.merchant_transaction_id.clone(),
        status: refund.status,
        merchant_refund_id: Some(refund.merchant_refund_id.clone()),
        refund_id: Some(refund.refund_id.clone()),
        transaction_id: Some(order.rec.transaction_id.clone()),
        amount: Some(WireAmount::from_money_padded(money, WIRE_DECIMALS)),
        currency: Some(refund.currency.clone()),
        refund_time: Some(refund.created_at_ms.to_string()),
        refund_ending_time: refund.ended_at_ms.map(|t| t.to_string()),
        result_code: Some(result.code().to_owned()),
        result_description: Some(result.description().to_owned()),
        remark: refund.remark.clone(),
    })
}
