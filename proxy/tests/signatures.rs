//! Signatures: one table of forgeries and tamperings of genuine PingPong messages (changed
//! amount, status, ids, code; signType switched between SHA256 and MD5; empty, blank,
//! lower-case, truncated or moved `sign`; extra and missing fields; JSON tricks), each
//! refused at three levels:
//!
//! 1. the protocol: `Envelope::parse` + `verify` (+ the fields a reader needs), for answers
//!    and notifications signed with SHA256 and with MD5;
//! 2. the proxy's notification intake: a 4xx, nothing journaled, no event;
//! 3. the proxy's upstream client: unifiedPay, query and refund answers altered on the wire
//!    → 502 `UPSTREAM_BAD_SIGNATURE` (or `UPSTREAM_INVALID_RESPONSE` when the body is not
//!    an envelope of strings), and nothing marked in the journal.
//!
//! A second, short table lists changes that keep a message valid by design (reordered keys,
//! whitespace, blank or null extra fields): they change no value anyone reads.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use common::*;
use pingpong_protocol::{Envelope, EnvelopeError, SignType};
use pingpong_qr_proxy::Upstream;
use pingpong_sandbox::{Account, Faults};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

type Obj = Map<String, Value>;
type Mutation = fn(&Obj) -> String;

// ---------------------------------------------------------------------------------------------
// The mutations

fn text(o: &Obj, key: &str) -> String {
    o[key].as_str().unwrap_or_default().to_owned()
}

/// The envelope with `f` applied, as JSON text.
fn with(o: &Obj, f: impl FnOnce(&mut Obj)) -> String {
    let mut o = o.clone();
    f(&mut o);
    Value::Object(o).to_string()
}

fn set(o: &Obj, key: &str, value: Value) -> String {
    with(o, |o| {
        o.insert(key.into(), value);
    })
}

fn without(o: &Obj, key: &str) -> String {
    with(o, |o| {
        o.remove(key);
    })
}

/// The envelope with one bizContent value replaced *in the signed text* (everything else of
/// the text byte for byte as signed), so the change under test is the only change.
fn biz_value(o: &Obj, key: &str, new_json: impl FnOnce(&Value) -> Value) -> String {
    let biz = text(o, "bizContent");
    let parsed: Obj = serde_json::from_str(&biz).expect("bizContent is JSON");
    let changed = match parsed.get(key) {
        Some(old) => {
            let from = format!("\"{key}\":{old}");
            assert!(biz.contains(&from), "{from} not in {biz}");
            biz.replacen(&from, &format!("\"{key}\":{}", new_json(old)), 1)
        }
        // Absent: added in front, the rest as signed.
        None => format!("{{\"{key}\":{},{}", new_json(&Value::Null), &biz[1..]),
    };
    set(o, "bizContent", Value::String(changed))
}

fn other_sign_type(o: &Obj) -> &'static str {
    if text(o, "signType") == "MD5" {
        "SHA256"
    } else {
        "MD5"
    }
}

fn sign_edit(o: &Obj, f: impl FnOnce(&str) -> String) -> String {
    let s = text(o, "sign");
    set(o, "sign", Value::String(f(&s)))
}

