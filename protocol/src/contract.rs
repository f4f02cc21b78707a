//! The register↔proxy contract (JSON over HTTP, camelCase), defined once for the proxy and
//! the browser library, with the validation both run before anything goes upstream.
//!
//! Times are milliseconds since the Unix epoch. Amounts are decimal strings with the
//! currency's exponent. Every error is an [`ApiError`].
//!
//! With the `typescript` feature the types also derive their TypeScript declarations (tsify),
//! doc comments included: the browser library's `.d.ts` is generated from them. With the
//! `openapi` feature they derive their OpenAPI schemas (utoipa): the proxy's `/openapi.json`.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::error_code::ErrorCode;
use crate::ids::{IdError, MerchantRefundId, MerchantTransactionId};
use crate::money::{AmountError, Currency, Money};
use crate::status::{PaymentStatus, RefundStatus};
use crate::time::{DEFAULT_EXPIRES_IN_SECONDS, MAX_EXPIRES_IN_SECONDS, MIN_EXPIRES_IN_SECONDS};

/// Routes of the proxy.
pub mod paths {
    /// `POST` creates a payment (unifiedPay).
    pub const PAYMENTS: &str = "/v1/payments";
    /// `GET /v1/payments/{merchantTransactionId}` queries a payment;
    /// `POST /v1/payments/{id}/refunds` refunds; `GET /v1/payments/{id}/refunds/{merchantRefundId}`
    /// queries a refund.
    pub const PAYMENT: &str = "/v1/payments/{merchantTransactionId}";
    /// `POST` creates a refund.
    pub const REFUNDS: &str = "/v1/payments/{merchantTransactionId}/refunds";
    /// `GET` queries a refund.
    pub const REFUND: &str = "/v1/payments/{merchantTransactionId}/refunds/{merchantRefundId}";
    /// `POST` (bearer auth) issues a ticket for the event stream.
    pub const EVENT_TICKETS: &str = "/v1/events/tickets";
    /// `GET ?ticket=…[&lastEventId=…]`: Server-Sent Events of this register's store.
    pub const EVENTS: &str = "/v1/events";
    /// `POST`: PingPong's notifications of the merchant `default`.
    pub const NOTIFY: &str = "/notify/pingpong";
    /// `POST`: PingPong's notifications of one merchant.
    pub const NOTIFY_MERCHANT: &str = "/notify/pingpong/{merchantId}";
    /// `GET`: the OpenAPI 3.1 document.
    pub const OPENAPI: &str = "/openapi.json";
    /// `GET`: liveness.
    pub const HEALTH: &str = "/healthz";

