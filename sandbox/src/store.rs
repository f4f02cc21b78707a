//! The sandbox's memory and its state machine: orders, attempts, refunds, notifications.
//!
//! Everything here runs under one lock and does no I/O. Transitions return [`Effects`]:
//! notifications to deliver and timers to start, which the caller spawns after unlocking.

use std::collections::{HashMap, HashSet, VecDeque};

use pingpong_protocol::biz::{
    NotifyType, PaymentMethod, PaymentNotification, RefundNotification, WireAmount,
};
use pingpong_protocol::envelope::Envelope;
use pingpong_protocol::{FailureMode, Money, PaymentStatus, RefundStatus, ResultCode, SignType};

use crate::clock::{pingpong_number, random_seed};
use crate::config::SandboxConfig;
use crate::faults::Faults;
use crate::persist::{Changes, Disk, Saved};
use crate::records::{
    AttemptRecord, DeliveryRecord, NotificationOutcome, NotificationRecord, OrderRecord,
    RefundRecord, RequestRecord,
};
use crate::stats::Stats;
use crate::wallet::WalletError;

/// Decimals PingPong uses for amounts in its answers.
pub(crate) const WIRE_DECIMALS: u8 = 6;

/// An order and what is needed to sign for it.
pub(crate) struct Order {
    pub rec: OrderRecord,
    pub money: Money,
    pub client_id: String,
    pub sign_type: SignType,
}

impl Order {
    /// The amount as PingPong writes it (`"12.500000"`).
    pub fn wire_amount(&self) -> WireAmount {
        WireAmount::from_money_padded(self.money, WIRE_DECIMALS)
    }

    /// The request id of the latest attempt.
    pub fn request_id(&self) -> Option<&str> {
        self.rec.attempts.last().map(|a| a.request_id.as_str())
    }

    /// The sum of refunds that hold balance (PROCESSING and SUCCESS), minor units.
    pub fn refunds_held(&self) -> u64 {
        self.rec
            .refunds
            .iter()
            .filter(|r| r.status.holds_balance())
            .map(|r| r.amount_minor)
            .sum()
    }

    /// Whether the order is still waiting for the consumer (and so may expire).
    fn is_open(&self, mode: FailureMode) -> bool {
        match self.rec.status {
            PaymentStatus::Processing => true,
            PaymentStatus::Failed => mode == FailureMode::Retryable,
            _ => false,
        }
    }

    fn set_attempt_status(&mut self, status: PaymentStatus) {
        if let Some(a) = self.rec.attempts.last_mut() {
            a.status = status;
        }
    }
}

/// A notification to send (one copy).
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub transaction_id: String,
    pub notification_id: u64,
    pub url: String,
    pub body: String,
    /// Deliveries already made (0 for a new notification; more for one resumed after a
    /// restart): where in the retry schedule it stands.
    pub first_attempt: usize,
}

/// What a transition asks the caller to do once the lock is released.
#[derive(Debug, Default)]
#[must_use]
pub(crate) struct Effects {
    /// Notifications to deliver.
    pub jobs: Vec<Job>,
    /// Orders to check for expiry at a time: (transactionId, ms since the epoch).
    pub expiries: Vec<(String, u64)>,
    /// Refunds to finish after the refund delay: (transactionId, merchantRefundId).
    pub refunds: Vec<(String, String)>,
}

impl Effects {
    pub fn extend(&mut self, other: Effects) {
        self.jobs.extend(other.jobs);
        self.expiries.extend(other.expiries);
        self.refunds.extend(other.refunds);
    }
}

/// All state, behind the sandbox's one lock.
#[derive(Default)]
pub(crate) struct Store {
    pub faults: Faults,
    pub stats: Stats,
    /// The latest v4 requests, oldest first (at most `REQUEST_LOG_CAPACITY`).
    pub requests: VecDeque<RequestRecord>,
    orders: HashMap<String, Order>,
    by_merchant_id: HashMap<(String, String), String>,
    /// (accId, requestId) → the first unifiedPay answer, replayed byte for byte.
    pub replies: HashMap<(String, String), String>,
    /// (accId, merchantRefundId) → transactionId of its order.
    refund_owner: HashMap<(String, String), String>,
    /// Every transaction and refund number given out (numbers are random, never reused).
    numbers: HashSet<String>,
    notification_seq: u64,
    /// What changed since the last write to `disk`.
    changes: Changes,
    /// The state's file, when it has one.
    disk: Option<Disk>,
}

