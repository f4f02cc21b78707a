//! A sandbox on a state file (`Sandbox::open`, `--database`) stopped and opened again on
//! it: its orders, attempts, refunds, remembered answers and owed notifications survive,
//! its timers start again, and it never gives a number out twice.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use pingpong_sandbox::{NotificationOutcome, Sandbox, SandboxConfig};
use serde_json::json;
use tokio::task::JoinHandle;

/// A sandbox on `path`, served on a port of its own.
async fn open(path: &Path, config: SandboxConfig) -> (Harness, JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sandbox = Sandbox::open(
        SandboxConfig {
            public_url: url.clone(),
            ..config
        },
        path,
    )
    .expect("the state file opens");
    let task = tokio::spawn(pingpong_sandbox::serve(sandbox.clone(), listener));
    let h = Harness {
        url,
        sandbox,
        http: reqwest::Client::new(),
        account: pingpong_sandbox::Account::sandbox_a(),
    };
    (h, task)
}

/// Stops a sandbox the hard way: its server and every handle dropped, nothing flushed
/// beyond what each call already wrote.
async fn stop(h: Harness, task: JoinHandle<std::io::Result<()>>) {
    task.abort();
    let _ = task.await;
    drop(h);
}

#[tokio::test]
async fn a_reopened_sandbox_knows_its_orders_and_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.sqlite");
    let config = SandboxConfig {
        refund_delay: Duration::from_millis(400),
        ..fast_config()
    };
    let (h, task) = open(&file, config.clone()).await;
    let open_order = order("M-OPEN", "R-OPEN", "4.00");
    let first = h.call(UNIFIED_PAY, &open_order).await;
    assert_eq!(first.status(), Some("PROCESSING"));
    let open_txid = first.str("transactionId").to_owned();
    h.paid_order("M-PAID", "10.00").await;
    let r = h.call(REFUND, &refund("M-PAID", "RF-1", "3.00")).await;
    assert_eq!(r.status(), Some("PROCESSING"), "{}", r.raw);
    let mut numbers = vec![open_txid.clone(), r.str("refundId").to_owned()];
    numbers.push(h.sandbox.order("M-PAID").unwrap().transaction_id);
    stop(h, task).await;

    let (h, task) = open(&file, config.clone()).await;
    // The open order is there, as it was.
    let q = h.query("M-OPEN").await;
    assert_eq!(
        (q.status(), q.str("transactionId")),
        (Some("PROCESSING"), open_txid.as_str())
    );
    // Its requestId still replays the first answer, byte for byte.
    assert_eq!(h.call(UNIFIED_PAY, &open_order).await.raw, first.raw);
    // The consumer pays it on the wallet route.
    let (status, view) = h.post_json(&format!("/wallet/{open_txid}/pay")).await;
    assert_eq!(
        (status, view["status"].as_str()),
        (200, Some("SUCCESS")),
        "{view}"
    );
    assert_eq!(h.query("M-OPEN").await.status(), Some("SUCCESS"));
    // The refund left PROCESSING is finished by the timer started again.
    wait_until("RF-1 SUCCESS", async || {
        let q = h
            .call(
                REFUND_QUERY,
                &json!({ "merchantTransactionId": "M-PAID", "merchantRefundId": "RF-1" }),
            )
            .await;
        q.status() == Some("SUCCESS")
    })
    .await;
    // The balance counts it: 10.00 − 3.00.
    let over = h.call(REFUND, &refund("M-PAID", "RF-2", "7.01")).await;
    assert_eq!(over.code(), "108003", "{}", over.raw);
    let r2 = h.call(REFUND, &refund("M-PAID", "RF-2", "7.00")).await;
    assert_eq!(r2.status(), Some("PROCESSING"));
    numbers.push(r2.str("refundId").to_owned());
    // New numbers are never ones given before the restart.
    let fresh = h.call(UNIFIED_PAY, &order("M-NEW", "R-NEW", "1.00")).await;
    numbers.push(fresh.str("transactionId").to_owned());
    let distinct: std::collections::HashSet<_> = numbers.iter().collect();
    assert_eq!(distinct.len(), numbers.len(), "{numbers:?}");
    // The records kept their history.
    let rec = h.sandbox.order("M-PAID").unwrap();
    assert_eq!(rec.attempts.len(), 1);
    assert_eq!(rec.refunds.len(), 2);
    stop(h, task).await;
}

#[tokio::test]
async fn a_notification_owed_at_a_stop_is_delivered_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.sqlite");
    // The first delivery fails; the retry would come 5 s later at PingPong's pace.
    let receiver = Receiver::start(vec![Reply::Status(500), Reply::Ok]).await;
    let slow = SandboxConfig {
        time_scale: 1.0,
        ..fast_config()
    };
    let (h, task) = open(&file, slow).await;
    let mut biz = order("M-OWED", "R-OWED", "2.00");
    biz["notificationUrl"] = json!(receiver.url);
    let created = h.call(UNIFIED_PAY, &biz).await;
    let txid = created.str("transactionId").to_owned();
    h.sandbox.pay(&txid).unwrap();
    let first = receiver.wait_for(1).await;
    wait_until("the failed delivery recorded", async || {
        h.sandbox.order("M-OWED").unwrap().notifications[0]
            .deliveries
            .len()
            == 1
    })
    .await;
    stop(h, task).await;

    // Reopened: the owed notification goes out again at once, the same signed body.
    let (h, task) = open(&file, fast_config()).await;
    let both = receiver.wait_for(2).await;
    assert_eq!(both[1], first[0]);
    wait_until("delivered", async || {
        h.sandbox.order("M-OWED").unwrap().notifications[0].outcome
            == NotificationOutcome::Delivered
    })
    .await;
    let n = &h.sandbox.order("M-OWED").unwrap().notifications[0];
    let statuses: Vec<_> = n.deliveries.iter().map(|d| d.http_status).collect();
    assert_eq!(statuses, [Some(500), Some(200)]);
    assert_eq!((n.deliveries[0].attempt, n.deliveries[1].attempt), (1, 2));
    // Delivered once: nothing more is owed after another restart.
    stop(h, task).await;
    let (h, task) = open(&file, fast_config()).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.bodies().len(), 2);
    assert_eq!(h.query("M-OWED").await.status(), Some("SUCCESS"));
    stop(h, task).await;
}

#[tokio::test]
async fn a_file_of_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.sqlite");
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.pragma_update(None, "user_version", 9).unwrap();
    drop(conn);
    let err = Sandbox::open(fast_config(), &file).err().expect("refused");
    assert!(err.to_string().contains("schema 9"), "{err}");
}
