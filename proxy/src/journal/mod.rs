//! The journal: every order, attempt, refund, upstream exchange (envelopes without `sign`),
//! notification and event, and the directory of merchants, stores and registers. A proxy
//! restarted on the same database knows everything the previous one knew.
//!
//! [`Journal`] is the one interface the rest of the proxy uses: domain operations, scoped by
//! merchant, with no backend type in their signatures. [`sqlite`] implements it (the
//! embedded default); the rules every backend applies in its transactions are the pure
//! functions of [`rules`], and `tests` is the suite every backend must pass.

mod model;
mod rules;
pub(crate) mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use pingpong_protocol::{MerchantId, RegisterId, StoreId};
use tokio::sync::watch;

pub(crate) use model::{
    CreateState, DirectoryRefusal, Exchange, MerchantRecord, NewNotification, NewOrder,
    NotificationEffect, OrderRow, PaymentUpdate, RefundRefusal, RefundRow, RefundTotals,
    RefundUpdate, RegisterRecord, Resealer, Sealed, StoreRecord, StoredEvent,
};

/// A journal failure: the disk, the database, or a bug. Answered as `INTERNAL`.
#[derive(Clone, Debug)]
pub struct JournalError(pub(crate) String);

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "journal: {}", self.0)
    }
}

impl std::error::Error for JournalError {}

/// What journal operations return.
pub(crate) type JResult<T> = Result<T, JournalError>;

/// The journal's operations. Every write is atomic and durable when it returns; every read
/// and write of orders, refunds, notifications and events is scoped by merchant.
#[async_trait]
pub(crate) trait Journal: Send + Sync {
    // Orders.

    /// Journals `order` and its first attempt, unless the merchant already has an order of
    /// that id: then that order (nothing is written).
    async fn create_order(&self, order: &NewOrder) -> JResult<Option<OrderRow>>;

    /// The merchant's order `mtid` and its refund sums.
    async fn order(
        &self,
        merchant: &MerchantId,
        mtid: &str,
    ) -> JResult<Option<(OrderRow, RefundTotals)>>;

    /// The bizContent of the order's latest attempt (what a re-send must repeat).
    async fn latest_attempt(&self, merchant: &MerchantId, mtid: &str) -> JResult<Option<String>>;

    /// The `requestId` of every attempt of the merchant's order, oldest first.
    async fn request_ids(&self, merchant: &MerchantId, mtid: &str) -> JResult<Vec<String>>;

    /// Applies `update` ([`rules::merge_payment`]) and, when the status changed, adds a
    /// `payment` event for the order's store. `None` when the order is unknown.
    async fn apply_payment(
        &self,
        merchant: &MerchantId,
        mtid: &str,
        update: &PaymentUpdate,
        now: u64,
    ) -> JResult<Option<OrderRow>>;

    // Refunds.

    /// Journals `refund` (PROCESSING, create pending) if [`rules::check_refund`] allows it,
    /// checked in the same transaction: the over-refund guard.
    async fn create_refund(&self, refund: &RefundRow) -> JResult<Result<RefundRow, RefundRefusal>>;

    /// The merchant's refund `mrid` (of any of its orders).
    async fn refund(&self, merchant: &MerchantId, mrid: &str) -> JResult<Option<RefundRow>>;

    /// Applies `update` ([`rules::merge_refund`]) and, when the status changed, adds a
    /// `refund` event for the order's store. `None` when the refund is unknown.
    async fn apply_refund(
        &self,
        merchant: &MerchantId,
        mrid: &str,
        update: &RefundUpdate,
        now: u64,
    ) -> JResult<Option<RefundRow>>;

    // The audit trail.

    /// Queues the record of an upstream exchange without waiting: it is committed with the
    /// next write, before any write queued after it; a failure is logged.
    fn record_exchange(&self, exchange: Exchange);

