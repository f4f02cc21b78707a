//! PingPong's pushes, correctly signed but not to be believed as they stand: a push signed
//! in another algorithm than the merchant account's (and an answer re-signed so), and
//! signed pushes that disagree with the journaled order (amount, currency, clientId, ids,
//! result code). None moves an order or a refund; each gets a non-2xx so PingPong sends it
//! again; the disagreements are logged as anomalies, without a secret; where in doubt the
//! proxy asks PingPong and believes the query.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use common::*;
use pingpong_protocol::{Envelope, SignType};
use pingpong_qr_proxy::{Upstream, UpstreamTimeouts};
use pingpong_sandbox::{Account, Api, Faults};
use rusqlite::Connection;
use serde_json::{Value, json};

/// Every log line of this test binary (all tests share one subscriber).
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = Captured(buf.clone());
        tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        buf
    })
}

#[derive(Clone)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log_text() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap()).into_owned()
}

/// A push in the notification envelope, signed with `salt` in `sign_type`.
fn push(
    acc: &str,
    client: Option<&str>,
    sign_type: SignType,
    code: &str,
    biz: &Value,
    salt: &str,
) -> String {
    let mut env = Envelope::response(
        acc,
        client.unwrap_or(""),
        sign_type,
        code,
        "Transaction succeeded",
        biz.to_string(),
    );
    if client.is_none() {
        env.remove("clientId");
    }
    env.sign(salt).unwrap();
    env.to_json()
}

async fn notify(h: &Harness, body: String) -> Reply {
    send(
        h.http
            .post(format!("{}/notify/pingpong", h.url))
            .header("content-type", "application/json")
            .body(body),
    )
    .await
}

fn journal(h: &Harness) -> Connection {
    Connection::open(h.dir.path().join("journal.sqlite")).unwrap()
}

