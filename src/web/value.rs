//! The contract's types as plain JS objects, converted by hand: serde-wasm-bindgen would
//! cost ~30 kB of wasm (its deserializers and the float formatting of serde's messages).
//! Field names are the contract's camelCase; absent optional fields are `null`; times are
//! numbers (ms). A value that does not have the documented shape reads as `None`.

use js_sys::{Array, Object, Reflect};
use pingpong_protocol::contract::{
    CreatePaymentRequest, CreateRefundRequest, EventTicket, Method, PaymentView, RefundView,
};
use pingpong_protocol::{ApiError, ErrorCode, PaymentStatus, RefundStatus};
use wasm_bindgen::JsValue;

use crate::core::journal::{PaymentEntry, Phase, RefundEntry};

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// Reads fields of a JS object.
pub struct Reader<'a>(&'a JsValue);

impl<'a> Reader<'a> {
    /// A reader of `value`; `None` unless it is an object.
    pub fn new(value: &'a JsValue) -> Option<Reader<'a>> {
        value.is_object().then_some(Reader(value))
    }

    /// The raw field.
    pub fn get(&self, key: &str) -> JsValue {
        Reflect::get(self.0, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// A required string.
    pub fn string(&self, key: &str) -> Option<String> {
        self.get(key).as_string()
    }

    /// An optional string: `Some(None)` for null/absent, `None` for another type.
    pub fn opt_string(&self, key: &str) -> Option<Option<String>> {
        let v = self.get(key);
        if v.is_null() || v.is_undefined() {
            Some(None)
        } else {
            v.as_string().map(Some)
        }
    }

    /// A required whole number ≥ 0.
    pub fn u64(&self, key: &str) -> Option<u64> {
        whole(&self.get(key))
    }

    /// An optional whole number ≥ 0.
    pub fn opt_u64(&self, key: &str) -> Option<Option<u64>> {
        let v = self.get(key);
        if v.is_null() || v.is_undefined() {
            Some(None)
        } else {
            whole(&v).map(Some)
        }
    }

    /// A boolean; absent is false.
    pub fn flag(&self, key: &str) -> Option<bool> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            Some(false)
        } else {
            v.as_bool()
        }
    }
}

fn whole(v: &JsValue) -> Option<u64> {
    let n = v.as_f64()?;
    (n >= 0.0 && n.fract() == 0.0 && n <= MAX_SAFE).then_some(n as u64)
}

/// Builds a JS object.
pub struct Writer(Object);

impl Writer {
    /// An empty object.
    pub fn new() -> Writer {
        Writer(Object::new())
    }

    /// Sets `key` to `value`.
    pub fn value(&self, key: &str, value: &JsValue) -> &Writer {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), value);
        self
    }

    /// A string.
    pub fn string(&self, key: &str, value: &str) -> &Writer {
        self.value(key, &JsValue::from_str(value))
    }

    /// A string or `null`.
    pub fn opt_string(&self, key: &str, value: Option<&str>) -> &Writer {
        self.value(key, &value.map_or(JsValue::NULL, JsValue::from_str))
    }

    /// A string, or nothing at all when absent (request bodies).
    pub fn some_string(&self, key: &str, value: Option<&str>) -> &Writer {
        match value {
            Some(v) => self.string(key, v),
            None => self,
        }
    }

    /// A number.
    pub fn u64(&self, key: &str, value: u64) -> &Writer {
        self.value(key, &JsValue::from_f64(value as f64))
    }

    /// A number or `null`.
    pub fn opt_u64(&self, key: &str, value: Option<u64>) -> &Writer {
        self.value(
            key,
            &value.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64)),
        )
    }

    /// A boolean.
    pub fn flag(&self, key: &str, value: bool) -> &Writer {
        self.value(key, &JsValue::from_bool(value))
    }

    /// The object.
    pub fn finish(self) -> JsValue {
        self.0.into()
    }
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

/// A type with a plain-JS-object form.
pub trait Js: Sized {
    /// The JS object.
    fn to_js(&self) -> JsValue;
    /// Reads one; `None` when `value` does not have the documented shape.
    fn from_js(value: &JsValue) -> Option<Self>;
}

/// A list as a JS array.
pub fn array<T: Js>(items: &[T]) -> JsValue {
    let out = Array::new();
    for item in items {
        out.push(&item.to_js());
    }
    out.into()
}

fn list<T: Js>(value: &JsValue) -> Option<Vec<T>> {
    if !Array::is_array(value) {
        return None;
    }
    Array::from(value).iter().map(|v| T::from_js(&v)).collect()
}

