//! The journal suite: what every backend must do, written against [`Journal`] only. Each
//! test runs once per backend (`suite!` at the bottom).

use std::sync::Arc;

use pingpong_protocol::admin::{MerchantSettings, default_methods};
use pingpong_protocol::contract::Method;
use pingpong_protocol::{
    CashierDeviceId, Currency, FailureMode, MerchantId, PaymentStatus, RefundStatus, RegisterId,
    SignType, StoreId, TimeExpireFormat,
};

use super::*;

/// A fresh, empty journal of one backend, and what must live as long as it.
pub(crate) struct Fresh {
    pub journal: Arc<dyn Journal>,
    _dir: tempfile::TempDir,
}

/// A fresh SQLite journal in a temporary directory.
pub(crate) async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let journal =
        crate::journal::sqlite::SqliteJournal::open(&dir.path().join("j.sqlite")).unwrap();
    Fresh {
        journal: Arc::new(journal),
        _dir: dir,
    }
}

pub(crate) fn mid(id: &str) -> MerchantId {
    MerchantId::new(id).unwrap()
}

pub(crate) fn order(merchant: &str, mtid: &str, store: &str) -> NewOrder {
    NewOrder {
        row: OrderRow {
            merchant_id: merchant.into(),
            merchant_transaction_id: mtid.into(),
            store_id: store.into(),
            cashier_device_id: "POS-1".into(),
            amount_minor: 1000,
            currency: Currency::from_code("USD").unwrap(),
            method: Method::Alipay,
            expires_in_seconds: 300,
            remark: None,
            fingerprint: "fp".into(),
            create_state: CreateState::Pending,
            status: PaymentStatus::Init,
            transaction_id: None,
            qr_code: None,
            qr_url: None,
            qr_code_expired_at: None,
            result_code: None,
            result_description: None,
            late_success: false,
            created_at: 1,
            updated_at: 1,
        },
        request_id: format!("RQ-{mtid}"),
        biz_content: format!("{{\"merchantTransactionId\":\"{mtid}\",\"m\":\"{merchant}\"}}"),
    }
}

pub(crate) fn refund(merchant: &str, mrid: &str, mtid: &str, minor: u64) -> RefundRow {
    RefundRow {
        merchant_id: merchant.into(),
        merchant_refund_id: mrid.into(),
        merchant_transaction_id: mtid.into(),
        cashier_device_id: "POS-1".into(),
        amount_minor: minor,
        currency: Currency::from_code("USD").unwrap(),
        remark: None,
        fingerprint: "fp".into(),
        biz_content: "{}".into(),
        create_state: CreateState::Pending,
        status: RefundStatus::Processing,
        refund_id: None,
        result_code: None,
        result_description: None,
        created_at: 2,
        updated_at: 2,
    }
}

pub(crate) fn status(s: PaymentStatus) -> PaymentUpdate {
    PaymentUpdate {
        status: Some(s),
        create_state: Some(CreateState::Accepted),
        ..PaymentUpdate::default()
    }
}

pub(crate) fn merchant(id: &str) -> MerchantRecord {
    MerchantRecord {
        id: mid(id),
        settings: MerchantSettings {
            name: format!("Merchant {id}"),
            acc_id: "2018092714313010016291".into(),
            client_id: "2018092714313010016".into(),
            sign_type: SignType::Sha256,
            methods: default_methods(),
            failure_mode: FailureMode::Retryable,
            time_expire_format: TimeExpireFormat::EpochSeconds,
        },
        sealed_salt: Some(vec![1, 2, 3]),
        salt_fingerprint: "0a1b2c3d".into(),
        enabled: true,
        created_at: 10,
        updated_at: 10,
    }
}

pub(crate) fn store(merchant: &str, store: &str) -> StoreRecord {
    StoreRecord {
        merchant_id: mid(merchant),
        store_id: StoreId::new(store).unwrap(),
        name: format!("Store {store}"),
        created_at: 11,
    }
}

