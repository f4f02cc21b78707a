//! Each fault knob once, set through the Rust API or `PUT /control/faults`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use pingpong_protocol::biz::Notification;
use pingpong_protocol::{Envelope, PaymentStatus};
use pingpong_sandbox::{Api, Faults, SandboxConfig};
use serde_json::json;

#[tokio::test]
async fn faults_are_read_and_set_over_http() {
    let h = start().await;
    let r = h
        .http
        .put(format!("{}/control/faults", h.url))
        .json(&json!({ "http5xx": 2, "apis": ["query"], "lateSuccess": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let expect = Faults {
        http_5xx: 2,
        apis: vec![Api::Query],
        late_success: true,
        ..Faults::default()
    };
    assert_eq!(h.sandbox.faults(), expect);
    let (_, got) = h.get_json("/control/faults").await;
    assert_eq!(serde_json::from_value::<Faults>(got).unwrap(), expect);
    let bad = h
        .http
        .put(format!("{}/control/faults", h.url))
        .json(&json!({ "http5xx": -1 }))
        .send()
        .await
        .unwrap();
    assert!(bad.status().is_client_error());
}

#[tokio::test]
async fn http_5xx_answers_without_processing_and_can_target_one_api() {
    let h = start().await;
    h.sandbox.set_faults(Faults {
        http_5xx: 2,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let biz = order("M-F1", "R-F1", "1.00");
    let q = h
        .call(QUERY, &json!({ "merchantTransactionId": "M-F1" }))
        .await;
    assert_eq!(q.code(), "107001", "query is not targeted");
    for _ in 0..2 {
        let mut env = Envelope::request(
            &h.account.acc_id,
            &h.account.client_id,
            Default::default(),
            biz.to_string(),
        );
        env.sign(&h.account.salt).unwrap();
        let (status, _) = h.post_raw(UNIFIED_PAY, &env.to_json()).await;
        assert_eq!(status, 503);
    }
    assert_eq!(h.sandbox.stats().orders, 0, "not processed");
    h.create(&biz).await;
    let stats = h.sandbox.stats();
    assert_eq!((stats.orders, stats.requests_to(UNIFIED_PAY)), (1, 3));
    // The request log has every call as it arrived, with the status it got.
    let log: Vec<_> = h
        .sandbox
        .requests()
        .into_iter()
        .map(|r| (r.path, r.http_status))
        .collect();
    assert_eq!(
        log,
        [
            (QUERY.to_owned(), 200),
            (UNIFIED_PAY.to_owned(), 503),
            (UNIFIED_PAY.to_owned(), 503),
            (UNIFIED_PAY.to_owned(), 200),
        ]
    );
    let bodies: Vec<_> = h.sandbox.requests().into_iter().map(|r| r.body).collect();
    let faulted = Envelope::parse(bodies[1].as_bytes()).unwrap();
    faulted.verify(&h.account.salt).unwrap();
    assert_eq!(faulted.biz_content().unwrap(), biz.to_string());
    assert_eq!(bodies[1], bodies[2], "the same signed body, byte for byte");
}

#[tokio::test]
async fn no_answer_processes_then_hangs_and_a_retry_gets_the_first_answer() {
    let h = start_with(SandboxConfig {
        no_answer_hold: Duration::from_secs(5),
        ..fast_config()
    })
    .await;
    h.sandbox.set_faults(Faults {
        no_answer: 1,
        ..Faults::default()
    });
    let biz = order("M-F2", "R-F2", "1.00");
    let mut env = Envelope::request(
        &h.account.acc_id,
        &h.account.client_id,
        Default::default(),
        biz.to_string(),
    );
    env.sign(&h.account.salt).unwrap();
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = impatient
        .post(format!("{}{UNIFIED_PAY}", h.url))
        .body(env.to_json())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    let rec = h.sandbox.order("M-F2").expect("the call was processed");
    let retry = h.create(&biz).await;
    assert_eq!(retry.str("transactionId"), rec.transaction_id);
    assert_eq!(h.sandbox.stats().orders, 1);
}

#[tokio::test]
async fn latency_delays_targeted_calls() {
    let h = start().await;
    h.sandbox.set_faults(Faults {
        latency_ms: 300,
        apis: vec![Api::Query],
        ..Faults::default()
    });
    let started = Instant::now();
    h.call(QUERY, &json!({ "merchantTransactionId": "M-F3" }))
        .await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    h.call(
        REFUND_QUERY,
        &json!({ "merchantTransactionId": "M-F3", "merchantRefundId": "X" }),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "refund query is not targeted"
    );
}

#[tokio::test]
async fn late_success_pays_a_closed_order_and_notifies_it() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Ok]).await;
    let mut biz = order("M-F4", "R-F4", "6.00");
    biz["notificationUrl"] = json!(rx.url);
    let a = h.create(&biz).await;
    h.sandbox.expire("M-F4").unwrap();
    assert_eq!(h.query("M-F4").await.status(), Some("CLOSED"));
    h.sandbox.set_faults(Faults {
        late_success: true,
        ..Faults::default()
    });
    let (status, view) = h.wallet(a.str("qrCode"), "pay").await;
    assert_eq!(
        (
            status,
            view["status"].as_str(),
            view["lateSuccess"].as_bool()
        ),
        (200, Some("SUCCESS"), Some(true))
    );
    assert_eq!(h.query("M-F4").await.status(), Some("SUCCESS"));
    let body = &rx.wait_for(1).await[0];
    let env = Envelope::parse(body.as_bytes()).unwrap();
    let Notification::Payment(p) = Notification::parse(env.biz_content().unwrap()).unwrap() else {
        panic!()
    };
    assert_eq!(p.status, PaymentStatus::Success);
}

#[tokio::test]
async fn refund_failure_ends_refunds_failed_and_frees_the_balance() {
    let h = start().await;
    h.paid_order("M-F5", "5.00").await;
    h.sandbox.set_faults(Faults {
        refund_failure: true,
        ..Faults::default()
    });
    h.call(REFUND, &refund("M-F5", "RF-F5-1", "5.00")).await;
    h.sandbox.set_faults(Faults::default());
    wait_until("the refund fails", async || {
        let q = h
            .call(
                REFUND_QUERY,
                &json!({ "merchantTransactionId": "M-F5", "merchantRefundId": "RF-F5-1" }),
            )
            .await;
        q.status() == Some("FAILED")
    })
    .await;
    let q = h
        .call(
            REFUND_QUERY,
            &json!({ "merchantTransactionId": "M-F5", "merchantRefundId": "RF-F5-1" }),
        )
        .await;
    assert_eq!(q.str("resultCode"), "303000");
    let again = h.call(REFUND, &refund("M-F5", "RF-F5-2", "5.00")).await;
    assert_eq!(again.code(), "002000", "a FAILED refund holds no balance");
}
