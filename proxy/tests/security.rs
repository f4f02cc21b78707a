//! Who may do what: register tokens, stores, CORS origins, forged notifications and
//! tampered upstream answers.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use common::*;
use pingpong_protocol::{Envelope, SignType};
use pingpong_sandbox::{Account, Faults};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn every_api_route_needs_a_valid_token() {
    let h = Harness::demo().await;
    let p = h.usd_payment("1.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap();
    let routes = [
        (Method::POST, "/v1/payments".to_owned()),
        (Method::GET, format!("/v1/payments/{mtid}")),
        (Method::POST, format!("/v1/payments/{mtid}/refunds")),
        (Method::GET, format!("/v1/payments/{mtid}/refunds/RF-1")),
        (Method::POST, "/v1/events/tickets".to_owned()),
    ];
    let body = json!({ "amount": "1.00", "currency": "USD", "method": "ALIPAY" });
    for (method, path) in routes {
        for token in [
            None,
            Some("wrong-token"),
            Some("demo-tokenX"),
            Some("DEMO-TOKEN"),
        ] {
            let r = h
                .call(method.clone(), &path, token, Some(body.clone()))
                .await;
            assert_eq!(
                (r.status, r.code()),
                (401, "UNAUTHORIZED"),
                "{method} {path} {token:?}"
            );
            assert_eq!(r.headers["www-authenticate"], "Bearer");
        }
    }
}

#[tokio::test]
async fn a_register_sees_and_refunds_only_its_stores_orders() {
    let h = Harness::demo().await;
    let p = h.paid_payment("5.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap();
    let refund = h
        .post(
            &format!("/v1/payments/{mtid}/refunds"),
            DEMO,
            json!({ "amount": "1.00", "merchantRefundId": "RF-S-1" }),
        )
        .await;
    assert_eq!(refund.status, 201);
    let sent = h.upstream_requests();
    for (method, path) in [
        (Method::GET, format!("/v1/payments/{mtid}")),
        (Method::POST, format!("/v1/payments/{mtid}/refunds")),
        (Method::GET, format!("/v1/payments/{mtid}/refunds/RF-S-1")),
    ] {
        let r = h
            .call(
                method.clone(),
                &path,
                Some(OTHER),
                Some(json!({ "amount": "1.00" })),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (403, "FORBIDDEN"),
            "{method} {path}: {}",
            r.text
        );
        assert!(!r.text.contains("5.00"), "nothing of the order leaks");
    }
    assert_eq!(h.upstream_requests(), sent);
    // Another register of the same store may.
    let same_store = h.get(&format!("/v1/payments/{mtid}"), SECOND).await;
    assert_eq!(same_store.status, 200);
    // And the other store's event stream hears nothing of it.
    let mut theirs = h.events(OTHER, Some(0)).await;
    let q = h
        .create_payment(
            OTHER,
            json!({ "amount": "2.00", "currency": "USD", "method": "ALIPAY" }),
        )
        .await;
    let first = theirs.next().await;
    assert_eq!(
        first.data["merchantTransactionId"],
        q["merchantTransactionId"]
    );
}

#[tokio::test]
async fn cors_grants_only_configured_origins() {
    let good = "http://pos.example:3000";
    let h = Harness::demo_with(|c| c.allow_origins = vec![good.into()]).await;
    let preflight = |origin: &'static str| {
        h.http
            .request(Method::OPTIONS, format!("{}/v1/payments", h.url))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let ok = preflight(good).await.unwrap();
    assert!(ok.status().is_success());
    assert_eq!(ok.headers()["access-control-allow-origin"], good);
    let allowed = ok.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    for evil in ["http://evil.example", "http://pos.example:3001", "null"] {
        let no = preflight(evil).await.unwrap();
        assert!(
            no.headers().get("access-control-allow-origin").is_none(),
            "{evil}"
        );
        let simple = h
            .http
            .get(format!("{}/v1/payments/X", h.url))
            .header("origin", evil)
            .bearer_auth(DEMO)
            .send()
            .await
            .unwrap();
        assert!(
            simple
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{evil}"
        );
    }
    let real = h
        .http
        .post(format!("{}/v1/payments", h.url))
        .header("origin", good)
        .bearer_auth(DEMO)
        .header("content-type", "application/json")
        .body(json!({ "amount": "1.00", "currency": "USD", "method": "ALIPAY" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), 201);
    assert_eq!(real.headers()["access-control-allow-origin"], good);
    // Without configured origins nobody gets a grant.
    let closed = Harness::demo().await;
    let r = closed
        .http
        .request(Method::OPTIONS, format!("{}/v1/payments", closed.url))
        .header("origin", good)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

/// Demo mode's sandbox serves the proxy's own pages (and the allowed origins) alone: another
/// page can neither pay, expire nor fault-inject an order (a bodiless POST needs no
/// preflight, so the Origin is checked before anything acts), nor read an answer; and
/// transaction numbers are random, not the next one up.
#[tokio::test]
async fn the_demo_sandbox_serves_the_proxys_own_pages_only() {
    let good = "http://pos.example:3000";
    let h = Harness::demo_with(|c| c.allow_origins = vec![good.into()]).await;
    let p = h.usd_payment("6.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap().to_owned();
    let qr = p["qrCode"].as_str().unwrap().to_owned();
    let sandbox = format!("{}/sandbox", h.url);
    let evil = "http://evil.example";
    let from = |method: Method, url: String, origin: &str| {
        h.http
            .request(method, url)
            .header("origin", origin.to_owned())
            .send()
    };
    let refused = [
        (Method::POST, format!("{qr}/pay")),
        (Method::POST, format!("{qr}/decline")),
        (
            Method::POST,
            format!("{sandbox}/control/orders/{mtid}/expire"),
        ),
        (Method::GET, format!("{sandbox}/control/orders/{mtid}")),
        (Method::GET, format!("{sandbox}/control/stats")),
        (Method::GET, format!("{qr}/status")),
    ];
    for (method, url) in &refused {
        let r = from(method.clone(), url.clone(), evil).await.unwrap();
        assert_eq!(r.status(), 403, "{method} {url}");
        assert!(r.headers().get("access-control-allow-origin").is_none());
    }
    let faults = h
        .http
        .put(format!("{sandbox}/control/faults"))
        .header("origin", evil)
        .header("content-type", "application/json")
        .body(r#"{"lateSuccess":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(faults.status(), 403);
    assert!(
        !h.sandbox.faults().late_success,
        "a foreign page set a fault"
    );
    let preflight = h
        .http
        .request(Method::OPTIONS, format!("{sandbox}/control/faults"))
        .header("origin", evil)
        .header("access-control-request-method", "PUT")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_eq!(
        h.sandbox.order(&mtid).unwrap().status.as_str(),
        "PROCESSING"
    );
    // The proxy's own origin (the wallet page, the demo) and an allowed one are served.
    let own = from(Method::GET, format!("{qr}/status"), &h.url)
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert_eq!(own.headers()["access-control-allow-origin"], h.url.as_str());
    let allowed = from(Method::POST, format!("{qr}/pay"), good).await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers()["access-control-allow-origin"], good);
    // Numbers: date + 8 random digits, none the successor of the one before.
    let mut tails = Vec::new();
    for _ in 0..12 {
        let p = h.usd_payment("1.00").await;
        let txid = p["transactionId"].as_str().unwrap();
        assert_eq!(txid.len(), 16);
        tails.push(txid[8..].parse::<u64>().unwrap());
    }
    assert!(
        tails.windows(2).filter(|w| w[1] == w[0] + 1).count() < 2,
        "sequential transaction numbers: {tails:?}"
    );
}

fn signed(account: &Account, salt: &str, biz: &Value) -> Envelope {
    let mut env = Envelope::response(
        &account.acc_id,
        &account.client_id,
        SignType::Sha256,
        "000000",
        "Transaction succeeded",
        biz.to_string(),
    );
    env.sign(salt).unwrap();
    env
}

async fn notify(h: &Harness, body: impl Into<String>) -> Reply {
    send(
        h.http
            .post(format!("{}/notify/pingpong", h.url))
            .header("content-type", "application/json")
            .body(body.into()),
    )
    .await
}

#[tokio::test]
async fn forged_notifications_are_refused_and_genuine_ones_kept_once() {
    let h = Harness::demo().await;
    // Keep the sandbox's own pushes out of the way: only ours reach the proxy.
    h.sandbox.set_faults(Faults {
        drop_notifications: 100,
        ..Faults::default()
    });
    let mut events = h.events(DEMO, None).await;
    let p = h.usd_payment("7.00").await;
    let mtid = p["merchantTransactionId"].as_str().unwrap();
    events.next().await; // PROCESSING
    let a = Account::sandbox_a();
    let b = Account::sandbox_b();
    let request_id = h.sandbox.order(mtid).unwrap().attempts[0]
        .request_id
        .clone();
    let success = json!({
        "notifyType": "RECHARGE", "merchantTransactionId": mtid, "transactionId": p["transactionId"],
        "status": "SUCCESS", "amount": "7.000000", "currency": "USD", "requestId": request_id
    });
    let wrong_salt = signed(&a, &b.salt, &success).to_json();
    let mut unsigned = signed(&a, &a.salt, &success);
    unsigned.remove("sign");
    let mut tampered = signed(
        &a,
        &a.salt,
        &json!({ "notifyType": "RECHARGE", "merchantTransactionId": mtid, "transactionId": p["transactionId"], "status": "FAILED", "amount": "7.000000", "currency": "USD" }),
    );
    tampered.set("bizContent", success.to_string());
    let mut lower = signed(&a, &a.salt, &success);
    let sig = lower.get("sign").unwrap().to_lowercase();
    lower.set("sign", sig);
    let other_account = signed(&b, &b.salt, &success).to_json();
    let mut extra_field = signed(&a, &a.salt, &success);
    extra_field.set("code", "301099");
    for (name, body, status) in [
        ("wrong salt", wrong_salt, 401),
        ("unsigned", unsigned.to_json(), 401),
        ("tampered bizContent", tampered.to_json(), 401),
        ("lower-case signature", lower.to_json(), 401),
        ("another account", other_account, 401),
        ("field changed after signing", extra_field.to_json(), 401),
        ("not JSON", "status=SUCCESS".to_owned(), 400),
        ("numbers", r#"{"accId":1}"#.to_owned(), 400),
    ] {
        let r = notify(&h, body).await;
        assert_eq!(r.status, status, "{name}: {}", r.text);
        assert!(
            r.code() == "UNAUTHORIZED" || r.code() == "INVALID_REQUEST",
            "{name}"
        );
    }
    let still = h.get(&format!("/v1/payments/{mtid}"), DEMO).await;
    assert_eq!(still.json["status"], "PROCESSING", "no forged news applied");

    let genuine = signed(&a, &a.salt, &success).to_json();
    let first = notify(&h, genuine.clone()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["duplicate"], false);
    let again = notify(&h, genuine).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json["duplicate"], true);
    let pushed = events.next().await;
    assert_eq!(pushed.data["status"], "SUCCESS");
    // Exactly one event for the two deliveries: the next one is a later change.
    let later = h.usd_payment("1.00").await;
    let next = events.next().await;
    assert_eq!(
        next.data["merchantTransactionId"],
        later["merchantTransactionId"]
    );
}

/// How the tampering upstream changes PingPong's answers.
const PASS: u8 = 0;
const RESIGN_WRONG_SALT: u8 = 1;
const ALTER_BIZ: u8 = 2;
const STRIP_SIGN: u8 = 3;

#[derive(Clone)]
struct Tamper {
    target: String,
    mode: Arc<AtomicU8>,
    http: reqwest::Client,
}

async fn tamper(State(t): State<Tamper>, uri: Uri, body: Bytes) -> impl IntoResponse {
    let r = t
        .http
        .post(format!("{}{}", t.target, uri.path()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let mut env = Envelope::parse(text.as_bytes()).unwrap();
    let out = match t.mode.load(Ordering::SeqCst) {
        RESIGN_WRONG_SALT => {
            env.sign(&Account::sandbox_b().salt).unwrap();
            env.to_json()
        }
        ALTER_BIZ => {
            let biz = env.biz_content().unwrap().replace("PROCESSING", "SUCCESS");
            env.set("bizContent", biz);
            env.to_json()
        }
        STRIP_SIGN => {
            env.remove("sign");
            env.to_json()
        }
        _ => text,
    };
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        out,
    )
}

#[tokio::test]
async fn tampered_upstream_answers_are_refused() {
    let a = Account::sandbox_a();
    let upstream = StandaloneSandbox::start(vec![a.clone()]).await;
    let mode = Arc::new(AtomicU8::new(PASS));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tamper_url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/{*path}", axum::routing::post(tamper))
        .with_state(Tamper {
            target: upstream.url.clone(),
            mode: mode.clone(),
            http: client(),
        });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let h = pingpong_harness(&upstream.sandbox, &tamper_url, &a, |_| {}).await;
    let body = |id: &str| json!({ "amount": "5.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": id });

    mode.store(RESIGN_WRONG_SALT, Ordering::SeqCst);
    let r = h.post("/v1/payments", DEMO, body("ORDER-T1")).await;
    assert_eq!(
        (r.status, r.code()),
        (502, "UPSTREAM_BAD_SIGNATURE"),
        "{}",
        r.text
    );
    assert!(r.json["transactionId"].is_null() && r.json["qrCode"].is_null());
    let r = h.get("/v1/payments/ORDER-T1", DEMO).await;
    assert_eq!(r.code(), "UPSTREAM_BAD_SIGNATURE");
    // Honest again: the order the sandbox did create is found by a query, not created twice.
    mode.store(PASS, Ordering::SeqCst);
    let r = h.get("/v1/payments/ORDER-T1", DEMO).await;
    assert_eq!(r.json["status"], "PROCESSING", "{}", r.text);
    assert_eq!(upstream.sandbox.stats().orders, 1);

    mode.store(ALTER_BIZ, Ordering::SeqCst);
    let r = h.get("/v1/payments/ORDER-T1", DEMO).await;
    assert_eq!(
        (r.status, r.code()),
        (502, "UPSTREAM_BAD_SIGNATURE"),
        "{}",
        r.text
    );
    mode.store(PASS, Ordering::SeqCst);
    let r = h.get("/v1/payments/ORDER-T1", DEMO).await;
    assert_eq!(
        r.json["status"], "PROCESSING",
        "the altered SUCCESS was not believed"
    );

    mode.store(STRIP_SIGN, Ordering::SeqCst);
    let r = h.post("/v1/payments", DEMO, body("ORDER-T2")).await;
    assert_eq!(r.code(), "UPSTREAM_BAD_SIGNATURE", "{}", r.text);
    mode.store(PASS, Ordering::SeqCst);
    let r = h.post("/v1/payments", DEMO, body("ORDER-T2")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(upstream.sandbox.stats().orders, 2);
}
