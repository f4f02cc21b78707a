//! A table of hostile requests: each gets its HTTP status and error code, and none of them
//! reaches the sandbox (no v4 request, no order, no refund).

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    token: Option<&'static str>,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    status: u16,
    code: &'static str,
}

fn case(name: &'static str, path: &str, body: Value, status: u16, code: &'static str) -> Case {
    Case {
        name,
        method: Method::POST,
        path: path.to_owned(),
        token: Some(DEMO),
        content_type: Some("application/json"),
        body: Some(body.to_string().into_bytes()),
        status,
        code,
    }
}

fn raw(
    name: &'static str,
    content_type: Option<&'static str>,
    body: &[u8],
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        content_type,
        body: Some(body.to_vec()),
        ..case(name, "/v1/payments", Value::Null, status, code)
    }
}

fn get(
    name: &'static str,
    path: &str,
    token: Option<&'static str>,
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        method: Method::GET,
        token,
        content_type: None,
        body: None,
        ..case(name, path, Value::Null, status, code)
    }
}

/// A payment body with `field` replaced by `value`.
fn pay_with(field: &str, value: Value) -> Value {
    let mut body = json!({ "amount": "12.50", "currency": "USD", "method": "ALIPAY" });
    body[field] = value;
    body
}

fn payment(name: &'static str, field: &str, value: Value, status: u16, code: &'static str) -> Case {
    case(name, "/v1/payments", pay_with(field, value), status, code)
}