const REFUSED: &[(&str, Mutation)] = &[
    ("amount changed", |o| {
        biz_value(o, "amount", |_| json!("999999.000000"))
    }),
    ("amount turned into a number", |o| {
        biz_value(o, "amount", |v| {
            serde_json::from_str(v.as_str().unwrap()).unwrap()
        })
    }),
    ("status changed", |o| {
        biz_value(o, "status", |v| {
            if v == "SUCCESS" {
                json!("FAILED")
            } else {
                json!("SUCCESS")
            }
        })
    }),
    ("order id changed", |o| {
        biz_value(o, "merchantTransactionId", |_| json!("SOMEONE-ELSES-ORDER"))
    }),
    ("currency changed", |o| {
        biz_value(o, "currency", |_| json!("JPY"))
    }),
    ("code changed", |o| {
        let code = if text(o, "code") == "000000" {
            "001000"
        } else {
            "000000"
        };
        set(o, "code", json!(code))
    }),
    ("description changed", |o| {
        set(
            o,
            "description",
            json!(format!("{} (edited)", text(o, "description"))),
        )
    }),
    ("accId of another account", |o| {
        set(o, "accId", json!(Account::sandbox_b().acc_id))
    }),
    ("clientId changed", |o| {
        set(o, "clientId", json!("2018092714313010017"))
    }),
    ("signType switched, sign kept", |o| {
        set(o, "signType", json!(other_sign_type(o)))
    }),
    ("signType switched, sign cut to its length", |o| {
        let other = other_sign_type(o);
        let len = if other == "MD5" { 32 } else { 64 };
        let sign = text(o, "sign");
        let cut: String = sign.chars().cycle().take(len).collect();
        with(o, |o| {
            o.insert("signType".into(), json!(other));
            o.insert("sign".into(), json!(cut));
        })
    }),
    ("signType in lower case", |o| {
        set(o, "signType", json!(text(o, "signType").to_lowercase()))
    }),
    ("signType SHA1", |o| set(o, "signType", json!("SHA1"))),
    ("signType HMAC-SHA256", |o| {
        set(o, "signType", json!("HMAC-SHA256"))
    }),
    ("signType missing", |o| without(o, "signType")),
    ("sign empty", |o| set(o, "sign", json!(""))),
    ("sign blank", |o| set(o, "sign", json!("   "))),
    ("sign null", |o| set(o, "sign", Value::Null)),
    ("sign missing", |o| without(o, "sign")),
    ("sign in lower-case hex", |o| {
        sign_edit(o, str::to_lowercase)
    }),
    ("sign truncated by one digit", |o| {
        sign_edit(o, |s| s[..s.len() - 1].to_owned())
    }),
    ("sign with one digit more", |o| {
        sign_edit(o, |s| format!("{s}0"))
    }),
    ("sign padded with spaces", |o| {
        sign_edit(o, |s| format!(" {s} "))
    }),
    ("sign with one digit changed", |o| {
        sign_edit(o, |s| {
            let first = if s.starts_with('A') { "B" } else { "A" };
            format!("{first}{}", &s[1..])
        })
    }),
    ("sign of zeros", |o| sign_edit(o, |s| "0".repeat(s.len()))),
    ("sign under the key Sign", |o| {
        with(o, |o| {
            let s = o.remove("sign").unwrap();
            o.insert("Sign".into(), s);
        })
    }),
    ("sign as a JSON number", |o| set(o, "sign", json!(12345))),
    ("extra field status=SUCCESS", |o| {
        set(o, "status", json!("SUCCESS"))
    }),
    ("extra field version=1.0", |o| {
        set(o, "version", json!("1.0"))
    }),
    ("bizContent missing", |o| without(o, "bizContent")),
    ("code missing", |o| without(o, "code")),
    ("description missing", |o| without(o, "description")),
    ("accId missing", |o| without(o, "accId")),
    ("clientId missing", |o| without(o, "clientId")),
    ("bizContent re-serialised with spaces", |o| {
        let biz: Value = serde_json::from_str(&text(o, "bizContent")).unwrap();
        set(
            o,
            "bizContent",
            json!(serde_json::to_string_pretty(&biz).unwrap()),
        )
    }),
    ("bizContent as an object, not a string", |o| {
        let biz: Value = serde_json::from_str(&text(o, "bizContent")).unwrap();
        set(o, "bizContent", biz)
    }),
    ("bizContent repeated, forged copy last", |o| {
        let genuine = with(o, |_| {});
        let forged = text(o, "bizContent").replacen("\"status\":\"", "\"status\":\"X", 1);
        let tail = format!(",\"bizContent\":{}}}", json!(forged));
        format!("{}{tail}", &genuine[..genuine.len() - 1])
    }),
    ("re-signed with another account's salt", |o| {
        let mut env = Envelope::parse(with(o, |_| {}).as_bytes()).unwrap();
        env.sign(&Account::sandbox_b().salt).unwrap();
        env.to_json()
    }),
    ("bizContent folded into accId (same signed text)", |o| {
        with(o, |o| {
            let biz = text(o, "bizContent");
            let acc = text(o, "accId");
            o.remove("bizContent");
            o.insert("accId".into(), json!(format!("{acc}&bizContent={biz}")));
        })
    }),
    ("a JSON array", |o| format!("[{}]", with(o, |_| {}))),
    ("form-encoded", |o| {
        format!("sign={}&bizContent=x", text(o, "sign"))
    }),
];

