//! The library end to end in headless Chromium against a real proxy and its embedded sandbox
//! (started by scripts/test-browser.sh, which passes the proxy URL at compile time).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect};
use pingpong_qr::Register;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::AbortController;

wasm_bindgen_test_configure!(run_in_browser);

fn proxy() -> &'static str {
    match option_env!("PINGPONG_QR_TEST_PROXY") {
        Some(url) => url,
        None => {
            panic!("PINGPONG_QR_TEST_PROXY was unset at build time: run scripts/test-browser.sh")
        }
    }
}

#[wasm_bindgen(inline_js = r#"
const calls = [];
let installed = false;
export function watchFetch() {
  if (installed) return;
  installed = true;
  const real = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    const url = typeof input === "string" ? input : input.url;
    const call = { url, method: (init && init.method) || "GET", done: false };
    if (url.includes("/v1/")) calls.push(call);
    const p = real.call(this, input, init);
    p.finally(() => { call.done = true; }).catch(() => {});
    return p;
  };
}
export function apiCalls() { return calls.length; }
export function apiCallsDone(part) { return calls.filter(c => c.done && c.url.includes(part)).length; }
export function apiCallsTo(part) { return calls.filter(c => c.url.includes(part)).length; }
export function delay(ms) { return new Promise(r => setTimeout(r, ms)); }
export function lockBarrier(name) { return navigator.locks.request(name, () => true); }
export async function http(method, url, body) {
  const init = { method, headers: {} };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const r = await fetch(url, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = watchFetch)]
    fn watch_fetch();
    #[wasm_bindgen(js_name = apiCalls)]
    fn api_calls() -> u32;
    #[wasm_bindgen(js_name = apiCallsDone)]
    fn api_calls_done(part: &str) -> u32;
    #[wasm_bindgen(js_name = apiCallsTo)]
    fn api_calls_to(part: &str) -> u32;
    fn delay(ms: u32) -> Promise;
    #[wasm_bindgen(js_name = lockBarrier)]
    fn lock_barrier(name: &str) -> Promise;
    fn http(method: &str, url: &str, body: JsValue) -> Promise;
}

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = PingPongError)]
    type PingPongError;
}

// ---------------------------------------------------------------------------------------------
// Helpers

thread_local! {
    /// When the running test started (ms), or 0 when none runs.
    static BUSY_SINCE: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// A test holding this longer has panicked (a wasm panic does not unwind, so its guard
/// never drops): the next test takes over.
const TEST_TAKEOVER_MS: f64 = 60_000.0;

/// One test at a time: they share the sandbox's fault knobs and counters, and the runner
/// starts async tests concurrently.
struct Serial;

impl Drop for Serial {
    fn drop(&mut self) {
        BUSY_SINCE.with(|b| b.set(0.0));
    }
}

async fn serial() -> Serial {
    loop {
        let now = js_sys::Date::now();
        let free = BUSY_SINCE.with(|b| {
            let since = b.get();
            let free = since == 0.0 || now - since > TEST_TAKEOVER_MS;
            if free {
                b.set(now);
            }
            free
        });
        if free {
            return Serial;
        }
        sleep_ms(20).await;
    }
}

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
    let mut s = String::from(prefix);
    s.push_str(&((js_sys::Math::random() * 1e12) as u64).to_string());
    s
}

