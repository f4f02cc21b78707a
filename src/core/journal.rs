//! The journal: every payment and refund this register started (or followed), written
//! before its request is sent and updated on every status, so that a reload loses nothing.
//!
//! Stored per payment, keyed by `merchantTransactionId`, with its refunds. The browser
//! implementation is `localStorage` (each refund under its own key, so that a tab saving a
//! stale copy of the payment cannot drop a refund another tab journaled);
//! [`MemoryJournal`] serves native tests.

use std::cell::RefCell;

use pingpong_protocol::contract::{
    CreatePaymentRequest, CreateRefundRequest, PaymentView, RefundView,
};
use pingpong_protocol::{PaymentStatus, RefundStatus};
use serde::{Deserialize, Serialize};
use tsify::Tsify;

use crate::core::error::Error;

/// Schema version of [`PaymentEntry`]; entries of another version are ignored.
pub const SCHEMA_VERSION: u8 = 1;

/// How far a create (payment or refund) got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Phase {
    /// Journaled; the request is being sent.
    Sending,
    /// Sent, but no answer said what happened: it may exist. Follow up with the same ids.
    Unknown,
    /// The proxy answered with the object's state.
    Answered,
}

/// The state of a journaled create the proxy has not answered (yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JournalState {
    /// Journaled, being sent: no answer yet.
    Sending,
    /// Sent, but no answer said what happened: it may exist. `resume()` finds out.
    Unknown,
}

/// What a journaled payment or refund shows: its create's [`JournalState`] until the proxy
/// answered, then the last status it reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(untagged)]
pub enum EntryState<S> {
    /// Not answered.
    Journal(JournalState),
    /// The last status the proxy reported.
    Status(S),
}

fn state<S>(phase: Phase, status: Option<S>) -> EntryState<S> {
    match (phase, status) {
        (Phase::Answered, Some(s)) => EntryState::Status(s),
        (Phase::Unknown, _) => EntryState::Journal(JournalState::Unknown),
        _ => EntryState::Journal(JournalState::Sending),
    }
}

/// One payment in the journal (stored as JSON, camelCase).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentEntry {
    /// [`SCHEMA_VERSION`].
    pub v: u8,
    /// The order number (the key).
    pub merchant_transaction_id: String,
    /// The create request exactly as sent (or as rebuilt for a payment adopted by a wait).
    pub request: CreatePaymentRequest,
    /// How far the create got.
    pub phase: Phase,
    /// The last state the proxy reported.
    pub payment: Option<PaymentView>,
    /// When it was journaled (register clock, ms).
    pub created_at: u64,
    /// When the entry last changed (register clock, ms).
    pub updated_at: u64,
    /// The app stopped waiting for it (aborted); a SUCCESS after that is a late success.
    #[serde(default)]
    pub gave_up: bool,
    /// The first final status was reported (`onPaymentFinal`), by this or another register.
    #[serde(default)]
    pub final_reported: bool,
    /// A late success was seen and is still to be reported.
    #[serde(default)]
    pub late_success_pending: bool,
    /// The late success was reported (`onLateSuccess`).
    #[serde(default)]
    pub late_success_reported: bool,
    /// Refunds of this payment, oldest first (in `localStorage`, under their own keys).
    #[serde(default)]
    pub refunds: Vec<RefundEntry>,
}

/// One refund in the journal (stored as JSON, camelCase).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundEntry {
    /// The refund number.
    pub merchant_refund_id: String,
    /// The request exactly as sent.
    pub request: CreateRefundRequest,
    /// How far the create got.
    pub phase: Phase,
    /// The last state the proxy reported.
    pub refund: Option<RefundView>,
    /// When it was journaled (register clock, ms).
    pub created_at: u64,
    /// When the entry last changed (register clock, ms).
    pub updated_at: u64,
}

impl PaymentEntry {
    /// A new entry for a create about to be sent.
    pub fn new(request: CreatePaymentRequest, id: String, now: u64) -> PaymentEntry {
        PaymentEntry {
            v: SCHEMA_VERSION,
            merchant_transaction_id: id,
            request,
            phase: Phase::Sending,
            payment: None,
            created_at: now,
            updated_at: now,
            gave_up: false,
            final_reported: false,
            late_success_pending: false,
            late_success_reported: false,
            refunds: Vec::new(),
        }
    }

