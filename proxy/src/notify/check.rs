//! Whether a verified notification agrees with what the journal holds. A signature proves
//! who sent a push, not that it is about this order as the proxy made it: a push is news
//! about an order only if its amount, currency, ids and result code are the order's.
//! Pure: the journal's rows in, the first disagreement out.

use pingpong_protocol::biz::{PaymentNotification, RefundNotification, WireAmount};
use pingpong_protocol::result_code::is_outcome_unknown_code;
use pingpong_protocol::{Currency, Money, PaymentStatus, RefundStatus, ResultCode};

use crate::journal::{OrderRow, RefundRow};

/// The first field on which a notification and the journal disagree. Only public business
/// values: no signature, no salt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Discrepancy {
    /// The field, as PingPong names it (`amount`, `transactionId`, the envelope `code`…).
    pub field: &'static str,
    /// What the journal holds (`-` when it holds nothing yet).
    pub journaled: String,
    /// What the notification says (`-` when it says nothing).
    pub received: String,
}

impl Discrepancy {
    /// Whether the journal simply does not know the value yet (a create whose answer was
    /// lost has no transactionId): doubt rather than contradiction.
    pub(crate) fn in_doubt(&self) -> bool {
        self.journaled == "-"
    }
}

fn differ(field: &'static str, journaled: impl Into<String>, received: &str) -> Discrepancy {
    Discrepancy {
        field,
        journaled: journaled.into(),
        received: received.to_owned(),
    }
}

fn amount(wire: &WireAmount, currency: Currency, minor: u64) -> Result<(), Discrepancy> {
    let journaled = Money::from_minor(minor, currency);
    if wire.to_money(currency) == Ok(journaled) {
        Ok(())
    } else {
        Err(differ("amount", journaled.to_decimal(), wire.as_str()))
    }
}

/// A SUCCESS is believed only with PingPong's success code (the envelope's, and bizContent's
/// `resultCode` when given); a system error (`5xxxxx`/`6xxxxx`) is never news of any status.
fn result_code(success: bool, code: Option<&str>, result: Option<&str>) -> Result<(), Discrepancy> {
    let ok = ResultCode::TransactionSucceeded.code();
    let code_text = code.unwrap_or("-");
    if code.is_none_or(is_outcome_unknown_code) {
        return Err(differ("code", "a result code", code_text));
    }
    if success && code != Some(ok) {
        return Err(differ("code", ok, code_text));
    }
    if success && result.is_some_and(|r| r != ok) {
        return Err(differ("resultCode", ok, result.unwrap_or("-")));
    }
    Ok(())
}

/// A RECHARGE notification against its journaled order and the `requestId`s the proxy sent
/// for it. `code` is the envelope's.
pub(crate) fn payment(
    n: &PaymentNotification,
    code: Option<&str>,
    order: &OrderRow,
    request_ids: &[String],
) -> Result<(), Discrepancy> {
    if n.currency != order.currency.code() {
        return Err(differ("currency", order.currency.code(), &n.currency));
    }
    amount(&n.amount, order.currency, order.amount_minor)?;
    match &order.transaction_id {
        Some(t) if *t == n.transaction_id => {}
        // Not known yet (the create's answer was lost): in doubt until a query says.
        journaled => {
            return Err(differ(
                "transactionId",
                journaled.as_deref().unwrap_or("-"),
                &n.transaction_id,
            ));
        }
    }
    match n.request_id.as_deref() {
        Some(r) if request_ids.iter().any(|ours| ours == r) => {}
        received => {
            return Err(differ(
                "requestId",
                request_ids.join(" "),
                received.unwrap_or("-"),
            ));
        }
    }
    result_code(
        n.status == PaymentStatus::Success,
        code,
        n.result_code.as_deref(),
    )
}

/// A REFUND notification against its journaled refund and the refund's order.
pub(crate) fn refund(
    n: &RefundNotification,
    code: Option<&str>,
    refund: &RefundRow,
    order: &OrderRow,
) -> Result<(), Discrepancy> {
    if n.currency != refund.currency.code() {
        return Err(differ("currency", refund.currency.code(), &n.currency));
    }
    amount(&n.amount, refund.currency, refund.amount_minor)?;
    if let (Some(ours), Some(theirs)) = (&refund.refund_id, &n.refund_id)
        && ours != theirs
    {
        return Err(differ("refundId", ours.as_str(), theirs));
    }
    if let (Some(ours), Some(theirs)) = (&order.transaction_id, &n.transaction_id)
        && ours != theirs
    {
        return Err(differ("transactionId", ours.as_str(), theirs));
    }
    result_code(n.status == RefundStatus::Success, code, None)
}

#[cfg(test)]
mod tests {
    use pingpong_protocol::biz::{Notification, NotifyType};
    use pingpong_protocol::contract::Method;