async fn done(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

fn code_of(e: &JsValue) -> String {
    assert!(
        e.is_instance_of::<PingPongError>(),
        "not a PingPongError: {e:?}"
    );
    assert!(e.is_instance_of::<js_sys::Error>());
    text(e, "code")
}

async fn sleep_ms(ms: u32) {
    JsFuture::from(delay(ms)).await.unwrap();
}

/// Polls `cond` every 50 ms until it holds; panics after `ms` with `what`.
async fn until(ms: u32, what: &str, mut cond: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    while !cond() {
        assert!(
            js_sys::Date::now() - start < ms as f64,
            "timed out waiting for {what}"
        );
        sleep_ms(50).await;
    }
}

struct Opts {
    storage_key: String,
    push: bool,
    extra: Vec<(&'static str, JsValue)>,
}

impl Opts {
    fn new(push: bool) -> Opts {
        Opts {
            storage_key: unique("t"),
            push,
            extra: Vec::new(),
        }
    }
    fn build(&self) -> Register {
        watch_fetch();
        let mut pairs = vec![
            ("proxyUrl", JsValue::from_str(proxy())),
            ("token", "demo-token".into()),
            ("storageKey", self.storage_key.as_str().into()),
            ("push", self.push.into()),
        ];
        pairs.extend(self.extra.iter().cloned());
        Register::new(obj(&pairs)).expect("register")
    }
}

type Log = Rc<RefCell<Vec<(String, String)>>>;

/// A JS `(payment, source) => …` recording (status, source).
fn recorder() -> (Log, JsValue) {
    let log: Log = Rc::default();
    let l = log.clone();
    let f = Closure::<dyn Fn(JsValue, JsValue)>::new(move |p: JsValue, source: JsValue| {
        l.borrow_mut()
            .push((text(&p, "status"), source.as_string().unwrap_or_default()));
    });
    (log, f.into_js_value())
}

/// A JS `(payment) => …` recording whole payments.
fn collector() -> (Rc<RefCell<Vec<JsValue>>>, JsValue) {
    let log: Rc<RefCell<Vec<JsValue>>> = Rc::default();
    let l = log.clone();
    let f = Closure::<dyn Fn(JsValue)>::new(move |p: JsValue| l.borrow_mut().push(p));
    (log, f.into_js_value())
}

async fn start(r: &Register, amount: &str) -> JsValue {
    let p = done(r.start_payment(obj(&[
        ("amount", amount.into()),
        ("currency", "USD".into()),
        ("method", "ALIPAY".into()),
        ("expiresInSeconds", 300.into()),
    ])))
    .await
    .expect("startPayment");
    assert_eq!(text(&p, "status"), "PROCESSING");
    p
}

async fn sandbox(method: &str, path: &str, body: JsValue) -> JsValue {
    let mut url = String::from(proxy());
    url.push_str("/sandbox");
    url.push_str(path);
    let answer = done(http(method, &url, body)).await.expect("sandbox call");
    let status = get(&answer, "status").as_f64().unwrap();
    assert!(
        (200.0..300.0).contains(&status),
        "{method} {path}: {answer:?}"
    );
    get(&answer, "body")
}

/// The consumer acts on the wallet page: `pay` or `decline`.
async fn wallet(payment: &JsValue, action: &str) {
    let mut url = text(payment, "qrCode");
    url.push('/');
    url.push_str(action);
    let answer = done(http("POST", &url, JsValue::UNDEFINED)).await.unwrap();
    let status = get(&answer, "status").as_f64().unwrap();
    assert!(
        (200.0..300.0).contains(&status),
        "wallet {action}: {answer:?}"
    );
}

async fn expire(payment: &JsValue) {
    let mut path = String::from("/control/orders/");
    path.push_str(&text(payment, "merchantTransactionId"));
    path.push_str("/expire");
    sandbox("POST", &path, JsValue::UNDEFINED).await;
}

async fn faults(pairs: &[(&str, JsValue)]) {
    sandbox("PUT", "/control/faults", obj(pairs)).await;
}

async fn upstream_requests() -> f64 {
    let stats = sandbox("GET", "/control/stats", JsValue::UNDEFINED).await;
    let requests = get(&stats, "requests");
    Object::values(requests.unchecked_ref::<Object>())
        .iter()
        .map(|v| v.as_f64().unwrap())
        .sum()
}

/// The sandbox's record of an order (`GET /sandbox/control/orders/{id}`).
async fn sandbox_order(merchant_transaction_id: &str) -> JsValue {
    let mut path = String::from("/control/orders/");
    path.push_str(merchant_transaction_id);
    sandbox("GET", &path, JsValue::UNDEFINED).await
}

/// Every localStorage key, sorted.
fn storage_keys() -> Vec<String> {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let mut keys: Vec<String> = (0..storage.length().unwrap())
        .filter_map(|i| storage.key(i).unwrap())
        .collect();
    keys.sort();
    keys
}

async fn sandbox_orders() -> f64 {
    get(
        &sandbox("GET", "/control/stats", JsValue::UNDEFINED).await,
        "orders",
    )
    .as_f64()
    .unwrap()
}

fn id_of(p: &JsValue) -> String {
    text(p, "merchantTransactionId")
}

fn wait(r: &Register, id: &str, options: JsValue) -> JsFuture {
    JsFuture::from(r.wait_for_payment(id.into(), options))
}

// ---------------------------------------------------------------------------------------------
// Tests

#[wasm_bindgen_test]
async fn pays_end_to_end_through_push() {
    let _serial = serial().await;
    let opts = Opts::new(true);
    let r = opts.build();
    let p = start(&r, "12.50").await;
    let id = id_of(&p);
    until(5_000, "the event stream", || r.push_connected()).await;
    let (log, on_update) = recorder();
    let waiting = wait(&r, &id, obj(&[("onUpdate", on_update)]));
    // Once the wait has begun and any catch-up poll is answered, the next poll is at least
    // 15 s away (push is live): only push can deliver the payment in time.
    let path = {
        let mut s = String::from("/v1/payments/");
        s.push_str(&id);
        s
    };
    until(5_000, "the wait to begin", || !log.borrow().is_empty()).await;
    until(5_000, "polls in flight", || {
        api_calls_done(&path) == api_calls_to(&path)
    })
    .await;
    let polls_before = api_calls_to(&path);
    wallet(&p, "pay").await;
    let paid = waiting.await.expect("waitForPayment");
    assert_eq!(text(&paid, "status"), "SUCCESS");
    assert_eq!(text(&paid, "amount"), "12.50");
    let log = log.borrow().clone();
    assert_eq!(log.first().map(|e| e.1.as_str()), Some("journal"));
    assert_eq!(
        log.last().unwrap(),
        &("SUCCESS".to_owned(), "push".to_owned())
    );
    assert_eq!(api_calls_to(&path), polls_before, "no poll was needed");
    r.close();
}

#[wasm_bindgen_test]
async fn pays_end_to_end_through_polling_alone() {
    let _serial = serial().await;
    let r = Opts::new(false).build();
    let tickets_before = api_calls_to("/v1/events");
    let p = start(&r, "3.20").await;
    let id = id_of(&p);
    let (log, on_update) = recorder();
    let waiting = wait(&r, &id, obj(&[("onUpdate", on_update)]));
    wallet(&p, "pay").await;
    let paid = waiting.await.expect("waitForPayment");
    assert_eq!(text(&paid, "status"), "SUCCESS");
    assert_eq!(
        log.borrow().last().unwrap(),
        &("SUCCESS".into(), "poll".into())
    );
    assert!(!r.push_connected());
    assert_eq!(
        api_calls_to("/v1/events"),
        tickets_before,
        "push off: no event stream"
    );
    r.close();
}

#[wasm_bindgen_test]
async fn an_expired_qr_ends_closed() {
    let _serial = serial().await;
    let r = Opts::new(true).build();
    let p = start(&r, "7.00").await;
    let waiting = wait(&r, &id_of(&p), JsValue::UNDEFINED);
    expire(&p).await;
    let closed = waiting.await.expect("waitForPayment");
    assert_eq!(text(&closed, "status"), "CLOSED");
    r.close();
}

#[wasm_bindgen_test]
async fn a_declined_payment_ends_failed() {
    let _serial = serial().await;
    let r = Opts::new(true).build();
    let p = start(&r, "8.00").await;
    let waiting = wait(&r, &id_of(&p), JsValue::UNDEFINED);
    wallet(&p, "decline").await;
    let declined = waiting.await.expect("waitForPayment");
    assert_eq!(text(&declined, "status"), "FAILED");
    assert!(
        r.pending_payments()
            .unwrap()
            .unchecked_into::<Array>()
            .length()
            == 0
    );
    r.close();
}

#[wasm_bindgen_test]
async fn an_abort_signal_ends_the_wait() {
    let _serial = serial().await;
    let r = Opts::new(true).build();
    let p = start(&r, "9.00").await;
    let id = id_of(&p);
    let controller = AbortController::new().unwrap();
    let waiting = wait(&r, &id, obj(&[("signal", controller.signal().into())]));
    controller.abort();
    let e = waiting.await.expect_err("aborted");
    assert_eq!(code_of(&e), "ABORTED");
    assert_eq!(text(&e, "merchantTransactionId"), id);
    // An already-aborted signal is refused before any request.
    let calls = api_calls();
    let e = wait(&r, &id, obj(&[("signal", controller.signal().into())]))
        .await
        .expect_err("aborted");
    assert_eq!(code_of(&e), "ABORTED");
    let e = done(r.start_payment(obj(&[
        ("amount", "1.00".into()),
        ("currency", "USD".into()),
        ("method", "WECHAT".into()),
        ("signal", controller.signal().into()),
    ])))
    .await
    .expect_err("aborted");
    assert_eq!(code_of(&e), "ABORTED");
    assert_eq!(api_calls(), calls);
    // The payment is still open: a reload would follow it.
    let pending = r.pending_payments().unwrap().unchecked_into::<Array>();
    assert_eq!(pending.length(), 1);
    assert_eq!(text(&pending.get(0), "merchantTransactionId"), id);
    r.close();
}

#[wasm_bindgen_test]
async fn a_success_after_the_app_gave_up_is_reported_as_late() {
    let _serial = serial().await;
    let (late, on_late) = collector();
    let mut opts = Opts::new(true);
    opts.extra.push(("onLateSuccess", on_late));
    let r = opts.build();
    // Gave up by abort, then the consumer pays.
    let p = start(&r, "4.00").await;
    until(5_000, "the event stream", || r.push_connected()).await;
    let controller = AbortController::new().unwrap();
    let waiting = wait(
        &r,
        &id_of(&p),
        obj(&[("signal", controller.signal().into())]),
    );
    controller.abort();
    assert_eq!(code_of(&waiting.await.unwrap_err()), "ABORTED");
    wallet(&p, "pay").await;
    until(10_000, "the late success after abort", || {
        late.borrow().len() == 1
    })
    .await;
    assert_eq!(text(&late.borrow()[0], "status"), "SUCCESS");
    assert_eq!(id_of(&late.borrow()[0]), id_of(&p));

    // Expired (CLOSED), then paid anyway (the sandbox's lateSuccess fault).
    let q = start(&r, "4.50").await;
    let waiting = wait(&r, &id_of(&q), JsValue::UNDEFINED);
    expire(&q).await;
    assert_eq!(text(&waiting.await.unwrap(), "status"), "CLOSED");
    faults(&[("lateSuccess", true.into())]).await;
    wallet(&q, "pay").await;
    faults(&[]).await;
    until(10_000, "the late success after CLOSED", || {
        late.borrow().len() == 2
    })
    .await;
    let reported = late.borrow()[1].clone();
    assert_eq!(id_of(&reported), id_of(&q));
    assert_eq!(text(&reported, "status"), "SUCCESS");
    assert_eq!(get(&reported, "lateSuccess"), JsValue::TRUE);
    r.close();
}

#[wasm_bindgen_test]
async fn two_partial_refunds_succeed_and_an_over_refund_is_refused_locally() {
    let _serial = serial().await;
    let r = Opts::new(true).build();
    let p = start(&r, "10.00").await;
    let id = id_of(&p);
    let waiting = wait(&r, &id, JsValue::UNDEFINED);
    wallet(&p, "pay").await;
    assert_eq!(text(&waiting.await.unwrap(), "status"), "SUCCESS");
    for amount in ["3.00", "2.00"] {
        let refund = done(r.refund(id.as_str().into(), obj(&[("amount", amount.into())])))
            .await
            .expect("refund");
        let rid = text(&refund, "merchantRefundId");
        let finished = done(r.wait_for_refund(id.as_str().into(), rid.into(), JsValue::UNDEFINED))
            .await
            .expect("waitForRefund");
        assert_eq!(text(&finished, "status"), "SUCCESS");
        assert_eq!(text(&finished, "amount"), amount);
    }
    let calls = api_calls();
    let upstream = upstream_requests().await;
    let e = done(r.refund(id.as_str().into(), obj(&[("amount", "6.00".into())])))
        .await
        .expect_err("over-refund");
    assert_eq!(code_of(&e), "REFUND_EXCEEDS_BALANCE");
    assert!(text(&e, "message").contains("5.00 USD"));
    assert_eq!(api_calls(), calls, "refused without a request");
    assert_eq!(upstream_requests().await, upstream);
    // What remains can be refunded.
    let last = done(r.refund(id.as_str().into(), obj(&[("amount", "5.00".into())])))
        .await
        .expect("refund the rest");
    assert_eq!(text(&last, "amount"), "5.00");
    r.close();
}

#[wasm_bindgen_test]
async fn a_reload_resumes_a_pending_payment_to_its_end() {
    let _serial = serial().await;
    let opts = Opts::new(true);
    let before = opts.build();
    let p = start(&before, "15.00").await;
    let id = id_of(&p);
    before.close();
    drop(before);

    let after = opts.build();
    let pending = after.pending_payments().unwrap().unchecked_into::<Array>();
    assert_eq!(pending.length(), 1);
    assert_eq!(text(&pending.get(0), "merchantTransactionId"), id);
    assert_eq!(text(&pending.get(0), "state"), "PROCESSING");
    let resumed = JsFuture::from(after.resume(JsValue::UNDEFINED));
    wallet(&p, "pay").await;
    let finals = resumed.await.expect("resume").unchecked_into::<Array>();
    assert_eq!(finals.length(), 1);
    assert_eq!(text(&finals.get(0), "status"), "SUCCESS");
    assert_eq!(
        after
            .pending_payments()
            .unwrap()
            .unchecked_into::<Array>()
            .length(),
        0
    );
    after.close();
}

#[wasm_bindgen_test]
async fn an_unanswered_create_is_resumed_after_a_reload_without_a_second_order() {
    let _serial = serial().await;
    let mut opts = Opts::new(false);
    opts.extra.push(("requestTimeoutMs", 1_000.into()));
    let before = opts.build();
    let orders = sandbox_orders().await;
    // PingPong answers late: every send of the create times out in the browser.
    faults(&[
        ("latencyMs", 2_500.into()),
        ("apis", Array::of1(&"unifiedPay".into()).into()),
    ])
    .await;
    let id = unique("PQtest");
    let e = done(before.start_payment(obj(&[
        ("amount", "6.60".into()),
        ("currency", "USD".into()),
        ("method", "WECHAT".into()),
        ("merchantTransactionId", id.as_str().into()),
    ])))
    .await
    .expect_err("no answer in time");
    faults(&[]).await;
    assert_eq!(code_of(&e), "TIMEOUT");
    assert_eq!(text(&e, "merchantTransactionId"), id);
    let pending = before.pending_payments().unwrap().unchecked_into::<Array>();
    assert_eq!(text(&pending.get(0), "state"), "UNKNOWN");
    before.close();
    drop(before);

    let after = opts.build();
    let resumed = JsFuture::from(after.resume(JsValue::UNDEFINED));
    until(15_000, "the order to be followed", || {
        after.pending_payments().ok().is_some_and(|p| {
            let p = p.unchecked_into::<Array>();
            p.length() == 1 && text(&p.get(0), "state") == "PROCESSING"
        })
    })
    .await;
    let payment = get(
        &after
            .pending_payments()
            .unwrap()
            .unchecked_into::<Array>()
            .get(0),
        "payment",
    );
    wallet(&payment, "pay").await;
    let finals = resumed.await.expect("resume").unchecked_into::<Array>();
    assert_eq!(text(&finals.get(0), "status"), "SUCCESS");
    assert_eq!(
        sandbox_orders().await,
        orders + 1.0,
        "one order, however many sends"
    );
    after.close();
}

#[wasm_bindgen_test]
async fn two_registers_on_the_same_storage_report_one_final_event() {
    let _serial = serial().await;
    let (finals, on_final) = collector();
    let mut a = Opts::new(true);
    a.extra.push(("onPaymentFinal", on_final.clone()));
    let mut b = Opts::new(true);
    b.storage_key = a.storage_key.clone();
    b.extra.push(("onPaymentFinal", on_final));
    let (ra, rb) = (a.build(), b.build());
    let p = start(&ra, "11.00").await;
    let id = id_of(&p);
    let wa = wait(&ra, &id, JsValue::UNDEFINED);
    let wb = wait(&rb, &id, JsValue::UNDEFINED);
    wallet(&p, "pay").await;
    assert_eq!(text(&wa.await.unwrap(), "status"), "SUCCESS");
    assert_eq!(text(&wb.await.unwrap(), "status"), "SUCCESS");
    // Every claim of the event holds the same Web Lock: once we hold it, all have run.
    let mut lock = String::from("pingpong-qr:");
    lock.push_str(&a.storage_key);
    lock.push_str(":final:");
    lock.push_str(&id);
    until(5_000, "the final event", || !finals.borrow().is_empty()).await;
    JsFuture::from(lock_barrier(&lock)).await.unwrap();
    assert_eq!(
        finals.borrow().len(),
        1,
        "one final event for two registers"
    );
    assert_eq!(text(&finals.borrow()[0], "status"), "SUCCESS");
    ra.close();
    rb.close();
}

#[wasm_bindgen_test]
async fn every_invalid_input_is_refused_with_its_code_before_any_request() {
    let _serial = serial().await;
    let r = Opts::new(false).build();
    let calls = api_calls();
    let upstream = upstream_requests().await;
    let orders = sandbox_orders().await;
    let journal = || {
        let pending = js_sys::JSON::stringify(&r.pending_payments().unwrap()).unwrap();
        let history = js_sys::JSON::stringify(&r.history().unwrap()).unwrap();
        (String::from(pending), String::from(history), storage_keys())
    };
    let journal_before = journal();
    let base = || {
        vec![
            ("amount", JsValue::from("12.50")),
            ("currency", "USD".into()),
            ("method", "ALIPAY".into()),
        ]
    };
    let with = |key: &'static str, value: JsValue| {
        let mut pairs = base();
        pairs.retain(|(k, _)| *k != key);
        if !value.is_undefined() {
            pairs.push((key, value));
        }
        obj(&pairs)
    };
    let cases: Vec<(JsValue, &str)> = vec![
        (with("amount", "".into()), "INVALID_AMOUNT"),
        (with("amount", "abc".into()), "INVALID_AMOUNT"),
        (with("amount", "-1.00".into()), "INVALID_AMOUNT"),
        (with("amount", "0".into()), "INVALID_AMOUNT"),
        (with("amount", "1.001".into()), "INVALID_AMOUNT"),
        (with("amount", "1e3".into()), "INVALID_AMOUNT"),
        (with("amount", 12.5.into()), "INVALID_AMOUNT"),
        (with("amount", JsValue::UNDEFINED), "INVALID_AMOUNT"),
        (with("currency", "usd".into()), "INVALID_CURRENCY"),
        (with("currency", "XXX".into()), "INVALID_CURRENCY"),
        (with("currency", JsValue::UNDEFINED), "INVALID_CURRENCY"),
        (with("method", "PAYPAL".into()), "INVALID_METHOD"),
        (with("method", JsValue::UNDEFINED), "INVALID_METHOD"),
        (with("expiresInSeconds", 59.into()), "INVALID_EXPIRY"),
        (with("expiresInSeconds", 259_201.into()), "INVALID_EXPIRY"),
        (with("expiresInSeconds", 0.into()), "INVALID_EXPIRY"),
        (with("expiresInSeconds", (-1).into()), "INVALID_EXPIRY"),
        (with("expiresInSeconds", 60.5.into()), "INVALID_EXPIRY"),
        (with("expiresInSeconds", "300".into()), "INVALID_EXPIRY"),
        (
            with("merchantTransactionId", "has space".into()),
            "INVALID_ID",
        ),
        (
            with("merchantTransactionId", "x".repeat(65).into()),
            "INVALID_ID",
        ),
        (with("remark", "<b>".into()), "INVALID_REMARK"),
        (JsValue::UNDEFINED, "INVALID_CONFIG"),
    ];
    for (options, want) in cases {
        let e = done(r.start_payment(options.clone()))
            .await
            .expect_err("refused");
        assert_eq!(code_of(&e), want, "{options:?}");
    }
    // Ids of waits and refunds, and refund options, are checked before any request too.
    for (bad_id, want) in [("a b", "INVALID_ID"), ("", "INVALID_ID")] {
        let e = wait(&r, bad_id, JsValue::UNDEFINED)
            .await
            .expect_err("refused");
        assert_eq!(code_of(&e), want);
        let e = done(r.refund(bad_id.into(), obj(&[("amount", "1.00".into())])))
            .await
            .expect_err("refused");
        assert_eq!(code_of(&e), want);
    }
    let e = done(r.refund("PQok".into(), obj(&[("amount", 1.into())])))
        .await
        .expect_err("refused");
    assert_eq!(code_of(&e), "INVALID_AMOUNT");
    let e = done(r.refund(
        "PQok".into(),
        obj(&[
            ("amount", "1.00".into()),
            ("merchantRefundId", "a/b".into()),
        ]),
    ))
    .await
    .expect_err("refused");
    assert_eq!(code_of(&e), "INVALID_ID");
    let e = wait(&r, "PQok", obj(&[("signal", "nope".into())]))
        .await
        .expect_err("refused");
    assert_eq!(code_of(&e), "INVALID_CONFIG");
    // A bad configuration is refused at construction.
    for (url, token) in [
        (proxy(), ""),
        ("not a url", "demo-token"),
        ("ftp://h", "demo-token"),
    ] {
        let e = Register::new(obj(&[("proxyUrl", url.into()), ("token", token.into())]))
            .err()
            .expect("refused");
        assert_eq!(code_of(&e), "INVALID_CONFIG");
    }
    assert_eq!(api_calls(), calls, "nothing was sent to the proxy");
    assert_eq!(
        upstream_requests().await,
        upstream,
        "nothing reached the sandbox"
    );
    assert_eq!(journal(), journal_before, "nothing was journaled");
    assert_eq!(
        (journal_before.0.as_str(), journal_before.1.as_str()),
        ("[]", "[]")
    );

    // The bounds themselves are accepted: one create each reaches the proxy and the acquirer,
    // with that validity.
    let mut accepted = Vec::new();
    for seconds in [60, 259_200] {
        let creates = api_calls_to("/v1/payments");
        let sent_upstream = upstream_requests().await;
        let p = done(r.start_payment(with("expiresInSeconds", seconds.into())))
            .await
            .unwrap_or_else(|e| panic!("expiresInSeconds {seconds} refused: {e:?}"));
        assert_eq!(text(&p, "status"), "PROCESSING");
        assert_eq!(api_calls_to("/v1/payments"), creates + 1, "one create");
        assert_eq!(
            upstream_requests().await,
            sent_upstream + 1.0,
            "one unifiedPay"
        );
        let order = sandbox_order(&id_of(&p)).await;
        let validity = get(&order, "expiresAtMs").as_f64().unwrap()
            - get(&order, "createdAtMs").as_f64().unwrap();
        let want = f64::from(seconds) * 1_000.0;
        assert!(
            (want - 1_000.0..=want + 1_000.0).contains(&validity),
            "{seconds} s asked, {validity} ms at the acquirer"
        );
        let left = r.ms_until_expiry(p.clone()).as_f64().expect("an expiry");
        assert!(
            (want - 5_000.0..=want + 1_000.0).contains(&left),
            "{left} ms left of {seconds} s"
        );
        accepted.push(p);
    }
    assert_eq!(sandbox_orders().await, orders + 2.0, "two orders");
    assert_eq!(
        r.pending_payments()
            .unwrap()
            .unchecked_into::<Array>()
            .length(),
        2
    );
    assert_ne!(storage_keys(), journal_before.2, "journaled");
    // Leave nothing open at the sandbox for the tests that follow.
    for p in &accepted {
        expire(p).await;
    }
    r.close();
}

#[wasm_bindgen_test]
async fn polling_pauses_offline_and_resumes_at_once_online() {
    let _serial = serial().await;
    let r = Opts::new(false).build();
    let p = start(&r, "5.55").await;
    let mut path = String::from("/v1/payments/");
    path.push_str(&id_of(&p));
    let window = web_sys::window().unwrap();
    let fire = |kind: &str| {
        window
            .dispatch_event(&web_sys::Event::new(kind).unwrap())
            .unwrap()
    };
    fire("offline");
    let result: Rc<RefCell<Option<Result<JsValue, JsValue>>>> = Rc::default();
    let slot = result.clone();
    let waiting = wait(&r, &id_of(&p), JsValue::UNDEFINED);
    wasm_bindgen_futures::spawn_local(async move {
        *slot.borrow_mut() = Some(waiting.await);
    });
    wallet(&p, "pay").await;
    let polls = api_calls_to(&path);
    // Longer than the first poll's 2–3 s: a paused wait sends nothing.
    sleep_ms(4_000).await;
    assert_eq!(api_calls_to(&path), polls, "no poll while offline");
    assert!(result.borrow().is_none());
    fire("online");
    until(2_000, "the poll on coming back online", || {
        result.borrow().is_some()
    })
    .await;
    let paid = result.borrow_mut().take().unwrap().expect("waitForPayment");
    assert_eq!(text(&paid, "status"), "SUCCESS");
    r.close();
}

#[wasm_bindgen(inline_js = r#"
const realNow = Date.now;
export function shiftClock(ms) { Date.now = () => realNow.call(Date) + ms; }
export function restoreClock() { Date.now = realNow; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = shiftClock)]
    fn shift_clock(ms: f64);
    #[wasm_bindgen(js_name = restoreClock)]
    fn restore_clock();
}