fn cases(paid: &str, open: &str) -> Vec<Case> {
    let refunds = format!("/v1/payments/{paid}/refunds");
    let refund = |name, body: Value, status, code| case(name, &refunds, body, status, code);
    let long_id = "A".repeat(65);
    vec![
        // Transport and shape.
        raw(
            "no content type",
            None,
            br#"{"amount":"1","currency":"USD","method":"ALIPAY"}"#,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        raw(
            "text/plain",
            Some("text/plain"),
            br#"{"amount":"1","currency":"USD","method":"ALIPAY"}"#,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        raw(
            "form encoded",
            Some("application/x-www-form-urlencoded"),
            b"amount=1&currency=USD",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        raw(
            "truncated JSON",
            Some("application/json"),
            b"{\"amount\":",
            400,
            "INVALID_REQUEST",
        ),
        raw(
            "JSON array",
            Some("application/json"),
            b"[]",
            400,
            "INVALID_REQUEST",
        ),
        raw(
            "JSON null",
            Some("application/json"),
            b"null",
            400,
            "INVALID_REQUEST",
        ),
        raw(
            "JSON string",
            Some("application/json"),
            b"\"pay me\"",
            400,
            "INVALID_REQUEST",
        ),
        raw(
            "empty body",
            Some("application/json"),
            b"",
            400,
            "INVALID_REQUEST",
        ),
        raw(
            "not UTF-8",
            Some("application/json"),
            b"{\"amount\":\"\xff\"}",
            400,
            "INVALID_REQUEST",
        ),
        raw(
            "duplicate key",
            Some("application/json"),
            br#"{"amount":"1","amount":"2","currency":"USD","method":"ALIPAY"}"#,
            400,
            "INVALID_REQUEST",
        ),
        raw(
            "huge body (17 KiB)",
            Some("application/json"),
            format!(
                r#"{{"amount":"1","currency":"USD","method":"ALIPAY","remark":"{}"}}"#,
                "x".repeat(17 * 1024)
            )
            .as_bytes(),
            413,
            "BODY_TOO_LARGE",
        ),
        raw(
            "huge body (1 MiB)",
            Some("application/json"),
            &vec![b' '; 1 << 20],
            413,
            "BODY_TOO_LARGE",
        ),
        case(
            "missing amount",
            "/v1/payments",
            json!({ "currency": "USD", "method": "ALIPAY" }),
            400,
            "INVALID_REQUEST",
        ),
        payment(
            "amount as a number",
            "amount",
            json!(12.5),
            400,
            "INVALID_REQUEST",
        ),
        payment(
            "currency as a number",
            "currency",
            json!(840),
            400,
            "INVALID_REQUEST",
        ),
        payment("method null", "method", Value::Null, 400, "INVALID_REQUEST"),
        payment(
            "expiry as a string",
            "expiresInSeconds",
            json!("300"),
            400,
            "INVALID_REQUEST",
        ),
        payment(
            "expiry as a float",
            "expiresInSeconds",
            json!(300.5),
            400,
            "INVALID_REQUEST",
        ),
        payment(
            "expiry beyond i64",
            "expiresInSeconds",
            json!(1e20),
            400,
            "INVALID_REQUEST",
        ),
        payment(
            "id as a number",
            "merchantTransactionId",
            json!(42),
            400,
            "INVALID_REQUEST",
        ),
        // Amounts.
        payment(
            "negative amount",
            "amount",
            json!("-1"),
            400,
            "INVALID_AMOUNT",
        ),
        payment("zero amount", "amount", json!("0"), 400, "INVALID_AMOUNT"),
        payment(
            "zero with decimals",
            "amount",
            json!("0.00"),
            400,
            "INVALID_AMOUNT",
        ),
        payment(
            "over-precise amount",
            "amount",
            json!("1.001"),
            400,
            "INVALID_AMOUNT",
        ),
        payment(
            "exponent notation",
            "amount",
            json!("1e3"),
            400,
            "INVALID_AMOUNT",
        ),
        payment(
            "leading space",
            "amount",
            json!(" 1"),
            400,
            "INVALID_AMOUNT",
        ),
        payment(
            "decimal comma",
            "amount",
            json!("1,00"),
            400,
            "INVALID_AMOUNT",
        ),
        payment("empty amount", "amount", json!(""), 400, "INVALID_AMOUNT"),
        payment(
            "too long amount",
            "amount",
            json!("1234567890123"),
            400,
            "INVALID_AMOUNT",
        ),
        payment("NaN", "amount", json!("NaN"), 400, "INVALID_AMOUNT"),
        payment(
            "Infinity",
            "amount",
            json!("Infinity"),
            400,
            "INVALID_AMOUNT",
        ),
        payment("hex amount", "amount", json!("0x10"), 400, "INVALID_AMOUNT"),
        payment("plus sign", "amount", json!("+1"), 400, "INVALID_AMOUNT"),
        payment("leading dot", "amount", json!(".5"), 400, "INVALID_AMOUNT"),
        payment("two dots", "amount", json!("1..2"), 400, "INVALID_AMOUNT"),
        payment(
            "arabic digits",
            "amount",
            json!("١٢"),
            400,
            "INVALID_AMOUNT",
        ),
        case(
            "JPY with decimals",
            "/v1/payments",
            json!({ "amount": "1.5", "currency": "JPY", "method": "ALIPAY" }),
            400,
            "INVALID_AMOUNT",
        ),
        case(
            "KWD with 4 decimals",
            "/v1/payments",
            json!({ "amount": "1.0001", "currency": "KWD", "method": "ALIPAY" }),
            400,
            "INVALID_AMOUNT",
        ),
        // Currency and method.
        payment(
            "lower-case currency",
            "currency",
            json!("usd"),
            400,
            "INVALID_CURRENCY",
        ),
        payment(
            "unknown currency",
            "currency",
            json!("XXX"),
            400,
            "INVALID_CURRENCY",
        ),
        payment(
            "empty currency",
            "currency",
            json!(""),
            400,
            "INVALID_CURRENCY",
        ),
        payment(
            "currency with a space",
            "currency",
            json!("US D"),
            400,
            "INVALID_CURRENCY",
        ),
        payment(
            "unknown method",
            "method",
            json!("PAYPAL"),
            400,
            "INVALID_METHOD",
        ),
        payment(
            "lower-case method",
            "method",
            json!("alipay"),
            400,
            "INVALID_METHOD",
        ),
        payment(
            "upstream method name",
            "method",
            json!("AlipayCN-Offline"),
            400,
            "INVALID_METHOD",
        ),
        // QR validity.
        payment(
            "expiry 59 s",
            "expiresInSeconds",
            json!(59),
            400,
            "INVALID_EXPIRY",
        ),
        payment(
            "expiry 3 days + 1 s",
            "expiresInSeconds",
            json!(259_201),
            400,
            "INVALID_EXPIRY",
        ),
        payment(
            "expiry 0",
            "expiresInSeconds",
            json!(0),
            400,
            "INVALID_EXPIRY",
        ),
        payment(
            "expiry negative",
            "expiresInSeconds",
            json!(-1),
            400,
            "INVALID_EXPIRY",
        ),
        // Ids.
        payment(
            "id of 65 chars",
            "merchantTransactionId",
            json!(long_id),
            400,
            "INVALID_ID",
        ),
        payment(
            "id with a newline",
            "merchantTransactionId",
            json!("a\nb"),
            400,
            "INVALID_ID",
        ),
        payment(
            "id with NUL",
            "merchantTransactionId",
            json!("a\u{0}b"),
            400,
            "INVALID_ID",
        ),
        payment(
            "empty id",
            "merchantTransactionId",
            json!(""),
            400,
            "INVALID_ID",
        ),
        payment(
            "path traversal id",
            "merchantTransactionId",
            json!("../../etc/passwd"),
            400,
            "INVALID_ID",
        ),
        payment(
            "id with a space",
            "merchantTransactionId",
            json!("has space"),
            400,
            "INVALID_ID",
        ),
        payment(
            "script id",
            "merchantTransactionId",
            json!("<script>"),
            400,
            "INVALID_ID",
        ),
        // Remarks.
        payment(
            "script in remark",
            "remark",
            json!("<script>alert(1)</script>"),
            400,
            "INVALID_REMARK",
        ),
        payment(
            "remark of 256 chars",
            "remark",
            json!("r".repeat(256)),
            400,
            "INVALID_REMARK",
        ),
        payment(
            "escape in remark",
            "remark",
            json!("\u{1b}[31mred"),
            400,
            "INVALID_REMARK",
        ),
        payment(
            "CRLF in remark",
            "remark",
            json!("line\r\nInjected: 1"),
            400,
            "INVALID_REMARK",
        ),
        // Ids already used.
        case(
            "paid id, other body",
            "/v1/payments",
            json!({ "amount": "99.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": paid }),
            409,
            "ID_CONFLICT",
        ),
        Case {
            token: Some(OTHER),
            ..case(
                "paid id from another store",
                "/v1/payments",
                json!({ "amount": "10.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": paid }),
                403,
                "FORBIDDEN",
            )
        },
        // Credentials.
        Case {
            token: None,
            ..payment("no token", "amount", json!("1"), 401, "UNAUTHORIZED")
        },
        Case {
            token: Some("demo-token-x"),
            ..payment("wrong token", "amount", json!("1"), 401, "UNAUTHORIZED")
        },
        Case {
            token: Some(""),
            ..payment("empty bearer", "amount", json!("1"), 401, "UNAUTHORIZED")
        },
        Case {
            token: None,
            path: "/v1/payments?token=demo-token".into(),
            ..payment(
                "token in the query",
                "amount",
                json!("1"),
                401,
                "UNAUTHORIZED",
            )
        },
        Case {
            token: None,
            ..case(
                "ticket without token",
                "/v1/events/tickets",
                json!({}),
                401,
                "UNAUTHORIZED",
            )
        },
        get(
            "forged ticket",
            "/v1/events?ticket=0000",
            None,
            401,
            "UNAUTHORIZED",
        ),
        get("no ticket", "/v1/events", None, 401, "UNAUTHORIZED"),
        // Paths.
        get(
            "path id of 66 chars",
            &format!("/v1/payments/{}", "B".repeat(66)),
            Some(DEMO),
            400,
            "INVALID_ID",
        ),
        get(
            "path id with a space",
            "/v1/payments/a%20b",
            Some(DEMO),
            400,
            "INVALID_ID",
        ),
        get(
            "path id with a newline",
            "/v1/payments/a%0Ab",
            Some(DEMO),
            400,
            "INVALID_ID",
        ),
        get(
            "unknown order",
            "/v1/payments/UNKNOWN-ORDER-1",
            Some(DEMO),
            404,
            "NOT_FOUND",
        ),
        get(
            "another store's order",
            &format!("/v1/payments/{paid}"),
            Some(OTHER),
            403,
            "FORBIDDEN",
        ),
        get(
            "bad refund id",
            &format!("/v1/payments/{paid}/refunds/bad%20id"),
            Some(DEMO),
            400,
            "INVALID_ID",
        ),
        get(
            "unknown refund",
            &format!("/v1/payments/{paid}/refunds/RF-NOPE"),
            Some(DEMO),
            404,
            "NOT_FOUND",
        ),
        get("unknown route", "/v1/nope", Some(DEMO), 404, "NOT_FOUND"),
        Case {
            method: Method::PUT,
            ..payment(
                "PUT payments",
                "amount",
                json!("1"),
                405,
                "METHOD_NOT_ALLOWED",
            )
        },
        Case {
            method: Method::DELETE,
            ..get(
                "DELETE a payment",
                &format!("/v1/payments/{paid}"),
                Some(DEMO),
                405,
                "METHOD_NOT_ALLOWED",
            )
        },
        // Refunds.
        refund(
            "refund over balance",
            json!({ "amount": "10.01" }),
            422,
            "REFUND_EXCEEDS_BALANCE",
        ),
        refund(
            "refund of a million",
            json!({ "amount": "1000000" }),
            422,
            "REFUND_EXCEEDS_BALANCE",
        ),
        refund(
            "zero refund",
            json!({ "amount": "0" }),
            400,
            "INVALID_AMOUNT",
        ),
        refund(
            "over-precise refund",
            json!({ "amount": "1.001" }),
            400,
            "INVALID_AMOUNT",
        ),
        refund(
            "negative refund",
            json!({ "amount": "-5" }),
            400,
            "INVALID_AMOUNT",
        ),
        refund(
            "refund amount as a number",
            json!({ "amount": 5 }),
            400,
            "INVALID_REQUEST",
        ),
        refund(
            "bad refund id",
            json!({ "amount": "1.00", "merchantRefundId": "bad id" }),
            400,
            "INVALID_ID",
        ),
        refund(
            "refund remark of 33 chars",
            json!({ "amount": "1.00", "remark": "r".repeat(33) }),
            400,
            "INVALID_REMARK",
        ),
        refund(
            "markup in refund remark",
            json!({ "amount": "1.00", "remark": "<b>" }),
            400,
            "INVALID_REMARK",
        ),
        Case {
            content_type: Some("text/plain"),
            ..refund(
                "refund as text",
                json!({ "amount": "1.00" }),
                415,
                "UNSUPPORTED_MEDIA_TYPE",
            )
        },
        Case {
            body: Some(vec![b'{'; 20_000]),
            ..refund("huge refund body", Value::Null, 413, "BODY_TOO_LARGE")
        },
        Case {
            token: Some(OTHER),
            ..refund(
                "refund from another store",
                json!({ "amount": "1.00" }),
                403,
                "FORBIDDEN",
            )
        },
        case(
            "refund of an open payment",
            &format!("/v1/payments/{open}/refunds"),
            json!({ "amount": "1.00" }),
            409,
            "PAYMENT_NOT_REFUNDABLE",
        ),
        case(
            "refund of an unknown payment",
            "/v1/payments/UNKNOWN-ORDER-2/refunds",
            json!({ "amount": "1.00" }),
            404,
            "NOT_FOUND",
        ),
    ]
}

#[tokio::test]
async fn hostile_requests_are_refused_before_anything_goes_upstream() {
    let h = Harness::demo().await;
    let paid = h.paid_payment("10.00").await;
    let paid = paid["merchantTransactionId"].as_str().unwrap().to_owned();
    let open = h.usd_payment("1.00").await;
    let open = open["merchantTransactionId"].as_str().unwrap().to_owned();
    let table = cases(&paid, &open);
    assert!(table.len() >= 40, "{} cases", table.len());
    let upstream = |s: pingpong_sandbox::Stats| (s.requests, s.orders, s.attempts, s.refunds);
    let before = upstream(h.stats());
    for c in table {
        let mut req = h
            .http
            .request(c.method.clone(), format!("{}{}", h.url, c.path));
        if let Some(t) = c.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(ct) = c.content_type {
            req = req.header("content-type", ct);
        }
        if let Some(b) = c.body {
            req = req.body(b);
        }
        let r = send(req).await;
        assert_eq!(r.status, c.status, "{}: {}", c.name, r.text);
        assert_eq!(r.code(), c.code, "{}: {}", c.name, r.text);
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
