//! The checked-in OpenAPI 3.1 document (proxy/openapi.json) held against real answers:
//! every route, every status these flows produce, each body validated against the schema
//! the document gives for that route and status.

mod common;

use std::collections::BTreeSet;

use common::*;
use pingpong_protocol::ErrorCode;
use pingpong_protocol::contract::paths;
use pingpong_sandbox::{Account, Api, Faults};
use reqwest::Method;
use serde_json::{Value, json};

fn document() -> Value {
    serde_json::from_str(pingpong_qr_proxy::OPENAPI).expect("openapi.json is JSON")
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
        paths::OPENAPI,
        paths::HEALTH,
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
