//! Test harness: a real proxy (demo mode with the embedded sandbox, or pointed at a
//! standalone sandbox) on loopback, a plain HTTP client, an SSE reader, and a poller that
//! awaits conditions with a deadline instead of sleeping.
#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

use pingpong_protocol::Envelope;
use pingpong_qr_proxy::{
    Config, PingPongAccount, ProxyHandle, RegisterToken, SandboxOptions, Secret, Upstream, start,
};
use pingpong_sandbox::{Account, RequestRecord, Sandbox, SandboxConfig, Stats};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The demo register (store DEMO-STORE).
pub const DEMO: &str = "demo-token";
/// A second register of DEMO-STORE.
pub const SECOND: &str = "second-register-token-7d1e";
/// A register of another store.
pub const OTHER: &str = "other-store-token-5f2c9a";

/// How long a condition may take before a test fails.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// Fast sandbox settings: notification retries at 1/1000 of PingPong's pace.
pub fn fast_sandbox() -> SandboxOptions {
    SandboxOptions {
        time_scale: 0.001,
        refund_delay: Duration::from_millis(150),
    }
}

/// The registers every harness has: the demo register's token given explicitly (with
/// registers configured, demo mode has no `demo-token` of its own), a second register of
/// its store, and a register of another store.
pub fn registers() -> Vec<RegisterToken> {
    vec![
        RegisterToken::new(DEMO, "DEMO-POS-1", "DEMO-STORE").unwrap(),
        RegisterToken::new(SECOND, "DEMO-POS-2", "DEMO-STORE").unwrap(),
        RegisterToken::new(OTHER, "OTHER-POS-1", "OTHER-STORE").unwrap(),
    ]
}

/// An answer of the proxy.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    /// The `code` of an error body.
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }
}

/// A proxy on loopback and a client for it.
pub struct Harness {
    pub proxy: Option<ProxyHandle>,
    pub http: reqwest::Client,
    pub dir: TempDir,
    pub url: String,
    /// The sandbox the proxy talks to (embedded, or standalone).
    pub sandbox: Sandbox,
}

impl Harness {
    /// Demo mode with the fast sandbox and the extra registers.
    pub async fn demo() -> Harness {
        Harness::demo_with(|_| {}).await
    }