    /// `template` with its `{name}` placeholders replaced by `values`, in order (ids are
    /// validated to URL-safe characters).
    fn fill(template: &str, values: &[&str]) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut values = values.iter();
        let mut in_name = false;
        for c in template.chars() {
            match c {
                '{' => {
                    in_name = true;
                    out.push_str(values.next().copied().unwrap_or_default());
                }
                '}' => in_name = false,
                c if !in_name => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// [`PAYMENT`] of order `id`.
    pub fn payment(id: &str) -> String {
        fill(PAYMENT, &[id])
    }

    /// [`REFUNDS`] of order `id`.
    pub fn refunds(id: &str) -> String {
        fill(REFUNDS, &[id])
    }

    /// [`REFUND`] `refund` of order `id`.
    pub fn refund(id: &str, refund: &str) -> String {
        fill(REFUND, &[id, refund])
    }
}

/// SSE event names on `/v1/events`; the data is a [`PaymentView`] or a [`RefundView`].
pub mod events {
    /// A payment changed; data is a [`super::PaymentView`].
    pub const PAYMENT: &str = "payment";
    /// A refund changed; data is a [`super::RefundView`].
    pub const REFUND: &str = "refund";
}

/// An error as the register sees it: a stable code and a human message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// The stable code.
    pub code: ErrorCode,
    /// What went wrong, for people.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub message: String,
    /// PingPong's result code, when PingPong refused the request (UPSTREAM_REJECTED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub upstream_code: Option<String>,
}

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            upstream_code: None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

/// The wallet a consumer pays with. The proxy maps each to PingPong's method name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Method {
    /// Alipay.
    #[serde(rename = "ALIPAY")]
    Alipay,
    /// WeChat Pay.
    #[serde(rename = "WECHAT")]
    Wechat,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 2] = [Method::Alipay, Method::Wechat];

    /// The contract name: `ALIPAY` or `WECHAT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Alipay => "ALIPAY",
            Method::Wechat => "WECHAT",
        }
    }

    /// Parses a contract name (exact, upper case).
    pub fn parse(text: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// QR validity in seconds, 60..=259200 (1 minute to 3 days).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExpiresIn(u32);

impl ExpiresIn {
    /// Validates a number of seconds.
    pub fn new(seconds: i64) -> Result<ExpiresIn, ApiError> {
        let range = MIN_EXPIRES_IN_SECONDS as i64..=MAX_EXPIRES_IN_SECONDS as i64;
        if range.contains(&seconds) {
            Ok(ExpiresIn(seconds as u32))
        } else {
            Err(ApiError::new(
                ErrorCode::InvalidExpiry,
                "expiresInSeconds must be between 60 and 259200",
            ))
        }
    }

    /// Seconds.
    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl Default for ExpiresIn {
    /// Five minutes, the retail advice.
    fn default() -> Self {
        ExpiresIn(DEFAULT_EXPIRES_IN_SECONDS)
    }
}

/// Longest payment remark, in characters (PingPong's `remark` is `string(255)`).
pub const MAX_PAYMENT_REMARK: usize = 255;
/// Longest refund remark, in characters (PingPong's refund `remark` is `string(32)`).
pub const MAX_REFUND_REMARK: usize = 32;

/// Merchant text echoed by PingPong: no control characters (bidi overrides and line
/// separators included), no `<` or `>` (PingPong's gateway refuses them), bounded length.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Remark(String);

impl Remark {
    /// Validates `text` against `max` characters.
    pub fn new(text: &str, max: usize) -> Result<Remark, ApiError> {
        let bad = |m: &str| Err(ApiError::new(ErrorCode::InvalidRemark, m));
        if text.chars().count() > max {
            return bad(if max == MAX_REFUND_REMARK {
                "remark is longer than 32 characters"
            } else {
                "remark is longer than 255 characters"
            });
        }
        if text
            .chars()
            .any(|c| c.is_control() || is_invisible_control(c) || c == '<' || c == '>')
        {
            return bad("remark must not hold control characters, < or >");
        }
        Ok(Remark(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Invisible characters that reorder or break the text where a remark is shown (bidi
/// overrides and isolates, direction marks, line and paragraph separators): refused like
/// control characters, so a remark reads on a receipt as it was typed.
fn is_invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// The code of an error about request field `field` (its contract name, e.g. `amount`), as
/// validation gives it: `INVALID_AMOUNT` for `amount`, `INVALID_ID` for the ids, and so on;
/// `INVALID_REQUEST` for any other field.
pub fn field_error_code(field: &str) -> ErrorCode {
    match field {
        "amount" => ErrorCode::InvalidAmount,
        "currency" => ErrorCode::InvalidCurrency,
        "method" => ErrorCode::InvalidMethod,
        "expiresInSeconds" => ErrorCode::InvalidExpiry,
        "merchantTransactionId" | "merchantRefundId" => ErrorCode::InvalidId,
        "remark" => ErrorCode::InvalidRemark,
        _ => ErrorCode::InvalidRequest,
    }
}

fn amount_error(e: AmountError) -> ApiError {
    let code = if e == AmountError::UnknownCurrency {
        ErrorCode::InvalidCurrency
    } else {
        ErrorCode::InvalidAmount
    };
    ApiError::new(code, e.to_string())
}

fn id_error(field: &str, e: IdError) -> ApiError {
    let mut message = String::from(field);
    message.push_str(": ");
    message.push_str(&e.to_string());
    ApiError::new(ErrorCode::InvalidId, message)
}

/// `POST /v1/payments`: start a QR payment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePaymentRequest {
    /// Decimal string with at most the currency's decimals, e.g. `"12.50"` (never a number).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Amount))]
    pub amount: String,
    /// Upper-case ISO 4217 code, e.g. `"USD"`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::CurrencyCode))]
    pub currency: String,
    /// `ALIPAY` or `WECHAT` (a string here, so that another value gets `INVALID_METHOD`).
    #[cfg_attr(feature = "typescript", tsify(type = "Method"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Method))]
    pub method: String,
    /// QR validity, 60..=259200 seconds (1 minute to 3 days); 300 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 60, maximum = 259200, default = 300)
    )]
    pub expires_in_seconds: Option<i64>,
    /// The order number (1..=64 of `A-Z a-z 0-9 _ - .`); generated when absent. The library
    /// always sends one, fixed before the first send, so a retry can never create a second
    /// order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::Id>))]
    pub merchant_transaction_id: Option<String>,
    /// Merchant text, at most 255 characters, no control characters, `<` or `>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub remark: Option<String>,
}

/// A validated [`CreatePaymentRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NewPayment {
    /// Amount and currency.
    pub amount: Money,
    /// The wallet.
    pub method: Method,
    /// QR validity.
    pub expires_in: ExpiresIn,
    /// The order number, when the register fixed one.
    pub merchant_transaction_id: Option<MerchantTransactionId>,
    /// Merchant text.
    pub remark: Option<Remark>,
}

impl CreatePaymentRequest {
    /// Checks every field, in the order currency, amount, method, expiry, id, remark; the
    /// first problem is the error.
    pub fn validate(&self) -> Result<NewPayment, ApiError> {
        let currency = Currency::from_code(&self.currency).map_err(amount_error)?;
        let amount = Money::parse(&self.amount, currency).map_err(amount_error)?;
        let method = Method::parse(&self.method).ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidMethod, "method must be ALIPAY or WECHAT")
        })?;
        let expires_in = match self.expires_in_seconds {
            Some(s) => ExpiresIn::new(s)?,
            None => ExpiresIn::default(),
        };
        let merchant_transaction_id = self
            .merchant_transaction_id
            .as_deref()
            .map(|id| {
                MerchantTransactionId::new(id).map_err(|e| id_error("merchantTransactionId", e))
            })
            .transpose()?;
        let remark = self
            .remark
            .as_deref()
            .map(|r| Remark::new(r, MAX_PAYMENT_REMARK))
            .transpose()?;
        Ok(NewPayment {
            amount,
            method,
            expires_in,
            merchant_transaction_id,
            remark,
        })
    }
}

