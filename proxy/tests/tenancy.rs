//! A platform over real HTTP: three merchants on the sandbox's two accounts (A and B), two
//! stores each, two registers per store, all provisioned through the admin API. A register
//! never sees, refunds or streams another merchant's or another store's payment, also when
//! two merchants use the same merchantTransactionId; a push signed with one merchant's
//! salt for another's order is refused and journaled nowhere; a revoked register (or a
//! disabled merchant's) is refused at once and its stream closes; the admin API takes only
//! its key and sends no CORS headers; no salt is in the database file or in an answer.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::*;
use pingpong_protocol::{Envelope, SignType};
use pingpong_qr_proxy::{KeyChoice, MasterKey, Secret};
use pingpong_sandbox::{Account, Faults};
use reqwest::Method;
use serde_json::{Value, json};

const ADMIN_KEY: &str = "admin-5f0c1a9e7d3b2c4a6e8f0b1d3c5a7e9f";
const ORIGIN: &str = "http://pos.example";

/// The merchants: id and sandbox account.
fn merchants() -> [(&'static str, Account); 3] {
    [
        ("m-a1", Account::sandbox_a()),
        ("m-b", Account::sandbox_b()),
        ("m-a2", Account::sandbox_a()),
    ]
}

/// The platform: the harness and every register's token by (merchant, store, n).
struct Platform {
    h: Harness,
    tokens: BTreeMap<(String, String, u8), String>,
    register_ids: BTreeMap<(String, String, u8), String>,
}

impl Platform {
    fn token(&self, merchant: &str, store: &str, n: u8) -> &str {
        &self.tokens[&(merchant.to_owned(), store.to_owned(), n)]
    }

    fn register_id(&self, merchant: &str, store: &str, n: u8) -> &str {
        &self.register_ids[&(merchant.to_owned(), store.to_owned(), n)]
    }
}

async fn admin(h: &Harness, method: Method, path: &str, body: Option<Value>) -> Reply {
    h.call(method, &format!("/admin/v1{path}"), Some(ADMIN_KEY), body)
        .await
}

async fn platform() -> Platform {
    let h = Harness::demo_with(|c| {
        c.admin_key = Some(Secret::new(ADMIN_KEY));
        c.master_key = KeyChoice::Key(Arc::new(MasterKey::generate()));
        c.allow_origins = vec![ORIGIN.into()];
    })
    .await;
    let mut tokens = BTreeMap::new();
    let mut register_ids = BTreeMap::new();
    for (id, account) in merchants() {
        let r = admin(
            &h,
            Method::POST,
            "/merchants",
            Some(json!({
                "id": id, "name": format!("Merchant {id}"), "accId": account.acc_id,
                "clientId": account.client_id, "salt": account.salt,
            })),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        for store in ["S1", "S2"] {
            let r = admin(
                &h,
                Method::POST,
                &format!("/merchants/{id}/stores"),
                Some(json!({ "id": store, "name": format!("Store {store}") })),
            )
            .await;
            assert_eq!(r.status, 201, "{}", r.text);
            for n in 1..=2u8 {
                let r = admin(
                    &h,
                    Method::POST,
                    &format!("/merchants/{id}/registers"),
                    Some(
                        json!({ "storeId": store, "cashierDeviceId": format!("{store}-POS-{n}") }),
                    ),
                )
                .await;
                assert_eq!(r.status, 201, "{}", r.text);
                let key = (id.to_owned(), store.to_owned(), n);
                tokens.insert(key.clone(), r.json["token"].as_str().unwrap().to_owned());
                register_ids.insert(key, r.json["register"]["id"].as_str().unwrap().to_owned());
            }
        }
    }
    Platform {
        h,
        tokens,
        register_ids,
    }
}

fn usd(amount: &str, mtid: Option<&str>) -> Value {
    let mut body = json!({ "amount": amount, "currency": "USD", "method": "ALIPAY" });
    if let Some(id) = mtid {
        body["merchantTransactionId"] = json!(id);
    }
    body
}

#[tokio::test]
async fn a_register_sees_refunds_and_streams_only_its_merchants_store() {
    let p = platform().await;
    let h = &p.h;
    let stores = [
        ("m-a1", "S1"),
        ("m-a1", "S2"),
        ("m-b", "S1"),
        ("m-b", "S2"),
        ("m-a2", "S1"),
        ("m-a2", "S2"),
    ];
    let mut streams = BTreeMap::new();
    for (m, s) in stores {
        streams.insert((m, s), h.events(p.token(m, s, 1), None).await);
    }

    // Two merchants on two accounts use the same merchantTransactionId: two orders.
    let a1 = h
        .create_payment(p.token("m-a1", "S1", 1), usd("10.00", Some("SAME-1")))
        .await;
    let b = h
        .create_payment(p.token("m-b", "S1", 1), usd("4.00", Some("SAME-1")))
        .await;
    assert_ne!(a1["transactionId"], b["transactionId"]);

    // The store's other register sees it; another store of the merchant is refused; another
    // merchant has no such order, or its own.
    let seen = h.get("/v1/payments/SAME-1", p.token("m-a1", "S1", 2)).await;
    assert_eq!(
        (seen.status, seen.json["amount"].as_str()),
        (200, Some("10.00"))
    );
    let other_store = h.get("/v1/payments/SAME-1", p.token("m-a1", "S2", 1)).await;
    assert_eq!((other_store.status, other_store.code()), (403, "FORBIDDEN"));
    let other_merchant = h.get("/v1/payments/SAME-1", p.token("m-a2", "S1", 1)).await;
    assert_eq!(
        (other_merchant.status, other_merchant.code()),
        (404, "NOT_FOUND")
    );
    let own = h.get("/v1/payments/SAME-1", p.token("m-b", "S1", 2)).await;
    assert_eq!(
        (own.status, own.json["amount"].as_str()),
        (200, Some("4.00"))
    );
    // Nor may another store re-use the id at the same merchant.
    let reuse = h
        .post(
            "/v1/payments",
            p.token("m-a1", "S2", 1),
            usd("10.00", Some("SAME-1")),
        )
        .await;
    assert_eq!((reuse.status, reuse.code()), (403, "FORBIDDEN"));

    // m-a1's order is paid; m-b's stays open.
    h.pay(&a1).await;
    h.await_payment(p.token("m-a1", "S1", 1), "SAME-1", "SUCCESS")
        .await;
    let still = h.get("/v1/payments/SAME-1", p.token("m-b", "S1", 1)).await;
    assert_eq!(still.json["status"], "PROCESSING");

    // Refunds: only the paying merchant's store can refund its payment.
    let refund = |amount: &str, id: &str| json!({ "amount": amount, "merchantRefundId": id });
    let r = h
        .post(
            "/v1/payments/SAME-1/refunds",
            p.token("m-b", "S1", 1),
            refund("2.00", "RF-1"),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "PAYMENT_NOT_REFUNDABLE"),
        "m-b's own order"
    );
    let r = h
        .post(
            "/v1/payments/SAME-1/refunds",
            p.token("m-a1", "S2", 1),
            refund("2.00", "RF-1"),
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "FORBIDDEN"));
    let r = h
        .post(
            "/v1/payments/SAME-1/refunds",
            p.token("m-a2", "S1", 1),
            refund("2.00", "RF-1"),
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "NOT_FOUND"));
    let r = h
        .post(
            "/v1/payments/SAME-1/refunds",
            p.token("m-a1", "S1", 2),
            refund("2.00", "RF-1"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let lookup = h
        .get("/v1/payments/SAME-1/refunds/RF-1", p.token("m-b", "S1", 1))
        .await;
    assert_eq!(lookup.status, 404, "m-b has no refund RF-1");

    // Streams: m-a1/S1 hears its order, m-b/S1 its own; every other store hears nothing of
    // either: the first event each one gets is a payment of its own, made now.
    let s = streams.get_mut(&("m-a1", "S1")).unwrap();
    let e = s.next().await;
    assert_eq!(
        (e.event.as_str(), e.data["amount"].as_str()),
        ("payment", Some("10.00"))
    );
    let e = s.next_where(|e| e.event == "refund").await;
    assert_eq!(e.data["merchantRefundId"], "RF-1");
    let s = streams.get_mut(&("m-b", "S1")).unwrap();
    let e = s.next().await;
    assert_eq!(
        (e.data["amount"].as_str(), e.data["status"].as_str()),
        (Some("4.00"), Some("PROCESSING"))
    );
    for (m, st) in stores {
        if (m, st) == ("m-a1", "S1") {
            continue;
        }
        let own = h.create_payment(p.token(m, st, 2), usd("1.00", None)).await;
        let e = streams.get_mut(&(m, st)).unwrap().next().await;
        assert_eq!(
            e.data["merchantTransactionId"], own["merchantTransactionId"],
            "{m}/{st} heard another store's event: {:?}",
            e.data
        );
    }
}

/// A RECHARGE SUCCESS push for `payment` (sent with `request_id`) as `account` would send
/// it, signed with `salt`.
fn push(account: &Account, salt: &str, payment: &Value, request_id: &str) -> String {
    let biz = json!({
        "notifyType": "RECHARGE",
        "merchantTransactionId": payment["merchantTransactionId"],
        "transactionId": payment["transactionId"],
        "status": "SUCCESS", "amount": "3.000000", "currency": "USD", "requestId": request_id,
    });
    let mut env = Envelope::response(
        &account.acc_id,
        &account.client_id,
        SignType::Sha256,
        "000000",
        "Transaction succeeded",
        biz.to_string(),
    );
    env.sign(salt).unwrap();
    env.to_json()
}

async fn notify(h: &Harness, path: &str, body: String) -> Reply {
    send(
        h.http
            .post(format!("{}{path}", h.url))
            .header("content-type", "application/json")
            .body(body),
    )
    .await
}

fn journal_count(h: &Harness, sql: &str) -> i64 {
    let db = rusqlite::Connection::open_with_flags(
        h.dir.path().join("journal.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_push_signed_for_another_merchant_is_refused_and_journaled_nowhere() {
    let p = platform().await;
    let h = &p.h;
    // Only the pushes of this test reach the proxy.
    h.sandbox.set_faults(Faults {
        drop_notifications: 100,
        ..Faults::default()
    });
    let (a, b) = (Account::sandbox_a(), Account::sandbox_b());
    let token = p.token("m-b", "S1", 1);
    let mut events = h.events(token, None).await;
    let order = h.create_payment(token, usd("3.00", Some("PUSHED-1"))).await;
    events.next().await; // PROCESSING
    let sent = h
        .sandbox
        .order_by_transaction_id(order["transactionId"].as_str().unwrap())
        .unwrap();
    let rq = sent.attempts[0].request_id.clone();
    let push = |account: &Account, salt: &str| push(account, salt, &order, &rq);

    for (name, path, body) in [
        (
            "A's salt, B's account",
            "/notify/pingpong/m-b",
            push(&b, &a.salt),
        ),
        (
            "A's salt and account",
            "/notify/pingpong/m-b",
            push(&a, &a.salt),
        ),
        (
            "B's push at A's merchant",
            "/notify/pingpong/m-a1",
            push(&b, &b.salt),
        ),
    ] {
        let r = notify(h, path, body).await;
        assert_eq!(
            (r.status, r.code()),
            (401, "UNAUTHORIZED"),
            "{name}: {}",
            r.text
        );
    }
    let unknown = notify(h, "/notify/pingpong/nobody", push(&b, &b.salt)).await;
    assert_eq!((unknown.status, unknown.code()), (404, "NOT_FOUND"));
    assert_eq!(journal_count(h, "SELECT COUNT(*) FROM notifications"), 0);
    assert_eq!(
        journal_count(h, "SELECT COUNT(*) FROM orders WHERE status = 'SUCCESS'"),
        0,
        "no forged news applied"
    );

    // B's own push at B's path is taken, once, and streamed to B's store.
    let genuine = notify(h, "/notify/pingpong/m-b", push(&b, &b.salt)).await;
    assert_eq!(
        (genuine.status, genuine.json["duplicate"].as_bool()),
        (200, Some(false))
    );
    let e = events.next().await;
    assert_eq!(
        (
            e.data["merchantTransactionId"].as_str(),
            e.data["status"].as_str()
        ),
        (Some("PUSHED-1"), Some("SUCCESS"))
    );
    assert_eq!(
        journal_count(
            h,
            "SELECT COUNT(*) FROM notifications WHERE merchant_id = 'm-b'"
        ),
        1
    );
}

#[tokio::test]
async fn a_revoked_register_is_refused_at_once_and_its_stream_closes() {
    let p = platform().await;
    let h = &p.h;
    let token = p.token("m-a1", "S1", 1);
    let mut stream = h.events(token, None).await;
    let ticket = h.post("/v1/events/tickets", token, json!({})).await.json["ticket"]
        .as_str()
        .unwrap()
        .to_owned();
    let paid = h.create_payment(token, usd("1.00", None)).await;
    let r = admin(
        h,
        Method::POST,
        &format!(
            "/merchants/m-a1/registers/{}/revoke",
            p.register_id("m-a1", "S1", 1)
        ),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["revokedAt"].as_u64().is_some());
    let mtid = paid["merchantTransactionId"].as_str().unwrap();
    let refused = h.get(&format!("/v1/payments/{mtid}"), token).await;
    assert_eq!((refused.status, refused.code()), (401, "UNAUTHORIZED"));
    let t = h.post("/v1/events/tickets", token, json!({})).await;
    assert_eq!(t.status, 401);
    let reopen = h
        .call(
            Method::GET,
            &format!("/v1/events?ticket={ticket}"),
            None,
            None,
        )
        .await;
    assert_eq!(reopen.status, 401, "its tickets die with it");
    stream.closes().await;
    // The store's other register goes on.
    let other = h
        .get(&format!("/v1/payments/{mtid}"), p.token("m-a1", "S1", 2))
        .await;
    assert_eq!(other.status, 200);
    // A revoked register's device id may be given to a new register.
    let again = admin(
        h,
        Method::POST,
        "/merchants/m-a1/registers",
        Some(json!({ "storeId": "S1", "cashierDeviceId": "S1-POS-1" })),
    )
    .await;
    assert_eq!(again.status, 201, "{}", again.text);

    // Disabling a merchant refuses its registers and closes their streams; enabling it
    // lets them back.
    let token = p.token("m-a2", "S2", 1);
    let mut stream = h.events(token, None).await;
    let off = admin(
        h,
        Method::PATCH,
        "/merchants/m-a2",
        Some(json!({ "enabled": false })),
    )
    .await;
    assert_eq!(
        (off.status, off.json["enabled"].as_bool()),
        (200, Some(false))
    );
    let r = h.post("/v1/payments", token, usd("1.00", None)).await;
    assert_eq!((r.status, r.code()), (401, "UNAUTHORIZED"));
    stream.closes().await;
    admin(
        h,
        Method::PATCH,
        "/merchants/m-a2",
        Some(json!({ "enabled": true })),
    )
    .await;
    h.create_payment(token, usd("1.00", None)).await;
}

#[tokio::test]
async fn the_admin_api_takes_only_its_key_and_sends_no_cors_headers() {
    let p = platform().await;
    let h = &p.h;
    async fn list(h: &Harness, token: Option<&str>) -> Reply {
        h.call(Method::GET, "/admin/v1/merchants", token, None)
            .await
    }
    let r = list(h, None).await;
    assert_eq!((r.status, r.code()), (401, "UNAUTHORIZED"));
    let r = list(h, Some("not-the-admin-key-at-all-0123456789")).await;
    assert_eq!((r.status, r.code()), (401, "UNAUTHORIZED"));
    for register in [p.token("m-b", "S2", 1), DEMO] {
        let r = list(h, Some(register)).await;
        assert_eq!((r.status, r.code()), (403, "FORBIDDEN"), "{}", r.text);
        let r = h
            .call(
                Method::POST,
                "/admin/v1/merchants/m-b/registers",
                Some(register),
                Some(json!({ "storeId": "S1", "cashierDeviceId": "SNEAKY" })),
            )
            .await;
        assert_eq!(r.status, 403);
    }
    let ok = list(h, Some(ADMIN_KEY)).await;
    assert_eq!(ok.status, 200);
    let ids: Vec<&str> = ok
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["default", "m-a1", "m-a2", "m-b"]);

    // No CORS on the admin API, from an origin the register API grants.
    let preflight = |path: &str| {
        h.http
            .request(Method::OPTIONS, format!("{}{path}", h.url))
            .header("origin", ORIGIN)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let granted = preflight("/v1/payments").await.unwrap();
    assert_eq!(granted.headers()["access-control-allow-origin"], ORIGIN);
    let admin_preflight = preflight("/admin/v1/merchants").await.unwrap();
    let with_origin = h
        .http
        .get(format!("{}/admin/v1/merchants", h.url))
        .header("origin", ORIGIN)
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(with_origin.status(), 200);
    for r in [&admin_preflight, &with_origin] {
        let cors: Vec<_> = r
            .headers()
            .keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "CORS headers on the admin API: {cors:?}");
    }

    // Refusals with their codes, nothing half-written.
    let dup = admin(
        h,
        Method::POST,
        "/merchants",
        Some(json!({ "id": "m-b", "name": "again", "accId": "1", "clientId": "2", "salt": "S" })),
    )
    .await;
    assert_eq!((dup.status, dup.code()), (409, "ID_CONFLICT"));
    let bad = admin(
        h,
        Method::POST,
        "/merchants",
        Some(json!({ "id": "m c", "name": "x", "accId": "1", "clientId": "2", "salt": "S" })),
    )
    .await;
    assert_eq!((bad.status, bad.code()), (400, "INVALID_ID"));
    let typo = admin(
        h,
        Method::PATCH,
        "/merchants/m-b",
        Some(json!({ "enable": false })),
    )
    .await;
    assert_eq!((typo.status, typo.code()), (400, "INVALID_REQUEST"));
    let no_store = admin(
        h,
        Method::POST,
        "/merchants/m-b/registers",
        Some(json!({ "storeId": "S9", "cashierDeviceId": "X" })),
    )
    .await;
    assert_eq!((no_store.status, no_store.code()), (404, "NOT_FOUND"));
    let taken = admin(
        h,
        Method::POST,
        "/merchants/m-b/registers",
        Some(json!({ "storeId": "S2", "cashierDeviceId": "S1-POS-1" })),
    )
    .await;
    assert_eq!((taken.status, taken.code()), (409, "ID_CONFLICT"));
    let startup = admin(
        h,
        Method::PATCH,
        "/merchants/default",
        Some(json!({ "name": "x" })),
    )
    .await;
    assert_eq!((startup.status, startup.code()), (400, "INVALID_REQUEST"));
    let listed = admin(h, Method::GET, "/merchants/m-b/registers?storeId=S1", None).await;
    assert_eq!(listed.json.as_array().unwrap().len(), 2);
    assert!(!listed.text.contains("ppq_"), "a list never shows a token");

    // A proxy without an admin key has no admin API.
    let plain = Harness::demo().await;
    let r = plain
        .call(Method::GET, "/admin/v1/merchants", Some(ADMIN_KEY), None)
        .await;
    assert_eq!((r.status, r.code()), (404, "NOT_FOUND"));
}

#[tokio::test]
async fn no_salt_in_the_database_file_or_an_answer() {
    let p = platform().await;
    let h = &p.h;
    let a = h
        .create_payment(p.token("m-b", "S1", 1), usd("2.00", None))
        .await;
    h.pay(&a).await;
    let listed = admin(h, Method::GET, "/merchants", None).await;
    let one = admin(h, Method::GET, "/merchants/m-b", None).await;
    let changed = admin(
        h,
        Method::PATCH,
        "/merchants/m-a2",
        Some(json!({ "salt": "NEW-SALT-FOR-A2-0123456789" })),
    )
    .await;
    assert_eq!(changed.status, 200);
    assert_ne!(
        changed.json["saltFingerprint"],
        listed.json[1]["saltFingerprint"]
    );
    assert_eq!(one.json["saltSource"], "sealed");
    assert_eq!(one.json["notificationPath"], "/notify/pingpong/m-b");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(h.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("journal.sqlite") {
            files.push(std::fs::read(&path).unwrap());
        }
    }
    assert!(!files.is_empty());
    let salts = [
        Account::sandbox_a().salt,
        Account::sandbox_b().salt,
        "NEW-SALT-FOR-A2-0123456789".to_owned(),
    ];
    for salt in &salts {
        for bytes in &files {
            assert!(
                !bytes.windows(salt.len()).any(|w| w == salt.as_bytes()),
                "a salt in clear in the database file"
            );
        }
        for text in [&listed.text, &one.text, &changed.text] {
            assert!(!text.contains(salt.as_str()), "a salt in an admin answer");
        }
    }
    for token in p.tokens.values() {
        let secret = token.rsplit('_').next().unwrap();
        for bytes in &files {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a token in the file"
            );
        }
    }
}

#[tokio::test]
async fn a_platform_serves_only_the_merchants_of_its_database() {
    let upstream = StandaloneSandbox::start(vec![Account::sandbox_a(), Account::sandbox_b()]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = pingpong_qr_proxy::Config::demo(dir.path().join("journal.sqlite"));
    config.upstream = pingpong_qr_proxy::Upstream::Platform {
        base_url: upstream.url.clone(),
    };
    config.admin_key = Some(Secret::new(ADMIN_KEY));
    config.master_key = KeyChoice::Key(Arc::new(MasterKey::generate()));
    config.www_dir = dir.path().join("www");
    config.pkg_dir = dir.path().join("pkg");
    let proxy = pingpong_qr_proxy::start(config)
        .await
        .expect("starts with no merchant");
    let h = Harness {
        url: proxy.url().to_owned(),
        proxy: Some(proxy),
        http: client(),
        dir,
        sandbox: upstream.sandbox.clone(),
    };
    let health = h.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.json["mode"], "platform");
    let none = admin(&h, Method::GET, "/merchants", None).await;
    assert_eq!(none.json, json!([]), "no merchant `default`");
    let demo = h.post("/v1/payments", DEMO, usd("1.00", None)).await;
    assert_eq!(demo.status, 401, "no demo token");
    let b = Account::sandbox_b();
    admin(
        &h,
        Method::POST,
        "/merchants",
        Some(json!({ "id": "solo", "name": "Solo", "accId": b.acc_id, "clientId": b.client_id, "salt": b.salt })),
    )
    .await;
    admin(
        &h,
        Method::POST,
        "/merchants/solo/stores",
        Some(json!({ "id": "S1", "name": "One" })),
    )
    .await;
    let r = admin(
        &h,
        Method::POST,
        "/merchants/solo/registers",
        Some(json!({ "storeId": "S1", "cashierDeviceId": "P1" })),
    )
    .await;
    let token = r.json["token"].as_str().unwrap().to_owned();
    let p = h.create_payment(&token, usd("5.00", Some("PLAT-1"))).await;
    let sent = upstream.sandbox.order("PLAT-1").unwrap();
    assert_eq!(
        sent.notification_url.as_deref(),
        Some(format!("{}/notify/pingpong/solo", h.url).as_str())
    );
    upstream
        .sandbox
        .pay(p["transactionId"].as_str().unwrap())
        .unwrap();
    h.await_payment(&token, "PLAT-1", "SUCCESS").await;
    let legacy = notify(&h, "/notify/pingpong", "{}".into()).await;
    assert_eq!(legacy.status, 404, "no merchant `default` to push to");
}
