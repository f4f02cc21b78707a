//! What the journal holds, as plain values: orders, refunds, the audit trail, events, and
//! the directory (merchants, stores, registers). No backend's types appear here.

use pingpong_protocol::admin::MerchantSettings;
use pingpong_protocol::contract::Method;
use pingpong_protocol::{
    CashierDeviceId, Currency, MerchantId, PaymentStatus, RefundStatus, RegisterId, StoreId,
};

/// Where the create call of an order (or refund) stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CreateState {
    /// Journaled; no trustworthy answer yet (not sent, or sent with an unknown outcome).
    /// The next GET or retried POST completes it with the same ids.
    Pending,
    /// PingPong answered with a status: it exists upstream.
    Accepted,
    /// PingPong refused the request (an answer without a status): nothing upstream.
    Refused,
}

impl CreateState {
    /// The stored name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CreateState::Pending => "pending",
            CreateState::Accepted => "accepted",
            CreateState::Refused => "refused",
        }
    }

    /// Reads a stored name; anything unknown is pending (completed by the next call).
    pub(crate) fn parse(text: &str) -> CreateState {
        match text {
            "accepted" => CreateState::Accepted,
            "refused" => CreateState::Refused,
            _ => CreateState::Pending,
        }
    }

    /// The state after `incoming`: an acceptance is never undone.
    pub(crate) fn merge(self, incoming: CreateState) -> CreateState {
        if self == CreateState::Accepted {
            self
        } else {
            incoming
        }
    }
}

/// An order as journaled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderRow {
    pub merchant_id: String,
    pub merchant_transaction_id: String,
    pub store_id: String,
    pub cashier_device_id: String,
    pub amount_minor: u64,
    pub currency: Currency,
    pub method: Method,
    pub expires_in_seconds: u32,
    pub remark: Option<String>,
    /// What the register asked for, to tell a retry from a conflicting re-use of the id.
    pub fingerprint: String,
    pub create_state: CreateState,
    pub status: PaymentStatus,
    pub transaction_id: Option<String>,
    pub qr_code: Option<String>,
    pub qr_url: Option<String>,
    pub qr_code_expired_at: Option<u64>,
    pub result_code: Option<String>,
    pub result_description: Option<String>,
    pub late_success: bool,
    pub created_at: u64,
    pub updated_at: u64,
}

/// An order about to be sent for the first time, with its first attempt.
#[derive(Clone, Debug)]
pub(crate) struct NewOrder {
    pub row: OrderRow,
    pub request_id: String,
    /// The exact bizContent to send (a re-send repeats it byte for byte).
    pub biz_content: String,
}

/// What was learned about a payment; `None` fields leave the journal as it is.
#[derive(Clone, Debug, Default)]
pub(crate) struct PaymentUpdate {
    pub status: Option<PaymentStatus>,
    pub create_state: Option<CreateState>,
    pub transaction_id: Option<String>,
    pub qr_code: Option<String>,
    pub qr_url: Option<String>,
    pub qr_code_expired_at: Option<u64>,
    pub result_code: Option<String>,
    pub result_description: Option<String>,
}

/// A refund as journaled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefundRow {
    pub merchant_id: String,
    pub merchant_refund_id: String,
    pub merchant_transaction_id: String,
    pub cashier_device_id: String,
    pub amount_minor: u64,
    pub currency: Currency,
    pub remark: Option<String>,
    pub fingerprint: String,
    /// The exact bizContent of the refund request (a re-send repeats it).
    pub biz_content: String,
    pub create_state: CreateState,
    pub status: RefundStatus,
    pub refund_id: Option<String>,
    pub result_code: Option<String>,
    pub result_description: Option<String>,
    pub created_at: u64,
    pub updated_at: u64,
}

/// What was learned about a refund; `None` fields leave the journal as it is.
#[derive(Clone, Debug, Default)]
pub(crate) struct RefundUpdate {
    pub status: Option<RefundStatus>,
    pub create_state: Option<CreateState>,
    pub refund_id: Option<String>,
    pub result_code: Option<String>,
    pub result_description: Option<String>,
}

