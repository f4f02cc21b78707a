//! The OpenAPI 3.1 document, generated from the contract types and the handlers (utoipa):
//! the checked-in copy (proxy/openapi.json) is what they generate, and real answers follow
//! it: every route, every status these flows produce, each body validated against the
//! schema the document gives for that route and status.

mod common;

use std::collections::BTreeSet;

use common::*;
use pingpong_protocol::admin::paths as admin;
use pingpong_protocol::contract::paths;
use pingpong_protocol::{Envelope, ErrorCode};
use pingpong_sandbox::{Account, Api, Faults};
use reqwest::Method;
use serde_json::{Value, json};

fn document() -> Value {
    serde_json::from_str(pingpong_qr_proxy::openapi_document()).expect("the document is JSON")
}

#[test]
fn the_checked_in_document_is_the_generated_one() {
    // PINGPONG_QR_REGENERATE=1 rewrites proxy/openapi.json from the types and handlers.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let generated = pingpong_qr_proxy::openapi_document();
    if std::env::var_os("PINGPONG_QR_REGENERATE").is_some() {
        std::fs::write(path, generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "proxy/openapi.json differs from what the contract types and handlers generate: run \
         PINGPONG_QR_REGENERATE=1 cargo test -p pingpong-qr-proxy --test openapi"
    );
}

/// Follows a `{"$ref": "#/…"}` inside the document.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {r}")),
        None => v,
    }
}

/// Collects answers and checks each against the document.
struct Conformance {
    doc: Value,
    seen: BTreeSet<(String, String, u16)>,
}

impl Conformance {
    fn new() -> Self {
        Conformance {
            doc: document(),
            seen: BTreeSet::new(),
        }
    }

    fn check(&mut self, method: &Method, template: &str, r: &Reply) {
        let errors = self.errors(method, template, r);
        assert!(
            errors.is_empty(),
            "{method} {template} {}: {errors:?} in {}",
            r.status,
            r.text
        );
        self.seen
            .insert((method.to_string(), template.to_owned(), r.status));
    }

    /// What the document finds wrong with an answer.
    fn errors(&self, method: &Method, template: &str, r: &Reply) -> Vec<String> {
        let op = &self.doc["paths"][template][method.as_str().to_lowercase()];
        let api_error = json!({ "$ref": "#/components/schemas/ApiError" });
        let schema = if r.status == 405 {
            // A method the route does not have: the generic error.
            assert!(
                op.is_null(),
                "{method} {template} is documented but answered 405"
            );
            &api_error
        } else {
            assert!(op.is_object(), "{method} {template} is not documented");
            let documented = &op["responses"][r.status.to_string()];
            assert!(
                documented.is_object(),
                "{method} {template} answered {} which is not documented: {}",
                r.status,
                r.text
            );
            &resolve(&self.doc, documented)["content"]["application/json"]["schema"]
        };
        assert!(
            schema.is_object(),
            "{method} {template} {}: no JSON schema",
            r.status
        );
        let mut root = json!({ "components": self.doc["components"].clone() });
        for (k, v) in schema.as_object().unwrap() {
            root[k] = v.clone();
        }
        let validator = jsonschema::validator_for(&root).expect("a valid schema");
        validator
            .iter_errors(&r.json)
            .map(|e| e.to_string())
            .collect()
    }
}

