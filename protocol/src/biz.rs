//! Typed bizContent of the four APIs and the two notifications (reference §4, §7).
//!
//! Readers tolerate unknown fields and missing optional ones; amounts are read from JSON
//! strings or numbers without passing through `f64`. Writers skip absent optional fields.
//! Where the docs leave a point open, the choice is recorded in `docs/protocol-choices.md`.

use core::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::money::{AmountError, Currency, Money};
use crate::status::{PaymentStatus, RefundStatus};
use crate::time::parse_timestamp_ms;

/// An amount exactly as written on the wire, from a JSON string (`"12.50"`) or a JSON
/// number (`12.50`), kept as its text. Written back as a JSON string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireAmount(String);

impl WireAmount {
    /// The amount's decimal text, with the currency's exponent (what this project sends).
    pub fn from_money(money: Money) -> Self {
        WireAmount(money.to_decimal())
    }

    /// The amount padded to `decimals` places (PingPong answers with 6).
    pub fn from_money_padded(money: Money, decimals: u8) -> Self {
        WireAmount(money.to_decimal_with(decimals))
    }

    /// Wraps decimal text as received.
    pub fn from_text(text: impl Into<String>) -> Self {
        WireAmount(text.into())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads the amount in `currency`, tolerating zero padding beyond its exponent.
    pub fn to_money(&self, currency: Currency) -> Result<Money, AmountError> {
        Money::parse_wire(&self.0, currency)
    }
}

impl fmt::Display for WireAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for WireAmount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for WireAmount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <Box<serde_json::value::RawValue>>::deserialize(d)?;
        let text = raw.get();
        if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            if inner.contains('\\') {
                return Err(de::Error::custom("amount must be a plain decimal"));
            }
            return Ok(WireAmount(inner.to_owned()));
        }
        if text.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
            return Ok(WireAmount(text.to_owned()));
        }
        Err(de::Error::custom(
            "amount must be a decimal string or number",
        ))
    }
}

/// `paymentMethod`: `type` names the method; `scanCodeId` is only for merchant-scans-barcode.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    /// The method name, e.g. `AlipayCN-Offline` (see `docs/protocol-choices.md`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The shopper's wallet barcode (merchant-scans flow only; QR orders leave it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_code_id: Option<String>,
}

/// `device`: where the order was placed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// `01` mobile, `02` PC browser, `03` iOS SDK, `04` Android SDK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_terminal: Option<String>,
}

/// `action`: the older home of QR data for local methods (read as a fallback only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// `QR_CODE`, `QR_URL` or `PAYMENT_REDIRECT_URL`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Text to render as a QR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_code: Option<String>,
    /// URL of a QR image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_url: Option<String>,
}

/// unifiedPay request bizContent (reference §4.1.1, in-person QR fields included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnifiedPayRequest {
    /// The merchant's order number.
    pub merchant_transaction_id: String,
    /// This attempt's idempotency key.
    pub request_id: String,
    /// Major units, decimal.
    pub amount: WireAmount,
    /// ISO 4217 code.
    pub currency: String,
    /// `0` = immediate capture (the only value local methods accept).
    pub capture_delay_hours: i64,
    /// The cash register's id ("must contain" for in-person payments).
    pub cashier_device_id: String,
    /// The QR payment method.
    pub payment_method: PaymentMethod,
    /// QR validity, in the configured [`crate::TimeExpireFormat`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_expire: Option<String>,
    /// Where PingPong pushes the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_url: Option<String>,
    /// Where PingPong pushes CLOSED (only sent when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_notification_url: Option<String>,
    /// Merchant text, echoed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// Order terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// Buyer IP (mandatory online; optional in person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shopper_ip: Option<String>,
}

/// unifiedPay response bizContent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnifiedPayResponse {
    /// The merchant's order number, echoed.
    pub merchant_transaction_id: String,
    /// The payment status; usually PROCESSING for QR.
    pub status: PaymentStatus,
    /// PingPong's transaction number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The request id, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The amount, padded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<WireAmount>,
    /// ISO 4217 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// When the transaction was created (epoch ms text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_time: Option<String>,
    /// Capture delay, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_delay_hours: Option<i64>,
    /// Merchant text, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// The method, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// The text to encode as the QR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_code: Option<String>,
    /// URL of an image of the QR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_url: Option<String>,
    /// When the QR stops working (epoch ms text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_code_expired: Option<String>,
    /// Older placement of QR data (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// Older flat name of the QR text (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_qr_code: Option<String>,
    /// Transaction result code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_code: Option<String>,
    /// Transaction result text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<String>,
}

impl UnifiedPayResponse {
    /// The QR text, wherever PingPong put it: `qrCode`, `action.qrCode`, `paymentQrCode`.
    pub fn qr_text(&self) -> Option<&str> {
        self.qr_code
            .as_deref()
            .or_else(|| self.action.as_ref()?.qr_code.as_deref())
            .or(self.payment_qr_code.as_deref())
    }

    /// The QR image URL: `qrUrl` or `action.qrUrl`.
    pub fn qr_image_url(&self) -> Option<&str> {
        self.qr_url
            .as_deref()
            .or_else(|| self.action.as_ref()?.qr_url.as_deref())
    }