    /// An entry for a payment this register did not start, first seen as `view`.
    pub fn adopt(view: PaymentView, now: u64) -> PaymentEntry {
        let request = CreatePaymentRequest {
            amount: view.amount.clone(),
            currency: view.currency.clone(),
            method: view.method.as_str().to_owned(),
            merchant_transaction_id: Some(view.merchant_transaction_id.clone()),
            ..Default::default()
        };
        let mut entry = PaymentEntry::new(request, view.merchant_transaction_id.clone(), now);
        entry.apply(view, now);
        entry
    }

    /// Whether the payment still needs following: its create is unanswered, its attempt has
    /// not ended, or one of its refunds is not final.
    pub fn is_pending(&self) -> bool {
        let open = match (&self.phase, &self.payment) {
            (Phase::Answered, Some(p)) => !p.status.ends_attempt(),
            _ => true,
        };
        open || self.refunds.iter().any(RefundEntry::is_pending)
    }

    /// What to show for it: `SENDING` (create not answered yet), `UNKNOWN` (sent, outcome
    /// unknown) or the last status the proxy reported.
    pub fn state(&self) -> EntryState<PaymentStatus> {
        state(self.phase, self.status())
    }

    /// The refund `id`, if journaled.
    pub fn refund(&self, id: &str) -> Option<&RefundEntry> {
        self.refunds.iter().find(|r| r.merchant_refund_id == id)
    }

    /// Adds `refund` (another copy of the journal had it), or replaces this entry's copy of
    /// it when that copy is behind; refunds stay oldest first.
    pub fn merge_refund(&mut self, refund: RefundEntry) {
        match self.refund_mut(&refund.merchant_refund_id) {
            Some(mine) if refund.is_not_behind(mine) => *mine = refund,
            Some(_) => {}
            None => {
                let at = self.refunds.partition_point(|r| {
                    (r.created_at, &r.merchant_refund_id)
                        <= (refund.created_at, &refund.merchant_refund_id)
                });
                self.refunds.insert(at, refund);
            }
        }
    }

    /// The refund `id`, if journaled, for update.
    pub fn refund_mut(&mut self, id: &str) -> Option<&mut RefundEntry> {
        self.refunds.iter_mut().find(|r| r.merchant_refund_id == id)
    }
}