#[test]
fn the_document_matches_the_contract() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let contract: BTreeSet<&str> = [
        paths::PAYMENTS,
        paths::PAYMENT,
        paths::REFUNDS,
        paths::REFUND,
        paths::EVENT_TICKETS,
        paths::EVENTS,
        paths::NOTIFY,
        paths::NOTIFY_MERCHANT,
        paths::OPENAPI,
        paths::HEALTH,
        admin::MERCHANTS,
        admin::MERCHANT,
        admin::STORES,
        admin::REGISTERS,
        admin::REVOKE,
    ]
    .into();
    assert_eq!(documented, contract);
    let codes: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let proxy_codes: Vec<&str> = ErrorCode::ALL
        .iter()
        .filter(|c| c.http_status() != 0)
        .map(|c| c.as_str())
        .collect();
    assert_eq!(codes, proxy_codes);
    jsonschema::meta::validate(&doc["components"]["schemas"]["PaymentView"]).unwrap();
    // The admin API's limits are the protocol's.
    let schemas = &doc["components"]["schemas"];
    for name in ["NewMerchant", "MerchantPatch"] {
        let methods = &schemas[name]["properties"]["methods"];
        assert_eq!(
            methods["maxItems"],
            pingpong_protocol::admin::MAX_METHODS,
            "{name}"
        );
    }
    assert_eq!(
        schemas["NewRegister"]["properties"]["label"]["maxLength"],
        pingpong_protocol::admin::MAX_NAME
    );
    assert_eq!(
        schemas["Name"]["maxLength"],
        pingpong_protocol::admin::MAX_NAME
    );
}

/// A validator of the document's schema `name`.
fn schema(doc: &Value, name: &str) -> jsonschema::Validator {
    let mut root = json!({ "components": doc["components"].clone() });
    root["$ref"] = json!(format!("#/components/schemas/{name}"));
    jsonschema::validator_for(&root).expect("a valid schema")
}

/// The document states the protocol's rules, not a rule of its own: the `Amount` pattern
/// accepts exactly what `Money::parse` accepts in a 3-decimal currency (the widest; fewer
/// decimals are the currency's rule, zero is refused by value), and `Id` exactly what the
/// id type accepts, at both edges of each.
#[test]
fn the_documented_amount_and_id_rules_are_the_protocols() {
    use pingpong_protocol::{Currency, MerchantTransactionId, Money};
    let doc = document();
    let amount = schema(&doc, "Amount");
    let kwd = Currency::from_code("KWD").unwrap();
    let nines = "9".repeat(12);
    for text in [
        "1",
        "12.5",
        "0.001",
        "999999999999.999",
        &nines,
        "1000000000000",
        "9999999999999.9",
        "0000000000001",
        "000000000001",
        "1.0001",
        "1.",
        ".5",
        "-1",
        "1e3",
        "12,50",
        " 1",
        "",
    ] {
        assert_eq!(
            amount.is_valid(&json!(text)),
            Money::parse(text, kwd).is_ok(),
            "amount {text:?}"
        );
    }
    let id = schema(&doc, "Id");
    let long = "a".repeat(64);
    let too_long = "a".repeat(65);
    for text in [
        "a", ".", "..", "...", "a.", ".a", "..a", "-", "_", "a/b", "a b", "", &long, &too_long,
    ] {
        assert_eq!(
            id.is_valid(&json!(text)),
            MerchantTransactionId::new(text).is_ok(),
            "id {text:?}"
        );
    }
}

#[test]
fn the_check_refuses_bodies_off_the_document() {
    let c = Conformance::new();
    let reply = |status: u16, json: Value| Reply {
        status,
        headers: Default::default(),
        text: json.to_string(),
        json,
    };
    let bad = [
        reply(404, json!({ "code": "NOT_A_CODE", "message": "x" })),
        reply(404, json!({ "code": "NOT_FOUND" })),
        reply(
            404,
            json!({ "code": "NOT_FOUND", "message": "x", "extra": 1 }),
        ),
        reply(
            200,
            json!({ "merchantTransactionId": "A", "status": "PROCESSING" }),
        ),
    ];
    for r in bad {
        assert!(
            !c.errors(&Method::GET, paths::PAYMENT, &r).is_empty(),
            "{}",
            r.text
        );
    }
    let good = reply(
        404,
        json!({ "code": "NOT_FOUND", "message": "no such payment" }),
    );
    assert!(c.errors(&Method::GET, paths::PAYMENT, &good).is_empty());
}