    /// Demo mode, with `tweak` applied to the configuration.
    pub async fn demo_with(tweak: impl FnOnce(&mut Config)) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::demo(dir.path().join("journal.sqlite"));
        config.upstream = Upstream::Demo(fast_sandbox());
        config.registers = registers();
        config.www_dir = dir.path().join("www");
        config.pkg_dir = dir.path().join("pkg");
        tweak(&mut config);
        let proxy = start(config).await.expect("proxy starts");
        let sandbox = proxy.sandbox().expect("demo mode").clone();
        Harness {
            url: proxy.url().to_owned(),
            proxy: Some(proxy),
            http: client(),
            dir,
            sandbox,
        }
    }

    pub fn proxy(&self) -> &ProxyHandle {
        self.proxy.as_ref().expect("running")
    }

    /// Sends `method path` with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        send(req).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Creates a payment and asserts 201.
    pub async fn create_payment(&self, token: &str, body: Value) -> Value {
        let r = self.post("/v1/payments", token, body).await;
        assert_eq!(r.status, 201, "create payment: {}", r.text);
        r.json
    }

    /// A USD Alipay payment of `amount`, 5 minutes.
    pub async fn usd_payment(&self, amount: &str) -> Value {
        self.create_payment(
            DEMO,
            json!({ "amount": amount, "currency": "USD", "method": "ALIPAY" }),
        )
        .await
    }

    /// The consumer pays: `POST {qrCode}/pay` on the sandbox's wallet route.
    pub async fn pay(&self, payment: &Value) {
        let qr = payment["qrCode"].as_str().expect("a QR to pay");
        let r = self.http.post(format!("{qr}/pay")).send().await.unwrap();
        assert!(r.status().is_success(), "wallet pay: {}", r.status());
    }

    /// Waits until `GET` of the payment shows `status`.
    pub async fn await_payment(&self, token: &str, mtid: &str, status: &str) -> Value {
        let path = format!("/v1/payments/{mtid}");
        eventually(&format!("payment {mtid} {status}"), || async {
            let r = self.get(&path, token).await;
            (r.status == 200 && r.json["status"] == status).then_some(r.json)
        })
        .await
    }

    /// A paid payment of `amount` USD.
    pub async fn paid_payment(&self, amount: &str) -> Value {
        let p = self.usd_payment(amount).await;
        self.pay(&p).await;
        let mtid = p["merchantTransactionId"].as_str().unwrap().to_owned();
        self.await_payment(DEMO, &mtid, "SUCCESS").await
    }

    /// Waits until `GET` of the refund shows `status`.
    pub async fn await_refund(&self, mtid: &str, mrid: &str, status: &str) -> Value {
        let path = format!("/v1/payments/{mtid}/refunds/{mrid}");
        eventually(&format!("refund {mrid} {status}"), || async {
            let r = self.get(&path, DEMO).await;
            (r.status == 200 && r.json["status"] == status).then_some(r.json)
        })
        .await
    }

    pub fn stats(&self) -> Stats {
        self.sandbox.stats()
    }

    /// v4 requests the sandbox received so far.
    pub fn upstream_requests(&self) -> u64 {
        self.stats().total_requests()
    }

    /// The v4 requests to `path` the sandbox received, as they arrived (signed bodies).
    pub fn sent(&self, path: &str) -> Vec<RequestRecord> {
        sent_to(&self.sandbox, path)
    }

    /// Opens the event stream of `token`'s store.
    pub async fn events(&self, token: &str, last_event_id: Option<u64>) -> EventStream {
        let t = self.post("/v1/events/tickets", token, json!({})).await;
        assert_eq!(t.status, 201, "ticket: {}", t.text);
        let ticket = t.json["ticket"].as_str().unwrap().to_owned();
        EventStream::open(&self.http, &self.url, &ticket, last_event_id).await
    }

    pub async fn shutdown(&mut self) {
        if let Some(p) = self.proxy.take() {
            p.shutdown().await;
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

pub async fn send(req: reqwest::RequestBuilder) -> Reply {
    let r = req.send().await.expect("the proxy answers");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        json,
    }
}

/// The v4 requests to `path` that `sandbox` received, oldest first (signed bodies).
pub fn sent_to(sandbox: &Sandbox, path: &str) -> Vec<RequestRecord> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .collect()
}

/// Polls `check` every 20 ms until it yields a value; panics after [`DEADLINE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One Server-Sent Event.
#[derive(Clone, Debug)]
pub struct SseEvent {
    pub id: u64,
    pub event: String,
    pub data: Value,
}

/// A reader of `GET /v1/events`.
pub struct EventStream {
    pub response: reqwest::Response,
    buf: String,
    /// Everything read from the stream so far, as it came (comments included).
    pub raw: String,
}

impl EventStream {
    pub async fn open(
        http: &reqwest::Client,
        url: &str,
        ticket: &str,
        last: Option<u64>,
    ) -> EventStream {
        let mut req = http
            .get(format!("{url}/v1/events?ticket={ticket}"))
            .timeout(Duration::from_secs(3600));
        if let Some(id) = last {
            req = req.header("last-event-id", id.to_string());
        }
        EventStream::from_response(req.send().await.unwrap())
    }

    /// Reads an open stream's response.
    pub fn from_response(response: reqwest::Response) -> EventStream {
        assert_eq!(response.status(), 200, "event stream");
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        EventStream {
            response,
            buf: String::new(),
            raw: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped); panics after [`DEADLINE`].
    pub async fn next(&mut self) -> SseEvent {
        tokio::time::timeout(DEADLINE, self.read())
            .await
            .expect("an SSE event in time")
    }

    /// The next event matching `pred`, skipping others.
    pub async fn next_where(&mut self, pred: impl Fn(&SseEvent) -> bool) -> SseEvent {
        tokio::time::timeout(DEADLINE, async {
            loop {
                let e = self.read().await;
                if pred(&e) {
                    return e;
                }
            }
        })
        .await
        .expect("a matching SSE event in time")
    }

    async fn read(&mut self) -> SseEvent {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (None, String::new(), String::new());
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if let Some(id) = id {
                    return SseEvent {
                        id,
                        event,
                        data: serde_json::from_str(&data).expect("SSE data is JSON"),
                    };
                }
                continue; // a keep-alive comment
            }
            let chunk = self
                .response
                .chunk()
                .await
                .expect("stream readable")
                .expect("stream still open");
            let text = std::str::from_utf8(&chunk).unwrap();
            self.buf.push_str(text);
            self.raw.push_str(text);
        }
    }
}