impl Store {
    /// The state `saved` in a file, written back to `disk` from now on; and what must
    /// start again: the expiry timers of open orders, the completion timers of PROCESSING
    /// refunds, and the deliveries of the notifications still owed.
    pub fn restore(cfg: &SandboxConfig, saved: Saved, disk: Disk) -> (Store, Effects) {
        let mut store = Store {
            disk: Some(disk),
            notification_seq: saved.notification_seq,
            ..Store::default()
        };
        let mut effects = Effects::default();
        for order in saved.orders {
            let txid = order.rec.transaction_id.clone();
            store.by_merchant_id.insert(
                (
                    order.rec.acc_id.clone(),
                    order.rec.merchant_transaction_id.clone(),
                ),
                txid.clone(),
            );
            store.numbers.insert(txid.clone());
            for r in &order.rec.refunds {
                store.numbers.insert(r.refund_id.clone());
                store.refund_owner.insert(
                    (order.rec.acc_id.clone(), r.merchant_refund_id.clone()),
                    txid.clone(),
                );
                if r.status == RefundStatus::Processing {
                    effects
                        .refunds
                        .push((txid.clone(), r.merchant_refund_id.clone()));
                }
            }
            if order.is_open(cfg.failure_mode) {
                effects
                    .expiries
                    .push((txid.clone(), order.rec.expires_at_ms));
            }
            store.orders.insert(txid, order);
        }
        store.replies.extend(saved.replies);
        for mut job in saved.jobs {
            job.first_attempt = store
                .orders
                .get(&job.transaction_id)
                .and_then(|o| {
                    o.rec
                        .notifications
                        .iter()
                        .find(|n| n.id == job.notification_id)
                })
                .map_or(0, |n| n.deliveries.len());
            effects.jobs.push(job);
        }
        (store, effects)
    }

    /// Writes what changed to the file, if the sandbox has one. A failure is logged: the
    /// answer has been decided; the file keeps its previous state.
    pub fn flush(&mut self) {
        if self.changes.is_empty() {
            return;
        }
        let changes = std::mem::take(&mut self.changes);
        let Some(disk) = self.disk.as_mut() else {
            return;
        };
        let orders = &self.orders;
        if let Err(e) = disk.write(changes, |txid| orders.get(txid)) {
            tracing::error!(error = %e, "could not write the sandbox's state");
        }
    }

    /// Marks an order as changed (written at the next flush).
    fn touch(&mut self, transaction_id: &str) {
        if self.disk.is_some() {
            self.changes.orders.insert(transaction_id.to_owned());
        }
    }

    /// Remembers the first answer to a unifiedPay `requestId`, replayed byte for byte.
    pub fn remember_reply(&mut self, key: (String, String), answer: String) {
        if self.disk.is_some() {
            self.changes.replies.push((key.clone(), answer.clone()));
        }
        self.replies.insert(key, answer);
    }

    /// A fresh PingPong-style number for a transaction or refund: the date and 8 random
    /// digits, never one given before (so a page cannot guess its neighbours).
    pub fn next_number(&mut self, now_ms: u64) -> String {
        loop {
            let number = pingpong_number(now_ms, random_seed());
            if self.numbers.insert(number.clone()) {
                return number;
            }
        }
    }

    /// How many orders it holds.
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    pub fn order(&self, transaction_id: &str) -> Option<&Order> {
        self.orders.get(transaction_id)
    }

    /// The transactionId of `merchant_transaction_id` under `acc_id`.
    pub fn find(&self, acc_id: &str, merchant_transaction_id: &str) -> Option<String> {
        self.by_merchant_id
            .get(&(acc_id.to_owned(), merchant_transaction_id.to_owned()))
            .cloned()
    }