#[tokio::test]
async fn real_answers_follow_the_document() {
    let h =
        Harness::demo_with(|c| c.timeouts.request = std::time::Duration::from_millis(400)).await;
    let mut c = Conformance::new();
    let served = h.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(
        served.json, c.doc,
        "the served document is the checked-in one"
    );
    c.check(&Method::GET, "/openapi.json", &served);
    let health = h.call(Method::GET, "/healthz", None, None).await;
    c.check(&Method::GET, "/healthz", &health);

    let pay = |body: Value| h.post("/v1/payments", DEMO, body);
    let body = json!({ "amount": "10.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "OA-1", "remark": "r" });
    let post = Method::POST;
    let get = Method::GET;
    for (r, status) in [
        (pay(body.clone()).await, 201),
        (pay(body.clone()).await, 200),
        (pay(json!({ "amount": "1.001", "currency": "USD", "method": "ALIPAY" })).await, 400),
        (h.call(Method::POST, "/v1/payments", None, Some(body.clone())).await, 401),
        (h.post("/v1/payments", OTHER, body.clone()).await, 403),
        (pay(json!({ "amount": "11.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "OA-1" })).await, 409),
        (pay(json!({ "amount": "1", "currency": "USD", "method": "ALIPAY", "remark": "x".repeat(20_000) })).await, 413),
        (send(h.http.post(format!("{}/v1/payments", h.url)).bearer_auth(DEMO).body("{}")).await, 415),
    ] {
        assert_eq!(r.status, status, "{}", r.text);
        c.check(&post, paths::PAYMENTS, &r);
    }
    let p = h.get("/v1/payments/OA-1", DEMO).await;
    c.check(&get, paths::PAYMENT, &p);
    for (path, token, status) in [
        ("/v1/payments/OA-1", OTHER, 403),
        ("/v1/payments/NOPE", DEMO, 404),
        ("/v1/payments/a%20b", DEMO, 400),
    ] {
        let r = h.get(path, token).await;
        assert_eq!(r.status, status);
        c.check(&get, paths::PAYMENT, &r);
    }
    let r = h
        .call(Method::PUT, "/v1/payments/OA-1", Some(DEMO), None)
        .await;
    assert_eq!(r.status, 405);
    c.check(&Method::PUT, paths::PAYMENT, &r);

    let refunds = "/v1/payments/OA-1/refunds";
    let r = h.post(refunds, DEMO, json!({ "amount": "1.00" })).await;
    assert_eq!(r.status, 409);
    c.check(&post, paths::REFUNDS, &r);
    h.pay(&p.json).await;
    h.await_payment(DEMO, "OA-1", "SUCCESS").await;
    let paid = h.get("/v1/payments/OA-1", DEMO).await;
    c.check(&get, paths::PAYMENT, &paid);
    for (body, status) in [
        (
            json!({ "amount": "4.00", "merchantRefundId": "OA-R1", "remark": "r" }),
            201,
        ),
        (
            json!({ "amount": "4.00", "merchantRefundId": "OA-R1", "remark": "r" }),
            200,
        ),
        (json!({ "amount": "1.00" }), 409),
        (json!({ "amount": "x" }), 400),
    ] {
        let r = h.post(refunds, DEMO, body).await;
        assert_eq!(r.status, status, "{}", r.text);
        c.check(&post, paths::REFUNDS, &r);
    }
    let done = h.await_refund("OA-1", "OA-R1", "SUCCESS").await;
    assert_eq!(done["amount"], "4.00");
    let r = h.get("/v1/payments/OA-1/refunds/OA-R1", DEMO).await;
    c.check(&get, paths::REFUND, &r);
    let r = h.get("/v1/payments/OA-1/refunds/NOPE", DEMO).await;
    c.check(&get, paths::REFUND, &r);
    let r = h.post(refunds, DEMO, json!({ "amount": "6.01" })).await;
    assert_eq!(r.status, 422);
    c.check(&post, paths::REFUNDS, &r);

    let t = h.post("/v1/events/tickets", DEMO, json!({})).await;
    c.check(&post, paths::EVENT_TICKETS, &t);
    let t = h.call(Method::POST, "/v1/events/tickets", None, None).await;
    c.check(&post, paths::EVENT_TICKETS, &t);
    let e = h
        .call(Method::GET, "/v1/events?ticket=nope", None, None)
        .await;
    c.check(&get, paths::EVENTS, &e);
    let ticket = h.post("/v1/events/tickets", DEMO, json!({})).await.json["ticket"].clone();
    let e = send(
        h.http
            .get(format!(
                "{}/v1/events?ticket={}",
                h.url,
                ticket.as_str().unwrap()
            ))
            .header("last-event-id", "x"),
    )
    .await;
    assert_eq!(e.status, 400);
    c.check(&get, paths::EVENTS, &e);
    // The events' data are views of the document.
    let mut stream = h.events(DEMO, Some(0)).await;
    for _ in 0..3 {
        let ev = stream.next().await;
        let template = if ev.event == "payment" {
            paths::PAYMENT
        } else {
            paths::REFUND
        };
        let as_reply = Reply {
            status: 200,
            headers: Default::default(),
            text: ev.data.to_string(),
            json: ev.data,
        };
        c.check(&get, template, &as_reply);
    }

    let n = h
        .call(
            Method::POST,
            "/notify/pingpong",
            None,
            Some(json!({ "accId": "x", "sign": "y" })),
        )
        .await;
    assert_eq!(n.status, 401);
    c.check(&post, paths::NOTIFY, &n);
    let n = send(
        h.http
            .post(format!("{}/notify/pingpong", h.url))
            .body("nope"),
    )
    .await;
    assert_eq!(n.status, 400);
    c.check(&post, paths::NOTIFY, &n);

    // Upstream trouble: unreachable/5xx (503), no answer (504).
    h.sandbox.set_faults(Faults {
        http_5xx: 3,
        apis: vec![Api::Query],
        ..Faults::default()
    });
    let r = h.get("/v1/payments/OA-1", DEMO).await;
    assert_eq!(r.status, 200, "SUCCESS is answered from the journal");
    let open = h.usd_payment("2.00").await;
    let open_path = format!(
        "/v1/payments/{}",
        open["merchantTransactionId"].as_str().unwrap()
    );
    let r = h.get(&open_path, DEMO).await;
    assert_eq!(r.status, 503, "{}", r.text);
    c.check(&get, paths::PAYMENT, &r);
    h.sandbox.set_faults(Faults {
        no_answer: 1,
        apis: vec![Api::UnifiedPay],
        ..Faults::default()
    });
    let r = pay(json!({ "amount": "3.00", "currency": "USD", "method": "WECHAT" })).await;
    assert_eq!(r.status, 504, "{}", r.text);
    c.check(&post, paths::PAYMENTS, &r);

    assert!(c.seen.len() >= 30, "{} answers checked", c.seen.len());
}

/// Method, route template, path, credential, body, expected status.
type AdminCase = (
    Method,
    &'static str,
    String,
    Option<&'static str>,
    Option<Value>,
    u16,
);

#[tokio::test]
async fn admin_answers_follow_the_document() {
    const KEY: &str = "admin-key-for-the-document-0123456789";
    let h = Harness::demo_with(|c| {
        c.admin_key = Some(pingpong_qr_proxy::Secret::new(KEY));
        c.master_key = pingpong_qr_proxy::KeyChoice::Key(std::sync::Arc::new(
            pingpong_qr_proxy::MasterKey::generate(),
        ));
    })
    .await;
    let mut c = Conformance::new();
    let b = Account::sandbox_b();
    let (get, post, patch) = (Method::GET, Method::POST, Method::PATCH);
    let call = |method: Method, path: String, token: Option<&'static str>, body: Option<Value>| {
        let h = &h;
        async move { h.call(method, &path, token, body).await }
    };
    let merchant = json!({ "id": "m-doc", "name": "Doc", "accId": b.acc_id, "clientId": b.client_id, "salt": b.salt,
        "methods": [{ "method": "ALIPAY", "type": "AlipayHK-Offline", "currencies": ["HKD"] }] });
    let cases: Vec<AdminCase> = vec![
        (
            post.clone(),
            admin::MERCHANTS,
            admin::MERCHANTS.into(),
            Some(KEY),
            Some(merchant.clone()),
            201,
        ),
        (
            post.clone(),
            admin::MERCHANTS,
            admin::MERCHANTS.into(),
            Some(KEY),
            Some(merchant),
            409,
        ),
        (
            post.clone(),
            admin::MERCHANTS,
            admin::MERCHANTS.into(),
            Some(KEY),
            Some(json!({ "id": "x" })),
            400,
        ),
        (
            get.clone(),
            admin::MERCHANTS,
            admin::MERCHANTS.into(),
            Some(KEY),
            None,
            200,
        ),
        (
            get.clone(),
            admin::MERCHANTS,
            admin::MERCHANTS.into(),
            None,
            None,
            401,
        ),
        (
            get.clone(),
            admin::MERCHANTS,
            admin::MERCHANTS.into(),
            Some(DEMO),
            None,
            403,
        ),
        (
            get.clone(),
            admin::MERCHANT,
            "/admin/v1/merchants/m-doc".into(),
            Some(KEY),
            None,
            200,
        ),
        (
            get.clone(),
            admin::MERCHANT,
            "/admin/v1/merchants/nope".into(),
            Some(KEY),
            None,
            404,
        ),
        (
            patch.clone(),
            admin::MERCHANT,
            "/admin/v1/merchants/m-doc".into(),
            Some(KEY),
            Some(json!({ "name": "Doc 2", "failureFinal": true })),
            200,
        ),
        (
            post.clone(),
            admin::STORES,
            "/admin/v1/merchants/m-doc/stores".into(),
            Some(KEY),
            Some(json!({ "id": "S1", "name": "One" })),
            201,
        ),
        (
            post.clone(),
            admin::STORES,
            "/admin/v1/merchants/nope/stores".into(),
            Some(KEY),
            Some(json!({ "id": "S1", "name": "One" })),
            404,
        ),
        (
            get.clone(),
            admin::STORES,
            "/admin/v1/merchants/m-doc/stores".into(),
            Some(KEY),
            None,
            200,
        ),
        (
            post.clone(),
            admin::REGISTERS,
            "/admin/v1/merchants/m-doc/registers".into(),
            Some(KEY),
            Some(json!({ "storeId": "S1", "cashierDeviceId": "P1", "label": "till 1" })),
            201,
        ),
        (
            post.clone(),
            admin::REGISTERS,
            "/admin/v1/merchants/m-doc/registers".into(),
            Some(KEY),
            Some(json!({ "storeId": "S1", "cashierDeviceId": "P1" })),
            409,
        ),
        (
            get.clone(),
            admin::REGISTERS,
            "/admin/v1/merchants/m-doc/registers?storeId=S1".into(),
            Some(KEY),
            None,
            200,
        ),
        (
            post.clone(),
            admin::REVOKE,
            "/admin/v1/merchants/m-doc/registers/RGNONE/revoke".into(),
            Some(KEY),
            None,
            404,
        ),
    ];
    let mut register = None;
    for (method, template, path, token, body, status) in cases {
        let r = call(method.clone(), path.clone(), token, body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.text);
        c.check(&method, template, &r);
        if status == 201 && template == admin::REGISTERS {
            register = r.json["register"]["id"].as_str().map(str::to_owned);
        }
    }
    let revoke = format!(
        "/admin/v1/merchants/m-doc/registers/{}/revoke",
        register.unwrap()
    );
    let r = call(post.clone(), revoke, Some(KEY), None).await;
    assert_eq!(r.status, 200);
    c.check(&post, admin::REVOKE, &r);

    // The merchant's notification path.
    let n = h
        .call(
            post.clone(),
            "/notify/pingpong/m-doc",
            None,
            Some(json!({ "accId": "x", "sign": "y" })),
        )
        .await;
    assert_eq!(n.status, 401);
    c.check(&post, paths::NOTIFY_MERCHANT, &n);
    let n = h
        .call(
            post.clone(),
            "/notify/pingpong/nobody",
            None,
            Some(json!({ "accId": "x", "sign": "y" })),
        )
        .await;
    assert_eq!(n.status, 404);
    c.check(&post, paths::NOTIFY_MERCHANT, &n);
}

#[tokio::test]
async fn a_refusal_by_pingpong_is_upstream_rejected_with_its_code() {
    let a = Account::sandbox_a();
    let upstream = StandaloneSandbox::start(vec![a.clone()]).await;
    // A method name this acquirer does not accept.
    let h = pingpong_harness(&upstream.sandbox, &upstream.url, &a, |c| {
        c.methods.wechat = "Bogus-Offline".into();
    })
    .await;
    let mut c = Conformance::new();
    let body = json!({ "amount": "3.00", "currency": "USD", "method": "WECHAT", "merchantTransactionId": "OA-REJ-1" });
    let r = h.post("/v1/payments", DEMO, body.clone()).await;
    assert_eq!(
        (r.status, r.code()),
        (422, "UPSTREAM_REJECTED"),
        "{}",
        r.text
    );
    assert_eq!(r.json["upstreamCode"], "102000");
    c.check(&Method::POST, paths::PAYMENTS, &r);
    // Retried: the same refusal from the journal, nothing sent again.
    let sent = upstream.sandbox.stats().total_requests();
    let again = h.post("/v1/payments", DEMO, body).await;
    assert_eq!(again.json["upstreamCode"], "102000");
    assert_eq!(upstream.sandbox.stats().total_requests(), sent);
    let got = h.get("/v1/payments/OA-REJ-1", DEMO).await;
    assert_eq!(got.json["status"], "FAILED");
    assert_eq!(got.json["resultCode"], "102000");
    c.check(&Method::GET, paths::PAYMENT, &got);
    assert_eq!(upstream.sandbox.stats().orders, 0);
}

/// A unifiedPay bizContent with the parameters the proxy sends for a DEMO-POS-1 ALIPAY
/// order, for creating the "same" order straight at the acquirer.
fn direct_order(mtid: &str, amount: &str) -> Value {
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({
        "merchantTransactionId": mtid,
        "requestId": format!("{mtid}-DIRECT"),
        "amount": amount,
        "currency": "USD",
        "captureDelayHours": 0,
        "cashierDeviceId": "DEMO-POS-1",
        "paymentMethod": { "type": "AlipayCN-Offline" },
        "timeExpire": (now_s + 300).to_string(),
    })
}

/// The journaled upstream exchanges of `h`'s proxy: (outcome, response without sign).
async fn exchanges(h: &Harness) -> Vec<(String, String)> {
    let db = h.dir.path().join("journal.sqlite");
    // The audit record is a deferred write: wait until it is committed.
    eventually("the exchange is journaled", || async {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare("SELECT outcome, COALESCE(response, '') FROM exchanges ORDER BY rowid")
            .unwrap();
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        (!rows.is_empty()).then_some(rows)
    })
    .await
}

/// A documented route: method and path template.
type Route = (Method, &'static str);
const CREATE: Route = (Method::POST, paths::PAYMENTS);
const READ: Route = (Method::GET, paths::PAYMENT);
const REFUND: Route = (Method::POST, paths::REFUNDS);
const READ_REFUND: Route = (Method::GET, paths::REFUND);

/// An expected answer: HTTP status, error `code` ("" for a success), `upstreamCode`.
type Want = (u16, &'static str, Option<&'static str>);

/// `UPSTREAM_REJECTED` (422) carrying PingPong's `code`.
fn rejected(code: &'static str) -> Want {
    (422, "UPSTREAM_REJECTED", Some(code))
}

/// A success with `status`.
fn answer(status: u16) -> Want {
    (status, "", None)
}

#[tokio::test]
async fn pingpong_refusals_map_to_the_documented_errors() {
    let a = Account::sandbox_a();
    let s1 = StandaloneSandbox::start(vec![a.clone()]).await;
    let mut h = pingpong_harness(&s1.sandbox, &s1.url, &a, |_| {}).await;
    let mut c = Conformance::new();
    // (what, the answer, its route, the expected status + code + upstreamCode)
    let mut rows: Vec<(&str, Reply, Route, Want)> = Vec::new();

    // 107000: another client of the account used the id with other parameters first.
    let first = s1
        .call(
            &a,
            Api::UnifiedPay.path(),
            &direct_order("MAP-DUP-1", "9.00"),
        )
        .await;
    assert_eq!(first.code(), Some("002000"));
    let dup = json!({ "amount": "3.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "MAP-DUP-1" });
    let r = h.post("/v1/payments", DEMO, dup).await;
    rows.push(("create, id taken upstream", r, CREATE, rejected("107000")));
    let r = h.get("/v1/payments/MAP-DUP-1", DEMO).await;
    assert_eq!(
        (r.json["status"].as_str(), r.json["resultCode"].as_str()),
        (Some("FAILED"), Some("107000")),
        "{}",
        r.text
    );
    rows.push(("get of that refused create", r, READ, answer(200)));
    assert_eq!(
        s1.sandbox.order("MAP-DUP-1").unwrap().amount,
        "9.00",
        "the first order is untouched"
    );

    // 105000: the same order exists upstream and is already CLOSED.
    s1.call(
        &a,
        Api::UnifiedPay.path(),
        &direct_order("MAP-CLOSED-1", "4.00"),
    )
    .await;
    s1.sandbox.expire("MAP-CLOSED-1").unwrap();
    let closed = json!({ "amount": "4.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": "MAP-CLOSED-1" });
    let r = h.post("/v1/payments", DEMO, closed).await;
    rows.push(("create of a closed order", r, CREATE, rejected("105000")));

    // 108003: a refund made past the proxy used up balance the journal still counts.
    let paid = h.paid_payment("10.00").await;
    let paid_id = paid["merchantTransactionId"].as_str().unwrap().to_owned();
    let direct = s1
        .call(
            &a,
            Api::Refund.path(),
            &json!({ "merchantTransactionId": paid_id, "merchantRefundId": "MAP-RF-DIRECT", "amount": "6.00", "currency": "USD" }),
        )
        .await;
    assert_eq!(direct.code(), Some("002000"));
    let refunds = format!("/v1/payments/{paid_id}/refunds");
    let r = h
        .post(
            &refunds,
            DEMO,
            json!({ "amount": "5.00", "merchantRefundId": "MAP-RF-1" }),
        )
        .await;
    rows.push((
        "refund over the upstream balance",
        r,
        REFUND,
        rejected("108003"),
    ));
    let r = h.get(&format!("{refunds}/MAP-RF-1"), DEMO).await;
    assert_eq!(
        (r.json["status"].as_str(), r.json["resultCode"].as_str()),
        (Some("FAILED"), Some("108003")),
        "{}",
        r.text
    );
    rows.push(("get of that refused refund", r, READ_REFUND, answer(200)));
    let r = h.post(&refunds, DEMO, json!({ "amount": "4.00" })).await;
    let last_refund = r.json["merchantRefundId"].as_str().unwrap_or("").to_owned();
    rows.push(("a refused refund holds no balance", r, REFUND, answer(201)));

    // The journal moves to an acquirer that has never seen its orders (e.g. another
    // environment): 107001, 107002, 107003.
    let open = h.usd_payment("2.00").await;
    let open_id = open["merchantTransactionId"].as_str().unwrap().to_owned();
    let paid2 = h.paid_payment("8.00").await;
    let paid2_id = paid2["merchantTransactionId"].as_str().unwrap().to_owned();
    h.await_refund(&paid_id, &last_refund, "SUCCESS").await;
    h.shutdown().await;
    let s2 = StandaloneSandbox::start(vec![a.clone()]).await;
    // There, the second paid order exists but was never paid.
    s2.call(&a, Api::UnifiedPay.path(), &direct_order(&paid2_id, "8.00"))
        .await;
    let proxy = pingpong_qr_proxy::start(pingpong_config(h.dir.path(), &s2.url, &a))
        .await
        .unwrap();
    h.url = proxy.url().to_owned();
    h.proxy = Some(proxy);
    h.sandbox = s2.sandbox.clone();
    let r = h.get(&format!("/v1/payments/{open_id}"), DEMO).await;
    rows.push((
        "query of an order upstream does not know",
        r,
        READ,
        (409, "UPSTREAM_ORDER_UNKNOWN", Some("107001")),
    ));
    let r = h
        .post(
            &format!("/v1/payments/{paid_id}/refunds"),
            DEMO,
            json!({ "amount": "1.00" }),
        )
        .await;
    rows.push((
        "refund of an order upstream does not know",
        r,
        REFUND,
        (409, "UPSTREAM_ORDER_UNKNOWN", Some("107002")),
    ));
    let r = h
        .post(
            &format!("/v1/payments/{paid2_id}/refunds"),
            DEMO,
            json!({ "amount": "1.00" }),
        )
        .await;
    rows.push((
        "refund of an order upstream has unpaid",
        r,
        REFUND,
        rejected("107003"),
    ));
    h.shutdown().await;

    // Answers that cannot be verified are never trusted, whatever their code: a wrong salt
    // (104000, signed with the real salt) and an unknown account (103000, unsigned).
    let mut wrong_salt = a.clone();
    wrong_salt.salt = Account::sandbox_b().salt;
    let unknown = Account {
        acc_id: "2018092714313010099999".into(),
        client_id: "2018092714313010099".into(),
        salt: a.salt.clone(),
    };
    let mut refused_by = Vec::new();
    for (account, what, code) in [
        (&wrong_salt, "create with a wrong salt", "104000"),
        (&unknown, "create for an unknown account", "103000"),
    ] {
        let hb = pingpong_harness(&s2.sandbox, &s2.url, account, |_| {}).await;
        let r = hb
            .post(
                "/v1/payments",
                DEMO,
                json!({ "amount": "1.00", "currency": "USD", "method": "ALIPAY" }),
            )
            .await;
        rows.push((what, r, CREATE, (502, "UPSTREAM_BAD_SIGNATURE", None)));
        let journaled = exchanges(&hb).await;
        assert_eq!(journaled.len(), 1, "{journaled:?}");
        assert_eq!(journaled[0].0, "bad-signature");
        let answer = Envelope::parse(journaled[0].1.as_bytes()).unwrap();
        refused_by.push((answer.code().map(str::to_owned), code));
    }
    for (got, want) in refused_by {
        assert_eq!(got.as_deref(), Some(want), "what the sandbox answered");
    }

    for (what, r, (method, template), (status, code, upstream)) in &rows {
        assert_eq!(r.status, *status, "{what}: {}", r.text);
        if !code.is_empty() {
            assert_eq!(r.code(), *code, "{what}: {}", r.text);
            assert_eq!(
                r.json["upstreamCode"].as_str(),
                *upstream,
                "{what}: {}",
                r.text
            );
        }
        c.check(method, template, r);
    }
}