    /// `qrCodeExpired` as ms since the epoch, in any documented timestamp form.
    pub fn qr_expires_at_ms(&self) -> Option<u64> {
        parse_timestamp_ms(self.qr_code_expired.as_deref()?)
    }
}

/// Payment query request bizContent: one of the two ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryRequest {
    /// PingPong's transaction number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The merchant's order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_transaction_id: Option<String>,
    /// A unique request number (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Payment query response bizContent (also the shape of the payment notification's
/// business fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResponse {
    /// The merchant's order number.
    pub merchant_transaction_id: String,
    /// The payment status.
    pub status: PaymentStatus,
    /// PingPong's transaction number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The last attempt's request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The amount, padded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<WireAmount>,
    /// ISO 4217 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Creation time (epoch ms text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_time: Option<String>,
    /// Final time (epoch ms text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_ending_time: Option<String>,
    /// Capture delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_delay_hours: Option<i64>,
    /// Merchant text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// The method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// The QR text, while the order is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_code: Option<String>,
    /// The QR image URL, while the order is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_url: Option<String>,
    /// QR expiry (epoch ms text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_code_expired: Option<String>,
    /// Transaction result code, e.g. `000000`, `301099`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_code: Option<String>,
    /// Transaction result text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<String>,
}

/// Refund request bizContent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRequest {
    /// The original payment's order number.
    pub merchant_transaction_id: String,
    /// The merchant's refund number.
    pub merchant_refund_id: String,
    /// Refund amount, major units.
    pub amount: WireAmount,
    /// ISO 4217 code (the payment's).
    pub currency: String,
    /// The cash register's id (the product page: "must include").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier_device_id: Option<String>,
    /// Where PingPong pushes the refund result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_url: Option<String>,
    /// Merchant text, at most 32 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

/// Refund query request bizContent: the original order and one refund id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundQueryRequest {
    /// The original payment's order number.
    pub merchant_transaction_id: String,
    /// PingPong's refund number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    /// The merchant's refund number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_refund_id: Option<String>,
}

/// Refund and refund-query response bizContent (one shape for both).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundResponse {
    /// The original payment's order number.
    pub merchant_transaction_id: String,
    /// The refund status.
    pub status: RefundStatus,
    /// The merchant's refund number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_refund_id: Option<String>,
    /// PingPong's refund number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    /// PingPong's transaction number of the original payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// Refund amount, padded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<WireAmount>,
    /// ISO 4217 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// When the refund was accepted (epoch ms text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_time: Option<String>,
    /// When the refund ended (epoch ms text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_ending_time: Option<String>,
    /// Result code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_code: Option<String>,
    /// Result text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<String>,
    /// Merchant text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

/// `notifyType` of an asynchronous notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotifyType {
    /// A payment result (SUCCESS / FAILED; CLOSED to `closeNotificationUrl`).
    Recharge,
    /// A refund result.
    Refund,
    /// A capture result (card pre-auth; not used by QR).
    Capture,
    /// A void result (card pre-auth; not used by QR).
    Void,
}

/// Payment notification bizContent (`notifyType = RECHARGE`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentNotification {
    /// Always [`NotifyType::Recharge`].
    pub notify_type: NotifyType,
    /// The merchant's order number.
    pub merchant_transaction_id: String,
    /// PingPong's transaction number.
    pub transaction_id: String,
    /// The payment status.
    pub status: PaymentStatus,
    /// Amount, padded.
    pub amount: WireAmount,
    /// ISO 4217 code.
    pub currency: String,
    /// The attempt's request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Transaction time (epoch ms text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_time: Option<String>,
    /// Capture delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_delay_hours: Option<i64>,
    /// Merchant text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// The method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// Result code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_code: Option<String>,
    /// Result text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<String>,
}

/// Refund notification bizContent (`notifyType = REFUND`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundNotification {
    /// Always [`NotifyType::Refund`].
    pub notify_type: NotifyType,
    /// The original payment's order number.
    pub merchant_transaction_id: String,
    /// The merchant's refund number.
    pub merchant_refund_id: String,
    /// The refund status (SUCCESS or FAILED).
    pub status: RefundStatus,
    /// Refund amount, padded.
    pub amount: WireAmount,
    /// ISO 4217 code.
    pub currency: String,
    /// PingPong's transaction number of the original payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// PingPong's refund number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    /// When the refund was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_time: Option<String>,
    /// When the refund ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_ending_time: Option<String>,
    /// Merchant text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

/// A notification's business content, told apart by `notifyType`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notification {
    /// A payment result.
    Payment(PaymentNotification),
    /// A refund result.
    Refund(RefundNotification),
}