#[wasm_bindgen_test]
async fn qr_expiry_is_counted_on_the_proxys_clock() {
    let _serial = serial().await;
    // The register's clock runs 90 s ahead of the proxy's.
    shift_clock(90_000.0);
    let r = Opts::new(false).build();
    let p = done(r.start_payment(obj(&[
        ("amount", "2.00".into()),
        ("currency", "USD".into()),
        ("method", "ALIPAY".into()),
        ("expiresInSeconds", 300.into()),
    ])))
    .await;
    let left = p
        .as_ref()
        .ok()
        .map(|p| r.ms_until_expiry(p.clone()).as_f64());
    restore_clock();
    let left = left.expect("startPayment").expect("an expiry");
    // Uncorrected it would read about 210 s.
    assert!((295_000.0..=300_500.0).contains(&left), "{left} ms left");
    r.close();
}

#[wasm_bindgen(inline_js = r#"
export function setHidden(hidden) {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => hidden ? "hidden" : "visible" });
  document.dispatchEvent(new Event("visibilitychange"));
}
export function unsetHidden() {
  delete document.visibilityState;
  document.dispatchEvent(new Event("visibilitychange"));
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = setHidden)]
    fn set_hidden(hidden: bool);
    #[wasm_bindgen(js_name = unsetHidden)]
    fn unset_hidden();
}

