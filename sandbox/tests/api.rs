//! The four v4 APIs over real HTTP: the QR payment flow, refunds, and every result code the
//! sandbox promises, each produced by a request that causes it.

mod common;

use common::*;
use pingpong_protocol::SignType;
use pingpong_protocol::biz::{QueryResponse, UnifiedPayResponse};
use pingpong_sandbox::{Account, SandboxConfig};
use serde_json::{Value, json};

#[tokio::test]
async fn create_then_wallet_pays_then_query_says_success() {
    let h = start().await;
    let expire = now_s() + 300;
    let mut biz = order("M-PAY-1", "R-PAY-1", "12.50");
    biz["timeExpire"] = json!(expire.to_string());
    let a = h.create(&biz).await;
    let typed: UnifiedPayResponse = a.env.biz().unwrap();
    let txid = typed.transaction_id.clone().unwrap();
    assert_eq!(txid.len(), 16);
    assert_eq!(
        typed.qr_text(),
        Some(format!("{}/wallet/{txid}", h.url).as_str())
    );
    assert_eq!(
        typed.qr_image_url(),
        Some(format!("{}/wallet/{txid}/qr.svg", h.url).as_str())
    );
    assert_eq!(
        typed.qr_code_expired.as_deref(),
        Some(format!("{expire}000").as_str())
    );
    assert_eq!(typed.amount.as_ref().unwrap().as_str(), "12.500000");
    assert_eq!(typed.request_id.as_deref(), Some("R-PAY-1"));

    let q = h.query("M-PAY-1").await;
    assert_eq!(q.status(), Some("PROCESSING"));
    assert_eq!(q.str("qrCode"), typed.qr_code.as_deref().unwrap());

    let (status, view) = h.wallet(typed.qr_text().unwrap(), "pay").await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["status"], "SUCCESS");

    let q = h.query("M-PAY-1").await;
    let typed: QueryResponse = q.env.biz().unwrap();
    assert_eq!(typed.status, pingpong_protocol::PaymentStatus::Success);
    assert_eq!(typed.result_code.as_deref(), Some("000000"));
    assert_eq!(typed.transaction_id.as_deref(), Some(txid.as_str()));
    assert!(typed.transaction_ending_time.is_some());
    assert!(typed.qr_code.is_none(), "no QR once paid");
    // Query by transactionId finds the same order.
    let by_txid = h.call(QUERY, &json!({ "transactionId": txid })).await;
    assert_eq!(by_txid.str("merchantTransactionId"), "M-PAY-1");
    // Paying twice is refused.
    let (status, err) = h.wallet(&format!("{}/wallet/{txid}", h.url), "pay").await;
    assert_eq!(
        (status, err["reason"].as_str()),
        (409, Some("already_paid"))
    );
    assert_eq!(h.sandbox.stats().orders, 1);
}