pub(crate) fn register(id: &str, merchant: &str, store: &str, device: &str) -> RegisterRecord {
    RegisterRecord {
        id: RegisterId::new(id).unwrap(),
        merchant_id: mid(merchant),
        store_id: StoreId::new(store).unwrap(),
        cashier_device_id: CashierDeviceId::new(device).unwrap(),
        label: String::new(),
        token_hash: vec![7; 32],
        created_at: 12,
        revoked_at: None,
    }
}

fn sid(s: &str) -> StoreId {
    StoreId::new(s).unwrap()
}

async fn an_order_is_journaled_once_with_its_attempt(f: Fresh) {
    let j = f.journal;
    let o = order("m1", "M1", "S1");
    assert!(j.create_order(&o).await.unwrap().is_none());
    let existing = j.create_order(&o).await.unwrap().unwrap();
    assert_eq!(existing.merchant_transaction_id, "M1");
    let biz = j.latest_attempt(&mid("m1"), "M1").await.unwrap().unwrap();
    assert!(biz.contains("M1"));
    assert_eq!(j.request_ids(&mid("m1"), "M1").await.unwrap(), ["RQ-M1"]);
    assert!(j.request_ids(&mid("m2"), "M1").await.unwrap().is_empty());
    let (row, totals) = j.order(&mid("m1"), "M1").await.unwrap().unwrap();
    assert_eq!(row, o.row);
    assert_eq!(totals, RefundTotals::default());
}

async fn two_merchants_keep_the_same_ids_apart(f: Fresh) {
    let j = f.journal;
    let (a, b) = (mid("ma"), mid("mb"));
    // The same order, refund and request ids at two merchants: two independent orders.
    assert!(
        j.create_order(&order("ma", "SAME", "S1"))
            .await
            .unwrap()
            .is_none()
    );
    let mut other = order("mb", "SAME", "S1");
    other.row.amount_minor = 500;
    assert!(j.create_order(&other).await.unwrap().is_none());
    assert_eq!(
        j.order(&a, "SAME").await.unwrap().unwrap().0.amount_minor,
        1000
    );
    assert_eq!(
        j.order(&b, "SAME").await.unwrap().unwrap().0.amount_minor,
        500
    );
    assert!(j.order(&mid("mc"), "SAME").await.unwrap().is_none());
    assert!(
        j.latest_attempt(&b, "SAME")
            .await
            .unwrap()
            .unwrap()
            .contains("mb")
    );

    j.apply_payment(&a, "SAME", &status(PaymentStatus::Success), 3)
        .await
        .unwrap();
    assert_eq!(
        j.order(&b, "SAME").await.unwrap().unwrap().0.status,
        PaymentStatus::Init,
        "a status change of one merchant's order leaves the other's alone"
    );
    // Refunds: B's order is not SUCCESS, whatever A's is.
    assert_eq!(
        j.create_refund(&refund("mb", "R1", "SAME", 100))
            .await
            .unwrap(),
        Err(RefundRefusal::NotRefundable(PaymentStatus::Init))
    );
    assert!(
        j.create_refund(&refund("ma", "R1", "SAME", 100))
            .await
            .unwrap()
            .is_ok()
    );
    assert!(j.refund(&b, "R1").await.unwrap().is_none());
    j.apply_payment(&b, "SAME", &status(PaymentStatus::Success), 4)
        .await
        .unwrap();
    assert!(
        j.create_refund(&refund("mb", "R1", "SAME", 100))
            .await
            .unwrap()
            .is_ok()
    );
    let done = RefundUpdate {
        status: Some(RefundStatus::Success),
        ..RefundUpdate::default()
    };
    j.apply_refund(&b, "R1", &done, 5).await.unwrap();
    assert_eq!(
        j.refund(&a, "R1").await.unwrap().unwrap().status,
        RefundStatus::Processing
    );
    assert_eq!(
        j.refund(&b, "R1").await.unwrap().unwrap().status,
        RefundStatus::Success
    );

    // Events: each merchant's store hears only its own.
    let ea = j.events_after(&a, &sid("S1"), 0, 10).await.unwrap();
    let eb = j.events_after(&b, &sid("S1"), 0, 10).await.unwrap();
    assert_eq!(ea.len(), 1);
    assert_eq!(eb.len(), 2);
    assert!(ea.iter().all(|e| !eb.contains(e)));

    // Notifications: the same news at two merchants is two records.
    let n = |m: &str| NewNotification {
        merchant_id: m.into(),
        dedup_key: "REFUND|SAME|R1|SUCCESS".into(),
        notify_type: "REFUND".into(),
        merchant_transaction_id: Some("SAME".into()),
        merchant_refund_id: Some("R1".into()),
        status: Some("SUCCESS".into()),
        envelope: "{}".into(),
        received_at: 6,
    };
    let effect = NotificationEffect::Refund {
        mtid: "SAME".into(),
        mrid: "R1".into(),
        update: done.clone(),
    };
    assert!(j.record_notification(&n("mb"), &effect).await.unwrap());
    assert!(!j.record_notification(&n("mb"), &effect).await.unwrap());
    assert!(j.record_notification(&n("ma"), &effect).await.unwrap());
    assert_eq!(
        j.refund(&a, "R1").await.unwrap().unwrap().status,
        RefundStatus::Success
    );
}