impl Notification {
    /// Parses notification bizContent text.
    pub fn parse(biz_content: &str) -> Result<Notification, crate::EnvelopeError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Kind {
            notify_type: NotifyType,
        }
        let bad = |e: serde_json::Error| crate::EnvelopeError::BadBizContent(e.to_string());
        match serde_json::from_str::<Kind>(biz_content)
            .map_err(bad)?
            .notify_type
        {
            NotifyType::Recharge => serde_json::from_str(biz_content).map(Notification::Payment),
            NotifyType::Refund => serde_json::from_str(biz_content).map(Notification::Refund),
            other => {
                return Err(crate::EnvelopeError::BadBizContent(format!(
                    "notifyType {other:?} is not handled"
                )));
            }
        }
        .map_err(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_from_strings_and_numbers_without_floats() {
        #[derive(Deserialize)]
        struct A {
            amount: WireAmount,
        }
        let usd = Currency::from_code("USD").unwrap();
        for (json, minor) in [
            (r#"{"amount":"12.50"}"#, 1250),
            (r#"{"amount":12.50}"#, 1250),
            (r#"{"amount":0.02}"#, 2),
            (r#"{"amount":100}"#, 10000),
            (r#"{"amount":"100.000000"}"#, 10000),
        ] {
            let a: A = serde_json::from_str(json).unwrap();
            assert_eq!(a.amount.to_money(usd).unwrap().minor(), minor, "{json}");
        }
        assert_eq!(
            serde_json::from_str::<A>(r#"{"amount":12.50}"#)
                .unwrap()
                .amount
                .as_str(),
            "12.50"
        );
        for bad in [
            r#"{"amount":true}"#,
            r#"{"amount":{"v":1}}"#,
            r#"{"amount":"1\u0030"}"#,
        ] {
            assert!(serde_json::from_str::<A>(bad).is_err(), "{bad}");
        }
        let neg: A = serde_json::from_str(r#"{"amount":-1}"#).unwrap();
        assert_eq!(neg.amount.to_money(usd), Err(AmountError::Negative));
    }

    #[test]
    fn unknown_fields_are_tolerated_and_optionals_may_be_missing() {
        let json = r#"{"merchantTransactionId":"m1","status":"PROCESSING","brandNew":{"x":1}}"#;
        let r: UnifiedPayResponse = serde_json::from_str(json).unwrap();
        assert_eq!(r.status, PaymentStatus::Processing);
        assert_eq!(r.qr_text(), None);
    }

    #[test]
    fn qr_data_is_found_in_every_documented_place() {
        let top: UnifiedPayResponse = serde_json::from_str(
            r#"{"merchantTransactionId":"m","status":"PROCESSING","qrCode":"A","qrUrl":"U","qrCodeExpired":"1764000300000"}"#,
        )
        .unwrap();
        assert_eq!((top.qr_text(), top.qr_image_url()), (Some("A"), Some("U")));
        assert_eq!(top.qr_expires_at_ms(), Some(1_764_000_300_000));
        let nested: UnifiedPayResponse = serde_json::from_str(
            r#"{"merchantTransactionId":"m","status":"PROCESSING","action":{"type":"QR_CODE","qrCode":"B","qrUrl":"V"}}"#,
        )
        .unwrap();
        assert_eq!(
            (nested.qr_text(), nested.qr_image_url()),
            (Some("B"), Some("V"))
        );
        let flat: UnifiedPayResponse = serde_json::from_str(
            r#"{"merchantTransactionId":"m","status":"PROCESSING","paymentQrCode":"C"}"#,
        )
        .unwrap();
        assert_eq!(flat.qr_text(), Some("C"));
    }

    #[test]
    fn request_round_trips_and_skips_absent_fields() {
        let req = UnifiedPayRequest {
            merchant_transaction_id: "m1".into(),
            request_id: "r1".into(),
            amount: WireAmount::from_text("12.50"),
            currency: "USD".into(),
            capture_delay_hours: 0,
            cashier_device_id: "POS-1".into(),
            payment_method: PaymentMethod {
                kind: "AlipayCN-Offline".into(),
                scan_code_id: None,
            },
            time_expire: Some("1764000300".into()),
            notification_url: None,
            close_notification_url: None,
            remark: None,
            device: None,
            shopper_ip: None,
        };
        let text = serde_json::to_string(&req).unwrap();
        assert!(text.contains(r#""amount":"12.50""#) && !text.contains("remark"));
        assert_eq!(
            serde_json::from_str::<UnifiedPayRequest>(&text).unwrap(),
            req
        );
    }

    #[test]
    fn notifications_are_told_apart_by_notify_type() {
        let pay = r#"{"notifyType":"RECHARGE","merchantTransactionId":"m","transactionId":"t","status":"SUCCESS","amount":"1.000000","currency":"USD"}"#;
        assert!(
            matches!(Notification::parse(pay), Ok(Notification::Payment(p)) if p.status == PaymentStatus::Success)
        );
        let refund = r#"{"notifyType":"REFUND","merchantTransactionId":"m","merchantRefundId":"r","status":"FAILED","amount":1,"currency":"USD"}"#;
        assert!(
            matches!(Notification::parse(refund), Ok(Notification::Refund(r)) if r.status == RefundStatus::Failed)
        );
        assert!(Notification::parse(r#"{"notifyType":"VOID"}"#).is_err());
        assert!(Notification::parse(r#"{"notifyType":"NOPE"}"#).is_err());
    }
}