/// A payment as the proxy reports it. Times are milliseconds since the epoch; absent values
/// are `null`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[cfg_attr(feature = "typescript", tsify(rename = "Payment", missing_as_null))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentView {
    /// The order number.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub merchant_transaction_id: String,
    /// PingPong's transaction number, once known.
    pub transaction_id: Option<String>,
    /// The status PingPong last reported.
    pub status: PaymentStatus,
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The wallet.
    pub method: Method,
    /// The text to show as a QR code, while the order is open.
    pub qr_code: Option<String>,
    /// URL of an image of the QR code.
    pub qr_url: Option<String>,
    /// When the QR stops working, on the proxy's clock (PingPong's expiry).
    pub qr_code_expired_at: Option<u64>,
    /// Sum of SUCCESS refunds.
    pub refunded_amount: String,
    /// What may still be refunded: the amount less SUCCESS and PROCESSING refunds
    /// (zero unless the payment is SUCCESS).
    pub refundable_amount: String,
    /// PingPong's result code of the last attempt.
    pub result_code: Option<String>,
    /// PingPong's result text.
    pub result_description: Option<String>,
    /// True when SUCCESS arrived after the proxy had reported CLOSED.
    pub late_success: bool,
    /// Merchant text.
    pub remark: Option<String>,
    /// When the proxy first saw the order.
    pub created_at: u64,
    /// When the status last changed.
    pub updated_at: u64,
    /// The proxy's clock when it answered, to correct the register's clock skew.
    pub server_time: u64,
}