/// Changes that keep a message valid: no value a reader uses differs.
const HARMLESS: &[(&str, Mutation)] = &[
    ("the same envelope re-serialised", |o| with(o, |_| {})),
    ("keys in reverse order", |o| {
        let pairs: Vec<String> = o
            .iter()
            .rev()
            .map(|(k, v)| format!("{}:{v}", json!(k)))
            .collect();
        format!("{{{}}}", pairs.join(","))
    }),
    ("whitespace between tokens", |o| {
        serde_json::to_string_pretty(&Value::Object(o.clone())).unwrap()
    }),
    ("an extra null field", |o| set(o, "extra", Value::Null)),
    ("an extra blank field (blanks are not signed)", |o| {
        set(o, "remark", json!(" "))
    }),
    ("code written with \\u escapes", |o| {
        let genuine = with(o, |_| {});
        let code = text(o, "code");
        let escaped: String = code
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        genuine.replacen(
            &format!("\"code\":\"{code}\""),
            &format!("\"code\":\"{escaped}\""),
            1,
        )
    }),
];

/// What a reader of PingPong's messages needs: a parsed envelope that verifies with `salt`
/// and names its account and bizContent.
fn read(body: &str, salt: &str) -> Result<Envelope, EnvelopeError> {
    let env = Envelope::parse(body.as_bytes())?;
    env.verify(salt)?;
    env.acc_id()?;
    env.biz_content()?;
    Ok(env)
}

fn object(env: &Envelope) -> Obj {
    env.fields()
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect()
}

fn genuine(sign_type: SignType, code: &str, description: &str, biz: Value) -> Obj {
    let a = Account::sandbox_a();
    let mut env = Envelope::response(
        &a.acc_id,
        &a.client_id,
        sign_type,
        code,
        description,
        biz.to_string(),
    );
    env.sign(&a.salt).unwrap();
    object(&env)
}