/// A sandbox on its own loopback listener (for tests that restart or bypass the proxy).
pub struct StandaloneSandbox {
    pub sandbox: Sandbox,
    pub url: String,
}

impl StandaloneSandbox {
    pub async fn start(accounts: Vec<Account>) -> StandaloneSandbox {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let sandbox = Sandbox::new(SandboxConfig {
            accounts,
            public_url: url.clone(),
            refund_delay: Duration::from_millis(150),
            time_scale: 0.001,
            ..SandboxConfig::default()
        });
        tokio::spawn(pingpong_sandbox::serve(sandbox.clone(), listener));
        StandaloneSandbox { sandbox, url }
    }

    /// A v4 call straight to the sandbox, past the proxy (as another client of the same
    /// account would make it): signed with the protocol crate (SHA256); the answer verified.
    pub async fn call(&self, account: &Account, path: &str, biz: &Value) -> Envelope {
        let mut env = Envelope::request(
            &account.acc_id,
            &account.client_id,
            pingpong_protocol::SignType::Sha256,
            biz.to_string(),
        );
        env.sign(&account.salt).unwrap();
        let r = client()
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(env.to_json())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let answer = Envelope::parse(&r.bytes().await.unwrap()).unwrap();
        answer.verify(&account.salt).expect("a signed answer");
        answer
    }
}

/// A configuration with real credentials of `account` at `base_url`.
pub fn pingpong_config(dir: &std::path::Path, base_url: &str, account: &Account) -> Config {
    let mut config = Config::demo(dir.join("journal.sqlite"));
    config.upstream = Upstream::PingPong(PingPongAccount {
        base_url: base_url.to_owned(),
        acc_id: account.acc_id.clone(),
        client_id: account.client_id.clone(),
        salt: Secret::new(account.salt.clone()),
        sign_type: pingpong_protocol::SignType::Sha256,
    });
    config.registers = registers();
    config.www_dir = dir.join("www");
    config.pkg_dir = dir.join("pkg");
    config
}

/// A harness around a proxy with real credentials against `sandbox` at `base_url`.
pub async fn pingpong_harness(
    sandbox: &Sandbox,
    base_url: &str,
    account: &Account,
    tweak: impl FnOnce(&mut Config),
) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let mut config = pingpong_config(dir.path(), base_url, account);
    tweak(&mut config);
    let proxy = start(config).await.expect("proxy starts");
    Harness {
        url: proxy.url().to_owned(),
        proxy: Some(proxy),
        http: client(),
        dir,
        sandbox: sandbox.clone(),
    }
}

/// The proxy binary, run as a script runs it.
pub struct Binary {
    pub child: std::process::Child,
    pub url: String,
}

impl Binary {
    /// Runs `pingpong-qr-proxy ARGS` (demo mode: no PingPong variables) and waits for its
    /// "listening on" line.
    pub fn spawn(args: &[&str]) -> Binary {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pingpong-qr-proxy"))
            .args(args)
            .env_remove("PINGPONG_ACC_ID")
            .env_remove("PINGPONG_CLIENT_ID")
            .env_remove("PINGPONG_SALT")
            .env_remove("PINGPONG_SALT_FILE")
            .env_remove("PINGPONG_QR_TOKENS")
            .env_remove("PINGPONG_QR_TOKENS_FILE")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let url = loop {
            let mut line = String::new();
            assert!(out.read_line(&mut line).unwrap() > 0, "the proxy exited");
            if let Some(url) = line
                .trim_end()
                .strip_prefix("pingpong-qr-proxy listening on ")
            {
                break url.to_owned();
            }
        };
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Binary { child, url }
    }

    /// `kill -9`.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