#[wasm_bindgen_test]
async fn polling_slows_while_the_tab_is_hidden() {
    let _serial = serial().await;
    let r = Opts::new(false).build();
    set_hidden(true);
    let p = start(&r, "6.10").await;
    let mut path = String::from("/v1/payments/");
    path.push_str(&id_of(&p));
    let polls = api_calls_to(&path);
    let waiting = wait(&r, &id_of(&p), JsValue::UNDEFINED);
    let result: Rc<RefCell<Option<Result<JsValue, JsValue>>>> = Rc::default();
    let slot = result.clone();
    wasm_bindgen_futures::spawn_local(async move {
        *slot.borrow_mut() = Some(waiting.await);
    });
    // Visible, the first poll comes after 2–3 s; hidden, after 6–9 s.
    sleep_ms(4_500).await;
    let hidden_polls = api_calls_to(&path) - polls;
    set_hidden(false);
    // Visible again: the poll is overdue and goes out at once.
    until(2_000, "a poll once visible", || api_calls_to(&path) > polls).await;
    unset_hidden();
    assert_eq!(hidden_polls, 0, "no poll in the first 4.5 s while hidden");
    wallet(&p, "pay").await;
    until(10_000, "the payment", || result.borrow().is_some()).await;
    let paid = result.borrow_mut().take().unwrap().expect("waitForPayment");
    assert_eq!(text(&paid, "status"), "SUCCESS");
    r.close();
}