/// Genuine messages of every kind the proxy reads, signed both ways.
fn genuine_messages() -> Vec<(String, Obj)> {
    let mut out = Vec::new();
    for st in [SignType::Sha256, SignType::Md5] {
        out.push((
            format!("unifiedPay answer ({st})"),
            genuine(
                st,
                "002000",
                "Transaction processing",
                json!({ "merchantTransactionId": "PQ-1", "requestId": "RQ-1", "transactionId": "2026112500000001",
                        "status": "PROCESSING", "amount": "12.500000", "currency": "USD",
                        "qrCode": "http://127.0.0.1:1/wallet/2026112500000001", "qrCodeExpired": "1764086700000" }),
            ),
        ));
        out.push((
            format!("query answer ({st})"),
            genuine(
                st,
                "001000",
                "Successful request",
                json!({ "merchantTransactionId": "PQ-1", "transactionId": "2026112500000001", "status": "SUCCESS",
                        "amount": "12.500000", "currency": "USD", "resultCode": "000000" }),
            ),
        ));
        out.push((
            format!("payment notification ({st})"),
            genuine(
                st,
                "000000",
                "Transaction succeeded",
                json!({ "notifyType": "RECHARGE", "merchantTransactionId": "PQ-1", "transactionId": "2026112500000001",
                        "requestId": "RQ-1", "status": "SUCCESS", "amount": "12.500000", "currency": "USD" }),
            ),
        ));
        out.push((
            format!("refund notification ({st})"),
            genuine(
                st,
                "000000",
                "Transaction succeeded",
                json!({ "notifyType": "REFUND", "merchantTransactionId": "PQ-1", "merchantRefundId": "RF-1",
                        "refundId": "R1", "status": "SUCCESS", "amount": "2.000000", "currency": "USD" }),
            ),
        ));
    }
    // The reference's own signed example (a declined unifiedPay, SHA256, account A).
    let documented = r#"{"accId":"2018092714313010016291","clientId":"2018092714313010016","code":"301002","description":"Transaction declined (Do not honor,Please contact the issuing bank to confirm the bank card payment limit)","signType":"SHA256","sign":"85E02B2A474DA7D135DE844A202015594C874E4A2A06394BA7DF00071FC4A6D1","bizContent":"{\"requestId\":\"PMT-9ICSCWF9H51695189441815\",\"merchantTransactionId\":\"PMT-9ICSCWF9H51695189441815\",\"amount\":\"100.000000\",\"threeDUnionParams\":{\"threeDContinue\":\"false\"},\"transactionId\":\"2023092050004595\",\"threeDContinue\":\"false\",\"paymentMethod\":{\"type\":\"scheme\"},\"captureDelayHours\":0,\"status\":\"FAILED\"}"}"#;
    out.push((
        "the reference's signed example".into(),
        object(&Envelope::parse(documented.as_bytes()).unwrap()),
    ));
    out
}

// ---------------------------------------------------------------------------------------------
// 1. The protocol

#[test]
fn the_protocol_refuses_every_forgery_of_every_message() {
    let salt = Account::sandbox_a().salt;
    let mut refused = 0;
    for (what, msg) in genuine_messages() {
        read(&with(&msg, |_| {}), &salt).unwrap_or_else(|e| panic!("{what} is genuine: {e}"));
        for (name, mutate) in REFUSED {
            let body = mutate(&msg);
            assert!(
                read(&body, &salt).is_err(),
                "{what}: '{name}' was accepted: {body}"
            );
            refused += 1;
        }
        let biz = text(&msg, "bizContent");
        for (name, mutate) in HARMLESS {
            let env = read(&mutate(&msg), &salt)
                .unwrap_or_else(|e| panic!("{what}: '{name}' was refused: {e}"));
            assert_eq!(env.biz_content().unwrap(), biz, "{what}: {name}");
            assert_eq!(env.code(), msg["code"].as_str(), "{what}: {name}");
        }
    }
    assert!(refused >= 300, "{refused} forgeries");
}