/// `POST /v1/payments/{id}/refunds`: refund part or all of a SUCCESS payment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateRefundRequest {
    /// Decimal string in the payment's currency, at most what remains refundable.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Amount))]
    pub amount: String,
    /// The refund number (1..=64 of `A-Z a-z 0-9 _ - .`); generated when absent. The library
    /// always sends one; re-using it with the same amount is a retry, never a second refund.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::Id>))]
    pub merchant_refund_id: Option<String>,
    /// Merchant text, at most 32 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub remark: Option<String>,
}

/// A validated [`CreateRefundRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NewRefund {
    /// Amount, in the payment's currency.
    pub amount: Money,
    /// The refund number, when the register fixed one.
    pub merchant_refund_id: Option<MerchantRefundId>,
    /// Merchant text.
    pub remark: Option<Remark>,
}

impl CreateRefundRequest {
    /// Checks the fields against the payment's `currency`.
    pub fn validate(&self, currency: Currency) -> Result<NewRefund, ApiError> {
        let amount = Money::parse(&self.amount, currency).map_err(amount_error)?;
        let merchant_refund_id = self
            .merchant_refund_id
            .as_deref()
            .map(|id| MerchantRefundId::new(id).map_err(|e| id_error("merchantRefundId", e)))
            .transpose()?;
        let remark = self
            .remark
            .as_deref()
            .map(|r| Remark::new(r, MAX_REFUND_REMARK))
            .transpose()?;
        Ok(NewRefund {
            amount,
            merchant_refund_id,
            remark,
        })
    }
}

/// A refund as the proxy reports it. Times are milliseconds since the epoch; absent values
/// are `null`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[cfg_attr(feature = "typescript", tsify(rename = "Refund", missing_as_null))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundView {
    /// The original payment's order number.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub merchant_transaction_id: String,
    /// The refund number.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub merchant_refund_id: String,
    /// PingPong's refund number, once known.
    pub refund_id: Option<String>,
    /// The status PingPong last reported.
    pub status: RefundStatus,
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// PingPong's result code.
    pub result_code: Option<String>,
    /// PingPong's result text.
    pub result_description: Option<String>,
    /// When the proxy first saw the refund.
    pub created_at: u64,
    /// When the status last changed.
    pub updated_at: u64,
    /// The proxy's clock when it answered.
    pub server_time: u64,
}

