//! Test harness: a sandbox on a loopback port, a signing client built on the protocol crate,
//! and a notification receiver. Each test binary uses a part of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use pingpong_protocol::envelope::Envelope;
use pingpong_protocol::{Api, SignType};
use pingpong_sandbox::{Account, Sandbox, SandboxConfig};
use serde_json::{Value, json};

pub const UNIFIED_PAY: &str = Api::UnifiedPay.path();
pub const QUERY: &str = Api::Query.path();
pub const REFUND: &str = Api::Refund.path();
pub const REFUND_QUERY: &str = Api::RefundQuery.path();

/// Fast settings for tests: retries in milliseconds, refunds done in 100 ms.
pub fn fast_config() -> SandboxConfig {
    SandboxConfig {
        time_scale: 0.001,
        refund_delay: Duration::from_millis(100),
        no_answer_hold: Duration::from_secs(3),
        ..SandboxConfig::default()
    }
}

pub struct Harness {
    pub url: String,
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub account: Account,
}

pub async fn start() -> Harness {
    start_with(fast_config()).await
}

pub async fn start_with(mut config: SandboxConfig) -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    config.public_url = url.clone();
    let sandbox = Sandbox::new(config);
    tokio::spawn(pingpong_sandbox::serve(sandbox.clone(), listener));
    Harness {
        url,
        sandbox,
        http: reqwest::Client::new(),
        account: Account::sandbox_a(),
    }
}

/// A parsed and verified sandbox answer.
pub struct Answer {
    pub env: Envelope,
    pub raw: String,
    pub biz: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.env.code().unwrap()
    }

    pub fn description(&self) -> &str {
        self.env.description().unwrap()
    }

    pub fn status(&self) -> Option<&str> {
        self.biz.get("status").and_then(Value::as_str)
    }

    pub fn str(&self, key: &str) -> &str {
        self.biz[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {}", self.biz))
    }
}

impl Harness {
    /// Signs `biz` with the protocol crate (account A, SHA256), posts it, and verifies the
    /// signed answer.
    pub async fn call(&self, path: &str, biz: &Value) -> Answer {
        self.call_as(&self.account, SignType::Sha256, path, &biz.to_string())
            .await
    }

    pub async fn call_as(
        &self,
        account: &Account,
        sign_type: SignType,
        path: &str,
        biz: &str,
    ) -> Answer {
        let mut env = Envelope::request(
            &account.acc_id,
            &account.client_id,
            sign_type,
            biz.to_owned(),
        );
        env.sign(&account.salt).unwrap();
        let (status, raw) = self.post_raw(path, &env.to_json()).await;
        assert_eq!(status, 200, "{raw}");
        let answer = parse(&raw);
        answer
            .env
            .verify(&account.salt)
            .expect("the sandbox signs its answers");
        answer
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> (u16, String) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    pub async fn post_json(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// A QR unifiedPay that is expected to answer PROCESSING; returns the answer.
    pub async fn create(&self, biz: &Value) -> Answer {
        let a = self.call(UNIFIED_PAY, biz).await;
        assert_eq!(a.code(), "002000", "{}", a.raw);
        assert_eq!(a.status(), Some("PROCESSING"));
        a
    }

    pub async fn query(&self, mtid: &str) -> Answer {
        let a = self
            .call(QUERY, &json!({ "merchantTransactionId": mtid }))
            .await;
        assert_eq!(a.code(), "001000", "{}", a.raw);
        a
    }

    /// The wallet pays (`POST {qrCode}/pay`), over HTTP like the page does.
    pub async fn wallet(&self, qr_code: &str, action: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{qr_code}/{action}"))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// A paid order of `amount` CNY.
    pub async fn paid_order(&self, mtid: &str, amount: &str) -> Answer {
        let a = self
            .create(&order(mtid, &format!("{mtid}-r1"), amount))
            .await;
        let (status, _) = self.wallet(a.str("qrCode"), "pay").await;
        assert_eq!(status, 200);
        a
    }
}

pub fn parse(raw: &str) -> Answer {
    let env = Envelope::parse(raw.as_bytes()).unwrap_or_else(|e| panic!("{e}: {raw}"));
    let biz = serde_json::from_str(env.biz_content().unwrap()).unwrap();
    Answer {
        env,
        raw: raw.to_owned(),
        biz,
    }
}

pub fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A valid QR unifiedPay bizContent: CNY, Alipay (mainland), 5-minute QR.
pub fn order(mtid: &str, request_id: &str, amount: &str) -> Value {
    json!({
        "merchantTransactionId": mtid,
        "requestId": request_id,
        "amount": amount,
        "currency": "CNY",
        "captureDelayHours": 0,
        "cashierDeviceId": "POS-1",
        "paymentMethod": { "type": "AlipayCN-Offline" },
        "timeExpire": (now_s() + 300).to_string(),
    })
}

pub fn refund(mtid: &str, mrid: &str, amount: &str) -> Value {
    json!({
        "merchantTransactionId": mtid,
        "merchantRefundId": mrid,
        "amount": amount,
        "currency": "CNY",
    })
}

/// Polls `check` every 10 ms until it is true; panics with `what` after 10 s.
pub async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// What the receiver answers to each notification, in turn; the last one repeats.
#[derive(Clone, Copy, Debug)]
pub enum Reply {
    Ok,
    Fail,
    Status(u16),
}

/// A notification receiver: records every body it gets.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<ReceiverState>>,
}

struct ReceiverState {
    bodies: Vec<String>,
    replies: Vec<Reply>,
}

impl Receiver {
    pub async fn start(replies: Vec<Reply>) -> Receiver {
        let inner = Arc::new(Mutex::new(ReceiverState {
            bodies: Vec::new(),
            replies,
        }));
        let app = axum::Router::new()
            .route("/notify", axum::routing::post(receive))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, inner }
    }

    pub fn bodies(&self) -> Vec<String> {
        self.inner.lock().unwrap().bodies.clone()
    }

    /// Waits until at least `n` notifications arrived and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        wait_until(&format!("{n} notifications"), async || {
            self.bodies().len() >= n
        })
        .await;
        self.bodies()
    }
}

async fn receive(
    State(inner): State<Arc<Mutex<ReceiverState>>>,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let mut state = inner.lock().unwrap();
    let n = state.bodies.len();
    state.bodies.push(String::from_utf8(body.to_vec()).unwrap());
    let reply = state
        .replies
        .get(n)
        .or(state.replies.last())
        .copied()
        .unwrap_or(Reply::Ok);
    match reply {
        Reply::Ok => (StatusCode::OK, "OK"),
        Reply::Fail => (StatusCode::OK, "FAIL"),
        Reply::Status(s) => (StatusCode::from_u16(s).unwrap(), "error"),
    }
}
