//! A proxy restarted on the same SQLite file loses nothing: orders, refunds, and events
//! (served again after reconnecting with Last-Event-ID). In the first test the sandbox runs
//! on its own listener, so it outlives the proxy like PingPong would; in the second, demo
//! mode is killed with its embedded sandbox, whose state file brings it back too; in the
//! third, the file was made by the single-merchant version and is migrated on start.

mod common;

use common::*;
use pingpong_protocol::{Api, Envelope, SignType};
use pingpong_qr_proxy::{sandbox_database, start};
use pingpong_sandbox::Account;
use serde_json::{Value, json};

#[tokio::test]
async fn a_restart_on_the_same_file_loses_nothing() {
    let a = Account::sandbox_a();
    let upstream = StandaloneSandbox::start(vec![a.clone()]).await;
    let mut h = pingpong_harness(&upstream.sandbox, &upstream.url, &a, |_| {}).await;
    let addr = h.proxy().addr();

    // Before: a paid order with a refund, and an open order.
    let mut events = h.events(DEMO, None).await;
    let paid = h.paid_payment("10.00").await;
    let paid_id = paid["merchantTransactionId"].as_str().unwrap().to_owned();
    let r = h
        .post(
            &format!("/v1/payments/{paid_id}/refunds"),
            DEMO,
            json!({ "amount": "2.00", "merchantRefundId": "RF-R-1" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    h.await_refund(&paid_id, "RF-R-1", "SUCCESS").await;
    let open = h.usd_payment("4.00").await;
    let open_id = open["merchantTransactionId"].as_str().unwrap().to_owned();
    let mut seen = Vec::new();
    loop {
        let e = events.next().await;
        let done = e.data["merchantTransactionId"] == open_id.as_str();
        seen.push(e);
        if done {
            break;
        }
    }
    let last_seen = seen.last().unwrap().id;
    drop(events);
    h.shutdown().await;

    // While the proxy is down the open order is paid; PingPong's push cannot land.
    upstream
        .sandbox
        .pay(open["transactionId"].as_str().unwrap())
        .unwrap();

    // Same file, same address.
    let mut config = pingpong_config(h.dir.path(), &upstream.url, &a);
    config.listen = addr;
    let proxy = start(config).await.expect("restarts on the same file");
    h.proxy = Some(proxy);

    // It knows the orders and the refund without asking PingPong.
    let sent = h.upstream_requests();
    let got = h.get(&format!("/v1/payments/{paid_id}"), DEMO).await;
    assert_eq!(got.json["status"], "SUCCESS", "{}", got.text);
    assert_eq!(got.json["refundedAmount"], "2.00");
    assert_eq!(got.json["refundableAmount"], "8.00");
    let rf = h
        .get(&format!("/v1/payments/{paid_id}/refunds/RF-R-1"), DEMO)
        .await;
    assert_eq!(rf.json["status"], "SUCCESS");
    assert_eq!(h.upstream_requests(), sent);

    // Reconnecting with Last-Event-ID: the payment made while it was down arrives, by the
    // sandbox's retried push or by the GET below, and nothing before it is repeated.
    let mut resumed = h.events(DEMO, Some(last_seen)).await;
    let got = h.await_payment(DEMO, &open_id, "SUCCESS").await;
    assert_eq!(got["lateSuccess"], false);
    let e = resumed.next().await;
    assert!(e.id > last_seen);
    assert_eq!(e.data["merchantTransactionId"], open_id.as_str());
    assert_eq!(e.data["status"], "SUCCESS");

    // From the start: the same events, same ids, as before the restart.
    let mut replay = h.events(SECOND, Some(0)).await;
    for before in &seen {
        let again = replay.next().await;
        assert_eq!((again.id, &again.event), (before.id, &before.event));
        assert_eq!(again.data["status"], before.data["status"]);
        assert_eq!(
            again.data["merchantTransactionId"],
            before.data["merchantTransactionId"]
        );
    }

    // Refunds still follow the balance: 10.00 − 2.00 refunded, 8.00 left.
    let refunds = format!("/v1/payments/{paid_id}/refunds");
    let sent = h.upstream_requests();
    let over = h.post(&refunds, DEMO, json!({ "amount": "8.01" })).await;
    assert_eq!(over.code(), "REFUND_EXCEEDS_BALANCE");
    let dup = h
        .post(
            &refunds,
            DEMO,
            json!({ "amount": "2.00", "merchantRefundId": "RF-R-1" }),
        )
        .await;
    assert_eq!(dup.status, 200);
    assert_eq!(h.upstream_requests(), sent);
    let r2 = h.post(&refunds, DEMO, json!({ "amount": "8.00" })).await;
    assert_eq!(r2.status, 201, "{}", r2.text);
    let mrid = r2.json["merchantRefundId"].as_str().unwrap();
    h.await_refund(&paid_id, mrid, "SUCCESS").await;
    assert_eq!(upstream.sandbox.stats().refunds, 2);
    assert_eq!(upstream.sandbox.stats().orders, 2);
    h.shutdown().await;
}

/// `make demo` killed with `kill -9` and started again on the same database and port: an
/// order left open can be read, paid in the wallet, completed and refunded; one paid before
/// can be refunded; re-sending the open order's create gives its view, whose QR still opens.
#[tokio::test]
async fn demo_mode_survives_kill_9_with_its_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let dirs = dir.path().to_str().unwrap();
    let args = |listen: &str| -> Vec<String> {
        [
            "--listen",
            listen,
            "--database",
            db.to_str().unwrap(),
            "--www",
            dirs,
            "--pkg",
            dirs,
            "--sandbox-time-scale",
            "0.001",
            "--sandbox-refund-delay-ms",
            "200",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let run = |listen: &str| {
        let a = args(listen);
        Binary::spawn(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    // No connection kept across the kill: a pooled one would be dead.
    let http = reqwest::Client::builder()
        .timeout(DEADLINE)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let proxy = run("127.0.0.1:0");
    let url = proxy.url.clone();
    let post = |path: String, body: Value| {
        send(
            http.post(format!("{url}{path}"))
                .bearer_auth(DEMO)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
    };
    let get = |path: String| send(http.get(format!("{url}{path}")).bearer_auth(DEMO));

    // Before: a paid order, and an open one.
    let paid = post(
        "/v1/payments".into(),
        json!({ "amount": "10.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "PQ-KILL-PAID" }),
    )
    .await;
    assert_eq!(paid.status, 201, "{}", paid.text);
    let r = http
        .post(format!("{}/pay", paid.json["qrCode"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    eventually("PQ-KILL-PAID SUCCESS", || async {
        (get("/v1/payments/PQ-KILL-PAID".into()).await.json["status"] == "SUCCESS").then_some(())
    })
    .await;
    let open_body = json!({ "amount": "4.00", "currency": "USD", "method": "WECHAT", "merchantTransactionId": "PQ-KILL-OPEN" });
    let open = post("/v1/payments".into(), open_body.clone()).await;
    assert_eq!(open.status, 201, "{}", open.text);
    proxy.kill();

    // Same database, same port.
    let proxy = run(url.trim_start_matches("http://"));
    assert_eq!(proxy.url, url);
    let got = get("/v1/payments/PQ-KILL-OPEN".into()).await;
    assert_eq!(
        (got.status, got.json["status"].as_str()),
        (200, Some("PROCESSING")),
        "{}",
        got.text
    );
    // The create re-sent: the same order, and its QR opens the wallet page.
    let again = post("/v1/payments".into(), open_body).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let qr = again.json["qrCode"].as_str().unwrap().to_owned();
    assert_eq!(qr, open.json["qrCode"].as_str().unwrap());
    let page = http.get(&qr).send().await.unwrap();
    assert_eq!(page.status(), 200, "the wallet page of the open order");
    let pay = http.post(format!("{qr}/pay")).send().await.unwrap();
    assert_eq!(pay.status(), 200, "{}", pay.text().await.unwrap());
    eventually("PQ-KILL-OPEN SUCCESS", || async {
        (get("/v1/payments/PQ-KILL-OPEN".into()).await.json["status"] == "SUCCESS").then_some(())
    })
    .await;
    // Completed after the restart, it is refunded too.
    let refund = post(
        "/v1/payments/PQ-KILL-OPEN/refunds".into(),
        json!({ "amount": "1.50", "merchantRefundId": "RF-KILL-OPEN" }),
    )
    .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    eventually("RF-KILL-OPEN SUCCESS", || async {
        let r = get("/v1/payments/PQ-KILL-OPEN/refunds/RF-KILL-OPEN".into()).await;
        (r.json["status"] == "SUCCESS").then_some(())
    })
    .await;
    // The order paid before the kill is refunded.
    let refund = post(
        "/v1/payments/PQ-KILL-PAID/refunds".into(),
        json!({ "amount": "2.00", "merchantRefundId": "RF-KILL-1" }),
    )
    .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    eventually("RF-KILL-1 SUCCESS", || async {
        let r = get("/v1/payments/PQ-KILL-PAID/refunds/RF-KILL-1".into()).await;
        (r.json["status"] == "SUCCESS").then_some(())
    })
    .await;
    assert!(sandbox_database(&db).exists());
    proxy.kill();
}

/// A journal as the single-merchant version (schema 1) left it: order OLD-1 of 10.00 USD,
/// paid, with transactionId `tid`, and its two events in DEMO-STORE.
fn single_merchant_journal(path: &std::path::Path, tid: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(include_str!("../migrations/sqlite/0001_initial.sql"))
        .unwrap();
    conn.execute_batch(&format!(
        "PRAGMA user_version = 1;
         INSERT INTO orders VALUES ('OLD-1', 'DEMO-STORE', 'DEMO-POS-1', 1000, 'USD', 'ALIPAY',
             300, NULL, 'v1|1000|USD|ALIPAY|300|', 'accepted', 'SUCCESS', '{tid}', NULL, NULL,
             NULL, '000000', 'ok', 0, 1, 2);
         INSERT INTO attempts VALUES ('OLD-1-DIRECT', 'OLD-1', '{{}}', 1);
         INSERT INTO events (store_id, kind, merchant_transaction_id, data, at)
             VALUES ('DEMO-STORE', 'payment', 'OLD-1',
                     '{{\"merchantTransactionId\":\"OLD-1\",\"status\":\"PROCESSING\"}}', 1),
                    ('DEMO-STORE', 'payment', 'OLD-1',
                     '{{\"merchantTransactionId\":\"OLD-1\",\"status\":\"SUCCESS\"}}', 2);"
    ))
    .unwrap();
}

#[tokio::test]
async fn a_journal_of_the_single_merchant_version_is_migrated_on_start() {
    let a = Account::sandbox_a();
    let upstream = StandaloneSandbox::start(vec![a.clone()]).await;
    // PingPong knows the old order: created and paid before the upgrade.
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let created = upstream
        .call(
            &a,
            Api::UnifiedPay.path(),
            &json!({
                "merchantTransactionId": "OLD-1", "requestId": "OLD-1-DIRECT", "amount": "10.00",
                "currency": "USD", "captureDelayHours": 0, "cashierDeviceId": "DEMO-POS-1",
                "paymentMethod": { "type": "AlipayCN-Offline" },
                "timeExpire": (now_s + 300).to_string(),
            }),
        )
        .await;
    let biz: serde_json::Value = serde_json::from_str(created.biz_content().unwrap()).unwrap();
    let tid = biz["transactionId"].as_str().unwrap().to_owned();
    upstream.sandbox.pay(&tid).unwrap();

    let dir = tempfile::tempdir().unwrap();
    single_merchant_journal(&dir.path().join("journal.sqlite"), &tid);
    let config = pingpong_config(dir.path(), &upstream.url, &a);
    let proxy = start(config).await.expect("starts on a version-1 journal");
    let h = Harness {
        url: proxy.url().to_owned(),
        proxy: Some(proxy),
        http: client(),
        dir,
        sandbox: upstream.sandbox.clone(),
    };
    // The old order is the merchant `default`'s: its registers see it, from the journal.
    let sent = h.upstream_requests();
    let old = h.get("/v1/payments/OLD-1", DEMO).await;
    assert_eq!(
        (old.status, old.json["status"].as_str()),
        (200, Some("SUCCESS")),
        "{}",
        old.text
    );
    assert_eq!(old.json["transactionId"].as_str(), Some(tid.as_str()));
    assert_eq!(
        h.upstream_requests(),
        sent,
        "SUCCESS answered from the journal"
    );
    assert_eq!(h.get("/v1/payments/OLD-1", OTHER).await.status, 403);
    // Its events keep their numbers: a register resumes after the one it saw.
    let mut resumed = h.events(SECOND, Some(1)).await;
    let e = resumed.next().await;
    assert_eq!((e.id, e.data["status"].as_str()), (2, Some("SUCCESS")));
    // It is refunded as any order; new events follow the old ones.
    let r = h
        .post(
            "/v1/payments/OLD-1/refunds",
            DEMO,
            json!({ "amount": "3.00", "merchantRefundId": "RF-OLD-1" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    h.await_refund("OLD-1", "RF-OLD-1", "SUCCESS").await;
    let e = resumed.next_where(|e| e.event == "refund").await;
    assert!(e.id > 2);
    // PingPong's pushes for it still reach the path it was created with.
    let mut push = Envelope::response(
        &a.acc_id,
        &a.client_id,
        SignType::Sha256,
        "000000",
        "ok",
        json!({ "notifyType": "RECHARGE", "merchantTransactionId": "OLD-1", "transactionId": tid,
                "status": "SUCCESS", "amount": "10.000000", "currency": "USD",
                "requestId": "OLD-1-DIRECT" })
        .to_string(),
    );
    push.sign(&a.salt).unwrap();
    let n = send(
        h.http
            .post(format!("{}/notify/pingpong", h.url))
            .header("content-type", "application/json")
            .body(push.to_json()),
    )
    .await;
    assert_eq!(n.status, 200, "{}", n.text);
}