impl Js for PaymentView {
    fn to_js(&self) -> JsValue {
        let w = Writer::new();
        w.string("merchantTransactionId", &self.merchant_transaction_id)
            .opt_string("transactionId", self.transaction_id.as_deref())
            .string("status", self.status.as_str())
            .string("amount", &self.amount)
            .string("currency", &self.currency)
            .string("method", self.method.as_str())
            .opt_string("qrCode", self.qr_code.as_deref())
            .opt_string("qrUrl", self.qr_url.as_deref())
            .opt_u64("qrCodeExpiredAt", self.qr_code_expired_at)
            .string("refundedAmount", &self.refunded_amount)
            .string("refundableAmount", &self.refundable_amount)
            .opt_string("resultCode", self.result_code.as_deref())
            .opt_string("resultDescription", self.result_description.as_deref())
            .flag("lateSuccess", self.late_success)
            .opt_string("remark", self.remark.as_deref())
            .u64("createdAt", self.created_at)
            .u64("updatedAt", self.updated_at)
            .u64("serverTime", self.server_time);
        w.finish()
    }

    fn from_js(value: &JsValue) -> Option<PaymentView> {
        let r = Reader::new(value)?;
        Some(PaymentView {
            merchant_transaction_id: r.string("merchantTransactionId")?,
            transaction_id: r.opt_string("transactionId")?,
            status: PaymentStatus::parse(&r.string("status")?)?,
            amount: r.string("amount")?,
            currency: r.string("currency")?,
            method: Method::parse(&r.string("method")?)?,
            qr_code: r.opt_string("qrCode")?,
            qr_url: r.opt_string("qrUrl")?,
            qr_code_expired_at: r.opt_u64("qrCodeExpiredAt")?,
            refunded_amount: r.string("refundedAmount")?,
            refundable_amount: r.string("refundableAmount")?,
            result_code: r.opt_string("resultCode")?,
            result_description: r.opt_string("resultDescription")?,
            late_success: r.flag("lateSuccess")?,
            remark: r.opt_string("remark")?,
            created_at: r.u64("createdAt")?,
            updated_at: r.u64("updatedAt")?,
            server_time: r.u64("serverTime")?,
        })
    }
}

impl Js for RefundView {
    fn to_js(&self) -> JsValue {
        let w = Writer::new();
        w.string("merchantTransactionId", &self.merchant_transaction_id)
            .string("merchantRefundId", &self.merchant_refund_id)
            .opt_string("refundId", self.refund_id.as_deref())
            .string("status", self.status.as_str())
            .string("amount", &self.amount)
            .string("currency", &self.currency)
            .opt_string("resultCode", self.result_code.as_deref())
            .opt_string("resultDescription", self.result_description.as_deref())
            .u64("createdAt", self.created_at)
            .u64("updatedAt", self.updated_at)
            .u64("serverTime", self.server_time);
        w.finish()
    }

    fn from_js(value: &JsValue) -> Option<RefundView> {
        let r = Reader::new(value)?;
        Some(RefundView {
            merchant_transaction_id: r.string("merchantTransactionId")?,
            merchant_refund_id: r.string("merchantRefundId")?,
            refund_id: r.opt_string("refundId")?,
            status: RefundStatus::parse(&r.string("status")?)?,
            amount: r.string("amount")?,
            currency: r.string("currency")?,
            result_code: r.opt_string("resultCode")?,
            result_description: r.opt_string("resultDescription")?,
            created_at: r.u64("createdAt")?,
            updated_at: r.u64("updatedAt")?,
            server_time: r.u64("serverTime")?,
        })
    }
}

impl Js for CreatePaymentRequest {
    fn to_js(&self) -> JsValue {
        let w = Writer::new();
        w.string("amount", &self.amount)
            .string("currency", &self.currency)
            .string("method", &self.method);
        if let Some(s) = self.expires_in_seconds {
            w.value("expiresInSeconds", &JsValue::from_f64(s as f64));
        }
        w.some_string(
            "merchantTransactionId",
            self.merchant_transaction_id.as_deref(),
        )
        .some_string("remark", self.remark.as_deref());
        w.finish()
    }

    fn from_js(value: &JsValue) -> Option<CreatePaymentRequest> {
        let r = Reader::new(value)?;
        Some(CreatePaymentRequest {
            amount: r.string("amount")?,
            currency: r.string("currency")?,
            method: r.string("method")?,
            expires_in_seconds: r.opt_u64("expiresInSeconds")?.map(|s| s as i64),
            merchant_transaction_id: r.opt_string("merchantTransactionId")?,
            remark: r.opt_string("remark")?,
        })
    }
}