fn count(c: &Connection, table: &str) -> i64 {
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn status(c: &Connection, mtid: &str) -> String {
    c.query_row(
        "SELECT status FROM orders WHERE merchant_transaction_id = ?1",
        [mtid],
        |r| r.get(0),
    )
    .unwrap()
}

/// An open 12.50 USD order of the demo register, with the sandbox's own pushes dropped:
/// (order view, its requestId).
async fn open_order(h: &Harness) -> (Value, String) {
    h.sandbox.set_faults(Faults {
        drop_notifications: 1_000,
        ..Faults::default()
    });
    let p = h.usd_payment("12.50").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap();
    let request_id = h.sandbox.order(mtid).unwrap().attempts[0]
        .request_id
        .clone();
    (p, request_id)
}

#[tokio::test]
async fn a_push_signed_in_another_algorithm_than_the_accounts_is_refused() {
    let _ = logs();
    let a = Account::sandbox_a();
    for configured in [SignType::Sha256, SignType::Md5] {
        let upstream = StandaloneSandbox::start(vec![a.clone()]).await;
        let h = pingpong_harness(&upstream.sandbox, &upstream.url, &a, |c| {
            if let Upstream::PingPong(account) = &mut c.upstream {
                account.sign_type = configured;
            }
        })
        .await;
        let (p, request_id) = open_order(&h).await;
        let mtid = p["merchantTransactionId"].as_str().unwrap();
        let success = json!({
            "notifyType": "RECHARGE", "merchantTransactionId": mtid, "transactionId": p["transactionId"],
            "requestId": request_id, "status": "SUCCESS", "amount": "12.500000", "currency": "USD",
            "resultCode": "000000"
        });
        let other = if configured == SignType::Sha256 {
            SignType::Md5
        } else {
            SignType::Sha256
        };
        let db = journal(&h);
        let before = (count(&db, "notifications"), count(&db, "events"));
        // Signed with the right salt, in the algorithm the push chose: refused.
        let r = notify(
            &h,
            push(
                &a.acc_id,
                Some(&a.client_id),
                other,
                "000000",
                &success,
                &a.salt,
            ),
        )
        .await;
        assert_eq!(
            (r.status, r.code()),
            (401, "UNAUTHORIZED"),
            "{configured}: {}",
            r.text
        );
        assert!(
            r.text
                .contains(&format!("signType is not this merchant's ({configured})"))
        );
        assert_eq!(status(&db, mtid), "PROCESSING", "{configured}");
        assert_eq!((count(&db, "notifications"), count(&db, "events")), before);
        // The same push in the account's algorithm is taken.
        let r = notify(
            &h,
            push(
                &a.acc_id,
                Some(&a.client_id),
                configured,
                "000000",
                &success,
                &a.salt,
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{configured}: {}", r.text);
        assert_eq!(status(&db, mtid), "SUCCESS");
    }
}

/// Between the proxy and the sandbox: re-signs every answer in `sign_type` with the right
/// salt, so only the algorithm differs from what the proxy asked in.
#[derive(Clone)]
struct Resigner {
    target: String,
    sign_type: SignType,
}

async fn resign(State(r): State<Resigner>, uri: Uri, body: Bytes) -> impl IntoResponse {
    let answer = client()
        .post(format!("{}{}", r.target, uri.path()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut env = Envelope::parse(&answer).unwrap();
    env.set("signType", r.sign_type.as_str());
    env.sign(&Account::sandbox_a().salt).unwrap();
    ([("content-type", "application/json")], env.to_json())
}

#[tokio::test]
async fn an_answer_signed_in_another_algorithm_than_the_accounts_is_refused() {
    let _ = logs();
    let a = Account::sandbox_a();
    let upstream = StandaloneSandbox::start(vec![a.clone()]).await;
    let relay = Resigner {
        target: upstream.url.clone(),
        sign_type: SignType::Md5,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay_url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(axum::routing::post(resign))
        .with_state(relay);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let h = pingpong_harness(&upstream.sandbox, &relay_url, &a, |_| {}).await;
    let r = h
        .post(
            "/v1/payments",
            DEMO,
            json!({ "amount": "3.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "PQ-MD5-ANSWER" }),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (502, "UPSTREAM_BAD_SIGNATURE"),
        "{}",
        r.text
    );
    let db = journal(&h);
    assert_eq!(
        status(&db, "PQ-MD5-ANSWER"),
        "INIT",
        "the journal did not move"
    );
    // The exchange's audit record is a deferred write: committed a moment later.
    let outcome: String = eventually("the exchange journaled", || async {
        db.query_row(
            "SELECT outcome FROM exchanges ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok()
    })
    .await;
    assert_eq!(outcome, "bad-signature");
    // The sandbox did create it: the answer was genuine but for its algorithm.
    assert!(upstream.sandbox.order("PQ-MD5-ANSWER").is_some());
}

#[tokio::test]
async fn signed_pushes_that_disagree_with_the_order_are_refused_and_logged() {
    let _ = logs();
    let h = Harness::demo().await;
    let (p, request_id) = open_order(&h).await;
    let mtid = p["merchantTransactionId"].as_str().unwrap().to_owned();
    let txid = p["transactionId"].as_str().unwrap().to_owned();
    let a = Account::sandbox_a();
    let success = json!({
        "notifyType": "RECHARGE", "merchantTransactionId": mtid, "transactionId": txid,
        "requestId": request_id, "status": "SUCCESS", "amount": "12.500000", "currency": "USD",
        "resultCode": "000000"
    });
    let edit = |key: &str, value: Value| {
        let mut b = success.clone();
        if value.is_null() {
            b.as_object_mut().unwrap().remove(key);
        } else {
            b[key] = value;
        }
        b
    };
    let sha = SignType::Sha256;
    let (acc, client, salt) = (a.acc_id.as_str(), a.client_id.as_str(), a.salt.as_str());
    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "amount 0.010000",
            push(
                acc,
                Some(client),
                sha,
                "000000",
                &edit("amount", json!("0.010000")),
                salt,
            ),
            409,
            "amount",
        ),
        (
            "amount 1250",
            push(
                acc,
                Some(client),
                sha,
                "000000",
                &edit("amount", json!("1250")),
                salt,
            ),
            409,
            "amount",
        ),
        (
            "currency JPY",
            push(
                acc,
                Some(client),
                sha,
                "000000",
                &edit("currency", json!("JPY")),
                salt,
            ),
            409,
            "currency",
        ),
        (
            "another transactionId",
            push(
                acc,
                Some(client),
                sha,
                "000000",
                &edit("transactionId", json!("2026010199999999")),
                salt,
            ),
            409,
            "transactionId",
        ),
        (
            "an unknown requestId",
            push(
                acc,
                Some(client),
                sha,
                "000000",
                &edit("requestId", json!("RQ-NOT-OURS")),
                salt,
            ),
            409,
            "requestId",
        ),
        (
            "no requestId",
            push(
                acc,
                Some(client),
                sha,
                "000000",
                &edit("requestId", Value::Null),
                salt,
            ),
            409,
            "requestId",
        ),
        (
            "envelope code 500000",
            push(acc, Some(client), sha, "500000", &success, salt),
            409,
            "code",
        ),
        (
            "envelope code 002000",
            push(acc, Some(client), sha, "002000", &success, salt),
            409,
            "code",
        ),
        (
            "resultCode 301099",
            push(
                acc,
                Some(client),
                sha,
                "000000",
                &edit("resultCode", json!("301099")),
                salt,
            ),
            409,
            "resultCode",
        ),
        (
            "a wrong clientId",
            push(
                acc,
                Some("2018092714313010099"),
                sha,
                "000000",
                &success,
                salt,
            ),
            401,
            "clientId",
        ),
        (
            "no clientId",
            push(acc, None, sha, "000000", &success, salt),
            401,
            "clientId",
        ),
    ];
    let db = journal(&h);
    let before = (count(&db, "notifications"), count(&db, "events"));
    let queries = |h: &Harness| h.stats().requests_to(Api::Query.path());
    for (name, body, want, field) in &cases {
        let asked = queries(&h);
        let r = notify(&h, body.clone()).await;
        let code = if *want == 401 {
            "UNAUTHORIZED"
        } else {
            "NOTIFICATION_MISMATCH"
        };
        assert_eq!((r.status, r.code()), (*want, code), "{name}: {}", r.text);
        assert!(r.text.contains(field), "{name}: {}", r.text);
        assert_eq!(status(&db, &mtid), "PROCESSING", "{name} moved the order");
        let view = h.get(&format!("/v1/payments/{mtid}"), DEMO).await;
        assert_eq!(
            (
                view.json["status"].as_str(),
                view.json["refundableAmount"].as_str()
            ),
            (Some("PROCESSING"), Some("0.00")),
            "{name}"
        );
        if *want == 409 {
            // It asked PingPong (and believed its PROCESSING).
            assert!(queries(&h) > asked, "{name}: no query");
        }
    }
    assert_eq!(
        (count(&db, "notifications"), count(&db, "events")),
        before,
        "a disagreeing push was journaled or emitted"
    );
    // Each disagreement is an anomaly in the log, naming the field; the salt is nowhere.
    let log = log_text();
    for field in [
        "amount",
        "currency",
        "transactionId",
        "requestId",
        "code",
        "resultCode",
    ] {
        assert!(
            log.lines().any(|l| l.contains("WARN")
                && l.contains("anomaly")
                && l.contains(&format!("field=\"{field}\""))),
            "no anomaly logged for {field}"
        );
    }
    assert!(!log.contains(&a.salt), "the salt is in the log");

    // The genuine push is still taken (the refused ones left no trace in the dedup key).
    let r = notify(&h, push(acc, Some(client), sha, "000000", &success, salt)).await;
    assert_eq!(
        (r.status, r.json["duplicate"].as_bool()),
        (200, Some(false)),
        "{}",
        r.text
    );
    assert_eq!(status(&db, &mtid), "SUCCESS");
}

/// A push that disagrees about an order that is in fact paid: refused all the same, but
/// the query it triggers finds SUCCESS, which the journal takes (PingPong's answer to the
/// proxy's own query is believed, never the push).
#[tokio::test]
async fn the_query_after_a_disagreeing_push_is_believed() {
    let _ = logs();
    let h = Harness::demo().await;
    let (p, request_id) = open_order(&h).await;
    let mtid = p["merchantTransactionId"].as_str().unwrap().to_owned();
    h.pay(&p).await; // its notification is dropped
    let a = Account::sandbox_a();
    let wrong = json!({
        "notifyType": "RECHARGE", "merchantTransactionId": mtid, "transactionId": p["transactionId"],
        "requestId": request_id, "status": "SUCCESS", "amount": "0.010000", "currency": "USD",
        "resultCode": "000000"
    });
    let mut events = h.events(DEMO, Some(0)).await;
    let r = notify(
        &h,
        push(
            &a.acc_id,
            Some(&a.client_id),
            SignType::Sha256,
            "000000",
            &wrong,
            &a.salt,
        ),
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "NOTIFICATION_MISMATCH"),
        "{}",
        r.text
    );
    let db = journal(&h);
    assert_eq!(
        status(&db, &mtid),
        "SUCCESS",
        "the query's SUCCESS was taken"
    );
    assert_eq!(
        count(&db, "notifications"),
        0,
        "the push itself was not journaled"
    );
    let e = events.next_where(|e| e.data["status"] == "SUCCESS").await;
    assert_eq!(
        e.data["refundableAmount"], "12.50",
        "the order's amount, not the push's"
    );
}

/// In doubt — the create's answer was lost, so the journal has no transactionId to compare
/// with — the proxy queries, learns the order from PingPong, and then takes the push.
#[tokio::test]
async fn a_push_in_doubt_is_settled_by_a_query() {
    let _ = logs();
    let h = Harness::demo_with(|c| {
        c.timeouts = UpstreamTimeouts {
            request: std::time::Duration::from_millis(800),
            ..UpstreamTimeouts::default()
        };
    })
    .await;
    h.sandbox.set_faults(Faults {
        no_answer: 1,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let r = h
        .post(
            "/v1/payments",
            DEMO,
            json!({ "amount": "5.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "PQ-DOUBT-1" }),
        )
        .await;
    assert_eq!(r.code(), "UNKNOWN_OUTCOME", "{}", r.text);
    let db = journal(&h);
    let txid: Option<String> = db
        .query_row(
            "SELECT transaction_id FROM orders WHERE merchant_transaction_id = 'PQ-DOUBT-1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(txid, None, "the journal does not know the transactionId");
    // The consumer pays; the sandbox's genuine push reaches a proxy in doubt.
    let order = h.sandbox.order("PQ-DOUBT-1").unwrap();
    h.sandbox.pay(&order.transaction_id).unwrap();
    eventually("the push taken", || async {
        let delivered = h.sandbox.order("PQ-DOUBT-1").unwrap().notifications[0]
            .deliveries
            .iter()
            .any(|d| d.accepted);
        delivered.then_some(())
    })
    .await;
    assert_eq!(status(&db, "PQ-DOUBT-1"), "SUCCESS");
    let first = &h.sandbox.order("PQ-DOUBT-1").unwrap().notifications[0].deliveries[0];
    assert_eq!(
        first.http_status,
        Some(200),
        "taken at the first delivery: {first:?}"
    );
    assert!(log_text().contains("the query settled the doubt"));
}

/// A refund push about the right refund but another amount is refused; the refund stays
/// PROCESSING (PingPong's query says so too) until the genuine one.
#[tokio::test]
async fn a_refund_push_that_disagrees_is_refused() {
    let _ = logs();
    let h = Harness::demo_with(|c| {
        c.upstream = Upstream::Demo(pingpong_qr_proxy::SandboxOptions {
            refund_delay: std::time::Duration::from_secs(600),
            ..fast_sandbox()
        });
    })
    .await;
    let paid = h.paid_payment("10.00").await;
    let mtid = paid["merchantTransactionId"].as_str().unwrap().to_owned();
    h.sandbox.set_faults(Faults {
        drop_notifications: 1_000,
        ..Faults::default()
    });
    let r = h
        .post(
            &format!("/v1/payments/{mtid}/refunds"),
            DEMO,
            json!({ "amount": "2.00", "merchantRefundId": "RF-DISAGREE-1" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let refund_id = h.sandbox.order(&mtid).unwrap().refunds[0].refund_id.clone();
    let a = Account::sandbox_a();
    let biz = |amount: &str| {
        json!({ "notifyType": "REFUND", "merchantTransactionId": mtid, "merchantRefundId": "RF-DISAGREE-1",
                "refundId": refund_id, "status": "SUCCESS", "amount": amount, "currency": "USD" })
    };
    let sign = |b: &Value| {
        push(
            &a.acc_id,
            Some(&a.client_id),
            SignType::Sha256,
            "000000",
            b,
            &a.salt,
        )
    };
    let r = notify(&h, sign(&biz("10.000000"))).await;
    assert_eq!(
        (r.status, r.code()),
        (409, "NOTIFICATION_MISMATCH"),
        "{}",
        r.text
    );
    let refund = |db: &Connection| -> String {
        db.query_row(
            "SELECT status FROM refunds WHERE merchant_refund_id = 'RF-DISAGREE-1'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let db = journal(&h);
    assert_eq!(refund(&db), "PROCESSING");
    let r = notify(&h, sign(&biz("2.000000"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(refund(&db), "SUCCESS");
}