    /// Every order with this merchantTransactionId, whatever the account, oldest first.
    pub fn find_any(&self, merchant_transaction_id: &str) -> Vec<&Order> {
        let mut found: Vec<&Order> = self
            .orders
            .values()
            .filter(|o| o.rec.merchant_transaction_id == merchant_transaction_id)
            .collect();
        found.sort_by_key(|o| o.rec.created_at_ms);
        found
    }

    /// The transactionId of the order a refund id belongs to, under `acc_id`.
    pub fn refund_owner(&self, acc_id: &str, merchant_refund_id: &str) -> Option<&str> {
        self.refund_owner
            .get(&(acc_id.to_owned(), merchant_refund_id.to_owned()))
            .map(String::as_str)
    }

    /// Stores a new order (its first attempt included) and asks for its expiry timer.
    pub fn insert_order(&mut self, order: Order) -> Effects {
        let txid = order.rec.transaction_id.clone();
        let expires = order.rec.expires_at_ms;
        self.by_merchant_id.insert(
            (
                order.rec.acc_id.clone(),
                order.rec.merchant_transaction_id.clone(),
            ),
            txid.clone(),
        );
        self.orders.insert(txid.clone(), order);
        self.touch(&txid);
        self.stats.orders += 1;
        self.stats.attempts += 1;
        Effects {
            expiries: vec![(txid, expires)],
            ..Effects::default()
        }
    }

    /// Re-opens a FAILED order with a new attempt (docs/protocol-choices.md #11).
    pub fn reopen(
        &mut self,
        transaction_id: &str,
        attempt: AttemptRecord,
        notification_url: Option<String>,
        close_notification_url: Option<String>,
    ) -> Effects {
        self.touch(transaction_id);
        let Some(order) = self.orders.get_mut(transaction_id) else {
            return Effects::default();
        };
        order.rec.status = PaymentStatus::Processing;
        order.rec.expires_at_ms = attempt.expires_at_ms;
        order.rec.ended_at_ms = None;
        if notification_url.is_some() {
            order.rec.notification_url = notification_url;
        }
        if close_notification_url.is_some() {
            order.rec.close_notification_url = close_notification_url;
        }
        let expires = attempt.expires_at_ms;
        order.rec.attempts.push(attempt);
        self.stats.attempts += 1;
        Effects {
            expiries: vec![(transaction_id.to_owned(), expires)],
            ..Effects::default()
        }
    }

    /// Closes every open order whose QR has expired by `now_ms` (the timers do this too;
    /// sweeping first makes every answer consistent with the clock).
    pub fn sweep(&mut self, cfg: &SandboxConfig, now_ms: u64) -> Effects {
        let due: Vec<String> = self
            .orders
            .values()
            .filter(|o| o.is_open(cfg.failure_mode) && o.rec.expires_at_ms <= now_ms)
            .map(|o| o.rec.transaction_id.clone())
            .collect();
        let mut effects = Effects::default();
        for txid in due {
            effects.extend(self.close(cfg, &txid, now_ms));
        }
        effects
    }

    /// Closes the order if it is open and its QR has expired by `now_ms`.
    pub fn close_if_due(
        &mut self,
        cfg: &SandboxConfig,
        transaction_id: &str,
        now_ms: u64,
    ) -> Effects {
        let due = self
            .orders
            .get(transaction_id)
            .is_some_and(|o| o.is_open(cfg.failure_mode) && o.rec.expires_at_ms <= now_ms);
        if due {
            self.close(cfg, transaction_id, now_ms)
        } else {
            Effects::default()
        }
    }

    /// Closes an open order now (expiry), notifying `closeNotificationUrl` if it was given.
    /// `None` when the order is unknown or not open.
    pub fn close_now(
        &mut self,
        cfg: &SandboxConfig,
        transaction_id: &str,
        now_ms: u64,
    ) -> Option<Effects> {
        let open = self.orders.get(transaction_id)?.is_open(cfg.failure_mode);
        open.then(|| self.close(cfg, transaction_id, now_ms))
    }

