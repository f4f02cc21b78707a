//! The library in headless Chromium against a proxy that answers badly on purpose
//! (tests/misbehaving-proxy.mjs, started by scripts/test-browser.sh and passed at compile
//! time): bad JSON, missing fields, huge bodies, the wrong content type, unexpected HTTP
//! statuses and redirects, views with an unknown status or of another payment, and an event
//! stream of garbage. Each ends in its error code; nothing is marked FAILED, no journaled id is
//! lost (an unanswered create stays UNKNOWN with its id, every re-send carries the same body),
//! and no payment the register did not ask about enters its journal.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect};
use pingpong_qr::Register;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn misbehaving() -> &'static str {
    match option_env!("PINGPONG_QR_TEST_MISBEHAVING") {
        Some(url) => url,
        None => panic!(
            "PINGPONG_QR_TEST_MISBEHAVING was unset at build time: run scripts/test-browser.sh"
        ),
    }
}

#[wasm_bindgen(inline_js = r#"
export function delay(ms) { return new Promise(r => setTimeout(r, ms)); }
export async function http(method, url) {
  const r = await fetch(url, { method });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
"#)]
extern "C" {
    fn delay(ms: u32) -> Promise;
    fn http(method: &str, url: &str) -> Promise;
}

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = PingPongError)]
    type PingPongError;
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn text(v: &JsValue, key: &str) -> String {
    get(v, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string in {v:?}"))
}

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", (js_sys::Math::random() * 1e12) as u64)
}

fn code_of(e: &JsValue) -> String {
    assert!(
        e.is_instance_of::<PingPongError>(),
        "not a PingPongError: {e:?}"
    );
    text(e, "code")
}

async fn sleep_ms(ms: u32) {
    JsFuture::from(delay(ms)).await.unwrap();
}

fn array(v: JsValue) -> Vec<JsValue> {
    v.unchecked_into::<Array>().iter().collect()
}

/// A register talking to `scenario` of the misbehaving proxy.
fn register(scenario: &str, push: bool) -> Register {
    let url = format!("{}/s/{scenario}", misbehaving());
    Register::new(obj(&[
        ("proxyUrl", url.into()),
        ("token", "demo-token".into()),
        ("storageKey", unique("mb").into()),
        ("push", push.into()),
        ("requestTimeoutMs", 10_000.into()),
    ]))
    .expect("register")
}

/// What the misbehaving proxy received for `scenario`: `(method, path, body)`.
async fn received(scenario: &str) -> Vec<(String, String, String)> {
    let answer = JsFuture::from(http("GET", &format!("{}/log/{scenario}", misbehaving())))
        .await
        .expect("the log");
    array(get(&answer, "body"))
        .iter()
        .map(|r| (text(r, "method"), text(r, "path"), text(r, "body")))
        .collect()
}

fn payment_ids(v: JsValue) -> Vec<String> {
    array(v)
        .iter()
        .map(|e| text(e, "merchantTransactionId"))
        .collect()
}

type Log = Rc<RefCell<Vec<String>>>;

/// A JS `(payment, source) => …` recording the statuses a wait reports.
fn recorder() -> (Log, JsValue) {
    let log: Log = Rc::default();
    let l = log.clone();
    let f = Closure::<dyn Fn(JsValue, JsValue)>::new(move |p: JsValue, _source: JsValue| {
        l.borrow_mut().push(text(&p, "status"));
    });
    (log, f.into_js_value())
}

async fn start(r: &Register, id: &str, amount: &str) -> Result<JsValue, JsValue> {
    JsFuture::from(r.start_payment(obj(&[
        ("amount", amount.into()),
        ("currency", "USD".into()),
        ("method", "ALIPAY".into()),
        ("expiresInSeconds", 300.into()),
        ("merchantTransactionId", id.into()),
    ])))
    .await
}

/// The consumer pays on the real sandbox's wallet page.
async fn pay(payment: &JsValue) {
    let url = format!("{}/pay", text(payment, "qrCode"));
    let answer = JsFuture::from(http("POST", &url)).await.unwrap();
    let status = get(&answer, "status").as_f64().unwrap();
    assert!((200.0..300.0).contains(&status), "wallet pay: {answer:?}");
}