#[test]
fn a_signature_verifies_only_with_the_algorithm_that_made_it() {
    let a = Account::sandbox_a();
    for st in [SignType::Sha256, SignType::Md5] {
        let msg = genuine(st, "000000", "ok", json!({ "status": "SUCCESS" }));
        let sign = text(&msg, "sign");
        assert_eq!(sign.len(), if st == SignType::Md5 { 32 } else { 64 });
        // The same fields and salt under the other algorithm: a different signature.
        let other = if st == SignType::Md5 {
            SignType::Sha256
        } else {
            SignType::Md5
        };
        let fields: Vec<(&str, &str)> = msg
            .iter()
            .filter(|(k, _)| *k != "signType")
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .chain([("signType", other.as_str())])
            .collect();
        assert!(!pingpong_protocol::sign::verify(
            other,
            &a.salt,
            fields.iter().copied(),
            &sign
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// The journal, read beside the running proxy

fn journal(h: &Harness) -> Connection {
    Connection::open(h.dir.path().join("journal.sqlite")).unwrap()
}

fn count(c: &Connection, table: &str) -> i64 {
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn order_state(c: &Connection, mtid: &str) -> (String, String, Option<String>) {
    c.query_row(
        "SELECT create_state, status, transaction_id FROM orders WHERE merchant_transaction_id = ?1",
        [mtid],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

fn refund_state(c: &Connection, mrid: &str) -> (String, String) {
    c.query_row(
        "SELECT create_state, status FROM refunds WHERE merchant_refund_id = ?1",
        [mrid],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// Whether the proxy's error for a tampered message matches the protocol's reason: a body
/// that is not an envelope of strings is unreadable; anything else fails verification.
fn unreadable(body: &str) -> bool {
    Envelope::parse(body.as_bytes()).is_err()
}

// ---------------------------------------------------------------------------------------------
// 2. Notifications

async fn notify(h: &Harness, body: String) -> Reply {
    send(
        h.http
            .post(format!("{}/notify/pingpong", h.url))
            .header("content-type", "application/json")
            .body(body),
    )
    .await
}

#[tokio::test]
async fn forged_notifications_are_refused_and_change_nothing() {
    let h = Harness::demo().await;
    // Only our notifications reach the proxy.
    h.sandbox.set_faults(Faults {
        drop_notifications: 1_000,
        ..Faults::default()
    });
    let open = h.usd_payment("12.50").await;
    let open_id = open["merchantTransactionId"].as_str().unwrap().to_owned();
    let paid = h.paid_payment("20.00").await;
    let paid_id = paid["merchantTransactionId"].as_str().unwrap().to_owned();
    let r = h
        .post(
            &format!("/v1/payments/{paid_id}/refunds"),
            DEMO,
            json!({ "amount": "2.00", "merchantRefundId": "RF-SIG-1" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The open order's own requestId: a push must name an attempt the proxy sent.
    let request_id = h.sandbox.order(&open_id).unwrap().attempts[0]
        .request_id
        .clone();
    let mut messages = Vec::new();
    for st in [SignType::Sha256, SignType::Md5] {
        messages.push((
            format!("payment SUCCESS ({st})"),
            genuine(
                st,
                "000000",
                "Transaction succeeded",
                json!({ "notifyType": "RECHARGE", "merchantTransactionId": open_id, "transactionId": open["transactionId"],
                        "requestId": request_id, "status": "SUCCESS", "amount": "12.500000", "currency": "USD" }),
            ),
        ));
    }
    let refund_id = h.sandbox.order(&paid_id).unwrap().refunds[0]
        .refund_id
        .clone();
    messages.push((
        "refund SUCCESS (SHA256)".into(),
        genuine(
            SignType::Sha256,
            "000000",
            "Transaction succeeded",
            json!({ "notifyType": "REFUND", "merchantTransactionId": paid_id, "merchantRefundId": "RF-SIG-1",
                    "refundId": refund_id, "status": "SUCCESS", "amount": "2.000000", "currency": "USD" }),
        ),
    ));
    let db = journal(&h);
    let before = (count(&db, "notifications"), count(&db, "events"));
    let mut cases = 0;
    for (what, msg) in &messages {
        for (name, mutate) in REFUSED {
            let body = mutate(msg);
            let (status, code) = if unreadable(&body) {
                (400, "INVALID_REQUEST")
            } else {
                (401, "UNAUTHORIZED")
            };
            let r = notify(&h, body).await;
            assert_eq!(
                (r.status, r.code()),
                (status, code),
                "{what}: {name}: {}",
                r.text
            );
            cases += 1;
        }
    }
    assert_eq!(
        (count(&db, "notifications"), count(&db, "events")),
        before,
        "a forged notification was journaled or emitted"
    );
    assert_eq!(order_state(&db, &open_id).1, "PROCESSING");
    assert_eq!(refund_state(&db, "RF-SIG-1").1, "PROCESSING");
    assert!(cases >= 3 * 40, "{cases} cases");

    // The MD5 one is genuine (the right salt) but not in the algorithm this merchant's
    // account is configured for (SHA256): a push never chooses its own algorithm.
    let md5 = &messages[1];
    let r = notify(&h, with(&md5.1, |_| {})).await;
    assert_eq!(
        (r.status, r.code()),
        (401, "UNAUTHORIZED"),
        "{}: {}",
        md5.0,
        r.text
    );
    assert!(r.text.contains("signType"), "{}", r.text);
    assert_eq!(order_state(&db, &open_id).1, "PROCESSING");
    assert_eq!(
        (count(&db, "notifications"), count(&db, "events")),
        before,
        "a push in another algorithm was journaled or emitted"
    );

    // The genuine SHA256 ones are taken, once each.
    for (what, msg) in [&messages[0], &messages[2]] {
        let r = notify(&h, with(msg, |_| {})).await;
        assert_eq!(r.status, 200, "{what}: {}", r.text);
    }
    assert_eq!(order_state(&db, &open_id).1, "SUCCESS");
    assert_eq!(refund_state(&db, "RF-SIG-1").1, "SUCCESS");
    assert_eq!(count(&db, "notifications"), before.0 + 2);
    assert_eq!(count(&db, "events"), before.1 + 2);
}

// ---------------------------------------------------------------------------------------------
// 3. Upstream answers

/// Which answers to alter (their path ends with one of these), and how.
type Tamper = (&'static [&'static str], Mutation);

/// A man in the middle between the proxy and the sandbox that applies `mutation` to the
/// answers of the APIs whose path contains one of `paths`.
#[derive(Clone)]
struct Wire {
    target: String,
    http: reqwest::Client,
    tamper: Arc<Mutex<Option<Tamper>>>,
}

impl Wire {
    fn set(&self, paths: &'static [&'static str], m: Mutation) {
        *self.tamper.lock().unwrap() = Some((paths, m));
    }
    fn honest(&self) {
        *self.tamper.lock().unwrap() = None;
    }
}

async fn relay(State(w): State<Wire>, uri: Uri, body: Bytes) -> impl IntoResponse {
    let r = w
        .http
        .post(format!("{}{}", w.target, uri.path()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    let tamper = *w.tamper.lock().unwrap();
    let out = match tamper {
        Some((paths, m)) if paths.iter().any(|p| uri.path().ends_with(p)) => {
            let env = Envelope::parse(text.as_bytes()).expect("the sandbox answers envelopes");
            m(&object(&env))
        }
        _ => text,
    };
    (status, [("content-type", "application/json")], out)
}

async fn wire_harness(sign_type: SignType) -> (Harness, Wire, StandaloneSandbox) {
    let a = Account::sandbox_a();
    let upstream = StandaloneSandbox::start(vec![a.clone()]).await;
    upstream.sandbox.set_faults(Faults {
        drop_notifications: 1_000,
        ..Faults::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let wire = Wire {
        target: upstream.url.clone(),
        http: client(),
        tamper: Arc::default(),
    };
    let app = axum::Router::new()
        .route("/{*path}", axum::routing::post(relay))
        .with_state(wire.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let h = pingpong_harness(&upstream.sandbox, &url, &a, |c| {
        if let Upstream::PingPong(acc) = &mut c.upstream {
            acc.sign_type = sign_type;
        }
    })
    .await;
    (h, wire, upstream)
}

fn expected(body_of: Mutation, sample: &Obj) -> &'static str {
    if unreadable(&body_of(sample)) {
        "UPSTREAM_INVALID_RESPONSE"
    } else {
        "UPSTREAM_BAD_SIGNATURE"
    }
}

/// A signed answer shaped like the sandbox's, to classify a mutation before it is applied.
fn sample(sign_type: SignType) -> Obj {
    genuine(
        sign_type,
        "001000",
        "Successful request",
        json!({ "merchantTransactionId": "PQ-1", "status": "SUCCESS", "amount": "1.000000", "currency": "USD" }),
    )
}

#[tokio::test]
async fn tampered_upstream_answers_are_refused_and_nothing_is_marked() {
    for sign_type in [SignType::Sha256, SignType::Md5] {
        let (h, wire, upstream) = wire_harness(sign_type).await;
        let db = journal(&h);
        let probe = sample(sign_type);

        // unifiedPay: each tampered answer leaves the order pending (no transactionId, no
        // QR, no event); the honest retry finds the one order the sandbox made.
        for (i, (name, m)) in REFUSED.iter().enumerate() {
            let id = format!("SIG-{sign_type}-{i}");
            let body = json!({ "amount": "5.00", "currency": "USD", "method": "ALIPAY", "merchantTransactionId": id });
            let events = count(&db, "events");
            wire.set(&["/unifiedPay"], *m);
            let r = h.post("/v1/payments", DEMO, body.clone()).await;
            assert_eq!(
                (r.status, r.code()),
                (502, expected(*m, &probe)),
                "{sign_type} unifiedPay '{name}': {}",
                r.text
            );
            assert!(r.json.get("qrCode").is_none(), "{name}");
            assert_eq!(
                order_state(&db, &id),
                ("pending".into(), "INIT".into(), None),
                "{sign_type} unifiedPay '{name}'"
            );
            assert_eq!(count(&db, "events"), events, "{name}: an event");
            wire.honest();
            let r = h.post("/v1/payments", DEMO, body).await;
            assert_eq!(r.status, 200, "{name}: {}", r.text);
            assert_eq!(r.json["status"], "PROCESSING");
        }
        assert_eq!(upstream.sandbox.stats().orders, REFUSED.len() as u64);

        // query: the order is paid upstream; no tampered answer moves the journal.
        let id = format!("SIG-{sign_type}-0");
        let tid = order_state(&db, &id).2.unwrap();
        upstream.sandbox.pay(&tid).unwrap();
        for (name, m) in REFUSED {
            wire.set(&["/payment/query"], *m);
            let events = count(&db, "events");
            let r = h.get(&format!("/v1/payments/{id}"), DEMO).await;
            assert_eq!(
                (r.status, r.code()),
                (502, expected(*m, &probe)),
                "{sign_type} query '{name}': {}",
                r.text
            );
            assert_eq!(order_state(&db, &id).1, "PROCESSING", "{name}");
            assert_eq!(count(&db, "events"), events, "{name}: an event");
        }
        wire.honest();
        let r = h.get(&format!("/v1/payments/{id}"), DEMO).await;
        assert_eq!(r.json["status"], "SUCCESS", "{}", r.text);

        // refund and refund query: a tampered answer leaves the refund pending; completed
        // honestly afterwards with the same merchantRefundId (one refund upstream).
        for (i, (name, m)) in REFUSED.iter().enumerate().step_by(4) {
            let mrid = format!("RF-{sign_type}-{i}");
            let path = format!("/v1/payments/{id}/refunds");
            let body = json!({ "amount": "0.10", "merchantRefundId": mrid });
            wire.set(&["/payment/refund", "/refund/query"], *m);
            let r = h.post(&path, DEMO, body.clone()).await;
            assert_eq!(
                (r.status, r.code()),
                (502, expected(*m, &probe)),
                "{sign_type} refund '{name}': {}",
                r.text
            );
            assert_eq!(
                refund_state(&db, &mrid),
                ("pending".into(), "PROCESSING".into())
            );
            let r = h.get(&format!("{path}/{mrid}"), DEMO).await;
            assert_eq!(r.code(), expected(*m, &probe), "refund query '{name}'");
            assert_eq!(refund_state(&db, &mrid).0, "pending");
            wire.honest();
            h.await_refund(&id, &mrid, "SUCCESS").await;
        }
        let refunds = REFUSED.len().div_ceil(4) as u64;
        assert_eq!(upstream.sandbox.stats().refunds, refunds);
    }
}