    fn close(&mut self, cfg: &SandboxConfig, transaction_id: &str, now_ms: u64) -> Effects {
        self.touch(transaction_id);
        let Some(order) = self.orders.get_mut(transaction_id) else {
            return Effects::default();
        };
        order.rec.status = PaymentStatus::Closed;
        order.rec.ended_at_ms = Some(now_ms);
        if order
            .rec
            .attempts
            .last()
            .is_some_and(|a| a.status == PaymentStatus::Processing)
        {
            order.set_attempt_status(PaymentStatus::Closed);
        }
        tracing::info!(transaction_id, "order closed (QR expired)");
        match order.rec.close_notification_url.clone() {
            Some(url) => self.notify_payment(cfg, transaction_id, url),
            None => Effects::default(),
        }
    }

    /// The consumer pays in the wallet.
    pub fn pay(
        &mut self,
        cfg: &SandboxConfig,
        transaction_id: &str,
        now_ms: u64,
    ) -> Result<Effects, WalletError> {
        let mut effects = self.close_if_due(cfg, transaction_id, now_ms);
        self.touch(transaction_id);
        let late_success = self.faults.late_success;
        let order = self
            .orders
            .get_mut(transaction_id)
            .ok_or(WalletError::Unknown)?;
        match order.rec.status {
            PaymentStatus::Processing => {}
            PaymentStatus::Closed if late_success => order.rec.late_success = true,
            PaymentStatus::Closed => return Err(WalletError::Expired),
            PaymentStatus::Success => return Err(WalletError::AlreadyPaid),
            _ => return Err(WalletError::Declined),
        }
        order.rec.status = PaymentStatus::Success;
        order.rec.ended_at_ms = Some(now_ms);
        order.set_attempt_status(PaymentStatus::Success);
        tracing::info!(transaction_id, late = order.rec.late_success, "wallet paid");
        if let Some(url) = order.rec.notification_url.clone() {
            effects.extend(self.notify_payment(cfg, transaction_id, url));
        }
        Ok(effects)
    }

    /// The consumer declines in the wallet.
    pub fn decline(
        &mut self,
        cfg: &SandboxConfig,
        transaction_id: &str,
        now_ms: u64,
    ) -> Result<Effects, WalletError> {
        let mut effects = self.close_if_due(cfg, transaction_id, now_ms);
        self.touch(transaction_id);
        let order = self
            .orders
            .get_mut(transaction_id)
            .ok_or(WalletError::Unknown)?;
        match order.rec.status {
            PaymentStatus::Processing => {}
            PaymentStatus::Closed => return Err(WalletError::Expired),
            PaymentStatus::Success => return Err(WalletError::AlreadyPaid),
            _ => return Err(WalletError::Declined),
        }
        order.rec.status = PaymentStatus::Failed;
        order.rec.ended_at_ms = Some(now_ms);
        order.set_attempt_status(PaymentStatus::Failed);
        tracing::info!(transaction_id, "wallet declined");
        if let Some(url) = order.rec.notification_url.clone() {
            effects.extend(self.notify_payment(cfg, transaction_id, url));
        }
        Ok(effects)
    }

    /// Adds a PROCESSING refund to an order and asks for its completion timer.
    pub fn insert_refund(
        &mut self,
        transaction_id: &str,
        acc_id: &str,
        refund: RefundRecord,
    ) -> Effects {
        self.touch(transaction_id);
        let Some(order) = self.orders.get_mut(transaction_id) else {
            return Effects::default();
        };
        let mrid = refund.merchant_refund_id.clone();
        order.rec.refunds.push(refund);
        self.refund_owner
            .insert((acc_id.to_owned(), mrid.clone()), transaction_id.to_owned());
        self.stats.refunds += 1;
        Effects {
            refunds: vec![(transaction_id.to_owned(), mrid)],
            ..Effects::default()
        }
    }