#[wasm_bindgen_test]
async fn history_lists_every_payment_newest_first_with_refunds_and_balance() {
    let _serial = serial().await;
    let r = Opts::new(true).build();
    assert_eq!(
        r.history().unwrap().unchecked_into::<Array>().length(),
        0,
        "a new storage has no history"
    );
    let paid = start(&r, "10.00").await;
    let id = id_of(&paid);
    let waiting = wait(&r, &id, JsValue::UNDEFINED);
    wallet(&paid, "pay").await;
    assert_eq!(text(&waiting.await.unwrap(), "status"), "SUCCESS");
    let refund = done(r.refund(id.as_str().into(), obj(&[("amount", "3".into())])))
        .await
        .expect("refund");
    let rid = text(&refund, "merchantRefundId");
    // While the refund is open, it holds its amount.
    let h = r.history().unwrap().unchecked_into::<Array>();
    assert_eq!(text(&h.get(0), "refundableAmount"), "7.00");
    done(r.wait_for_refund(id.as_str().into(), rid.as_str().into(), JsValue::UNDEFINED))
        .await
        .expect("waitForRefund");
    let open = start(&r, "4.00").await;

    let h = r.history().unwrap().unchecked_into::<Array>();
    assert_eq!(h.length(), 2);
    let (newest, older) = (h.get(0), h.get(1));
    assert_eq!(id_of(&newest), id_of(&open), "newest first");
    assert_eq!(text(&newest, "state"), "PROCESSING");
    assert_eq!(text(&newest, "refundableAmount"), "0.00");
    assert_eq!(
        get(&newest, "refunds").unchecked_into::<Array>().length(),
        0
    );
    assert_eq!(id_of(&older), id);
    assert_eq!(text(&older, "state"), "SUCCESS");
    assert_eq!(text(&older, "amount"), "10.00");
    assert_eq!(text(&older, "currency"), "USD");
    assert_eq!(text(&older, "method"), "ALIPAY");
    assert_eq!(text(&get(&older, "payment"), "status"), "SUCCESS");
    assert_eq!(text(&older, "refundableAmount"), "7.00");
    let refunds = get(&older, "refunds").unchecked_into::<Array>();
    assert_eq!(refunds.length(), 1);
    let only = refunds.get(0);
    assert_eq!(text(&only, "merchantRefundId"), rid);
    assert_eq!(text(&only, "state"), "SUCCESS");
    assert_eq!(text(&only, "amount"), "3");
    assert_eq!(text(&get(&only, "refund"), "amount"), "3.00");
    // pendingPayments() lists only the open one; history() keeps the finished one.
    let pending = r.pending_payments().unwrap().unchecked_into::<Array>();
    assert_eq!(pending.length(), 1);
    assert_eq!(id_of(&pending.get(0)), id_of(&open));
    r.close();
}