#[tokio::test]
async fn qr_image_and_wallet_page_are_served() {
    let h = start().await;
    let a = h.create(&order("M-PAGE", "R-PAGE", "8.00")).await;
    let svg = h.http.get(a.str("qrUrl")).send().await.unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let page = h
        .http
        .get(a.str("qrCode"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "PingPong Sandbox Store",
        "8.00",
        "USD",
        "AlipayCN-Offline",
        "id=\"pay\"",
        "id=\"decline\"",
        "PROCESSING",
    ] {
        assert!(page.contains(needle), "page lacks {needle}");
    }
    let (status, view) = h
        .get_json(&format!("/wallet/{}/status", a.str("transactionId")))
        .await;
    assert_eq!((status, view["status"].as_str()), (200, Some("PROCESSING")));
    let missing = h
        .http
        .get(format!("{}/wallet/2020010100000000", h.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let (status, err) = h.post_json("/wallet/2020010100000000/pay").await;
    assert_eq!((status, err["reason"].as_str()), (404, Some("unknown")));
}

#[tokio::test]
async fn expiry_closes_the_order() {
    let h = start().await;
    let a = h.create(&order("M-EXP", "R-EXP-1", "5.00")).await;
    let (status, rec) = h.post_json("/control/orders/M-EXP/expire").await;
    assert_eq!((status, rec["status"].as_str()), (200, Some("CLOSED")));
    let q = h.query("M-EXP").await;
    assert_eq!(q.status(), Some("CLOSED"));
    assert!(q.biz.get("qrCode").is_none());
    let (status, err) = h.wallet(a.str("qrCode"), "pay").await;
    assert_eq!((status, err["reason"].as_str()), (409, Some("expired")));
    // A closed order cannot be re-opened: 105000.
    let again = h
        .call(UNIFIED_PAY, &order("M-EXP", "R-EXP-2", "5.00"))
        .await;
    assert_eq!(again.code(), "105000");
    assert_eq!(again.status(), None);
    // Expiring again says why not.
    let (status, err) = h.post_json("/control/orders/M-EXP/expire").await;
    assert_eq!((status, err["reason"].as_str()), (409, Some("expired")));
}

#[tokio::test]
async fn decline_fails_then_a_second_attempt_on_the_same_order_succeeds() {
    let h = start().await;
    let first = h.create(&order("M-DEC", "R-DEC-1", "20.00")).await;
    // A new requestId while PROCESSING is a duplicate.
    let dup = h
        .call(UNIFIED_PAY, &order("M-DEC", "R-DEC-X", "20.00"))
        .await;
    assert_eq!(dup.code(), "107000");

    let (status, view) = h.wallet(first.str("qrCode"), "decline").await;
    assert_eq!((status, view["status"].as_str()), (200, Some("FAILED")));
    let q = h.query("M-DEC").await;
    assert_eq!(
        (q.status(), q.str("resultCode")),
        (Some("FAILED"), "301099")
    );
    let (status, err) = h.wallet(first.str("qrCode"), "pay").await;
    assert_eq!((status, err["reason"].as_str()), (409, Some("declined")));

    let second = h.create(&order("M-DEC", "R-DEC-2", "20.00")).await;
    assert_eq!(second.str("transactionId"), first.str("transactionId"));
    assert_eq!(second.str("requestId"), "R-DEC-2");
    let (status, _) = h.wallet(second.str("qrCode"), "pay").await;
    assert_eq!(status, 200);
    let q = h.query("M-DEC").await;
    assert_eq!(
        (q.status(), q.str("requestId")),
        (Some("SUCCESS"), "R-DEC-2")
    );
    // After SUCCESS a new requestId is a duplicate.
    let dup = h
        .call(UNIFIED_PAY, &order("M-DEC", "R-DEC-3", "20.00"))
        .await;
    assert_eq!(dup.code(), "107000");

    let rec = h.sandbox.order("M-DEC").unwrap();
    let attempts: Vec<_> = rec
        .attempts
        .iter()
        .map(|a| (a.request_id.as_str(), a.status.as_str()))
        .collect();
    assert_eq!(attempts, [("R-DEC-1", "FAILED"), ("R-DEC-2", "SUCCESS")]);
    assert_eq!(h.sandbox.stats().orders, 1);
}

#[tokio::test]
async fn in_failure_final_mode_a_declined_order_stays_failed() {
    let h = start_with(SandboxConfig {
        failure_mode: pingpong_protocol::FailureMode::Final,
        ..fast_config()
    })
    .await;
    let first = h.create(&order("M-FIN", "R-FIN-1", "1.00")).await;
    h.wallet(first.str("qrCode"), "decline").await;
    let again = h
        .call(UNIFIED_PAY, &order("M-FIN", "R-FIN-2", "1.00"))
        .await;
    assert_eq!(again.code(), "107000");
    let (status, err) = h.post_json("/control/orders/M-FIN/expire").await;
    assert_eq!((status, err["reason"].as_str()), (409, Some("declined")));
}

#[tokio::test]
async fn two_partial_refunds_succeed_and_a_third_over_the_balance_is_refused() {
    let h = start().await;
    h.paid_order("M-REF", "10.00").await;
    let r1 = h.call(REFUND, &refund("M-REF", "RF-1", "3.00")).await;
    assert_eq!((r1.code(), r1.status()), ("002000", Some("PROCESSING")));
    assert_eq!(r1.str("amount"), "3.000000");
    let r2 = h.call(REFUND, &refund("M-REF", "RF-2", "5.00")).await;
    assert_eq!(r2.status(), Some("PROCESSING"));
    for mrid in ["RF-1", "RF-2"] {
        wait_until(&format!("{mrid} SUCCESS"), async || {
            let q = h
                .call(
                    REFUND_QUERY,
                    &json!({ "merchantTransactionId": "M-REF", "merchantRefundId": mrid }),
                )
                .await;
            assert_eq!(q.code(), "001000");
            q.status() == Some("SUCCESS")
        })
        .await;
    }
    // By refundId too.
    let q = h
        .call(
            REFUND_QUERY,
            &json!({ "merchantTransactionId": "M-REF", "refundId": r1.str("refundId") }),
        )
        .await;
    assert_eq!(
        (q.str("merchantRefundId"), q.str("resultCode")),
        ("RF-1", "000000")
    );

    let over = h.call(REFUND, &refund("M-REF", "RF-3", "2.01")).await;
    assert_eq!(over.code(), "108003");
    assert_eq!(over.status(), None);
    assert!(
        over.description().contains("2.00"),
        "{}",
        over.description()
    );
    let exact = h.call(REFUND, &refund("M-REF", "RF-4", "2.00")).await;
    assert_eq!(exact.code(), "002000");
    let over_original = h.call(REFUND, &refund("M-REF", "RF-5", "10.01")).await;
    assert_eq!(over_original.code(), "108000");

    // The same merchantRefundId: same amount → its current state; other amount → 107000.
    let same = h.call(REFUND, &refund("M-REF", "RF-1", "3.00")).await;
    assert_eq!(
        (same.code(), same.status(), same.str("refundId")),
        ("000000", Some("SUCCESS"), r1.str("refundId"))
    );
    let other = h.call(REFUND, &refund("M-REF", "RF-1", "1.00")).await;
    assert_eq!(other.code(), "107000");
    let rec = h.sandbox.order("M-REF").unwrap();
    assert_eq!(rec.refunds.len(), 3);
    assert_eq!(h.sandbox.stats().refunds, 3);
}

#[tokio::test]
async fn refund_rules_follow_the_payment_state() {
    let h = start().await;
    h.create(&order("M-RS", "R-RS", "4.00")).await;
    let not_paid = h.call(REFUND, &refund("M-RS", "RF-RS", "1.00")).await;
    assert_eq!(not_paid.code(), "107003");
    let unknown = h.call(REFUND, &refund("M-NOPE", "RF-NOPE", "1.00")).await;
    assert_eq!(unknown.code(), "107002");
    assert_eq!(
        unknown.biz,
        json!({ "merchantTransactionId": "M-NOPE", "merchantRefundId": "RF-NOPE" })
    );
    let unknown_q = h
        .call(
            REFUND_QUERY,
            &json!({ "merchantTransactionId": "M-NOPE", "merchantRefundId": "X" }),
        )
        .await;
    assert_eq!(unknown_q.code(), "107002");
    let no_refund = h
        .call(
            REFUND_QUERY,
            &json!({ "merchantTransactionId": "M-RS", "merchantRefundId": "X" }),
        )
        .await;
    assert_eq!(no_refund.code(), "107001");
    let mut eur = refund("M-RS", "RF-EUR", "1.00");
    eur["currency"] = json!("EUR");
    h.sandbox
        .pay(&h.sandbox.order("M-RS").unwrap().transaction_id)
        .unwrap();
    let wrong_currency = h.call(REFUND, &eur).await;
    assert_eq!(wrong_currency.code(), "102000");
    assert!(wrong_currency.description().contains("currency"));
}

#[tokio::test]
async fn the_same_request_id_replays_the_first_answer_byte_for_byte() {
    let h = start().await;
    let biz = order("M-IDEM", "R-IDEM", "3.30");
    let first = h.create(&biz).await;
    let second = h.call(UNIFIED_PAY, &biz).await;
    assert_eq!(second.raw, first.raw);
    // Even once paid, the same requestId answers what it answered first.
    h.wallet(first.str("qrCode"), "pay").await;
    let third = h.call(UNIFIED_PAY, &biz).await;
    assert_eq!(third.raw, first.raw);
    let stats = h.sandbox.stats();
    assert_eq!(
        (stats.orders, stats.attempts, stats.requests_to(UNIFIED_PAY)),
        (1, 1, 3)
    );
}

#[tokio::test]
async fn an_order_id_reused_with_other_parameters_is_a_duplicate() {
    let h = start().await;
    h.create(&order("M-DUP", "R-DUP-1", "7.00")).await;
    let other_amount = h
        .call(UNIFIED_PAY, &order("M-DUP", "R-DUP-2", "7.01"))
        .await;
    assert_eq!(other_amount.code(), "107000");
    assert_eq!(
        other_amount.biz,
        json!({ "merchantTransactionId": "M-DUP", "requestId": "R-DUP-2" })
    );
    let mut other_method = order("M-DUP", "R-DUP-3", "7.00");
    other_method["paymentMethod"] = json!({ "type": "Wechat-Offline" });
    assert_eq!(h.call(UNIFIED_PAY, &other_method).await.code(), "107000");
    assert_eq!(h.sandbox.stats().orders, 1);
}

#[tokio::test]
async fn unknown_orders_are_107001() {
    let h = start().await;
    let a = h
        .call(QUERY, &json!({ "merchantTransactionId": "M-GHOST" }))
        .await;
    assert_eq!((a.code(), a.status()), ("107001", None));
    let b = h
        .call(QUERY, &json!({ "transactionId": "2020010112345678" }))
        .await;
    assert_eq!(b.code(), "107001");
    // An order of account A is not visible to account B.
    h.create(&order("M-MINE", "R-MINE", "1.00")).await;
    let b_account = Account::sandbox_b();
    let c = h
        .call_as(
            &b_account,
            SignType::Sha256,
            QUERY,
            &json!({ "merchantTransactionId": "M-MINE" }).to_string(),
        )
        .await;
    assert_eq!(c.code(), "107001");
}

/// Each invalid field is refused with 102000 naming it, and nothing is created.
#[tokio::test]
async fn invalid_parameters_are_102000_naming_the_field() {
    let h = start().await;
    let base = order("M-BAD", "R-BAD", "1.00");
    let cases: Vec<(&str, Value)> = vec![
        ("merchantTransactionId", Value::Null),
        ("merchantTransactionId", json!("has space")),
        ("merchantTransactionId", json!("..")),
        ("merchantTransactionId", json!(".")),
        ("requestId", Value::Null),
        ("amount", Value::Null),
        ("amount", json!("-1.00")),
        ("amount", json!("0")),
        ("amount", json!("1.005")),
        ("amount", json!("1e3")),
        ("amount", json!("abc")),
        ("amount", json!(true)),
        ("amount", json!("1000000000000.00")),
        ("amount", json!(1e12)),
        ("currency", json!("XXX")),
        ("captureDelayHours", json!(-1)),
        ("captureDelayHours", Value::Null),
        ("cashierDeviceId", Value::Null),
        ("cashierDeviceId", json!("POS 1")),
        ("paymentMethod", Value::Null),
        ("paymentMethod.type", json!({ "type": "scheme" })),
        (
            "paymentMethod.scanCodeId",
            json!({ "type": "AlipayCN-Offline", "scanCodeId": "2810000000000000" }),
        ),
        ("timeExpire", json!((now_s() + 30).to_string())),
        ("timeExpire", json!((now_s() + 3 * 86_400 + 60).to_string())),
        ("timeExpire", json!("soon")),
        ("notificationUrl", json!("http://127.0.0.1:1/n?x=1")),
        ("notificationUrl", json!("mailto:x")),
        ("closeNotificationUrl", json!("ftp://host/x")),
        ("remark", json!("x".repeat(256))),
    ];
    for (field, value) in cases {
        let mut biz = base.clone();
        let key = if field.starts_with("paymentMethod") {
            "paymentMethod"
        } else {
            field
        };
        if value.is_null() {
            biz.as_object_mut().unwrap().remove(key);
        } else {
            biz[key] = value.clone();
        }
        let a = h.call(UNIFIED_PAY, &biz).await;
        assert_eq!(a.code(), "102000", "{field}={value}: {}", a.raw);
        assert!(
            a.description().contains(&format!("{field} (")),
            "{field}={value}: {}",
            a.description()
        );
        assert_eq!(a.status(), None);
    }
    // A JSON-number amount is fine, as in PingPong's own examples.
    let mut numeric = base.clone();
    numeric["amount"] = json!(1.5);
    assert_eq!(
        h.call(UNIFIED_PAY, &numeric).await.str("amount"),
        "1.500000"
    );
    assert_eq!(h.sandbox.stats().orders, 1);
    // The amount rule's largest amount is taken (12 digits before the point).
    let mut largest = order("M-LARGEST", "R-LARGEST", "999999999999.99");
    assert_eq!(
        h.call(UNIFIED_PAY, &largest).await.str("amount"),
        "999999999999.990000"
    );
    largest["merchantTransactionId"] = json!("M-LARGEST-KWD");
    largest["requestId"] = json!("R-LARGEST-KWD");
    largest["currency"] = json!("KWD");
    largest["amount"] = json!("999999999999.999000");
    assert_eq!(
        h.call(UNIFIED_PAY, &largest).await.str("amount"),
        "999999999999.999000"
    );
    assert_eq!(h.sandbox.stats().orders, 3);
    // The other APIs name their fields too.
    let q = h.call(QUERY, &json!({})).await;
    assert!(q.code() == "102000" && q.description().contains("merchantTransactionId"));
    let r = h
        .call(REFUND, &json!({ "merchantTransactionId": "M-BAD" }))
        .await;
    assert!(
        r.code() == "102000" && r.description().contains("merchantRefundId"),
        "{}",
        r.raw
    );
    let rq = h
        .call(REFUND_QUERY, &json!({ "merchantTransactionId": "M-BAD" }))
        .await;
    assert!(rq.code() == "102000" && rq.description().contains("merchantRefundId"));
    let not_json = h
        .call_as(&h.account, SignType::Sha256, QUERY, "[1,2]")
        .await;
    assert!(not_json.code() == "102000" && not_json.description().contains("bizContent"));
}

#[tokio::test]
async fn time_expire_in_minutes_when_so_configured() {
    let h = start_with(SandboxConfig {
        time_expire_format: pingpong_protocol::TimeExpireFormat::DurationMinutes,
        ..fast_config()
    })
    .await;
    let mut biz = order("M-MIN", "R-MIN", "1.00");
    biz["timeExpire"] = json!("5");
    let before = now_ms();
    let a = h.create(&biz).await;
    let expires: u64 = a.str("qrCodeExpired").parse().unwrap();
    assert!((before + 300_000..=now_ms() + 300_000).contains(&expires));
    biz["timeExpire"] = json!("4321");
    biz["requestId"] = json!("R-MIN-2");
    biz["merchantTransactionId"] = json!("M-MIN-2");
    assert_eq!(h.call(UNIFIED_PAY, &biz).await.code(), "102000");
    // Without timeExpire the QR lives 3 days.
    let mut default = order("M-3D", "R-3D", "1.00");
    default.as_object_mut().unwrap().remove("timeExpire");
    let a = h.create(&default).await;
    let expires: u64 = a.str("qrCodeExpired").parse().unwrap();
    assert!(expires >= before + 259_200_000 && expires <= now_ms() + 259_200_000);
}

#[tokio::test]
async fn envelope_errors_unknown_accounts_and_bad_signatures() {
    let h = start().await;
    // Not JSON at all: 102000, unsigned.
    let (status, raw) = h.post_raw(QUERY, "not json").await;
    assert_eq!(status, 200);
    let a = parse(&raw);
    assert_eq!(a.code(), "102000");
    assert!(a.env.get("sign").is_none());
    // A non-string field: 102000 naming it.
    let (_, raw) = h.post_raw(QUERY, r#"{"accId":1}"#).await;
    assert!(parse(&raw).description().contains("accId"));
    // Unknown account: 103000, unsigned.
    let stranger = Account {
        acc_id: "999".into(),
        client_id: "99".into(),
        salt: "S".into(),
    };
    let mut env = pingpong_protocol::Envelope::request(
        &stranger.acc_id,
        &stranger.client_id,
        SignType::Sha256,
        "{}".into(),
    );
    env.sign(&stranger.salt).unwrap();
    let (_, raw) = h.post_raw(QUERY, &env.to_json()).await;
    let a = parse(&raw);
    assert_eq!(a.code(), "103000");
    assert!(a.env.get("sign").is_none());

    // Tampered bizContent after signing: 104000, signed with the account's salt.
    let mut env = pingpong_protocol::Envelope::request(
        &h.account.acc_id,
        &h.account.client_id,
        SignType::Sha256,
        order("M-TAMPER", "R-TAMPER", "1.00").to_string(),
    );
    env.sign(&h.account.salt).unwrap();
    env.set(
        "bizContent",
        order("M-TAMPER", "R-TAMPER", "1000.00").to_string(),
    );
    let (_, raw) = h.post_raw(UNIFIED_PAY, &env.to_json()).await;
    let a = parse(&raw);
    assert_eq!(a.code(), "104000");
    a.env.verify(&h.account.salt).unwrap();
    assert_eq!(a.biz, json!({}));
    assert!(h.sandbox.order("M-TAMPER").is_none());

    // Signed with the other account's salt: 104000.
    let mut env = pingpong_protocol::Envelope::request(
        &h.account.acc_id,
        &h.account.client_id,
        SignType::Sha256,
        "{}".into(),
    );
    env.sign(&Account::sandbox_b().salt).unwrap();
    assert_eq!(
        parse(&h.post_raw(QUERY, &env.to_json()).await.1).code(),
        "104000"
    );
    // A lower-case signature: 104000 (the docs specify upper case).
    let mut env = pingpong_protocol::Envelope::request(
        &h.account.acc_id,
        &h.account.client_id,
        SignType::Sha256,
        r#"{"merchantTransactionId":"M"}"#.into(),
    );
    env.sign(&h.account.salt).unwrap();
    let lower = env.get("sign").unwrap().to_lowercase();
    env.set("sign", lower);
    assert_eq!(
        parse(&h.post_raw(QUERY, &env.to_json()).await.1).code(),
        "104000"
    );
    // No signature at all: 104000.
    env.remove("sign");
    assert_eq!(
        parse(&h.post_raw(QUERY, &env.to_json()).await.1).code(),
        "104000"
    );
    // A wrong version: 102000 naming it.
    let mut env = pingpong_protocol::Envelope::request(
        &h.account.acc_id,
        &h.account.client_id,
        SignType::Sha256,
        "{}".into(),
    );
    env.set("version", "2.0");
    env.sign(&h.account.salt).unwrap();
    let a = parse(&h.post_raw(QUERY, &env.to_json()).await.1);
    assert!(a.code() == "102000" && a.description().contains("version"));
    assert_eq!(h.sandbox.stats().orders, 0);
}

#[tokio::test]
async fn wallet_and_control_routes_answer_cors_preflights() {
    let h = start().await;
    for path in ["/wallet/1/pay", "/control/faults"] {
        let r = h
            .http
            .request(reqwest::Method::OPTIONS, format!("{}{path}", h.url))
            .header("Origin", "http://127.0.0.1:9999")
            .header("Access-Control-Request-Method", "PUT")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        assert_eq!(r.headers()["access-control-allow-origin"], "*", "{path}");
    }
    let r = h
        .http
        .get(format!("{}/control/stats", h.url))
        .header("Origin", "http://x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn bound_to_an_origin_the_wallet_and_control_routes_refuse_other_pages() {
    let page = "http://register.example:8080";
    let h = start_with(SandboxConfig {
        allowed_origins: Some(vec![page.into()]),
        ..fast_config()
    })
    .await;
    let a = h.create(&order("M-ORIGIN", "R-ORIGIN", "1.00")).await;
    let pay = format!("{}/wallet/{}/pay", h.url, a.str("transactionId"));
    let r = h
        .http
        .post(&pay)
        .header("Origin", "http://other.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(h.query("M-ORIGIN").await.status(), Some("PROCESSING"));
    let preflight = h
        .http
        .request(reqwest::Method::OPTIONS, &pay)
        .header("Origin", "http://other.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    // A script (no Origin) and the bound page are served.
    let r = h
        .http
        .get(format!("{}/control/stats", h.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = h
        .http
        .post(&pay)
        .header("Origin", page)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], page);
    assert_eq!(h.query("M-ORIGIN").await.status(), Some("SUCCESS"));
}