    /// Ends a PROCESSING refund: SUCCESS, or FAILED if it was created under `refundFailure`.
    pub fn finish_refund(
        &mut self,
        cfg: &SandboxConfig,
        transaction_id: &str,
        merchant_refund_id: &str,
        now_ms: u64,
    ) -> Effects {
        self.touch(transaction_id);
        let Some(order) = self.orders.get_mut(transaction_id) else {
            return Effects::default();
        };
        let Some(refund) = order.rec.refunds.iter_mut().find(|r| {
            r.merchant_refund_id == merchant_refund_id && r.status == RefundStatus::Processing
        }) else {
            return Effects::default();
        };
        refund.status = if refund.fails {
            RefundStatus::Failed
        } else {
            RefundStatus::Success
        };
        refund.ended_at_ms = Some(now_ms);
        tracing::info!(
            transaction_id,
            merchant_refund_id,
            status = refund.status.as_str(),
            "refund finished"
        );
        match refund.notification_url.clone() {
            Some(url) => self.notify_refund(cfg, transaction_id, merchant_refund_id, url),
            None => Effects::default(),
        }
    }

    /// Produces the RECHARGE notification of the order's current status.
    fn notify_payment(
        &mut self,
        cfg: &SandboxConfig,
        transaction_id: &str,
        url: String,
    ) -> Effects {
        let Some(order) = self.orders.get(transaction_id) else {
            return Effects::default();
        };
        let status = order.rec.status;
        let code = payment_result(status);
        let biz = PaymentNotification {
            notify_type: NotifyType::Recharge,
            merchant_transaction_id: order.rec.merchant_transaction_id.clone(),
            transaction_id: order.rec.transaction_id.clone(),
            status,
            amount: order.wire_amount(),
            currency: order.rec.currency.clone(),
            request_id: order.request_id().map(str::to_owned),
            transaction_time: Some(order.rec.created_at_ms.to_string()),
            capture_delay_hours: Some(0),
            remark: order.rec.remark.clone(),
            payment_method: Some(PaymentMethod {
                kind: order.rec.method.clone(),
                scan_code_id: None,
            }),
            result_code: Some(code.code().to_owned()),
            result_description: Some(code.description().to_owned()),
        };
        let body = signed_notification(cfg, order, code, Envelope::biz_text(&biz));
        self.push_notification(
            transaction_id,
            NotifyType::Recharge,
            status.as_str(),
            None,
            url,
            body,
        )
    }

    /// Produces the REFUND notification of a refund's current status.
    fn notify_refund(
        &mut self,
        cfg: &SandboxConfig,
        transaction_id: &str,
        merchant_refund_id: &str,
        url: String,
    ) -> Effects {
        let Some(order) = self.orders.get(transaction_id) else {
            return Effects::default();
        };
        let Some(refund) = order
            .rec
            .refunds
            .iter()
            .find(|r| r.merchant_refund_id == merchant_refund_id)
        else {
            return Effects::default();
        };
        let code = refund_result(refund.status);
        let biz = RefundNotification {
            notify_type: NotifyType::Refund,
            merchant_transaction_id: order.rec.merchant_transaction_id.clone(),
            merchant_refund_id: refund.merchant_refund_id.clone(),
            status: refund.status,
            amount: WireAmount::from_money_padded(
                Money::from_minor(refund.amount_minor, order.money.currency()),
                WIRE_DECIMALS,
            ),
            currency: refund.currency.clone(),
            transaction_id: Some(order.rec.transaction_id.clone()),
            refund_id: Some(refund.refund_id.clone()),
            refund_time: Some(refund.created_at_ms.to_string()),
            refund_ending_time: refund.ended_at_ms.map(|t| t.to_string()),
            remark: refund.remark.clone(),
        };
        let status = refund.status.as_str();
        let body = signed_notification(cfg, order, code, Envelope::biz_text(&biz));
        self.push_notification(
            transaction_id,
            NotifyType::Refund,
            status,
            Some(merchant_refund_id),
            url,
            body,
        )
    }