async fn status_changes_make_events_for_the_store_only(f: Fresh) {
    let j = f.journal;
    let m = mid("m1");
    for (id, s) in [("M1", "S1"), ("M2", "S2")] {
        j.create_order(&order("m1", id, s)).await.unwrap();
    }
    let mut wake = j.event_wakeups();
    wake.borrow_and_update();
    j.apply_payment(&m, "M1", &status(PaymentStatus::Processing), 5)
        .await
        .unwrap();
    assert!(wake.has_changed().unwrap());
    wake.borrow_and_update();
    // The same news again changes nothing and adds no event.
    j.apply_payment(&m, "M1", &status(PaymentStatus::Processing), 6)
        .await
        .unwrap();
    assert!(!wake.has_changed().unwrap());
    let row = j
        .apply_payment(&m, "M2", &status(PaymentStatus::Success), 7)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, PaymentStatus::Success);
    assert!(
        j.apply_payment(&m, "NOPE", &status(PaymentStatus::Success), 7)
            .await
            .unwrap()
            .is_none()
    );
    let s1 = j.events_after(&m, &sid("S1"), 0, 10).await.unwrap();
    assert_eq!(s1.len(), 1);
    assert_eq!(s1[0].kind, "payment");
    assert!(s1[0].data.contains("\"status\":\"PROCESSING\""));
    let s2 = j.events_after(&m, &sid("S2"), 0, 10).await.unwrap();
    assert_eq!(s2.len(), 1);
    assert!(s2[0].seq > s1[0].seq);
    assert_eq!(j.last_event().await.unwrap(), s2[0].seq);
    assert!(
        j.events_after(&m, &sid("S2"), s2[0].seq, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn closed_then_success_is_a_late_success(f: Fresh) {
    let j = f.journal;
    let m = mid("m1");
    j.create_order(&order("m1", "M1", "S1")).await.unwrap();
    for s in [
        PaymentStatus::Processing,
        PaymentStatus::Closed,
        PaymentStatus::Success,
    ] {
        j.apply_payment(&m, "M1", &status(s), 9).await.unwrap();
    }
    let row = j.order(&m, "M1").await.unwrap().unwrap().0;
    assert_eq!(row.status, PaymentStatus::Success);
    assert!(row.late_success);
}

async fn refunds_respect_status_flight_and_balance(f: Fresh) {
    let j = f.journal;
    let m = mid("m1");
    j.create_order(&order("m1", "M1", "S1")).await.unwrap();
    assert_eq!(
        j.create_refund(&refund("m1", "R1", "M1", 100))
            .await
            .unwrap(),
        Err(RefundRefusal::NotRefundable(PaymentStatus::Init))
    );
    assert_eq!(
        j.create_refund(&refund("m1", "R1", "NOPE", 100))
            .await
            .unwrap(),
        Err(RefundRefusal::NoOrder)
    );
    j.apply_payment(&m, "M1", &status(PaymentStatus::Success), 3)
        .await
        .unwrap();
    assert!(
        j.create_refund(&refund("m1", "R1", "M1", 600))
            .await
            .unwrap()
            .is_ok()
    );
    assert_eq!(
        j.create_refund(&refund("m1", "R1", "M1", 600))
            .await
            .unwrap(),
        Err(RefundRefusal::IdTaken)
    );
    assert_eq!(
        j.create_refund(&refund("m1", "R2", "M1", 100))
            .await
            .unwrap(),
        Err(RefundRefusal::InProgress("R1".into()))
    );
    let done = RefundUpdate {
        status: Some(RefundStatus::Success),
        create_state: Some(CreateState::Accepted),
        ..RefundUpdate::default()
    };
    j.apply_refund(&m, "R1", &done, 4).await.unwrap();
    assert_eq!(
        j.create_refund(&refund("m1", "R2", "M1", 401))
            .await
            .unwrap(),
        Err(RefundRefusal::ExceedsBalance { remaining: 400 })
    );
    assert!(
        j.create_refund(&refund("m1", "R2", "M1", 400))
            .await
            .unwrap()
            .is_ok()
    );
    let failed = RefundUpdate {
        status: Some(RefundStatus::Failed),
        ..RefundUpdate::default()
    };
    j.apply_refund(&m, "R2", &failed, 5).await.unwrap();
    let (_, totals) = j.order(&m, "M1").await.unwrap().unwrap();
    assert_eq!(
        totals,
        RefundTotals {
            refunded: 600,
            held: 600
        }
    );
    let kinds: Vec<String> = j
        .events_after(&m, &sid("S1"), 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["payment", "refund", "refund"]);
}

async fn concurrent_refunds_never_exceed_the_balance(f: Fresh) {
    let j = f.journal;
    let m = mid("m1");
    j.create_order(&order("m1", "M1", "S1")).await.unwrap();
    j.apply_payment(&m, "M1", &status(PaymentStatus::Success), 3)
        .await
        .unwrap();
    // Ten refunds of 3.00 of a 10.00 payment at once, each settled as soon as it is journaled
    // by its own task: whatever the interleaving, at most 10.00 is held.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let j = j.clone();
        tasks.push(tokio::spawn(async move {
            let id = format!("R{i}");
            let r = j
                .create_refund(&refund("m1", &id, "M1", 300))
                .await
                .unwrap();
            if r.is_ok() {
                let done = RefundUpdate {
                    status: Some(RefundStatus::Success),
                    ..RefundUpdate::default()
                };
                j.apply_refund(&mid("m1"), &id, &done, 4).await.unwrap();
            }
            r.is_ok()
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += u32::from(t.await.unwrap());
    }
    let (_, totals) = j.order(&m, "M1").await.unwrap().unwrap();
    assert!((1..=3).contains(&accepted), "{accepted} accepted");
    assert_eq!(totals.held, u64::from(accepted) * 300);
    assert!(totals.held <= 1000);
}

async fn notifications_are_kept_once_and_applied_once(f: Fresh) {
    let j = f.journal;
    let m = mid("m1");
    j.create_order(&order("m1", "M1", "S1")).await.unwrap();
    let n = NewNotification {
        merchant_id: "m1".into(),
        dedup_key: "RECHARGE|M1|T1|R|SUCCESS".into(),
        notify_type: "RECHARGE".into(),
        merchant_transaction_id: Some("M1".into()),
        merchant_refund_id: None,
        status: Some("SUCCESS".into()),
        envelope: "{}".into(),
        received_at: 1,
    };
    let effect = NotificationEffect::Payment {
        mtid: "M1".into(),
        update: status(PaymentStatus::Success),
    };
    assert!(j.record_notification(&n, &effect).await.unwrap());
    assert_eq!(
        j.order(&m, "M1").await.unwrap().unwrap().0.status,
        PaymentStatus::Success
    );
    let events = j.last_event().await.unwrap();
    assert!(!j.record_notification(&n, &effect).await.unwrap());
    assert_eq!(
        j.last_event().await.unwrap(),
        events,
        "a duplicate adds no event"
    );
    // A refund notification naming another order than the refund's changes nothing.
    j.create_refund(&refund("m1", "R1", "M1", 100))
        .await
        .unwrap()
        .unwrap();
    let wrong = NotificationEffect::Refund {
        mtid: "OTHER".into(),
        mrid: "R1".into(),
        update: RefundUpdate {
            status: Some(RefundStatus::Success),
            ..RefundUpdate::default()
        },
    };
    let rn = NewNotification {
        dedup_key: "REFUND|OTHER|R1|SUCCESS".into(),
        ..n.clone()
    };
    assert!(j.record_notification(&rn, &wrong).await.unwrap());
    assert_eq!(
        j.refund(&m, "R1").await.unwrap().unwrap().status,
        RefundStatus::Processing
    );
}

async fn the_directory_holds_merchants_stores_and_registers(f: Fresh) {
    let j = f.journal;
    let mut dir = j.directory_wakeups();
    dir.borrow_and_update();
    assert_eq!(j.add_merchant(&merchant("m1")).await.unwrap(), Ok(()));
    assert!(
        dir.has_changed().unwrap(),
        "a change wakes the directory watchers"
    );
    assert_eq!(
        j.add_merchant(&merchant("m1")).await.unwrap(),
        Err(DirectoryRefusal::Exists)
    );
    j.add_merchant(&merchant("m2")).await.unwrap().unwrap();
    let ids: Vec<String> = j
        .merchants()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id.into_string())
        .collect();
    assert_eq!(ids, ["m1", "m2"]);
    let mut changed = merchant("m1");
    changed.settings.name = "Renamed".into();
    changed.enabled = false;
    changed.sealed_salt = Some(vec![9]);
    changed.updated_at = 20;
    assert!(j.update_merchant(&changed).await.unwrap());
    assert_eq!(j.merchant(&mid("m1")).await.unwrap().unwrap(), changed);
    assert!(!j.update_merchant(&merchant("nope")).await.unwrap());

    assert_eq!(
        j.add_store(&store("nope", "S1")).await.unwrap(),
        Err(DirectoryRefusal::NoMerchant)
    );
    j.add_store(&store("m1", "S1")).await.unwrap().unwrap();
    j.add_store(&store("m1", "S2")).await.unwrap().unwrap();
    j.add_store(&store("m2", "S1")).await.unwrap().unwrap();
    assert_eq!(
        j.add_store(&store("m1", "S1")).await.unwrap(),
        Err(DirectoryRefusal::Exists)
    );
    assert_eq!(j.stores(&mid("m1")).await.unwrap().len(), 2);

    assert_eq!(
        j.add_register(&register("RG1", "m1", "S9", "POS-1"))
            .await
            .unwrap(),
        Err(DirectoryRefusal::NoStore)
    );
    j.add_register(&register("RG1", "m1", "S1", "POS-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        j.add_register(&register("RG1", "m1", "S2", "POS-9"))
            .await
            .unwrap(),
        Err(DirectoryRefusal::Exists)
    );
    assert_eq!(
        j.add_register(&register("RG2", "m1", "S2", "POS-1"))
            .await
            .unwrap(),
        Err(DirectoryRefusal::DeviceTaken),
        "a cashierDeviceId is unique per merchant"
    );
    // Another merchant may use the same device id.
    j.add_register(&register("RG3", "m2", "S1", "POS-1"))
        .await
        .unwrap()
        .unwrap();
    let (r, m) = j
        .register(&RegisterId::new("RG1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((r.store_id.as_str(), m.id.as_str()), ("S1", "m1"));
    assert_eq!(r.token_hash, vec![7; 32]);

    // Only its merchant revokes a register; then its device id is free again.
    let rg1 = RegisterId::new("RG1").unwrap();
    assert!(
        j.revoke_register(&mid("m2"), &rg1, 30)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(j.register(&rg1).await.unwrap().unwrap().0.revoked_at, None);
    let revoked = j
        .revoke_register(&mid("m1"), &rg1, 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(30));
    let again = j
        .revoke_register(&mid("m1"), &rg1, 40)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.revoked_at,
        Some(30),
        "the first revocation time stays"
    );
    j.add_register(&register("RG2", "m1", "S2", "POS-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(j.registers(&mid("m1"), None).await.unwrap().len(), 2);
    assert_eq!(
        j.registers(&mid("m1"), Some(&sid("S2")))
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn the_startup_merchant_is_written_without_a_salt(f: Fresh) {
    let j = f.journal;
    let mut m = merchant("default");
    m.sealed_salt = None;
    j.put_startup_merchant(&m).await.unwrap();
    assert_eq!(j.merchant(&mid("default")).await.unwrap().unwrap(), m);
    // Disabled by an administrator, then restarted with other flags: still disabled,
    // created_at kept, settings replaced.
    let mut off = m.clone();
    off.enabled = false;
    j.update_merchant(&off).await.unwrap();
    let mut next = m.clone();
    next.settings.acc_id = "999".into();
    next.created_at = 50;
    next.updated_at = 50;
    j.put_startup_merchant(&next).await.unwrap();
    let stored = j.merchant(&mid("default")).await.unwrap().unwrap();
    assert_eq!(stored.settings.acc_id, "999");
    assert!(!stored.enabled);
    assert_eq!((stored.created_at, stored.updated_at), (10, 50));
}

async fn sealed_values_are_resealed_all_or_nothing(f: Fresh) {
    let j = f.journal;
    assert!(j.sealed_key("token").await.unwrap().is_none());
    assert_eq!(
        j.add_sealed_key("token", &[1, 1], 1).await.unwrap(),
        vec![1, 1]
    );
    assert_eq!(
        j.add_sealed_key("token", &[2, 2], 2).await.unwrap(),
        vec![1, 1],
        "the first key stays"
    );
    j.add_merchant(&merchant("m1")).await.unwrap().unwrap();
    let mut unsealed = merchant("m0");
    unsealed.sealed_salt = None;
    j.add_merchant(&unsealed).await.unwrap().unwrap();
    // A failing pass changes nothing.
    let failing: Resealer = Box::new(|s| match s {
        Sealed::Key { .. } => Err("cannot open".into()),
        Sealed::Salt { sealed, .. } => Ok(sealed.iter().map(|b| b + 1).collect()),
    });
    assert_eq!(j.reseal(failing).await.unwrap(), Err("cannot open".into()));
    assert_eq!(
        j.merchant(&mid("m1")).await.unwrap().unwrap().sealed_salt,
        Some(vec![1, 2, 3])
    );
    let plus_one: Resealer = Box::new(|s| {
        let (Sealed::Key { sealed, .. } | Sealed::Salt { sealed, .. }) = s;
        Ok(sealed.iter().map(|b| b + 1).collect())
    });
    assert_eq!(j.reseal(plus_one).await.unwrap(), Ok(2));
    assert_eq!(
        j.merchant(&mid("m1")).await.unwrap().unwrap().sealed_salt,
        Some(vec![2, 3, 4])
    );
    assert_eq!(
        j.merchant(&mid("m0")).await.unwrap().unwrap().sealed_salt,
        None
    );
    assert_eq!(j.sealed_key("token").await.unwrap(), Some(vec![2, 2]));
}

async fn the_database_answers(f: Fresh) {
    f.journal.ping().await.unwrap();
}

macro_rules! suite {
    ($backend:ident: $($test:ident),* $(,)?) => {
        mod $backend {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(super::$backend().await).await
                }
            )*
        }
    };
}

suite!(sqlite:
    an_order_is_journaled_once_with_its_attempt,
    two_merchants_keep_the_same_ids_apart,
    status_changes_make_events_for_the_store_only,
    closed_then_success_is_a_late_success,
    refunds_respect_status_flight_and_balance,
    concurrent_refunds_never_exceed_the_balance,
    notifications_are_kept_once_and_applied_once,
    the_directory_holds_merchants_stores_and_registers,
    the_startup_merchant_is_written_without_a_salt,
    sealed_values_are_resealed_all_or_nothing,
    the_database_answers,
);