// ---------------------------------------------------------------------------------------------
// Tests

/// Every bad answer to a create, with the code the app gets.
const CREATES: &[(&str, &str)] = &[
    ("bad-json", "INVALID_RESPONSE"),
    ("missing-fields", "INVALID_RESPONSE"),
    ("unknown-status", "INVALID_RESPONSE"),
    ("html-200", "INVALID_RESPONSE"),
    ("huge-body", "INVALID_RESPONSE"),
    ("no-content-204", "INVALID_RESPONSE"),
    ("redirect-307", "NETWORK"),
    ("bad-gateway-html", "INTERNAL"),
    ("teapot-unknown-code", "UNRECOGNIZED"),
    ("error-body-with-200", "INVALID_RESPONSE"),
    ("empty-object", "INVALID_RESPONSE"),
    ("json-null", "INVALID_RESPONSE"),
    ("array-of-views", "INVALID_RESPONSE"),
    ("id-as-number", "INVALID_RESPONSE"),
    ("negative-time", "INVALID_RESPONSE"),
    ("fractional-expiry", "INVALID_RESPONSE"),
    ("another-payment", "INVALID_RESPONSE"),
    ("another-amount", "INVALID_RESPONSE"),
    ("another-currency", "INVALID_RESPONSE"),
    ("another-method", "INVALID_RESPONSE"),
    ("no-cors", "NETWORK"),
];

#[wasm_bindgen_test]
async fn malformed_create_answers_end_unknown_with_the_id_kept() {
    // All at once: each scenario has its own register, storage and id.
    let runs: Vec<_> = CREATES
        .iter()
        .map(|(scenario, want)| {
            let r = register(scenario, false);
            let id = unique("PQmb");
            let p = JsFuture::from(r.start_payment(obj(&[
                ("amount", "12.50".into()),
                ("currency", "USD".into()),
                ("method", "ALIPAY".into()),
                ("merchantTransactionId", id.as_str().into()),
            ])));
            (scenario, want, r, id, p)
        })
        .collect();
    for (scenario, want, r, id, p) in runs {
        let e = p.await.expect_err(scenario);
        assert_eq!(code_of(&e), *want, "{scenario}: {e:?}");
        assert_eq!(text(&e, "merchantTransactionId"), id, "{scenario}");
        // The payment is kept, unknown, for resume(); nothing else entered the journal.
        let pending = array(r.pending_payments().unwrap());
        assert_eq!(pending.len(), 1, "{scenario}");
        assert_eq!(text(&pending[0], "merchantTransactionId"), id, "{scenario}");
        assert_eq!(text(&pending[0], "state"), "UNKNOWN", "{scenario}");
        assert!(
            get(&pending[0], "payment").is_null(),
            "{scenario}: a view was taken"
        );
        assert_eq!(
            payment_ids(r.history().unwrap()),
            std::slice::from_ref(&id),
            "{scenario}"
        );
        // Every send carried the same id and body.
        let sends = received(scenario).await;
        assert!(
            !sends.is_empty() && sends.len() <= 3,
            "{scenario}: {sends:?}"
        );
        for (method, path, body) in &sends {
            assert_eq!((method.as_str(), path.as_str()), ("POST", "/v1/payments"));
            assert!(body.contains(&id), "{scenario}: {body}");
            assert_eq!(body, &sends[0].2, "{scenario}: a re-send differed");
        }
        r.close();
    }
}

#[wasm_bindgen_test]
async fn polls_answered_with_garbage_are_ridden_out_never_failed() {
    let mut waits = Vec::new();
    for scenario in ["flaky-polls-a", "flaky-polls-b"] {
        let r = register(scenario, false);
        let id = unique("PQpoll");
        let p = start(&r, &id, "3.30").await.expect("create (forwarded)");
        let (log, on_update) = recorder();
        let waiting =
            JsFuture::from(r.wait_for_payment(id.as_str().into(), obj(&[("onUpdate", on_update)])));
        pay(&p).await;
        waits.push((scenario, r, id, log, waiting));
    }
    for (scenario, r, id, log, waiting) in waits {
        let done = waiting.await.expect("waitForPayment");
        assert_eq!(text(&done, "status"), "SUCCESS", "{scenario}");
        let seen = log.borrow().clone();
        assert!(
            seen.iter().all(|s| s == "PROCESSING" || s == "SUCCESS"),
            "{scenario}: {seen:?}"
        );
        assert_eq!(
            payment_ids(r.history().unwrap()),
            std::slice::from_ref(&id),
            "{scenario}"
        );
        assert!(array(r.pending_payments().unwrap()).is_empty());
        let polls = received(scenario).await;
        let gets = polls.iter().filter(|(m, _, _)| m == "GET").count();
        assert!(
            gets >= 4,
            "{scenario}: only {gets} polls: the garbage was not all served"
        );
        r.close();
    }
}