    /// Records a notification (twice under `duplicateNotifications`, as dropped under
    /// `dropNotifications`) and returns the copies to deliver.
    fn push_notification(
        &mut self,
        transaction_id: &str,
        notify_type: NotifyType,
        status: &str,
        merchant_refund_id: Option<&str>,
        url: String,
        body: String,
    ) -> Effects {
        let copies = if self.faults.duplicate_notifications {
            2
        } else {
            1
        };
        let mut effects = Effects::default();
        for _ in 0..copies {
            let dropped = self.faults.drop_notifications > 0;
            if dropped {
                self.faults.drop_notifications -= 1;
            }
            self.notification_seq += 1;
            let id = self.notification_seq;
            self.stats.notifications += 1;
            self.touch(transaction_id);
            if self.disk.is_some() {
                self.changes.notification_seq = Some(id);
            }
            let Some(order) = self.orders.get_mut(transaction_id) else {
                break;
            };
            order.rec.notifications.push(NotificationRecord {
                id,
                notify_type,
                status: status.to_owned(),
                merchant_refund_id: merchant_refund_id.map(str::to_owned),
                url: url.clone(),
                outcome: if dropped {
                    NotificationOutcome::Dropped
                } else {
                    NotificationOutcome::Pending
                },
                deliveries: Vec::new(),
            });
            if dropped {
                tracing::info!(transaction_id, id, "notification dropped (fault)");
            } else {
                let job = Job {
                    transaction_id: transaction_id.to_owned(),
                    notification_id: id,
                    url: url.clone(),
                    body: body.clone(),
                    first_attempt: 0,
                };
                if self.disk.is_some() {
                    self.changes.jobs_owed.push(job.clone());
                }
                effects.jobs.push(job);
            }
        }
        effects
    }

    /// Records one delivery attempt and, when known, the notification's new outcome.
    pub fn record_delivery(
        &mut self,
        job: &Job,
        delivery: DeliveryRecord,
        outcome: NotificationOutcome,
    ) {
        self.stats.deliveries += 1;
        if delivery.accepted {
            self.stats.delivered += 1;
        }
        self.touch(&job.transaction_id);
        if outcome != NotificationOutcome::Pending && self.disk.is_some() {
            self.changes.jobs_done.push(job.notification_id);
        }
        let Some(n) = self.orders.get_mut(&job.transaction_id).and_then(|o| {
            o.rec
                .notifications
                .iter_mut()
                .find(|n| n.id == job.notification_id)
        }) else {
            return;
        };
        n.deliveries.push(delivery);
        n.outcome = outcome;
    }
}

/// The result code a payment status reports in queries and notifications.
pub(crate) fn payment_result(status: PaymentStatus) -> ResultCode {
    match status {
        PaymentStatus::Success => ResultCode::TransactionSucceeded,
        PaymentStatus::Failed => ResultCode::Declined,
        PaymentStatus::Closed | PaymentStatus::Cancel => ResultCode::InvalidOrExpiredTransaction,
        _ => ResultCode::TransactionProcessing,
    }
}

/// The result code a refund status reports.
pub(crate) fn refund_result(status: RefundStatus) -> ResultCode {
    match status {
        RefundStatus::Success => ResultCode::TransactionSucceeded,
        RefundStatus::Failed => ResultCode::RefundFailed,
        _ => ResultCode::TransactionProcessing,
    }
}

/// A notification envelope signed with the order's account (the response shape, choice #9).
fn signed_notification(
    cfg: &SandboxConfig,
    order: &Order,
    code: ResultCode,
    biz: String,
) -> String {
    let mut env = Envelope::response(
        &order.rec.acc_id,
        &order.client_id,
        order.sign_type,
        code.code(),
        code.description(),
        biz,
    );
    if let Some(account) = cfg.account(&order.rec.acc_id, &order.client_id) {
        env.sign(&account.salt).expect("signType is set");
    }
    env.to_json()
}