impl RefundEntry {
    /// A new entry for a refund about to be sent.
    pub fn new(request: CreateRefundRequest, id: String, now: u64) -> RefundEntry {
        RefundEntry {
            merchant_refund_id: id,
            request,
            phase: Phase::Sending,
            refund: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// What to show for it: `SENDING`, `UNKNOWN` or the last status the proxy reported.
    pub fn state(&self) -> EntryState<RefundStatus> {
        state(self.phase, self.refund.as_ref().map(|r| r.status))
    }

    /// Whether the refund is unanswered or not final yet.
    pub fn is_pending(&self) -> bool {
        match (&self.phase, &self.refund) {
            (Phase::Answered, Some(r)) => !r.status.is_final(),
            _ => true,
        }
    }

    /// Whether this copy is at least as far along as `other`, a copy of the same refund that
    /// another register (tab) wrote: by phase, then final status, then the proxy's and the
    /// journal's times. A copy that is behind is never written over the other.
    pub fn is_not_behind(&self, other: &RefundEntry) -> bool {
        self.progress() >= other.progress()
    }

    fn progress(&self) -> (u8, bool, u64, u64) {
        let phase = match self.phase {
            Phase::Sending => 0,
            Phase::Unknown => 1,
            Phase::Answered => 2,
        };
        let (is_final, at) = self
            .refund
            .as_ref()
            .map_or((false, 0), |r| (r.status.is_final(), r.updated_at));
        (phase, is_final, at, self.updated_at)
    }
}

/// Where entries live. Every method is synchronous, so that a read-check-write cannot
/// interleave with another register of the same page.
pub trait Journal {
    /// The entry of `id`, if any. Unreadable entries count as absent.
    fn load(&self, id: &str) -> Result<Option<PaymentEntry>, Error>;
    /// Writes `entry`. Fails with `STORAGE` when storage refuses (full, disabled).
    fn save(&self, entry: &PaymentEntry) -> Result<(), Error>;
    /// Deletes the entry of `id`.
    fn remove(&self, id: &str) -> Result<(), Error>;
    /// Every journaled entry, in no particular order (one pass over the storage).
    fn entries(&self) -> Result<Vec<PaymentEntry>, Error>;
}

/// Every entry still pending, oldest first.
pub fn pending(journal: &dyn Journal) -> Result<Vec<PaymentEntry>, Error> {
    let mut out = journal.entries()?;
    out.retain(PaymentEntry::is_pending);
    Ok(oldest_first(out))
}

/// Every journaled entry, finished or not, newest first (by when it was journaled): a
/// register's history. Finished entries are kept [`KEEP_FINISHED_MS`].
pub fn history(journal: &dyn Journal) -> Result<Vec<PaymentEntry>, Error> {
    let mut out = oldest_first(journal.entries()?);
    out.reverse();
    Ok(out)
}

/// `entries` by when they were journaled, oldest first (ids break ties). An insertion sort:
/// a register holds few entries, and each instance of the standard sort costs ~4 kB of wasm.
fn oldest_first(entries: Vec<PaymentEntry>) -> Vec<PaymentEntry> {
    fn key(e: &PaymentEntry) -> (u64, &str) {
        (e.created_at, &e.merchant_transaction_id)
    }
    let mut out: Vec<PaymentEntry> = Vec::with_capacity(entries.len());
    for e in entries {
        let at = out.partition_point(|x| key(x) <= key(&e));
        out.insert(at, e);
    }
    out
}

/// How long a finished entry is kept, in ms (7 days).
pub const KEEP_FINISHED_MS: u64 = 7 * 24 * 3_600_000;

/// Deletes finished entries last changed more than [`KEEP_FINISHED_MS`] before `now`.
/// Pending entries are never deleted. Returns how many were deleted.
pub fn prune(journal: &dyn Journal, now: u64) -> Result<usize, Error> {
    let mut removed = 0;
    for e in journal.entries()? {
        if !e.is_pending() && e.updated_at + KEEP_FINISHED_MS < now {
            journal.remove(&e.merchant_transaction_id)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// A journal in memory, for native tests and for browsers without storage. A plain list
/// (a map costs kilobytes of wasm; a register holds few entries).
#[derive(Debug, Default)]
pub struct MemoryJournal {
    entries: RefCell<Vec<PaymentEntry>>,
}

impl Journal for MemoryJournal {
    fn load(&self, id: &str) -> Result<Option<PaymentEntry>, Error> {
        Ok(self
            .entries
            .borrow()
            .iter()
            .find(|e| e.merchant_transaction_id == id)
            .cloned())
    }

    fn save(&self, entry: &PaymentEntry) -> Result<(), Error> {
        let mut entries = self.entries.borrow_mut();
        match entries
            .iter_mut()
            .find(|e| e.merchant_transaction_id == entry.merchant_transaction_id)
        {
            Some(e) => *e = entry.clone(),
            None => entries.push(entry.clone()),
        }
        Ok(())
    }

    fn remove(&self, id: &str) -> Result<(), Error> {
        self.entries
            .borrow_mut()
            .retain(|e| e.merchant_transaction_id != id);
        Ok(())
    }

    fn entries(&self) -> Result<Vec<PaymentEntry>, Error> {
        Ok(self.entries.borrow().clone())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use pingpong_protocol::contract::Method;

    pub fn view(id: &str, status: PaymentStatus, updated_at: u64) -> PaymentView {
        PaymentView {
            merchant_transaction_id: id.into(),
            transaction_id: Some("TX1".into()),
            status,
            amount: "10.00".into(),
            currency: "USD".into(),
            method: Method::Alipay,
            qr_code: Some("http://h/sandbox/wallet/TX1".into()),
            qr_url: None,
            qr_code_expired_at: Some(400_000),
            refunded_amount: "0.00".into(),
            refundable_amount: if status == PaymentStatus::Success {
                "10.00".into()
            } else {
                "0.00".into()
            },
            result_code: None,
            result_description: None,
            late_success: false,
            remark: None,
            created_at: 100_000,
            updated_at,
            server_time: updated_at,
        }
    }

    pub fn refund_view(id: &str, amount: &str, status: RefundStatus, t: u64) -> RefundView {
        RefundView {
            merchant_transaction_id: "PQ1".into(),
            merchant_refund_id: id.into(),
            refund_id: None,
            status,
            amount: amount.into(),
            currency: "USD".into(),
            result_code: None,
            result_description: None,
            created_at: t,
            updated_at: t,
            server_time: t,
        }
    }

    pub fn request() -> CreatePaymentRequest {
        CreatePaymentRequest {
            amount: "10.00".into(),
            currency: "USD".into(),
            method: "ALIPAY".into(),
            merchant_transaction_id: Some("PQ1".into()),
            ..Default::default()
        }
    }

    #[test]
    fn pending_lists_unfinished_entries_oldest_first() {
        let j = MemoryJournal::default();
        let mut a = PaymentEntry::new(request(), "PQ-a".into(), 20);
        let b = PaymentEntry::new(request(), "PQ-b".into(), 10);
        let mut done = PaymentEntry::new(request(), "PQ-c".into(), 5);
        done.apply(view("PQ-c", PaymentStatus::Closed, 6), 6);
        a.phase = Phase::Unknown;
        for e in [&a, &b, &done] {
            j.save(e).unwrap();
        }
        let ids: Vec<_> = pending(&j)
            .unwrap()
            .into_iter()
            .map(|e| e.merchant_transaction_id)
            .collect();
        assert_eq!(ids, ["PQ-b", "PQ-a"]);
    }

    #[test]
    fn history_lists_every_entry_newest_first_with_its_state() {
        let j = MemoryJournal::default();
        let mut paid = PaymentEntry::new(request(), "PQ-paid".into(), 10);
        paid.apply(view("PQ-paid", PaymentStatus::Success, 11), 11);
        paid.refunds.push(RefundEntry::new(
            Default::default(),
            "RF-sending".into(),
            12,
        ));
        let mut unknown = RefundEntry::new(Default::default(), "RF-unknown".into(), 13);
        unknown.phase = Phase::Unknown;
        paid.refunds.push(unknown);
        paid.refunds
            .push(RefundEntry::new(Default::default(), "RF-done".into(), 14));
        paid.apply_refund(
            refund_view("RF-done", "1.00", RefundStatus::Success, 15),
            15,
        );
        let mut lost = PaymentEntry::new(request(), "PQ-lost".into(), 30);
        lost.phase = Phase::Unknown;
        let sending = PaymentEntry::new(request(), "PQ-sending".into(), 20);
        let mut closed = PaymentEntry::new(request(), "PQ-closed".into(), 5);
        closed.apply(view("PQ-closed", PaymentStatus::Closed, 6), 6);
        for e in [&paid, &lost, &sending, &closed] {
            j.save(e).unwrap();
        }
        let h = history(&j).unwrap();
        let rows: Vec<_> = h
            .iter()
            .map(|e| (e.merchant_transaction_id.as_str(), e.state()))
            .collect();
        use EntryState::{Journal, Status};
        assert_eq!(
            rows,
            [
                ("PQ-lost", Journal(JournalState::Unknown)),
                ("PQ-sending", Journal(JournalState::Sending)),
                ("PQ-paid", Status(PaymentStatus::Success)),
                ("PQ-closed", Status(PaymentStatus::Closed)),
            ]
        );
        let refunds: Vec<_> = h[2].refunds.iter().map(RefundEntry::state).collect();
        assert_eq!(
            refunds,
            [
                Journal(JournalState::Sending),
                Journal(JournalState::Unknown),
                Status(RefundStatus::Success)
            ]
        );
        // Finished entries are listed too, unlike pending().
        assert!(
            pending(&j)
                .unwrap()
                .iter()
                .all(|e| e.merchant_transaction_id != "PQ-closed")
        );
    }

    #[test]
    fn a_final_payment_with_an_open_refund_is_pending() {
        let mut e = PaymentEntry::new(request(), "PQ1".into(), 0);
        e.apply(view("PQ1", PaymentStatus::Success, 1), 1);
        assert!(!e.is_pending());
        e.refunds
            .push(RefundEntry::new(Default::default(), "RF1".into(), 2));
        assert!(e.is_pending());
        e.apply_refund(refund_view("RF1", "1.00", RefundStatus::Success, 3), 3);
        assert!(!e.is_pending());
        // A declined attempt ends the wait: not pending.
        let mut d = PaymentEntry::new(request(), "PQ2".into(), 0);
        d.apply(view("PQ2", PaymentStatus::Failed, 1), 1);
        assert!(!d.is_pending());
    }

    #[test]
    fn prune_keeps_pending_and_recent_entries() {
        let j = MemoryJournal::default();
        let mut old_done = PaymentEntry::new(request(), "PQ-old".into(), 0);
        old_done.apply(view("PQ-old", PaymentStatus::Success, 1), 1);
        let old_pending = PaymentEntry::new(request(), "PQ-pend".into(), 0);
        let mut recent = PaymentEntry::new(request(), "PQ-new".into(), KEEP_FINISHED_MS);
        recent.apply(view("PQ-new", PaymentStatus::Closed, 1), KEEP_FINISHED_MS);
        for e in [&old_done, &old_pending, &recent] {
            j.save(e).unwrap();
        }
        assert_eq!(prune(&j, KEEP_FINISHED_MS + 10).unwrap(), 1);
        let mut ids: Vec<String> = j
            .entries()
            .unwrap()
            .into_iter()
            .map(|e| e.merchant_transaction_id)
            .collect();
        ids.sort();
        assert_eq!(ids, ["PQ-new", "PQ-pend"]);
    }

    #[test]
    fn adopting_rebuilds_the_request() {
        let e = PaymentEntry::adopt(view("PQ9", PaymentStatus::Processing, 5), 7);
        assert_eq!(e.phase, Phase::Answered);
        assert_eq!(e.request.amount, "10.00");
        assert_eq!(e.request.method, "ALIPAY");
        assert_eq!(e.request.merchant_transaction_id.as_deref(), Some("PQ9"));
        assert!(e.is_pending());
    }

    #[test]
    fn merging_refunds_adds_missing_ones_in_order_and_keeps_the_copy_ahead() {
        let refund = |id: &str, created: u64| {
            let request = CreateRefundRequest {
                amount: "1.00".into(),
                merchant_refund_id: Some(id.into()),
                remark: None,
            };
            RefundEntry::new(request, id.into(), created)
        };
        let mut e = PaymentEntry::new(request(), "PQ1".into(), 0);
        e.merge_refund(refund("RF2", 20));
        e.merge_refund(refund("RF1", 10));
        e.merge_refund(refund("RF3", 30));
        let ids = |e: &PaymentEntry| {
            e.refunds
                .iter()
                .map(|r| r.merchant_refund_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&e), ["RF1", "RF2", "RF3"]);
        let mut ahead = refund("RF2", 20);
        ahead.phase = Phase::Unknown;
        e.merge_refund(ahead.clone());
        assert_eq!(e.refund("RF2"), Some(&ahead));
        e.merge_refund(refund("RF2", 20));
        assert_eq!(e.refund("RF2"), Some(&ahead), "a copy behind is not taken");
        assert_eq!(ids(&e), ["RF1", "RF2", "RF3"]);
    }

    #[test]
    fn a_refund_copy_behind_another_is_recognised() {
        let request = CreateRefundRequest {
            amount: "1.00".into(),
            merchant_refund_id: Some("RF1".into()),
            remark: None,
        };
        let sending = RefundEntry::new(request, "RF1".into(), 10);
        let mut unknown = sending.clone();
        unknown.phase = Phase::Unknown;
        unknown.updated_at = 5; // another tab's clock may lag: the phase decides first
        let answered = |status, at, t| RefundEntry {
            phase: Phase::Answered,
            refund: Some(refund_view("RF1", "1.00", status, at)),
            updated_at: t,
            ..sending.clone()
        };
        let processing = answered(RefundStatus::Processing, 100, 20);
        let processing_later = answered(RefundStatus::Processing, 200, 15);
        let success = answered(RefundStatus::Success, 150, 12);
        let ordered = [&sending, &unknown, &processing, &processing_later, &success];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(a.is_not_behind(b), i >= j, "{i} vs {j}");
            }
        }
    }
}
