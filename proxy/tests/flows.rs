//! The payment and refund flows over real HTTP: proxy + embedded sandbox on loopback.

mod common;

use common::*;
use pingpong_protocol::Envelope;
use pingpong_sandbox::{Account, Api, Faults};
use serde_json::json;

#[tokio::test]
async fn a_paid_payment_ends_in_an_sse_event() {
    let h = Harness::demo().await;
    let mut events = h.events(DEMO, None).await;
    let before = pingpong_qr_proxy_now();
    let p = h
        .create_payment(
            DEMO,
            json!({ "amount": "12.50", "currency": "USD", "method": "ALIPAY", "expiresInSeconds": 300, "remark": "table 4" }),
        )
        .await;
    let mtid = p["merchantTransactionId"].as_str().unwrap().to_owned();
    assert!(mtid.starts_with("PQ"), "generated id {mtid}");
    assert_eq!(p["status"], "PROCESSING");
    assert_eq!(p["amount"], "12.50");
    assert_eq!(p["method"], "ALIPAY");
    assert_eq!(p["remark"], "table 4");
    let qr = p["qrCode"].as_str().unwrap();
    assert!(
        qr.starts_with(&format!("{}/sandbox/wallet/", h.url)),
        "{qr}"
    );
    assert!(p["qrCodeExpiredAt"].as_u64().unwrap() > before + 290_000);
    assert!(p["serverTime"].as_u64().unwrap() >= before);

    // The policy: the proxy set the register's device, its notification URLs and the method name.
    let order = h.sandbox.order(&mtid).expect("the sandbox has the order");
    assert_eq!(order.cashier_device_id, "DEMO-POS-1");
    assert_eq!(order.method, "AlipayCN-Offline");
    let notify = format!("{}/notify/pingpong/default", h.url);
    assert_eq!(order.notification_url.as_deref(), Some(notify.as_str()));
    assert_eq!(
        order.close_notification_url.as_deref(),
        Some(notify.as_str())
    );

    let created = events.next().await;
    assert_eq!(created.event, "payment");
    assert_eq!(created.data["status"], "PROCESSING");
    h.pay(&p).await;
    let paid = events
        .next_where(|e| e.data["merchantTransactionId"] == mtid.as_str())
        .await;
    assert_eq!(paid.event, "payment");
    assert_eq!(paid.data["status"], "SUCCESS");
    assert!(paid.id > created.id);
    assert_eq!(paid.data["lateSuccess"], false);
    assert_eq!(paid.data["refundableAmount"], "12.50");
    assert!(paid.data["qrCode"].is_null(), "no QR once paid");

    let got = h.get(&format!("/v1/payments/{mtid}"), DEMO).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json["status"], "SUCCESS");
    assert!(got.json["transactionId"].is_string());
}

