//! More hostile requests, beyond hostile.rs's table: JSON tricks (deep nesting, BOM, trailing
//! bytes, lone surrogates), look-alike digits and letters, invisible text in remarks, odd
//! credentials and paths, the event stream's resume position, the notification intake's own
//! limits, and refund ids re-used. Each gets its status and code, and nothing reaches the
//! sandbox. Fields a register may not set are ignored, never obeyed.

mod common;

use common::*;
use pingpong_sandbox::Faults;
use reqwest::Method;
use serde_json::{Value, json};

struct Case {
    name: String,
    method: Method,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    status: u16,
    code: &'static str,
}

impl Case {
    fn new(name: &str, method: Method, path: &str, status: u16, code: &'static str) -> Case {
        Case {
            name: name.to_owned(),
            method,
            path: path.to_owned(),
            headers: vec![("authorization", format!("Bearer {DEMO}"))],
            body: None,
            status,
            code,
        }
    }

    fn json(mut self, body: &[u8]) -> Case {
        self.headers
            .push(("content-type", "application/json".to_owned()));
        self.body = Some(body.to_vec());
        self
    }

    fn header(mut self, name: &'static str, value: &str) -> Case {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.to_owned()));
        self
    }

    fn no_token(mut self) -> Case {
        self.headers.retain(|(n, _)| *n != "authorization");
        self
    }
}

/// `POST /v1/payments` with `body`.
fn create(name: &str, body: &[u8], status: u16, code: &'static str) -> Case {
    Case::new(name, Method::POST, "/v1/payments", status, code).json(body)
}

/// A valid payment body with `field` set to `value`.
fn with(field: &str, value: Value) -> Vec<u8> {
    let mut body = json!({ "amount": "12.50", "currency": "USD", "method": "ALIPAY" });
    body[field] = value;
    body.to_string().into_bytes()
}

fn field(name: &str, f: &str, v: Value, status: u16, code: &'static str) -> Case {
    create(name, &with(f, v), status, code)
}

fn get(name: &str, path: &str, status: u16, code: &'static str) -> Case {
    Case::new(name, Method::GET, path, status, code)
}

fn notify(name: &str, body: &[u8], status: u16, code: &'static str) -> Case {
    Case::new(name, Method::POST, "/notify/pingpong", status, code)
        .no_token()
        .json(body)
}