    /// Journals a verified notification once per merchant and dedup key, and applies its
    /// effect in the same transaction when it is fresh. `false`: already held (its delivery
    /// count goes up).
    async fn record_notification(
        &self,
        notification: &NewNotification,
        effect: &NotificationEffect,
    ) -> JResult<bool>;

    // Events.

    /// Up to `limit` events of the merchant's store after sequence `after`, oldest first.
    async fn events_after(
        &self,
        merchant: &MerchantId,
        store: &StoreId,
        after: u64,
        limit: u32,
    ) -> JResult<Vec<StoredEvent>>;

    /// The highest event sequence so far (0 when there is none).
    async fn last_event(&self) -> JResult<u64>;

    /// Wakes on every committed event; the value is the highest sequence.
    fn event_wakeups(&self) -> watch::Receiver<u64>;

    /// Wakes when merchants, stores or registers change, by this process or another one
    /// sharing the database.
    fn directory_wakeups(&self) -> watch::Receiver<u64>;

    /// Whether the database answers.
    async fn ping(&self) -> JResult<()>;

    // The directory.

    /// Adds a merchant.
    async fn add_merchant(
        &self,
        merchant: &MerchantRecord,
    ) -> JResult<Result<(), DirectoryRefusal>>;

    /// Writes the merchant the proxy's start flags define (its salt is not stored): added
    /// when missing, else its settings and fingerprint replaced (`enabled` and
    /// `created_at` kept).
    async fn put_startup_merchant(&self, merchant: &MerchantRecord) -> JResult<()>;

    /// Replaces a merchant's settings, sealed salt, fingerprint and `enabled`; `false`
    /// when it is unknown.
    async fn update_merchant(&self, merchant: &MerchantRecord) -> JResult<bool>;

    /// One merchant.
    async fn merchant(&self, id: &MerchantId) -> JResult<Option<MerchantRecord>>;

    /// Every merchant, by id.
    async fn merchants(&self) -> JResult<Vec<MerchantRecord>>;

    /// Adds a store to its merchant.
    async fn add_store(&self, store: &StoreRecord) -> JResult<Result<(), DirectoryRefusal>>;

    /// The merchant's stores, by id.
    async fn stores(&self, merchant: &MerchantId) -> JResult<Vec<StoreRecord>>;

    /// Adds a register to its store.
    async fn add_register(
        &self,
        register: &RegisterRecord,
    ) -> JResult<Result<(), DirectoryRefusal>>;

    /// The merchant's registers (of one store, if given), revoked ones included.
    async fn registers(
        &self,
        merchant: &MerchantId,
        store: Option<&StoreId>,
    ) -> JResult<Vec<RegisterRecord>>;

    /// A register by id, with its merchant.
    async fn register(&self, id: &RegisterId) -> JResult<Option<(RegisterRecord, MerchantRecord)>>;

    /// Revokes the merchant's register (from then on its token is refused). The register
    /// as it now is; `None` when the merchant has no such register.
    async fn revoke_register(
        &self,
        merchant: &MerchantId,
        id: &RegisterId,
        now: u64,
    ) -> JResult<Option<RegisterRecord>>;

    // Sealed material.

    /// A generated key, sealed, by name.
    async fn sealed_key(&self, name: &str) -> JResult<Option<Vec<u8>>>;

    /// Stores a generated key unless one of that name exists; the one stored (the first
    /// writer wins, so concurrent starts agree on one key).
    async fn add_sealed_key(&self, name: &str, sealed: &[u8], now: u64) -> JResult<Vec<u8>>;

    /// Re-seals every sealed salt and key with `reseal`, in one transaction: all or nothing.
    /// The number of values re-sealed, or `reseal`'s error (nothing changed).
    async fn reseal(&self, reseal: Resealer) -> JResult<Result<usize, String>>;
}

/// A shared journal.
pub(crate) type SharedJournal = Arc<dyn Journal>;

#[cfg(test)]
pub(crate) mod tests;