impl Js for CreateRefundRequest {
    fn to_js(&self) -> JsValue {
        let w = Writer::new();
        w.string("amount", &self.amount)
            .some_string("merchantRefundId", self.merchant_refund_id.as_deref())
            .some_string("remark", self.remark.as_deref());
        w.finish()
    }

    fn from_js(value: &JsValue) -> Option<CreateRefundRequest> {
        let r = Reader::new(value)?;
        Some(CreateRefundRequest {
            amount: r.string("amount")?,
            merchant_refund_id: r.opt_string("merchantRefundId")?,
            remark: r.opt_string("remark")?,
        })
    }
}

fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::Sending => "SENDING",
        Phase::Unknown => "UNKNOWN",
        Phase::Answered => "ANSWERED",
    }
}

fn phase(text: &str) -> Option<Phase> {
    [Phase::Sending, Phase::Unknown, Phase::Answered]
        .into_iter()
        .find(|p| phase_name(*p) == text)
}

fn opt<T: Js>(value: &Option<T>) -> JsValue {
    value.as_ref().map_or(JsValue::NULL, Js::to_js)
}

fn read_opt<T: Js>(value: JsValue) -> Option<Option<T>> {
    if value.is_null() || value.is_undefined() {
        Some(None)
    } else {
        T::from_js(&value).map(Some)
    }
}

impl Js for RefundEntry {
    fn to_js(&self) -> JsValue {
        let w = Writer::new();
        w.string("merchantRefundId", &self.merchant_refund_id)
            .value("request", &self.request.to_js())
            .string("phase", phase_name(self.phase))
            .value("refund", &opt(&self.refund))
            .u64("createdAt", self.created_at)
            .u64("updatedAt", self.updated_at);
        w.finish()
    }

    fn from_js(value: &JsValue) -> Option<RefundEntry> {
        let r = Reader::new(value)?;
        Some(RefundEntry {
            merchant_refund_id: r.string("merchantRefundId")?,
            request: CreateRefundRequest::from_js(&r.get("request"))?,
            phase: phase(&r.string("phase")?)?,
            refund: read_opt(r.get("refund"))?,
            created_at: r.u64("createdAt")?,
            updated_at: r.u64("updatedAt")?,
        })
    }
}

impl Js for PaymentEntry {
    fn to_js(&self) -> JsValue {
        let w = Writer::new();
        w.u64("v", self.v.into())
            .string("merchantTransactionId", &self.merchant_transaction_id)
            .value("request", &self.request.to_js())
            .string("phase", phase_name(self.phase))
            .value("payment", &opt(&self.payment))
            .u64("createdAt", self.created_at)
            .u64("updatedAt", self.updated_at)
            .flag("gaveUp", self.gave_up)
            .flag("finalReported", self.final_reported)
            .flag("lateSuccessPending", self.late_success_pending)
            .flag("lateSuccessReported", self.late_success_reported)
            .value("refunds", &array(&self.refunds));
        w.finish()
    }

    fn from_js(value: &JsValue) -> Option<PaymentEntry> {
        let r = Reader::new(value)?;
        Some(PaymentEntry {
            v: u8::try_from(r.u64("v")?).ok()?,
            merchant_transaction_id: r.string("merchantTransactionId")?,
            request: CreatePaymentRequest::from_js(&r.get("request"))?,
            phase: phase(&r.string("phase")?)?,
            payment: read_opt(r.get("payment"))?,
            created_at: r.u64("createdAt")?,
            updated_at: r.u64("updatedAt")?,
            gave_up: r.flag("gaveUp")?,
            final_reported: r.flag("finalReported")?,
            late_success_pending: r.flag("lateSuccessPending")?,
            late_success_reported: r.flag("lateSuccessReported")?,
            refunds: list(&r.get("refunds"))?,
        })
    }
}

/// `POST /v1/events/tickets`'s answer.
pub fn event_ticket(value: &JsValue) -> Option<EventTicket> {
    let r = Reader::new(value)?;
    Some(EventTicket {
        ticket: r.string("ticket")?,
        expires_at: r.u64("expiresAt")?,
    })
}

/// An error body of the proxy.
pub fn api_error(value: &JsValue) -> Option<ApiError> {
    let r = Reader::new(value)?;
    Some(ApiError {
        code: ErrorCode::parse(&r.string("code")?),
        message: r.string("message")?,
        upstream_code: r.opt_string("upstreamCode")?,
    })
}

impl Js for EventTicket {
    fn to_js(&self) -> JsValue {
        let w = Writer::new();
        w.string("ticket", &self.ticket)
            .u64("expiresAt", self.expires_at);
        w.finish()
    }

    fn from_js(value: &JsValue) -> Option<EventTicket> {
        event_ticket(value)
    }
}