/// Sums of an order's refunds, in minor units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RefundTotals {
    /// SUCCESS refunds.
    pub refunded: u64,
    /// Every refund that holds balance: all but FAILED (PROCESSING and unknown ones included).
    pub held: u64,
}

/// Why a refund was refused before anything was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RefundRefusal {
    /// The order is unknown (to this merchant).
    NoOrder,
    /// The payment is not SUCCESS.
    NotRefundable(PaymentStatus),
    /// This refund of the order has not ended yet.
    InProgress(String),
    /// The amount is over what remains (minor units).
    ExceedsBalance {
        /// What may still be refunded.
        remaining: u64,
    },
    /// The refund id was taken meanwhile.
    IdTaken,
}

/// One HTTP exchange with PingPong.
#[derive(Clone, Debug)]
pub(crate) struct Exchange {
    pub merchant_id: String,
    pub at: u64,
    /// `unifiedPay`, `query`, `refund` or `refundQuery`.
    pub api: &'static str,
    pub merchant_transaction_id: String,
    /// The request envelope without `sign`.
    pub request: String,
    pub http_status: Option<u16>,
    /// The response envelope without `sign`, or a short note of what came back.
    pub response: Option<String>,
    /// `answered`, `refused`, `bad-signature`, `invalid`, `unavailable`, `not-sent`, `unknown`.
    pub outcome: &'static str,
    pub duration_ms: u64,
}

/// A verified notification of one merchant.
#[derive(Clone, Debug)]
pub(crate) struct NewNotification {
    pub merchant_id: String,
    /// Kind + ids + status: the same news delivered twice has the same key.
    pub dedup_key: String,
    pub notify_type: String,
    pub merchant_transaction_id: Option<String>,
    pub merchant_refund_id: Option<String>,
    pub status: Option<String>,
    /// The envelope without `sign`.
    pub envelope: String,
    pub received_at: u64,
}

/// What a fresh notification changes, applied in the transaction that journals it.
#[derive(Clone, Debug)]
pub(crate) enum NotificationEffect {
    /// A payment's news.
    Payment { mtid: String, update: PaymentUpdate },
    /// A refund's news: applied only to a refund of the order it names.
    Refund {
        mtid: String,
        mrid: String,
        update: RefundUpdate,
    },
    /// Kept for the record only.
    Nothing,
}

/// An event as journaled; `data` is the view JSON at the time of the change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredEvent {
    pub seq: u64,
    /// `payment` or `refund`.
    pub kind: String,
    pub data: String,
}

/// A merchant as journaled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MerchantRecord {
    pub id: MerchantId,
    pub settings: MerchantSettings,
    /// The sealed salt; `None`: given to the proxy at start (merchant `default`).
    pub sealed_salt: Option<Vec<u8>>,
    pub salt_fingerprint: String,
    pub enabled: bool,
    pub created_at: u64,
    pub updated_at: u64,
}

/// A store as journaled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoreRecord {
    pub merchant_id: MerchantId,
    pub store_id: StoreId,
    pub name: String,
    pub created_at: u64,
}

/// A register the proxy issued a token to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RegisterRecord {
    pub id: RegisterId,
    pub merchant_id: MerchantId,
    pub store_id: StoreId,
    pub cashier_device_id: CashierDeviceId,
    pub label: String,
    /// HMAC-SHA256 of the token's secret under the token key (never the token).
    pub token_hash: Vec<u8>,
    pub created_at: u64,
    pub revoked_at: Option<u64>,
}

/// Why a directory write was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DirectoryRefusal {
    /// No such merchant.
    NoMerchant,
    /// No such store of the merchant.
    NoStore,
    /// The id is taken.
    Exists,
    /// Another register of the merchant, not revoked, has this cashierDeviceId.
    DeviceTaken,
}

/// One sealed value, as a re-sealing pass sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sealed<'a> {
    /// A merchant's salt (the merchant id is its associated data).
    Salt { merchant: &'a str, sealed: &'a [u8] },
    /// A key the proxy generated, by name.
    Key { name: &'a str, sealed: &'a [u8] },
}

/// Re-seals one value (open with the old key, seal with the new); an error stops the pass
/// and nothing is changed.
pub(crate) type Resealer = Box<dyn Fn(Sealed<'_>) -> Result<Vec<u8>, String> + Send>;
