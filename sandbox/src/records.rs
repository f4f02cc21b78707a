//! What the sandbox remembers about each order, as tests read it
//! (`GET /control/orders/{merchantTransactionId}`, [`crate::Sandbox::order`]).

use pingpong_protocol::biz::NotifyType;
use pingpong_protocol::{PaymentStatus, RefundStatus};
use serde::{Deserialize, Serialize};

/// A payment order with its attempts, refunds and notifications. JSON in camelCase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRecord {
    /// The merchant account (`accId`) that created it.
    pub acc_id: String,
    /// The merchant's order number.
    pub merchant_transaction_id: String,
    /// The sandbox's transaction number, fixed at the first attempt.
    pub transaction_id: String,
    /// The current status.
    pub status: PaymentStatus,
    /// The amount, decimal with the currency's exponent (`"12.50"`).
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// `paymentMethod.type`.
    pub method: String,
    /// The cash register that created it.
    pub cashier_device_id: String,
    /// Merchant text.
    pub remark: Option<String>,
    /// Where RECHARGE notifications go (the latest attempt's, if any).
    pub notification_url: Option<String>,
    /// Where the CLOSED notification goes, if any.
    pub close_notification_url: Option<String>,
    /// The QR text: the wallet page URL.
    pub qr_code: String,
    /// The QR image URL.
    pub qr_url: String,
    /// When the order was created, ms since the epoch.
    pub created_at_ms: u64,
    /// When the current QR expires (and the order closes unless paid), ms since the epoch.
    pub expires_at_ms: u64,
    /// When the order (or the latest attempt) ended, ms since the epoch.
    pub ended_at_ms: Option<u64>,
    /// Whether it was paid after it had closed (the `lateSuccess` fault).
    pub late_success: bool,
    /// Attempts in order: the first unifiedPay and each re-opening.
    pub attempts: Vec<AttemptRecord>,
    /// Refunds in the order they were created.
    pub refunds: Vec<RefundRecord>,
    /// Notifications in the order they were produced.
    pub notifications: Vec<NotificationRecord>,
}

/// One unifiedPay that opened (or re-opened) the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptRecord {
    /// The attempt's `requestId`.
    pub request_id: String,
    /// How the attempt stands: PROCESSING, then SUCCESS, FAILED or CLOSED.
    pub status: PaymentStatus,
    /// When it was made, ms since the epoch.
    pub created_at_ms: u64,
    /// When its QR expires, ms since the epoch.
    pub expires_at_ms: u64,
}

/// A refund of the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRecord {
    /// The merchant's refund number.
    pub merchant_refund_id: String,
    /// The sandbox's refund number.
    pub refund_id: String,
    /// The amount, decimal with the currency's exponent.
    pub amount: String,
    /// Its amount in minor units.
    pub amount_minor: u64,
    /// ISO 4217 code.
    pub currency: String,
    /// PROCESSING, then SUCCESS or FAILED.
    pub status: RefundStatus,
    /// When it was created, ms since the epoch.
    pub created_at_ms: u64,
    /// When it ended, ms since the epoch.
    pub ended_at_ms: Option<u64>,
    /// Where its REFUND notification goes, if any.
    pub notification_url: Option<String>,
    /// Merchant text.
    pub remark: Option<String>,
    /// Whether it was created under the `refundFailure` fault (it ends FAILED).
    pub fails: bool,
}

/// One notification (a duplicated notification is two of these).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationRecord {
    /// Unique within the sandbox.
    pub id: u64,
    /// RECHARGE or REFUND.
    pub notify_type: NotifyType,
    /// The status it reports (`SUCCESS`, `FAILED`, `CLOSED`).
    pub status: String,
    /// The refund it reports, for REFUND.
    pub merchant_refund_id: Option<String>,
    /// Where it is sent.
    pub url: String,
    /// Where it stands.
    pub outcome: NotificationOutcome,
    /// Each delivery attempt, first send and retries.
    pub deliveries: Vec<DeliveryRecord>,
}

/// Where a notification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NotificationOutcome {
    /// Being sent or waiting for a retry.
    Pending,
    /// A delivery was accepted.
    Delivered,
    /// Dropped by the `dropNotifications` fault: never sent.
    Dropped,
    /// Every retry of the schedule failed.
    GaveUp,
}

/// One delivery attempt of a notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    /// 1 for the first send, 2 for the first retry, …
    pub attempt: u32,
    /// When it was sent, ms since the epoch.
    pub at_ms: u64,
    /// The receiver's HTTP status, if it answered.
    pub http_status: Option<u16>,
    /// Whether the receiver accepted it (2xx and a body other than `FAIL`).
    pub accepted: bool,
    /// What happened, e.g. `200`, `500`, `body FAIL`, `timeout`, `connect error`.
    pub detail: String,
}

/// One v4 API request as it arrived, faulted ones included (the sandbox keeps the latest
/// [`crate::REQUEST_LOG_CAPACITY`]). Tests read it to see exactly what a client sent,
/// e.g. that a re-send repeats the first body byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// The route, e.g. `/v4/payment/unifiedPay`.
    pub path: String,
    /// The body exactly as received (lossy UTF-8), signature included.
    pub body: String,
    /// When it arrived, ms since the epoch.
    pub at_ms: u64,
    /// The HTTP status it was (or is being) answered with: 200, or 503 / 504 from a fault.
    pub http_status: u16,
}