fn pingpong_qr_proxy_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test]
async fn an_expired_order_turns_closed_with_an_event() {
    let h = Harness::demo().await;
    let mut events = h.events(SECOND, None).await;
    let p = h.usd_payment("3.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap();
    let r = h
        .http
        .post(format!("{}/sandbox/control/orders/{mtid}/expire", h.url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    // Another register of the same store hears of it: pushed by the close notification.
    let closed = events.next_where(|e| e.data["status"] == "CLOSED").await;
    assert_eq!(closed.data["merchantTransactionId"], mtid);
    assert!(closed.data["qrCode"].is_null());
    let got = h.get(&format!("/v1/payments/{mtid}"), DEMO).await;
    assert_eq!(got.json["status"], "CLOSED");
    assert_eq!(got.json["refundableAmount"], "0.00");
}

#[tokio::test]
async fn a_success_after_closed_is_reported_as_late() {
    let h = Harness::demo().await;
    h.sandbox.set_faults(Faults {
        late_success: true,
        ..Faults::default()
    });
    let mut events = h.events(DEMO, None).await;
    let p = h.usd_payment("4.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap().to_owned();
    h.sandbox.expire(&mtid).unwrap();
    events.next_where(|e| e.data["status"] == "CLOSED").await;
    h.pay(&p).await;
    let late = events.next_where(|e| e.data["status"] == "SUCCESS").await;
    assert_eq!(late.data["lateSuccess"], true);
    let got = h.await_payment(DEMO, &mtid, "SUCCESS").await;
    assert_eq!(got["lateSuccess"], true);
}

#[tokio::test]
async fn partial_refunds_and_local_refusals() {
    let h = Harness::demo().await;
    let p = h.paid_payment("10.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap();
    let refunds = format!("/v1/payments/{mtid}/refunds");

    let r1 = h
        .post(
            &refunds,
            DEMO,
            json!({ "amount": "3.00", "merchantRefundId": "RF-A-1" }),
        )
        .await;
    assert_eq!(r1.status, 201, "{}", r1.text);
    assert_eq!(r1.json["status"], "PROCESSING");
    assert_eq!(h.stats().refunds, 1);

    // The same refund again: answered from the journal, nothing new upstream.
    let sent = h.upstream_requests();
    let again = h
        .post(
            &refunds,
            DEMO,
            json!({ "amount": "3.00", "merchantRefundId": "RF-A-1" }),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["merchantRefundId"], "RF-A-1");
    // A second refund while the first is in flight: refused locally.
    let busy = h.post(&refunds, DEMO, json!({ "amount": "1.00" })).await;
    assert_eq!(
        (busy.status, busy.code()),
        (409, "REFUND_IN_PROGRESS"),
        "{}",
        busy.text
    );
    assert!(busy.text.contains("RF-A-1"));
    // The same id with another amount: a conflict.
    let conflict = h
        .post(
            &refunds,
            DEMO,
            json!({ "amount": "2.00", "merchantRefundId": "RF-A-1" }),
        )
        .await;
    assert_eq!((conflict.status, conflict.code()), (409, "ID_CONFLICT"));
    assert_eq!(
        h.upstream_requests(),
        sent,
        "no upstream call for local answers"
    );

    h.await_refund(mtid, "RF-A-1", "SUCCESS").await;
    // 10.00 − 3.00 leaves 7.00: 7.01 is refused without any upstream call.
    let sent = h.upstream_requests();
    let over = h.post(&refunds, DEMO, json!({ "amount": "7.01" })).await;
    assert_eq!(
        (over.status, over.code()),
        (422, "REFUND_EXCEEDS_BALANCE"),
        "{}",
        over.text
    );
    assert!(over.text.contains("7.00"));
    assert_eq!(h.upstream_requests(), sent);

    let r2 = h.post(&refunds, DEMO, json!({ "amount": "7.00" })).await;
    assert_eq!(r2.status, 201, "{}", r2.text);
    let mrid2 = r2.json["merchantRefundId"].as_str().unwrap();
    assert!(mrid2.starts_with("RF"), "generated {mrid2}");
    h.await_refund(mtid, mrid2, "SUCCESS").await;
    let got = h.get(&format!("/v1/payments/{mtid}"), DEMO).await;
    assert_eq!(got.json["refundedAmount"], "10.00");
    assert_eq!(got.json["refundableAmount"], "0.00");
    assert_eq!(h.stats().refunds, 2);

    let sent = h.upstream_requests();
    let none_left = h.post(&refunds, DEMO, json!({ "amount": "0.01" })).await;
    assert_eq!(none_left.code(), "REFUND_EXCEEDS_BALANCE");
    assert_eq!(h.upstream_requests(), sent);
}

#[tokio::test]
async fn only_a_successful_payment_is_refundable() {
    let h = Harness::demo().await;
    let p = h.usd_payment("5.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap();
    let sent = h.upstream_requests();
    let r = h
        .post(
            &format!("/v1/payments/{mtid}/refunds"),
            DEMO,
            json!({ "amount": "1.00" }),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "PAYMENT_NOT_REFUNDABLE"),
        "{}",
        r.text
    );
    assert_eq!(h.upstream_requests(), sent);
}

#[tokio::test]
async fn a_retried_create_gives_one_order() {
    let h = Harness::demo().await;
    let body = json!({ "amount": "8.00", "currency": "USD", "method": "WECHAT", "merchantTransactionId": "ORDER-RETRY-1" });
    let first = h.post("/v1/payments", DEMO, body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    // Retries, three of them at once, from two registers of the store.
    let (a, b, c) = tokio::join!(
        h.post("/v1/payments", DEMO, body.clone()),
        h.post("/v1/payments", SECOND, body.clone()),
        h.post("/v1/payments", DEMO, body.clone()),
    );
    for r in [&a, &b, &c] {
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["transactionId"], first.json["transactionId"]);
        assert_eq!(r.json["qrCode"], first.json["qrCode"]);
    }
    let stats = h.stats();
    assert_eq!(stats.orders, 1);
    assert_eq!(stats.requests_to(Api::UnifiedPay.path()), 1);
    let order = h.sandbox.order("ORDER-RETRY-1").unwrap();
    assert_eq!(order.method, "Wechat-Offline");
    assert_eq!(order.attempts.len(), 1);

    let other_body = json!({ "amount": "8.01", "currency": "USD", "method": "WECHAT", "merchantTransactionId": "ORDER-RETRY-1" });
    let conflict = h.post("/v1/payments", DEMO, other_body).await;
    assert_eq!((conflict.status, conflict.code()), (409, "ID_CONFLICT"));
    let foreign = h.post("/v1/payments", OTHER, body).await;
    assert_eq!((foreign.status, foreign.code()), (403, "FORBIDDEN"));
    assert_eq!(h.stats().requests_to(Api::UnifiedPay.path()), 1);
}

#[tokio::test]
async fn a_create_without_answer_is_completed_by_the_next_get() {
    let h =
        Harness::demo_with(|c| c.timeouts.request = std::time::Duration::from_millis(400)).await;
    h.sandbox.set_faults(Faults {
        no_answer: 1,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let body = json!({ "amount": "6.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "ORDER-LOST-1" });
    let lost = h.post("/v1/payments", DEMO, body.clone()).await;
    assert_eq!(
        (lost.status, lost.code()),
        (504, "UNKNOWN_OUTCOME"),
        "{}",
        lost.text
    );
    // The sandbox processed it; the proxy learns so by querying.
    let got = h.get("/v1/payments/ORDER-LOST-1", DEMO).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json["status"], "PROCESSING");
    assert!(got.json["qrCode"].is_string());
    let retry = h.post("/v1/payments", DEMO, body).await;
    assert_eq!(retry.status, 200);
    assert_eq!(h.stats().orders, 1);
    assert_eq!(h.stats().requests_to(Api::UnifiedPay.path()), 1);
}

#[tokio::test]
async fn a_create_that_never_landed_is_resent_with_the_same_request_id() {
    let h = Harness::demo().await;
    // Every send of the first call answers 503 (not processed).
    h.sandbox.set_faults(Faults {
        http_5xx: 3,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let body = json!({ "amount": "6.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "ORDER-5XX-1" });
    let down = h.post("/v1/payments", DEMO, body.clone()).await;
    assert_eq!(
        (down.status, down.code()),
        (503, "UPSTREAM_UNAVAILABLE"),
        "{}",
        down.text
    );
    assert_eq!(
        h.stats().requests_to(Api::UnifiedPay.path()),
        3,
        "retried inline"
    );
    assert_eq!(h.stats().orders, 0);
    // The three sends are one signed body, byte for byte: same requestId, same signature.
    let sent = h.sent(UNIFIED_PAY);
    let statuses: Vec<u16> = sent.iter().map(|r| r.http_status).collect();
    assert_eq!(statuses, [503, 503, 503]);
    assert!(
        sent.iter().all(|r| r.body == sent[0].body),
        "an inline resend changed the body: {sent:#?}"
    );
    let request_id = signed_request_id(&sent[0].body);
    let retry = h.post("/v1/payments", DEMO, body).await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json["status"], "PROCESSING");
    let order = h.sandbox.order("ORDER-5XX-1").unwrap();
    assert_eq!(order.attempts.len(), 1);
    assert_eq!(h.stats().orders, 1);
    // The later re-send (after a query said 107001) is that same body again.
    let sent = h.sent(UNIFIED_PAY);
    assert_eq!(sent.len(), 4);
    assert_eq!((sent[3].http_status, &sent[3].body), (200, &sent[0].body));
    assert_eq!(order.attempts[0].request_id, request_id);
}

const UNIFIED_PAY: &str = Api::UnifiedPay.path();
const REFUND: &str = Api::Refund.path();

/// Verifies a signed request body with the demo account's salt; its bizContent `requestId`.
fn signed_request_id(body: &str) -> String {
    let env = Envelope::parse(body.as_bytes()).unwrap();
    env.verify(&Account::sandbox_a().salt)
        .expect("the proxy signs with the demo salt");
    let biz: serde_json::Value = serde_json::from_str(env.biz_content().unwrap()).unwrap();
    biz["requestId"].as_str().expect("a requestId").to_owned()
}

#[tokio::test]
async fn inline_resends_after_5xx_repeat_the_signed_body_byte_for_byte() {
    let h = Harness::demo().await;
    // Two 503s, then the third send of each call is processed.
    h.sandbox.set_faults(Faults {
        http_5xx: 2,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let p = h
        .create_payment(
            DEMO,
            json!({ "amount": "9.00", "currency": "USD", "method": "WECHAT" }),
        )
        .await;
    let mtid = p["merchantTransactionId"].as_str().unwrap().to_owned();
    let sent = h.sent(UNIFIED_PAY);
    let statuses: Vec<u16> = sent.iter().map(|r| r.http_status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert!(
        sent.iter().all(|r| r.body == sent[0].body),
        "an inline resend changed the body: {sent:#?}"
    );
    let order = h.sandbox.order(&mtid).unwrap();
    assert_eq!(order.attempts.len(), 1);
    assert_eq!(
        order.attempts[0].request_id,
        signed_request_id(&sent[0].body)
    );

    h.pay(&p).await;
    h.await_payment(DEMO, &mtid, "SUCCESS").await;
    h.sandbox.set_faults(Faults {
        http_5xx: 2,
        apis: vec![Api::Refund],
        ..Faults::default()
    });
    let r = h
        .post(
            &format!("/v1/payments/{mtid}/refunds"),
            DEMO,
            json!({ "amount": "4.00" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sent = h.sent(REFUND);
    let statuses: Vec<u16> = sent.iter().map(|r| r.http_status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert!(
        sent.iter().all(|r| r.body == sent[0].body),
        "an inline resend changed the body: {sent:#?}"
    );
    let env = Envelope::parse(sent[0].body.as_bytes()).unwrap();
    env.verify(&Account::sandbox_a().salt).unwrap();
    let biz: serde_json::Value = serde_json::from_str(env.biz_content().unwrap()).unwrap();
    assert_eq!(biz["merchantRefundId"], r.json["merchantRefundId"]);
    let order = h.sandbox.order(&mtid).unwrap();
    assert_eq!(order.refunds.len(), 1, "one refund for three sends");
}

#[tokio::test]
async fn a_system_error_is_an_unknown_outcome_completed_with_the_same_ids() {
    let h = Harness::demo().await;
    // One signed 500000: the inline resend (same body) goes through.
    h.sandbox.set_faults(Faults {
        system_error: 1,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let once = h
        .create_payment(
            DEMO,
            json!({ "amount": "3.00", "currency": "USD", "method": "ALIPAY" }),
        )
        .await;
    let sent = h.sent(UNIFIED_PAY);
    assert_eq!(sent.len(), 2, "resent inline after the system error");
    assert_eq!(sent[0].body, sent[1].body);
    assert_eq!(h.stats().orders, 1);
    assert_eq!(once["status"], "PROCESSING");

    // 500000 to every send: an unknown outcome, never a refusal, never FAILED.
    h.sandbox.set_faults(Faults {
        system_error: 3,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let body = json!({ "amount": "6.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "ORDER-500-1" });
    let down = h.post("/v1/payments", DEMO, body.clone()).await;
    assert_eq!(
        (down.status, down.code()),
        (503, "UPSTREAM_UNAVAILABLE"),
        "{}",
        down.text
    );
    assert_eq!(down.json["upstreamCode"], "500000");
    let sent = h.sent(UNIFIED_PAY);
    assert_eq!(sent.len(), 5);
    assert!(sent[2..].iter().all(|r| r.body == sent[2].body));
    assert_eq!(h.stats().orders, 1, "the sandbox processed none of them");
    // The next GET completes it: a query (107001), then the same request again.
    let got = h.get("/v1/payments/ORDER-500-1", DEMO).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json["status"], "PROCESSING");
    let sent = h.sent(UNIFIED_PAY);
    assert_eq!((sent.len(), &sent[5].body), (6, &sent[2].body));
    let order = h.sandbox.order("ORDER-500-1").unwrap();
    assert_eq!(order.attempts.len(), 1);
    assert_eq!(
        order.attempts[0].request_id,
        signed_request_id(&sent[2].body)
    );

    // A system error on a query is not a refusal either: the register keeps waiting.
    h.sandbox.set_faults(Faults {
        system_error: 3,
        apis: vec![Api::Query],
        ..Faults::default()
    });
    let busy = h.get("/v1/payments/ORDER-500-1", DEMO).await;
    assert_eq!(
        (busy.status, busy.code(), busy.json["upstreamCode"].as_str()),
        (503, "UPSTREAM_UNAVAILABLE", Some("500000")),
        "{}",
        busy.text
    );

    // A refund answered 500000 to every send: pending, completed by the next GET, once.
    h.pay(&got.json).await;
    h.await_payment(DEMO, "ORDER-500-1", "SUCCESS").await;
    h.sandbox.set_faults(Faults {
        system_error: 3,
        apis: vec![Api::Refund],
        ..Faults::default()
    });
    let refund = h
        .post(
            "/v1/payments/ORDER-500-1/refunds",
            DEMO,
            json!({ "amount": "2.00", "merchantRefundId": "RF-500-1" }),
        )
        .await;
    assert_eq!(
        (
            refund.status,
            refund.code(),
            refund.json["upstreamCode"].as_str()
        ),
        (503, "UPSTREAM_UNAVAILABLE", Some("500000")),
        "{}",
        refund.text
    );
    assert_eq!(h.sent(REFUND).len(), 3);
    assert!(h.sandbox.order("ORDER-500-1").unwrap().refunds.is_empty());
    h.await_refund("ORDER-500-1", "RF-500-1", "SUCCESS").await;
    assert_eq!(h.sandbox.order("ORDER-500-1").unwrap().refunds.len(), 1);
    assert_eq!(
        h.sent(REFUND).len(),
        4,
        "re-sent once, after the refund query's 107002"
    );
}

#[tokio::test]
async fn a_refund_without_answer_is_completed_by_the_next_get() {
    let h =
        Harness::demo_with(|c| c.timeouts.request = std::time::Duration::from_millis(400)).await;
    let p = h.paid_payment("9.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap();
    // No push either: only a GET can tell the proxy what happened.
    h.sandbox.set_faults(Faults {
        no_answer: 1,
        apis: vec![Api::Refund],
        drop_notifications: 10,
        ..Faults::default()
    });
    let lost = h
        .post(
            &format!("/v1/payments/{mtid}/refunds"),
            DEMO,
            json!({ "amount": "2.00", "merchantRefundId": "RF-LOST-1" }),
        )
        .await;
    assert_eq!(lost.code(), "UNKNOWN_OUTCOME", "{}", lost.text);
    // Until it is known, the refund holds its balance and blocks another one.
    let busy = h
        .post(
            &format!("/v1/payments/{mtid}/refunds"),
            DEMO,
            json!({ "amount": "1.00" }),
        )
        .await;
    assert_eq!(busy.code(), "REFUND_IN_PROGRESS");
    h.await_refund(mtid, "RF-LOST-1", "SUCCESS").await;
    assert_eq!(h.stats().refunds, 1);
    assert_eq!(h.stats().requests_to(Api::Refund.path()), 1);
}

#[tokio::test]
async fn an_unknown_outcome_names_the_generated_id() {
    let h =
        Harness::demo_with(|c| c.timeouts.request = std::time::Duration::from_millis(400)).await;
    h.sandbox.set_faults(Faults {
        no_answer: 1,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let lost = h
        .post(
            "/v1/payments",
            DEMO,
            json!({ "amount": "1.00", "currency": "USD", "method": "ALIPAY" }),
        )
        .await;
    assert_eq!(lost.code(), "UNKNOWN_OUTCOME");
    let message = lost.json["message"].as_str().unwrap();
    let id = message
        .rsplit("merchantTransactionId ")
        .next()
        .unwrap()
        .trim_end_matches(')');
    let got = h.get(&format!("/v1/payments/{id}"), DEMO).await;
    assert_eq!(got.json["status"], "PROCESSING", "{message}: {}", got.text);
}

#[tokio::test]
async fn event_streams_take_a_bearer_token_and_resume_from_now_past_the_journal() {
    let h = Harness::demo().await;
    let p = h.usd_payment("1.00").await;
    // A client that can send headers needs no ticket; replay from the start.
    let r = h
        .http
        .get(format!("{}/v1/events?lastEventId=0", h.url))
        .bearer_auth(DEMO)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut stream = EventStream::from_response(r);
    let first = stream.next().await;
    assert_eq!(
        first.data["merchantTransactionId"],
        p["merchantTransactionId"]
    );
    // An id from a replaced journal resumes with new events instead of waiting for it.
    let mut ahead = h.events(DEMO, Some(1_000_000)).await;
    let q = h.usd_payment("2.00").await;
    let next = ahead.next().await;
    assert_eq!(
        next.data["merchantTransactionId"],
        q["merchantTransactionId"]
    );
    assert!(next.id < 1_000_000);
}

#[tokio::test]
async fn event_streams_send_keep_alive_comments() {
    let h = Harness::demo_with(|c| c.keep_alive = std::time::Duration::from_millis(100)).await;
    let mut stream = h.events(DEMO, None).await;
    let chunk = tokio::time::timeout(DEADLINE, stream.response.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(chunk.starts_with(b":"), "{chunk:?}");
}

#[tokio::test]
async fn a_declined_payment_is_failed_with_its_code() {
    let h = Harness::demo().await;
    let p = h.usd_payment("2.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap();
    let qr = p["qrCode"].as_str().unwrap();
    let r = h.http.post(format!("{qr}/decline")).send().await.unwrap();
    assert!(r.status().is_success());
    let failed = h.await_payment(DEMO, mtid, "FAILED").await;
    assert_eq!(failed["resultCode"], "301099");
}

#[tokio::test]
async fn serves_the_demo_files_and_json_errors() {
    let h = Harness::demo().await;
    std::fs::create_dir_all(h.dir.path().join("www")).unwrap();
    std::fs::create_dir_all(h.dir.path().join("pkg")).unwrap();
    std::fs::write(
        h.dir.path().join("www/index.html"),
        "<!doctype html><title>r</title>",
    )
    .unwrap();
    std::fs::write(
        h.dir.path().join("pkg/pingpong_qr_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(h.dir.path().join("pkg/pingpong_qr.js"), "export default 1;").unwrap();
    let page = h.http.get(format!("{}/", h.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // The register page keeps its token in localStorage: a strict policy, never framed.
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let p = h.usd_payment("1.00").await;
    let wallet = h
        .http
        .get(p["qrCode"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let csp = wallet.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(wallet.headers()["x-frame-options"], "DENY");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    let html = wallet.text().await.unwrap();
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        2,
        "script and style carry it"
    );
    let api = h
        .get(
            &format!(
                "/v1/payments/{}",
                p["merchantTransactionId"].as_str().unwrap()
            ),
            DEMO,
        )
        .await;
    assert!(api.headers.get("content-security-policy").is_none());
    let wasm = h
        .http
        .get(format!("{}/pkg/pingpong_qr_bg.wasm", h.url))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"\0asm\x01\0\0\0");
    let js = h
        .http
        .get(format!("{}/pkg/pingpong_qr.js", h.url))
        .send()
        .await
        .unwrap();
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );

    let missing = h
        .call(reqwest::Method::GET, "/nothing-here", None, None)
        .await;
    assert_eq!((missing.status, missing.code()), (404, "NOT_FOUND"));
    let api_missing = h.get("/v1/nothing", DEMO).await;
    assert_eq!((api_missing.status, api_missing.code()), (404, "NOT_FOUND"));
    let wrong = h
        .call(reqwest::Method::DELETE, "/v1/payments/X1", Some(DEMO), None)
        .await;
    assert_eq!((wrong.status, wrong.code()), (405, "METHOD_NOT_ALLOWED"));
    let health = h.call(reqwest::Method::GET, "/healthz", None, None).await;
    assert_eq!(health.json["status"], "ok");
    assert_eq!(health.json["mode"], "demo");
}

/// The order and its attempt are in the journal before unifiedPay leaves: while the sandbox
/// holds the call (1.5 s of latency), the journal file already has the order, pending and
/// INIT, and the attempt whose requestId and bizContent are exactly what the sandbox got.
#[tokio::test]
async fn the_create_is_journaled_before_unified_pay_is_sent() {
    let h = Harness::demo().await;
    h.sandbox.set_faults(Faults {
        latency_ms: 1_500,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let http = h.http.clone();
    let url = h.url.clone();
    let create = tokio::spawn(async move {
        send(
            http.post(format!("{url}/v1/payments"))
                .bearer_auth(DEMO)
                .header("content-type", "application/json")
                .body(
                    json!({ "amount": "9.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "PQ-JOURNAL-FIRST" })
                        .to_string(),
                ),
        )
        .await
    });
    let sent = eventually("unifiedPay at the sandbox", || async {
        h.sent(Api::UnifiedPay.path()).into_iter().next()
    })
    .await;
    assert!(!create.is_finished(), "the call is still in flight");
    let db = rusqlite::Connection::open(h.dir.path().join("journal.sqlite")).unwrap();
    let (state, status): (String, String) = db
        .query_row(
            "SELECT create_state, status FROM orders WHERE merchant_transaction_id = 'PQ-JOURNAL-FIRST'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the order is journaled while unifiedPay is in flight");
    assert_eq!((state.as_str(), status.as_str()), ("pending", "INIT"));
    let (request_id, biz): (String, String) = db
        .query_row(
            "SELECT request_id, biz_content FROM attempts WHERE merchant_transaction_id = 'PQ-JOURNAL-FIRST'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("and its attempt");
    let envelope = Envelope::parse(sent.body.as_bytes()).unwrap();
    assert_eq!(
        envelope.biz_content().unwrap(),
        biz,
        "the attempt is what was sent"
    );
    assert!(biz.contains(&format!("\"requestId\":\"{request_id}\"")));
    let r = create.await.unwrap();
    assert_eq!(r.status, 201, "{}", r.text);
    let state: String = db
        .query_row(
            "SELECT create_state FROM orders WHERE merchant_transaction_id = 'PQ-JOURNAL-FIRST'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(state, "accepted");
}