/// `POST /v1/events/tickets`: a short-lived credential for `GET /v1/events?ticket=…`
/// (an `EventSource` cannot send an `Authorization` header).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventTicket {
    /// Opaque; valid for this register's store until `expiresAt`.
    pub ticket: String,
    /// Expiry (ms since the epoch, the proxy's clock).
    pub expires_at: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(amount: &str, currency: &str, method: &str) -> CreatePaymentRequest {
        CreatePaymentRequest {
            amount: amount.into(),
            currency: currency.into(),
            method: method.into(),
            ..Default::default()
        }
    }

    #[test]
    fn validates_a_good_payment_with_defaults() {
        let p = req("12.50", "USD", "ALIPAY").validate().unwrap();
        assert_eq!(p.amount.minor(), 1250);
        assert_eq!(p.method, Method::Alipay);
        assert_eq!(p.expires_in.seconds(), 300);
        assert_eq!(p.merchant_transaction_id, None);
    }

    #[test]
    fn each_bad_field_has_its_code() {
        let code = |r: CreatePaymentRequest| r.validate().unwrap_err().code;
        assert_eq!(
            code(req("12.50", "usd", "ALIPAY")),
            ErrorCode::InvalidCurrency
        );
        assert_eq!(code(req("-1", "USD", "ALIPAY")), ErrorCode::InvalidAmount);
        assert_eq!(
            code(req("1.001", "USD", "ALIPAY")),
            ErrorCode::InvalidAmount
        );
        assert_eq!(code(req("1", "USD", "PAYPAL")), ErrorCode::InvalidMethod);
        for secs in [59, 259_201, 0, -1] {
            let mut r = req("1", "USD", "WECHAT");
            r.expires_in_seconds = Some(secs);
            assert_eq!(code(r), ErrorCode::InvalidExpiry, "{secs}");
        }
        let mut r = req("1", "USD", "WECHAT");
        r.merchant_transaction_id = Some("has space".into());
        assert_eq!(code(r), ErrorCode::InvalidId);
        let mut r = req("1", "USD", "WECHAT");
        r.remark = Some("<script>".into());
        assert_eq!(code(r), ErrorCode::InvalidRemark);
        // Bidi overrides and line separators would let a remark read otherwise than typed.
        for sneaky in [
            "\u{202E}gnp.exe",
            "a\u{2028}b",
            "\u{2066}x\u{2069}",
            "\u{200F}",
        ] {
            let mut r = req("1", "USD", "WECHAT");
            r.remark = Some(sneaky.into());
            assert_eq!(code(r), ErrorCode::InvalidRemark, "{sneaky:?}");
        }
        let mut r = req("1", "USD", "WECHAT");
        r.remark = Some("caf\u{e9} \u{1F468}\u{200D}\u{1F373} 12\u{20AC}".into());
        assert!(
            r.validate().is_ok(),
            "accents, emoji (with ZWJ), currency signs"
        );
        let mut r = req("1", "USD", "WECHAT");
        r.remark = Some("x".repeat(256));
        assert_eq!(code(r), ErrorCode::InvalidRemark);
    }

    #[test]
    fn refunds_validate_against_the_payment_currency() {
        let jpy = Currency::from_code("JPY").unwrap();
        let r = CreateRefundRequest {
            amount: "10.5".into(),
            ..Default::default()
        };
        assert_eq!(r.validate(jpy).unwrap_err().code, ErrorCode::InvalidAmount);
        let r = CreateRefundRequest {
            amount: "10".into(),
            remark: Some("x".repeat(33)),
            ..Default::default()
        };
        assert_eq!(r.validate(jpy).unwrap_err().code, ErrorCode::InvalidRemark);
    }

    #[test]
    fn each_request_field_has_the_code_its_validation_gives() {
        // A wrong value of each field fails validation with the code the field maps to.
        let mut r = req("1.00", "USD", "ALIPAY");
        r.expires_in_seconds = Some(1);
        assert_eq!(
            r.validate().unwrap_err().code,
            field_error_code("expiresInSeconds")
        );
        let mut r = req("1.00", "USD", "ALIPAY");
        r.merchant_transaction_id = Some("a b".into());
        assert_eq!(
            r.validate().unwrap_err().code,
            field_error_code("merchantTransactionId")
        );
        let mut r = req("1.00", "USD", "ALIPAY");
        r.remark = Some("<".into());
        assert_eq!(r.validate().unwrap_err().code, field_error_code("remark"));
        for (field, r) in [
            ("amount", req("x", "USD", "ALIPAY")),
            ("currency", req("1", "usd", "ALIPAY")),
            ("method", req("1", "USD", "CASH")),
        ] {
            assert_eq!(
                r.validate().unwrap_err().code,
                field_error_code(field),
                "{field}"
            );
        }
        assert_eq!(field_error_code("signal"), ErrorCode::InvalidRequest);
    }

    #[test]
    fn paths_fill_their_templates() {
        assert_eq!(paths::payment("PQ1"), "/v1/payments/PQ1");
        assert_eq!(paths::refunds("PQ1"), "/v1/payments/PQ1/refunds");
        assert_eq!(paths::refund("PQ1", "RF1"), "/v1/payments/PQ1/refunds/RF1");
    }

    #[test]
    fn wire_shape_is_camel_case() {
        let json = serde_json::to_string(&ApiError::new(ErrorCode::NotFound, "no")).unwrap();
        assert_eq!(json, r#"{"code":"NOT_FOUND","message":"no"}"#);
        let r: CreatePaymentRequest = serde_json::from_str(
            r#"{"amount":"1","currency":"USD","method":"ALIPAY","expiresInSeconds":60,"merchantTransactionId":"a"}"#,
        )
        .unwrap();
        assert_eq!(r.expires_in_seconds, Some(60));
    }
}