/// A PROCESSING USD 1.00 order of account A, for unit tests.
#[cfg(test)]
pub(crate) fn test_order(transaction_id: &str, expires_at_ms: u64) -> Order {
    let usd = pingpong_protocol::Currency::from_code("USD").unwrap();
    Order {
        rec: OrderRecord {
            acc_id: "2018092714313010016291".into(),
            merchant_transaction_id: format!("M-{transaction_id}"),
            transaction_id: transaction_id.into(),
            status: PaymentStatus::Processing,
            amount: "1.00".into(),
            currency: "USD".into(),
            method: "AlipayCN-Offline".into(),
            cashier_device_id: "POS-1".into(),
            remark: None,
            notification_url: None,
            close_notification_url: None,
            qr_code: String::new(),
            qr_url: String::new(),
            created_at_ms: expires_at_ms.saturating_sub(60_000),
            expires_at_ms,
            ended_at_ms: None,
            late_success: false,
            attempts: vec![AttemptRecord {
                request_id: "R-1".into(),
                status: PaymentStatus::Processing,
                created_at_ms: expires_at_ms.saturating_sub(60_000),
                expires_at_ms,
            }],
            refunds: Vec::new(),
            notifications: Vec::new(),
        },
        money: Money::from_minor(100, usd),
        client_id: "2018092714313010016".into(),
        sign_type: SignType::Sha256,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_closes_due_orders_only() {
        let cfg = SandboxConfig::default();
        let mut store = Store::default();
        let closing = |txid: &str, expires| {
            let mut o = test_order(txid, expires);
            o.rec.close_notification_url = Some(format!("http://127.0.0.1:1/close/{txid}"));
            o
        };
        let _ = store.insert_order(closing("T1", 1_000));
        let _ = store.insert_order(closing("T2", 5_000));
        let early = store.sweep(&cfg, 999);
        assert!(early.jobs.is_empty(), "{early:?}");
        assert_eq!(
            store.order("T1").unwrap().rec.status,
            PaymentStatus::Processing
        );
        let due = store.sweep(&cfg, 1_000);
        assert_eq!(store.order("T1").unwrap().rec.status, PaymentStatus::Closed);
        assert_eq!(
            store.order("T2").unwrap().rec.status,
            PaymentStatus::Processing
        );
        // The sweep owes exactly T1's close notification: to its closeNotificationUrl, a
        // RECHARGE with status CLOSED, signed with the order's account.
        assert_eq!(due.jobs.len(), 1, "{due:?}");
        let job = &due.jobs[0];
        assert_eq!(
            (job.transaction_id.as_str(), job.url.as_str()),
            ("T1", "http://127.0.0.1:1/close/T1")
        );
        let env = Envelope::parse(job.body.as_bytes()).unwrap();
        env.verify(&crate::config::Account::sandbox_a().salt)
            .unwrap();
        assert_eq!(env.code(), Some("105000"));
        let biz: PaymentNotification = env.biz().unwrap();
        assert_eq!(
            (biz.merchant_transaction_id.as_str(), biz.status),
            ("M-T1", PaymentStatus::Closed)
        );
        let rec = &store.order("T1").unwrap().rec;
        assert_eq!(rec.notifications.len(), 1);
        assert_eq!(rec.notifications[0].id, job.notification_id);
        // Once closed, a later sweep owes nothing more.
        assert!(store.sweep(&cfg, 2_000).jobs.is_empty());
    }

    #[test]
    fn refunds_hold_balance_until_they_fail() {
        let mut order = test_order("T3", u64::MAX);
        let refund = |status, amount_minor| RefundRecord {
            merchant_refund_id: format!("R{amount_minor}"),
            refund_id: String::new(),
            amount: String::new(),
            amount_minor,
            currency: "USD".into(),
            status,
            created_at_ms: 0,
            ended_at_ms: None,
            notification_url: None,
            remark: None,
            fails: false,
        };
        order.rec.refunds = vec![
            refund(RefundStatus::Success, 10),
            refund(RefundStatus::Processing, 20),
            refund(RefundStatus::Failed, 40),
        ];
        assert_eq!(order.refunds_held(), 30);
    }
}