    use super::*;
    use crate::journal::CreateState;

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    fn order() -> OrderRow {
        OrderRow {
            merchant_transaction_id: "PQ-1".into(),
            store_id: "S".into(),
            cashier_device_id: "P".into(),
            amount_minor: 1250,
            currency: usd(),
            method: Method::Alipay,
            expires_in_seconds: 300,
            remark: None,
            fingerprint: String::new(),
            create_state: CreateState::Accepted,
            status: PaymentStatus::Processing,
            transaction_id: Some("2026120100000001".into()),
            qr_code: None,
            qr_url: None,
            qr_code_expired_at: None,
            result_code: None,
            result_description: None,
            late_success: false,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn push(edit: impl FnOnce(&mut PaymentNotification)) -> PaymentNotification {
        let mut n = PaymentNotification {
            notify_type: NotifyType::Recharge,
            merchant_transaction_id: "PQ-1".into(),
            transaction_id: "2026120100000001".into(),
            status: PaymentStatus::Success,
            amount: WireAmount::from_text("12.500000"),
            currency: "USD".into(),
            request_id: Some("RQ-2".into()),
            transaction_time: None,
            capture_delay_hours: None,
            remark: None,
            payment_method: None,
            result_code: Some("000000".into()),
            result_description: None,
        };
        edit(&mut n);
        n
    }

    fn check(n: &PaymentNotification, code: &str) -> Result<(), &'static str> {
        let ids = ["RQ-1".to_owned(), "RQ-2".to_owned()];
        payment(n, Some(code), &order(), &ids).map_err(|d| d.field)
    }

    #[test]
    fn a_success_is_news_only_when_everything_is_the_orders() {
        assert_eq!(check(&push(|_| {}), "000000"), Ok(()));
        assert_eq!(
            check(
                &push(|n| n.amount = WireAmount::from_text("12.5")),
                "000000"
            ),
            Ok(())
        );
        type Edit = Box<dyn FnOnce(&mut PaymentNotification)>;
        let cases: [(&str, Edit, &str); 10] = [
            (
                "amount",
                Box::new(|n| n.amount = WireAmount::from_text("0.010000")),
                "000000",
            ),
            (
                "amount",
                Box::new(|n| n.amount = WireAmount::from_text("12.5x")),
                "000000",
            ),
            (
                "currency",
                Box::new(|n| n.currency = "JPY".into()),
                "000000",
            ),
            (
                "transactionId",
                Box::new(|n| n.transaction_id = "2026120100000002".into()),
                "000000",
            ),
            (
                "requestId",
                Box::new(|n| n.request_id = Some("RQ-9".into())),
                "000000",
            ),
            ("requestId", Box::new(|n| n.request_id = None), "000000"),
            ("code", Box::new(|_| {}), "500000"),
            ("code", Box::new(|_| {}), "002000"),
            (
                "resultCode",
                Box::new(|n| n.result_code = Some("301099".into())),
                "000000",
            ),
            (
                "code",
                Box::new(|n| n.status = PaymentStatus::Failed),
                "600001",
            ),
        ];
        for (field, edit, code) in cases {
            assert_eq!(
                check(&push(edit), code),
                Err(field),
                "{field} with code {code}"
            );
        }
        // A FAILED or CLOSED push carries its own code.
        let failed = push(|n| {
            n.status = PaymentStatus::Failed;
            n.result_code = Some("301099".into());
        });
        assert_eq!(check(&failed, "301099"), Ok(()));
        // An order whose transactionId is not known yet: in doubt.
        let mut pending = order();
        pending.transaction_id = None;
        let d = payment(&push(|_| {}), Some("000000"), &pending, &["RQ-2".into()]).unwrap_err();
        assert_eq!((d.field, d.journaled.as_str()), ("transactionId", "-"));
    }

    #[test]
    fn a_refund_push_is_news_only_about_that_refund() {
        let row = RefundRow {
            merchant_refund_id: "RF-1".into(),
            merchant_transaction_id: "PQ-1".into(),
            cashier_device_id: "P".into(),
            amount_minor: 200,
            currency: usd(),
            remark: None,
            fingerprint: String::new(),
            biz_content: String::new(),
            create_state: CreateState::Accepted,
            status: RefundStatus::Processing,
            refund_id: Some("R1".into()),
            result_code: None,
            result_description: None,
            created_at: 0,
            updated_at: 0,
        };
        let text = |amount: &str, currency: &str, refund_id: &str| {
            format!(
                r#"{{"notifyType":"REFUND","merchantTransactionId":"PQ-1","merchantRefundId":"RF-1","status":"SUCCESS","amount":"{amount}","currency":"{currency}","refundId":"{refund_id}","transactionId":"2026120100000001"}}"#
            )
        };
        let read = |t: String| match Notification::parse(&t).unwrap() {
            Notification::Refund(r) => r,
            Notification::Payment(_) => unreachable!(),
        };
        let check = |t: String, code: &str| {
            refund(&read(t), Some(code), &row, &order()).map_err(|d| d.field)
        };
        assert_eq!(check(text("2.000000", "USD", "R1"), "000000"), Ok(()));
        assert_eq!(
            check(text("20.000000", "USD", "R1"), "000000"),
            Err("amount")
        );
        assert_eq!(
            check(text("2.000000", "CNY", "R1"), "000000"),
            Err("currency")
        );
        assert_eq!(
            check(text("2.000000", "USD", "R2"), "000000"),
            Err("refundId")
        );
        assert_eq!(check(text("2.000000", "USD", "R1"), "500000"), Err("code"));
    }
}