#[wasm_bindgen_test]
async fn an_event_stream_of_garbage_changes_nothing() {
    let r = register("garbage-stream", true);
    let id = unique("PQsse");
    let p = start(&r, &id, "4.40").await.expect("create (forwarded)");
    let (log, on_update) = recorder();
    let waiting =
        JsFuture::from(r.wait_for_payment(id.as_str().into(), obj(&[("onUpdate", on_update)])));
    // Let the stream deliver its garbage about this payment (every other connection; the
    // ones between answer text/plain).
    let start_ms = js_sys::Date::now();
    loop {
        let streams = received("garbage-stream")
            .await
            .iter()
            .filter(|(m, p, _)| m == "GET" && p == "/v1/events")
            .count();
        if streams >= 3 {
            break;
        }
        assert!(
            js_sys::Date::now() - start_ms < 20_000.0,
            "the stream was not reconnected ({streams} connections)"
        );
        sleep_ms(100).await;
    }
    assert_eq!(
        text(&array(r.pending_payments().unwrap())[0], "state"),
        "PROCESSING",
        "garbage moved the payment"
    );
    pay(&p).await;
    let done = waiting.await.expect("waitForPayment");
    assert_eq!(text(&done, "status"), "SUCCESS");
    let seen = log.borrow().clone();
    assert!(
        seen.iter().all(|s| s == "PROCESSING" || s == "SUCCESS"),
        "{seen:?}"
    );
    assert_eq!(
        payment_ids(r.history().unwrap()),
        [id],
        "a pushed payment the register did not start entered its journal"
    );
    r.close();
}

#[wasm_bindgen_test]
async fn a_refund_answer_about_another_refund_is_not_taken_and_the_id_survives() {
    let r = register("another-refund", false);
    let id = unique("PQrf");
    let p = start(&r, &id, "6.00").await.expect("create (forwarded)");
    let waiting = JsFuture::from(r.wait_for_payment(id.as_str().into(), JsValue::UNDEFINED));
    pay(&p).await;
    assert_eq!(text(&waiting.await.unwrap(), "status"), "SUCCESS");
    let rid = unique("RFmb");
    let e = JsFuture::from(r.refund(
        id.as_str().into(),
        obj(&[
            ("amount", "1.00".into()),
            ("merchantRefundId", rid.as_str().into()),
        ]),
    ))
    .await
    .expect_err("an answer about another refund");
    assert_eq!(code_of(&e), "INVALID_RESPONSE");
    assert_eq!(text(&e, "merchantRefundId"), rid);
    let pending = array(r.pending_payments().unwrap());
    assert_eq!(
        array(get(&pending[0], "pendingRefunds"))
            .iter()
            .map(|v| v.as_string().unwrap())
            .collect::<Vec<_>>(),
        std::slice::from_ref(&rid)
    );
    // Following it up re-sends the journaled refund (same id, same amount) to the real proxy.
    let done = JsFuture::from(r.wait_for_refund(
        id.as_str().into(),
        rid.as_str().into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect("waitForRefund");
    assert_eq!(text(&done, "status"), "SUCCESS");
    assert_eq!(text(&done, "merchantRefundId"), rid);
    assert_eq!(text(&done, "amount"), "1.00");
    let sends: Vec<_> = received("another-refund")
        .await
        .into_iter()
        .filter(|(m, p, _)| m == "POST" && p.ends_with("/refunds"))
        .collect();
    assert_eq!(sends.len(), 2, "{sends:?}");
    assert_eq!(sends[0].2, sends[1].2, "the re-send differed");
    r.close();
}