fn refund_path(id: &str, refund_id: &str) -> String {
    let mut s = String::from("/v1/payments/");
    s.push_str(id);
    s.push_str("/refunds/");
    s.push_str(refund_id);
    s
}

/// GETs of the payment itself (not of its refunds) sent so far.
fn payment_reads(id: &str) -> u32 {
    let mut path = String::from("/v1/payments/");
    path.push_str(id);
    let mut refunds = path.clone();
    refunds.push_str("/refunds");
    api_calls_to(&path) - api_calls_to(&refunds)
}

#[wasm_bindgen_test]
async fn get_payment_and_get_refund_ask_the_proxy_once_and_journal_the_answer() {
    let _serial = serial().await;
    let r = Opts::new(false).build();
    let p = start(&r, "9.50").await;
    let id = id_of(&p);

    // Open: one request, the create's payment.
    let reads = payment_reads(&id);
    let got = done(r.get_payment(id.as_str().into(), JsValue::UNDEFINED))
        .await
        .expect("getPayment");
    assert_eq!(payment_reads(&id), reads + 1, "one request");
    assert_eq!(id_of(&got), id);
    assert_eq!(text(&got, "status"), "PROCESSING");
    for key in ["amount", "currency", "method", "transactionId", "qrCode"] {
        assert_eq!(text(&got, key), text(&p, key), "{key}");
    }

    // Paid at the wallet: no wait runs, yet getPayment learns it and the journal keeps it.
    wallet(&p, "pay").await;
    let got = done(r.get_payment(id.as_str().into(), JsValue::UNDEFINED))
        .await
        .expect("getPayment");
    assert_eq!(payment_reads(&id), reads + 2, "one request");
    assert_eq!(text(&got, "status"), "SUCCESS");
    assert_eq!(text(&got, "refundableAmount"), "9.50");
    let h = r.history().unwrap().unchecked_into::<Array>();
    assert_eq!(id_of(&h.get(0)), id);
    assert_eq!(text(&h.get(0), "state"), "SUCCESS", "journaled");
    assert_eq!(
        r.pending_payments()
            .unwrap()
            .unchecked_into::<Array>()
            .length(),
        0,
        "nothing left to resume"
    );

    // A refund, read with getRefund until the acquirer is done (300 ms): one request a read.
    let refund = done(r.refund(id.as_str().into(), obj(&[("amount", "4.00".into())])))
        .await
        .expect("refund");
    let rid = text(&refund, "merchantRefundId");
    let path = refund_path(&id, &rid);
    let mut statuses = Vec::new();
    for n in 1..=20 {
        let got = done(r.get_refund(id.as_str().into(), rid.as_str().into(), JsValue::UNDEFINED))
            .await
            .expect("getRefund");
        assert_eq!(api_calls_to(&path), n, "one request a read");
        assert_eq!(id_of(&got), id);
        assert_eq!(text(&got, "merchantRefundId"), rid);
        assert_eq!(text(&got, "amount"), "4.00");
        assert_eq!(text(&got, "currency"), "USD");
        let status = text(&got, "status");
        let last = status == "SUCCESS";
        statuses.push(status);
        if last {
            break;
        }
        sleep_ms(200).await;
    }
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("SUCCESS"),
        "{statuses:?}"
    );
    let entry = r.history().unwrap().unchecked_into::<Array>().get(0);
    let refunds = get(&entry, "refunds").unchecked_into::<Array>();
    assert_eq!(refunds.length(), 1);
    assert_eq!(text(&refunds.get(0), "state"), "SUCCESS", "journaled");
    assert_eq!(text(&entry, "refundableAmount"), "5.50");

    // Ids the proxy does not know: NOT_FOUND, naming them.
    let other = unique("PQnone");
    let e = done(r.get_payment(other.as_str().into(), JsValue::UNDEFINED))
        .await
        .expect_err("unknown payment");
    assert_eq!(code_of(&e), "NOT_FOUND");
    assert_eq!(text(&e, "merchantTransactionId"), other);
    let other = unique("RFnone");
    let e = done(r.get_refund(
        id.as_str().into(),
        other.as_str().into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect_err("unknown refund");
    assert_eq!(code_of(&e), "NOT_FOUND");
    assert_eq!(text(&e, "merchantRefundId"), other);

    // An aborted signal: refused before any request.
    let controller = AbortController::new().unwrap();
    controller.abort();
    let calls = api_calls();
    let signal = || obj(&[("signal", controller.signal().into())]);
    let e = done(r.get_payment(id.as_str().into(), signal()))
        .await
        .expect_err("aborted");
    assert_eq!(code_of(&e), "ABORTED");
    let e = done(r.get_refund(id.as_str().into(), rid.as_str().into(), signal()))
        .await
        .expect_err("aborted");
    assert_eq!(code_of(&e), "ABORTED");
    assert_eq!(api_calls(), calls);
    r.close();
}

#[wasm_bindgen_test]
async fn an_abort_signal_ends_a_refund_wait_and_its_request_in_flight() {
    let _serial = serial().await;
    let r = Opts::new(false).build();
    let p = start(&r, "6.00").await;
    let id = id_of(&p);
    let waiting = wait(&r, &id, JsValue::UNDEFINED);
    wallet(&p, "pay").await;
    assert_eq!(text(&waiting.await.unwrap(), "status"), "SUCCESS");
    // The proxy must ask the acquirer (no push tells it the refund is done), and the
    // acquirer takes 4 s to answer a refund query: the wait's first poll stays in flight.
    faults(&[
        ("dropNotifications", 5.into()),
        ("latencyMs", 4_000.into()),
        ("apis", Array::of1(&"refundQuery".into()).into()),
    ])
    .await;
    let refund = done(r.refund(id.as_str().into(), obj(&[("amount", "2.00".into())])))
        .await
        .expect("refund");
    let rid = text(&refund, "merchantRefundId");
    let path = refund_path(&id, &rid);
    let controller = AbortController::new().unwrap();
    let result: Rc<RefCell<Option<Result<JsValue, JsValue>>>> = Rc::default();
    let slot = result.clone();
    let waiting = JsFuture::from(r.wait_for_refund(
        id.as_str().into(),
        rid.as_str().into(),
        obj(&[("signal", controller.signal().into())]),
    ));
    wasm_bindgen_futures::spawn_local(async move {
        *slot.borrow_mut() = Some(waiting.await);
    });
    until(6_000, "the wait's first poll", || api_calls_to(&path) == 1).await;
    sleep_ms(300).await;
    assert_eq!(api_calls_done(&path), 0, "the poll is in flight");
    assert!(result.borrow().is_none(), "still waiting");
    controller.abort();
    until(1_000, "the wait to end on abort", || {
        result.borrow().is_some()
    })
    .await;
    let e = result.borrow_mut().take().unwrap().expect_err("aborted");
    assert_eq!(code_of(&e), "ABORTED");
    assert_eq!(text(&e, "merchantTransactionId"), id);
    assert_eq!(text(&e, "merchantRefundId"), rid);
    until(1_000, "the request in flight to be aborted", || {
        api_calls_done(&path) == 1
    })
    .await;
    // Longer than the next poll's 2–3 s: an aborted wait sends nothing more.
    sleep_ms(3_500).await;
    assert_eq!(api_calls_to(&path), 1, "no poll after the abort");
    faults(&[]).await;

    // The refund is still open in the journal; an already-aborted signal sends nothing; a
    // new wait follows it to its end.
    let pending = r.pending_payments().unwrap().unchecked_into::<Array>();
    assert_eq!(pending.length(), 1);
    let open = get(&pending.get(0), "pendingRefunds").unchecked_into::<Array>();
    assert_eq!(open.length(), 1);
    assert_eq!(open.get(0).as_string().as_deref(), Some(rid.as_str()));
    let calls = api_calls();
    let e = done(r.wait_for_refund(
        id.as_str().into(),
        rid.as_str().into(),
        obj(&[("signal", controller.signal().into())]),
    ))
    .await
    .expect_err("aborted");
    assert_eq!(code_of(&e), "ABORTED");
    assert_eq!(api_calls(), calls, "refused before any request");
    let finished =
        done(r.wait_for_refund(id.as_str().into(), rid.as_str().into(), JsValue::UNDEFINED))
            .await
            .expect("waitForRefund");
    assert_eq!(text(&finished, "status"), "SUCCESS");
    assert_eq!(text(&finished, "amount"), "2.00");
    r.close();
}