fn cases(paid: &str, open: &str, ticket: &str) -> Vec<Case> {
    let refunds = format!("/v1/payments/{paid}/refunds");
    let refund = |name: &str, body: Value, status, code| {
        Case::new(name, Method::POST, &refunds, status, code).json(body.to_string().as_bytes())
    };
    let nested = format!(
        r#"{{"amount":{}"1"{},"currency":"USD","method":"ALIPAY"}}"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    vec![
        // JSON itself.
        create(
            "5000 levels of nesting",
            nested.as_bytes(),
            400,
            "INVALID_REQUEST",
        ),
        create(
            "byte-order mark first",
            b"\xEF\xBB\xBF{\"amount\":\"1\",\"currency\":\"USD\",\"method\":\"ALIPAY\"}",
            400,
            "INVALID_REQUEST",
        ),
        create(
            "bytes after the object",
            br#"{"amount":"1","currency":"USD","method":"ALIPAY"} x"#,
            400,
            "INVALID_REQUEST",
        ),
        create(
            "two objects",
            br#"{"amount":"1","currency":"USD","method":"ALIPAY"}{}"#,
            400,
            "INVALID_REQUEST",
        ),
        create(
            "lone surrogate escape",
            br#"{"amount":"1","currency":"USD","method":"ALIPAY","remark":"a\ud800b"}"#,
            400,
            "INVALID_REQUEST",
        ),
        create(
            "single quotes",
            b"{'amount':'1','currency':'USD','method':'ALIPAY'}",
            400,
            "INVALID_REQUEST",
        ),
        create(
            "comment in JSON",
            b"{\"amount\":\"1\" /* free */,\"currency\":\"USD\",\"method\":\"ALIPAY\"}",
            400,
            "INVALID_REQUEST",
        ),
        field(
            "amount as an object",
            "amount",
            json!({ "value": "1" }),
            400,
            "INVALID_REQUEST",
        ),
        field(
            "amount as an array",
            "amount",
            json!(["1"]),
            400,
            "INVALID_REQUEST",
        ),
        field("amount true", "amount", json!(true), 400, "INVALID_REQUEST"),
        field(
            "currency null",
            "currency",
            Value::Null,
            400,
            "INVALID_REQUEST",
        ),
        field(
            "id as an array",
            "merchantTransactionId",
            json!(["A"]),
            400,
            "INVALID_REQUEST",
        ),
        field(
            "remark as a number",
            "remark",
            json!(1),
            400,
            "INVALID_REQUEST",
        ),
        field(
            "expiry 2^63",
            "expiresInSeconds",
            json!(9_223_372_036_854_775_808u64),
            400,
            "INVALID_REQUEST",
        ),
        field(
            "expiry i64::MAX",
            "expiresInSeconds",
            json!(i64::MAX),
            400,
            "INVALID_EXPIRY",
        ),
        field(
            "expiry i64::MIN",
            "expiresInSeconds",
            json!(i64::MIN),
            400,
            "INVALID_EXPIRY",
        ),
        Case::new(
            "application/jsonx",
            Method::POST,
            "/v1/payments",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        )
        .json(&with("amount", json!("1")))
        .header("content-type", "application/jsonx"),
        Case::new(
            "JSON patch type",
            Method::POST,
            "/v1/payments",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        )
        .json(&with("amount", json!("1")))
        .header("content-type", "application/json-patch+json"),
        Case::new(
            "multipart",
            Method::POST,
            "/v1/payments",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        )
        .json(b"--x\r\n\r\n--x--")
        .header("content-type", "multipart/form-data; boundary=x"),
        // Amount text.
        field(
            "full-width digits",
            "amount",
            json!("１２"),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "trailing NUL",
            "amount",
            json!("1\u{0}"),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "digit separator",
            "amount",
            json!("1_000"),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "thousands comma",
            "amount",
            json!("1,000.00"),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "trailing space",
            "amount",
            json!("1 "),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "unicode minus",
            "amount",
            json!("\u{2212}1"),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "negative exponent",
            "amount",
            json!("1e-2"),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "negative zero",
            "amount",
            json!("-0.00"),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "13 digits before the point",
            "amount",
            json!("1000000000000.00"),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "13 digits with leading zeros",
            "amount",
            json!("0000000000001"),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "10 000 digits",
            "amount",
            json!("9".repeat(10_000)),
            400,
            "INVALID_AMOUNT",
        ),
        field(
            "currency sign",
            "amount",
            json!("$12.50"),
            400,
            "INVALID_AMOUNT",
        ),
        // Currency and method.
        field(
            "currency with NUL",
            "currency",
            json!("USD\u{0}"),
            400,
            "INVALID_CURRENCY",
        ),
        field(
            "full-width currency",
            "currency",
            json!("ＵＳＤ"),
            400,
            "INVALID_CURRENCY",
        ),
        field(
            "currency with a space",
            "currency",
            json!("EUR "),
            400,
            "INVALID_CURRENCY",
        ),
        field(
            "numeric ISO code",
            "currency",
            json!("840"),
            400,
            "INVALID_CURRENCY",
        ),
        field(
            "method with a space",
            "method",
            json!("ALIPAY "),
            400,
            "INVALID_METHOD",
        ),
        field(
            "method in mixed case",
            "method",
            json!("WeChat"),
            400,
            "INVALID_METHOD",
        ),
        field("empty method", "method", json!(""), 400, "INVALID_METHOD"),
        field(
            "Cyrillic A in method",
            "method",
            json!("\u{410}LIPAY"),
            400,
            "INVALID_METHOD",
        ),
        // Ids.
        field(
            "accented id",
            "merchantTransactionId",
            json!("caf\u{e9}"),
            400,
            "INVALID_ID",
        ),
        field(
            "id with a slash",
            "merchantTransactionId",
            json!("a/b"),
            400,
            "INVALID_ID",
        ),
        field(
            "percent-encoded id",
            "merchantTransactionId",
            json!("a%2Fb"),
            400,
            "INVALID_ID",
        ),
        field(
            "id with a tab",
            "merchantTransactionId",
            json!("a\tb"),
            400,
            "INVALID_ID",
        ),
        field(
            "id with a quote",
            "merchantTransactionId",
            json!("a\"b"),
            400,
            "INVALID_ID",
        ),
        field(
            "emoji id",
            "merchantTransactionId",
            json!("\u{1F4B0}"),
            400,
            "INVALID_ID",
        ),
        field(
            "id of one dot",
            "merchantTransactionId",
            json!("."),
            400,
            "INVALID_ID",
        ),
        field(
            "id of two dots",
            "merchantTransactionId",
            json!(".."),
            400,
            "INVALID_ID",
        ),
        field(
            "id of three dots",
            "merchantTransactionId",
            json!("..."),
            400,
            "INVALID_ID",
        ),
        field(
            "SQL in id",
            "merchantTransactionId",
            json!("x' OR '1'='1"),
            400,
            "INVALID_ID",
        ),
        // Remarks.
        field(
            "bidi override in remark",
            "remark",
            json!("\u{202E}gnp.exe"),
            400,
            "INVALID_REMARK",
        ),
        field(
            "bidi isolate in remark",
            "remark",
            json!("\u{2066}x\u{2069}"),
            400,
            "INVALID_REMARK",
        ),
        field(
            "line separator in remark",
            "remark",
            json!("a\u{2028}b"),
            400,
            "INVALID_REMARK",
        ),
        field(
            "DEL in remark",
            "remark",
            json!("a\u{7f}"),
            400,
            "INVALID_REMARK",
        ),
        field(
            "C1 control in remark",
            "remark",
            json!("a\u{85}b"),
            400,
            "INVALID_REMARK",
        ),
        field(
            "256 euro signs",
            "remark",
            json!("\u{20AC}".repeat(256)),
            400,
            "INVALID_REMARK",
        ),
        // Credentials.
        field(
            "Basic credentials",
            "amount",
            json!("1"),
            401,
            "UNAUTHORIZED",
        )
        .header("authorization", "Basic ZGVtby10b2tlbjo="),
        field(
            "scheme without a token",
            "amount",
            json!("1"),
            401,
            "UNAUTHORIZED",
        )
        .header("authorization", "Bearer"),
        field("another scheme", "amount", json!("1"), 401, "UNAUTHORIZED")
            .header("authorization", "Token demo-token"),
        field(
            "token with a suffix",
            "amount",
            json!("1"),
            401,
            "UNAUTHORIZED",
        )
        .header("authorization", "Bearer demo-token, Bearer x"),
        field(
            "token as a cookie",
            "amount",
            json!("1"),
            401,
            "UNAUTHORIZED",
        )
        .no_token()
        .header("cookie", "token=demo-token"),
        field(
            "token in X-Api-Key",
            "amount",
            json!("1"),
            401,
            "UNAUTHORIZED",
        )
        .no_token()
        .header("x-api-key", "demo-token"),
        // Paths.
        get("accented path id", "/v1/payments/%C3%A9", 400, "INVALID_ID"),
        get(
            "encoded slash in path id",
            "/v1/payments/a%2Fb",
            400,
            "INVALID_ID",
        ),
        get("NUL in path id", "/v1/payments/a%00b", 400, "INVALID_ID"),
        get("dot-dot path", "/v1/payments/..", 404, "NOT_FOUND"),
        get(
            "20 000-character path id",
            &format!("/v1/payments/{}", "A".repeat(20_000)),
            400,
            "INVALID_ID",
        ),
        get(
            "65-character refund id",
            &format!("/v1/payments/{paid}/refunds/{}", "R".repeat(65)),
            400,
            "INVALID_ID",
        ),
        Case::new(
            "PATCH a payment",
            Method::PATCH,
            &format!("/v1/payments/{paid}"),
            405,
            "METHOD_NOT_ALLOWED",
        ),
        // The event stream's resume position.
        get(
            "lastEventId not a number",
            &format!("/v1/events?ticket={ticket}&lastEventId=zz"),
            400,
            "INVALID_REQUEST",
        ),
        get(
            "Last-Event-ID negative",
            "/v1/events",
            400,
            "INVALID_REQUEST",
        )
        .header("last-event-id", "-1"),
        get(
            "Last-Event-ID beyond u64",
            "/v1/events",
            400,
            "INVALID_REQUEST",
        )
        .header("last-event-id", "18446744073709551616"),
        get(
            "a 10 KB ticket",
            &format!("/v1/events?ticket={}", "t".repeat(10_000)),
            401,
            "UNAUTHORIZED",
        )
        .no_token(),
        get(
            "ticket with a bad escape",
            "/v1/events?ticket=%zz",
            401,
            "UNAUTHORIZED",
        )
        .no_token(),
        // The notification intake.
        notify(
            "notification over 64 KiB",
            format!(r#"{{"bizContent":"{}"}}"#, "x".repeat(70_000)).as_bytes(),
            413,
            "BODY_TOO_LARGE",
        ),
        notify("empty notification", b"", 400, "INVALID_REQUEST"),
        notify("notification as an array", b"[]", 400, "INVALID_REQUEST"),
        notify(
            "form-encoded notification",
            b"code=000000&sign=X",
            400,
            "INVALID_REQUEST",
        ),
        Case::new(
            "GET the notification URL",
            Method::GET,
            "/notify/pingpong",
            405,
            "METHOD_NOT_ALLOWED",
        )
        .no_token(),
        // Refund ids and refunds in flight.
        Case::new(
            "refund id of another payment",
            Method::POST,
            &format!("/v1/payments/{open}/refunds"),
            409,
            "ID_CONFLICT",
        )
        .json(
            json!({ "amount": "1.00", "merchantRefundId": "RF-HOSTILE" })
                .to_string()
                .as_bytes(),
        ),
        refund(
            "refund id with another amount",
            json!({ "amount": "2.00", "merchantRefundId": "RF-HOSTILE" }),
            409,
            "ID_CONFLICT",
        ),
        refund(
            "second refund while one is PROCESSING",
            json!({ "amount": "1.00", "merchantRefundId": "RF-HOSTILE-2" }),
            409,
            "REFUND_IN_PROGRESS",
        ),
        refund(
            "bidi override in a refund remark",
            json!({ "amount": "1.00", "remark": "\u{202E}x" }),
            400,
            "INVALID_REMARK",
        ),
        refund(
            "refund id of two dots",
            json!({ "amount": "1.00", "merchantRefundId": ".." }),
            400,
            "INVALID_ID",
        ),
        refund(
            "refund id of one dot",
            json!({ "amount": "1.00", "merchantRefundId": "." }),
            400,
            "INVALID_ID",
        ),
        get("three-dot path id", "/v1/payments/...", 400, "INVALID_ID"),
        refund(
            "refund amount in JPY style",
            json!({ "amount": "1.005" }),
            400,
            "INVALID_AMOUNT",
        ),
    ]
}

#[tokio::test]
async fn more_hostile_requests_are_refused_before_anything_goes_upstream() {
    let h = Harness::demo().await;
    // The refund below must stay PROCESSING in the journal: no notification reaches it.
    h.sandbox.set_faults(Faults {
        drop_notifications: 1_000,
        ..Faults::default()
    });
    let paid = h.paid_payment("10.00").await;
    let paid = paid["merchantTransactionId"].as_str().unwrap().to_owned();
    let open = h.usd_payment("1.00").await;
    let open = open["merchantTransactionId"].as_str().unwrap().to_owned();
    let r = h
        .post(
            &format!("/v1/payments/{paid}/refunds"),
            DEMO,
            json!({ "amount": "1.00", "merchantRefundId": "RF-HOSTILE" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let t = h.post("/v1/events/tickets", DEMO, json!({})).await;
    let ticket = t.json["ticket"].as_str().unwrap().to_owned();
    let table = cases(&paid, &open, &ticket);
    assert!(table.len() >= 60, "{} cases", table.len());
    let upstream = |s: pingpong_sandbox::Stats| (s.requests, s.orders, s.attempts, s.refunds);
    let before = upstream(h.stats());
    for c in table {
        let mut req = h
            .http
            .request(c.method.clone(), format!("{}{}", h.url, c.path));
        for (name, value) in &c.headers {
            req = req.header(*name, value);
        }
        if let Some(b) = c.body {
            req = req.body(b);
        }
        let r = send(req).await;
        assert_eq!(
            (r.status, r.code()),
            (c.status, c.code),
            "{}: {}",
            c.name,
            r.text
        );
        assert!(
            r.json["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            c.name
        );
        assert_eq!(
            upstream(h.stats()),
            before,
            "{} reached the sandbox",
            c.name
        );
    }
}

#[tokio::test]
async fn fields_a_register_may_not_set_are_ignored() {
    let h = Harness::demo().await;
    let body = json!({
        "amount": "3.00", "currency": "USD", "method": "WECHAT", "merchantTransactionId": "EXTRA-FIELDS-1",
        "cashierDeviceId": "EVIL-POS", "storeId": "OTHER-STORE", "notificationUrl": "http://evil.example/n",
        "requestId": "RQ-CHOSEN", "status": "SUCCESS", "transactionId": "1", "captureDelayHours": 24,
        "timeExpire": "9999999999"
    });
    let p = h.create_payment(DEMO, body).await;
    assert_eq!(p["status"], "PROCESSING");
    let order = h
        .sandbox
        .order("EXTRA-FIELDS-1")
        .expect("the order upstream");
    let seen = serde_json::to_value(&order).unwrap();
    let text = seen.to_string();
    assert!(text.contains("DEMO-POS-1"), "{text}");
    for evil in [
        "EVIL-POS",
        "OTHER-STORE",
        "evil.example",
        "RQ-CHOSEN",
        "9999999999",
    ] {
        assert!(!text.contains(evil), "{evil} reached PingPong: {text}");
    }
    // The other store cannot see it; the register's own store can.
    let r = h.get("/v1/payments/EXTRA-FIELDS-1", OTHER).await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = h.get("/v1/payments/EXTRA-FIELDS-1", SECOND).await;
    assert_eq!(r.json["status"], "PROCESSING");
}

/// The amount rule at both edges, over HTTP: the largest amount of each exponent (12 digits
/// before the point) is created and reaches the sandbox as typed; one more digit is refused
/// before anything is sent.
#[tokio::test]
async fn the_amount_rule_holds_at_both_edges() {
    let h = Harness::demo().await;
    for (currency, largest, over) in [
        ("USD", "999999999999.99", "1000000000000.00"),
        ("KWD", "999999999999.999", "1000000000000"),
        ("JPY", "999999999999", "9999999999999"),
    ] {
        let sent = h.upstream_requests();
        let r = h
            .post(
                "/v1/payments",
                DEMO,
                json!({ "amount": over, "currency": currency, "method": "ALIPAY" }),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (400, "INVALID_AMOUNT"),
            "{over}: {}",
            r.text
        );
        assert!(r.json["message"].as_str().unwrap().contains("12 digits"));
        assert_eq!(h.upstream_requests(), sent, "{over} went upstream");
        let p = h
            .create_payment(
                DEMO,
                json!({ "amount": largest, "currency": currency, "method": "ALIPAY" }),
            )
            .await;
        assert_eq!(p["amount"], largest);
        let order = h
            .sandbox
            .order(p["merchantTransactionId"].as_str().unwrap())
            .unwrap();
        assert_eq!(
            (order.amount.as_str(), order.currency.as_str()),
            (largest, currency)
        );
    }
}
